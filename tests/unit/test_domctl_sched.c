/*
 * The scheduler's domctls: vCPU hard/soft affinity with Xen's errors and
 * xenctl_bitmap handling, node affinity (automatic from the vCPUs, or
 * set), its effect on where the heap allocates, the initial placement of
 * vCPUs, credit's scheduler_op and getvcpuinfo.  The host is
 * boot_tiny(2, ...): CPU0 on node 0, CPU1 on node 1.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>

#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"
#include "domctl_test.h"

struct affbufs {
    uint8_t hard[16];
    uint8_t soft[16];
};

static void affbufs_init(struct dctl *t, struct affbufs *b)
{
    memset(b, 0, sizeof(*b));
    REQUIRE(guest_access_register(&t->ga, BUF_GADDR, b->hard, sizeof(b->hard)) == 0);
    REQUIRE(guest_access_register(&t->ga, BUF2_GADDR, b->soft, sizeof(b->soft)) == 0);
}

static long vcpuaff(struct dctl *t, uint32_t cmd, domid_t dom, uint32_t vcpu,
                    uint32_t flags, uint32_t nr_bits)
{
    struct xen_domctl_vcpuaffinity *a = &t->op.u.vcpuaffinity;

    memset(a, 0, sizeof(*a));
    a->vcpu = vcpu;
    a->flags = flags;
    set_xen_guest_handle(a->cpumap_hard.bitmap, (uint8_t *)BUF_GADDR);
    a->cpumap_hard.nr_bits = nr_bits;
    set_xen_guest_handle(a->cpumap_soft.bitmap, (uint8_t *)BUF2_GADDR);
    a->cpumap_soft.nr_bits = nr_bits;
    return domctl(t, cmd, dom);
}

static long set_hard(struct dctl *t, struct affbufs *b, domid_t dom,
                     uint32_t vcpu, uint8_t mask)
{
    b->hard[0] = mask;
    return vcpuaff(t, XEN_DOMCTL_setvcpuaffinity, dom, vcpu,
                   XEN_VCPUAFFINITY_HARD, 8);
}

static long set_soft(struct dctl *t, struct affbufs *b, domid_t dom,
                     uint32_t vcpu, uint8_t mask)
{
    b->soft[0] = mask;
    return vcpuaff(t, XEN_DOMCTL_setvcpuaffinity, dom, vcpu,
                   XEN_VCPUAFFINITY_SOFT, 8);
}

/* The node of each of n new pages of d; all on node, or -1. */
static int alloc_node(struct host *h, struct domain *d, unsigned int n)
{
    int node = -2;

    while ( n-- )
    {
        struct page_info *pg = alloc_domheap_pages(h, d, 0, 0);
        int nid;

        if ( !pg )
            return -3;
        nid = page_to_nid(h, pg);
        if ( node != -2 && nid != node )
            return -1;
        node = nid;
    }
    return node;
}

