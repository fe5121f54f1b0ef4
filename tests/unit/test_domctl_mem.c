/*
 * The paging mempool (XEN_DOMCTL_{get,set}_paging_mempool_size and the
 * pool an HVM domain gets at creation) and vNUMA (XEN_DOMCTL_setvnumainfo,
 * XENMEM_get_vnumainfo), through the dispatcher.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/memory.h>

#include "core/arch_domain.h"
#include "core/hypercall.h"
#include "core/p2m.h"
#include "harness/test.h"
#include "testhost.h"
#include "domctl_test.h"

static long pool_get(struct dctl *t, domid_t dom, uint64_t *size)
{
    long rc;

    memset(&t->op.u, 0, sizeof(t->op.u));
    rc = domctl(t, XEN_DOMCTL_get_paging_mempool_size, dom);
    *size = t->op.u.paging_mempool.size;
    return rc;
}

static long pool_set(struct dctl *t, domid_t dom, uint64_t size)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.paging_mempool.size = size;
    return domctl(t, XEN_DOMCTL_set_paging_mempool_size, dom);
}

/* The pool's free list: every page anonymous and in use; how many. */
static unsigned long pool_pages(struct host *h, struct domain *d)
{
    unsigned long n = 0;
    struct page_info *pg;

    for ( pg = page_list_first(h, &d->paging.freelist); pg;
          pg = page_list_next(h, pg) )
    {
        CHECK(page_get_owner(h, pg) == NULL);
        CHECK(!page_state_is(pg, free));
        n++;
    }
    return n;
}

