/*
 * bench_frameram.c - the "frameram" workload: what the sparse frame table
 * costs once memory is split into 4K pages.
 *
 * On the 16t preset (8 nodes x 2 TiB, bootscrub=off), allocate
 * BENCH_FR_PER_PLACE order-0 pages at each of many places spread over the
 * 16 TiB: on node 0 every zone (a power-of-two MFN range) with room, on the
 * other nodes their highest zone, with alloc_heap_pages(h, zone, zone, 0,
 * MEMF_node(node) | MEMF_exact_node, NULL).  Then free them all.  Every
 * allocated page is one 4K page of memory split down to 4K, whose
 * page_info (16 bytes) the heap has written.
 *
 * Goal: <= 16 bytes of RSS per 4K page split, i.e. the RSS delta against
 * pages_split * 16.  Reported: the process RSS delta (os_rss_bytes) and the
 * frame table's own resident bytes (its smaps Rss), after the allocations
 * and after the frees.  The array the bench itself needs is allocated and
 * written before the baseline is taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define BENCH_FR_PER_PLACE (1UL << 16)    /* 64K pages = 256 MiB a place */
#define BENCH_FR_MAX_PLACES 64
#define KiB 1024.0

struct bench_place {
    unsigned int node, zone;
};

/* Where to allocate: (node, zone) pairs with room to spare. */
static unsigned int bench_pick_places(struct host *h, struct bench_place *pl)
{
    unsigned long need = 2 * BENCH_FR_PER_PLACE;
    unsigned int n = 0, node, zone;

    for ( node = 0; node < h->nr_nodes; node++ )
        for ( zone = 1; zone < NR_ZONES && n < BENCH_FR_MAX_PLACES; zone++ )
        {
            if ( h->avail[node][zone] < need )
                continue;
            /* Other nodes: their highest zone only. */
            if ( node && zone + 1 < NR_ZONES &&
                 h->avail[node][zone + 1] >= need )
                continue;
            pl[n].node = node;
            pl[n++].zone = zone;
        }
    return n;
}

/* Allocate at every place; the number of pages allocated (all, or fewer
 * on a failure, which is reported). */
static unsigned long bench_fr_alloc(struct host *h,
                                    const struct bench_place *pl,
                                    unsigned int nplaces, uint32_t *mfns)
{
    unsigned long k = 0, i;
    unsigned int p;

    for ( p = 0; p < nplaces; p++ )
    {
        unsigned int flags = MEMF_node(pl[p].node) | MEMF_exact_node;

        for ( i = 0; i < BENCH_FR_PER_PLACE; i++ )
        {
            struct page_info *pg = alloc_heap_pages(h, pl[p].zone, pl[p].zone,
                                                    0, flags, NULL);

            if ( !pg || page_to_nid(h, pg) != pl[p].node ||
                 page_to_zone(h, pg) != pl[p].zone )
            {
                bench_note("FAIL: frameram: allocation %lu at node %u zone %u %s",
                           i, pl[p].node, pl[p].zone,
                           pg ? "landed elsewhere" : "failed");
                if ( pg )
                    free_heap_pages(h, pg, 0, false);
                return k;
            }
            mfns[k++] = (uint32_t)mfn_x(page_to_mfn(h, pg));
        }
    }
    return k;
}

int bench_frameram_run(void)
{
    struct host *h = bench_boot("16t", bench_quiet_opts);
    struct bench_place pl[BENCH_FR_MAX_PLACES];
    uint64_t rss0, rss1, rss2, ft0, ft1, ft2, t0, t1, t2;
    unsigned long total, got, i;
    double split, per_page, ft_per_page;
    unsigned int nplaces;
    uint32_t *mfns;
    int rc = 0;

    if ( !h )
        return 1;
    nplaces = bench_pick_places(h, pl);
    total = nplaces * BENCH_FR_PER_PLACE;
    mfns = malloc(total * sizeof(*mfns));
    if ( !mfns )
    {
        host_destroy(h);
        return 1;
    }
    memset(mfns, 0xff, total * sizeof(*mfns));   /* resident before rss0 */

    rss0 = os_rss_bytes();
    ft0 = bench_vma_rss(h->frame_table);
    t0 = bench_now_ns();
    got = bench_fr_alloc(h, pl, nplaces, mfns);
    t1 = bench_now_ns();
    rss1 = os_rss_bytes();
    ft1 = bench_vma_rss(h->frame_table);
    for ( i = 0; i < got; i++ )
        free_heap_pages(h, mfn_to_page(h, _mfn(mfns[i])), 0, false);
    t2 = bench_now_ns();
    rss2 = os_rss_bytes();
    ft2 = bench_vma_rss(h->frame_table);

    if ( got == total )
    {
        split = (double)total * sizeof(struct page_info);
        per_page = ((double)rss1 - (double)rss0) / (double)total;
        ft_per_page = ((double)ft1 - (double)ft0) / (double)total;
        bench_note("frameram: %u places, %lu order-0 pages each: %lu pages (%.2f GiB) split to 4K",
                   nplaces, BENCH_FR_PER_PLACE, total,
                   (double)total / 262144.0);
        bench_value("frameram", "16t", "pages_split", "pages",
                    (double)total, "");
        bench_value("frameram", "16t", "pages_split*16", "KiB", split / KiB,
                    "");
        bench_value("frameram", "16t", "rss_delta_alloc", "KiB",
                    ((double)rss1 - (double)rss0) / KiB, "");
        bench_value("frameram", "16t", "rss_per_split_page", "B/page",
                    per_page, "<=16 B/page");
        bench_value("frameram", "16t", "frame_table_rss_delta", "KiB",
                    ((double)ft1 - (double)ft0) / KiB, "");
        bench_value("frameram", "16t", "frame_table_per_split_page",
                    "B/page", ft_per_page, "<=16 B/page");
        bench_value("frameram", "16t", "rss_delta_after_free", "KiB",
                    ((double)rss2 - (double)rss0) / KiB, "");
        bench_value("frameram", "16t", "alloc_spread", "ns/op",
                    (double)(t1 - t0) / (double)total, "");
        bench_value("frameram", "16t", "free_spread", "ns/op",
                    (double)(t2 - t1) / (double)total, "");
        bench_note("frameram: RSS +%.0f KiB for %.0f KiB of page_info: %.2f B per split page (frame table alone %.2f B)",
                   ((double)rss1 - (double)rss0) / KiB, split / KiB,
                   per_page, ft_per_page);
        bench_note("frameram: after the frees RSS stays +%.0f KiB (frame table +%.0f KiB): the frame table never shrinks",
                   ((double)rss2 - (double)rss0) / KiB,
                   ((double)ft2 - (double)ft0) / KiB);
    }
    else
        rc = 1;
    rc |= bench_check(h, "frameram", "16t");
    free(mfns);
    host_destroy(h);
    return rc;
}
