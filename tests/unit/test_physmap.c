/*
 * XENMEM_add_to_physmap, add_to_physmap_batch and remove_from_physmap
 * through the dispatcher, as 4.17: the checks and their errnos in Xen's
 * order, per-entry errors of a batch, continuations; and, through the p2m,
 * shared_info and grant frames mapped as ordinary RAM, moved, replaced and
 * unmapped, with the M2P and the accounting kept right.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/memory.h>

#include "core/grant_table.h"
#include "core/hypercall.h"
#include "core/p2m.h"
#include "harness/test.h"
#include "testhost.h"

#define MiB          (1ULL << 20)
#define ARG_GADDR    0x10000ULL
#define IDXS_GADDR   0x20000ULL
#define GPFNS_GADDR  0x30000ULL
#define ERRS_GADDR   0x40000ULL

struct env {
    struct host *h;
    struct guest_access ga;
    struct caller c;
    union {
        struct xen_add_to_physmap xatp;
        struct xen_add_to_physmap_batch xatpb;
        struct xen_remove_from_physmap xrfp;
    } u;
    xen_ulong_t idxs[16];
    xen_pfn_t gpfns[16];
    int errs[16];
};

static void env_init(struct env *e, struct host *h, struct domain *caller)
{
    memset(e, 0, sizeof(*e));
    e->h = h;
    caller_init(&e->c, caller, &e->ga);
    REQUIRE(guest_access_register(&e->ga, ARG_GADDR, &e->u, sizeof(e->u)) == 0);
    REQUIRE(guest_access_register(&e->ga, IDXS_GADDR, e->idxs,
                                  sizeof(e->idxs)) == 0);
    REQUIRE(guest_access_register(&e->ga, GPFNS_GADDR, e->gpfns,
                                  sizeof(e->gpfns)) == 0);
    REQUIRE(guest_access_register(&e->ga, ERRS_GADDR, e->errs,
                                  sizeof(e->errs)) == 0);
}

static long memop(struct env *e, unsigned long cmd)
{
    unsigned long args[6] = { cmd, ARG_GADDR, 0, 0, 0, 0 };

    return hypercall_dispatch(&e->c, __HYPERVISOR_memory_op, args);
}

static long xatp(struct env *e, domid_t domid, unsigned int space,
                 xen_ulong_t idx, xen_pfn_t gpfn, uint16_t size,
                 unsigned long start)
{
    memset(&e->u, 0, sizeof(e->u));
    e->u.xatp.domid = domid;
    e->u.xatp.space = space;
    e->u.xatp.idx = idx;
    e->u.xatp.gpfn = gpfn;
    e->u.xatp.size = size;
    return memop(e, XENMEM_add_to_physmap | (start << 6));
}

static long xatpb(struct env *e, domid_t domid, unsigned int space,
                  uint16_t size, uint16_t res0, unsigned long start)
{
    memset(&e->u, 0, sizeof(e->u));
    e->u.xatpb.domid = domid;
    e->u.xatpb.space = space;
    e->u.xatpb.size = size;
    e->u.xatpb.u.res0 = res0;
    set_xen_guest_handle(e->u.xatpb.idxs, (xen_ulong_t *)(uintptr_t)IDXS_GADDR);
    set_xen_guest_handle(e->u.xatpb.gpfns, (xen_pfn_t *)(uintptr_t)GPFNS_GADDR);
    set_xen_guest_handle(e->u.xatpb.errs, (int *)(uintptr_t)ERRS_GADDR);
    return memop(e, XENMEM_add_to_physmap_batch | (start << 6));
}

static long xrfp(struct env *e, domid_t domid, xen_pfn_t gpfn,
                 unsigned long start)
{
    memset(&e->u, 0, sizeof(e->u));
    e->u.xrfp.domid = domid;
    e->u.xrfp.gpfn = gpfn;
    return memop(e, XENMEM_remove_from_physmap | (start << 6));
}

TEST(add_to_physmap_checks)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 100), *pv = new_domain(h, 2, 100);
    struct env e;

    env_init(&e, h, h->hardware_domain);
    /* Continuation index beyond the 16-bit size: -EDOM before anything. */
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_shared_info, 0, 0x100, 0, 0x10000), -EDOM);
    {
        unsigned long args[6] = { XENMEM_add_to_physmap, 0 };

        CHECK_EQ(hypercall_dispatch(&e.c, __HYPERVISOR_memory_op, args), -EFAULT);
    }
    /* Foreign mappings only through the batch, whoever the domain. */
    CHECK_EQ(xatp(&e, 9, XENMAPSPACE_gmfn_foreign, 0, 0x100, 0, 0), -ENOSYS);
    CHECK_EQ(xatp(&e, 9, XENMAPSPACE_shared_info, 0, 0x100, 0, 0), -ESRCH);
    /* A PV target has no physmap to change. */
    CHECK_EQ(xatp(&e, 2, XENMAPSPACE_shared_info, 0, 0x100, 0, 0), -EACCES);
    CHECK_EQ(xatp(&e, DOMID_SELF, XENMAPSPACE_shared_info, 0, 0x100, 0, 0),
             -EACCES);
    /* dev_mmio: the hardware domain onto itself only. */
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_dev_mmio, 0, 0x100, 0, 0), -EACCES);
    /* Bad gpfn, index or space. */
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_shared_info, 0, INVALID_GFN_RAW, 0, 0),
             -EINVAL);
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_shared_info, 1, 0x100, 0, 0), -EINVAL);
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_grant_table, 64, 0x100, 0, 0), -EINVAL);
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_grant_table,
                  XENMAPIDX_grant_table_status, 0x100, 0, 0), -EINVAL);
    CHECK_EQ(gnttab_nr_grant_frames(g), 1);
    CHECK_EQ(xatp(&e, 1, 9, 0, 0x100, 0, 0), -EINVAL);
    /* gmfn: nothing is mapped at idx. */
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_gmfn, 0x2000, 0x100, 0, 0), -EINVAL);
    /* gmfn_range: bad continuation, ranges that wrap. */
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_gmfn_range, 0, 0x100, 4, 5), -EILSEQ);
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_gmfn_range, 0, INVALID_GFN_RAW - 1, 4, 0),
             -EOVERFLOW);
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_gmfn_range, ~0UL - 2, 0x100, 4, 0),
             -EOVERFLOW);
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_gmfn_range, 0x2000, 0x100, 4, 0), -EINVAL);

    /* Another unprivileged domain: XSM_TARGET. */
    env_init(&e, h, pv);
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_shared_info, 0, 0x100, 0, 0), -EPERM);
    /* The guest on itself is allowed; the index is still checked. */
    env_init(&e, h, g);
    CHECK_EQ(xatp(&e, DOMID_SELF, XENMAPSPACE_shared_info, 1, 0x100, 0, 0),
             -EINVAL);
    check_host(h);
    host_destroy(h);
}