TEST(domctl_paging_mempool_default_and_pv)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    long avail0 = h->total_avail_pages;
    struct dctl t;
    struct domain *hvm, *pv;
    uint64_t size = 0;

    dctl_init(&t, h->hardware_domain);
    hvm = dctl_create(&t, 1, true, 1);
    pv = dctl_create(&t, 2, false, 1);
    REQUIRE(hvm && pv);

    /*
     * HAP: 256 pages at creation, anonymous, not in tot_pages; the p2m's
     * root table is one of them (hap_enable, then p2m_alloc_table).
     */
    CHECK_EQ(pool_get(&t, 1, &size), 0);
    CHECK_EQ(size, 256 << 12);
    CHECK_EQ(hvm->paging.total_pages, 255);
    CHECK_EQ(hvm->paging.free_pages, 255);
    CHECK_EQ(hvm->paging.p2m_pages, 1);
    CHECK_EQ(hvm->p2m->tables, 1);
    CHECK_EQ(pool_pages(h, hvm), 255);
    CHECK_EQ(hvm->tot_pages, 0);
    /* ... besides both domains' shared_info and grant frame. */
    CHECK_EQ(h->total_avail_pages, avail0 - 256 - 4);

    /* PV: no pool. */
    CHECK_EQ(pv->paging.total_pages, 0);
    CHECK_EQ(pool_get(&t, 2, &size), -EOPNOTSUPP);
    CHECK_EQ(pool_set(&t, 2, 1 << 20), -EOPNOTSUPP);
    CHECK_EQ(pool_get(&t, 0, &size), -EOPNOTSUPP);        /* dom0 is PV */

    /* Not page-sized, or more pages than 32 bits: -EINVAL, unchanged. */
    CHECK_EQ(pool_set(&t, 1, (256 << 12) + 1), -EINVAL);
    CHECK_EQ(pool_set(&t, 1, 1ULL << 44), -EINVAL);
    CHECK_EQ(pool_get(&t, 1, &size), 0);
    CHECK_EQ(size, 256 << 12);

    /* Privilege and lookup. */
    CHECK_EQ(pool_get(&t, 9, &size), -ESRCH);
    dctl_as(&t, hvm);
    CHECK_EQ(pool_get(&t, 1, &size), -EPERM);
    CHECK_EQ(pool_set(&t, 1, 0), -EPERM);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_paging_mempool_resize_preempted)
{
    struct host *h = boot_tiny(2, 64ULL << 20);
    struct dctl t;
    struct domain *d;
    long avail0;
    uint64_t size;

    dctl_init(&t, h->hardware_domain);
    d = dctl_create(&t, 1, true, 2);
    REQUIRE(d);
    avail0 = h->total_avail_pages;

    /* Grow to 64 MiB, preempted every 1000 pages: 16 continuations. */
    t.c.preempt_every = 1000;
    CHECK_EQ(pool_set(&t, 1, 64ULL << 20), 0);
    CHECK_EQ(t.c.nr_continuations, 16);
    CHECK_EQ(pool_get(&t, 1, &size), 0);
    CHECK_EQ(size, 64ULL << 20);
    CHECK_EQ(d->paging.total_pages, 16383);         /* and the p2m's root */
    CHECK_EQ(d->paging.free_pages, 16383);
    CHECK_EQ(pool_pages(h, d), 16383);
    CHECK_EQ(h->total_avail_pages, avail0 - (16384 - 256));
    CHECK_EQ(d->tot_pages, 0);
    check_host(h);

    /* Shrink to 1 MiB, preempted after every page. */
    t.c.preempt_every = 1;
    t.c.nr_continuations = 0;
    CHECK_EQ(pool_set(&t, 1, 1ULL << 20), 0);
    CHECK_EQ(t.c.nr_continuations, 16384 - 256);
    CHECK_EQ(d->paging.total_pages, 255);
    CHECK_EQ(h->total_avail_pages, avail0);
    t.c.preempt_every = 0;

    /* Pages lent to the p2m count in the size and are not given back. */
    struct page_info *p2m_pg = paging_alloc_p2m_page(d);

    REQUIRE(p2m_pg);
    CHECK_EQ(d->paging.total_pages, 254);
    CHECK_EQ(d->paging.p2m_pages, 2);
    CHECK_EQ(pool_get(&t, 1, &size), 0);
    CHECK_EQ(size, 256 << 12);
    CHECK_EQ(pool_set(&t, 1, 3 << 12), 0);
    CHECK_EQ(d->paging.total_pages, 1);
    CHECK_EQ(d->paging.p2m_pages, 2);
    CHECK_EQ(pool_get(&t, 1, &size), 0);
    CHECK_EQ(size, 3 << 12);
    /* Below what the p2m holds: hap_set_allocation keeps those, rc 0. */
    CHECK_EQ(pool_set(&t, 1, 0), 0);
    CHECK_EQ(d->paging.total_pages, 0);
    CHECK_EQ(pool_get(&t, 1, &size), 0);
    CHECK_EQ(size, 2 << 12);
    paging_free_p2m_page(d, p2m_pg);
    CHECK_EQ(d->paging.total_pages, 1);
    CHECK_EQ(d->paging.free_pages, 1);
    CHECK_EQ(d->paging.p2m_pages, 1);
    CHECK_EQ(pool_set(&t, 1, 0), 0);
    CHECK_EQ(h->total_avail_pages, avail0 + 255);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_paging_mempool_enomem_and_claims)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct dctl t;
    struct domain *d;
    uint64_t size;
    long free_now;

    dctl_init(&t, h->hardware_domain);
    d = dctl_create(&t, 1, true, 1);
    REQUIRE(d);

    /* Claimed memory is not for the pool, even the claimant's own. */
    d->max_pages = 4096;
    free_now = h->total_avail_pages;
    CHECK_EQ(domain_set_outstanding_pages(d, free_now - 100, NUMA_NO_NODE), 0);
    CHECK_EQ(pool_set(&t, 1, (256 + 200) << 12), -ENOMEM);
    CHECK_EQ(d->paging.total_pages, 255 + 100);     /* no rollback */
    CHECK_EQ(d->outstanding_pages, free_now - 100);
    check_host(h);
    CHECK_EQ(domain_set_outstanding_pages(d, 0, NUMA_NO_NODE), 0);

    /* More than the host has: the pool takes all there is. */
    CHECK_EQ(pool_set(&t, 1, 64ULL << 20), -ENOMEM);
    CHECK_EQ(h->total_avail_pages, 0);
    CHECK_EQ(pool_get(&t, 1, &size), 0);
    CHECK_EQ(size, (uint64_t)(256 + free_now) << 12);
    check_host(h);

    /* Destroying the domain gives it all back, its Xen-heap pages too. */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 1), 0);
    CHECK_EQ(h->total_avail_pages, free_now + 256 + 2);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_paging_mempool_shadow)
{
    struct host *h = boot_tiny(2, 8ULL << 20);
    struct dctl t;
    struct domain *d;
    uint64_t size;

    dctl_init(&t, h->hardware_domain);
    dctl_config(&t.op.u.createdomain, true, 1);
    t.op.u.createdomain.flags = XEN_DOMCTL_CDF_hvm;      /* shadow paging */
    REQUIRE(domctl(&t, XEN_DOMCTL_createdomain, 1) == 0);
    d = peek_domain(h, 1);
    REQUIRE(d && !hap_enabled(d));
    /* shadow_enable: 1024 pages. */
    CHECK_EQ(pool_get(&t, 1, &size), 0);
    CHECK_EQ(size, 1024 << 12);
    /* A set never goes below sh_min_allocation: 128 per vCPU + 7. */
    CHECK_EQ(pool_set(&t, 1, 1 << 12), 0);
    CHECK_EQ(pool_get(&t, 1, &size), 0);
    CHECK_EQ(size, 135 << 12);
    CHECK_EQ(pool_set(&t, 1, 0), 0);
    CHECK_EQ(pool_get(&t, 1, &size), 0);
    CHECK_EQ(size, 0);
    check_host(h);
    host_destroy(h);
}

