/*
 * XENMEM reservation ops, the p2m and the M2P through the dispatcher, as
 * 4.17: counts not errnos, the caller's max_order, node flags and their
 * privilege rules, superpage leaves and their splitting, orphaning on
 * re-populate, preemption giving identical results.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"

#define GiB (1ULL << 30)

static struct p2m_domain *p2m(struct domain *d)
{
    return d->p2m;
}

static mfn_t lookup(struct domain *d, unsigned long gfn, p2m_type_t *t,
                    unsigned int *order)
{
    return p2m_get_entry(d->p2m, gfn, t, order);
}

static void fill(xen_pfn_t *l, unsigned int nr, unsigned long first,
                 unsigned long step)
{
    for ( unsigned int i = 0; i < nr; i++ )
        l[i] = first + i * step;
}

TEST(populate_physmap_orders_and_leaves)
{
    struct host *h = boot_tiny(2, 2 * GiB);
    struct domain *d = new_hvm_domain(h, 1, 1U << 20);
    struct caller c;
    struct garena a;
    xen_pfn_t l[8];
    p2m_type_t t;
    unsigned int o;
    mfn_t m;

    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);

    /* 4K: gfn 0..3 */
    fill(l, 4, 0, 1);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 4, 0, 0), 4);
    m = lookup(d, 2, &t, &o);
    CHECK_EQ(t, p2m_ram_rw);
    CHECK_EQ(o, 0);
    CHECK(mfn_valid(h, m));
    CHECK_EQ(get_gpfn_from_mfn(h, m), 2);
    CHECK_EQ(page_owner(h, m), d);
    /* HVM: the list is not overwritten with MFNs. */
    CHECK_EQ(l[2], 2);

    /* 2M at gfn 0x200, 1G at gfn 0x40000 (exact node 1: whole 1G blocks). */
    l[0] = 0x200;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 9, 0), 1);
    l[0] = 0x40000;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 18,
                        XENMEMF_node(1) | XENMEMF_exact_node_request), 1);
    m = lookup(d, 0x40123, &t, &o);
    CHECK_EQ(o, 18);
    CHECK_EQ(mfn_to_nid(h, m), 1);
    CHECK_EQ(mfn_x(m) & ((1UL << 18) - 1), 0x123);
    CHECK_EQ(get_gpfn_from_mfn(h, m), 0x40123);
    m = lookup(d, 0x2ff, &t, &o);
    CHECK_EQ(o, 9);

    CHECK_EQ(p2m(d)->nr_leaves[0], 4);
    CHECK_EQ(p2m(d)->nr_leaves[1], 1);
    CHECK_EQ(p2m(d)->nr_leaves[2], 1);
    CHECK(p2m(d)->node_pages[1] >= 1UL << 18);
    CHECK_EQ(p2m(d)->node_pages[0] + p2m(d)->node_pages[1], 4 + 512 + (1UL << 18));
    CHECK_EQ(d->tot_pages, 4 + 512 + (1U << 18));
    CHECK_EQ(p2m(d)->max_mapped_pfn, 0x40000 + (1UL << 18) - 1);
    CHECK_EQ(memop_domid(&c, &a, XENMEM_maximum_gpfn, 1), 0x40000 + (1L << 18) - 1);
    CHECK_EQ(memop_domid(&c, &a, XENMEM_current_reservation, 1), d->tot_pages);
    CHECK_EQ(memop_domid(&c, &a, XENMEM_maximum_reservation, 1), 1L << 20);
    CHECK_EQ(memop_raw(&c, XENMEM_maximum_ram_page, 0), (long)h->max_page);

    /* A gfn never mapped reads as mmio_dm; above the p2m it is refused. */
    m = lookup(d, 0x500, &t, &o);
    CHECK_EQ(t, p2m_mmio_dm);
    CHECK(mfn_eq(m, INVALID_MFN));
    l[0] = 1UL << P2M_GFN_BITS;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 0, 0), 0);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(decrease_reservation_splits_superpages)
{
    struct host *h = boot_tiny(2, 2 * GiB);
    struct domain *d = new_hvm_domain(h, 1, 1U << 20);
    struct caller c;
    struct garena a;
    xen_pfn_t l[2];
    p2m_type_t t;
    unsigned int o;
    mfn_t m, m2;
    unsigned int tot;

    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);
    l[0] = 0x400;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 9, 0), 1);
    m = lookup(d, 0x400, &t, &o);
    tot = d->tot_pages;

    /* One 4K page out of the 2M extent. */
    l[0] = 0x405;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_decrease_reservation, 1, l, 1, 0, 0), 1);
    CHECK_EQ(d->tot_pages, tot - 1);
    m2 = lookup(d, 0x405, &t, &o);
    CHECK_EQ(t, p2m_invalid);
    CHECK(mfn_eq(m2, INVALID_MFN));
    CHECK_EQ(o, 0);
    m2 = lookup(d, 0x406, &t, &o);
    CHECK_EQ(t, p2m_ram_rw);
    CHECK_EQ(mfn_x(m2), mfn_x(m) + 6);
    CHECK_EQ(p2m(d)->nr_leaves[1], 0);
    CHECK_EQ(p2m(d)->nr_leaves[0], 511);
    CHECK(page_owner(h, _mfn(mfn_x(m) + 5)) == NULL);
    CHECK_EQ(page_owner(h, _mfn(mfn_x(m) + 4)), d);
    CHECK_EQ(get_gpfn_from_mfn(h, _mfn(mfn_x(m) + 511)), 0x5ff);
    check_host(h);

    /* Again: the entry is gone (-ENOENT inside): nothing done. */
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_decrease_reservation, 1, l, 1, 0, 0), 0);
    /* A whole 2M extent with a hole in it stops at the hole. */
    l[0] = 0x400;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_decrease_reservation, 1, l, 1, 9, 0), 0);
    CHECK_EQ(d->tot_pages, tot - 6);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(populate_over_mapped_gfn_orphans_old_page)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    struct domain *d = new_hvm_domain(h, 1, 1000);
    struct caller c;
    struct garena a;
    xen_pfn_t l[1] = { 0x10 };
    p2m_type_t t;
    unsigned int o;
    mfn_t m1, m2;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(memop_resv(&c, &a, false, XENMEM_populate_physmap, 1, l, 1, 0, 0), 1);
    m1 = lookup(d, 0x10, &t, &o);
    CHECK_EQ(memop_resv(&c, &a, false, XENMEM_populate_physmap, 1, l, 1, 0, 0), 1);
    m2 = lookup(d, 0x10, &t, &o);
    CHECK(!mfn_eq(m1, m2));
    CHECK_EQ(d->tot_pages, 2);                  /* the old page stays counted */
    CHECK_EQ(page_owner(h, m1), d);
    CHECK_EQ(get_gpfn_from_mfn(h, m1), INVALID_M2P_ENTRY);
    CHECK_EQ(get_gpfn_from_mfn(h, m2), 0x10);
    CHECK_EQ(p2m(d)->nr_leaves[0], 1);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(populate_node_flags_and_privilege)
{
    struct host *h = boot_tiny(2, 256ULL << 20);
    struct domain *d = new_hvm_domain(h, 1, 100000);
    struct caller c, g;
    struct garena a;
    xen_pfn_t l[4];
    p2m_type_t t;
    unsigned int o;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    caller_init(&g, d, &a.ga);

    fill(l, 4, 0x100, 1);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 4, 0,
                        XENMEMF_node(1) | XENMEMF_exact_node_request), 4);
    for ( unsigned int i = 0; i < 4; i++ )
        CHECK_EQ(mfn_to_nid(h, lookup(d, 0x100 + i, &t, &o)), 1);

    /* A guest may not ask for an exact node: nothing done. */
    fill(l, 4, 0x200, 1);
    CHECK_EQ(memop_resv(&g, &a, true, XENMEM_populate_physmap, DOMID_SELF, l, 4,
                        0, XENMEMF_node(1) | XENMEMF_exact_node_request), 0);
    /* ... a non-exact request is silently ignored (round robin from node 0). */
    CHECK_EQ(memop_resv(&g, &a, true, XENMEM_populate_physmap, DOMID_SELF, l, 1,
                        0, XENMEMF_node(1)), 1);
    /* Guests get max_order 9, dom0 18. */
    l[0] = 0x400;
    CHECK_EQ(memop_resv(&g, &a, true, XENMEM_populate_physmap, DOMID_SELF, l, 1,
                        10, 0), 0);
    CHECK_EQ(memop_resv(&g, &a, true, XENMEM_populate_physmap, DOMID_SELF, l, 1,
                        9, 0), 1);
    /* A guest acting on another domain: XSM_TARGET refuses, 0 done. */
    new_hvm_domain(h, 2, 100);
    l[0] = 0;
    CHECK_EQ(memop_resv(&g, &a, true, XENMEM_populate_physmap, 2, l, 1, 0, 0), 0);
    CHECK_EQ(memop_domid(&g, &a, XENMEM_current_reservation, 2), -EPERM);
    CHECK_EQ(memop_domid(&g, &a, XENMEM_current_reservation, DOMID_SELF), 517);
    CHECK_EQ(memop_domid(&c, &a, XENMEM_current_reservation, 77), -ESRCH);
    CHECK_EQ(memop_raw(&c, XENMEM_current_reservation | (1 << 6), GARENA_BASE),
             -EINVAL);
    CHECK_EQ(memop_raw(&c, XENMEM_current_reservation, 0x1000), -EFAULT);

    /* XSA-231: a node index beyond MAX_NUMNODES from dom0 is refused. */
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 0,
                        XENMEMF_node(200)), 0);
    /* An offline node below MAX_NUMNODES: exact fails, non-exact falls back. */
    l[0] = 0x800;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 0,
                        XENMEMF_node(5) | XENMEMF_exact_node_request), 0);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 0,
                        XENMEMF_node(5)), 1);
    /* address_bits <= 12 is invalid; 20 bits keeps pages below 1 MiB. */
    l[0] = 0x900;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 0,
                        XENMEMF_address_bits(12)), 0);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 0,
                        XENMEMF_address_bits(20)), 1);
    CHECK(mfn_x(lookup(d, 0x900, &t, &o)) < 256);
    /* A list outside the registered buffers: 0 done. */
    CHECK_EQ(memop_raw(&c, XENMEM_populate_physmap, 0x5000), 0);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(increase_reservation_pv_and_hvm)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    struct domain *pv = new_domain(h, 1, 100), *hvm = new_hvm_domain(h, 2, 100);
    struct caller c;
    struct garena a;
    xen_pfn_t l[3] = { 0, 0, 0 };

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_increase_reservation, 1, l, 3, 0, 0), 3);
    for ( unsigned int i = 0; i < 3; i++ )
        CHECK_EQ(page_owner(h, _mfn(l[i])), pv);
    CHECK_EQ(pv->tot_pages, 3);
    /* HVM: owned, unmapped, nothing written back. */
    l[0] = l[1] = l[2] = 7;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_increase_reservation, 2, l, 3, 0, 0), 3);
    CHECK_EQ(l[0], 7);
    CHECK_EQ(hvm->tot_pages, 3);
    CHECK_EQ(p2m(hvm)->nr_leaves[0], 0);
    /* Over max_pages: stops with the count done. */
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_increase_reservation, 2, NULL, 200,
                        0, 0), 97);
    /* PV populate writes the MFNs back and sets the M2P. */
    l[0] = 0x50;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 0, 0), 1);
    CHECK(l[0] != 0x50);
    CHECK_EQ(get_gpfn_from_mfn(h, _mfn(l[0])), 0x50);
    /* PV decrease: the gmfn is the MFN. */
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_decrease_reservation, 1, l, 1, 0, 0), 1);
    CHECK_EQ(pv->tot_pages, 3);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

