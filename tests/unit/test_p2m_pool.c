/*
 * A HAP domain's p2m tables come from its paging pool, as 4.17's
 * hap_alloc_p2m_page: the pool set with XEN_DOMCTL_set_paging_mempool_size
 * bounds the p2m, p2m_set_entry fails with -ENOMEM when it is empty, and
 * every caller leaves the p2m, the M2P and the page counts consistent:
 * populate_physmap stops short, a split of a superpage that cannot get
 * its tables leaves the superpage mapped (XSA-222), guest_physmap_add
 * undoes its M2P changes (XSA-389).  PV domains have no pool.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/memory.h>

#include "core/arch_domain.h"
#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"
#include "domctl_test.h"

#define GiB (1ULL << 30)

static long pool_set(struct dctl *t, domid_t dom, uint64_t size)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.paging_mempool.size = size;
    return domctl(t, XEN_DOMCTL_set_paging_mempool_size, dom);
}

static uint64_t pool_size(struct dctl *t, domid_t dom)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    REQUIRE(domctl(t, XEN_DOMCTL_get_paging_mempool_size, dom) == 0);
    return t->op.u.paging_mempool.size;
}

/* Pool pages lent to the p2m are exactly its tables. */
static void check_pool(struct domain *d, unsigned long tables,
                       unsigned long free_pages)
{
    CHECK_EQ(d->p2m->tables, tables);
    CHECK_EQ(d->paging.p2m_pages, tables);
    CHECK_EQ(d->paging.free_pages, free_pages);
    CHECK_EQ(d->paging.total_pages, free_pages);
}

TEST(p2m_pool_populate_until_enomem)
{
    struct host *h = boot_tiny(2, 64ULL << 20);
    struct domain *d = new_hvm_domain(h, 1, 1U << 16);
    struct dctl t;
    struct caller c;
    struct garena a;
    xen_pfn_t l[6];
    long avail;
    p2m_type_t ty;
    unsigned int o;
    mfn_t m;

    dctl_init(&t, h->hardware_domain);
    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);

    /* At creation: the root from the pool's 256. */
    check_pool(d, 1, 255);

    /* The minimum: the root stays lent, the rest goes back. */
    avail = h->total_avail_pages;
    CHECK_EQ(pool_set(&t, 1, 0), 0);
    CHECK_EQ(pool_size(&t, 1), 1 << 12);
    check_pool(d, 1, 0);
    CHECK_EQ(h->total_avail_pages, avail + 255);
    check_host(h);

    /* Empty: the first 4K extent needs three tables and gets none. */
    avail = h->total_avail_pages;
    l[0] = 0x10;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 0, 0), 0);
    /* The page stays allocated to d, unmapped, as 4.17's populate_physmap. */
    CHECK_EQ(d->tot_pages, 1);
    CHECK_EQ(h->total_avail_pages, avail - 1);
    m = p2m_get_entry(d->p2m, 0x10, &ty, &o);
    CHECK(mfn_eq(m, INVALID_MFN));
    CHECK_EQ(ty, p2m_mmio_dm);
    check_pool(d, 1, 0);
    check_host(h);

    /*
     * Six pages: gfn 0 takes L3+L2+L1, gfn 1 none, gfn 0x200 an L1,
     * gfn 0x40000 gets its L2 but not its L1: 3 extents done.
     */
    CHECK_EQ(pool_set(&t, 1, 6 << 12), 0);
    check_pool(d, 1, 5);
    avail = h->total_avail_pages;
    l[0] = 0; l[1] = 1; l[2] = 0x200; l[3] = 0x40000; l[4] = 0x40001;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 5, 0, 0), 3);
    check_pool(d, 6, 0);
    CHECK_EQ(pool_size(&t, 1), 6 << 12);
    CHECK_EQ(d->p2m->nr_leaves[0], 3);
    CHECK_EQ(d->tot_pages, 1 + 4);          /* 3 mapped, 1 unmapped */
    CHECK_EQ(h->total_avail_pages, avail - 4);
    m = p2m_get_entry(d->p2m, 0x200, &ty, &o);
    CHECK_EQ(ty, p2m_ram_rw);
    CHECK_EQ(get_gpfn_from_mfn(h, m), 0x200);
    m = p2m_get_entry(d->p2m, 0x40000, &ty, &o);
    CHECK(mfn_eq(m, INVALID_MFN));
    CHECK_EQ(ty, p2m_mmio_dm);
    CHECK_EQ(o, PAGE_ORDER_2M);             /* the L2 is there, empty */
    check_host(h);

    /* More pool: the same extents go through. */
    CHECK_EQ(pool_set(&t, 1, 8 << 12), 0);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, &l[3], 2, 0, 0), 2);
    check_pool(d, 7, 1);
    CHECK_EQ(d->p2m->nr_leaves[0], 5);
    check_host(h);

    /* Shrinking below what the p2m holds keeps its tables (rc 0). */
    CHECK_EQ(pool_set(&t, 1, 0), 0);
    CHECK_EQ(pool_size(&t, 1), 7 << 12);
    check_pool(d, 7, 0);
    check_host(h);

    /* Destruction gives every page back, the pool's and the p2m's. */
    avail = h->total_avail_pages;
    {
        long tot = d->tot_pages, xh = d->xenheap_pages;

        domain_destroy(d);
        CHECK_EQ(h->total_avail_pages, avail + tot + 7 + xh);
    }
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

