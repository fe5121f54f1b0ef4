/*
 * xc_bench.c - hypercall round trips through Debian's libxenctrl and the
 * drop-in libxencall, to whichever hypervisor the environment names
 * (XENMM_SOCKET: xenmmd; XENMM_INPROCESS: the core in this process).
 *
 * Built against Debian's headers and linked with Debian's -lxenctrl only,
 * like tests/debian.  bench/debian/xc_roundtrip.sh runs it; see
 * docs/benchmarks.md.
 *
 *   xc_bench [-n CALLS] [-w WARMUP]
 *
 * For each case, CALLS calls are timed one by one with
 * clock_gettime(CLOCK_MONOTONIC) after WARMUP untimed ones; the output is
 * one CSV line per case:
 *
 *   case,calls,min_us,median_us,p90_us,p99_us,mean_us
 *
 * Cases: version = xc_version(XENVER_version) (one xencall2, no buffer);
 * getinfo = xc_domain_getinfo(dom0) (XEN_DOMCTL_getdomaininfo: a 144-byte
 * domctl in a cached hypercall buffer, copied back); getinfolist =
 * xc_domain_getinfolist(0, 1) (XEN_SYSCTL_getdomaininfolist with a bounce
 * buffer); maxgpfn = xc_domain_maximum_gpfn(dom0) (XENMEM_maximum_gpfn,
 * which libxenctrl wraps in a one-entry multicall).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xentoollog.h>

static xc_interface *xch;

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int op_version(void)
{
    return xc_version(xch, XENVER_version, NULL) == (4 << 16 | 17) ? 0 : -1;
}

static int op_getinfo(void)
{
    xc_dominfo_t info;

    return xc_domain_getinfo(xch, 0, 1, &info) == 1 && info.domid == 0
           ? 0 : -1;
}

static int op_getinfolist(void)
{
    xc_domaininfo_t info;

    return xc_domain_getinfolist(xch, 0, 1, &info) == 1 ? 0 : -1;
}

static int op_maxgpfn(void)
{
    xen_pfn_t gpfn;

    return xc_domain_maximum_gpfn(xch, 0, &gpfn) < 0 ? -1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int run(const char *name, int (*op)(void), unsigned long n,
               unsigned long warmup)
{
    double *t = malloc(n * sizeof(*t)), sum = 0;
    unsigned long i;

    if ( !t )
        return -1;
    for ( i = 0; i < warmup; i++ )
        if ( op() )
            goto fail;
    for ( i = 0; i < n; i++ )
    {
        double t0 = now_us();

        if ( op() )
            goto fail;
        t[i] = now_us() - t0;
        sum += t[i];
    }
    qsort(t, n, sizeof(*t), cmp_double);
    printf("%s,%lu,%.2f,%.2f,%.2f,%.2f,%.2f\n", name, n, t[0], t[n / 2],
           t[n * 9 / 10], t[n * 99 / 100], sum / n);
    free(t);
    return 0;
 fail:
    fprintf(stderr, "xc_bench: %s failed: %s\n", name, strerror(errno));
    free(t);
    return -1;
}

int main(int argc, char **argv)
{
    unsigned long n = 100000, warmup = 1000;
    xentoollog_logger_stdiostream *log;
    int c, rc = 0;

    while ( (c = getopt(argc, argv, "n:w:")) != -1 )
        switch ( c )
        {
        case 'n': n = strtoul(optarg, NULL, 0); break;
        case 'w': warmup = strtoul(optarg, NULL, 0); break;
        default:
            fprintf(stderr, "usage: xc_bench [-n CALLS] [-w WARMUP]\n");
            return 2;
        }
    if ( n < 10 )
        n = 10;
    log = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
    xch = xc_interface_open((xentoollog_logger *)log, NULL, 0);
    if ( !xch )
    {
        fprintf(stderr, "xc_bench: xc_interface_open: %s\n", strerror(errno));
        return 1;
    }
    printf("case,calls,min_us,median_us,p90_us,p99_us,mean_us\n");
    rc |= run("version", op_version, n, warmup);
    rc |= run("getinfo", op_getinfo, n, warmup);
    rc |= run("getinfolist", op_getinfolist, n, warmup);
    rc |= run("maxgpfn", op_maxgpfn, n, warmup);
    xc_interface_close(xch);
    xtl_logger_destroy((xentoollog_logger *)log);
    return rc ? 1 : 0;
}
