/*
 * Buddy heap tests: exact MFNs, list discipline, splits and merges, dirty
 * tracking, node search order.  Tiny hosts make every MFN predictable:
 * a 1-node 4 MiB host holds MFNs 1..1023 as one free block of each order
 * 0..9 at MFN 2^k (MFN 0 never enters the heap).  Tests of the heap alone
 * boot with boot_tiny_bare(): dom0 gone, so its shared_info and grant frame
 * do not hold the top MFNs.
 */
#include <errno.h>
#include <string.h>

#include "harness/test.h"
#include "testhost.h"

#define MiB (1ULL << 20)
#define ALL_ZONES 1, NR_ZONES - 1

static unsigned long mfn_of(struct host *h, struct page_info *pg)
{
    return pg ? mfn_x(page_to_mfn(h, pg)) : ~0UL;
}

static unsigned long list_len(struct host *h, unsigned int node,
                              unsigned int zone, unsigned int order)
{
    unsigned long n = 0;

    for ( struct page_info *pg = page_list_first(h, &heap(h, node, zone, order));
          pg; pg = page_list_next(h, pg) )
        n++;
    return n;
}

TEST(boot_tiny_one_block_per_order)
{
    struct host *h = boot_tiny_bare(1, 4 * MiB);

    CHECK_EQ(h->total_avail_pages, 1023);
    CHECK_EQ(h->max_page, 1024);
    for ( unsigned int k = 0; k <= 9; k++ )
    {
        CHECK_EQ(h->avail[0][k + 1], 1UL << k);
        CHECK_EQ(list_len(h, 0, k + 1, k), 1);
        CHECK_EQ(page_list_first(h, &heap(h, 0, k + 1, k)) - h->frame_table, 1L << k);
    }
    CHECK(!page_state_is(mfn_to_page(h, _mfn(0)), free));
    CHECK_EQ(h->dma_bitsize, 0);     /* one node: no DMA zone by default */
    check_host(h);
    host_destroy(h);
}

TEST(alloc_takes_highest_zone_and_top_half)
{
    struct host *h = boot_tiny_bare(1, 4 * MiB);
    struct page_info *a, *b, *c;

    a = alloc_heap_pages(h, ALL_ZONES, 0, 0, NULL);
    CHECK_EQ(mfn_of(h, a), 1023);           /* top page of the order-9 block */
    b = alloc_heap_pages(h, ALL_ZONES, 0, 0, NULL);
    CHECK_EQ(mfn_of(h, b), 1022);           /* the split's lowest leftover */
    c = alloc_heap_pages(h, ALL_ZONES, 2, 0, NULL);
    CHECK_EQ(mfn_of(h, c), 1016);           /* order 2: the order-2 leftover of the split */
    CHECK_EQ(h->total_avail_pages, 1023 - 6);
    CHECK_EQ(h->avail[0][10], 512 - 6);
    check_host(h);

    free_heap_pages(h, b, 0, false);
    free_heap_pages(h, a, 0, false);
    free_heap_pages(h, c, 2, false);
    /* Everything merged back: one order-9 block at 512 again. */
    CHECK_EQ(list_len(h, 0, 10, 9), 1);
    for ( unsigned int k = 0; k < 9; k++ )
        CHECK_EQ(list_len(h, 0, 10, k), 0);
    CHECK_EQ(h->total_avail_pages, 1023);
    check_host(h);
    host_destroy(h);
}

TEST(alloc_respects_zone_limits_and_max_order)
{
    struct host *h = boot_tiny_bare(1, 4 * MiB);
    struct page_info *pg;

    /* Zones 1..3 hold MFNs 1..7. */
    pg = alloc_heap_pages(h, 1, 3, 0, 0, NULL);
    CHECK_EQ(mfn_of(h, pg), 7);
    CHECK(alloc_heap_pages(h, 1, 3, 3, 0, NULL) == NULL);   /* no 8 pages there */
    CHECK(alloc_heap_pages(h, ALL_ZONES, MAX_ORDER + 1, 0, NULL) == NULL);
    CHECK(alloc_heap_pages(h, ALL_ZONES, 10, 0, NULL) == NULL);   /* 4 MiB host */
    CHECK(alloc_heap_pages(h, 5, 4, 0, 0, NULL) == NULL);   /* zone_lo > zone_hi */
    CHECK_EQ(h->total_avail_pages, 1022);
    free_heap_pages(h, pg, 0, false);
    check_host(h);
    host_destroy(h);
}

