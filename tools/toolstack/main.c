/*
 * main.c - xenmm-toolstack: start a scenario's VMs as a XenServer host's
 * toolstack would, and report where their memory went.
 *
 *   xenmm-toolstack [--json] [--parallel N] [--progress auto|plain|none]
 *                   [--xenguest PATH] [--hvmloader PATH] [--logdir DIR]
 *                   [SCENARIO]
 *   xenmm-toolstack --describe [SCENARIO]   what xenmmd must boot
 *   xenmm-toolstack --print-default         the built-in scenario
 *
 * `xenmm run` starts xenmmd and xenstored and runs this program against
 * them (docs/scenarios.md); it can also be run by hand with XENMM_SOCKET
 * and XENSTORED_RUNDIR set.  The VMs are started by --parallel worker
 * threads in scenario order; each start is domain.c's.  SIGINT or SIGTERM
 * stops the workers (a running xenguest is killed), destroys every domain
 * this run created and exits 130.
 *
 * Exit status: 0 when the scenario ran (a VM that could not start is a
 * result, reported as such), 1 on errors, 2 on usage errors, 130 when
 * interrupted.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "toolstack.h"

volatile sig_atomic_t ts_interrupted;
static int cancel_fd = -1;

static void on_signal(int sig)
{
    ssize_t rc;

    (void)sig;
    ts_interrupted = 1;
    rc = write(cancel_fd, "x", 1);
    (void)rc;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: xenmm-toolstack [options] [SCENARIO]\n"
        "       xenmm-toolstack --describe [SCENARIO]\n"
        "       xenmm-toolstack --print-default\n\n"
        "Start a scenario's VMs as xenopsd and XenServer's xenguest do, on the\n"
        "Xen that the Xen libraries reach (xenmmd), and report where their\n"
        "memory went.  Without SCENARIO: the built-in default.\n"
        "  -j, --json            the report as JSON\n"
        "  -p, --parallel N      builds at a time (default: the scenario's)\n"
        "  -P, --progress MODE   auto (a status line on a terminal), plain\n"
        "                        (a line per phase), none\n"
        "      --xenguest PATH   (default: xenguest beside this program)\n"
        "      --hvmloader PATH  (default: deps/.../boot/hvmloader)\n"
        "      --logdir DIR      xenguest logs (default: $TMPDIR or /tmp)\n"
        "      --describe        print host=, xen= for xenmmd and exit\n"
        "      --print-default   print the built-in scenario and exit\n");
}

/* <dir of this program>/rel, resolved; NULL if it does not exist. */
static char *beside_self(const char *rel)
{
    char self[PATH_MAX], path[PATH_MAX * 2], *real;
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    if ( n <= 0 )
        return NULL;
    self[n] = '\0';
    snprintf(path, sizeof(path), "%s/%s", dirname(self), rel);
    real = realpath(path, NULL);
    return real;
}

/* Console ring for debug key 'D' over every HAP guest (docs/scenarios.md). */
static unsigned long conring_bytes(const struct scenario *sc)
{
    unsigned long bytes = 64 << 10, size = 1 << 20;

    for ( unsigned int i = 0; i < sc->nr_vms; i++ )
        if ( sc->vms[i].type != VM_PV )
            bytes += 64 * (2560 + sc->vms[i].maxmem / 1024);
    while ( size < bytes )
        size <<= 1;
    return size;
}

static int describe(const struct scenario *sc)
{
    printf("host=%s\n", sc->host);
    printf("xen=conring_size=%luK%s%s\n", conring_bytes(sc) >> 10,
           sc->xen ? " " : "", sc->xen ? sc->xen : "");
    return 0;
}

