/*
 * Populate-on-demand through the dispatcher, as 4.17: the boot sequence
 * xenguest's meminit_hvm runs, set/get_pod_target and their errors,
 * -ERESTART continuations giving identical results, first touches taking
 * 2M chunks, 4K pages and shattering 1G entries, PoD on PV domains and on
 * oneself, and the cache at domain destruction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"
#include "testpod.h"

/*
 * populate_physmap in nr extents of 2^order from gfn, as one call (PoD
 * flag set), the way xc_domain_populate_physmap_exact sends it.
 */
static long pod_populate(struct caller *c, struct garena *a, domid_t domid,
                         unsigned long gfn, unsigned int nr, unsigned int order)
{
    xen_pfn_t *l = calloc(nr, sizeof(*l));
    long rc;

    REQUIRE(l);
    for ( unsigned int i = 0; i < nr; i++ )
        l[i] = gfn + ((unsigned long)i << order);
    rc = memop_resv(c, a, true, XENMEM_populate_physmap, domid, l, nr, order,
                    XENMEMF_populate_on_demand);
    free(l);
    return rc;
}

/*
 * xenguest's meminit_hvm for one range [0, end) with a device model and
 * PoD (total > target): set_pod_target first, then 0x00-0x9F in 4K, skip
 * the VGA hole, then 1G / up to four 2M / up to 2048 4K extents per call.
 * Returns the pages marked.
 */
static unsigned long meminit_hvm_pod(struct caller *c, struct garena *a,
                                     domid_t domid, unsigned long end,
                                     unsigned long target, unsigned long vga)
{
    unsigned long cur = 0xc0, marked = 0;
    const unsigned long p1g = 1UL << 18, p2m = 1UL << 9;

    CHECK_EQ(set_pod_target(c, a, domid, target - vga), 0);
    CHECK_EQ(pod_populate(c, a, domid, 0, 0xa0, 0), 0xa0);
    marked += 0xa0;
    while ( cur < end )
    {
        unsigned long count = end - cur < p1g ? end - cur : p1g;
        long done;

        if ( (cur & (p1g - 1)) && count > p1g - (cur & (p1g - 1)) )
            count = p1g - (cur & (p1g - 1));
        if ( !(cur & (p1g - 1)) && !(count & (p1g - 1)) )
        {
            done = pod_populate(c, a, domid, cur, count >> 18, 18);
            CHECK(done > 0);
            cur += done << 18;
            count -= done << 18;
            marked += done << 18;
        }
        if ( count )
        {
            if ( count > 4 * p2m )
                count = 4 * p2m;
            if ( (cur & (p2m - 1)) && count > p2m - (cur & (p2m - 1)) )
                count = p2m - (cur & (p2m - 1));
            else if ( (count & (p2m - 1)) && count > p2m )
                count &= ~(p2m - 1);
            if ( !(cur & (p2m - 1)) && !(count & (p2m - 1)) )
            {
                done = pod_populate(c, a, domid, cur, count >> 9, 9);
                CHECK(done > 0);
                cur += done << 9;
                count -= done << 9;
                marked += done << 9;
            }
        }
        if ( count )
        {
            CHECK_EQ(pod_populate(c, a, domid, cur, count, 0), (long)count);
            cur += count;
            marked += count;
        }
    }
    return marked;
}

static unsigned long list_len(struct host *h, struct page_list_head *l)
{
    unsigned long n = 0;

    for ( struct page_info *pg = page_list_first(h, l); pg;
          pg = page_list_next(h, pg) )
        n++;
    return n;
}