TEST(add_to_physmap_batch_checks)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct env e;

    new_hvm_domain(h, 1, 100);
    new_domain(h, 2, 100);
    env_init(&e, h, h->hardware_domain);
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_shared_info, 1, 0, 0x10000), -EDOM);
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_gmfn_range, 1, 0, 0), -EOPNOTSUPP);
    CHECK_EQ(xatpb(&e, 9, XENMAPSPACE_shared_info, 1, 0, 0), -ESRCH);
    CHECK_EQ(xatpb(&e, 2, XENMAPSPACE_shared_info, 1, 0, 0), -EACCES);
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_dev_mmio, 1, 1, 0), -EACCES);
    /* Continuations: nothing to do, or an index past the end. */
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_shared_info, 0, 0, 0), 0);
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_shared_info, 2, 0, 2), -EILSEQ);
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_shared_info, 2, 0, 3), -EILSEQ);
    /* Arrays must be reachable from the continuation index to the end. */
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_shared_info, 17, 0, 0), -EFAULT);
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_shared_info, 17, 0, 1), -EFAULT);

    /* Per-entry errors go to errs[]; the batch itself succeeds. */
    memset(e.errs, 0x55, sizeof(e.errs));
    e.idxs[0] = 1;
    e.idxs[1] = 2;
    e.gpfns[0] = e.gpfns[1] = 0x100;
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_shared_info, 2, 0, 0), 0);
    CHECK_EQ(e.errs[0], -EINVAL);
    CHECK_EQ(e.errs[1], -EINVAL);
    CHECK_EQ(e.errs[2], 0x55555555);
    /* Foreign pages: only a translated hardware domain may map them. */
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_gmfn_foreign, 2, 0, 0), 0);
    CHECK_EQ(e.errs[0], -EPERM);
    CHECK_EQ(e.errs[1], -EPERM);
    /* An INVALID_GFN entry stops the batch with -EINVAL. */
    e.errs[1] = 0x55;
    e.gpfns[1] = INVALID_GFN_RAW;
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_shared_info, 2, 0, 0), -EINVAL);
    CHECK_EQ(e.errs[0], -EINVAL);
    CHECK_EQ(e.errs[1], 0x55);
    /* Starting at a continuation index skips the entries before it. */
    e.errs[0] = 0x55;
    e.gpfns[1] = 0x101;
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_shared_info, 2, 0, 1), 0);
    CHECK_EQ(e.errs[0], 0x55);
    CHECK_EQ(e.errs[1], -EINVAL);
    /* Preempted after every entry: one continuation per entry but the last. */
    e.c.preempt_every = 1;
    for ( unsigned int i = 0; i < 5; i++ )
    {
        e.idxs[i] = 7;
        e.gpfns[i] = 0x100 + i;
        e.errs[i] = 0x55;
    }
    CHECK_EQ(xatpb(&e, 1, XENMAPSPACE_shared_info, 5, 0, 0), 0);
    CHECK_EQ(e.c.nr_continuations, 4);
    for ( unsigned int i = 0; i < 5; i++ )
        CHECK_EQ(e.errs[i], -EINVAL);
    check_host(h);
    host_destroy(h);
}