/* ------------------------------------------------------------------ */

struct vnuma_bufs {
    uint32_t vdistance[9];
    uint32_t vcpu_to_vnode[4];
    uint32_t vnode_to_pnode[3];
    xen_vmemrange_t vmemrange[3];
};

#define VB(field) ((uint64_t)BUF_GADDR + offsetof(struct vnuma_bufs, field))

static long setvnuma(struct dctl *t, domid_t dom, uint32_t nodes,
                     uint32_t ranges, uint32_t vcpus)
{
    struct xen_domctl_vnuma *v = &t->op.u.vnuma;

    memset(v, 0, sizeof(*v));
    v->nr_vnodes = nodes;
    v->nr_vmemranges = ranges;
    v->nr_vcpus = vcpus;
    set_xen_guest_handle(v->vdistance, (unsigned int *)VB(vdistance));
    set_xen_guest_handle(v->vcpu_to_vnode, (unsigned int *)VB(vcpu_to_vnode));
    set_xen_guest_handle(v->vnode_to_pnode, (unsigned int *)VB(vnode_to_pnode));
    set_xen_guest_handle(v->vmemrange, (xen_vmemrange_t *)VB(vmemrange));
    return domctl(t, XEN_DOMCTL_setvnumainfo, dom);
}

/* Two vnodes on pnodes 1 and 0, 2 vCPUs, two ranges. */
static void vnuma_fill(struct vnuma_bufs *b)
{
    static const uint32_t dist[4] = { 10, 21, 21, 10 };

    memset(b, 0, sizeof(*b));
    memcpy(b->vdistance, dist, sizeof(dist));
    b->vcpu_to_vnode[0] = 1;
    b->vcpu_to_vnode[1] = 0;
    b->vnode_to_pnode[0] = 1;
    b->vnode_to_pnode[1] = 0;
    b->vmemrange[0] = (xen_vmemrange_t){ 0, 1ULL << 20, 0, 0 };
    b->vmemrange[1] = (xen_vmemrange_t){ 1ULL << 20, 2ULL << 20, 0, 1 };
}