TEST(domctl_vcpuaffinity_errors)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct dctl t;
    struct affbufs b;
    struct domain *d;

    dctl_init(&t, h->hardware_domain);
    affbufs_init(&t, &b);
    dctl_config(&t.op.u.createdomain, true, 3);
    REQUIRE(domctl(&t, XEN_DOMCTL_createdomain, 1) == 0);
    d = peek_domain(h, 1);
    REQUIRE(d && vcpu_create(d, 0) == 0);

    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_setvcpuaffinity, 1, 3,
                     XEN_VCPUAFFINITY_HARD, 8), -EINVAL);
    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_getvcpuaffinity, 1, 3,
                     XEN_VCPUAFFINITY_HARD, 8), -EINVAL);
    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_setvcpuaffinity, 1, 1,
                     XEN_VCPUAFFINITY_HARD, 8), -ESRCH);
    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_getvcpuaffinity, 1, 2,
                     XEN_VCPUAFFINITY_HARD, 8), -ESRCH);
    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_setvcpuaffinity, 1, 0, 0, 8), -EINVAL);
    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_getvcpuaffinity, 1, 0, 0, 8), -EINVAL);

    /* A flag whose bitmap handle is null. */
    t.op.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_SOFT;
    set_xen_guest_handle(t.op.u.vcpuaffinity.cpumap_soft.bitmap, NULL);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setvcpuaffinity, 1), -EINVAL);

    /* A hard mask with no online CPU (CPU 2 does not exist). */
    CHECK_EQ(set_hard(&t, &b, 1, 0, 0x04), -EINVAL);
    CHECK_EQ(d->vcpu[0]->cpu_hard_affinity.bits[0], 3);
    CHECK_EQ(set_hard(&t, &b, 1, 0, 0x00), -EINVAL);

    /* A bitmap outside the caller's buffers. */
    t.op.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
    set_xen_guest_handle(t.op.u.vcpuaffinity.cpumap_hard.bitmap,
                         (uint8_t *)0x7000);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setvcpuaffinity, 1), -EFAULT);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getvcpuaffinity, 1), -EFAULT);
    CHECK_EQ(d->vcpu[0]->cpu_hard_affinity.bits[0], 3);

    /* A temporary pin in place: -EBUSY, until FORCE undoes it. */
    d->vcpu[0]->affinity_broken = true;
    CHECK_EQ(set_hard(&t, &b, 1, 0, 0x01), -EBUSY);
    CHECK_EQ(d->vcpu[0]->cpu_hard_affinity.bits[0], 3);
    b.hard[0] = 0x01;
    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_setvcpuaffinity, 1, 0,
                     XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_FORCE, 8), 0);
    CHECK(!d->vcpu[0]->affinity_broken);
    CHECK_EQ(d->vcpu[0]->cpu_hard_affinity.bits[0], 1);

    /* Only the control domain. */
    dctl_as(&t, d);
    CHECK_EQ(set_hard(&t, &b, 1, 0, 0x02), -EPERM);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_pinning_drives_node_affinity)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct dctl t;
    struct affbufs b;
    struct domain *d;

    dctl_init(&t, h->hardware_domain);
    affbufs_init(&t, &b);
    d = dctl_create(&t, 1, true, 2);
    REQUIRE(d);
    d->max_pages = 1000;
    CHECK_EQ(d->node_affinity, 3);
    CHECK(d->auto_node_affinity);
    CHECK_EQ(d->vcpu[0]->processor, 0);
    CHECK_EQ(d->vcpu[1]->processor, 1);

    /* Both vCPUs pinned to node 1's CPU: memory comes from node 1. */
    CHECK_EQ(set_hard(&t, &b, 1, 0, 0x02), 0);
    CHECK_EQ(b.hard[0], 0x02);                      /* effective hard */
    CHECK_EQ(d->node_affinity, 3);                  /* vCPU 1 still free */
    CHECK_EQ(d->vcpu[0]->processor, 1);             /* moved off CPU 0 */
    CHECK_EQ(set_hard(&t, &b, 1, 1, 0x02), 0);
    CHECK_EQ(d->node_affinity, 1U << 1);
    CHECK(d->auto_node_affinity);
    CHECK_EQ(alloc_node(h, d, 40), 1);
    check_host(h);

    /* Read back with 16 bits: the second byte is zeroed. */
    memset(&b, 0xff, sizeof(b));
    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_getvcpuaffinity, 1, 0,
                     XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT, 16), 0);
    CHECK_EQ(b.hard[0], 0x02);
    CHECK_EQ(b.hard[1], 0x00);
    CHECK_EQ(b.hard[2], 0xff);                      /* beyond nr_bits */
    CHECK_EQ(b.soft[0], 0x03);
    CHECK_EQ(b.soft[1], 0x00);

    /* Soft {0} outside hard {1}: effective soft empty, hard decides. */
    CHECK_EQ(set_soft(&t, &b, 1, 0, 0x01), 0);
    CHECK_EQ(b.soft[0], 0x00);
    CHECK_EQ(set_soft(&t, &b, 1, 1, 0x01), 0);
    CHECK_EQ(d->node_affinity, 1U << 1);
    /* Hard back to all: now soft {0} is usable and narrows to node 0. */
    CHECK_EQ(set_hard(&t, &b, 1, 0, 0x03), 0);
    /* Unions: hard {0,1} (vCPU 0) + {1}; soft {0}: node 0 alone. */
    CHECK_EQ(d->node_affinity, 1U << 0);
    CHECK_EQ(set_hard(&t, &b, 1, 1, 0x03), 0);
    CHECK_EQ(d->node_affinity, 1U << 0);
    CHECK_EQ(alloc_node(h, d, 40), 0);

    /* Both at once: hard {0}, soft {0,1} -> effective soft {0}. */
    b.hard[0] = 0x01;
    b.soft[0] = 0x03;
    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_setvcpuaffinity, 1, 1,
                     XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT, 8), 0);
    CHECK_EQ(b.hard[0], 0x01);
    CHECK_EQ(b.soft[0], 0x01);
    CHECK_EQ(d->vcpu[1]->processor, 0);

    /* A failing soft set rolls the hard one back. */
    b.hard[0] = 0x02;
    t.op.u.vcpuaffinity.vcpu = 1;
    t.op.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT;
    set_xen_guest_handle(t.op.u.vcpuaffinity.cpumap_hard.bitmap,
                         (uint8_t *)BUF_GADDR);
    t.op.u.vcpuaffinity.cpumap_hard.nr_bits = 8;
    set_xen_guest_handle(t.op.u.vcpuaffinity.cpumap_soft.bitmap,
                         (uint8_t *)0x7000);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setvcpuaffinity, 1), -EFAULT);
    CHECK_EQ(d->vcpu[1]->cpu_hard_affinity.bits[0], 0x01);
    CHECK_EQ(d->vcpu[1]->cpu_soft_affinity.bits[0], 0x03);

    /* nr_bits 1: only CPU 0 of the guest's 0xff is taken. */
    b.hard[0] = 0xff;
    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_setvcpuaffinity, 1, 0,
                     XEN_VCPUAFFINITY_HARD, 1), 0);
    CHECK_EQ(d->vcpu[0]->cpu_hard_affinity.bits[0], 0x01);
    CHECK_EQ(b.hard[0], 0x01);

    /*
     * Bits for CPUs the host lacks, within the guest's last byte, are
     * kept (Xen converts whole bytes) but never reported back.
     */
    b.hard[0] = 0xff;
    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_setvcpuaffinity, 1, 0,
                     XEN_VCPUAFFINITY_HARD, 8), 0);
    CHECK_EQ(d->vcpu[0]->cpu_hard_affinity.bits[0], 0xff);
    CHECK_EQ(b.hard[0], 0x03);
    b.hard[0] = 0;
    CHECK_EQ(vcpuaff(&t, XEN_DOMCTL_getvcpuaffinity, 1, 0,
                     XEN_VCPUAFFINITY_HARD, 8), 0);
    CHECK_EQ(b.hard[0], 0x03);
    check_host(h);
    host_destroy(h);
}

