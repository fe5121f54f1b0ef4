/*
 * bench_alloc.c - allocator throughput, single-threaded, on the server-2s
 * preset (2 nodes x 256 GiB) booted with bootscrub=off and no scrubber
 * threads.  Page contents are never touched: these figures are the heap's
 * bookkeeping (lists, splits, merges, the frame table), not memory traffic.
 *
 * "bulk" (LLFree's bulk pattern): allocate N blocks of one order, then free
 * them all, in allocation order; one unmeasured pass first.  Through the
 * buddy heap (alloc_heap_pages(h, 1, NR_ZONES - 1, order, 0, NULL) and
 * free_heap_pages(..., false)), then through the domain heap
 * (alloc_domheap_pages and free_domheap_pages, max_pages ~0U), for a
 * domain with Xen's default node affinity and for one bound to node 0.
 * Goals: order 0 <= 60 ns, order 9 <= 300 ns per alloc+free.
 *
 * "rand": a fixed-seed PRNG picks orders 0..9 (half of them order 0) and
 * interleaves allocations with frees of random live blocks, hovering
 * around BENCH_RAND_LIVE / 2 live blocks.  Once with clean frees, once with
 * dirty frees (need_scrub): with no scrubber running, allocations then
 * scrub what they take, synchronously.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define BENCH_BULK_N0   (1UL << 20)   /* order 0: 1M pages = 4 GiB */
#define BENCH_BULK_N9   100000UL      /* order 9: 100k x 2 MiB = 195 GiB */
#define BENCH_RAND_OPS  (2UL << 20)
#define BENCH_RAND_LIVE 65536UL
#define BENCH_RAND_SEED 0x5eedb10c5ULL

/* ------------------------------------------------------------------ */
/* bulk                                                                */

enum bench_via {
    VIA_HEAP,                   /* alloc_heap_pages / free_heap_pages */
    VIA_DOMHEAP,                /* a domain, default affinity (all nodes) */
    VIA_DOMHEAP_NODE0,          /* a domain whose node affinity is node 0 */
};

static const char *const bench_via_name[] = {
    "heap", "domheap", "domheap-node0",
};

struct bench_bulk_def {
    unsigned int order;
    unsigned long n;
    enum bench_via via;
    const char *goal;           /* per alloc+free */
};

/*
 * A domain with every node in its affinity allocates round-robin across
 * them (get_free_buddy starts at cycle_node(d->last_alloc_node)), so its
 * consecutive blocks alternate between the two nodes; the node-0 domain
 * shows what that costs.
 */
static const struct bench_bulk_def bench_bulk_cases[] = {
    { 0, BENCH_BULK_N0, VIA_HEAP, "<=60 ns" },
    { 9, BENCH_BULK_N9, VIA_HEAP, "<=300 ns" },
    { 0, BENCH_BULK_N0, VIA_DOMHEAP, "<=60 ns" },
    { 9, BENCH_BULK_N9, VIA_DOMHEAP, "<=300 ns" },
    { 0, BENCH_BULK_N0, VIA_DOMHEAP_NODE0, "<=60 ns" },
    { 9, BENCH_BULK_N9, VIA_DOMHEAP_NODE0, "<=300 ns" },
};

/* One pass: allocate n blocks, then free them.  -1 if memory ran out. */
static int bench_bulk_pass(struct host *h, struct domain *d,
                           const struct bench_bulk_def *bc,
                           struct page_info **pgs, double *alloc_ns,
                           double *free_ns)
{
    unsigned long i, got;
    uint64_t t0, t1, t2;

    t0 = bench_now_ns();
    if ( d )
    {
        for ( i = 0; i < bc->n; i++ )
            if ( !(pgs[i] = alloc_domheap_pages(h, d, bc->order, 0)) )
                break;
    }
    else
    {
        for ( i = 0; i < bc->n; i++ )
            if ( !(pgs[i] = alloc_heap_pages(h, 1, NR_ZONES - 1, bc->order,
                                             0, NULL)) )
                break;
    }
    t1 = bench_now_ns();
    got = i;
    if ( d )
        for ( i = 0; i < got; i++ )
            free_domheap_pages(h, pgs[i], bc->order);
    else
        for ( i = 0; i < got; i++ )
            free_heap_pages(h, pgs[i], bc->order, false);
    t2 = bench_now_ns();

    if ( got != bc->n )
    {
        bench_note("FAIL: bulk order %u: allocation %lu of %lu failed",
                   bc->order, got + 1, bc->n);
        return -1;
    }
    *alloc_ns = (double)(t1 - t0) / (double)bc->n;
    *free_ns = (double)(t2 - t1) / (double)bc->n;
    return 0;
}