TEST(domctl_setvnumainfo)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct dctl t;
    struct vnuma_bufs b;
    struct domain *d;

    dctl_init(&t, h->hardware_domain);
    REQUIRE(guest_access_register(&t.ga, BUF_GADDR, &b, sizeof(b)) == 0);
    d = dctl_create(&t, 1, true, 2);
    REQUIRE(d);

    vnuma_fill(&b);
    CHECK_EQ(setvnuma(&t, 1, 2, 2, 2), 0);
    REQUIRE(d->vnuma);
    CHECK_EQ(d->vnuma->nr_vnodes, 2);
    CHECK_EQ(d->vnuma->nr_vmemranges, 2);
    CHECK_EQ(d->vnuma->vdistance[1], 21);
    CHECK_EQ(d->vnuma->vcpu_to_vnode[0], 1);
    CHECK_EQ(d->vnuma->vnode_to_pnode[0], 1);
    CHECK_EQ(d->vnuma->vnode_to_pnode[1], 0);
    CHECK_EQ(d->vnuma->vmemrange[1].start, 1ULL << 20);
    CHECK_EQ(d->vnuma->vmemrange[1].nid, 1);

    /* Each refusal leaves the installed topology alone. */
    CHECK_EQ(setvnuma(&t, 1, 2, 2, 3), -EINVAL);     /* nr_vcpus != max */
    t.op.u.vnuma.pad = 1;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setvnumainfo, 1), -EINVAL);
    CHECK_EQ(setvnuma(&t, 1, 0, 2, 2), -EINVAL);     /* no vnode */
    CHECK_EQ(setvnuma(&t, 1, 33, 0, 2), -EINVAL);    /* 33^2 > a page */
    CHECK_EQ(setvnuma(&t, 1, 2, 171, 2), -EINVAL);   /* 171 ranges > a page */
    b.vcpu_to_vnode[1] = 2;
    CHECK_EQ(setvnuma(&t, 1, 2, 2, 2), -E2BIG);
    vnuma_fill(&b);
    b.vnode_to_pnode[1] = 64;
    CHECK_EQ(setvnuma(&t, 1, 2, 2, 2), -E2BIG);
    vnuma_fill(&b);
    b.vmemrange[0].flags = 1;
    CHECK_EQ(setvnuma(&t, 1, 2, 2, 2), -EINVAL);
    vnuma_fill(&b);
    CHECK_EQ(setvnuma(&t, 1, 2, 4, 2), -EFAULT);     /* 4 ranges run off */
    /* vnode_to_pnode is read one entry at a time: the second is outside. */
    setvnuma(&t, 1, 2, 2, 3);
    set_xen_guest_handle(t.op.u.vnuma.vnode_to_pnode,
                         (unsigned int *)(BUF_GADDR + sizeof(b) - 4));
    t.op.u.vnuma.nr_vcpus = 2;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setvnumainfo, 1), -EFAULT);
    set_xen_guest_handle(t.op.u.vnuma.vcpu_to_vnode, (unsigned int *)0x7000);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setvnumainfo, 1), -EFAULT);
    CHECK_EQ(d->vnuma->nr_vnodes, 2);
    CHECK_EQ(d->vnuma->vnode_to_pnode[1], 0);

    /* A second valid set replaces the first: one vnode, no ranges. */
    b.vdistance[0] = 10;
    b.vcpu_to_vnode[0] = b.vcpu_to_vnode[1] = 0;
    b.vnode_to_pnode[0] = 0;
    CHECK_EQ(setvnuma(&t, 1, 1, 0, 2), 0);
    CHECK_EQ(d->vnuma->nr_vnodes, 1);
    CHECK_EQ(d->vnuma->nr_vmemranges, 0);

    dctl_as(&t, d);
    CHECK_EQ(setvnuma(&t, 1, 1, 0, 2), -EPERM);
    check_host(h);
    host_destroy(h);
}

