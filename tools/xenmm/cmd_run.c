/*
 * tools/xenmm/cmd_run.c - `xenmm run [SCENARIO]`: what a XenServer host
 * does around VM starts, on an emulated host, and where the memory went
 * (docs/scenarios.md).
 *
 * 1. `xenmm-toolstack --describe` reads the scenario: the host to boot
 *    and the Xen options it needs (a console ring large enough for debug
 *    key 'D' over every guest).
 * 2. Unless told to use a running daemon (--socket, --use-daemon): xenmmd
 *    on a private socket in a temporary directory, then Debian's xenstored
 *    on it, as tests/cli/xenstored.sh runs them (the drop-ins, the
 *    /proc/xen preload shim).
 * 3. xenmm-toolstack runs the scenario against them (Debian's libxenctrl,
 *    libxenstore and libxlutil over the drop-ins; XenServer's xenguest for
 *    the builds) and prints the report.
 * 4. xenstored and xenmmd are stopped and the directory removed, unless
 *    --keep.  Ctrl-C (SIGINT), SIGTERM or SIGHUP stop the toolstack (which
 *    kills its xenguests and destroys its domains), then xenstored and
 *    xenmmd, and exit 130.
 *
 * Why a separate program: xenmm links xenmm's own libraries (the core,
 * for `hostinfo`); the toolstack must reach Xen only through Debian's
 * libraries and the drop-ins, as a real toolstack would, so it is its own
 * binary (tools/toolstack/) with DT_RPATH $ORIGIN/../lib.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "wire/wire.h"

volatile sig_atomic_t run_interrupted;

static void on_signal(int sig)
{
    run_interrupted = sig;
}

static void run_usage(FILE *f)
{
    fprintf(f,
        "usage: xenmm run [options] [SCENARIO]\n\n"
        "Start a scenario's VMs as a XenServer host does (xenopsd's build_pre,\n"
        "NUMA placement and claims, XenServer's xenguest) on an emulated host,\n"
        "and show where their memory went.  SCENARIO is a file, or the name\n"
        "of one in scenarios/ (docs/scenarios.md); without it, the built-in\n"
        "default.\n"
        "  -j, --json            the report as JSON\n"
        "  -p, --parallel N      builds at a time (default: the scenario's)\n"
        "  -P, --progress MODE   auto, plain or none (default auto: a status\n"
        "                        line on a terminal)\n"
        "  -H, --host SPEC       boot this host instead of the scenario's\n"
        "  -x, --xen OPTS        more Xen boot options, repeatable\n"
        "  -k, --keep            leave xenmmd and xenstored running\n"
        "  -s, --socket PATH     use the xenmmd running on PATH\n"
        "  -d, --use-daemon      use the xenmmd on the default socket\n"
        "      --xenstored DIR   use the xenstored whose XENSTORED_RUNDIR is DIR\n"
        "                        (default: start one)\n"
        "      --xenguest PATH   the domain builder (default: build/bin/xenguest)\n");
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A scenario name: an existing file, or scenarios/<name>[.cfg]. */
static int find_scenario(const char *arg, char *buf, size_t len)
{
    char rel[PATH_MAX];
    size_t n = strlen(arg);

    if ( access(arg, R_OK) == 0 )
        return realpath(arg, buf) && strlen(buf) < len ? 0 : -1;
    if ( strchr(arg, '/') )
        return -1;
    snprintf(rel, sizeof(rel), "%s%s", arg,
             n > 4 && !strcmp(arg + n - 4, ".cfg") ? "" : ".cfg");
    if ( xenmm_sibling_path("../../scenarios/", rel, buf, len) ||
         access(buf, R_OK) )
        return -1;
    return 0;
}

