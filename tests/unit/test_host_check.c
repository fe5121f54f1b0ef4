/*
 * host_check()'s p2m cross-check must catch what it claims to: an HVM
 * domain is populated (4K and 2M), then one thing at a time is corrupted
 * by hand - an M2P entry, a leaf pointing at another domain's page, at a
 * free page, at nobody's, a per-size leaf count, a per-node page count,
 * the PoD entry count - and host_check must report it, then pass again
 * once it is put back.  A check that cannot fail is a defect.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/memory.h>

#include "core/hypercall.h"
#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"

#define MiB (1ULL << 20)

/* host_check finds at least one violation, and says "what". */
static void expect_violation(struct host *h, const char *what)
{
    char buf[2048];
    unsigned long n = host_check(h, buf, sizeof(buf));

    CHECK(n > 0);
    CHECK_CONTAINS(buf, what);
}

TEST(host_check_p2m_against_frame_table_and_m2p)
{
    struct host *h = boot_tiny(2, 32 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 4096), *e = new_domain(h, 2, 16);
    struct p2m_domain *p2m = d->p2m;
    struct garena a;
    struct caller c;
    xen_pfn_t gfns[4] = { 0x10, 0x11, 0x13, 0x2000 };
    xen_pfn_t big = 0x400;
    struct page_info *pg;
    p2m_type_t t;
    unsigned int order;
    unsigned long saved;
    mfn_t mfn, mfn2m;

    garena_init(&a, 64 << 10);
    caller_init(&c, h->hardware_domain, &a.ga);
    REQUIRE(memop_resv(&c, &a, false, XENMEM_populate_physmap, 1, gfns, 4,
                       0, 0) == 4);
    REQUIRE(memop_resv(&c, &a, false, XENMEM_populate_physmap, 1, &big, 1,
                       9, 0) == 1);
    check_host(h);

    /* The M2P of a 4K page says another gfn. */
    mfn = p2m_get_entry(p2m, 0x11, &t, &order);
    REQUIRE(t == p2m_ram_rw && order == 0);
    saved = m2p_read(h, mfn_x(mfn));
    m2p_write(h, mfn_x(mfn), 0x12);
    expect_violation(h, "whose M2P entry is 0x12");
    m2p_write(h, mfn_x(mfn), INVALID_M2P_ENTRY);
    expect_violation(h, "whose M2P entry is 0xffffffffffffffff");
    m2p_write(h, mfn_x(mfn), saved);
    check_host(h);

    /* One page inside the 2M extent: its own block, its own M2P entry. */
    mfn2m = p2m_get_entry(p2m, big + 5, &t, &order);
    REQUIRE(t == p2m_ram_rw && order == PAGE_ORDER_2M);
    set_gpfn_from_mfn(h, mfn2m, 0, big + 6);
    expect_violation(h, "whose M2P entry");
    set_gpfn_from_mfn(h, mfn2m, 0, big + 5);
    check_host(h);

    /* A leaf mapping another domain's page (the counts stay right). */
    pg = alloc_domheap_pages(h, e, 0, 0);
    REQUIRE(pg);
    REQUIRE(p2m_set_entry(p2m, 0x20, page_to_mfn(h, pg), 0, p2m_ram_rw) == 0);
    expect_violation(h, "owned by d2");
    REQUIRE(p2m_set_entry(p2m, 0x20, INVALID_MFN, 0, p2m_invalid) == 0);
    check_host(h);

    /* A leaf mapping a free page, or an allocated page of nobody. */
    mfn = page_to_mfn(h, pg);
    free_domheap_pages(h, pg, 0);
    REQUIRE(p2m_set_entry(p2m, 0x20, mfn, 0, p2m_ram_logdirty) == 0);
    expect_violation(h, "which is free");
    REQUIRE(p2m_set_entry(p2m, 0x20, INVALID_MFN, 0, p2m_invalid) == 0);
    pg = alloc_domheap_pages(h, NULL, 0, 0);
    REQUIRE(pg);
    REQUIRE(p2m_set_entry(p2m, 0x20, page_to_mfn(h, pg), 0, p2m_ram_ro) == 0);
    expect_violation(h, "owned by nobody");
    REQUIRE(p2m_set_entry(p2m, 0x20, INVALID_MFN, 0, p2m_invalid) == 0);
    free_domheap_pages(h, pg, 0);
    check_host(h);

    /* The per-size and per-node counters against a recount. */
    p2m->nr_leaves[0]++;
    expect_violation(h, "nr_leaves[0] 5, the p2m has 4");
    p2m->nr_leaves[0]--;
    p2m->nr_leaves[1] = 0;
    expect_violation(h, "nr_leaves[1] 0, the p2m has 1");
    p2m->nr_leaves[1] = 1;
    p2m->node_pages[1] += 7;
    expect_violation(h, "node_pages[1]");
    p2m->node_pages[1] -= 7;
    check_host(h);

    /* PoD entries the count does not know about. */
    p2m->pod.entry_count = 3;
    expect_violation(h, "pod.entry_count 3, the p2m has 0");
    p2m->pod.entry_count = 0;
    check_host(h);

    /* A dying domain's emptied p2m is still checked, and clean. */
    get_knownalive_domain(d);
    domain_kill(d);
    check_host(h);
    CHECK_EQ(p2m->nr_leaves[0] + p2m->nr_leaves[1] + p2m->nr_leaves[2], 0);
    put_domain(d);

    garena_free(&a);
    host_destroy(h);
}
