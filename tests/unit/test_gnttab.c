/*
 * Grant table v1 and shared_info: the Xen-heap pages a domain is created
 * with (accounted on xenpage_list, freed once, when the domain is
 * destroyed), grant_table_init's refusals, growth up to max_grant_frames,
 * and entries read back from the frame bytes as libxenguest's seeding
 * writes them.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#include "core/grant_table.h"
#include "harness/test.h"
#include "testhost.h"

#define MiB (1ULL << 20)

static struct domain *create(struct host *h, domid_t id, int32_t max_grant,
                             int32_t max_maptrack, uint32_t grant_opts,
                             int *rc)
{
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = 1,
        .max_grant_frames = max_grant,
        .max_maptrack_frames = max_maptrack,
        .grant_opts = grant_opts,
    };

    return domain_create(h, id, &cfg, 0, rc);
}

static bool page_is_zero(struct host *h, mfn_t mfn)
{
    const uint8_t *p = mfn_to_virt(h, mfn);

    for ( unsigned long i = 0; i < PAGE_SIZE; i++ )
        if ( p[i] )
            return false;
    return true;
}

TEST(gnttab_domain_starts_with_one_frame_and_shared_info)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *d = new_domain(h, 1, 100);
    struct page_info *pg;
    mfn_t mfn;

    /* dom0 too: its shared_info and first grant frame. */
    CHECK_EQ(h->hardware_domain->xenheap_pages, 2);
    CHECK_EQ(d->xenheap_pages, 2);
    CHECK_EQ(d->tot_pages, 0);                 /* not counted as RAM */
    CHECK_EQ(gnttab_nr_grant_frames(d), INITIAL_NR_GRANT_FRAMES);

    REQUIRE(gnttab_get_shared_frame_mfn(d, 0, &mfn) == 0);
    pg = mfn_to_page(h, mfn);
    CHECK(page_get_owner(h, pg) == d);
    CHECK(pg->count_info & PGC_xen_heap);
    CHECK(pg->count_info & PGC_allocated);
    CHECK(page_is_zero(h, mfn));

    REQUIRE(d->shared_info != NULL);
    CHECK(page_get_owner(h, d->shared_info) == d);
    CHECK(is_xen_heap_page(h, d->shared_info));
    /* MEMF_bits(32): a 32-bit guest's start_info holds its address. */
    CHECK(mfn_x(page_to_mfn(h, d->shared_info)) < (1UL << (32 - PAGE_SHIFT)));
    CHECK(page_is_zero(h, page_to_mfn(h, d->shared_info)));
    check_host(h);
    host_destroy(h);
}

TEST(gnttab_grows_on_demand_to_max)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    int rc;
    struct domain *d = create(h, 1, 4, -1, XEN_DOMCTL_GRANT_version(1), &rc);
    long before;
    mfn_t mfn, m0;

    REQUIRE(d && rc == 0);
    REQUIRE(gnttab_get_shared_frame_mfn(d, 0, &m0) == 0);
    before = h->total_avail_pages;
    /* Asking for frame 2 grows the table to 3 frames. */
    CHECK_EQ(gnttab_get_shared_frame_mfn(d, 2, &mfn), 0);
    CHECK_EQ(gnttab_nr_grant_frames(d), 3);
    CHECK_EQ(d->xenheap_pages, 1 + 3);
    CHECK_EQ(h->total_avail_pages, before - 2);
    CHECK(page_get_owner(h, mfn_to_page(h, mfn)) == d);
    CHECK(page_is_zero(h, mfn));
    check_host(h);
    /* Frame 0 did not move. */
    CHECK_EQ(gnttab_get_shared_frame_mfn(d, 0, &mfn), 0);
    CHECK_EQ(mfn_x(mfn), mfn_x(m0));
    /* Past max_grant_frames (4): refused, nothing allocated. */
    CHECK_EQ(gnttab_get_shared_frame_mfn(d, 4, &mfn), -EINVAL);
    CHECK_EQ(gnttab_get_shared_frame_mfn(d, ~0U, &mfn), -EINVAL);
    CHECK_EQ(gnttab_nr_grant_frames(d), 3);
    CHECK_EQ(gnttab_get_shared_frame_mfn(d, 3, &mfn), 0);
    CHECK_EQ(gnttab_nr_grant_frames(d), 4);
    check_host(h);
    host_destroy(h);
}