#define TOPO_GADDR 0x300000ULL
#define OUT_GADDR  0x400000ULL

struct vnuma_out {
    uint32_t vdistance[9];
    uint32_t vcpu_to_vnode[4];
    xen_vmemrange_t vmemrange[3];
};

static long get_vnuma(struct dctl *t, struct xen_vnuma_topology_info *topo,
                      domid_t dom, unsigned int nodes, unsigned int vcpus,
                      unsigned int ranges)
{
    unsigned long args[6] = { XENMEM_get_vnumainfo, TOPO_GADDR, 0, 0, 0, 0 };

    memset(topo, 0, sizeof(*topo));
    topo->domid = dom;
    topo->nr_vnodes = nodes;
    topo->nr_vcpus = vcpus;
    topo->nr_vmemranges = ranges;
    set_xen_guest_handle(topo->vdistance.h,
                         (unsigned int *)(OUT_GADDR +
                                          offsetof(struct vnuma_out, vdistance)));
    set_xen_guest_handle(topo->vcpu_to_vnode.h,
                         (unsigned int *)(OUT_GADDR +
                                          offsetof(struct vnuma_out, vcpu_to_vnode)));
    set_xen_guest_handle(topo->vmemrange.h,
                         (xen_vmemrange_t *)(OUT_GADDR +
                                             offsetof(struct vnuma_out, vmemrange)));
    return hypercall_dispatch(&t->c, __HYPERVISOR_memory_op, args);
}

TEST(xenmem_get_vnumainfo)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct xen_vnuma_topology_info topo;
    struct dctl t;
    struct vnuma_bufs b;
    struct vnuma_out out;
    struct domain *d, *other;

    dctl_init(&t, h->hardware_domain);
    REQUIRE(guest_access_register(&t.ga, BUF_GADDR, &b, sizeof(b)) == 0);
    REQUIRE(guest_access_register(&t.ga, TOPO_GADDR, &topo, sizeof(topo)) == 0);
    REQUIRE(guest_access_register(&t.ga, OUT_GADDR, &out, sizeof(out)) == 0);
    d = dctl_create(&t, 1, true, 2);
    other = dctl_create(&t, 2, true, 1);
    REQUIRE(d && other);

    CHECK_EQ(get_vnuma(&t, &topo, 1, 4, 4, 3), -EOPNOTSUPP);  /* none yet */
    vnuma_fill(&b);
    REQUIRE(setvnuma(&t, 1, 2, 2, 2) == 0);

    /* Arrays too small: the sizes come back with -ENOBUFS. */
    CHECK_EQ(get_vnuma(&t, &topo, 1, 1, 4, 3), -ENOBUFS);
    CHECK_EQ(topo.nr_vnodes, 2);
    CHECK_EQ(topo.nr_vcpus, 2);
    CHECK_EQ(topo.nr_vmemranges, 2);

    memset(&out, 0xff, sizeof(out));
    CHECK_EQ(get_vnuma(&t, &topo, 1, 3, 4, 3), 0);
    CHECK_EQ(topo.nr_vnodes, 2);
    CHECK_EQ(topo.nr_vcpus, 2);
    CHECK_EQ(topo.nr_vmemranges, 2);
    CHECK_EQ(out.vdistance[0], 10);
    CHECK_EQ(out.vdistance[1], 21);
    CHECK_EQ(out.vdistance[3], 10);
    CHECK_EQ(out.vdistance[4], 0xffffffff);             /* untouched */
    CHECK_EQ(out.vcpu_to_vnode[0], 1);
    CHECK_EQ(out.vcpu_to_vnode[1], 0);
    CHECK_EQ(out.vcpu_to_vnode[2], 0xffffffff);
    CHECK_EQ(out.vmemrange[1].end, 2ULL << 20);
    CHECK_EQ(out.vmemrange[1].nid, 1);

    /* The guest itself may ask (DOMID_SELF); another guest may not. */
    dctl_as(&t, d);
    CHECK_EQ(get_vnuma(&t, &topo, DOMID_SELF, 2, 2, 2), 0);
    CHECK_EQ(topo.nr_vnodes, 2);
    dctl_as(&t, other);
    CHECK_EQ(get_vnuma(&t, &topo, 1, 2, 2, 2), -EPERM);
    dctl_as(&t, h->hardware_domain);

    CHECK_EQ(get_vnuma(&t, &topo, 9, 2, 2, 2), -ESRCH);
    get_vnuma(&t, &topo, 1, 2, 2, 2);
    topo.pad = 1;
    {
        unsigned long args[6] = { XENMEM_get_vnumainfo, TOPO_GADDR, 0, 0, 0, 0 };

        CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_memory_op, args), -EINVAL);
        args[1] = 0x7000;
        CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_memory_op, args), -EFAULT);
    }
    topo.pad = 0;
    set_xen_guest_handle(topo.vcpu_to_vnode.h, (unsigned int *)0x7000);
    {
        unsigned long args[6] = { XENMEM_get_vnumainfo, TOPO_GADDR, 0, 0, 0, 0 };

        CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_memory_op, args), -EFAULT);
    }
    check_host(h);
    host_destroy(h);
}