/* XSA-222: a split that cannot get its tables leaves the superpage. */
TEST(p2m_pool_split_enomem_keeps_superpage)
{
    struct host *h = boot_tiny(2, 2 * GiB);
    struct domain *d = new_hvm_domain(h, 1, 1U << 20);
    struct dctl t;
    struct caller c;
    struct garena a;
    xen_pfn_t l[1];
    p2m_type_t ty;
    unsigned int o;
    mfn_t m2, m1g, m;
    unsigned long tot, tables;
    long avail;

    dctl_init(&t, h->hardware_domain);
    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);

    l[0] = 0x200;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 9, 0), 1);
    l[0] = 0x40000;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 1, 18,
                        XENMEMF_node(1) | XENMEMF_exact_node_request), 1);
    m2 = p2m_get_entry(d->p2m, 0x200, &ty, &o);
    CHECK_EQ(o, PAGE_ORDER_2M);
    m1g = p2m_get_entry(d->p2m, 0x40000, &ty, &o);
    CHECK_EQ(o, PAGE_ORDER_1G);
    /* root, L3, L2 for the 2M leaf; the 1G leaf sits in the L3. */
    tables = 3;
    check_pool(d, tables, 256 - tables);

    CHECK_EQ(pool_set(&t, 1, 0), 0);
    check_pool(d, tables, 0);
    tot = d->tot_pages;
    avail = h->total_avail_pages;

    /* 4K out of the 2M leaf: needs an L1, gets none; nothing changes. */
    l[0] = 0x205;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_decrease_reservation, 1, l, 1, 0, 0), 0);
    m = p2m_get_entry(d->p2m, 0x205, &ty, &o);
    CHECK_EQ(ty, p2m_ram_rw);
    CHECK_EQ(o, PAGE_ORDER_2M);
    CHECK_EQ(mfn_x(m), mfn_x(m2) + 5);
    CHECK_EQ(get_gpfn_from_mfn(h, m), 0x205);

    /* 4K out of the 1G leaf: 1 + 512 tables; not even the first. */
    l[0] = 0x40123;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_decrease_reservation, 1, l, 1, 0, 0), 0);
    m = p2m_get_entry(d->p2m, 0x40123, &ty, &o);
    CHECK_EQ(ty, p2m_ram_rw);
    CHECK_EQ(o, PAGE_ORDER_1G);
    CHECK_EQ(mfn_x(m), mfn_x(m1g) + 0x123);
    CHECK_EQ(get_gpfn_from_mfn(h, m), 0x40123);
    CHECK_EQ(d->p2m->nr_leaves[1], 1);
    CHECK_EQ(d->p2m->nr_leaves[2], 1);
    CHECK_EQ(d->tot_pages, tot);
    CHECK_EQ(h->total_avail_pages, avail);
    check_pool(d, tables, 0);
    check_host(h);

    /* Some pool, not enough for the 1G split: the partial tree goes back. */
    CHECK_EQ(pool_set(&t, 1, (tables + 100) << 12), 0);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_decrease_reservation, 1, l, 1, 0, 0), 0);
    m = p2m_get_entry(d->p2m, 0x40123, &ty, &o);
    CHECK_EQ(o, PAGE_ORDER_1G);
    CHECK_EQ(get_gpfn_from_mfn(h, m), 0x40123);
    check_pool(d, tables, 100);
    CHECK_EQ(d->p2m->nr_leaves[0], 0);
    check_host(h);

    /* XSA-389: adding a page over part of the superpage fails, undone. */
    {
        struct page_info *pg = alloc_domheap_pages(h, d, 0, 0);
        mfn_t nm;

        REQUIRE(pg);
        nm = page_to_mfn(h, pg);
        CHECK_EQ(pool_set(&t, 1, 0), 0);
        CHECK_EQ(guest_physmap_add_page(d, 0x207, nm, 0), -ENOMEM);
        m = p2m_get_entry(d->p2m, 0x207, &ty, &o);
        CHECK_EQ(o, PAGE_ORDER_2M);
        CHECK_EQ(mfn_x(m), mfn_x(m2) + 7);
        CHECK_EQ(get_gpfn_from_mfn(h, m), 0x207);   /* restored */
        CHECK_EQ(get_gpfn_from_mfn(h, nm), INVALID_M2P_ENTRY);
        check_pool(d, tables, 0);
        check_host(h);

        /* With a table to split into, it goes through. */
        CHECK_EQ(pool_set(&t, 1, (tables + 1) << 12), 0);
        CHECK_EQ(guest_physmap_add_page(d, 0x207, nm, 0), 0);
        CHECK_EQ(get_gpfn_from_mfn(h, nm), 0x207);
        CHECK_EQ(get_gpfn_from_mfn(h, m), INVALID_M2P_ENTRY);  /* orphaned */
        tables++;
        check_pool(d, tables, 0);
        check_host(h);
    }

    /* Growing the pool lets the 4K decreases succeed. */
    CHECK_EQ(pool_set(&t, 1, (tables + 513) << 12), 0);
    l[0] = 0x205;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_decrease_reservation, 1, l, 1, 0, 0), 1);
    l[0] = 0x40123;
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_decrease_reservation, 1, l, 1, 0, 0), 1);
    tables += 513;
    check_pool(d, tables, 0);
    m = p2m_get_entry(d->p2m, 0x40124, &ty, &o);
    CHECK_EQ(o, PAGE_ORDER_4K);
    CHECK_EQ(mfn_x(m), mfn_x(m1g) + 0x124);
    m = p2m_get_entry(d->p2m, 0x40123, &ty, &o);
    CHECK_EQ(ty, p2m_invalid);
    CHECK_EQ(d->p2m->nr_leaves[0], 511 + 511 + 511 * 512);
    CHECK_EQ(d->p2m->nr_leaves[1], 0);
    CHECK_EQ(d->p2m->nr_leaves[2], 0);
    CHECK_EQ(d->tot_pages, tot + 1 - 2);
    check_host(h);

    garena_free(&a);
    host_destroy(h);
}