TEST(remove_from_physmap_checks)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 100), *pv = new_domain(h, 2, 100);
    struct env e;

    env_init(&e, h, h->hardware_domain);
    CHECK_EQ(xrfp(&e, 1, 0x100, 1), -EINVAL);
    {
        unsigned long args[6] = { XENMEM_remove_from_physmap, 0 };

        CHECK_EQ(hypercall_dispatch(&e.c, __HYPERVISOR_memory_op, args), -EFAULT);
    }
    CHECK_EQ(xrfp(&e, 9, 0x100, 0), -ESRCH);
    CHECK_EQ(xrfp(&e, 2, 0x100, 0), -EACCES);
    CHECK_EQ(xrfp(&e, 1, 0x100, 0), -ENOENT);       /* nothing there */
    CHECK_EQ(xrfp(&e, 1, INVALID_GFN_RAW, 0), -ENOENT);
    env_init(&e, h, pv);
    CHECK_EQ(xrfp(&e, 1, 0x100, 0), -EPERM);
    env_init(&e, h, g);
    CHECK_EQ(xrfp(&e, DOMID_SELF, 0x100, 0), -ENOENT);
    check_host(h);
    host_destroy(h);
}

/* ---- through the p2m ---- */


static mfn_t lookup(struct domain *d, unsigned long gfn, p2m_type_t *t)
{
    struct p2m_domain *p2m = p2m_get_hostp2m(d);
    unsigned int order;
    mfn_t mfn;

    pthread_mutex_lock(&p2m->lock);
    mfn = p2m_get_entry(p2m, gfn, t, &order);
    pthread_mutex_unlock(&p2m->lock);
    return mfn;
}