TEST(gnttab_init_refusals_leave_nothing_behind)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    long before = h->total_avail_pages;
    int rc;

    /* Grant version 0 or above the host's maximum (2). */
    CHECK(create(h, 1, -1, -1, 0, &rc) == NULL);
    CHECK_EQ(rc, -EINVAL);
    CHECK(create(h, 1, -1, -1, XEN_DOMCTL_GRANT_version(3), &rc) == NULL);
    CHECK_EQ(rc, -EINVAL);
    /* Frames below the initial 1, above gnttab_max_frames (64). */
    CHECK(create(h, 1, 0, -1, XEN_DOMCTL_GRANT_version(1), &rc) == NULL);
    CHECK_EQ(rc, -EINVAL);
    CHECK(create(h, 1, 65, -1, XEN_DOMCTL_GRANT_version(1), &rc) == NULL);
    CHECK_EQ(rc, -EINVAL);
    /* Maptrack above gnttab_max_maptrack_frames (1024). */
    CHECK(create(h, 1, 1, 1025, XEN_DOMCTL_GRANT_version(1), &rc) == NULL);
    CHECK_EQ(rc, -EINVAL);
    /* shared_info was given back each time. */
    CHECK_EQ(h->total_avail_pages, before);
    check_host(h);

    /* The limits themselves are fine; -1 is the default (64). */
    CHECK(create(h, 1, 64, 1024, XEN_DOMCTL_GRANT_version(2), &rc) != NULL);
    CHECK_EQ(rc, 0);
    CHECK(create(h, 2, 1, 0, XEN_DOMCTL_GRANT_version(1), &rc) != NULL);
    CHECK_EQ(rc, 0);
    CHECK_EQ(gnttab_resource_max_frames(peek_domain(h, 2),
                                        XENMEM_resource_grant_table_id_shared),
             1);
    /* An id in use: everything the second creation set up goes again. */
    before = h->total_avail_pages;
    CHECK(create(h, 2, 1, 0, XEN_DOMCTL_GRANT_version(1), &rc) == NULL);
    CHECK_EQ(rc, -EEXIST);
    CHECK_EQ(h->total_avail_pages, before);
    CHECK_EQ(peek_domain(h, 2)->xenheap_pages, 2);
    check_host(h);
    host_destroy(h);
}

/* Frames are unshared when the domain dies and freed when it is destroyed. */
TEST(gnttab_frames_freed_once_at_destroy)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    long base = h->total_avail_pages;
    struct domain *d = new_domain(h, 1, 100);
    mfn_t mfn;

    REQUIRE(gnttab_get_shared_frame_mfn(d, 7, &mfn) == 0);
    CHECK_EQ(d->xenheap_pages, 1 + 8);
    CHECK_EQ(h->total_avail_pages, base - 9);
    memset(mfn_to_virt(h, mfn), 0x5a, PAGE_SIZE);

    domain_kill(d);
    /* Unshared, but Xen keeps the pages until complete_domain_destroy. */
    CHECK_EQ(d->xenheap_pages, 0);
    CHECK(page_get_owner(h, mfn_to_page(h, mfn)) == NULL);
    CHECK_EQ(h->total_avail_pages, base - 9);
    /* A dead domain's frames cannot be mapped any more. */
    CHECK_EQ(gnttab_map_frame(d, 0, _gfn(0x100), &mfn), -EBUSY);
    check_host(h);

    domain_destroy(d);
    CHECK_EQ(h->total_avail_pages, base);
    /* Freed Xen-heap pages are dirty: scrubbed before reuse. */
    CHECK(h->node_need_scrub[0] >= 9);
    host_scrub_wait(h);
    CHECK(page_is_zero(h, mfn));
    check_host(h);
    host_destroy(h);
}

