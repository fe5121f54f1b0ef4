/*
 * XEN_SYSCTL physinfo and numainfo through the dispatcher, at the 4.17
 * ABI: interface version, privilege, -EFAULT, and Xen's num_nodes rules.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/sysctl.h>

#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"

#define OP_GADDR   0x10000ULL
#define MEM_GADDR  0x20000ULL
#define DIST_GADDR 0x30000ULL

static long sysctl(struct caller *c, uint64_t gaddr)
{
    unsigned long args[6] = { gaddr, 0, 0, 0, 0, 0 };

    return hypercall_dispatch(c, __HYPERVISOR_sysctl, args);
}

TEST(sysctl_version_privilege_fault)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct guest_access ga = { 0 };
    struct caller c;
    struct xen_sysctl op;

    caller_init(&c, h->hardware_domain, &ga);
    REQUIRE(guest_access_register(&ga, OP_GADDR, &op, sizeof(op)) == 0);
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_SYSCTL_physinfo;
    op.interface_version = 0x16;               /* 4.21's */
    CHECK_EQ(sysctl(&c, OP_GADDR), -EACCES);
    op.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    CHECK_EQ(sysctl(&c, OP_GADDR + 8), -EFAULT);  /* runs off the buffer */
    CHECK_EQ(sysctl(&c, 0), -EFAULT);
    caller_init(&c, new_domain(h, 1, 0), &ga);
    CHECK_EQ(sysctl(&c, OP_GADDR), -EPERM);
    caller_init(&c, h->hardware_domain, &ga);
    op.cmd = 9999;
    CHECK_EQ(sysctl(&c, OP_GADDR), -ENOSYS);
    host_destroy(h);
}

TEST(sysctl_physinfo)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct domain *d = new_domain(h, 1, 2000);
    struct guest_access ga = { 0 };
    struct caller c;
    struct xen_sysctl op;

    caller_init(&c, h->hardware_domain, &ga);
    REQUIRE(guest_access_register(&ga, OP_GADDR, &op, sizeof(op)) == 0);
    CHECK_EQ(domain_set_outstanding_pages(d, 100, NUMA_NO_NODE), 0);
    memset(&op, 0xff, sizeof(op));
    op.cmd = XEN_SYSCTL_physinfo;
    op.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.physinfo.nr_nodes, 2);
    CHECK_EQ(op.u.physinfo.max_node_id, 63);     /* MAX_NUMNODES - 1, as Xen */
    CHECK_EQ(op.u.physinfo.nr_cpus, 2);
    CHECK_EQ(op.u.physinfo.max_cpu_id, 1);
    CHECK_EQ(op.u.physinfo.total_pages, 2048);
    CHECK_EQ(op.u.physinfo.free_pages, 2043);    /* claims not subtracted */
    CHECK_EQ(op.u.physinfo.outstanding_pages, 100);
    CHECK_EQ(op.u.physinfo.scrub_pages, 0);
    CHECK_EQ(op.u.physinfo.max_mfn, 2047);
    CHECK_EQ(op.u.physinfo.cpu_khz, 2000000);
    CHECK(op.u.physinfo.capabilities & XEN_SYSCTL_PHYSCAP_hvm);
    CHECK(op.u.physinfo.capabilities & XEN_SYSCTL_PHYSCAP_hap);
    host_destroy(h);
}

TEST(sysctl_numainfo)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct guest_access ga = { 0 };
    struct caller c;
    struct xen_sysctl op;
    struct xen_sysctl_meminfo mi[4];
    uint32_t dist[16];

    caller_init(&c, h->hardware_domain, &ga);
    REQUIRE(guest_access_register(&ga, OP_GADDR, &op, sizeof(op)) == 0);
    REQUIRE(guest_access_register(&ga, MEM_GADDR, mi, sizeof(mi)) == 0);
    REQUIRE(guest_access_register(&ga, DIST_GADDR, dist, sizeof(dist)) == 0);

    /* Null handles: just the number of nodes. */
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_SYSCTL_numainfo;
    op.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.numainfo.num_nodes, 2);

    /* Room for 4: two filled, num_nodes written back as 2. */
    op.u.numainfo.num_nodes = 4;
    set_xen_guest_handle(op.u.numainfo.meminfo, (xen_sysctl_meminfo_t *)MEM_GADDR);
    set_xen_guest_handle(op.u.numainfo.distance, (uint32_t *)DIST_GADDR);
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.numainfo.num_nodes, 2);
    CHECK_EQ(mi[0].memsize, 4ULL << 20);
    CHECK_EQ(mi[0].memfree, 1023ULL << 12);
    CHECK_EQ(mi[1].memfree, 1020ULL << 12);
    CHECK_EQ(dist[0], 10);
    CHECK_EQ(dist[1], 20);
    CHECK_EQ(dist[2], 20);
    CHECK_EQ(dist[3], 10);

    /* Room for 1: one node reported. */
    op.u.numainfo.num_nodes = 1;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.numainfo.num_nodes, 1);

    /* A meminfo array the buffer cannot hold: -EFAULT. */
    op.u.numainfo.num_nodes = 2;
    set_xen_guest_handle(op.u.numainfo.meminfo,
                         (xen_sysctl_meminfo_t *)(MEM_GADDR + sizeof(mi) - 16));
    CHECK_EQ(sysctl(&c, OP_GADDR), -EFAULT);
    host_destroy(h);
}