/* PoD: marking entries needs tables too. */
TEST(p2m_pool_pod_mark_enomem)
{
    struct host *h = boot_tiny(2, 64ULL << 20);
    struct domain *d = new_hvm_domain(h, 1, 1U << 16);
    struct dctl t;
    struct caller c;
    struct garena a;
    xen_pfn_t l[2] = { 0x400, 0x40000 };

    dctl_init(&t, h->hardware_domain);
    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);

    /* Root + L3 + L2 for the first 2M PoD extent, none for the second's L2. */
    CHECK_EQ(pool_set(&t, 1, 3 << 12), 0);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 2, 9,
                        XENMEMF_populate_on_demand), 1);
    CHECK_EQ(d->p2m->pod.entry_count, 512);
    check_pool(d, 3, 0);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

/* PV: no pool, no p2m, populate as ever. */
TEST(p2m_pool_pv_unaffected)
{
    struct host *h = boot_tiny(2, 64ULL << 20);
    struct domain *d = new_domain(h, 1, 1U << 16);
    struct dctl t;
    struct caller c;
    struct garena a;
    xen_pfn_t l[4] = { 0, 1, 0x200, 0x40000 };

    dctl_init(&t, h->hardware_domain);
    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);
    CHECK(d->p2m == NULL);
    CHECK_EQ(pool_set(&t, 1, 0), -EOPNOTSUPP);
    CHECK_EQ(d->paging.total_pages + d->paging.p2m_pages, 0);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, 1, l, 4, 0, 0), 4);
    CHECK_EQ(d->tot_pages, 4);
    CHECK_EQ(d->paging.p2m_pages, 0);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}
