/*
 * bench_boot.c - the "boot" workload: wall time of host_boot for the
 * 12 TiB (xs-12t) and 16 TiB (16t) presets, and what a booted host with
 * nothing allocated costs in resident memory.
 *
 * Xen's own figure: 90 GB booted in 96 ms.  Goals: 12 TiB in < 100 ms,
 * RSS after booting 16t < 1 GiB.  scrub_threads=0, so no idle scrubber
 * runs while we measure; both bootscrub=idle (Xen's default: every page
 * enters the heap dirty) and bootscrub=off are reported.  One unmeasured
 * boot warms up each case; host_destroy is not timed.
 */
#include <stdio.h>

#include "bench.h"

#define MiB (1024.0 * 1024.0)

struct bench_boot_def {
    const char *preset;
    const char *bootscrub;
    const char *time_goal;
    const char *rss_goal;
};

static const struct bench_boot_def bench_boot_cases[] = {
    { "xs-12t", "bootscrub=idle", "<100 ms", "" },
    { "xs-12t", "bootscrub=off", "<100 ms", "" },
    { "16t", "bootscrub=idle", "", "<1024 MiB" },
    { "16t", "bootscrub=off", "", "<1024 MiB" },
};

/* Boot once; the host (NULL on failure) and the time taken in ms. */
static struct host *bench_timed_boot(const struct hostspec *hs, double *ms)
{
    struct host *h = NULL;
    char err[256];
    uint64_t t0, t1;
    int rc;

    t0 = bench_now_ns();
    rc = host_boot(hs, &h, err, sizeof(err));
    t1 = bench_now_ns();
    if ( rc )
    {
        bench_note("FAIL: host_boot(%s): %d %s", hs->name, rc, err);
        return NULL;
    }
    *ms = (double)(t1 - t0) / 1e6;
    return h;
}

/* Free blocks on the heap lists (each one a frame-table entry written). */
static unsigned long bench_count_heads(struct host *h)
{
    unsigned long n = 0;
    unsigned int node, zone, order;

    for ( node = 0; node < MAX_NUMNODES; node++ )
    {
        if ( !h->_heap[node] )
            continue;
        for ( zone = 0; zone < NR_ZONES; zone++ )
            for ( order = 0; order <= MAX_ORDER; order++ )
            {
                const struct page_list_head *l = &heap(h, node, zone, order);
                struct page_info *pg;

                for ( pg = page_list_first(h, l); pg;
                      pg = page_list_next(h, pg) )
                    n++;
            }
    }
    return n;
}

static int bench_boot_case(const struct bench_boot_def *bc)
{
    const char *opts[] = { bc->bootscrub, "scrub_threads=0", NULL };
    struct hostspec *hs = bench_load_spec(bc->preset, opts);
    struct bench_stats st = { { 0 }, 0 };
    uint64_t rss0, rss1, ft_rss;
    struct host *h;
    char cas[64];
    double ms;
    int rc;

    if ( !hs )
        return 1;
    snprintf(cas, sizeof(cas), "%s %s", bc->preset, bc->bootscrub);

    /* Warm up: the binary's pages, malloc's arenas, the kernel's caches. */
    h = bench_timed_boot(hs, &ms);
    if ( !h )
        goto fail;
    host_destroy(h);

    for ( unsigned int r = 0; r < bench_runs; r++ )
    {
        h = bench_timed_boot(hs, &ms);
        if ( !h )
            goto fail;
        bench_stats_add(&st, ms);
        host_destroy(h);
    }
    bench_row("boot", cas, "host_boot", "ms", &st, false, bc->time_goal);

    /* Memory: one more boot, nothing allocated. */
    rss0 = os_rss_bytes();
    h = bench_timed_boot(hs, &ms);
    if ( !h )
        goto fail;
    rss1 = os_rss_bytes();
    ft_rss = bench_vma_rss(h->frame_table);
    bench_value("boot", cas, "rss_after_boot", "MiB", (double)rss1 / MiB,
                bc->rss_goal);
    bench_value("boot", cas, "rss_delta_boot", "MiB",
                ((double)rss1 - (double)rss0) / MiB, "");
    bench_value("boot", cas, "frame_table_rss", "MiB", (double)ft_rss / MiB,
                "");
    bench_note("%s: %lu GiB of RAM in %lu free blocks; frame table: %.0f GiB mapped, %.1f MiB resident",
               cas, h->total_pages >> 18, bench_count_heads(h),
               (double)h->frame_table_bytes / (MiB * 1024),
               (double)ft_rss / MiB);
    bench_note("%s: host_boot %.2f ms best, %.2f ms median; RSS %.1f MiB",
               cas, bench_stats_min(&st), bench_stats_median(&st),
               (double)rss1 / MiB);
    rc = bench_check(h, "boot", cas);
    host_destroy(h);
    hostspec_free(hs);
    return rc;

 fail:
    hostspec_free(hs);
    return 1;
}

int bench_boot_run(void)
{
    unsigned int i, n = ARRAY_SIZE(bench_boot_cases);
    int rc = 0;

    for ( i = 0; i < n; i++ )
        rc |= bench_boot_case(&bench_boot_cases[i]);
    return rc;
}