/* Run a fixed sequence of ops; return a digest of every result and MFN. */
static unsigned long run_sequence(unsigned int preempt_every,
                                  unsigned long *conts)
{
    struct host *h = boot_tiny(2, 512ULL << 20);
    struct domain *d = new_hvm_domain(h, 1, 1U << 20);
    struct caller c;
    struct garena a;
    xen_pfn_t l[64];
    unsigned long digest = 1469598103934665603UL;
    p2m_type_t t;
    unsigned int o;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    c.preempt_every = preempt_every;
#define MIX(v) (digest = (digest ^ (unsigned long)(v)) * 1099511628211UL)
    fill(l, 64, 0, 1);
    MIX(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 64, 0, 0));
    fill(l, 16, 0x200, 0x200);
    MIX(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 16, 9,
                   XENMEMF_node(1)));
    fill(l, 32, 3, 2);
    MIX(memop_resv(&c, &a, false, XENMEM_decrease_reservation, 1, l, 32, 0, 0));
    fill(l, 8, 0x200, 0x200);
    MIX(memop_resv(&c, &a, true, XENMEM_decrease_reservation, 1, l, 8, 9, 0));
    MIX(memop_resv(&c, &a, true, XENMEM_increase_reservation, 1, NULL, 40, 0, 0));
    for ( unsigned long g = 0; g < 0x2200; g++ )
        MIX(mfn_x(lookup(d, g, &t, &o)) + t * 7 + o * 13);
    MIX(d->tot_pages);
    check_host(h);
    *conts = c.nr_continuations;
    garena_free(&a);
    host_destroy(h);
    return digest;
}

