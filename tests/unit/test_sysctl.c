/*
 * XEN_SYSCTL through the dispatcher, at the 4.17 ABI: interface version,
 * privilege, -EFAULT; physinfo and numainfo (Xen's num_nodes rules),
 * getdomaininfolist, cputopoinfo, availheap, readconsole and sched_id.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
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
    /* Claims not subtracted; dom0's and d's shared_info and grant frames are. */
    CHECK_EQ(op.u.physinfo.free_pages, 2043 - 4);
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
    CHECK_EQ(mi[0].memfree, (1023ULL - 2) << 12);   /* dom0's Xen-heap pages */
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

static void sysctl_init(struct xen_sysctl *op, uint32_t cmd)
{
    memset(op, 0, sizeof(*op));
    op->cmd = cmd;
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
}

TEST(sysctl_getdomaininfolist)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct guest_access ga = { 0 };
    struct caller c;
    struct xen_sysctl op;
    struct xen_domctl_getdomaininfo info[4];
    struct domain *d3;

    caller_init(&c, h->hardware_domain, &ga);
    REQUIRE(guest_access_register(&ga, OP_GADDR, &op, sizeof(op)) == 0);
    REQUIRE(guest_access_register(&ga, MEM_GADDR, info, sizeof(info)) == 0);
    new_domain(h, 7, 0);
    d3 = new_hvm_domain(h, 3, 100);
    new_domain(h, 1, 0);
    REQUIRE(alloc_domheap_pages(h, d3, 2, 0));

    /* Everything from 0, in id order. */
    memset(info, 0xff, sizeof(info));
    sysctl_init(&op, XEN_SYSCTL_getdomaininfolist);
    op.u.getdomaininfolist.first_domain = 0;
    op.u.getdomaininfolist.max_domains = 4;
    set_xen_guest_handle(op.u.getdomaininfolist.buffer,
                         (xen_domctl_getdomaininfo_t *)MEM_GADDR);
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.getdomaininfolist.num_domains, 4);
    CHECK_EQ(info[0].domain, 0);
    CHECK_EQ(info[1].domain, 1);
    CHECK_EQ(info[2].domain, 3);
    CHECK_EQ(info[3].domain, 7);
    /* The same fill as XEN_DOMCTL_getdomaininfo. */
    CHECK_EQ(info[2].tot_pages, 4);
    CHECK_EQ(info[2].max_pages, 100);
    CHECK_EQ(info[2].flags, XEN_DOMINF_paused | XEN_DOMINF_hvm_guest |
                            XEN_DOMINF_hap | 0xffff0000U);
    CHECK_EQ(info[2].max_vcpu_id, 0);
    CHECK_EQ(info[0].flags, XEN_DOMINF_running | 0xffff0000U);

    /* From 2, at most 1: just domain 3. */
    memset(info, 0xff, sizeof(info));
    op.u.getdomaininfolist.first_domain = 2;
    op.u.getdomaininfolist.max_domains = 1;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.getdomaininfolist.num_domains, 1);
    CHECK_EQ(info[0].domain, 3);
    CHECK_EQ(info[1].domain, 0xffff);

    /* Nothing at or above 8; max 0. */
    op.u.getdomaininfolist.first_domain = 8;
    op.u.getdomaininfolist.max_domains = 4;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.getdomaininfolist.num_domains, 0);
    op.u.getdomaininfolist.first_domain = 0;
    op.u.getdomaininfolist.max_domains = 0;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.getdomaininfolist.num_domains, 0);

    /* The fourth entry does not fit the buffer: -EFAULT, no copyback. */
    set_xen_guest_handle(op.u.getdomaininfolist.buffer,
                         (xen_domctl_getdomaininfo_t *)(MEM_GADDR + sizeof(info[0])));
    op.u.getdomaininfolist.max_domains = 4;
    op.u.getdomaininfolist.num_domains = 77;
    CHECK_EQ(sysctl(&c, OP_GADDR), -EFAULT);
    CHECK_EQ(op.u.getdomaininfolist.num_domains, 77);
    check_host(h);
    host_destroy(h);
}