/* Everything that can be checked before a domain exists. */
static int validate(struct run *r, char *err, size_t errlen)
{
    uint8_t map[TS_MAX_CPUS / 8];
    bool hvm = false;

    if ( access(r->xenguest, X_OK) )
        return snprintf(err, errlen, "xenguest %s: %s", r->xenguest,
                        strerror(errno)), -1;
    for ( unsigned int i = 0; i < r->sc->nr_vms; i++ )
    {
        const struct vm_spec *s = &r->sc->vms[i];

        hvm |= s->type == VM_HVM;
        if ( s->cpus && cpus_parse(s->cpus, &r->topo, map, err, errlen) )
        {
            char tmp[TS_ERR];

            snprintf(tmp, sizeof(tmp), "%s", err);
            return snprintf(err, errlen, "%s: %.400s", s->name, tmp), -1;
        }
        if ( s->node >= (int)r->topo.nr_nodes )
            return snprintf(err, errlen, "%s: node=%d, but the host has %u "
                            "nodes", s->name, s->node, r->topo.nr_nodes), -1;
        if ( s->kernel && access(s->kernel, R_OK) )
            return snprintf(err, errlen, "%s: kernel %s: %s", s->name,
                            s->kernel, strerror(errno)), -1;
        if ( s->ramdisk && access(s->ramdisk, R_OK) )
            return snprintf(err, errlen, "%s: ramdisk %s: %s", s->name,
                            s->ramdisk, strerror(errno)), -1;
    }
    if ( hvm && (!r->hvmloader || access(r->hvmloader, R_OK)) )
        return snprintf(err, errlen, "hvmloader %s: %s (run ./setup.sh "
                        "--deps-only)", r->hvmloader ? r->hvmloader
                        : "(not found)", strerror(errno)), -1;
    return 0;
}

static unsigned int next_vm;

static void *worker(void *arg)
{
    struct run *r = arg;

    for ( ; ; )
    {
        unsigned int i = __atomic_fetch_add(&next_vm, 1, __ATOMIC_SEQ_CST);
        struct vm_run *v;
        int rc;

        if ( i >= r->sc->nr_vms || ts_interrupted )
            return NULL;
        v = &r->vms[i];
        pthread_mutex_lock(&r->lock);
        v->result = VM_BUILDING;
        v->started = ts_now();
        pthread_mutex_unlock(&r->lock);
        rc = vm_start(r, v);
        pthread_mutex_lock(&r->lock);
        v->total_s = ts_now() - v->started;
        v->result = rc == 0 ? VM_OK
                    : ts_interrupted ? VM_CANCELLED : VM_FAILED;
        pthread_mutex_unlock(&r->lock);
    }
}

