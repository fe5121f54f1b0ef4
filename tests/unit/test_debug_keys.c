/*
 * XEN_SYSCTL_debug_keys and the console ring's size: debug key 'D' prints
 * every HAP domain's p2m leaf by leaf (Xen's ept_dump_p2m_table), which
 * `xl debug-keys D; xl dmesg` shows and the domain-builder tests read;
 * 'u' each domain's pages per node (dump_numa) and 'H' the free heap and
 * the pages to scrub (dump_heap), which `xenmm run` reads.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/sysctl.h>
#include <xen/memory.h>

#include "core/hypercall.h"
#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"

static long debug_keys(struct caller *c, struct garena *a, const char *keys,
                       uint32_t nr)
{
    uint64_t op_g = garena_alloc(a, sizeof(struct xen_sysctl));
    uint64_t k_g = garena_alloc(a, nr ? nr : 1);
    struct xen_sysctl *op = garena_ptr(a, op_g);
    unsigned long args[6] = { op_g, 0, 0, 0, 0, 0 };

    memset(op, 0, sizeof(*op));
    op->cmd = XEN_SYSCTL_debug_keys;
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    memcpy(garena_ptr(a, k_g), keys, nr);
    set_xen_guest_handle(op->u.debug_keys.keys, (char *)(uintptr_t)k_g);
    op->u.debug_keys.nr_keys = nr;
    return hypercall_dispatch(c, __HYPERVISOR_sysctl, args);
}

/* Everything printed since *pos (NUL-terminated, malloc'ed). */
static char *console_since(struct host *h, size_t *pos)
{
    char *buf = calloc(1, h->conring_size + 1);
    size_t n;

    REQUIRE(buf);
    n = console_read(h, pos, buf, h->conring_size);
    buf[n] = '\0';
    return buf;
}

static unsigned int count_lines(const char *s, const char *prefix)
{
    unsigned int n = 0;
    size_t len = strlen(prefix);

    for ( ; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL )
        if ( !strncmp(s, prefix, len) )
            n++;
    return n;
}

TEST(debug_key_D_dumps_hap_p2m)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct garena a;
    struct caller c;
    xen_pfn_t list[0xa0];
    char want[128], *out;
    size_t pos;
    p2m_type_t t;
    unsigned int i, order;
    mfn_t mfn;

    new_domain(h, 2, 16);               /* PV: not dumped */
    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);
    for ( i = 0; i < 0xa0; i++ )
        list[i] = i;
    REQUIRE(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, list, 0xa0,
                       0, 0) == 0xa0);
    list[0] = 0x200;
    REQUIRE(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, list, 1,
                       9, 0) == 1);
    list[0] = 0x400;
    REQUIRE(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, list, 1, 9,
                       XENMEMF_populate_on_demand) == 1);

    pos = h->conring_prod;
    CHECK_EQ(debug_keys(&c, &a, "D", 1), 0);
    out = console_since(h, &pos);
    CHECK(strstr(out, "\ndomain1 EPT p2m table:\n") != NULL);
    CHECK(strstr(out, "domain2") == NULL);
    CHECK_EQ(count_lines(out, "gfn: "), 0xa0 + 2);
    CHECK_EQ(count_lines(out, "gfn: "), d->p2m->nr_leaves[0] +
             d->p2m->nr_leaves[1] + 1);

    /* Leaves print as Xen's, with the MFN the p2m holds. */
    mfn = p2m_get_entry(d->p2m, 0x9f, &t, &order);
    snprintf(want, sizeof(want), "gfn: %13lx order: %2u mfn: %13lx rwx WB!\n",
             0x9fUL, 0, mfn_x(mfn));
    CHECK(strstr(out, want) != NULL);
    mfn = p2m_get_entry(d->p2m, 0x200, &t, &order);
    CHECK_EQ(order, 9);
    snprintf(want, sizeof(want), "gfn: %13lx order: %2u mfn: %13lx rwx WB!\n",
             0x200UL, 9, mfn_x(mfn));
    CHECK(strstr(out, want) != NULL);
    CHECK(strstr(out, "gfn:           400 order:  9 PoD\n") != NULL);
    free(out);

    /* A removed entry is not valid: it is not printed. */
    mfn = p2m_get_entry(d->p2m, 0x10, &t, &order);
    REQUIRE(guest_physmap_remove_page(d, 0x10, mfn, 0) == 0);
    pos = h->conring_prod;
    CHECK_EQ(debug_keys(&c, &a, "D", 1), 0);
    out = console_since(h, &pos);
    CHECK_EQ(count_lines(out, "gfn: "), 0xa0 + 1);
    CHECK(strstr(out, "gfn:            10 order") == NULL);
    free(out);

    garena_free(&a);
    host_destroy(h);
}

