/*
 * Domain heap and Xen heap: assign_pages' checks and errnos, nothing lost
 * on failure, scrub-before-reuse, both xenheap models.  dom0 and every
 * domain created take two Xen-heap pages (shared_info and the first
 * grant-table frame), so a tiny 1-node host has 1023 - 2 free pages after
 * boot and two fewer per domain.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "harness/test.h"
#include "testhost.h"

#define MiB (1ULL << 20)

TEST(max_pages_starts_at_zero)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *d = new_domain(h, 1, 0);

    CHECK(alloc_domheap_pages(h, d, 0, 0) == NULL);
    CHECK_EQ(h->total_avail_pages, 1023 - 4);  /* the page went back */
    CHECK_EQ(d->tot_pages, 0);
    check_host(h);
    d->max_pages = 8;
    CHECK(alloc_domheap_pages(h, d, 3, 0) != NULL);
    CHECK(alloc_domheap_pages(h, d, 0, 0) == NULL);   /* 9 > 8 */
    CHECK_EQ(d->tot_pages, 8);
    CHECK_EQ(h->total_avail_pages, 1015 - 4);
    check_host(h);
    host_destroy(h);
}

TEST(assign_pages_errnos)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *d = new_domain(h, 1, 16);
    struct page_info *pg = alloc_heap_pages(h, 1, NR_ZONES - 1, 2, 0, NULL);

    REQUIRE(pg != NULL);
    CHECK_EQ(assign_pages(h, pg, 32, d, 0), -E2BIG);    /* over-allocation */
    d->tot_pages = 20;                                  /* tot > max */
    CHECK_EQ(assign_pages(h, pg, 4, d, 0), -EPERM);
    /* tot_pages about to wrap while domain_tot_pages() is small (XSA-385). */
    d->tot_pages = UINT_MAX - 1;
    d->extra_pages = UINT_MAX - 9;
    CHECK_EQ(assign_pages(h, pg, 4, d, 0), -E2BIG);
    CHECK_EQ(d->extra_pages, UINT_MAX - 9);
    d->tot_pages = 0;
    d->extra_pages = 0;
    d->is_dying = true;
    CHECK_EQ(assign_pages(h, pg, 4, d, 0), -EINVAL);
    d->is_dying = false;
    /* MEMF_no_refcount skips the accounting altogether. */
    CHECK_EQ(assign_pages(h, pg, 4, d, MEMF_no_refcount), 0);
    CHECK_EQ(d->tot_pages, 0);
    CHECK(page_get_owner(h, pg) == d);
    CHECK(pg->count_info & PGC_allocated);
    CHECK_EQ(pg->count_info & PGC_count_mask, 1);
    /* Undo for the checker: account it properly. */
    d->tot_pages = 4;
    check_host(h);
    host_destroy(h);
}

TEST(no_refcount_allocations_are_extra)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *d = new_domain(h, 1, 4);
    struct page_info *pg = alloc_domheap_pages(h, d, 3, MEMF_no_refcount);

    REQUIRE(pg != NULL);
    CHECK(pg->count_info & PGC_extra);
    CHECK_EQ(d->tot_pages, 8);
    CHECK_EQ(d->extra_pages, 8);
    CHECK_EQ(domain_tot_pages(d), 0);
    CHECK(alloc_domheap_pages(h, d, 2, 0) != NULL);   /* still 4 ordinary */
    check_host(h);
    free_domheap_pages(h, pg, 3);
    CHECK_EQ(d->extra_pages, 0);
    CHECK_EQ(d->tot_pages, 4);
    /* MEMF_no_owner: anonymous, no accounting, no owner. */
    pg = alloc_domheap_pages(h, d, 0, MEMF_no_owner);
    REQUIRE(pg != NULL);
    CHECK(page_get_owner(h, pg) == NULL);
    CHECK_EQ(d->tot_pages, 4);
    free_domheap_pages(h, pg, 0);
    check_host(h);
    host_destroy(h);
}

