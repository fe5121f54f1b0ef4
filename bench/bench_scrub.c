/*
 * bench_scrub.c - the "scrub" workload: scrub_pages bandwidth against a
 * plain memset on this machine, in the same run.
 *
 * On the laptop preset (bootscrub=off, no scrubber threads) we take a
 * 1 GiB block (order 18) from the heap, make (part of) it resident by
 * writing every page through mfn_to_virt, and time scrub_pages over it in
 * calls of 4K, 1 MiB, 2 MiB and 1 GiB.  scrub_pages memsets written runs
 * shorter than 2 MiB and punches holes (fallocate) into longer ones, so
 * the 4K and 1 MiB calls measure the memset regime and the others the
 * hole-punch regime.  A call costs O(resident bytes after it): the
 * SEEK_HOLE in os_ram_next_data walks to the end of the resident run.  So
 * the small-call regimes are also measured on smaller regions (64 KiB to
 * 64 MiB), and the slowest cases get at most 3 runs.
 *
 * Before every run the region is re-faulted (one write per page).  After
 * a hole punch that re-fault is where the kernel zeroes the pages, so its
 * time is reported too ("refault_after").  Every run checks that the
 * region reads zero afterwards.
 *
 * The reference is memset(0) over a malloc'd, prefaulted 1 GiB buffer
 * (and, for information, over the RAM memfd mapping itself).  Goal: scrub
 * >= 90% of memset bandwidth.  GB/s are 10^9 bytes/s.
 *
 * Last, a second 1 GiB block that nobody ever wrote is scrubbed: RSS must
 * not change (scrub_pages skips holes with SEEK_DATA).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define BENCH_SCRUB_ORDER 18                            /* 1 GiB */
#define BENCH_SCRUB_PAGES (1UL << BENCH_SCRUB_ORDER)
#define BENCH_SCRUB_BYTES (BENCH_SCRUB_PAGES << PAGE_SHIFT)

/* The scrub_pages regimes: calls of chunk pages over region pages. */
static const struct {
    unsigned long chunk, region;
    unsigned int max_runs;      /* the quadratic cases are slow */
    const char *cas;
} bench_scrub_cases[] = {
    { 1, 16, BENCH_MAX_RUNS, "resident 64KiB in 4K calls" },
    { 1, 1024, BENCH_MAX_RUNS, "resident 4MiB in 4K calls" },
    { 1, 4096, 3, "resident 16MiB in 4K calls" },
    { 256, 16384, BENCH_MAX_RUNS, "resident 64MiB in 1M calls" },
    { 256, BENCH_SCRUB_PAGES, 3, "resident 1GiB in 1M calls" },
    { 512, BENCH_SCRUB_PAGES, BENCH_MAX_RUNS, "resident 1GiB in 2M calls" },
    { BENCH_SCRUB_PAGES, BENCH_SCRUB_PAGES, BENCH_MAX_RUNS,
      "resident 1GiB in 1 call" },
};

/* Write one byte in every page, so the range is resident.  Time in ms. */
static double bench_fault_in(uint8_t *p, size_t bytes, uint8_t val)
{
    uint64_t t0 = bench_now_ns();

    for ( size_t off = 0; off < bytes; off += PAGE_SIZE )
        ((volatile uint8_t *)p)[off] = val;
    return (double)(bench_now_ns() - t0) / 1e6;
}

/*
 * Do the scrubbed pages read zero?  Resident pages are read; a range with
 * no data at all is not (reading a hole of the memfd would allocate it).
 */
static bool bench_scrubbed_clean(struct host *h, mfn_t mfn,
                                 unsigned long pages)
{
    const uint8_t *p = mfn_to_virt(h, mfn);
    uint64_t s = mfn_x(mfn) << PAGE_SHIFT, re;
    size_t bytes = pages << PAGE_SHIFT;

    if ( !os_ram_next_data(&h->ram, &s, s + bytes, &re) )
        return true;
    for ( size_t off = 0; off < bytes; off += 64 )
        if ( p[off] )
            return false;
    return true;
}