TEST(sysctl_cputopoinfo)
{
    struct host *h = boot_preset("server-2s", NULL, NULL);
    const struct hostspec *hs = host_spec(h);
    unsigned int n = hs->nr_cpus, i;
    struct guest_access ga = { 0 };
    struct caller c;
    struct xen_sysctl op;
    struct xen_sysctl_cputopo *topo = calloc(n + 2, sizeof(*topo));

    REQUIRE(topo && n > 2);
    caller_init(&c, h->hardware_domain, &ga);
    REQUIRE(guest_access_register(&ga, OP_GADDR, &op, sizeof(op)) == 0);
    REQUIRE(guest_access_register(&ga, MEM_GADDR, topo,
                                  (n + 2) * sizeof(*topo)) == 0);

    /* A null handle: how many. */
    sysctl_init(&op, XEN_SYSCTL_cputopoinfo);
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.cputopoinfo.num_cpus, n);

    /* Room for more: all of them, num_cpus written back. */
    memset(topo, 0xff, (n + 2) * sizeof(*topo));
    op.u.cputopoinfo.num_cpus = n + 2;
    set_xen_guest_handle(op.u.cputopoinfo.cputopo,
                         (xen_sysctl_cputopo_t *)MEM_GADDR);
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.cputopoinfo.num_cpus, n);
    for ( i = 0; i < n; i++ )
    {
        CHECK_EQ(topo[i].core, hs->cpu[i].core);
        CHECK_EQ(topo[i].socket, hs->cpu[i].socket);
        CHECK_EQ(topo[i].node, hs->cpu[i].node);
    }
    CHECK_EQ(topo[n].core, 0xffffffff);
    CHECK_EQ(topo[n - 1].socket, 1);            /* two sockets */
    CHECK_EQ(topo[0].socket, 0);

    /* Room for 2: two filled. */
    memset(topo, 0xff, (n + 2) * sizeof(*topo));
    op.u.cputopoinfo.num_cpus = 2;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.cputopoinfo.num_cpus, 2);
    CHECK_EQ(topo[1].node, hs->cpu[1].node);
    CHECK_EQ(topo[2].node, 0xffffffff);

    /* An array running off the buffer. */
    op.u.cputopoinfo.num_cpus = n;
    set_xen_guest_handle(op.u.cputopoinfo.cputopo,
                         (xen_sysctl_cputopo_t *)(MEM_GADDR + 3 * sizeof(*topo)));
    CHECK_EQ(sysctl(&c, OP_GADDR), -EFAULT);
    free(topo);
    host_destroy(h);
}

TEST(sysctl_availheap)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct guest_access ga = { 0 };
    struct caller c;
    struct xen_sysctl op;
    struct host_numainfo n0, n1;

    caller_init(&c, h->hardware_domain, &ga);
    REQUIRE(guest_access_register(&ga, OP_GADDR, &op, sizeof(op)) == 0);
    host_get_numainfo(h, 0, &n0);
    host_get_numainfo(h, 1, &n1);

    sysctl_init(&op, XEN_SYSCTL_availheap);
    op.u.availheap.node = -1;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.availheap.avail_bytes, (uint64_t)h->total_avail_pages << 12);
    CHECK_EQ(op.u.availheap.avail_bytes, n0.memfree + n1.memfree);
    op.u.availheap.node = 0;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    /* Node 0 less dom0's shared_info and grant frame (its top two MFNs). */
    CHECK_EQ(op.u.availheap.avail_bytes, (1023ULL - 2) << 12);
    op.u.availheap.node = 1;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.availheap.avail_bytes, n1.memfree);
    /* Below 4 MiB (22 bits) is exactly node 0; below 2 MiB half of it. */
    op.u.availheap.node = -1;
    op.u.availheap.max_bitwidth = 22;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.availheap.avail_bytes, (1023ULL - 2) << 12);
    op.u.availheap.max_bitwidth = 21;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.availheap.avail_bytes, 511ULL << 12);
    /* From 4 MiB up: node 1 only. */
    op.u.availheap.min_bitwidth = 23;
    op.u.availheap.max_bitwidth = 0;
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.availheap.avail_bytes, n1.memfree);
    op.u.availheap.min_bitwidth = 0;
    op.u.availheap.node = 5;                    /* no such node */
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.availheap.avail_bytes, 0);
    host_destroy(h);
}