/* What one domain wrote, the next one never sees. */
TEST(pages_of_a_dead_domain_are_zero_for_the_next)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *d1 = new_domain(h, 1, 2000), *d2;
    struct page_info *pg;
    unsigned long i, n = 0;

    /* d1 takes all memory and writes into every page. */
    while ( (pg = alloc_domheap_pages(h, d1, 0, 0)) != NULL )
    {
        memset(mfn_to_virt(h, page_to_mfn(h, pg)), 0xd1, PAGE_SIZE);
        n++;
    }
    CHECK_EQ(n, 1023 - 4);                    /* dom0's and d1's Xen-heap pages */
    domain_destroy(d1);
    CHECK_EQ(h->node_need_scrub[0], 1023 - 2); /* freed dirty: it died */
    check_host(h);

    d2 = new_domain(h, 2, 2000);
    n = 0;
    while ( (pg = alloc_domheap_pages(h, d2, 0, 0)) != NULL )
    {
        const unsigned char *va = mfn_to_virt(h, page_to_mfn(h, pg));

        for ( i = 0; i < PAGE_SIZE; i++ )
            if ( va[i] )
                break;
        if ( i != PAGE_SIZE )
            test_fail_at(__FILE__, __LINE__, "mfn %#lx not scrubbed",
                         mfn_x(page_to_mfn(h, pg)));
        n++;
    }
    CHECK_EQ(n, 1023 - 4);                    /* dom0's and d2's Xen-heap pages */
    CHECK_EQ(h->node_need_scrub[0], 0);
    check_host(h);
    host_destroy(h);
}

/* A live domain's own frees are not scrubbed (unless scrub-domheap). */
TEST(live_domain_frees_stay_dirty_content)
{
    struct hostspec *hs;
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *d = new_domain(h, 1, 100);
    struct page_info *pg = alloc_domheap_pages(h, d, 0, 0);
    unsigned char *va = mfn_to_virt(h, page_to_mfn(h, pg));

    va[0] = 0xab;
    free_domheap_pages(h, pg, 0);
    CHECK_EQ(h->node_need_scrub[0], 0);
    pg = alloc_domheap_pages(h, d, 0, 0);
    CHECK_EQ(va[0], 0xab);       /* Xen does not promise zeroes here */
    check_host(h);
    host_destroy(h);

    hs = tiny_spec(1, 4 * MiB);
    hs->xen.scrub_domheap = true;
    h = boot_spec(hs);
    d = new_domain(h, 1, 100);
    pg = alloc_domheap_pages(h, d, 0, 0);
    va = mfn_to_virt(h, page_to_mfn(h, pg));
    va[0] = 0xab;
    free_domheap_pages(h, pg, 0);
    CHECK_EQ(h->node_need_scrub[0], 1);
    pg = alloc_domheap_pages(h, d, 0, 0);
    CHECK_EQ(va[0], 0);
    check_host(h);
    host_destroy(h);
}

TEST(debug_scrub_pattern_c2)
{
    struct hostspec *hs = tiny_spec(1, 4 * MiB);
    struct host *h;
    struct page_info *pg;
    unsigned char *va;

    hs->xen.scrub_debug = true;
    h = boot_spec(hs);
    /*
     * Every boot page is dirty in a debug build (need_scrub = scrub_debug),
     * but the two dom0 took unscrubbed for its Xen-heap pages.
     */
    CHECK_EQ(h->node_need_scrub[0], 1023 - 2);
    pg = alloc_domheap_pages(h, NULL, 0, 0);
    va = mfn_to_virt(h, page_to_mfn(h, pg));
    CHECK_EQ(va[0], SCRUB_BYTE_PATTERN);
    CHECK_EQ(va[PAGE_SIZE - 1], SCRUB_BYTE_PATTERN);
    free_domheap_pages(h, pg, 0);
    check_host(h);
    host_destroy(h);
}

