/*
 * tools/xenmm/run_procs.c - the processes `xenmm run` starts and stops:
 * xenmmd, Debian's xenstored on it, and xenmm-toolstack.
 *
 * xenmmd and xenstored run in their own sessions (setsid), so a Ctrl-C on
 * the terminal reaches only xenmm and the toolstack (and its xenguests):
 * `xenmm run` then stops them in order - the toolstack first (it destroys
 * its domains), then xenstored, then xenmmd - and nothing is left behind.
 * Unless --keep was given they also get PR_SET_PDEATHSIG, so even a
 * `kill -9` of xenmm stops them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

static long ms_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The child side of a spawn: session, death signal, stdio, exec. */
static void child_setup(const char *log, bool own_session, bool pdeath)
{
    int null = open("/dev/null", O_RDONLY);

    if ( own_session )
        setsid();
    if ( pdeath )
        prctl(PR_SET_PDEATHSIG, SIGTERM);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    if ( null >= 0 )
        dup2(null, 0);
    if ( log )
    {
        int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

        if ( out >= 0 )
        {
            dup2(out, 1);
            dup2(out, 2);
        }
    }
}

pid_t run_spawn_xenmmd(const struct run_opts *o, const char *sock,
                       const char *log, const char *host, const char *xen,
                       char *why, size_t whylen)
{
    char xenmmd[4096], fdarg[16], ready[8] = "";
    char *argv[16 + 2 * 64];
    int pfd[2], argc = 0;
    struct timespec t0;
    pid_t pid;

    if ( xenmm_sibling_path("", "xenmmd", xenmmd, sizeof(xenmmd)) ||
         access(xenmmd, X_OK) )
        return snprintf(why, whylen, "cannot find xenmmd next to xenmm"), -1;
    if ( pipe2(pfd, O_CLOEXEC) )
        return snprintf(why, whylen, "pipe: %s", strerror(errno)), -1;
    snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
    argv[argc++] = xenmmd;
    argv[argc++] = "--socket";
    argv[argc++] = (char *)sock;
    argv[argc++] = "--host";
    argv[argc++] = (char *)host;
    if ( xen && *xen )
    {
        argv[argc++] = "--xen";
        argv[argc++] = (char *)xen;
    }
    for ( unsigned int i = 0; i < o->ha.nr_xen; i++ )
    {
        argv[argc++] = "--xen";
        argv[argc++] = (char *)o->ha.xen[i];
    }
    argv[argc++] = "--ready-fd";
    argv[argc++] = fdarg;
    argv[argc] = NULL;

    pid = fork();
    if ( pid < 0 )
        return snprintf(why, whylen, "fork: %s", strerror(errno)), -1;
    if ( pid == 0 )
    {
        child_setup(log, true, !o->keep);
        fcntl(pfd[1], F_SETFD, 0);
        execv(xenmmd, argv);
        _exit(127);
    }
    close(pfd[1]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* Wait for "ready", a signal to us, or the daemon's death. */
    while ( !run_interrupted && ms_since(&t0) < RUN_START_TIMEOUT_MS )
    {
        struct pollfd p = { .fd = pfd[0], .events = POLLIN };
        int n = poll(&p, 1, 100);

        if ( n > 0 )
        {
            ssize_t got = read(pfd[0], ready, 6);

            if ( got == 6 && !memcmp(ready, "ready\n", 6) )
            {
                close(pfd[0]);
                return pid;
            }
            break;                      /* EOF: it died */
        }
    }
    close(pfd[0]);
    run_stop_pid(pid, "xenmmd", 0);
    if ( run_interrupted )
        snprintf(why, whylen, "interrupted");
    else
        snprintf(why, whylen, "xenmmd did not start (see %s)", log);
    return -1;
}

/* Can a client connect to the Unix socket at path? */
static bool socket_answers(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    if ( s < 0 )
        return false;
    if ( strlen(path) >= sizeof(sa.sun_path) )
    {
        close(s);
        return false;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    ok = !connect(s, (struct sockaddr *)&sa, sizeof(sa));
    close(s);
    return ok;
}

pid_t run_spawn_xenstored(const struct run_opts *o, const char *sock,
                          const char *rundir, const char *log, char *why,
                          size_t whylen)
{
    char xenstored[4096], libdir[4096], rel[4096], preload[4160];
    char pidfile[4160], socket_path[4160];
    struct timespec t0;
    pid_t pid;
    int status;

    if ( xenmm_sibling_path("../../deps/xen-utils-4.17/usr/lib/xen-4.17/bin/",
                            "xenstored", xenstored, sizeof(xenstored)) ||
         access(xenstored, X_OK) )
        return snprintf(why, whylen, "no xenstored in deps/ (run ./setup.sh "
                        "--deps-only)"), -1;
    if ( xenmm_sibling_path("../lib", "", rel, sizeof(rel)) ||
         !realpath(rel, libdir) )
        return snprintf(why, whylen, "cannot find the drop-in libraries"), -1;
    snprintf(preload, sizeof(preload), "%s/libxenmm-preload.so", libdir);
    snprintf(pidfile, sizeof(pidfile), "%s/pid", rundir);
    snprintf(socket_path, sizeof(socket_path), "%s/socket", rundir);
    if ( mkdir(rundir, 0700) && errno != EEXIST )
        return snprintf(why, whylen, "%s: %s", rundir, strerror(errno)), -1;

    pid = fork();
    if ( pid < 0 )
        return snprintf(why, whylen, "fork: %s", strerror(errno)), -1;
    if ( pid == 0 )
    {
        child_setup(log, true, !o->keep);
        setenv("LD_LIBRARY_PATH", libdir, 1);
        setenv("LD_PRELOAD", preload, 1);
        setenv("XENMM_SOCKET", sock, 1);
        setenv("XENSTORED_RUNDIR", rundir, 1);
        unsetenv("XENMM_INPROCESS");
        unsetenv("XENMM_DOMID");
        execl(xenstored, xenstored, "--no-fork", "--pid-file", pidfile,
              (char *)NULL);
        _exit(127);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ( !run_interrupted && ms_since(&t0) < RUN_START_TIMEOUT_MS )
    {
        if ( socket_answers(socket_path) )
            return pid;
        if ( waitpid(pid, &status, WNOHANG) == pid )
            return snprintf(why, whylen, "xenstored exited (see %s)", log), -1;
        usleep(20000);
    }
    run_stop_pid(pid, "xenstored", 0);
    snprintf(why, whylen, run_interrupted ? "interrupted"
                                          : "xenstored did not start");
    return -1;
}

pid_t run_spawn_toolstack(char *const argv[], const char *sock,
                          const char *xs_rundir, char *why, size_t whylen)
{
    char libdir[4096], rel[4096];
    pid_t pid;

    if ( xenmm_sibling_path("../lib", "", rel, sizeof(rel)) ||
         !realpath(rel, libdir) )
        return snprintf(why, whylen, "cannot find the drop-in libraries"), -1;
    pid = fork();
    if ( pid < 0 )
        return snprintf(why, whylen, "fork: %s", strerror(errno)), -1;
    if ( pid == 0 )
    {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        /* xenguest has no RPATH: the drop-ins come from LD_LIBRARY_PATH. */
        setenv("LD_LIBRARY_PATH", libdir, 1);
        setenv("XENMM_SOCKET", sock, 1);
        setenv("XENSTORED_RUNDIR", xs_rundir, 1);
        unsetenv("XENSTORED_PATH");
        unsetenv("XENMM_INPROCESS");
        unsetenv("XENMM_DOMID");
        unsetenv("LD_PRELOAD");
        execv(argv[0], argv);
        fprintf(stderr, "xenmm: cannot run %s: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    return pid;
}

int run_wait(pid_t pid)
{
    int status;

    for ( ; ; )
    {
        if ( waitpid(pid, &status, 0) == pid )
            break;
        if ( errno != EINTR )
            return -1;
        /* A signal to us: hand it on (Ctrl-C may have reached it too). */
        if ( run_interrupted )
            kill(pid, run_interrupted);
    }
    if ( WIFEXITED(status) )
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

void run_stop_pid(pid_t pid, const char *what, int timeout_ms)
{
    struct timespec t0;
    int status;

    if ( pid <= 0 )
        return;
    if ( !timeout_ms )
        timeout_ms = RUN_STOP_TIMEOUT_MS;
    kill(pid, SIGTERM);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for ( ; ; )
    {
        pid_t r = waitpid(pid, &status, WNOHANG);

        if ( r == pid || (r < 0 && errno == ECHILD) )
            return;
        if ( ms_since(&t0) > timeout_ms )
            break;
        usleep(10000);
    }
    fprintf(stderr, "xenmm: %s (pid %d) did not stop on SIGTERM; killing it\n",
            what, (int)pid);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
}
