/*
 * Every preset boots, its accounting adds up, and the large ones stay
 * cheap: untouched memory costs nothing.
 */
#include "harness/test.h"
#include "testhost.h"

TEST(every_preset_boots_and_checks)
{
    for ( unsigned int i = 0; i < hostspec_nr_presets(); i++ )
    {
        const char *name = hostspec_preset(i)->name;
        struct host *h = boot_preset(name, "scrub_threads=0", NULL);
        unsigned long meta = 0;

        for ( unsigned int n = 0; n < h->nr_nodes; n++ )
            meta += h->node_metadata_pages[n];
        /*
         * All RAM is free but MFN 0, later nodes' heap metadata and dom0's
         * two Xen-heap pages (shared_info and its first grant-table frame).
         */
        if ( h->total_avail_pages != (long)(h->total_pages - 1 - meta - 2) )
            test_fail_at(__FILE__, __LINE__, "%s: %ld free of %lu pages (meta %lu)",
                         name, h->total_avail_pages, h->total_pages, meta);
        check_host(h);
        host_destroy(h);
    }
}

TEST(server_2s_layout)
{
    struct host *h = boot_preset("server-2s", "scrub_threads=0", NULL);
    struct host_physinfo pi;
    struct host_numainfo ni;

    host_get_physinfo(h, &pi);
    CHECK_EQ(pi.nr_nodes, 2);
    CHECK_EQ(pi.total_pages, 512UL << 18);        /* 512 GiB */
    /* MFN 0, node 1's metadata, dom0's shared_info and grant frame. */
    CHECK_EQ(pi.free_pages, (512UL << 18) - 1 - 4 - 2);
    CHECK_EQ(pi.need_scrub_pages, pi.free_pages);  /* bootscrub=idle */
    host_get_numainfo(h, 1, &ni);
    CHECK_EQ(ni.memsize, 256ULL << 30);
    CHECK_EQ(ni.memfree, (256ULL << 30) - 4 * PAGE_SIZE);
    /* Node 1 starts 1 GiB-aligned and ends aligned: metadata at its tail. */
    CHECK(!page_state_is(mfn_to_page(h, _mfn(h->max_page - 1)), free));
    CHECK_EQ(h->node_metadata_pages[1], 4);
    CHECK_EQ(h->dma_bitsize, 32);
    host_scrub_wait(h);
    host_get_physinfo(h, &pi);
    CHECK_EQ(pi.need_scrub_pages, 0);
    check_host(h);
    host_destroy(h);
}

TEST(host_16t_is_sparse)
{
    uint64_t rss0 = os_rss_bytes();
    struct host *h = boot_preset("16t", "scrub_threads=0", NULL);
    struct host_physinfo pi;

    host_get_physinfo(h, &pi);
    CHECK_EQ(pi.max_mfn, (1UL << 32) - 1);
    CHECK(pi.free_pages > (16UL << 28) - (1UL << 20));
    check_host(h);
    /* Nothing allocated: well under 1 GiB resident for 16 TiB. */
    CHECK(os_rss_bytes() - rss0 < (1ULL << 30));
    host_scrub_wait(h);      /* scrubbing untouched RAM writes nothing */
    CHECK(os_rss_bytes() - rss0 < (1ULL << 30));
    check_host(h);
    host_destroy(h);
}

TEST(bad_spec_refused_with_message)
{
    struct hostspec *hs = tiny_spec(1, 4ULL << 20);
    struct host *h = NULL;
    char err[256] = "";

    hs->node[0].range[0].end = (1ULL << 44) + 4096;   /* past 16 TiB */
    CHECK(host_boot(hs, &h, err, sizeof(err)) < 0);
    CHECK(h == NULL);
    CHECK(err[0] != 0);
    hostspec_free(hs);
}
