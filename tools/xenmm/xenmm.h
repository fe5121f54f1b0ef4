/*
 * tools/xenmm/xenmm.h - what the xenmm subcommands share.
 *
 * The CLI sees only the public headers in include/xenmm/; a command is a
 * function taking (argc, argv) with argv[0] its own name and returning the
 * exit status: 0 success, 1 failure (one line on stderr), 2 usage error.
 */
#ifndef XENMM_TOOL_H
#define XENMM_TOOL_H

#include <stdbool.h>
#include <xenmm/host.h>
#include <xenmm/hostspec.h>

#define XENMM_VERSION "0.1"
/* The Xen release whose memory management xenmm reproduces. */
#define XENMM_XEN_MAJOR 4
#define XENMM_XEN_MINOR 17
/* The extra version string of Xen 4.17.0, as xen_version's XENVER_extraversion. */
#define XENMM_XEN_EXTRA ".0"

#define EXIT_USAGE 2

struct xenmm_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;                  /* one line for `xenmm help` */
};

int cmd_hostinfo(int argc, char **argv);
int cmd_daemon(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* The daemon's socket: given, else xmm_default_socket_path.  -1: too long. */
int xenmm_socket_path(const char *given, char *buf, size_t len);
/* <directory of this program>/<dir><name> into buf.  -1 on failure. */
int xenmm_sibling_path(const char *dir, const char *name, char *buf,
                       size_t len);

/* "xenmm: <message>\n" on stderr.  Returns 1 (EXIT_FAILURE). */
int xenmm_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "xenmm <cmd>: <message>" and a hint to use --help.  Returns 2. */
int xenmm_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The host options every command that boots a host takes:
 *   -H, --host SPEC       (default: $XENMM_HOST, then HOSTSPEC_DEFAULT_PRESET)
 *   -x, --xen OPTS        Xen boot options, repeatable
 */
struct xenmm_host_args {
    const char *spec;
    unsigned int nr_xen;
    const char *xen[64];
};

/* Record one --xen value; -1 (after printing) when there are too many. */
int xenmm_host_args_add_xen(struct xenmm_host_args *a, const char *cmd,
                            const char *opt);
/* The spec to load: --host, else $XENMM_HOST, else the default preset. */
const char *xenmm_host_args_spec(const struct xenmm_host_args *a);
/*
 * Load the spec, apply the --xen options and validate.  On failure prints
 * one line and returns NULL.
 */
struct hostspec *xenmm_load_host(const struct xenmm_host_args *a);
/* xenmm_load_host(), then host_boot().  NULL (after printing) on failure. */
struct host *xenmm_boot_host(const struct xenmm_host_args *a);

#endif /* XENMM_TOOL_H */