/* libxenguest's fallback: map frame 0 at a scratch gfn, seed, unmap. */
TEST(add_to_physmap_grant_frame_then_remove)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 100);
    struct env e;
    p2m_type_t t;
    mfn_t frame0, mfn;

    REQUIRE(p2m_get_hostp2m(g) != NULL);
    env_init(&e, h, h->hardware_domain);
    REQUIRE(gnttab_get_shared_frame_mfn(g, 0, &frame0) == 0);

    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_grant_table, 0, 0xfeffd, 0, 0), 0);
    mfn = lookup(g, 0xfeffd, &t);
    CHECK_EQ(mfn_x(mfn), mfn_x(frame0));
    CHECK_EQ(t, p2m_ram_rw);
    CHECK_EQ(get_gpfn_from_mfn(h, frame0), 0xfeffd);
    CHECK_EQ(g->tot_pages, 0);                    /* still a Xen-heap page */
    check_host(h);

    /* Mapped again elsewhere: it moves, the old gfn is empty. */
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_grant_table, 0, 0xfeffe, 0, 0), 0);
    CHECK_EQ(mfn_x(lookup(g, 0xfeffe, &t)), mfn_x(frame0));
    CHECK(mfn_eq(lookup(g, 0xfeffd, &t), INVALID_MFN));
    CHECK_EQ(get_gpfn_from_mfn(h, frame0), 0xfeffe);
    check_host(h);

    CHECK_EQ(xrfp(&e, 1, 0xfeffe, 0), 0);
    CHECK(mfn_eq(lookup(g, 0xfeffe, &t), INVALID_MFN));
    CHECK_EQ(xrfp(&e, 1, 0xfeffe, 0), -ENOENT);
    /* Unmapped, not freed: the table still has it. */
    CHECK(page_get_owner(h, mfn_to_page(h, frame0)) == g);
    CHECK_EQ(g->xenheap_pages, 2);
    check_host(h);
    host_destroy(h);
}

TEST(add_to_physmap_shared_info_and_batch_of_frames)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 100);
    struct env e;
    p2m_type_t t;
    mfn_t mfn;

    REQUIRE(p2m_get_hostp2m(g) != NULL);
    env_init(&e, h, g);                   /* the guest maps its own */
    CHECK_EQ(xatp(&e, DOMID_SELF, XENMAPSPACE_shared_info, 0, 0xfc000, 0, 0), 0);
    CHECK_EQ(mfn_x(lookup(g, 0xfc000, &t)),
             mfn_x(page_to_mfn(h, g->shared_info)));
    CHECK_EQ(t, p2m_ram_rw);

    for ( unsigned int i = 0; i < 4; i++ )
    {
        e.idxs[i] = i;
        e.gpfns[i] = 0xfd000 + i;
        e.errs[i] = 0x55;
    }
    CHECK_EQ(xatpb(&e, DOMID_SELF, XENMAPSPACE_grant_table, 4, 0, 0), 0);
    CHECK_EQ(gnttab_nr_grant_frames(g), 4);
    CHECK_EQ(g->xenheap_pages, 1 + 4);
    for ( unsigned int i = 0; i < 4; i++ )
    {
        CHECK_EQ(e.errs[i], 0);
        REQUIRE(gnttab_get_shared_frame_mfn(g, i, &mfn) == 0);
        CHECK_EQ(mfn_x(lookup(g, 0xfd000 + i, &t)), mfn_x(mfn));
    }
    check_host(h);

    /* A special page at the target is unhooked, not freed. */
    CHECK_EQ(xatp(&e, DOMID_SELF, XENMAPSPACE_shared_info, 0, 0xfd000, 0, 0), 0);
    CHECK_EQ(mfn_x(lookup(g, 0xfd000, &t)),
             mfn_x(page_to_mfn(h, g->shared_info)));
    CHECK(mfn_eq(lookup(g, 0xfc000, &t), INVALID_MFN));
    REQUIRE(gnttab_get_shared_frame_mfn(g, 0, &mfn) == 0);
    CHECK(page_get_owner(h, mfn_to_page(h, mfn)) == g);
    CHECK_EQ(g->xenheap_pages, 1 + 4);
    check_host(h);
    /* Dying with frames mapped: everything comes back once. */
    domain_destroy(g);
    check_host(h);
    host_destroy(h);
}

