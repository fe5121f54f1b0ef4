/*
 * tools/xenmm/cmd_exec.c - `xenmm exec [options] -- CMD ARGS...`: run any
 * program with the drop-in Xen libraries (build/lib, first in
 * LD_LIBRARY_PATH) against the running xenmmd, or with the core hosted
 * in-process (--inprocess SPEC).  The program is exec'd: its exit status
 * is exec's.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire/wire.h"
#include "xenmm.h"

static void exec_usage(FILE *f)
{
    fprintf(f,
        "usage: xenmm exec [--socket PATH] [--inprocess SPEC] [--domid N] "
        "-- CMD [ARGS...]\n\n"
        "Run CMD with the drop-in Xen libraries (libxencall, "
        "libxenforeignmemory,\n"
        "libxendevicemodel, libxenevtchn, libxengnttab) against xenmmd.\n"
        "  -s, --socket PATH     the daemon's socket (default as `xenmm daemon`)\n"
        "  -i, --inprocess SPEC  host the core inside CMD instead (no daemon;\n"
        "                        the host ends with CMD)\n"
        "  -d, --domid N         act as domain N instead of dom0\n");
}

/* Prepend dir to the colon-separated variable var. */
static int env_prepend(const char *var, const char *dir)
{
    const char *old = getenv(var);
    char buf[8192];
    int n = old && *old ? snprintf(buf, sizeof(buf), "%s:%s", dir, old)
                        : snprintf(buf, sizeof(buf), "%s", dir);

    if ( n < 0 || (size_t)n >= sizeof(buf) )
        return -1;
    return setenv(var, buf, 1);
}

int cmd_exec(int argc, char **argv)
{
    static const struct option opts[] = {
        { "socket", required_argument, NULL, 's' },
        { "inprocess", required_argument, NULL, 'i' },
        { "domid", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *sock = NULL, *inproc = NULL, *domid = NULL;
    char path[108], rel[PATH_MAX], libdir[PATH_MAX];
    int c;

    optind = 1;
    while ( (c = getopt_long(argc, argv, "+s:i:d:h", opts, NULL)) != -1 )
        switch ( c )
        {
        case 's': sock = optarg; break;
        case 'i': inproc = optarg; break;
        case 'd': domid = optarg; break;
        case 'h': exec_usage(stdout); return 0;
        default: exec_usage(stderr); return EXIT_USAGE;
        }
    if ( optind >= argc )
        return xenmm_usage_error("exec", "no command to run");
    if ( xenmm_sibling_path("../lib", "", rel, sizeof(rel)) ||
         !realpath(rel, libdir) )
        return xenmm_fail("cannot find the drop-in libraries next to this "
                          "program (../lib)");
    if ( env_prepend("LD_LIBRARY_PATH", libdir) )
        return xenmm_fail("LD_LIBRARY_PATH too long");
    if ( domid )
        setenv(XMM_DOMID_ENV, domid, 1);
    if ( inproc )
        setenv(XMM_INPROCESS_ENV, inproc, 1);
    else
    {
        int s;

        unsetenv(XMM_INPROCESS_ENV);
        if ( xenmm_socket_path(sock, path, sizeof(path)) )
            return xenmm_fail("socket path too long");
        s = xmm_connect(path);
        if ( s < 0 )
            return xenmm_fail("no xenmmd running on %s (start one with "
                              "`xenmm daemon start`)", path);
        close(s);
        setenv(XMM_SOCKET_ENV, path, 1);
    }
    execvp(argv[optind], argv + optind);
    return xenmm_fail("cannot run %s: %s", argv[optind], strerror(errno));
}