TEST(debug_keys_unknown_and_fault)
{
    struct host *h = boot_tiny(1, 16ULL << 20);
    struct garena a;
    struct caller c;
    unsigned long args[6] = { 0 };
    struct xen_sysctl *op;
    uint64_t op_g;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    /* Keys without handlers do nothing; no HAP domain: only dom0, PV. */
    CHECK_EQ(debug_keys(&c, &a, "xqD", 3), 0);
    CHECK_EQ(h->conring_prod, 0);
    CHECK_EQ(debug_keys(&c, &a, "", 0), 0);

    /* Keys outside the caller's buffers. */
    op_g = garena_alloc(&a, sizeof(*op));
    op = garena_ptr(&a, op_g);
    memset(op, 0, sizeof(*op));
    op->cmd = XEN_SYSCTL_debug_keys;
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    set_xen_guest_handle(op->u.debug_keys.keys, (char *)0x1000);
    op->u.debug_keys.nr_keys = 1;
    args[0] = op_g;
    CHECK_EQ(hypercall_dispatch(&c, __HYPERVISOR_sysctl, args), -EFAULT);

    /* Only the control domain. */
    caller_init(&c, new_domain(h, 1, 0), &a.ga);
    CHECK_EQ(debug_keys(&c, &a, "D", 1), -EPERM);
    garena_free(&a);
    host_destroy(h);
}

/* console_init_ring's default: num_present_cpus() << 11, at least 16K. */
TEST(console_ring_size_is_xens_default)
{
    struct host *h = boot_tiny(2, 16ULL << 20);     /* 2 CPUs: 4K -> 16K */

    printk(h, "x\n");
    CHECK_EQ(h->conring_size, 16384);
    host_destroy(h);

    h = boot_preset("server-2s", NULL, NULL);       /* 64 CPUs */
    printk(h, "x\n");
    CHECK_EQ(h->conring_size, 128 * 1024);
    host_destroy(h);
}

/* The value of "<prefix><number>" in s, or -1. */
static long value_after(const char *s, const char *prefix)
{
    const char *p = strstr(s, prefix);

    return p ? strtol(p + strlen(prefix), NULL, 10) : -1;
}

/* dump_numa: nodes, CPUs, and each domain's pages by node (Xen 4.17). */
TEST(debug_key_u_dumps_numa)
{
    struct host *h = boot_tiny(2, 64ULL << 20);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct garena a;
    struct caller c;
    xen_pfn_t list[64];
    char want[128], *out;
    size_t pos;
    unsigned int i;

    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);
    for ( i = 0; i < 64; i++ )
        list[i] = i;
    /* 40 pages on node 1, 24 on node 0, 2M on node 1. */
    REQUIRE(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, list, 40, 0,
                       XENMEMF_exact_node(1)) == 40);
    REQUIRE(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, list + 40,
                       24, 0, XENMEMF_exact_node(0)) == 24);
    list[0] = 0x200;
    REQUIRE(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, list, 1, 9,
                       XENMEMF_exact_node(1)) == 1);
    REQUIRE(d->tot_pages == 64 + 512);

    pos = h->conring_prod;
    CHECK_EQ(debug_keys(&c, &a, "u", 1), 0);
    out = console_since(h, &pos);
    CHECK(!strncmp(out, "'u' pressed -> dumping numa info (now = ", 40));
    for ( i = 0; i < 2; i++ )
    {
        snprintf(want, sizeof(want), "NODE%u start->%lu size->%lu free->%lu\n",
                 i, h->node_start_pfn[i], h->node_spanned_pages[i],
                 avail_node_heap_pages(h, i));
        CHECK(strstr(out, want) != NULL);
        snprintf(want, sizeof(want), "CPU%u -> NODE%u\n", i, i);
        CHECK(strstr(out, want) != NULL);
    }
    CHECK(strstr(out, "Memory location of each domain:\nDomain 0 (total: ")
          != NULL);
    snprintf(want, sizeof(want), "Domain 1 (total: %u):\n    Node 0: 24\n"
             "    Node 1: 552\n", d->tot_pages);
    CHECK(strstr(out, want) != NULL);
    CHECK(strstr(out, "vnodes") == NULL);
    free(out);
    garena_free(&a);
    host_destroy(h);
}