TEST(add_to_physmap_over_ram_and_gmfn_moves)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 100);
    struct page_info *pg;
    struct env e;
    p2m_type_t t;
    mfn_t ram;

    REQUIRE(p2m_get_hostp2m(g) != NULL);
    env_init(&e, h, h->hardware_domain);
    /* Ordinary RAM at 0x200 and 0x201. */
    for ( unsigned long gfn = 0x200; gfn < 0x202; gfn++ )
    {
        pg = alloc_domheap_pages(h, g, 0, 0);
        REQUIRE(pg != NULL);
        REQUIRE(guest_physmap_add_page(g, gfn, page_to_mfn(h, pg), 0) == 0);
    }
    CHECK_EQ(g->tot_pages, 2);
    ram = lookup(g, 0x201, &t);

    /* shared_info over RAM: the RAM page is freed (guest_remove_page). */
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_shared_info, 0, 0x200, 0, 0), 0);
    CHECK_EQ(g->tot_pages, 1);
    CHECK_EQ(mfn_x(lookup(g, 0x200, &t)),
             mfn_x(page_to_mfn(h, g->shared_info)));
    check_host(h);

    /* gmfn: the page at 0x201 moves to 0x300. */
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_gmfn, 0x201, 0x300, 0, 0), 0);
    CHECK_EQ(mfn_x(lookup(g, 0x300, &t)), mfn_x(ram));
    CHECK(mfn_eq(lookup(g, 0x201, &t), INVALID_MFN));
    CHECK_EQ(get_gpfn_from_mfn(h, ram), 0x300);
    CHECK_EQ(g->tot_pages, 1);
    /* Onto itself: nothing changes. */
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_gmfn, 0x300, 0x300, 0, 0), 0);
    CHECK_EQ(mfn_x(lookup(g, 0x300, &t)), mfn_x(ram));
    check_host(h);

    /* remove_from_physmap of RAM unmaps it; the page stays d's. */
    CHECK_EQ(xrfp(&e, 1, 0x300, 0), 0);
    CHECK(mfn_eq(lookup(g, 0x300, &t), INVALID_MFN));
    CHECK(page_get_owner(h, mfn_to_page(h, ram)) == g);
    CHECK_EQ(g->tot_pages, 1);
    check_host(h);

    /* Nothing may replace direct MMIO. */
    REQUIRE(p2m_set_entry(p2m_get_hostp2m(g), 0x400, _mfn(5), 0,
                          p2m_mmio_direct) == 0);
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_shared_info, 0, 0x400, 0, 0), -EPERM);
    host_destroy(h);
}

TEST(add_to_physmap_gmfn_range_continues)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 100);
    mfn_t ram[6];
    struct env e;
    p2m_type_t t;

    REQUIRE(p2m_get_hostp2m(g) != NULL);
    env_init(&e, h, h->hardware_domain);
    for ( unsigned int i = 0; i < 6; i++ )
    {
        struct page_info *pg = alloc_domheap_pages(h, g, 0, 0);

        REQUIRE(pg != NULL);
        ram[i] = page_to_mfn(h, pg);
        REQUIRE(guest_physmap_add_page(g, 0x500 + i, ram[i], 0) == 0);
    }
    e.c.preempt_every = 1;
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_gmfn_range, 0x500, 0x600, 6, 0), 0);
    CHECK_EQ(e.c.nr_continuations, 5);
    for ( unsigned int i = 0; i < 6; i++ )
    {
        CHECK_EQ(mfn_x(lookup(g, 0x600 + i, &t)), mfn_x(ram[i]));
        CHECK(mfn_eq(lookup(g, 0x500 + i, &t), INVALID_MFN));
    }
    CHECK_EQ(g->tot_pages, 6);
    check_host(h);
    host_destroy(h);
}