/* Dirty buddies: at the tail, skipped above order 0, scrubbed on allocation. */
TEST(dirty_buddies_tail_and_scrub)
{
    struct host *h = boot_tiny_bare(1, 4 * MiB);
    struct page_info *a, *b, *c;
    unsigned char *va;

    a = alloc_heap_pages(h, ALL_ZONES, 0, 0, NULL);      /* 1023 */
    b = alloc_heap_pages(h, ALL_ZONES, 0, 0, NULL);      /* 1022 */
    va = mfn_to_virt(h, page_to_mfn(h, b));
    memset(va, 0x5a, PAGE_SIZE);
    free_heap_pages(h, b, 0, true);      /* dirty */
    CHECK_EQ(h->node_need_scrub[0], 1);
    free_heap_pages(h, a, 0, false);     /* clean; merges all the way to 512 */
    CHECK_EQ(list_len(h, 0, 10, 9), 1);
    CHECK_EQ(h->frame_table[512].u.free.first_dirty, 510);   /* Xen's arithmetic */
    CHECK_EQ(h->node_need_scrub[0], 1);
    check_host(h);

    /* Order 1 skips the dirty order-9 buddy and splits zone 9's clean one. */
    c = alloc_heap_pages(h, ALL_ZONES, 1, 0, NULL);
    CHECK_EQ(mfn_of(h, c), 510);
    free_heap_pages(h, c, 1, false);

    /* Order 0 takes the dirty buddy; the top page (1023) was clean. */
    a = alloc_heap_pages(h, ALL_ZONES, 0, 0, NULL);
    CHECK_EQ(mfn_of(h, a), 1023);
    CHECK_EQ(h->node_need_scrub[0], 1);
    b = alloc_heap_pages(h, ALL_ZONES, 0, 0, NULL);
    CHECK_EQ(mfn_of(h, b), 1022);
    CHECK_EQ(h->node_need_scrub[0], 0);
    CHECK_EQ(va[0], 0);
    CHECK_EQ(va[PAGE_SIZE - 1], 0);
    free_heap_pages(h, a, 0, false);
    free_heap_pages(h, b, 0, false);
    check_host(h);
    host_destroy(h);
}

TEST(no_scrub_returns_dirty_contents)
{
    struct host *h = boot_tiny_bare(1, 4 * MiB);
    struct page_info *a = alloc_heap_pages(h, ALL_ZONES, 0, 0, NULL);
    unsigned char *va = mfn_to_virt(h, page_to_mfn(h, a));

    memset(va, 0x77, PAGE_SIZE);
    free_heap_pages(h, a, 0, true);
    a = alloc_heap_pages(h, ALL_ZONES, 0, MEMF_no_scrub, NULL);
    CHECK_EQ(mfn_of(h, a), 1023);
    CHECK_EQ(va[100], 0x77);             /* not scrubbed, as asked */
    CHECK_EQ(h->node_need_scrub[0], 0);  /* but no longer counted dirty */
    free_heap_pages(h, a, 0, false);
    check_host(h);
    host_destroy(h);
}

/* A dirty large buddy is used by the second (MEMF_no_scrub) pass and scrubbed. */
TEST(dirty_retry_pass_scrubs_large_block)
{
    struct host *h = boot_tiny_bare(1, 4 * MiB);
    struct page_info *big = alloc_heap_pages(h, ALL_ZONES, 9, 0, NULL);
    unsigned char *va;

    CHECK_EQ(mfn_of(h, big), 512);
    va = mfn_to_virt(h, _mfn(700));
    va[0] = 1;
    free_heap_pages(h, big, 9, true);
    CHECK_EQ(h->node_need_scrub[0], 512);
    big = alloc_heap_pages(h, ALL_ZONES, 9, 0, NULL);
    CHECK_EQ(mfn_of(h, big), 512);
    CHECK_EQ(va[0], 0);
    CHECK_EQ(h->node_need_scrub[0], 0);
    free_heap_pages(h, big, 9, false);
    check_host(h);
    host_destroy(h);
}

/* Two nodes: node 1 carves its heap metadata; DMA width; node search order. */
TEST(two_nodes_boot_metadata_and_dma)
{
    struct host *h = boot_tiny_bare(2, 4 * MiB);

    CHECK_EQ(h->node_avail_pages[0], 1023);
    CHECK_EQ(h->node_avail_pages[1], 1020);   /* 4 pages of heap metadata */
    CHECK_EQ(h->node_metadata_pages[1], 4);
    CHECK(!page_state_is(mfn_to_page(h, _mfn(1024)), free));
    CHECK_EQ(list_len(h, 1, 11, 2), 1);       /* MFN 1028, order 2 */
    CHECK_EQ(page_list_first(h, &heap(h, 1, 11, 2)) - h->frame_table, 1028);
    /* arch_get_dma_bitsize: flsl(0 + 1024/4 - 1) + 12 = 20. */
    CHECK_EQ(h->dma_bitsize, 20);
    check_host(h);
    host_destroy(h);
}

