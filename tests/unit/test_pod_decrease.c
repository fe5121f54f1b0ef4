/*
 * decrease_reservation over PoD and RAM, as 4.17: pod_done counts, the
 * cache stealing the pages being freed while it is short, the superpage
 * zero check, the cache shrinking to the outstanding entries - and the
 * XSA regressions: misaligned gfns for an order (388), special pages
 * never taken into the cache (507), the mark error path leaving the p2m
 * unlocked (30).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"
#include "testpod.h"

static long decrease(struct caller *c, struct garena *a, domid_t domid,
                     unsigned long gfn, unsigned int order)
{
    return resv1(c, a, XENMEM_decrease_reservation, domid, gfn, order, 0);
}

static long populate(struct caller *c, struct garena *a, domid_t domid,
                     unsigned long gfn, unsigned int order)
{
    return resv1(c, a, XENMEM_populate_physmap, domid, gfn, order, 0);
}

TEST(pod_decrease_all_pod_shrinks_cache)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct caller c;
    struct garena a;
    long free_pages = h->total_avail_pages;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x200, 1, 9), 1);
    CHECK_EQ(set_pod_target(&c, &a, 1, 512), 0);
    CHECK_EQ(d->tot_pages, 512);
    /* All PoD: invalid, 512 done; entries 0 < cache 512: the cache goes. */
    CHECK_EQ(decrease(&c, &a, 1, 0x200, 9), 1);
    CHECK_EQ(gfn_type(d, 0x300, NULL), p2m_invalid);
    CHECK_EQ(d->p2m->pod.entry_count, 0);
    CHECK_EQ(d->p2m->pod.count, 0);
    CHECK_EQ(d->tot_pages, 0);
    CHECK_EQ(h->total_avail_pages, free_pages);
    /* Nothing PoD left: decrease of a hole does nothing (-ENOENT). */
    CHECK_EQ(decrease(&c, &a, 1, 0x200, 0), 0);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_decrease_steals_ram_for_a_short_cache)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct caller c;
    struct garena a;
    long free_pages = h->total_avail_pages;
    mfn_t m;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x800, 1, 4), 1);      /* 16 entries */
    CHECK_EQ(set_pod_target(&c, &a, 1, 8), 0);
    for ( unsigned long g = 0x800; g < 0x804; g++ )
        CHECK_EQ(touch_write(d, g, g), 0);              /* not zero */
    CHECK_EQ(d->p2m->pod.count, 4);
    CHECK_EQ(d->p2m->pod.entry_count, 12);
    m = gfn_mfn(d, 0x802);
    check_pod_equations(d, 16);

    /*
     * entries 12 > cache 4: the 4 RAM pages are stolen (zeroed, into the
     * cache), the 12 PoD entries cleared; then entries 0 < cache 8, so
     * the cache is freed.  PoD dealt with all 16: nothing else freed.
     */
    CHECK_EQ(decrease(&c, &a, 1, 0x800, 4), 1);
    CHECK_EQ(d->p2m->pod.entry_count, 0);
    CHECK_EQ(d->p2m->pod.count, 0);
    CHECK_EQ(d->tot_pages, 0);
    CHECK_EQ(h->total_avail_pages, free_pages);
    CHECK(page_owner(h, m) == NULL);
    for ( unsigned long g = 0x800; g < 0x810; g++ )
        CHECK_EQ(gfn_type(d, g, NULL), p2m_invalid);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_decrease_mix_without_stealing)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct caller c;
    struct garena a;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x1000, 4, 0), 4);
    /* Nothing populated: the cache may exceed the entries. */
    CHECK_EQ(set_pod_target(&c, &a, 1, 10), 0);
    CHECK_EQ(populate(&c, &a, 1, 0x900, 1), 1);         /* 0x900-0x901 RAM */
    CHECK_EQ(pod_mark(&c, &a, 1, 0x902, 1, 1), 1);      /* 0x902-0x903 PoD */
    CHECK_EQ(d->p2m->pod.entry_count, 6);
    CHECK_EQ(d->tot_pages, 12);

    /* entries 6 <= cache 10: no stealing; PoD clears 2, RAM is freed. */
    CHECK_EQ(decrease(&c, &a, 1, 0x900, 2), 1);
    CHECK_EQ(d->p2m->pod.entry_count, 4);
    CHECK_EQ(d->p2m->pod.count, 4);                     /* shrunk to 4 */
    CHECK_EQ(d->tot_pages, 4);
    for ( unsigned long g = 0x900; g < 0x904; g++ )
        CHECK_EQ(gfn_type(d, g, NULL), p2m_invalid);

    /* Only RAM, no stealing: PoD does nothing, the pages are freed. */
    CHECK_EQ(populate(&c, &a, 1, 0xa00, 0), 1);
    CHECK_EQ(decrease(&c, &a, 1, 0xa00, 0), 1);
    CHECK_EQ(d->tot_pages, 4);
    CHECK_EQ(d->p2m->pod.count, 4);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_decrease_reclaims_the_zero_superpage)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct caller c;
    struct garena a;
    unsigned int o;
    mfn_t m;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(populate(&c, &a, 1, 0x600, 9), 1);
    m = gfn_mfn(d, 0x600);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x1000, 1, 0), 1);     /* short cache */

    /*
     * One 4K page of an all-zero 2M given back: the whole 2M goes to the
     * cache and becomes PoD, then the page is cleared.
     */
    CHECK_EQ(decrease(&c, &a, 1, 0x605, 0), 1);
    CHECK_EQ(gfn_type(d, 0x605, &o), p2m_invalid);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0x604, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0x7ff, NULL), p2m_populate_on_demand);
    CHECK_EQ(d->p2m->pod.count, 512);
    CHECK_EQ(d->p2m->pod.entry_count, 512);             /* 1 + 511 */
    CHECK_EQ(d->tot_pages, 512);
    CHECK_EQ(mfn_x(page_to_mfn(h, page_list_first(h, &d->p2m->pod.super))),
             mfn_x(m));
    CHECK_EQ(get_gpfn_from_mfn(h, m), INVALID_M2P_ENTRY);
    check_pod_equations(d, 512);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_xsa388_intermediate_order_into_cache)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct caller c;
    struct garena a;
    unsigned int o;
    mfn_t m;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(populate(&c, &a, 1, 0x600, 9), 1);
    m = gfn_mfn(d, 0x600);
    CHECK_EQ(touch_write(d, 0x7ff, 1), 0);              /* 2M not all zero */
    CHECK_EQ(pod_mark(&c, &a, 1, 0x1000, 1, 4), 1);     /* 16 entries */

    /* Order 3 out of a 2M leaf: 8 pages stolen as 8 cache singles. */
    CHECK_EQ(decrease(&c, &a, 1, 0x608, 3), 1);
    CHECK_EQ(d->p2m->pod.count, 8);
    CHECK(page_list_empty(&d->p2m->pod.super));
    CHECK_EQ(mfn_x(page_to_mfn(h, page_list_first(h, &d->p2m->pod.single))),
             mfn_x(m) + 8);
    CHECK_EQ(gfn_type(d, 0x608, &o), p2m_invalid);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0x607, &o), p2m_ram_rw);
    CHECK_EQ(mfn_x(gfn_mfn(d, 0x607)), mfn_x(m) + 7);
    CHECK_EQ(mfn_x(gfn_mfn(d, 0x610)), mfn_x(m) + 16);
    CHECK_EQ(d->tot_pages, 512);
    CHECK_EQ(d->p2m->pod.entry_count, 16);
    check_pod_equations(d, 512 - 8 + 16);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_xsa388_misaligned_gfn_for_order)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 1U << 16);
    struct caller c;
    struct garena a;
    unsigned int o;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);

    /* Mark at 0x2001 order 9: 512 4K entries 0x2001-0x2200, no 2M leaf. */
    CHECK_EQ(pod_mark(&c, &a, 1, 0x2001, 1, 9), 1);
    CHECK_EQ(d->p2m->pod.entry_count, 512);
    CHECK_EQ(gfn_type(d, 0x2000, NULL), p2m_mmio_dm);
    CHECK_EQ(gfn_type(d, 0x2001, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0x2200, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0x2201, NULL), p2m_mmio_dm);
    CHECK_EQ(d->p2m->nr_leaves[1], 0);
    check_host(h);

    /* Decrease at 0x1001 order 9 over two 2M PoD leaves: 512 4K pieces. */
    CHECK_EQ(pod_mark(&c, &a, 1, 0x1000, 1, 10), 1);
    CHECK_EQ(d->p2m->pod.entry_count, 512 + 1024);
    CHECK_EQ(decrease(&c, &a, 1, 0x1001, 9), 1);
    CHECK_EQ(d->p2m->pod.entry_count, 1024);
    CHECK_EQ(gfn_type(d, 0x1000, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0x1001, NULL), p2m_invalid);
    CHECK_EQ(gfn_type(d, 0x1200, NULL), p2m_invalid);
    CHECK_EQ(gfn_type(d, 0x1201, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0x1300, &o), p2m_populate_on_demand);
    check_host(h);

    /* Order 2 at 0x3006: chunks of order 1 (0x3006, 0x3008). */
    CHECK_EQ(pod_mark(&c, &a, 1, 0x3006, 1, 2), 1);
    CHECK_EQ(gfn_type(d, 0x3006, &o), p2m_populate_on_demand);
    CHECK_EQ(gfn_type(d, 0x3009, &o), p2m_populate_on_demand);
    CHECK_EQ(gfn_type(d, 0x300a, NULL), p2m_mmio_dm);
    CHECK_EQ(d->p2m->pod.entry_count, 1028);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