TEST(xenheap_unified_model)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    void *v = alloc_xenheap_pages(h, 1, 0);
    struct page_info *pg;

    REQUIRE(v != NULL);
    pg = mfn_to_page(h, virt_to_mfn(h, v));
    /* Below dom0's shared_info (1023) and grant frame (1022). */
    CHECK_EQ(mfn_x(virt_to_mfn(h, v)), 1020);
    CHECK(pg->count_info & PGC_xen_heap);
    CHECK(is_xen_heap_page(h, pg));
    CHECK(page_get_owner(h, pg) == NULL);
    CHECK_EQ(h->total_avail_pages, 1023 - 2 - 2);
    free_xenheap_pages(h, v, 1);
    /* Freed Xen-heap pages are always dirty. */
    CHECK_EQ(h->node_need_scrub[0], 2);
    check_host(h);
    host_destroy(h);
}

/* Past the direct map, Xen-heap pages come from below xenheap_bits. */
TEST(xenheap_bits_on_12t_host)
{
    struct host *h = boot_preset("xs-12t", "bootscrub=off", "scrub_threads=0");
    void *v;

    CHECK_EQ(h->xenheap_bits, 42);        /* 5 TiB direct map -> 4 TiB */
    /* Node 3 is [9 TiB, 12 TiB): a Xen-heap page cannot come from there. */
    v = alloc_xenheap_pages(h, 0, MEMF_node(3));
    REQUIRE(v != NULL);
    CHECK(mfn_x(virt_to_mfn(h, v)) < (1UL << (42 - PAGE_SHIFT)));
    free_xenheap_pages(h, v, 0);
    /* A domheap page has no such limit. */
    {
        struct page_info *pg = alloc_domheap_pages(h, NULL, 0, MEMF_node(3));

        REQUIRE(pg != NULL);
        CHECK_EQ(page_to_nid(h, pg), 3);
        CHECK_EQ(mfn_x(page_to_mfn(h, pg)), h->max_page - 1);   /* top of RAM */
        free_domheap_pages(h, pg, 0);
    }
    check_host(h);
    host_destroy(h);
}

TEST(xenheap_split_model)
{
    struct hostspec *hs = tiny_spec(1, 16 * MiB);
    struct host *h;
    unsigned long xs, xe, n = 0;
    void *v;

    hs->xen.heap_model = HEAP_SPLIT;
    hs->xen.xenheap_size = 1 * MiB;
    h = boot_spec(hs);
    xs = h->xenheap_mfn_start;
    xe = h->xenheap_mfn_end;
    CHECK_EQ(xs, 4096 - 256);
    CHECK_EQ(xe, 4096);
    /*
     * One-page buffer: neighbours are not xenheap, so init_xenheap_pages
     * drops the first and the last xenheap page.
     */
    /* ... and dom0's shared_info and grant frame are Xen-heap pages. */
    CHECK_EQ(h->avail[0][MEMZONE_XEN], 254 - 2);
    CHECK(!page_state_is(mfn_to_page(h, _mfn(xs)), free));
    CHECK(!page_state_is(mfn_to_page(h, _mfn(xe - 1)), free));
    CHECK_EQ(h->total_avail_pages, 4095 - 2 - 2);
    while ( (v = alloc_xenheap_pages(h, 0, 0)) != NULL )
    {
        unsigned long mfn = mfn_x(virt_to_mfn(h, v));

        CHECK(mfn > xs && mfn < xe - 1);
        n++;
    }
    CHECK_EQ(n, 254 - 2);
    /* The domain heap never reaches into zone 0. */
    n = 0;
    while ( alloc_domheap_pages(h, NULL, 0, 0) )
        n++;
    CHECK_EQ(n, 4095 - 256);
    CHECK_EQ(h->total_avail_pages, 0);
    check_host(h);
    host_destroy(h);
}