/* One CPU run per node: "CPU0...31 -> NODE0" on a preset. */
TEST(debug_key_u_cpu_runs)
{
    struct host *h = boot_preset("server-2s", "scrub_threads=0", NULL);
    struct garena a;
    struct caller c;
    char *out;
    size_t pos = 0;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(debug_keys(&c, &a, "u", 1), 0);
    out = console_since(h, &pos);
    CHECK(strstr(out, "CPU0...31 -> NODE0\nCPU32...63 -> NODE1\n") != NULL);
    CHECK_EQ(count_lines(out, "    Node "), 2);       /* dom0 only */
    free(out);
    garena_free(&a);
    host_destroy(h);
}

/* dump_heap: every zone of both nodes, then the pages still to scrub. */
TEST(debug_key_H_dumps_heap)
{
    struct host *h = boot_tiny(2, 64ULL << 20);
    struct domain *d = new_domain(h, 1, 4096);
    struct garena a;
    struct caller c;
    xen_pfn_t list[16];
    char want[128], *out;
    size_t pos;
    unsigned long total = 0;
    unsigned int z;

    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);
    REQUIRE(memop_resv(&c, &a, true, XENMEM_increase_reservation, 1, list,
                       16, 0, XENMEMF_exact_node(1)) == 16);
    pos = h->conring_prod;
    CHECK_EQ(debug_keys(&c, &a, "H", 1), 0);
    out = console_since(h, &pos);
    CHECK(!strncmp(out, "'H' pressed -> dumping heap info (now = ", 40));
    CHECK_EQ(count_lines(out, "heap[node="), 2 * NR_ZONES);
    for ( z = 0; z < NR_ZONES; z++ )
    {
        snprintf(want, sizeof(want), "heap[node=1][zone=%u] -> ", z);
        CHECK(value_after(out, want) == (long)h->avail[1][z]);
        total += h->avail[1][z];
    }
    CHECK_EQ(total, avail_node_heap_pages(h, 1));
    CHECK(strstr(out, "unscrubbed") == NULL);       /* bootscrub=off */
    free(out);

    /* The domain dies: its 16 pages come back dirty on node 1. */
    domain_kill(d);
    pos = h->conring_prod;
    CHECK_EQ(debug_keys(&c, &a, "H", 1), 0);
    out = console_since(h, &pos);
    CHECK(h->node_need_scrub[1] >= 16);
    snprintf(want, sizeof(want), "Node 1 has %lu unscrubbed pages\n",
             h->node_need_scrub[1]);
    CHECK(strstr(out, want) != NULL);
    free(out);
    garena_free(&a);
    host_destroy(h);
}

/* conring_size=: console_init_ring rounds it up to 2^n pages. */
TEST(console_ring_conring_size_option)
{
    struct host *h = boot_preset("server-2s", "conring_size=4M",
                                 "scrub_threads=0");

    printk(h, "x\n");
    CHECK_EQ(h->conring_size, 4 << 20);
    host_destroy(h);

    h = boot_preset("server-2s", "conring_size=20K", "scrub_threads=0");
    printk(h, "x\n");
    CHECK_EQ(h->conring_size, 32 << 10);
    host_destroy(h);
}