/* share_xen_page_with_guest, as the shared_info page is given to a guest. */
static void *share_xen_page(struct host *h, struct domain *d)
{
    void *v = alloc_xenheap_pages(h, 0, 0);
    struct page_info *pg;

    REQUIRE(v);
    pg = mfn_to_page(h, virt_to_mfn(h, v));
    share_xen_page_with_guest(pg, d);
    return v;
}

TEST(pod_xsa507_special_pages_never_cached)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct caller c;
    struct garena a;
    struct page_info *extra;
    void *xen;
    mfn_t mx, me, m2, m3;
    unsigned int tot;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    /* gfn 0x700: a PGC_extra page (vLAPIC-like), 0x701 a Xen-heap page. */
    extra = alloc_domheap_pages(h, d, 0, MEMF_no_refcount);
    REQUIRE(extra);
    me = page_to_mfn(h, extra);
    CHECK(extra->count_info & PGC_extra);
    CHECK_EQ(guest_physmap_add_page(d, 0x700, me, 0), 0);
    xen = share_xen_page(h, d);
    mx = virt_to_mfn(h, xen);
    CHECK_EQ(guest_physmap_add_page(d, 0x701, mx, 0), 0);
    CHECK_EQ(populate(&c, &a, 1, 0x702, 1), 1);         /* 0x702-0x703 RAM */
    m2 = gfn_mfn(d, 0x702);
    m3 = gfn_mfn(d, 0x703);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x1000, 1, 4), 1);     /* cache short */
    tot = d->tot_pages;
    check_host(h);

    /*
     * Stealing while giving back 0x700-0x703: only the two ordinary pages
     * go to the cache (4.17.7); the generic code frees the special ones.
     * 4.17.0 would have put the shared Xen-heap page in the cache.
     */
    CHECK_EQ(decrease(&c, &a, 1, 0x700, 2), 1);
    CHECK_EQ(d->p2m->pod.count, 2);
    CHECK_EQ(mfn_x(page_to_mfn(h, page_list_first(h, &d->p2m->pod.single))),
             mfn_x(m2));
    CHECK_EQ(mfn_x(page_to_mfn(h, page_list_last(h, &d->p2m->pod.single))),
             mfn_x(m3));
    CHECK_EQ(d->extra_pages, 0);                        /* freed by removal */
    CHECK_EQ(d->xenheap_pages, 2);          /* shared_info, grant frame left */
    CHECK(page_owner(h, me) == NULL);
    CHECK_EQ(d->tot_pages, tot - 1);
    CHECK_EQ(gfn_type(d, 0x700, NULL), p2m_invalid);
    CHECK_EQ(gfn_type(d, 0x701, NULL), p2m_invalid);
    check_host(h);
    free_xenheap_pages(h, xen, 0);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_xsa507_special_page_not_reclaimed_as_zero)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct caller c;
    struct garena a;
    struct page_info *extra;
    void *xen;
    uint64_t v;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    /* Zero special pages below the PoD gfns, where the sweep looks. */
    extra = alloc_domheap_pages(h, d, 0, MEMF_no_refcount);
    REQUIRE(extra);
    CHECK_EQ(guest_physmap_add_page(d, 0x50, page_to_mfn(h, extra), 0), 0);
    xen = share_xen_page(h, d);
    CHECK_EQ(guest_physmap_add_page(d, 0x51, virt_to_mfn(h, xen), 0), 0);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x100, 2, 0), 2);
    /* PGC_extra pages are not in domain_tot_pages: a 1-page cache. */
    CHECK_EQ(set_pod_target(&c, &a, 1, 1), 0);
    CHECK_EQ(d->p2m->pod.count, 1);
    CHECK_EQ(touch_write(d, 0x100, 1), 0);

    /* Sweep finds only special zero pages: out of PoD memory. */
    CHECK_EQ(touch_read(d, 0x101, &v), -ENOMEM);
    CHECK(d->is_shutting_down);
    CHECK_EQ(gfn_type(d, 0x50, NULL), p2m_ram_rw);
    CHECK_EQ(gfn_type(d, 0x51, NULL), p2m_ram_rw);
    CHECK_EQ(d->p2m->pod.count, 0);
    check_host(h);
    domain_destroy(d);
    free_xenheap_pages(h, xen, 0);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