static int run_scenario(struct run *r, bool json, enum progress_mode pm)
{
    pthread_t threads[TS_MAX_VMS];
    unsigned int nthreads = 0;
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    char err[TS_ERR];
    int rc = 1;

    if ( !xch )
    {
        fprintf(stderr, "xenmm-toolstack: cannot open libxenctrl\n");
        return 1;
    }
    if ( topology_init(xch, &r->topo, err, sizeof(err)) ||
         validate(r, err, sizeof(err)) )
    {
        fprintf(stderr, "xenmm-toolstack: %s\n", err);
        goto out;
    }
    for ( unsigned int i = 0; i < r->sc->nr_vms; i++ )
    {
        r->vms[i].spec = &r->sc->vms[i];
        r->vms[i].domid = -1;
        r->vms[i].pl.node = r->vms[i].pl.claim_node = -1;
    }
    observe_host(r, xch, &r->before);
    r->started = ts_now();
    progress_start(r, pm);
    for ( ; nthreads < r->parallel && nthreads < r->sc->nr_vms; nthreads++ )
        if ( pthread_create(&threads[nthreads], NULL, worker, r) )
            break;
    for ( unsigned int i = 0; i < nthreads; i++ )
        pthread_join(threads[i], NULL);
    r->elapsed = ts_now() - r->started;
    progress_stop();

    if ( ts_interrupted )
    {
        unsigned int n = 0;

        for ( unsigned int i = 0; i < r->sc->nr_vms; i++ )
        {
            if ( r->vms[i].domid > 0 && !r->vms[i].destroyed )
                vm_destroy(r, &r->vms[i]);
            n += r->vms[i].domid > 0 && r->vms[i].destroyed;
        }
        fprintf(stderr, "xenmm-toolstack: interrupted; %u domain%s "
                "destroyed\n", n, n == 1 ? "" : "s");
        rc = 130;
        goto out;
    }
    observe_vms(r, xch);
    observe_host(r, xch, &r->after);
    if ( json )
        rc = report_json(r, stdout) ? 1 : 0;
    else
    {
        report_text(r, stdout);
        rc = 0;
    }
 out:
    topology_free(&r->topo);
    xc_interface_close(xch);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "parallel", required_argument, NULL, 'p' },
        { "progress", required_argument, NULL, 'P' },
        { "xenguest", required_argument, NULL, 'X' },
        { "hvmloader", required_argument, NULL, 'L' },
        { "logdir", required_argument, NULL, 'l' },
        { "describe", no_argument, NULL, 'd' },
        { "print-default", no_argument, NULL, 'D' },
        { "guest-e820", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static struct run r;
    const char *progress = "auto";
    bool json = false, desc = false;
    enum progress_mode pm;
    char err[TS_ERR];
    int c, rc, parallel = 0;

    while ( (c = getopt_long(argc, argv, "jp:P:h", opts, NULL)) != -1 )
        switch ( c )
        {
        case 'j': json = true; break;
        case 'p':
            parallel = atoi(optarg);
            if ( parallel < 1 || parallel > TS_MAX_VMS )
            {
                fprintf(stderr, "xenmm-toolstack: --parallel 1 to %d\n",
                        TS_MAX_VMS);
                return 2;
            }
            break;
        case 'P': progress = optarg; break;
        case 'X': r.xenguest = optarg; break;
        case 'L': r.hvmloader = optarg; break;
        case 'l': r.logdir = optarg; break;
        case 'd': desc = true; break;
        case 'D': fputs(scenario_default_text(), stdout); return 0;
        case 'e': return guest_e820_main(atoi(optarg));
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    if ( argc - optind > 1 )
    {
        usage(stderr);
        return 2;
    }
    if ( !strcmp(progress, "plain") )
        pm = PROGRESS_PLAIN;
    else if ( !strcmp(progress, "none") )
        pm = PROGRESS_NONE;
    else if ( !strcmp(progress, "auto") || !strcmp(progress, "tty") )
        pm = isatty(2) || !strcmp(progress, "tty") ? PROGRESS_TTY
                                                   : PROGRESS_NONE;
    else
    {
        fprintf(stderr, "xenmm-toolstack: --progress auto, plain or none\n");
        return 2;
    }
    r.sc = scenario_load(optind < argc ? argv[optind] : NULL, err,
                         sizeof(err));
    if ( !r.sc )
    {
        fprintf(stderr, "xenmm-toolstack: %s\n", err);
        return 1;
    }
    if ( desc )
    {
        rc = describe(r.sc);
        scenario_free(r.sc);
        return rc;
    }
    r.parallel = parallel ? (unsigned int)parallel : r.sc->parallel;
    if ( !r.xenguest )
        r.xenguest = beside_self("xenguest");
    if ( !r.hvmloader )
        r.hvmloader = beside_self("../../deps/xen-utils-4.17/usr/lib/"
                                  "xen-4.17/boot/hvmloader");
    r.self = beside_self("xenmm-toolstack");
    if ( !r.logdir )
        r.logdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    if ( !r.xenguest || !r.self )
    {
        fprintf(stderr, "xenmm-toolstack: cannot find xenguest beside this "
                "program (or give --xenguest)\n");
        scenario_free(r.sc);
        return 1;
    }
    srandom(time(NULL) ^ getpid());
    pthread_mutex_init(&r.lock, NULL);
    if ( pipe2(r.cancel_pipe, O_CLOEXEC) )
    {
        perror("pipe");
        return 1;
    }
    cancel_fd = r.cancel_pipe[1];
    {
        struct sigaction sa = { .sa_handler = on_signal };

        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
    }
    rc = run_scenario(&r, json, pm);
    scenario_free(r.sc);
    return rc;
}