TEST(preemption_gives_identical_results)
{
    unsigned long c0, c1, c3;
    unsigned long d0 = run_sequence(0, &c0);
    unsigned long d1 = run_sequence(1, &c1);
    unsigned long d3 = run_sequence(3, &c3);

    CHECK_EQ(d0, d1);
    CHECK_EQ(d0, d3);
    CHECK_EQ(c0, 0);
    /*
     * Every extent after the first of each pass is a continuation; inside
     * a multicall each is two (memory_op's, then multicall's own).
     */
    CHECK_EQ(c1, 2 * ((64 - 1) + (16 - 1) + (8 - 1) + (40 - 1)) + (32 - 1));
    CHECK(c3 > 0 && c3 < c1);
}

TEST(claim_pages_errors_and_node_claims)
{
    struct host *h = boot_tiny(2, 64ULL << 20);
    struct domain *d = new_hvm_domain(h, 1, 10000);
    struct caller c, g;
    struct garena a;
    uint64_t rg;
    struct xen_memory_reservation *r;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    caller_init(&g, d, &a.ga);
    rg = garena_alloc(&a, sizeof(*r));
    r = garena_ptr(&a, rg);
    memset(r, 0, sizeof(*r));
    r->domid = 1;
    r->nr_extents = 1000;
    CHECK_EQ(memop_raw(&c, XENMEM_claim_pages | (1 << 6), rg), -EINVAL);
    CHECK_EQ(memop_raw(&c, XENMEM_claim_pages, 0x10), -EFAULT);
    CHECK_EQ(memop_raw(&g, XENMEM_claim_pages, rg), -EPERM);
    r->domid = DOMID_SELF;
    CHECK_EQ(memop_raw(&c, XENMEM_claim_pages, rg), -EINVAL);
    r->domid = 9;
    CHECK_EQ(memop_raw(&c, XENMEM_claim_pages, rg), -EINVAL);
    r->domid = 1;
    r->extent_order = 1;
    CHECK_EQ(memop_raw(&c, XENMEM_claim_pages, rg), -EINVAL);
    r->extent_order = 0;
    r->mem_flags = XENMEMF_address_bits(32);
    CHECK_EQ(memop_raw(&c, XENMEM_claim_pages, rg), -EINVAL);
    r->mem_flags = XENMEMF_node(1);
    CHECK_EQ(memop_raw(&c, XENMEM_claim_pages, rg), 0);
    CHECK_EQ(d->outstanding_pages, 1000);
    CHECK_EQ(d->claim_node, 1);
    CHECK_EQ(h->node_outstanding_claims[1], 1000);
    r->mem_flags = 0;
    r->nr_extents = 0;                          /* cancels */
    CHECK_EQ(memop_raw(&c, XENMEM_claim_pages, rg), 0);
    CHECK_EQ(d->outstanding_pages, 0);
    CHECK_EQ(h->outstanding_claims, 0);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

/* XSA-385: tot_pages/max_pages near 2^32 cannot be overflowed by populate. */
TEST(populate_near_tot_pages_limit_fails_cleanly)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    struct domain *d = new_hvm_domain(h, 1, ~0U);
    struct caller c;
    struct garena a;
    xen_pfn_t l[1] = { 0x200 };
    unsigned long free_before;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    free_before = h->total_avail_pages;
    d->tot_pages = ~0U - 2;             /* as if 16 TiB were assigned */
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 9, 0), 0);
    CHECK_EQ(d->tot_pages, ~0U - 2);
    CHECK_EQ(h->total_avail_pages, (long)free_before);
    d->tot_pages = 0;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 9, 0), 1);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