/* A grant frame over one page of a 2M mapping: the superpage is split. */
TEST(add_to_physmap_into_a_superpage)
{
    struct host *h = boot_tiny(1, 8 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 1024);
    struct page_info *pg = alloc_domheap_pages(h, g, PAGE_ORDER_2M, 0);
    struct env e;
    p2m_type_t t;
    mfn_t base, frame0;

    REQUIRE(p2m_get_hostp2m(g) != NULL);
    REQUIRE(pg != NULL);
    base = page_to_mfn(h, pg);
    REQUIRE(guest_physmap_add_page(g, 0x400, base, PAGE_ORDER_2M) == 0);
    REQUIRE(gnttab_get_shared_frame_mfn(g, 0, &frame0) == 0);
    env_init(&e, h, h->hardware_domain);

    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_grant_table, 0, 0x401, 0, 0), 0);
    CHECK_EQ(mfn_x(lookup(g, 0x401, &t)), mfn_x(frame0));
    CHECK_EQ(mfn_x(lookup(g, 0x400, &t)), mfn_x(base));
    CHECK_EQ(t, p2m_ram_rw);
    CHECK_EQ(mfn_x(lookup(g, 0x5ff, &t)), mfn_x(base) + 0x1ff);
    /* The RAM page that was at 0x401 went back to the heap. */
    CHECK_EQ(g->tot_pages, 511);
    check_host(h);

    /* And the frame leaves: 0x401 is a hole in the superpage's place. */
    CHECK_EQ(xrfp(&e, 1, 0x401, 0), 0);
    CHECK(mfn_eq(lookup(g, 0x401, &t), INVALID_MFN));
    CHECK_EQ(g->tot_pages, 511);
    check_host(h);
    domain_destroy(g);
    check_host(h);
    host_destroy(h);
}

/* Lookups are P2M_ALLOC: a PoD gfn is populated, then replaced or removed. */
TEST(physmap_ops_populate_pod_entries)
{
    struct host *h = boot_tiny(1, 8 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 1024);
    struct env e;
    p2m_type_t t;

    REQUIRE(guest_physmap_mark_populate_on_demand(g, 0x800, 0) == 0);
    REQUIRE(guest_physmap_mark_populate_on_demand(g, 0x801, 0) == 0);
    REQUIRE(p2m_pod_set_mem_target(g, 2, NULL) == 0);
    CHECK_EQ(g->p2m->pod.entry_count, 2);
    CHECK_EQ(g->p2m->pod.count, 2);
    env_init(&e, h, h->hardware_domain);

    /* remove_from_physmap: populated from the cache, then unmapped. */
    CHECK_EQ(xrfp(&e, 1, 0x800, 0), 0);
    lookup(g, 0x800, &t);
    CHECK_EQ(t, p2m_invalid);
    CHECK_EQ(g->p2m->pod.entry_count, 1);
    check_host(h);

    /* shared_info over a PoD gfn: populated, that page freed, then mapped. */
    CHECK_EQ(xatp(&e, 1, XENMAPSPACE_shared_info, 0, 0x801, 0, 0), 0);
    CHECK_EQ(mfn_x(lookup(g, 0x801, &t)),
             mfn_x(page_to_mfn(h, g->shared_info)));
    CHECK_EQ(g->p2m->pod.entry_count, 0);
    check_host(h);
    host_destroy(h);
}