TEST(pod_boot_sequence_as_xenguest)
{
    struct host *h = boot_tiny(2, 1 * GiB);
    const unsigned long total = 1UL << 18, target = 1UL << 17, vga = 0x20;
    struct domain *d = new_hvm_domain(h, 1, total + 256);
    struct caller c, g;
    struct garena a;
    xen_pod_target_t t;
    unsigned long balloon;
    unsigned int o;
    uint64_t v;
    mfn_t m;

    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);
    caller_init(&g, d, &a.ga);

    balloon = meminit_hvm_pod(&c, &a, 1, total, target, vga);
    CHECK_EQ(balloon, total - vga);             /* 0xA0-0xBF never marked */
    CHECK_EQ(pod_target_op(&c, &a, XENMEM_get_pod_target, 1, 0, &t), 0);
    CHECK_EQ(t.tot_pages, target - vga);        /* 131040: all cache */
    CHECK_EQ(t.pod_cache_pages, target - vga);
    CHECK_EQ(t.pod_entries, total - vga);       /* 262112 */
    /* 2M while >= 512 missing, then 4K: 255 chunks and 480 pages. */
    CHECK_EQ(list_len(h, &d->p2m->pod.super), 255);
    CHECK_EQ(list_len(h, &d->p2m->pod.single), 480);
    /* The 2M extents became 2M PoD leaves, the 4K ones 4K leaves. */
    CHECK_EQ(gfn_type(d, 0x200, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 9);
    CHECK_EQ(gfn_type(d, 0xc0, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0xa5, &o), p2m_mmio_dm);
    check_pod_equations(d, balloon);
    check_host(h);

    /* A 4K PoD gfn: one page from pod.single. */
    CHECK_EQ(touch_write(d, 0x10, 0x1234), 0);
    CHECK_EQ(touch_read(d, 0x10, &v), 0);
    CHECK_EQ(v, 0x1234);
    CHECK_EQ(gfn_type(d, 0x10, &o), p2m_ram_rw);
    CHECK_EQ(o, 0);
    CHECK_EQ(d->p2m->pod.count, target - vga - 1);
    CHECK_EQ(d->p2m->pod.entry_count, total - vga - 1);
    CHECK_EQ(get_gpfn_from_mfn(h, gfn_mfn(d, 0x10)), 0x10);

    /* Inside a 2M PoD leaf: a whole 2M chunk, mapped as one 2M leaf. */
    CHECK_EQ(touch_write(d, 0x345, 7), 0);
    CHECK_EQ(gfn_type(d, 0x345, &o), p2m_ram_rw);
    CHECK_EQ(o, 9);
    m = gfn_mfn(d, 0x200);
    CHECK_EQ(mfn_x(m) & 511, 0);
    CHECK_EQ(mfn_x(gfn_mfn(d, 0x345)), mfn_x(m) + 0x145);
    CHECK_EQ(get_gpfn_from_mfn(h, _mfn(mfn_x(m) + 0x145)), 0x345);
    CHECK_EQ(d->p2m->pod.count, target - vga - 1 - 512);
    CHECK_EQ(d->p2m->pod.entry_count, total - vga - 1 - 512);
    CHECK_EQ(d->p2m->nr_leaves[1], 1);
    CHECK_EQ(d->p2m->pod.max_guest, 0x345);
    /* The rest of the chunk reads as zero. */
    CHECK_EQ(touch_read(d, 0x3ff, &v), 0);
    CHECK_EQ(v, 0);

    /* The VGA hole and beyond the guest go to the device model. */
    CHECK_EQ(touch_read(d, 0xa5, &v), -EFAULT);
    CHECK_EQ(touch_read(d, total, &v), -EFAULT);

    /* More 4K touches. */
    for ( unsigned long gfn = 0x20; gfn < 0x30; gfn++ )
        CHECK_EQ(touch_write(d, gfn, gfn), 0);
    CHECK_EQ(populated(d), 1 + 512 + 16);
    CHECK_EQ(domain_tot_pages(d), target - vga);
    check_pod_equations(d, balloon);
    check_host(h);

    /*
     * The guest's balloon driver gives back 4 x 2M it never touched: all
     * PoD, so nothing is freed and the balloon shrinks.
     */
    {
        xen_pfn_t l[4] = { 0x20000, 0x20200, 0x20400, 0x20600 };

        CHECK_EQ(memop_resv(&g, &a, true, XENMEM_decrease_reservation,
                            DOMID_SELF, l, 4, 9, 0), 4);
    }
    balloon -= 2048;
    CHECK_EQ(gfn_type(d, 0x20400, &o), p2m_invalid);
    CHECK_EQ(d->p2m->pod.entry_count, balloon - (1 + 512 + 16));
    CHECK_EQ(domain_tot_pages(d), target - vga);
    check_pod_equations(d, balloon);
    CHECK_EQ(pod_target_op(&c, &a, XENMEM_get_pod_target, 1, 0, &t), 0);
    CHECK_EQ(t.pod_entries, balloon - 529);
    CHECK_EQ(t.pod_cache_pages, target - vga - 529);
    CHECK_EQ(t.tot_pages, target - vga);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_target_order_does_not_matter)
{
    /* Marking first and setting the target after gives the same cache. */
    struct host *h = boot_tiny(1, 256 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 1U << 16);
    struct caller c;
    struct garena a;
    xen_pod_target_t t;

    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(pod_mark(&c, &a, 1, 0, 64, 9), 64);        /* 32768 entries */
    CHECK_EQ(pod_target_op(&c, &a, XENMEM_set_pod_target, 1, 20000, &t), 0);
    CHECK_EQ(t.tot_pages, 20000);
    CHECK_EQ(t.pod_cache_pages, 20000);
    CHECK_EQ(t.pod_entries, 32768);
    CHECK_EQ(t.target_pages, 20000);
    /* Raising it grows the cache; lowering it never shrinks it. */
    CHECK_EQ(pod_target_op(&c, &a, XENMEM_set_pod_target, 1, 25000, &t), 0);
    CHECK_EQ(t.pod_cache_pages, 25000);
    CHECK_EQ(pod_target_op(&c, &a, XENMEM_set_pod_target, 1, 100, &t), 0);
    CHECK_EQ(t.pod_cache_pages, 25000);
    /* Once populated, the target is capped at the outstanding entries. */
    CHECK_EQ(touch_write(d, 5, 1), 0);                  /* 2M chunk */
    CHECK_EQ(pod_target_op(&c, &a, XENMEM_set_pod_target, 1, 60000, &t), 0);
    CHECK_EQ(t.pod_entries, 32768 - 512);
    CHECK_EQ(t.pod_cache_pages, 32768 - 512);
    CHECK_EQ(t.tot_pages, 32768);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_target_errors)
{
    struct host *h = boot_tiny(1, 256 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 10000);
    struct domain *big = new_hvm_domain(h, 3, 1U << 20);
    struct caller c, g;
    struct garena a;
    xen_pod_target_t t;
    uint64_t gp;
    size_t pos = 0;
    long free_pages;
    unsigned long pool;

    new_domain(h, 2, 100);                              /* PV */
    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    caller_init(&g, d, &a.ga);

    CHECK_EQ(set_pod_target(&c, &a, 7, 10), -ESRCH);
    CHECK_EQ(pod_target_op(&c, &a, XENMEM_get_pod_target, 7, 0, NULL), -ESRCH);
    CHECK_EQ(set_pod_target(&c, &a, 2, 10), -EINVAL);   /* PV */
    CHECK_EQ(pod_target_op(&c, &a, XENMEM_get_pod_target, 2, 0, NULL), -EINVAL);
    CHECK_EQ(set_pod_target(&c, &a, DOMID_SELF, 10), -EINVAL);  /* dom0 is PV */
    CHECK_EQ(set_pod_target(&c, &a, 1, 10001), -EINVAL);        /* > max */
    /* XSM_PRIV: not even the domain itself. */
    CHECK_EQ(set_pod_target(&g, &a, DOMID_SELF, 10), -EPERM);
    CHECK_EQ(pod_target_op(&g, &a, XENMEM_get_pod_target, 1, 0, NULL), -EPERM);
    /* Unmapped argument; a start_extent in cmd is not these ops. */
    CHECK_EQ(memop_raw(&c, XENMEM_set_pod_target, 0x1000), -EFAULT);
    gp = garena_alloc(&a, sizeof(t));
    memset(garena_ptr(&a, gp), 0, sizeof(t));
    CHECK_EQ(memop_raw(&c, XENMEM_get_pod_target | (1UL << 6), gp), -ENOSYS);
    CHECK_EQ(d->tot_pages, 0);

    CHECK_EQ(pod_target_op(&c, &a, XENMEM_get_pod_target, 1, 0, &t), 0);
    CHECK_EQ(t.tot_pages + t.pod_cache_pages + t.pod_entries, 0);
    CHECK_EQ(pod_target_op(&c, &a, XENMEM_set_pod_target, 1, 100, &t), 0);
    CHECK_EQ(t.tot_pages, 100);
    CHECK_EQ(t.pod_cache_pages, 100);
    CHECK_EQ(t.target_pages, 100);
    check_host(h);

    /* More than the host has: what fits stays, -ENOMEM, nothing copied back. */
    free_pages = h->total_avail_pages;
    CHECK_EQ(pod_target_op(&c, &a, XENMEM_set_pod_target, 3, 1U << 20, &t),
             -ENOMEM);
    CHECK_EQ(t.tot_pages, 0);
    CHECK_EQ(big->p2m->pod.count, free_pages);
    CHECK_EQ(h->total_avail_pages, 0);
    CHECK(console_says(h, &pos, "p2m_pod_set_cache_target: Unable to allocate "
                       "page for PoD cache (target=1048576 cache="));
    check_host(h);
    /* Its HAP pool goes back too, the pages its p2m holds included. */
    pool = big->paging.total_pages + big->paging.p2m_pages;
    CHECK_EQ(pool, 256);
    domain_destroy(big);
    /* ... and its shared_info and grant frame. */
    CHECK_EQ(h->total_avail_pages, (long)(free_pages + pool + 2));
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

struct pod_run {
    unsigned long nsuper, nsingle, cont;
    unsigned long super[256], single[512];
    unsigned long touched[4];
    xen_pod_target_t t;
};

static void record_lists(struct host *h, struct domain *d, struct pod_run *r)
{
    struct page_info *pg;

    r->nsuper = r->nsingle = 0;
    for ( pg = page_list_first(h, &d->p2m->pod.super); pg;
          pg = page_list_next(h, pg) )
        if ( r->nsuper < 256 )
            r->super[r->nsuper++] = mfn_x(page_to_mfn(h, pg));
    for ( pg = page_list_first(h, &d->p2m->pod.single); pg;
          pg = page_list_next(h, pg) )
        if ( r->nsingle < 512 )
            r->single[r->nsingle++] = mfn_x(page_to_mfn(h, pg));
}

static void pod_continuation_run(unsigned int preempt_every, bool mc,
                                 struct pod_run *r)
{
    struct host *h = boot_tiny(2, 512 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 200000);
    struct caller c;
    struct garena a;

    memset(r, 0, sizeof(*r));
    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);
    c.preempt_every = preempt_every;
    CHECK_EQ(pod_mark(&c, &a, 1, 0, 64, 12), 64);      /* 64 x 16M */
    c.nr_continuations = 0;
    if ( mc )
    {
        /* Inside a multicall: the entry itself is continued. */
        uint64_t tg = garena_alloc(&a, sizeof(xen_pod_target_t));
        uint64_t mg = garena_alloc(&a, sizeof(multicall_entry_t));
        xen_pod_target_t *t = garena_ptr(&a, tg);
        multicall_entry_t *m = garena_ptr(&a, mg);
        unsigned long args[6] = { mg, 1, 0, 0, 0, 0 };

        memset(t, 0, sizeof(*t));
        t->domid = 1;
        t->target_pages = 100037;
        memset(m, 0, sizeof(*m));
        m->op = __HYPERVISOR_memory_op;
        m->args[0] = XENMEM_set_pod_target;
        m->args[1] = tg;
        CHECK_EQ(hypercall_dispatch(&c, __HYPERVISOR_multicall, args), 0);
        CHECK_EQ((long)m->result, 0);
        r->t = *t;
    }
    else
        CHECK_EQ(pod_target_op(&c, &a, XENMEM_set_pod_target, 1, 100037,
                               &r->t), 0);
    r->cont = c.nr_continuations;
    record_lists(h, d, r);
    /* Touches take the same pages. */
    CHECK_EQ(touch_write(d, 0x1234, 1), 0);
    CHECK_EQ(touch_write(d, 0x3f000, 2), 0);
    r->touched[0] = mfn_x(gfn_mfn(d, 0x1234));
    r->touched[1] = mfn_x(gfn_mfn(d, 0x3f000));
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_set_target_continuation_identical)
{
    struct pod_run r0, r1, r2;

    pod_continuation_run(0, false, &r0);
    pod_continuation_run(1, false, &r1);
    pod_continuation_run(1, true, &r2);
    /* 195 chunks + 197 pages; every allocation but the last is preempted. */
    CHECK_EQ(r0.cont, 0);
    CHECK_EQ(r1.cont, 195 + 197 - 1);
    CHECK(r2.cont >= r1.cont);
    CHECK_EQ(r0.nsuper, 195);
    CHECK_EQ(r0.nsingle, 197);
    CHECK_EQ(r0.t.pod_cache_pages, 100037);
    CHECK_EQ(r0.t.pod_entries, 64UL << 12);
    CHECK_EQ(r0.t.tot_pages, 100037);
    CHECK(!memcmp(&r0, &r1, offsetof(struct pod_run, cont)));
    CHECK(!memcmp(r0.super, r1.super, sizeof(r0.super)));
    CHECK(!memcmp(r0.single, r1.single, sizeof(r0.single)));
    CHECK(!memcmp(r0.super, r2.super, sizeof(r0.super)));
    CHECK(!memcmp(r0.single, r2.single, sizeof(r0.single)));
    CHECK(!memcmp(r0.touched, r1.touched, sizeof(r0.touched)));
    CHECK(!memcmp(r0.touched, r2.touched, sizeof(r0.touched)));
    CHECK(!memcmp(&r0.t, &r1.t, sizeof(r0.t)));
    CHECK(!memcmp(&r0.t, &r2.t, sizeof(r0.t)));
}