/*
 * Scrub the first region pages of the block at mfn in calls of chunk
 * pages, with only that region resident; runs times after a warm-up.
 */
static int bench_scrub_case(struct host *h, mfn_t mfn, unsigned long chunk,
                            unsigned long region, unsigned int runs,
                            const char *cas, double memset_gbps)
{
    struct bench_stats sbw = { { 0 }, 0 }, sref = { { 0 }, 0 };
    struct bench_stats scall = { { 0 }, 0 };
    size_t bytes = region << PAGE_SHIFT;
    uint8_t *p = mfn_to_virt(h, mfn);
    double calls = (double)(region / chunk), ratio;
    char goal[32];
    int rc = 0;

    /* Nothing resident in the block but the region. */
    scrub_pages(h, mfn, BENCH_SCRUB_PAGES);
    for ( unsigned int r = 0; r <= runs; r++ )
    {
        double refault = bench_fault_in(p, bytes, (uint8_t)(r + 1));
        uint64_t t0, t1;

        if ( r )
            bench_stats_add(&sref, refault);
        t0 = bench_now_ns();
        for ( unsigned long i = 0; i < region; i += chunk )
            scrub_pages(h, mfn_add(mfn, i), chunk);
        t1 = bench_now_ns();
        if ( r )                /* run 0 warms up */
        {
            bench_stats_add(&sbw, (double)bytes / (double)(t1 - t0));
            bench_stats_add(&scall, (double)(t1 - t0) / 1e3 / calls);
        }
        if ( !bench_scrubbed_clean(h, mfn, region) )
        {
            bench_note("FAIL: scrub %s: scrubbed memory does not read zero",
                       cas);
            rc = 1;
        }
    }
    /* The re-fault after the last run pays for the last scrub. */
    bench_stats_add(&sref, bench_fault_in(p, bytes, 0xee));
    ratio = 100 * bench_stats_max(&sbw) / memset_gbps;
    snprintf(goal, sizeof(goal), ">=%.1f GB/s (90%%)", 0.9 * memset_gbps);
    bench_row("scrub", cas, "scrub_pages", "GB/s", &sbw, true, goal);
    bench_value("scrub", cas, "vs_memset", "%", ratio, ">=90 %");
    bench_row("scrub", cas, "per_call", "us", &scall, false, "");
    bench_row("scrub", cas, "refault_after", "ms", &sref, false, "");
    bench_note("scrub %s: %.2f GB/s best (%.1f%% of memset), median %.2f; %.1f us per call; re-fault after: %.1f ms",
               cas, bench_stats_max(&sbw), ratio, bench_stats_median(&sbw),
               bench_stats_min(&scall), bench_stats_median(&sref));
    return rc;
}

/*
 * memset(0) over a 1 GiB buffer, prefaulted and written with non-zero
 * bytes before every run, as the scrub cases are: zeroing memory that is
 * already zero runs about twice as fast on some CPUs and is no baseline.
 */
static double bench_memset_bw(uint8_t *buf, const char *cas)
{
    struct bench_stats s = { { 0 }, 0 };

    for ( unsigned int r = 0; r <= bench_runs; r++ )
    {
        uint64_t t0, t1;

        bench_fault_in(buf, BENCH_SCRUB_BYTES, (uint8_t)(r + 1));
        t0 = bench_now_ns();

        memset(buf, 0, BENCH_SCRUB_BYTES);
        bench_clobber(buf);
        t1 = bench_now_ns();
        if ( r )
            bench_stats_add(&s, (double)BENCH_SCRUB_BYTES / (double)(t1 - t0));
    }
    bench_row("scrub", cas, "memset", "GB/s", &s, true, "");
    return bench_stats_max(&s);
}

