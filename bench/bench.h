/*
 * bench.h - shared helpers of xenmm-bench (bench/main.c and the
 * bench/bench_*.c bench_workloads).
 *
 * Output: one CSV table for the whole run, header first
 *   workload,case,metric,unit,best,median,runs,goal
 * "best" is the minimum for times and the maximum for rates (unit ending in
 * "/s"); single measurements have runs 1 and best == median.  Human lines
 * start with "# ", so `grep -v '^#'` leaves plain CSV.  Timings are never
 * asserted: only state checks (host_check) and setup failures make the
 * program exit non-zero.
 */
#ifndef XENMM_BENCH_H
#define XENMM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define BENCH_MAX_RUNS 15

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Measured repetitions per figure (-r), 3..BENCH_MAX_RUNS, default 5. */
extern unsigned int bench_runs;

/* One figure measured bench_runs times. */
struct bench_stats {
    double v[BENCH_MAX_RUNS];
    unsigned int n;
};

uint64_t bench_now_ns(void);
void bench_stats_add(struct bench_stats *s, double v);
double bench_stats_min(const struct bench_stats *s);
double bench_stats_max(const struct bench_stats *s);
double bench_stats_median(const struct bench_stats *s);

/* A CSV row; higher_better picks max as "best".  goal may be "". */
void bench_row(const char *workload, const char *cas, const char *metric,
               const char *unit, const struct bench_stats *s,
               bool higher_better, const char *goal);
/* A CSV row for a single measurement. */
void bench_value(const char *workload, const char *cas, const char *metric,
                 const char *unit, double v, const char *goal);
/* A human line ("# " prefixed), printf-style. */
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Clean boot, no idle scrubber: { "bootscrub=off", "scrub_threads=0" }. */
extern const char *const bench_quiet_opts[];

/*
 * Boot a preset with Xen options (NULL-terminated list), e.g.
 * { "bootscrub=off", "scrub_threads=0", NULL }.  NULL (with a message) on
 * failure.  bench_load_spec only loads; the caller boots and frees.
 */
struct hostspec *bench_load_spec(const char *preset, const char *const *opts);
struct host *bench_boot(const char *preset, const char *const *opts);

/* host_check(); prints "check ... ok" or "FAIL ...".  0 if clean. */
int bench_check(struct host *h, const char *workload, const char *cas);

/*
 * Resident bytes of the mapping (VMA) holding addr, from /proc/self/smaps;
 * the shared zero page is not counted.  The kernel may have merged the
 * mapping with an adjacent anonymous one (the frame table with the dirty
 * bitmap).  0 if not found.
 */
uint64_t bench_vma_rss(const void *addr);

/* Keep the compiler from dropping stores to p (memset before free). */
static inline void bench_clobber(void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

/* splitmix64: the fixed-seed PRNG of the random bench_workloads. */
static inline uint64_t bench_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The bench_workloads: 0 on success, non-zero if a check or a setup failed. */
int bench_boot_run(void);
int bench_bulk_run(void);
int bench_rand_run(void);
int bench_frameram_run(void);
int bench_scrub_run(void);
int bench_populate_run(void);

#endif /* XENMM_BENCH_H */
