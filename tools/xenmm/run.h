/*
 * tools/xenmm/run.h - what cmd_run.c and run_procs.c share (`xenmm run`).
 */
#ifndef XENMM_RUN_H
#define XENMM_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "xenmm.h"

/* How long to wait for xenmmd or xenstored to come up, and to stop. */
#define RUN_START_TIMEOUT_MS 120000
#define RUN_STOP_TIMEOUT_MS  10000

struct run_opts {
    struct xenmm_host_args ha;      /* --host overrides the scenario's */
    const char *scenario;           /* path, or NULL: the default */
    const char *socket;             /* --socket: a running xenmmd */
    const char *xenstored_dir;      /* --xenstored: a running xenstored */
    const char *progress, *parallel;
    const char *xenguest;           /* --xenguest: another builder */
    bool json, keep, use_daemon;
};

/* The signal that interrupted xenmm run (SIGINT, SIGTERM, SIGHUP), or 0. */
extern volatile sig_atomic_t run_interrupted;

/* run_procs.c: each returns the child's pid, or -1 and a reason. */
pid_t run_spawn_xenmmd(const struct run_opts *o, const char *sock,
                       const char *log, const char *host, const char *xen,
                       char *why, size_t whylen);
pid_t run_spawn_xenstored(const struct run_opts *o, const char *sock,
                          const char *rundir, const char *log, char *why,
                          size_t whylen);
pid_t run_spawn_toolstack(char *const argv[], const char *sock,
                          const char *xs_rundir, char *why, size_t whylen);
/* Wait for pid, forwarding signals xenmm gets; its exit status (128+sig). */
int run_wait(pid_t pid);
/* SIGTERM, wait up to timeout_ms (0: the default), then SIGKILL. */
void run_stop_pid(pid_t pid, const char *what, int timeout_ms);

#endif /* XENMM_RUN_H */
