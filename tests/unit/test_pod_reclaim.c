/*
 * PoD zero-page reclaim, as 4.17: the MRP ring's eager reclaim of 4K
 * pages and 2M chunks the guest populated but left zero, the emergency
 * sweep and its bound (XSA-150), and "out of PoD memory" crashing the
 * domain when nothing can be reclaimed.
 */
#include <errno.h>
#include <string.h>

#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"
#include "testpod.h"
#include <xen/sched.h>              /* SHUTDOWN_crash; needs the types above */

TEST(pod_eager_reclaim_zero_4k)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 1000);
    struct caller c;
    struct garena a;
    uint64_t v = 1;
    mfn_t m;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x100, 2, 0), 2);
    CHECK_EQ(set_pod_target(&c, &a, 1, 1), 0);
    CHECK_EQ(d->p2m->pod.count, 1);

    /* Read, never written: populated but zero. */
    CHECK_EQ(touch_read(d, 0x100, &v), 0);
    CHECK_EQ(v, 0);
    m = gfn_mfn(d, 0x100);
    CHECK_EQ(d->p2m->pod.count, 0);
    CHECK_EQ(d->p2m->pod.entry_count, 1);
    CHECK_EQ(d->p2m->pod.mrp.list[0], 0x100);
    check_host(h);

    /*
     * The next touch finds the cache empty: the ring gives 0x100 back
     * (zero), and its page backs 0x101.
     */
    CHECK_EQ(touch_write(d, 0x101, 0x55), 0);
    CHECK_EQ(gfn_type(d, 0x100, NULL), p2m_populate_on_demand);
    CHECK_EQ(gfn_type(d, 0x101, NULL), p2m_ram_rw);
    CHECK_EQ(mfn_x(gfn_mfn(d, 0x101)), mfn_x(m));
    CHECK_EQ(get_gpfn_from_mfn(h, m), 0x101);
    CHECK_EQ(d->p2m->pod.count, 0);
    CHECK_EQ(d->p2m->pod.entry_count, 1);
    CHECK_EQ(d->tot_pages, 1);
    CHECK_EQ(d->p2m->pod.mrp.list[0], INVALID_GFN_RAW);
    CHECK_EQ(d->p2m->pod.mrp.list[1], 0x101);
    check_pod_equations(d, 2);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_eager_reclaim_zero_superpage)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 2000);
    struct caller c;
    struct garena a;
    unsigned int o;
    uint64_t v;
    mfn_t m;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x200, 2, 9), 2);
    CHECK_EQ(set_pod_target(&c, &a, 1, 512), 0);
    CHECK_EQ(touch_read(d, 0x210, &v), 0);
    m = gfn_mfn(d, 0x200);
    CHECK_EQ(d->p2m->pod.mrp.list[0], 0x200 | (1UL << 63));
    CHECK_EQ(d->p2m->pod.count, 0);

    /* The whole zero 2M goes back as a 2M PoD entry and a 2M chunk. */
    CHECK_EQ(touch_write(d, 0x410, 9), 0);
    CHECK_EQ(gfn_type(d, 0x200, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 9);
    CHECK_EQ(gfn_type(d, 0x410, &o), p2m_ram_rw);
    CHECK_EQ(o, 9);
    CHECK_EQ(mfn_x(gfn_mfn(d, 0x400)), mfn_x(m));
    CHECK_EQ(d->p2m->pod.count, 0);
    CHECK_EQ(d->p2m->pod.entry_count, 512);
    check_pod_equations(d, 1024);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_eager_reclaim_splits_a_written_superpage)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 2000);
    struct caller c;
    struct garena a;
    unsigned int o;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x200, 1, 9), 1);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x1000, 1, 0), 1);
    CHECK_EQ(set_pod_target(&c, &a, 1, 512), 0);
    CHECK_EQ(touch_write(d, 0x205, 0xabc), 0);          /* one page not zero */
    CHECK_EQ(d->p2m->pod.count, 0);

    /* Eager reclaim: 2M check fails, 511 zero pages come back one by one. */
    CHECK_EQ(touch_write(d, 0x1000, 1), 0);
    CHECK_EQ(gfn_type(d, 0x205, &o), p2m_ram_rw);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0x204, &o), p2m_populate_on_demand);
    CHECK_EQ(o, 0);
    CHECK_EQ(gfn_type(d, 0x1000, NULL), p2m_ram_rw);
    CHECK_EQ(d->p2m->pod.count, 510);
    CHECK_EQ(d->p2m->pod.entry_count, 511);
    CHECK_EQ(d->tot_pages, 512);
    check_pod_equations(d, 513);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_out_of_memory_crashes_the_domain)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 1000);
    struct caller c;
    struct garena a;
    size_t pos = 0;
    uint64_t v;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x100, 2, 0), 2);
    CHECK_EQ(set_pod_target(&c, &a, 1, 1), 0);
    CHECK_EQ(touch_write(d, 0x100, 0xdead), 0);
    CHECK(!d->is_shutting_down);

    /* Nothing zero to reclaim: the guest overcommitted itself. */
    CHECK_EQ(touch_read(d, 0x101, &v), -ENOMEM);
    CHECK(d->is_shutting_down);
    CHECK_EQ(d->shutdown_code, SHUTDOWN_crash);
    CHECK(console_says(h, &pos, "p2m_pod_demand_populate: Dom1 out of PoD "
                       "memory! (tot=1 ents=1 dom1)"));
    pos = 0;
    CHECK(console_says(h, &pos, "d1: domain_crash"));
    /* The sweep went down to gfn 1 and starts over next time. */
    CHECK_EQ(d->p2m->pod.reclaim_single, 0);
    CHECK_EQ(gfn_type(d, 0x101, NULL), p2m_populate_on_demand);
    CHECK_EQ(d->p2m->pod.entry_count, 1);
    CHECK_EQ(touch_read(d, 0x100, &v), -ESRCH);      /* no vCPU runs now */
    check_host(h);

    domain_destroy(d);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_emergency_sweep_is_bounded)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 1000);
    struct caller c;
    struct garena a;
    xen_pfn_t l[64];
    unsigned long g;
    uint64_t v;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    /* 64 pages of ordinary, zero RAM at 0x100-0x13f. */
    for ( unsigned int i = 0; i < 64; i++ )
        l[i] = 0x100 + i;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 64, 0, 0),
             64);
    CHECK_EQ(pod_mark(&c, &a, 1, 0x1000, 2, 0), 2);
    /* populated 64: the cache is target - 64 = 1 page. */
    CHECK_EQ(set_pod_target(&c, &a, 1, 65), 0);
    CHECK_EQ(d->p2m->pod.count, 1);
    CHECK_EQ(touch_write(d, 0x1000, 0xbeef), 0);
    CHECK_EQ(d->p2m->pod.max_guest, 0x1000);

    /*
     * Cache empty, the ring has only 0x1000 (not zero): sweep down from
     * max_guest.  Past start - 1024 (0xc00) it stops at the first batch
     * of 16 that reclaimed something: 0x1000 and 0x13f-0x131 (15 zero).
     */
    CHECK_EQ(touch_read(d, 0x1001, &v), 0);
    CHECK_EQ(d->p2m->pod.reclaim_single, 0x130);
    for ( g = 0x131; g <= 0x13f; g++ )
        CHECK_EQ(gfn_type(d, g, NULL), p2m_populate_on_demand);
    for ( g = 0x100; g <= 0x130; g++ )
        CHECK_EQ(gfn_type(d, g, NULL), p2m_ram_rw);
    CHECK_EQ(gfn_type(d, 0x1000, NULL), p2m_ram_rw);
    CHECK_EQ(d->p2m->pod.count, 14);
    CHECK_EQ(d->p2m->pod.entry_count, 15);
    CHECK_EQ(d->tot_pages, 65);
    check_pod_equations(d, 66);
    check_host(h);

    /* The reclaimed gfns populate again, zero. */
    CHECK_EQ(touch_read(d, 0x135, &v), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(d->p2m->pod.count, 13);
    check_pod_equations(d, 66);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}