static int bench_bulk_case(struct host *h, struct domain *d,
                           const struct bench_bulk_def *bc,
                           struct page_info **pgs)
{
    struct bench_stats sa = { { 0 }, 0 }, sf = { { 0 }, 0 };
    struct bench_stats sb = { { 0 }, 0 };
    char cas[64];
    double a, f;

    snprintf(cas, sizeof(cas), "%s order=%u n=%lu", bench_via_name[bc->via],
             bc->order, bc->n);
    /* Warm: the frame-table entries the pattern writes become resident. */
    if ( bench_bulk_pass(h, d, bc, pgs, &a, &f) )
        return 1;
    for ( unsigned int r = 0; r < bench_runs; r++ )
    {
        if ( bench_bulk_pass(h, d, bc, pgs, &a, &f) )
            return 1;
        bench_stats_add(&sa, a);
        bench_stats_add(&sf, f);
        bench_stats_add(&sb, a + f);
    }
    bench_row("bulk", cas, "alloc", "ns/op", &sa, false, "");
    bench_row("bulk", cas, "free", "ns/op", &sf, false, "");
    bench_row("bulk", cas, "alloc+free", "ns/op", &sb, false, bc->goal);
    /* Cumulative: each head of order >= 8 has a 4 KiB page to itself. */
    bench_value("bulk", cas, "frame_table_rss", "MiB",
                (double)bench_vma_rss(h->frame_table) / (1024.0 * 1024.0), "");
    bench_note("bulk %s: %.1f ns alloc + %.1f ns free = %.1f ns per block (best); median %.1f; goal %s",
               cas, bench_stats_min(&sa), bench_stats_min(&sf),
               bench_stats_min(&sb), bench_stats_median(&sb), bc->goal);
    return 0;
}

int bench_bulk_run(void)
{
    struct host *h = bench_boot("server-2s", bench_quiet_opts);
    struct page_info **pgs = calloc(BENCH_BULK_N0, sizeof(*pgs));
    struct domain *dom[3] = { NULL, NULL, NULL };
    unsigned int i, n = ARRAY_SIZE(bench_bulk_cases);
    int rc = 0, err;

    if ( !h || !pgs )
    {
        free(pgs);
        host_destroy(h);
        return 1;
    }
    for ( i = 0; i < n; i++ )
    {
        enum bench_via via = bench_bulk_cases[i].via;

        if ( via != VIA_HEAP && !dom[via] )
        {
            dom[via] = domain_create(h, (domid_t)via, NULL, 0, &err);
            if ( !dom[via] )
            {
                bench_note("FAIL: domain_create: %d", err);
                rc = 1;
                break;
            }
            dom[via]->max_pages = ~0U;
            if ( via == VIA_DOMHEAP_NODE0 )
            {
                dom[via]->node_affinity = 1ULL << 0;
                dom[via]->auto_node_affinity = false;
            }
        }
        rc |= bench_bulk_case(h, dom[via], &bench_bulk_cases[i], pgs);
    }
    rc |= bench_check(h, "bulk", "server-2s");
    for ( i = 0; i < 3; i++ )
        if ( dom[i] )
            domain_destroy(dom[i]);
    free(pgs);
    host_destroy(h);
    return rc;
}

/* ------------------------------------------------------------------ */
/* rand                                                                */

struct bench_live {
    struct page_info *pg;
    unsigned int order;
};