TEST(gnttab_entry_read_from_frame_bytes)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *d = new_domain(h, 1, 100);
    grant_entry_v1_t e, *frame;
    mfn_t mfn;

    REQUIRE(gnttab_get_shared_frame_mfn(d, 0, &mfn) == 0);
    frame = mfn_to_virt(h, mfn);
    CHECK_EQ(gnttab_get_entry_v1(d, GNTTAB_RESERVED_XENSTORE, &e), 0);
    CHECK_EQ(e.flags, 0);
    CHECK_EQ(e.domid, 0);
    CHECK_EQ(e.frame, 0);

    frame[GNTTAB_RESERVED_XENSTORE].flags = GTF_permit_access;
    frame[GNTTAB_RESERVED_XENSTORE].domid = 0;
    frame[GNTTAB_RESERVED_XENSTORE].frame = 0xfeffc;
    frame[511].flags = GTF_permit_access | GTF_readonly;
    frame[511].domid = 7;
    frame[511].frame = 0x1234;
    CHECK_EQ(gnttab_get_entry_v1(d, GNTTAB_RESERVED_XENSTORE, &e), 0);
    CHECK_EQ(e.flags, GTF_permit_access);
    CHECK_EQ(e.domid, 0);
    CHECK_EQ(e.frame, 0xfeffc);
    CHECK_EQ(gnttab_get_entry_v1(d, 511, &e), 0);
    CHECK_EQ(e.flags, GTF_permit_access | GTF_readonly);
    CHECK_EQ(e.domid, 7);
    CHECK_EQ(e.frame, 0x1234);

    /* One frame holds refs 0..511; 512 needs the table grown first. */
    CHECK_EQ(gnttab_get_entry_v1(d, 512, &e), -EINVAL);
    CHECK_EQ(gnttab_get_entry_v1(d, ~0U, &e), -EINVAL);
    REQUIRE(gnttab_get_shared_frame_mfn(d, 1, &mfn) == 0);
    ((grant_entry_v1_t *)mfn_to_virt(h, mfn))[0].frame = 42;
    CHECK_EQ(gnttab_get_entry_v1(d, 512, &e), 0);
    CHECK_EQ(e.frame, 42);
    check_host(h);
    host_destroy(h);
}

/* x86 gnttab_map_frame with a v1 table: the status bit is not an index. */
TEST(gnttab_map_frame_v1_rules)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 100);
    mfn_t mfn, m1;

    CHECK_EQ(gnttab_map_frame(d, XENMAPIDX_grant_table_status, _gfn(0x100),
                              &mfn), -EINVAL);
    CHECK_EQ(gnttab_map_frame(d, XENMAPIDX_grant_table_status | 1,
                              _gfn(0x100), &mfn), -EINVAL);
    CHECK_EQ(gnttab_nr_grant_frames(d), 1);
    CHECK_EQ(gnttab_map_frame(d, 64, _gfn(0x100), &mfn), -EINVAL);
    CHECK_EQ(gnttab_map_frame(d, 0, INVALID_GFN, &mfn), -EINVAL);
    CHECK_EQ(gnttab_map_frame(d, 1, _gfn(0x100), &mfn), 0);
    CHECK_EQ(gnttab_nr_grant_frames(d), 2);
    REQUIRE(gnttab_get_shared_frame_mfn(d, 1, &m1) == 0);
    CHECK_EQ(mfn_x(mfn), mfn_x(m1));
    /* 4.17 passes the index on as 32 bits: 2^32 + 1 is frame 1. */
    CHECK_EQ(gnttab_map_frame(d, (1UL << 32) | 1, _gfn(0x100), &mfn), 0);
    CHECK_EQ(mfn_x(mfn), mfn_x(m1));
    check_host(h);
    host_destroy(h);
}

TEST(gnttab_resource_sizes)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    int rc;
    struct domain *d = create(h, 1, 40, -1, XEN_DOMCTL_GRANT_version(1), &rc);

    REQUIRE(d && rc == 0);
    CHECK_EQ(gnttab_resource_max_frames(d, XENMEM_resource_grant_table_id_shared),
             40);
    /* v2-sized: 40 frames of 256 entries, 2048 status entries a frame. */
    CHECK_EQ(gnttab_resource_max_frames(d, XENMEM_resource_grant_table_id_status),
             5);
    CHECK_EQ(gnttab_resource_max_frames(d, 2), 0);
    CHECK_EQ(gnttab_resource_max_frames(h->hardware_domain,
                                        XENMEM_resource_grant_table_id_shared),
             64);
    host_destroy(h);
}
