/*
 * guest_access_gfn: what a vCPU's read or write does for each p2m type,
 * its argument errors, dying and crashed domains, PV frames, and reads of
 * untouched RAM staying untouched.  Also the PoD cache joining the 4K
 * blocks of a 2M it reclaims.
 */
#include <errno.h>
#include <string.h>

#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"
#include "testpod.h"
#include <xen/sched.h>              /* SHUTDOWN_crash; needs the types above */

static void set_type(struct domain *d, unsigned long gfn, mfn_t mfn,
                     p2m_type_t t)
{
    pthread_mutex_lock(&d->p2m->lock);
    CHECK_EQ(p2m_set_entry(d->p2m, gfn, mfn, 0, t), 0);
    pthread_mutex_unlock(&d->p2m->lock);
}

static bool ram_has_data(struct host *h, mfn_t mfn)
{
    uint64_t s = mfn_x(mfn) << PAGE_SHIFT, re;

    return os_ram_next_data(&h->ram, &s, s + PAGE_SIZE, &re);
}

TEST(guest_touch_by_p2m_type)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct caller c;
    struct garena a;
    uint64_t v;
    uint8_t page[PAGE_SIZE];
    mfn_t m, m2;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(resv1(&c, &a, XENMEM_populate_physmap, 1, 0x10, 2, 0), 1);
    m = gfn_mfn(d, 0x10);
    m2 = gfn_mfn(d, 0x11);

    /* Untouched RAM reads as zero and stays untouched. */
    CHECK(!ram_has_data(h, m));
    CHECK_EQ(guest_access_gfn(d, 0, 0x10, 0, false, page, PAGE_SIZE), 0);
    CHECK_EQ(page[0] | page[PAGE_SIZE - 1], 0);
    CHECK(!ram_has_data(h, m));

    /* ram_rw: bytes land in the page. */
    CHECK_EQ(touch_write(d, 0x10, 0x1122334455667788ULL), 0);
    CHECK_EQ(*(uint64_t *)mfn_to_virt(h, m), 0x1122334455667788ULL);
    CHECK_EQ(guest_access_gfn(d, 0, 0x10, 4092, true, "abcd", 4), 0);
    CHECK_EQ(guest_access_gfn(d, 0, 0x10, 4092, false, &v, 4), 0);
    CHECK(!memcmp(&v, "abcd", 4));

    /* ram_ro: reads, writes discarded. */
    set_type(d, 0x10, m, p2m_ram_ro);
    CHECK_EQ(touch_write(d, 0x10, 5), 0);
    CHECK_EQ(touch_read(d, 0x10, &v), 0);
    CHECK_EQ(v, 0x1122334455667788ULL);
    set_type(d, 0x11, m2, p2m_grant_map_ro);
    CHECK_EQ(touch_write(d, 0x11, 5), 0);
    CHECK_EQ(touch_read(d, 0x11, &v), 0);
    CHECK_EQ(v, 0);
    set_type(d, 0x11, m2, p2m_ram_rw);

    /* logdirty: a write makes the entry ram_rw again. */
    set_type(d, 0x10, m, p2m_ram_logdirty);
    CHECK_EQ(touch_read(d, 0x10, &v), 0);
    CHECK_EQ(gfn_type(d, 0x10, NULL), p2m_ram_logdirty);
    CHECK_EQ(touch_write(d, 0x10, 6), 0);
    CHECK_EQ(gfn_type(d, 0x10, NULL), p2m_ram_rw);
    CHECK_EQ(touch_read(d, 0x10, &v), 0);
    CHECK_EQ(v, 6);

    /* ioreq_server: reads are RAM, writes go to the ioreq server. */
    set_type(d, 0x10, m, p2m_ioreq_server);
    CHECK_EQ(touch_read(d, 0x10, &v), 0);
    CHECK_EQ(v, 6);
    CHECK_EQ(touch_write(d, 0x10, 7), -EFAULT);
    set_type(d, 0x10, m, p2m_ram_rw);

    /* Holes, removed gfns and emulated MMIO: the device model. */
    CHECK_EQ(touch_read(d, 0x5000, &v), -EFAULT);
    CHECK_EQ(touch_write(d, 0x14, 1), -EFAULT);
    CHECK_EQ(resv1(&c, &a, XENMEM_decrease_reservation, 1, 0x11, 0, 0), 1);
    CHECK_EQ(gfn_type(d, 0x11, NULL), p2m_invalid);
    CHECK_EQ(touch_read(d, 0x11, &v), -EFAULT);
    set_type(d, 0x20, m, p2m_mmio_direct);
    CHECK_EQ(touch_read(d, 0x20, &v), -EFAULT);
    set_type(d, 0x20, INVALID_MFN, p2m_invalid);

    /* Paging types: the vCPU waits for the pager. */
    set_type(d, 0x21, INVALID_MFN, p2m_ram_paged);
    CHECK_EQ(touch_read(d, 0x21, &v), -EAGAIN);
    set_type(d, 0x21, INVALID_MFN, p2m_ram_paging_in);
    CHECK_EQ(touch_write(d, 0x21, 1), -EAGAIN);
    set_type(d, 0x21, INVALID_MFN, p2m_invalid);

    /* Arguments. */
    CHECK_EQ(guest_access_gfn(d, 1, 0x10, 0, false, &v, 8), -EINVAL);
    CHECK_EQ(guest_access_gfn(d, 0, 0x10, 4090, false, &v, 8), -EINVAL);
    CHECK_EQ(guest_access_gfn(d, 0, 0x10, 4096, false, &v, 0), -EINVAL);
    CHECK(!d->is_shutting_down);
    check_host(h);

    /* A broken page crashes the domain; then no vCPU runs. */
    set_type(d, 0x22, m, p2m_ram_broken);
    CHECK_EQ(touch_read(d, 0x22, &v), -EFAULT);
    CHECK(d->is_shutting_down);
    CHECK_EQ(d->shutdown_code, SHUTDOWN_crash);
    CHECK_EQ(touch_read(d, 0x10, &v), -ESRCH);
    set_type(d, 0x22, INVALID_MFN, p2m_invalid);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(guest_touch_pv_and_dying)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *pv = new_domain(h, 2, 100);
    struct domain *d = new_hvm_domain(h, 1, 100);
    struct caller c;
    struct garena a;
    xen_pfn_t l[1] = { 0 };
    uint64_t v;
    int rc;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    REQUIRE(vcpu_create(pv, 0) == -EINVAL);             /* no vCPUs yet */
    CHECK_EQ(guest_access_gfn(pv, 0, 1, 0, false, &v, 8), -EINVAL);
    domain_destroy(pv);
    {
        struct xen_domctl_createdomain cfg = {
            .max_vcpus = 1, .max_grant_frames = -1, .max_maptrack_frames = -1,
            .grant_opts = XEN_DOMCTL_GRANT_version(1),   /* 0 is refused */
        };

        pv = domain_create(h, 2, &cfg, 0, &rc);
        REQUIRE(pv && !rc);
        REQUIRE(vcpu_create(pv, 0) == 0);
        pv->max_pages = 100;
    }
    /* PV: the frame is the MFN, and it must be the domain's. */
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_increase_reservation, 2, l, 1, 0,
                        0), 1);
    CHECK_EQ(guest_access_gfn(pv, 0, l[0], 8, true, "pv", 2), 0);
    CHECK_EQ(guest_access_gfn(pv, 0, l[0], 8, false, &v, 2), 0);
    CHECK(!memcmp(&v, "pv", 2));
    CHECK_EQ(guest_access_gfn(pv, 0, l[0] + 1, 0, false, &v, 8), -EFAULT);
    CHECK_EQ(guest_access_gfn(pv, 0, h->max_page, 0, false, &v, 8), -EFAULT);

    /* Dying: no vCPU runs. */
    CHECK_EQ(pod_mark(&c, &a, 1, 0, 1, 0), 1);
    domain_kill(d);
    CHECK_EQ(touch_read(d, 0, &v), -ESRCH);
    domain_destroy(d);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(pod_cache_joins_a_split_superpage)
{
    struct host *h = boot_tiny(1, 64 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct caller c;
    struct garena a;
    unsigned int k;
    mfn_t m;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(resv1(&c, &a, XENMEM_populate_physmap, 1, 0x600, 9, 0), 1);
    m = gfn_mfn(d, 0x600);
    /* Make every 4K page of the 2M its own block, as if mapped one by one. */
    for ( unsigned long i = 0; i < 512; i++ )
        split_domain_block(h, mfn_add(m, i), 0);
    inuse_block_head(h, mfn_add(m, 7), &k);
    CHECK_EQ(k, 0);
    check_host(h);

    CHECK_EQ(pod_mark(&c, &a, 1, 0x1000, 1, 0), 1);     /* short cache */
    CHECK_EQ(resv1(&c, &a, XENMEM_decrease_reservation, 1, 0x605, 0, 0), 1);
    CHECK_EQ(d->p2m->pod.count, 512);
    CHECK_EQ(mfn_x(page_to_mfn(h, page_list_first(h, &d->p2m->pod.super))),
             mfn_x(m));
    CHECK_EQ(inuse_block_head(h, mfn_add(m, 7), &k), mfn_to_page(h, m));
    CHECK_EQ(k, 9);
    check_host(h);

    /* And it populates a 2M PoD entry as one 2M. */
    CHECK_EQ(pod_mark(&c, &a, 1, 0x800, 1, 9), 1);
    CHECK_EQ(touch_write(d, 0x900, 1), 0);
    CHECK_EQ(mfn_x(gfn_mfn(d, 0x900)), mfn_x(m) + 0x100);
    check_host(h);
    domain_destroy(d);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}