/*
 * Scrubbing never-written RAM must not make it resident.  The RSS delta is
 * the figure (process-wide, so a sanitizer's own allocations show up in
 * it); the check is that the block still has no data in the memfd.
 */
static int bench_scrub_untouched(struct host *h, mfn_t mfn)
{
    static const unsigned long chunks[] = { 1, 512, BENCH_SCRUB_PAGES };
    static const char *const names[] = { "4K calls", "2M calls", "1 call" };
    uint64_t s = mfn_x(mfn) << PAGE_SHIFT, re;
    int rc = 0;

    for ( unsigned int c = 0; c < ARRAY_SIZE(chunks); c++ )
    {
        uint64_t rss0, rss1, t0, t1;
        char cas[48];

        snprintf(cas, sizeof(cas), "untouched 1GiB in %s", names[c]);
        rss0 = os_rss_bytes();
        t0 = bench_now_ns();
        for ( unsigned long i = 0; i < BENCH_SCRUB_PAGES; i += chunks[c] )
            scrub_pages(h, mfn_add(mfn, i), chunks[c]);
        t1 = bench_now_ns();
        rss1 = os_rss_bytes();
        bench_value("scrub", cas, "rss_delta", "KiB",
                    ((double)rss1 - (double)rss0) / 1024, "0");
        bench_value("scrub", cas, "time", "ms", (double)(t1 - t0) / 1e6, "");
        if ( os_ram_next_data(&h->ram, &s, s + BENCH_SCRUB_BYTES, &re) )
        {
            bench_note("FAIL: scrub %s: the never-written GiB now has data at %#lx",
                       cas, (unsigned long)s);
            rc = 1;
        }
    }
    return rc;
}

int bench_scrub_run(void)
{
    struct host *h = bench_boot("laptop", bench_quiet_opts);
    unsigned int c, n = ARRAY_SIZE(bench_scrub_cases);
    struct page_info *pg = NULL, *pg2 = NULL;
    double memset_gbps;
    uint8_t *buf = NULL;
    int rc = 0;

    if ( !h )
        return 1;
    pg = alloc_heap_pages(h, 1, NR_ZONES - 1, BENCH_SCRUB_ORDER, 0, NULL);
    pg2 = alloc_heap_pages(h, 1, NR_ZONES - 1, BENCH_SCRUB_ORDER, 0, NULL);
    buf = malloc(BENCH_SCRUB_BYTES);
    if ( !pg || !pg2 || !buf )
    {
        bench_note("FAIL: scrub: no two 1 GiB blocks, or no 1 GiB buffer");
        rc = 1;
        goto out;
    }

    memset_gbps = bench_memset_bw(buf, "malloc 1GiB");
    free(buf);
    buf = NULL;
    /* For reference: memset over the same RAM mapping scrub_pages uses. */
    bench_memset_bw(mfn_to_virt(h, page_to_mfn(h, pg)), "RAM memfd 1GiB");

    for ( c = 0; c < n; c++ )
    {
        unsigned int runs = bench_runs < bench_scrub_cases[c].max_runs
                            ? bench_runs : bench_scrub_cases[c].max_runs;

        rc |= bench_scrub_case(h, page_to_mfn(h, pg),
                               bench_scrub_cases[c].chunk,
                               bench_scrub_cases[c].region, runs,
                               bench_scrub_cases[c].cas, memset_gbps);
    }
    /* Give the resident GiB back before the RSS test. */
    scrub_pages(h, page_to_mfn(h, pg), BENCH_SCRUB_PAGES);
    rc |= bench_scrub_untouched(h, page_to_mfn(h, pg2));

 out:
    free(buf);
    if ( pg )
        free_heap_pages(h, pg, BENCH_SCRUB_ORDER, false);
    if ( pg2 )
        free_heap_pages(h, pg2, BENCH_SCRUB_ORDER, false);
    rc |= bench_check(h, "scrub", "laptop");
    host_destroy(h);
    return rc;
}