/* Order k has weight bench_rand_weight[k] / 1024: order 0 half the time. */
static const unsigned int bench_rand_weight[10] = {
    512, 128, 96, 64, 48, 40, 32, 32, 32, 40,
};

static unsigned int bench_rand_order(uint64_t *rng)
{
    unsigned int x = (unsigned int)(bench_rand(rng) & 1023), k;

    for ( k = 0; k < 9 && x >= bench_rand_weight[k]; k++ )
        x -= bench_rand_weight[k];
    return k;
}

struct bench_rand_result {
    double ns_per_op;
    unsigned long allocs, frees, failed;
    unsigned long pages_live_max;
};

/* One run: BENCH_RAND_OPS operations timed, then the survivors freed. */
static void bench_rand_pass(struct host *h, struct bench_live *live,
                            bool dirty, struct bench_rand_result *res)
{
    uint64_t rng = BENCH_RAND_SEED, t0, t1;
    unsigned long nlive = 0, pages = 0, op;

    memset(res, 0, sizeof(*res));
    t0 = bench_now_ns();
    for ( op = 0; op < BENCH_RAND_OPS; op++ )
    {
        uint64_t x = bench_rand(&rng);

        /* Allocate with probability 1 - live / BENCH_RAND_LIVE. */
        if ( nlive == 0 || (x % BENCH_RAND_LIVE) >= nlive )
        {
            unsigned int order = bench_rand_order(&rng);
            struct page_info *pg = alloc_heap_pages(h, 1, NR_ZONES - 1,
                                                    order, 0, NULL);

            if ( !pg )
            {
                res->failed++;
                continue;
            }
            live[nlive].pg = pg;
            live[nlive++].order = order;
            pages += 1UL << order;
            if ( pages > res->pages_live_max )
                res->pages_live_max = pages;
            res->allocs++;
        }
        else
        {
            unsigned long i = (x >> 32) % nlive;

            free_heap_pages(h, live[i].pg, live[i].order, dirty);
            pages -= 1UL << live[i].order;
            live[i] = live[--nlive];
            res->frees++;
        }
    }
    t1 = bench_now_ns();
    res->ns_per_op = (double)(t1 - t0) / (double)BENCH_RAND_OPS;
    while ( nlive )
    {
        nlive--;
        free_heap_pages(h, live[nlive].pg, live[nlive].order, false);
    }
}

static int bench_rand_case(struct host *h, struct bench_live *live,
                           bool dirty)
{
    const char *cas = dirty ? "heap orders0-9 dirty-free"
                            : "heap orders0-9 clean-free";
    struct bench_stats s = { { 0 }, 0 };
    struct bench_rand_result res;

    bench_rand_pass(h, live, dirty, &res);   /* warm up */
    for ( unsigned int r = 0; r < bench_runs; r++ )
    {
        bench_rand_pass(h, live, dirty, &res);
        bench_stats_add(&s, res.ns_per_op);
    }
    bench_row("rand", cas, "alloc_or_free", "ns/op", &s, false, "");
    bench_note("rand %s: %.1f ns/op best, %.1f median; %lu allocs, %lu frees, %lu failed, at most %lu MiB live",
               cas, bench_stats_min(&s), bench_stats_median(&s), res.allocs,
               res.frees, res.failed, res.pages_live_max >> 8);
    if ( res.failed )
    {
        bench_note("FAIL: rand: %lu allocations failed", res.failed);
        return 1;
    }
    /* The survivors went back clean; earlier dirty frees await a scrub. */
    host_scrub_wait(h);
    return 0;
}

int bench_rand_run(void)
{
    struct host *h = bench_boot("server-2s", bench_quiet_opts);
    struct bench_live *live = calloc(BENCH_RAND_LIVE, sizeof(*live));
    int rc = 0;

    if ( !h || !live )
    {
        free(live);
        host_destroy(h);
        return 1;
    }
    rc |= bench_rand_case(h, live, false);
    rc |= bench_rand_case(h, live, true);
    rc |= bench_check(h, "rand", "server-2s");
    free(live);
    host_destroy(h);
    return rc;
}