static long nodeaff(struct dctl *t, uint32_t cmd, domid_t dom, uint32_t nr_bits)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    set_xen_guest_handle(t->op.u.nodeaffinity.nodemap.bitmap,
                         (uint8_t *)BUF_GADDR);
    t->op.u.nodeaffinity.nodemap.nr_bits = nr_bits;
    return domctl(t, cmd, dom);
}

TEST(domctl_nodeaffinity)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct dctl t;
    struct affbufs b;
    struct domain *d;
    unsigned int i;

    dctl_init(&t, h->hardware_domain);
    affbufs_init(&t, &b);
    d = dctl_create(&t, 1, true, 2);
    REQUIRE(d);
    d->max_pages = 1000;

    /* Node 1 only: manual, and the allocator follows it. */
    b.hard[0] = 0x02;
    CHECK_EQ(nodeaff(&t, XEN_DOMCTL_setnodeaffinity, 1, 64), 0);
    CHECK(!d->auto_node_affinity);
    CHECK_EQ(d->node_affinity, 1U << 1);
    CHECK_EQ(alloc_node(h, d, 40), 1);
    /* Pinning the vCPUs elsewhere leaves a manual affinity alone. */
    CHECK_EQ(set_soft(&t, &b, 1, 0, 0x01), 0);
    CHECK_EQ(d->node_affinity, 1U << 1);

    /* Read back with 128 bits: 8 bytes of mask, 8 zeroed. */
    memset(b.hard, 0xff, sizeof(b.hard));
    CHECK_EQ(nodeaff(&t, XEN_DOMCTL_getnodeaffinity, 1, 128), 0);
    CHECK_EQ(b.hard[0], 0x02);
    for ( i = 1; i < 16; i++ )
        CHECK_EQ(b.hard[i], 0);

    /* No online node in the mask: -EINVAL, nothing changes. */
    memset(b.hard, 0, sizeof(b.hard));
    b.hard[0] = 0x20;
    CHECK_EQ(nodeaff(&t, XEN_DOMCTL_setnodeaffinity, 1, 64), -EINVAL);
    CHECK_EQ(nodeaff(&t, XEN_DOMCTL_setnodeaffinity, 1, 0), -EINVAL);
    CHECK_EQ(d->node_affinity, 1U << 1);
    CHECK(!d->auto_node_affinity);

    /* {0,1} in 8 bits is not "full": still manual. */
    b.hard[0] = 0x03;
    CHECK_EQ(nodeaff(&t, XEN_DOMCTL_setnodeaffinity, 1, 8), 0);
    CHECK(!d->auto_node_affinity);
    CHECK_EQ(d->node_affinity, 3);

    /* All 64 bits: back to automatic, recomputed from the vCPUs. */
    memset(b.hard, 0xff, 8);
    CHECK_EQ(set_soft(&t, &b, 1, 1, 0x01), 0);
    CHECK_EQ(nodeaff(&t, XEN_DOMCTL_setnodeaffinity, 1, 64), 0);
    CHECK(d->auto_node_affinity);
    CHECK_EQ(d->node_affinity, 1U << 0);

    /* Faults and privilege. */
    memset(&t.op.u, 0, sizeof(t.op.u));
    set_xen_guest_handle(t.op.u.nodeaffinity.nodemap.bitmap, (uint8_t *)0x7000);
    t.op.u.nodeaffinity.nodemap.nr_bits = 64;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setnodeaffinity, 1), -EFAULT);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getnodeaffinity, 1), -EFAULT);
    dctl_as(&t, d);
    CHECK_EQ(nodeaff(&t, XEN_DOMCTL_getnodeaffinity, 1, 64), -EPERM);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_initial_vcpu_placement)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct dctl t;
    struct affbufs b;
    struct domain *d;
    unsigned int i;

    dctl_init(&t, h->hardware_domain);
    affbufs_init(&t, &b);
    dctl_config(&t.op.u.createdomain, true, 4);
    REQUIRE(domctl(&t, XEN_DOMCTL_createdomain, 1) == 0);
    d = peek_domain(h, 1);
    REQUIRE(d);
    /* Node affinity set before the vCPUs exist: they start on node 1. */
    b.hard[0] = 0x02;
    CHECK_EQ(nodeaff(&t, XEN_DOMCTL_setnodeaffinity, 1, 64), 0);
    CHECK_EQ(d->node_affinity, 1U << 1);
    t.op.u.max_vcpus.max = 4;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_vcpus, 1), 0);
    for ( i = 0; i < 4; i++ )
        CHECK_EQ(d->vcpu[i]->processor, 1);
    CHECK_EQ(d->node_affinity, 1U << 1);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_scheduler_op_credit)
{
    struct host *h = boot_tiny(1, 4ULL << 20);
    struct xen_domctl_scheduler_op *s;
    struct dctl t;
    struct domain *d;

    dctl_init(&t, h->hardware_domain);
    s = &t.op.u.scheduler_op;
    d = dctl_create(&t, 1, false, 2);
    REQUIRE(d);

    memset(&t.op.u, 0, sizeof(t.op.u));
    s->sched_id = XEN_SCHEDULER_CREDIT;
    s->cmd = XEN_DOMCTL_SCHEDOP_getinfo;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_scheduler_op, 1), 0);
    CHECK_EQ(s->u.credit.weight, 256);
    CHECK_EQ(s->u.credit.cap, 0);

    s->cmd = XEN_DOMCTL_SCHEDOP_putinfo;
    s->u.credit.weight = 512;
    s->u.credit.cap = 150;      /* credit1 does not bound the cap */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_scheduler_op, 1), 0);
    CHECK_EQ(d->sched_weight, 512);
    CHECK_EQ(d->sched_cap, 150);
    /* Weight 0 and cap 0xffff leave each as it is. */
    s->u.credit.weight = 0;
    s->u.credit.cap = 0xffff;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_scheduler_op, 1), 0);
    CHECK_EQ(d->sched_weight, 512);
    CHECK_EQ(d->sched_cap, 150);
    s->u.credit.weight = 65535;
    s->u.credit.cap = 0;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_scheduler_op, 1), 0);
    s->cmd = XEN_DOMCTL_SCHEDOP_getinfo;
    s->u.credit.weight = s->u.credit.cap = 1;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_scheduler_op, 1), 0);
    CHECK_EQ(s->u.credit.weight, 65535);
    CHECK_EQ(s->u.credit.cap, 0);

    /* Another scheduler's id, per-vCPU and unknown commands: -EINVAL. */
    s->sched_id = XEN_SCHEDULER_CREDIT2;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_scheduler_op, 1), -EINVAL);
    s->sched_id = XEN_SCHEDULER_CREDIT;
    s->cmd = XEN_DOMCTL_SCHEDOP_putvcpuinfo;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_scheduler_op, 1), -EINVAL);
    s->cmd = XEN_DOMCTL_SCHEDOP_getvcpuinfo;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_scheduler_op, 1), -EINVAL);
    s->cmd = 7;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_scheduler_op, 1), -EINVAL);
    CHECK_EQ(d->sched_weight, 65535);
    dctl_as(&t, d);
    s->cmd = XEN_DOMCTL_SCHEDOP_getinfo;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_scheduler_op, 1), -EPERM);
    host_destroy(h);
}

