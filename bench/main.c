/*
 * main.c - xenmm-bench: run workloads by name and print their figures.
 *
 *   xenmm-bench [-r RUNS] WORKLOAD...   WORKLOAD: all boot bulk rand
 *                                       frameram scrub
 *
 * docs/benchmarks.md describes every figure and its goal.  The helpers the
 * workloads share (bench.h) live here too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

unsigned int bench_runs = 5;
const char *const bench_quiet_opts[] = {
    "bootscrub=off", "scrub_threads=0", NULL
};

/* ------------------------------------------------------------------ */
/* Timing and statistics.                                              */

uint64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void bench_stats_add(struct bench_stats *s, double v)
{
    if ( s->n < BENCH_MAX_RUNS )
        s->v[s->n++] = v;
}

double bench_stats_min(const struct bench_stats *s)
{
    double m = s->n ? s->v[0] : 0;

    for ( unsigned int i = 1; i < s->n; i++ )
        if ( s->v[i] < m )
            m = s->v[i];
    return m;
}

double bench_stats_max(const struct bench_stats *s)
{
    double m = s->n ? s->v[0] : 0;

    for ( unsigned int i = 1; i < s->n; i++ )
        if ( s->v[i] > m )
            m = s->v[i];
    return m;
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

double bench_stats_median(const struct bench_stats *s)
{
    double v[BENCH_MAX_RUNS];

    if ( !s->n )
        return 0;
    memcpy(v, s->v, s->n * sizeof(v[0]));
    qsort(v, s->n, sizeof(v[0]), bench_cmp_double);
    return s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

/* ------------------------------------------------------------------ */
/* Output.                                                             */

static void bench_print_num(double v)
{
    if ( v > -1e15 && v < 1e15 && v == (double)(long long)v )
        printf("%.0f", v);
    else if ( v >= 100 || v <= -100 )
        printf("%.1f", v);
    else
        printf("%.4g", v);
}

void bench_row(const char *workload, const char *cas, const char *metric,
               const char *unit, const struct bench_stats *s,
               bool higher_better, const char *goal)
{
    printf("%s,%s,%s,%s,", workload, cas, metric, unit);
    bench_print_num(higher_better ? bench_stats_max(s) : bench_stats_min(s));
    putchar(',');
    bench_print_num(bench_stats_median(s));
    printf(",%u,%s\n", s->n, goal ? goal : "");
    fflush(stdout);
}

void bench_value(const char *workload, const char *cas, const char *metric,
                 const char *unit, double v, const char *goal)
{
    struct bench_stats s = { { v }, 1 };

    bench_row(workload, cas, metric, unit, &s, false, goal);
}

void bench_note(const char *fmt, ...)
{
    va_list ap;

    fputs("# ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Hosts.                                                              */

struct hostspec *bench_load_spec(const char *preset, const char *const *opts)
{
    struct hostspec *hs = hostspec_alloc();
    char err[256];

    if ( !hs )
    {
        bench_note("FAIL: out of memory for a hostspec");
        return NULL;
    }
    if ( hostspec_load_preset(preset, hs, err, sizeof(err)) )
    {
        bench_note("FAIL: preset %s: %s", preset, err);
        hostspec_free(hs);
        return NULL;
    }
    for ( ; opts && *opts; opts++ )
        if ( hostspec_set_xen_opt(hs, *opts, err, sizeof(err)) )
        {
            bench_note("FAIL: preset %s, option %s: %s", preset, *opts, err);
            hostspec_free(hs);
            return NULL;
        }
    return hs;
}

struct host *bench_boot(const char *preset, const char *const *opts)
{
    struct hostspec *hs = bench_load_spec(preset, opts);
    struct host *h = NULL;
    char err[256];
    int rc;

    if ( !hs )
        return NULL;
    rc = host_boot(hs, &h, err, sizeof(err));
    hostspec_free(hs);
    if ( rc )
    {
        bench_note("FAIL: host_boot(%s): %d %s", preset, rc, err);
        return NULL;
    }
    return h;
}

int bench_check(struct host *h, const char *workload, const char *cas)
{
    char buf[2048];
    unsigned long n = host_check(h, buf, sizeof(buf));

    if ( !n )
    {
        bench_note("%s %s: host_check ok", workload, cas);
        return 0;
    }
    printf("# FAIL: %s %s: host_check found %lu violations:\n", workload,
           cas, n);
    for ( char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n") )
        printf("#   %s\n", line);
    fflush(stdout);
    return 1;
}

uint64_t bench_vma_rss(const void *addr)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    unsigned long a = (unsigned long)addr, kb;
    bool in_vma = false;
    uint64_t rss = 0;
    char line[512];

    if ( !f )
        return 0;
    while ( fgets(line, sizeof(line), f) )
    {
        unsigned long start, end;
        char perms[8];

        /* A VMA line is "start-end perms ...", a field line "Name: ...". */
        if ( sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 &&
             strlen(perms) == 4 )
        {
            if ( in_vma )
                break;
            in_vma = start <= a && a < end;
        }
        else if ( in_vma && sscanf(line, "Rss: %lu kB", &kb) == 1 )
        {
            rss = (uint64_t)kb << 10;
            break;
        }
    }
    fclose(f);
    return rss;
}

/* ------------------------------------------------------------------ */
/* Dispatch.                                                           */

static const struct {
    const char *name;
    int (*run)(void);
    const char *what;
} bench_workloads[] = {
    { "boot", bench_boot_run, "host_boot of xs-12t and 16t, RSS after boot" },
    { "bulk", bench_bulk_run, "allocate N blocks of one order, free them" },
    { "rand", bench_rand_run, "random orders, interleaved allocs and frees" },
    { "frameram", bench_frameram_run, "frame-table RSS per 4K page split" },
    { "scrub", bench_scrub_run, "scrub_pages bandwidth vs memset" },
    { "populate", bench_populate_run, "populate_physmap 4K/2M rates, 1 TiB HVM build" },
};
#define BENCH_NR_WORKLOADS ARRAY_SIZE(bench_workloads)

static void bench_usage(FILE *f)
{
    fprintf(f, "usage: xenmm-bench [-r RUNS] WORKLOAD...\n");
    fprintf(f, "  -r RUNS   measured repetitions per figure (3..%d, default 5)\n",
            BENCH_MAX_RUNS);
    fprintf(f, "workloads:\n");
    fprintf(f, "  all       every workload below, in order\n");
    for ( unsigned int i = 0; i < BENCH_NR_WORKLOADS; i++ )
        fprintf(f, "  %-9s %s\n", bench_workloads[i].name,
                bench_workloads[i].what);
}

int main(int argc, char **argv)
{
    bool want[BENCH_NR_WORKLOADS] = { false }, any = false;
    unsigned int i;
    int opt, failed = 0;

    while ( (opt = getopt(argc, argv, "hr:")) != -1 )
    {
        switch ( opt )
        {
        case 'r':
            bench_runs = (unsigned int)strtoul(optarg, NULL, 10);
            if ( bench_runs < 3 || bench_runs > BENCH_MAX_RUNS )
            {
                fprintf(stderr, "xenmm-bench: -r takes 3..%d\n",
                        BENCH_MAX_RUNS);
                return 2;
            }
            break;
        case 'h':
            bench_usage(stdout);
            return 0;
        default:
            bench_usage(stderr);
            return 2;
        }
    }
    for ( ; optind < argc; optind++ )
    {
        bool found = false;

        for ( i = 0; i < BENCH_NR_WORKLOADS; i++ )
            if ( !strcmp(argv[optind], "all") ||
                 !strcmp(argv[optind], bench_workloads[i].name) )
            {
                want[i] = true;
                found = any = true;
            }
        if ( !found )
        {
            fprintf(stderr, "xenmm-bench: unknown workload \"%s\"\n",
                    argv[optind]);
            bench_usage(stderr);
            return 2;
        }
    }
    if ( !any )
    {
        bench_usage(stderr);
        return 2;
    }

    bench_note("xenmm-bench: %u runs per figure, %ld CPUs online", bench_runs,
               sysconf(_SC_NPROCESSORS_ONLN));
    bench_note("best = min for times, max for rates (units ending in /s)");
    printf("workload,case,metric,unit,best,median,runs,goal\n");
    for ( i = 0; i < BENCH_NR_WORKLOADS; i++ )
    {
        if ( !want[i] )
            continue;
        bench_note("==== %s: %s", bench_workloads[i].name,
                   bench_workloads[i].what);
        if ( bench_workloads[i].run() )
        {
            bench_note("FAIL: workload %s", bench_workloads[i].name);
            failed++;
        }
    }
    if ( failed )
        bench_note("%d workload(s) FAILED a state check or setup", failed);
    return failed ? 1 : 0;
}