static void *trylock_p2m(void *arg)
{
    struct p2m_domain *p2m = arg;
    long ok = pthread_mutex_trylock(&p2m->lock) == 0;

    if ( ok )
        pthread_mutex_unlock(&p2m->lock);
    return (void *)ok;
}

static bool p2m_unlocked(struct domain *d)
{
    pthread_t t;
    void *ok;

    REQUIRE(pthread_create(&t, NULL, trylock_p2m, d->p2m) == 0);
    pthread_join(t, &ok);
    return ok != NULL;
}

TEST(pod_xsa30_mark_busy_leaves_p2m_unlocked)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct caller c;
    struct garena a;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(populate(&c, &a, 1, 0x405, 0), 1);
    /* A RAM gfn inside the chunk: -EBUSY, nothing marked, lock dropped. */
    CHECK_EQ(guest_physmap_mark_populate_on_demand(d, 0x400, 4), -EBUSY);
    CHECK(p2m_unlocked(d));
    CHECK_EQ(pod_mark(&c, &a, 1, 0x400, 1, 9), 0);
    CHECK(p2m_unlocked(d));
    CHECK_EQ(d->p2m->pod.entry_count, 0);
    CHECK_EQ(gfn_type(d, 0x400, NULL), p2m_mmio_dm);
    /* Chunked: the misaligned head is marked before the busy chunk. */
    CHECK_EQ(guest_physmap_mark_populate_on_demand(d, 0x403, 2), -EBUSY);
    CHECK_EQ(gfn_type(d, 0x403, NULL), p2m_populate_on_demand);
    CHECK_EQ(gfn_type(d, 0x404, NULL), p2m_populate_on_demand);
    CHECK_EQ(gfn_type(d, 0x406, NULL), p2m_mmio_dm);
    CHECK_EQ(d->p2m->pod.entry_count, 2);
    CHECK(p2m_unlocked(d));
    /* PoD over PoD is fine and counted once. */
    CHECK_EQ(guest_physmap_mark_populate_on_demand(d, 0x403, 0), 0);
    CHECK_EQ(d->p2m->pod.entry_count, 2);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}