/* XSA-100 class: a dead domain's pages are scrubbed before anyone reuses them. */
TEST(destroyed_domain_pages_are_scrubbed_before_reuse)
{
    struct host *h = boot_tiny(1, 16ULL << 20);
    struct domain *d = new_hvm_domain(h, 1, 4096);
    struct caller c;
    struct garena a;
    xen_pfn_t l[64];
    p2m_type_t t;
    unsigned int o;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    fill(l, 64, 0, 1);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 64, 0, 0), 64);
    for ( unsigned long g = 0; g < 64; g++ )
        memset(mfn_to_virt(h, lookup(d, g, &t, &o)), 0x5a, 4096);
    domain_destroy(d);
    d = new_hvm_domain(h, 2, 1U << 20);
    /* Take every page the host has left: the dead domain's must be among them. */
    {
        unsigned long n = h->total_avail_pages, seen = 0;
        xen_pfn_t *big = malloc(n * sizeof(*big));
        struct garena b;

        garena_init(&b, n * sizeof(*big) + 4096);
        caller_init(&c, h->hardware_domain, &b.ga);
        fill(big, n, 0, 1);
        CHECK_EQ(memop_resv(&c, &b, false, XENMEM_populate_physmap, 2, big, n,
                            0, 0), (long)n);
        for ( unsigned long g = 0; g < n; g++ )
        {
            const uint8_t *p = mfn_to_virt(h, lookup(d, g, &t, &o));

            for ( unsigned int i = 0; i < 4096; i += 512 )
                if ( p[i] )
                    seen++;
        }
        CHECK_EQ(seen, 0);
        garena_free(&b);
        free(big);
    }
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}