TEST(domctl_getvcpuinfo)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct xen_domctl_getvcpuinfo *vi;
    struct dctl t;
    struct domain *d;

    dctl_init(&t, h->hardware_domain);
    vi = &t.op.u.getvcpuinfo;
    dctl_config(&t.op.u.createdomain, true, 3);
    REQUIRE(domctl(&t, XEN_DOMCTL_createdomain, 1) == 0);
    d = peek_domain(h, 1);
    REQUIRE(d && vcpu_create(d, 0) == 0 && vcpu_create(d, 1) == 0);

    vi->vcpu = 3;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getvcpuinfo, 1), -EINVAL);
    vi->vcpu = 2;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getvcpuinfo, 1), -ESRCH);
    memset(vi, 0xff, sizeof(*vi));
    vi->vcpu = 1;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getvcpuinfo, 1), 0);
    CHECK_EQ(vi->online, 0);
    CHECK_EQ(vi->blocked, 0);
    CHECK_EQ(vi->running, 0);
    CHECK_EQ(vi->cpu_time, 0);
    CHECK_EQ(vi->cpu, 1);

    /* Up, but the domain is paused: online, not running. */
    d->vcpu[1]->pause_flags = 0;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getvcpuinfo, 1), 0);
    CHECK_EQ(vi->online, 1);
    CHECK_EQ(vi->running, 0);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_unpausedomain, 1), 0);
    vi->vcpu = 1;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getvcpuinfo, 1), 0);
    CHECK_EQ(vi->running, 1);
    d->vcpu[1]->pause_flags = VPF_blocked;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getvcpuinfo, 1), 0);
    CHECK_EQ(vi->blocked, 1);
    CHECK_EQ(vi->running, 0);

    /* dom0's vCPUs run where they were placed. */
    vi->vcpu = 1;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getvcpuinfo, 0), 0);
    CHECK_EQ(vi->online, 1);
    CHECK_EQ(vi->running, 1);
    CHECK_EQ(vi->cpu, 1);
    host_destroy(h);
}