/* host= and xen= from `xenmm-toolstack --describe`. */
static int describe(const char *toolstack, const char *scenario,
                    char *host, size_t hlen, char *xen, size_t xlen)
{
    char line[1024];
    int p[2], status;
    FILE *f;
    pid_t pid;

    if ( pipe(p) )
        return -1;
    pid = fork();
    if ( pid < 0 )
        return -1;
    if ( pid == 0 )
    {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execl(toolstack, toolstack, "--describe", scenario, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    f = fdopen(p[0], "r");
    host[0] = xen[0] = '\0';
    while ( f && fgets(line, sizeof(line), f) )
    {
        line[strcspn(line, "\n")] = '\0';
        if ( !strncmp(line, "host=", 5) )
            snprintf(host, hlen, "%.*s", (int)hlen - 1, line + 5);
        else if ( !strncmp(line, "xen=", 4) )
            snprintf(xen, xlen, "%.*s", (int)xlen - 1, line + 4);
    }
    if ( f )
        fclose(f);
    while ( waitpid(pid, &status, 0) < 0 && errno == EINTR )
        ;
    return WIFEXITED(status) && !WEXITSTATUS(status) && host[0] ? 0 : -1;
}

static int parse(int argc, char **argv, struct run_opts *o)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "parallel", required_argument, NULL, 'p' },
        { "progress", required_argument, NULL, 'P' },
        { "host", required_argument, NULL, 'H' },
        { "xen", required_argument, NULL, 'x' },
        { "keep", no_argument, NULL, 'k' },
        { "socket", required_argument, NULL, 's' },
        { "use-daemon", no_argument, NULL, 'd' },
        { "xenstored", required_argument, NULL, 'S' },
        { "xenguest", required_argument, NULL, 'G' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    optind = 1;
    while ( (c = getopt_long(argc, argv, "jp:P:H:x:ks:dh", opts, NULL)) != -1 )
        switch ( c )
        {
        case 'j': o->json = true; break;
        case 'p': o->parallel = optarg; break;
        case 'P': o->progress = optarg; break;
        case 'H': o->ha.spec = optarg; break;
        case 'x':
            if ( xenmm_host_args_add_xen(&o->ha, "run", optarg) )
                return EXIT_USAGE;
            break;
        case 'k': o->keep = true; break;
        case 's': o->socket = optarg; o->use_daemon = true; break;
        case 'd': o->use_daemon = true; break;
        case 'S': o->xenstored_dir = optarg; break;
        case 'G': o->xenguest = optarg; break;
        case 'h': run_usage(stdout); return -1;
        default: run_usage(stderr); return EXIT_USAGE;
        }
    if ( argc - optind > 1 )
        return xenmm_usage_error("run", "one scenario at a time");
    o->scenario = optind < argc ? argv[optind] : NULL;
    return 0;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o = { 0 };
    char scenario[PATH_MAX], toolstack[PATH_MAX], host[256], xen[1024];
    char dir[PATH_MAX] = "", sock[108], log[PATH_MAX + 32];
    char xs_dir[PATH_MAX + 32], xs_log[PATH_MAX + 32], why[512];
    char *targv[16];
    unsigned int tn = 0;
    pid_t xenmmd = -1, xenstored = -1, ts;
    struct sigaction sa = { .sa_handler = on_signal };
    const char *tmp;
    int rc;

    if ( (rc = parse(argc, argv, &o)) )
        return rc < 0 ? 0 : rc;
    if ( o.scenario && find_scenario(o.scenario, scenario, sizeof(scenario)) )
        return xenmm_fail("no scenario %s (a file, or a name in scenarios/)",
                          o.scenario);
    if ( xenmm_sibling_path("", "xenmm-toolstack", toolstack,
                            sizeof(toolstack)) || access(toolstack, X_OK) )
        return xenmm_fail("cannot find xenmm-toolstack next to xenmm");
    if ( describe(toolstack, o.scenario ? scenario : NULL, host, sizeof(host),
                  xen, sizeof(xen)) )
        return EXIT_FAILURE;            /* the toolstack said why */
    if ( o.ha.spec )
        snprintf(host, sizeof(host), "%s", o.ha.spec);

    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof(dir), "%s/xenmm-run.XXXXXX", tmp);
    if ( !mkdtemp(dir) )
        return xenmm_fail("mkdtemp %s: %s", dir, strerror(errno));

    if ( o.use_daemon )
    {
        int s;

        if ( xenmm_socket_path(o.socket, sock, sizeof(sock)) )
        {
            rc = xenmm_fail("socket path too long");
            goto out;
        }
        s = xmm_connect(sock);
        if ( s < 0 )
        {
            rc = xenmm_fail("no xenmmd running on %s", sock);
            goto out;
        }
        close(s);
    }
    else
    {
        struct xenmm_host_args check = o.ha;
        struct hostspec *hs;

        /* A bad host or option is this command's error, before forking. */
        check.spec = host;
        if ( xenmm_host_args_add_xen(&check, "run", xen) ||
             !(hs = xenmm_load_host(&check)) )
        {
            rc = EXIT_FAILURE;
            goto out;
        }
        hostspec_free(hs);
        if ( snprintf(sock, sizeof(sock), "%s/xenmmd.sock", dir) >=
             (int)sizeof(sock) )
        {
            rc = xenmm_fail("%s: too long for a socket path (set TMPDIR)",
                            dir);
            goto out;
        }
        snprintf(log, sizeof(log), "%s/xenmmd.log", dir);
        xenmmd = run_spawn_xenmmd(&o, sock, log, host, xen, why, sizeof(why));
        if ( xenmmd < 0 )
        {
            rc = run_interrupted ? 128 + SIGINT : xenmm_fail("%s", why);
            goto out;
        }
    }
    if ( o.xenstored_dir )
        snprintf(xs_dir, sizeof(xs_dir), "%s", o.xenstored_dir);
    else
    {
        snprintf(xs_dir, sizeof(xs_dir), "%s/xenstored", dir);
        snprintf(xs_log, sizeof(xs_log), "%s/xenstored.log", dir);
        xenstored = run_spawn_xenstored(&o, sock, xs_dir, xs_log, why,
                                        sizeof(why));
        if ( xenstored < 0 )
        {
            rc = run_interrupted ? 128 + SIGINT : xenmm_fail("%s", why);
            goto out;
        }
    }

    targv[tn++] = toolstack;
    targv[tn++] = "--logdir";
    targv[tn++] = dir;
    if ( o.json )
        targv[tn++] = "--json";
    if ( o.parallel )
    {
        targv[tn++] = "--parallel";
        targv[tn++] = (char *)o.parallel;
    }
    if ( o.xenguest )
    {
        targv[tn++] = "--xenguest";
        targv[tn++] = (char *)o.xenguest;
    }
    if ( o.progress )
    {
        targv[tn++] = "--progress";
        targv[tn++] = (char *)o.progress;
    }
    if ( o.scenario )
        targv[tn++] = scenario;
    targv[tn] = NULL;
    ts = run_interrupted ? -1
         : run_spawn_toolstack(targv, sock, xs_dir, why, sizeof(why));
    if ( ts < 0 )
        rc = run_interrupted ? 128 + SIGINT : xenmm_fail("%s", why);
    else
        rc = run_wait(ts);

 out:
    if ( o.keep && (xenmmd > 0 || xenstored > 0) )
    {
        fprintf(stderr, "xenmm run: kept in %s:", dir);
        if ( xenmmd > 0 )
            fprintf(stderr, " xenmmd (pid %d, socket %s)", (int)xenmmd, sock);
        if ( xenstored > 0 )
            fprintf(stderr, " xenstored (pid %d, XENSTORED_RUNDIR=%s)",
                    (int)xenstored, xs_dir);
        fprintf(stderr, "\nxenmm run: stop them with:");
        if ( xenstored > 0 )
            fprintf(stderr, " kill %d;", (int)xenstored);
        if ( xenmmd > 0 )
            fprintf(stderr, " xenmm daemon stop --socket %s;", sock);
        fprintf(stderr, " rm -r %s\n", dir);
        return rc;
    }
    run_stop_pid(xenstored, "xenstored", 0);
    run_stop_pid(xenmmd, "xenmmd", 0);
    if ( dir[0] && !(o.use_daemon && o.keep) )
        rm_rf(dir);
    if ( run_interrupted )
    {
        fprintf(stderr, "xenmm run: interrupted (%s); everything it started "
                "is stopped\n", strsignal(run_interrupted));
        return 128 + SIGINT;
    }
    return rc;
}