/* XEN_DOMCTL_shadow_op's allocation ops: the same pool, in MiB. */
static long shadow_op(struct dctl *t, domid_t dom, uint32_t op, uint32_t mb,
                      uint32_t *mb_out)
{
    long rc;

    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.shadow_op.op = op;
    t->op.u.shadow_op.mb = mb;
    rc = domctl(t, XEN_DOMCTL_shadow_op, dom);
    if ( mb_out )
        *mb_out = t->op.u.shadow_op.mb;
    return rc;
}

TEST(domctl_shadow_op_allocation)
{
    struct host *h = boot_tiny(2, 64ULL << 20);
    struct dctl t;
    struct domain *hvm;
    uint32_t mb = 0;
    uint64_t size = 0;

    dctl_init(&t, h->hardware_domain);
    hvm = dctl_create(&t, 1, true, 1);
    REQUIRE(hvm && dctl_create(&t, 2, false, 1));

    /* 256 pages at creation: 1 MiB. */
    CHECK_EQ(shadow_op(&t, 1, XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION, 0, &mb), 0);
    CHECK_EQ(mb, 1);
    CHECK_EQ(shadow_op(&t, 1, XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION, 9, &mb), 0);
    CHECK_EQ(mb, 9);
    CHECK_EQ(hvm->paging.total_pages + hvm->paging.p2m_pages, 9 * 256);
    CHECK_EQ(pool_get(&t, 1, &size), 0);
    CHECK_EQ(size, 9 << 20);
    /* GET rounds a partial MiB up, as hap_get_allocation. */
    CHECK_EQ(pool_set(&t, 1, (2 << 20) + 4096), 0);
    CHECK_EQ(shadow_op(&t, 1, XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION, 0, &mb), 0);
    CHECK_EQ(mb, 3);
    CHECK_EQ(shadow_op(&t, 1, XEN_DOMCTL_SHADOW_OP_OFF, 0, NULL), 0);
    CHECK_EQ(shadow_op(&t, 1, XEN_DOMCTL_SHADOW_OP_CLEAN, 0, NULL), -EINVAL);
    /* PV has no pool here; a domU may not (XSM_PRIV, before the op). */
    CHECK_EQ(shadow_op(&t, 2, XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION, 4, NULL),
             -EOPNOTSUPP);
    dctl_as(&t, hvm);
    CHECK_EQ(shadow_op(&t, 1, XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION, 0, NULL),
             -EPERM);
    dctl_as(&t, h->hardware_domain);
    check_host(h);
    host_destroy(h);
}