TEST(round_robin_over_node_affinity)
{
    struct host *h = boot_tiny(2, 4 * MiB);
    struct domain *d = new_domain(h, 1, 1000);
    struct page_info *pg[3];

    /* last_alloc_node starts at 0, so the search starts at node 1. */
    pg[0] = alloc_domheap_pages(h, d, 0, 0);
    pg[1] = alloc_domheap_pages(h, d, 0, 0);
    pg[2] = alloc_domheap_pages(h, d, 0, 0);
    /*
     * Smallest sufficient order first: node 1's order-2 block at 1028; on
     * node 0, 1020..1023 hold dom0's and d's shared_info and grant frames,
     * so its smallest block in the top zone is the order-2 one at 1016.
     */
    CHECK_EQ(mfn_of(h, pg[0]), 1031);
    CHECK_EQ(mfn_of(h, pg[1]), 1019);
    CHECK_EQ(mfn_of(h, pg[2]), 1030);
    CHECK_EQ(d->last_alloc_node, 1);
    CHECK_EQ(d->tot_pages, 3);
    check_host(h);

    /* Affinity {0} only: node 0, then node 0 again. */
    d->node_affinity = 1;
    CHECK_EQ(mfn_of(h, alloc_domheap_pages(h, d, 0, 0)), 1018);
    CHECK_EQ(mfn_of(h, alloc_domheap_pages(h, d, 0, 0)), 1017);
    CHECK_EQ(d->tot_pages, 5);
    check_host(h);
    domain_destroy(d);
    check_host(h);
    host_destroy(h);
}

TEST(exact_node_and_fallback)
{
    struct host *h = boot_tiny(2, 4 * MiB);
    struct domain *d = new_domain(h, 1, 4000);
    unsigned int exact0 = MEMF_node(0) | MEMF_exact_node;

    /*
     * dom0's and d's Xen-heap pages split node 0's order-9 block, so its
     * largest blocks are the order-8 ones at 512 and 256.
     */
    CHECK(alloc_domheap_pages(h, d, 9, exact0) == NULL);
    CHECK_EQ(mfn_of(h, alloc_domheap_pages(h, d, 8, exact0)), 512);
    CHECK_EQ(mfn_of(h, alloc_domheap_pages(h, d, 8, exact0)), 256);
    CHECK(alloc_domheap_pages(h, d, 8, exact0) == NULL);
    check_host(h);
    /* Without exact_node the search moves on to node 1. */
    CHECK_EQ(mfn_of(h, alloc_domheap_pages(h, d, 9, MEMF_node(0))), 1536);
    /* A node past MAX_NUMNODES is refused (get_free_buddy). */
    CHECK(alloc_heap_pages(h, ALL_ZONES, 0, MEMF_node(MAX_NUMNODES), d) == NULL);
    CHECK_EQ(d->tot_pages, 1024);
    check_host(h);
    host_destroy(h);
}

/* Above the DMA zone first, on any node, before touching DMA memory. */
TEST(dma_zone_is_last_resort)
{
    struct host *h = boot_tiny(2, 4 * MiB);
    struct domain *d = new_domain(h, 1, 4000);
    unsigned long n = 0;
    struct page_info *pg;

    d->node_affinity = 1;   /* node 0 preferred */
    /* DMA zone = MFNs below 256 (dma_bitsize 20 -> zone 8). */
    while ( (pg = alloc_domheap_pages(h, d, 0, MEMF_no_dma)) != NULL )
    {
        CHECK(mfn_of(h, pg) >= 256);
        n++;
    }
    /*
     * All of node 0 above 256 (768 pages, less the Xen-heap pages of dom0
     * and d) and all of node 1 (1020).
     */
    CHECK_EQ(n, 768 - 4 + 1020);
    pg = alloc_domheap_pages(h, d, 0, 0);
    CHECK_EQ(mfn_of(h, pg), 255);
    check_host(h);
    host_destroy(h);
}

/* MEMF_bits caps the address width: zone_hi = bits_to_zone(bits). */
TEST(memf_bits_limits_address)
{
    struct host *h = boot_tiny_bare(1, 4 * MiB);
    struct page_info *pg;

    /* 20 bits: MFNs below 2^8; the highest free there is the top of 128's block. */
    pg = alloc_domheap_pages(h, NULL, 0, MEMF_bits(20));
    CHECK_EQ(mfn_of(h, pg), 255);
    CHECK(alloc_domheap_pages(h, NULL, 8, MEMF_bits(20)) == NULL);
    /* Below 13 bits everything is zone 1: MFN 1 only. */
    pg = alloc_domheap_pages(h, NULL, 0, MEMF_bits(12));
    CHECK_EQ(mfn_of(h, pg), 1);
    CHECK(alloc_domheap_pages(h, NULL, 0, MEMF_bits(12)) == NULL);
    check_host(h);
    host_destroy(h);
}

TEST(avail_queries_match_xen)
{
    struct host *h = boot_tiny_bare(2, 4 * MiB);
    uint64_t free_pages, claims;

    /* Node 0 zones 1..8 (MFNs below 256) hold 255 pages. */
    CHECK_EQ(avail_domheap_pages_region(h, 0, 0, 20), 255);
    CHECK_EQ(avail_domheap_pages_region(h, 0, 21, 0), 768);
    CHECK_EQ(avail_domheap_pages_region(h, (unsigned int)-1, 0, 0), 2043);
    CHECK_EQ(avail_node_heap_pages(h, 1), 1020);
    get_outstanding_claims(h, &free_pages, &claims);
    CHECK_EQ(free_pages, 2043);
    CHECK_EQ(claims, 0);
    host_destroy(h);
}