static long readconsole(struct caller *c, struct xen_sysctl *op, bool clear,
                        bool incremental, uint32_t index, uint32_t count)
{
    sysctl_init(op, XEN_SYSCTL_readconsole);
    op->u.readconsole.clear = clear;
    op->u.readconsole.incremental = incremental;
    op->u.readconsole.index = index;
    op->u.readconsole.count = count;
    set_xen_guest_handle(op->u.readconsole.buffer, (char *)MEM_GADDR);
    return sysctl(c, OP_GADDR);
}

TEST(sysctl_readconsole_and_sched_id)
{
    struct host *h = boot_tiny(1, 4ULL << 20);
    struct guest_access ga = { 0 };
    struct caller c;
    struct xen_sysctl op;
    char buf[256];
    uint32_t end;

    caller_init(&c, h->hardware_domain, &ga);
    REQUIRE(guest_access_register(&ga, OP_GADDR, &op, sizeof(op)) == 0);
    REQUIRE(guest_access_register(&ga, MEM_GADDR, buf, sizeof(buf)) == 0);
    REQUIRE(h->conring_prod == 0);              /* boot says nothing */
    printk(h, "first line\n");
    printk(h, "second line\n");

    /* Everything since boot (or the last clear), up to count. */
    memset(buf, 0, sizeof(buf));
    CHECK_EQ(readconsole(&c, &op, false, false, 0, sizeof(buf) - 1), 0);
    CHECK_EQ(op.u.readconsole.count, 23);
    CHECK_EQ(op.u.readconsole.index, 23);
    CHECK_CONTAINS(buf, "first line\nsecond line\n");
    end = op.u.readconsole.index;

    /* Incremental from an index: only what came after it. */
    printk(h, "third\n");
    memset(buf, 0, sizeof(buf));
    CHECK_EQ(readconsole(&c, &op, false, true, end, sizeof(buf) - 1), 0);
    CHECK_EQ(op.u.readconsole.count, 6);
    CHECK_STR(buf, "third\n");
    CHECK_EQ(op.u.readconsole.index, end + 6);
    /* An index outside the ring is ignored: from the start. */
    CHECK_EQ(readconsole(&c, &op, false, true, end + 100, sizeof(buf) - 1), 0);
    CHECK_EQ(op.u.readconsole.count, 29);

    /* A short buffer: count bytes, index where it stopped. */
    memset(buf, 0, sizeof(buf));
    CHECK_EQ(readconsole(&c, &op, false, true, end - 12, 6), 0);
    CHECK_EQ(op.u.readconsole.count, 6);
    CHECK_STR(buf, "second");
    CHECK_EQ(op.u.readconsole.index, end - 6);

    /* Clear: the next plain read starts after what was read. */
    CHECK_EQ(readconsole(&c, &op, true, false, 0, sizeof(buf) - 1), 0);
    CHECK_EQ(op.u.readconsole.count, 29);
    CHECK_EQ(readconsole(&c, &op, false, false, 0, sizeof(buf) - 1), 0);
    CHECK_EQ(op.u.readconsole.count, 0);
    printk(h, "fourth\n");
    memset(buf, 0, sizeof(buf));
    CHECK_EQ(readconsole(&c, &op, false, false, 0, sizeof(buf) - 1), 0);
    CHECK_STR(buf, "fourth\n");

    /* A buffer not the caller's. */
    sysctl_init(&op, XEN_SYSCTL_readconsole);
    op.u.readconsole.count = 16;
    set_xen_guest_handle(op.u.readconsole.buffer, (char *)0x7000);
    CHECK_EQ(sysctl(&c, OP_GADDR), -EFAULT);

    sysctl_init(&op, XEN_SYSCTL_sched_id);
    CHECK_EQ(sysctl(&c, OP_GADDR), 0);
    CHECK_EQ(op.u.sched_id.sched_id, XEN_SCHEDULER_CREDIT);
    host_destroy(h);
}
