/*
 * XEN_SYSCTL_debug_keys and the console ring's size: debug key 'D' prints
 * every HAP domain's p2m leaf by leaf (Xen's ept_dump_p2m_table), which
 * `xl debug-keys D; xl dmesg` shows and the domain-builder tests read.
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