TEST(pod_touch_2m_4k_fallback_and_1g)
{
    struct host *h = boot_tiny(1, 256 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 1U << 20);
    struct domain *d2 = new_hvm_domain(h, 2, 1U << 20);
    struct domain *d3 = new_hvm_domain(h, 3, 1U << 20);
    struct caller c;
    struct garena a;
    unsigned int o;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);

    CHECK_EQ(pod_mark(&c, &a, 1, 0x200, 2, 9), 2);     /* 0x200, 0x400 */
    CHECK_EQ(set_pod_target(&c, &a, 1, 600), 0);       /* 1 chunk + 88 */
    CHECK_EQ(touch_write(d, 0x234, 1), 0);
    CHECK_EQ(gfn_type(d, 0x234, &o), p2m_ram_rw);
    CHECK_EQ(o, 9);
    CHECK_EQ(d->p2m->pod.count, 88);
    CHECK_EQ(d->p2m->pod.entry_count, 512);
    /* No chunk left: the 2M entry becomes 512 4K PoD entries, one populated. */
    CHECK_EQ(touch_write(d, 0x456, 2), 0);
    CHECK_EQ(gfn_type(d, 0x456, &o), p2m_ram_rw);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0x457, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0x400, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 0);
    CHECK_EQ(d->p2m->pod.count, 87);
    CHECK_EQ(d->p2m->pod.entry_count, 511);
    check_pod_equations(d, 1024);
    check_host(h);

    /* A 4K request with only a chunk in the cache breaks the chunk. */
    CHECK_EQ(pod_mark(&c, &a, 2, 0x10, 1, 0), 1);
    CHECK_EQ(pod_mark(&c, &a, 2, 0x200, 1, 9), 1);
    CHECK_EQ(set_pod_target(&c, &a, 2, 512), 0);
    CHECK_EQ(list_len(h, &d2->p2m->pod.super), 1);
    CHECK_EQ(touch_write(d2, 0x10, 3), 0);
    CHECK_EQ(list_len(h, &d2->p2m->pod.super), 0);
    CHECK_EQ(list_len(h, &d2->p2m->pod.single), 511);
    CHECK_EQ(d2->p2m->pod.count, 511);
    check_host(h);

    /* 1G: shattered into 2M PoD entries, then a 2M chunk. */
    CHECK_EQ(pod_mark(&c, &a, 3, 0x40000, 1, 18), 1);
    CHECK_EQ(gfn_type(d3, 0x40000, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 18);
    CHECK_EQ(d3->p2m->pod.entry_count, 1L << 18);
    CHECK_EQ(set_pod_target(&c, &a, 3, 1024), 0);
    CHECK_EQ(touch_write(d3, 0x40123, 4), 0);
    CHECK_EQ(gfn_type(d3, 0x40123, &o), p2m_ram_rw);
    CHECK_EQ(o, 9);
    CHECK_EQ(gfn_type(d3, 0x40200, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 9);
    CHECK_EQ(gfn_type(d3, 0x7ffff, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 9);
    CHECK_EQ(d3->p2m->pod.entry_count, (1L << 18) - 512);
    CHECK_EQ(d3->p2m->pod.count, 512);
    check_pod_equations(d3, 1UL << 18);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_on_pv_and_on_oneself)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *pv = new_domain(h, 2, 100);
    struct domain *d = new_hvm_domain(h, 1, 1000);
    struct domain *other = new_hvm_domain(h, 3, 1000);
    struct caller c, g, o;
    struct garena a;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    caller_init(&g, d, &a.ga);
    caller_init(&o, other, &a.ga);

    /* XSA-14: PoD on a PV domain counts the extents as done, and no more. */
    CHECK_EQ(pod_mark(&c, &a, 2, 0x100, 4, 0), 4);
    CHECK_EQ(pod_mark(&c, &a, 2, 0x200, 2, 9), 2);
    CHECK_EQ(pv->tot_pages, 0);
    CHECK(!pv->is_shutting_down);
    CHECK_EQ(guest_physmap_mark_populate_on_demand(pv, 0, 0), -EINVAL);
    CHECK(!p2m_pod_active(pv));
    CHECK_EQ(resv1(&c, &a, XENMEM_decrease_reservation, 2, 0x100, 0, 0), 0);

    /* Not on oneself, by DOMID_SELF or by id. */
    CHECK_EQ(pod_mark(&g, &a, DOMID_SELF, 0x100, 4, 0), 0);
    CHECK_EQ(pod_mark(&g, &a, 1, 0x100, 4, 0), 0);
    CHECK_EQ(d->p2m->pod.entry_count, 0);
    CHECK_EQ(gfn_type(d, 0x100, NULL), p2m_mmio_dm);
    /* Nor by another guest (XSM_TARGET). */
    CHECK_EQ(pod_mark(&o, &a, 1, 0x100, 4, 0), 0);
    CHECK_EQ(d->p2m->pod.entry_count, 0);
    CHECK(!p2m_pod_active(d));
    CHECK_EQ(pod_mark(&c, &a, 1, 0x100, 4, 0), 4);
    CHECK(p2m_pod_active(d));
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_empty_cache_at_domain_destroy)
{
    struct host *h = boot_tiny(1, 256 * MiB);
    long free_pages = h->total_avail_pages;
    struct domain *d = new_hvm_domain(h, 1, 1U << 16);
    struct caller c;
    struct garena a;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(pod_mark(&c, &a, 1, 0, 4, 9), 4);
    CHECK_EQ(set_pod_target(&c, &a, 1, 1500), 0);      /* 2 chunks + 476 */
    CHECK_EQ(touch_write(d, 0x5, 1), 0);
    CHECK_EQ(touch_write(d, 0x205, 2), 0);
    CHECK_EQ(touch_write(d, 0x405, 3), 0);             /* 4K fallback */
    CHECK_EQ(d->p2m->pod.count, 1500 - 1024 - 1);
    CHECK_EQ(d->tot_pages, 1500);
    CHECK(h->total_avail_pages < free_pages);
    check_host(h);

    domain_destroy(d);
    CHECK_EQ(h->total_avail_pages, free_pages);
    check_host(h);

    /* And a domain that dies with a full cache and nothing populated. */
    d = new_hvm_domain(h, 1, 1U << 16);
    CHECK_EQ(pod_mark(&c, &a, 1, 0, 4, 9), 4);
    CHECK_EQ(set_pod_target(&c, &a, 1, 2000), 0);
    domain_kill(d);
    CHECK_EQ(d->tot_pages, 0);
    CHECK_EQ(d->p2m ? d->p2m->pod.count : 0, 0);
    /* Dying: the target is left alone. */
    CHECK_EQ(set_pod_target(&c, &a, 1, 100), 0);
    CHECK_EQ(d->tot_pages, 0);
    domain_destroy(d);
    CHECK_EQ(h->total_avail_pages, free_pages);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

/*
 * A target raised while nothing is populated is not capped at the
 * entries; once something is, the same target is capped and the cache
 * shrinks - preemptibly.  4.17 strands the rest of a 2M chunk when that
 * shrink is preempted; xenmm's result does not depend on preemption.
 */
static void pod_shrink_run(unsigned int preempt_every, long *out)
{
    struct host *h = boot_tiny(1, 256 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 1U << 16);
    struct caller c;
    struct garena a;
    xen_pod_target_t t;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(pod_mark(&c, &a, 1, 0, 2, 9), 2);         /* 1024 entries */
    CHECK_EQ(set_pod_target(&c, &a, 1, 2048), 0);      /* cache 2048 */
    CHECK_EQ(d->p2m->pod.count, 2048);
    CHECK_EQ(touch_write(d, 0x10, 1), 0);              /* one 2M chunk */
    c.preempt_every = preempt_every;
    CHECK_EQ(pod_target_op(&c, &a, XENMEM_set_pod_target, 1, 2048, &t), 0);
    CHECK_EQ(t.pod_cache_pages, 512);                  /* = entries */
    CHECK_EQ(t.pod_entries, 512);
    CHECK_EQ(t.tot_pages, 1024);
    check_pod_equations(d, 1024);
    check_host(h);
    out[0] = h->total_avail_pages;
    out[1] = (long)c.nr_continuations;
    /* 4.17's order: a chunk freed whole, then one broken up and freed. */
    CHECK_EQ(list_len(h, &d->p2m->pod.super), 1);
    CHECK(page_list_empty(&d->p2m->pod.single));
    out[2] = (long)mfn_x(page_to_mfn(h, page_list_first(h, &d->p2m->pod.super)));
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_set_target_shrink_preempted_identical)
{
    long r0[3], r1[3];

    pod_shrink_run(0, r0);
    pod_shrink_run(1, r1);
    CHECK_EQ(r0[1], 0);
    CHECK(r1[1] > 0);
    CHECK_EQ(r0[0], r1[0]);
    CHECK_EQ(r0[2], r1[2]);
}
