/*
 * p2m_foreign_map_lookup / p2m_foreign_map_batch: what a PV dom0's
 * foreign mapping of another domain's frame resolves to, as 4.17's
 * mmu_update with a foreign owner - HVM RAM, PoD populated on the way,
 * holes, paged and shared frames, grant entries, PV frames that are
 * MFNs, and the privilege and lookup errors.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#include "core/grant_table.h"
#include "core/hypercall.h"
#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"
#include "testpod.h"
#include "domctl_test.h"

struct env {
    struct host *h;
    struct garena a;
    struct caller c0;
};

static void env_init(struct env *e)
{
    memset(e, 0, sizeof(*e));
    e->h = boot_tiny(1, 64 * MiB);
    garena_init(&e->a, 1 << 16);
    caller_init(&e->c0, e->h->hardware_domain, &e->a.ga);
}

static void env_fini(struct env *e)
{
    check_host(e->h);
    host_destroy(e->h);
    garena_free(&e->a);
}

static void set_type(struct domain *d, unsigned long gfn, mfn_t mfn,
                     p2m_type_t t)
{
    pthread_mutex_lock(&d->p2m->lock);
    CHECK_EQ(p2m_set_entry(d->p2m, gfn, mfn, 0, t), 0);
    pthread_mutex_unlock(&d->p2m->lock);
}

/* Populate one 4K gfn of d as dom0; the MFN (PV: from the list). */
static mfn_t populate(struct env *e, struct domain *d, unsigned long gfn)
{
    xen_pfn_t l[1] = { gfn };

    REQUIRE(memop_resv(&e->c0, &e->a, true, XENMEM_populate_physmap,
                       d->domain_id, l, 1, 0, 0) == 1);
    return paging_mode_translate(d) ? gfn_mfn(d, gfn) : _mfn(l[0]);
}

static int lookup(struct caller *c, domid_t dom, xen_pfn_t gfn, bool write,
                  mfn_t *mfn)
{
    *mfn = _mfn(0x12345);
    return p2m_foreign_map_lookup(c, dom, gfn, write, mfn);
}

TEST(foreign_map_hvm_frames)
{
    struct env e;
    struct domain *d1;
    mfn_t m, m2, m3, mfn;
    long entries;

    env_init(&e);
    d1 = new_hvm_domain(e.h, 1, 4096);
    m = populate(&e, d1, 0x20);
    m2 = populate(&e, d1, 0x21);
    m3 = populate(&e, d1, 0x22);

    /* RAM: its MFN, to read or write. */
    CHECK_EQ(lookup(&e.c0, 1, 0x20, false, &mfn), 0);
    CHECK_EQ(mfn_x(mfn), mfn_x(m));
    CHECK_EQ(lookup(&e.c0, 1, 0x20, true, &mfn), 0);
    CHECK_EQ(mfn_x(mfn), mfn_x(m));
    check_host(e.h);

    /*
     * PoD: populated by the lookup (P2M_ALLOC).  With pages populated
     * already, the cache is sized to the entries, so mark first.
     */
    CHECK_EQ(pod_mark(&e.c0, &e.a, 1, 0x200, 1, PAGE_ORDER_2M), 1);
    CHECK_EQ(set_pod_target(&e.c0, &e.a, 1, 512 + 3), 0);
    CHECK_EQ(d1->p2m->pod.count, 512);
    entries = d1->p2m->pod.entry_count;
    CHECK_EQ(gfn_type(d1, 0x205, NULL), p2m_populate_on_demand);
    CHECK_EQ(lookup(&e.c0, 1, 0x205, true, &mfn), 0);
    CHECK_EQ(gfn_type(d1, 0x205, NULL), p2m_ram_rw);
    CHECK_EQ(mfn_x(mfn), mfn_x(gfn_mfn(d1, 0x205)));
    CHECK(d1->p2m->pod.entry_count < entries);
    check_host(e.h);

    /* Nothing there, or beyond the p2m. */
    CHECK_EQ(lookup(&e.c0, 1, 0x900, false, &mfn), -EINVAL);
    CHECK(mfn_eq(mfn, INVALID_MFN));
    CHECK_EQ(lookup(&e.c0, 1, 1UL << 40, false, &mfn), -EINVAL);

    /* ram_ro: a foreign mapping of an HVM guest takes no page type. */
    set_type(d1, 0x21, m2, p2m_ram_ro);
    CHECK_EQ(lookup(&e.c0, 1, 0x21, true, &mfn), 0);
    CHECK_EQ(mfn_x(mfn), mfn_x(m2));
    /* Shared: reading is fine, writing would need an unshare. */
    set_type(d1, 0x22, m3, p2m_ram_shared);
    CHECK_EQ(lookup(&e.c0, 1, 0x22, false, &mfn), 0);
    CHECK_EQ(lookup(&e.c0, 1, 0x22, true, &mfn), -ENOMEM);
    set_type(d1, 0x22, m3, p2m_ram_rw);
    /* Paged out. */
    set_type(d1, 0x901, INVALID_MFN, p2m_ram_paged);
    CHECK_EQ(lookup(&e.c0, 1, 0x901, false, &mfn), -ENOENT);
    set_type(d1, 0x901, INVALID_MFN, p2m_ram_paging_in);
    CHECK_EQ(lookup(&e.c0, 1, 0x901, false, &mfn), -ENOENT);
    set_type(d1, 0x901, INVALID_MFN, p2m_invalid);
    /* Device memory and broken pages are not RAM. */
    set_type(d1, 0x902, m, p2m_mmio_direct);
    CHECK_EQ(lookup(&e.c0, 1, 0x902, false, &mfn), -EINVAL);
    set_type(d1, 0x902, m, p2m_ram_broken);
    CHECK_EQ(lookup(&e.c0, 1, 0x902, false, &mfn), -EINVAL);
    set_type(d1, 0x902, INVALID_MFN, p2m_invalid);
    check_host(e.h);
    env_fini(&e);
}

TEST(foreign_map_grant_entries_belong_to_the_granter)
{
    struct env e;
    struct domain *d1, *d2;
    struct caller c1;
    struct dctl t;
    gnttab_map_grant_ref_t *op;
    unsigned long args[6];
    uint64_t g;
    mfn_t page, frame0, mfn;

    env_init(&e);
    d1 = new_hvm_domain(e.h, 1, 4096);
    d2 = new_domain(e.h, 2, 4096);          /* PV granter */
    caller_init(&c1, d1, &e.a.ga);
    page = populate(&e, d2, 0x10);
    REQUIRE(gnttab_get_shared_frame_mfn(d2, 0, &frame0) == 0);
    ((grant_entry_v1_t *)mfn_to_virt(e.h, frame0))[1] =
        (grant_entry_v1_t){ .flags = GTF_permit_access, .domid = 1,
                            .frame = mfn_x(page) };
    /* d1 maps d2's grant at gfn 0x500 of its p2m. */
    g = garena_alloc(&e.a, sizeof(*op));
    op = garena_ptr(&e.a, g);
    *op = (gnttab_map_grant_ref_t){ .host_addr = 0x500ULL << PAGE_SHIFT,
                                    .flags = GNTMAP_host_map, .ref = 1,
                                    .dom = 2 };
    args[0] = GNTTABOP_map_grant_ref;
    args[1] = g;
    args[2] = 1;
    REQUIRE(hypercall_dispatch(&c1, __HYPERVISOR_grant_table_op, args) == 0);
    REQUIRE(op->status == GNTST_okay);

    /* The page is d2's: mapping it as d1's is refused. */
    CHECK_EQ(lookup(&e.c0, 1, 0x500, false, &mfn), -EBUSY);
    CHECK(mfn_eq(mfn, INVALID_MFN));
    /* Unless d1 may map d2 itself: its device model (xsm_priv_mapping). */
    dctl_init(&t, e.h->hardware_domain);
    t.op.u.set_target.target = 2;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_target, 1), -EOPNOTSUPP); /* PV */
    d1->target = d2;
    get_knownalive_domain(d2);
    CHECK_EQ(lookup(&e.c0, 1, 0x500, true, &mfn), 0);
    CHECK_EQ(mfn_x(mfn), mfn_x(page));
    /* And d2's frame itself, named directly, is d2's. */
    CHECK_EQ(lookup(&e.c0, 2, mfn_x(page), true, &mfn), 0);
    CHECK_EQ(mfn_x(mfn), mfn_x(page));
    check_host(e.h);
    env_fini(&e);
}

TEST(foreign_map_pv_frames_are_mfns)
{
    struct env e;
    struct domain *d1;
    mfn_t page, mfn, free_mfn = INVALID_MFN;
    unsigned long i;
    unsigned int order;

    env_init(&e);
    d1 = new_domain(e.h, 1, 4096);
    page = populate(&e, d1, 0x10);

    CHECK_EQ(lookup(&e.c0, 1, mfn_x(page), true, &mfn), 0);
    CHECK_EQ(mfn_x(mfn), mfn_x(page));
    /* A Xen-heap page shared with it (shared_info) is its too. */
    CHECK_EQ(lookup(&e.c0, 1, mfn_x(page_to_mfn(e.h, d1->shared_info)), true,
                    &mfn), 0);
    /* dom0's page, and a free page, are not d1's. */
    CHECK_EQ(lookup(&e.c0, 1,
                    mfn_x(page_to_mfn(e.h, e.h->hardware_domain->shared_info)),
                    false, &mfn), -EBUSY);
    for ( i = 0x100; i < e.h->max_page; i++ )
        if ( page_state_is(inuse_block_head(e.h, _mfn(i), &order), free) )
        {
            free_mfn = _mfn(i);
            break;
        }
    REQUIRE(!mfn_eq(free_mfn, INVALID_MFN));
    CHECK_EQ(lookup(&e.c0, 1, mfn_x(free_mfn), false, &mfn), -EBUSY);
    /* No RAM: I/O memory nobody may map; the all-ones frame is invalid. */
    CHECK_EQ(lookup(&e.c0, 1, e.h->max_page, false, &mfn), -EPERM);
    CHECK(mfn_eq(mfn, INVALID_MFN));
    CHECK_EQ(lookup(&e.c0, 1, (1UL << 40) - 1, false, &mfn), -EINVAL);
    check_host(e.h);
    env_fini(&e);
}

TEST(foreign_map_privilege_and_lookup)
{
    struct env e;
    struct domain *d1, *d2;
    struct caller c1;
    struct dctl t;
    mfn_t m, mfn;

    env_init(&e);
    d1 = new_hvm_domain(e.h, 1, 4096);
    d2 = new_hvm_domain(e.h, 2, 4096);
    caller_init(&c1, d1, &e.a.ga);
    m = populate(&e, d2, 0x20);

    CHECK_EQ(lookup(&e.c0, 77, 0x20, false, &mfn), -ESRCH);
    /* "Cannot specify itself as foreign domain". */
    CHECK_EQ(lookup(&e.c0, 0, 0x20, false, &mfn), -ESRCH);
    /* XSM_TARGET: a guest may not map another guest... */
    CHECK_EQ(lookup(&c1, 2, 0x20, false, &mfn), -EPERM);
    CHECK(mfn_eq(mfn, INVALID_MFN));
    /* ...unless it is that guest's device model. */
    dctl_init(&t, e.h->hardware_domain);
    t.op.u.set_target.target = 2;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_target, 1), 0);
    CHECK_EQ(lookup(&c1, 2, 0x20, true, &mfn), 0);
    CHECK_EQ(mfn_x(mfn), mfn_x(m));
    /* DOMID_SELF names the caller, which may map its own RAM. */
    CHECK_EQ(lookup(&c1, DOMID_SELF, 0x20, false, &mfn), -EINVAL);
    CHECK_EQ(lookup(&e.c0, DOMID_SELF,
                    mfn_x(page_to_mfn(e.h, e.h->hardware_domain->shared_info)),
                    false, &mfn), 0);
    check_host(e.h);
    (void)d2;
    env_fini(&e);
}

TEST(foreign_map_batch)
{
    struct env e;
    struct domain *d1;
    struct caller c1;
    xen_pfn_t gfns[4] = { 0x20, 0x900, 0x21, 0x20 };
    mfn_t mfns[4];
    int errs[4];

    env_init(&e);
    d1 = new_hvm_domain(e.h, 1, 4096);
    new_hvm_domain(e.h, 2, 4096);
    caller_init(&c1, d1, &e.a.ga);
    populate(&e, d1, 0x20);
    populate(&e, d1, 0x21);

    /* Per-frame errors; the return value counts the failures. */
    CHECK_EQ(p2m_foreign_map_batch(&e.c0, 1, gfns, 4, true, mfns, errs), 1);
    CHECK_EQ(errs[0], 0);
    CHECK_EQ(errs[1], -EINVAL);
    CHECK_EQ(errs[2], 0);
    CHECK_EQ(errs[3], 0);
    CHECK_EQ(mfn_x(mfns[0]), mfn_x(gfn_mfn(d1, 0x20)));
    CHECK(mfn_eq(mfns[1], INVALID_MFN));
    CHECK_EQ(mfn_x(mfns[2]), mfn_x(gfn_mfn(d1, 0x21)));
    CHECK_EQ(mfn_x(mfns[3]), mfn_x(mfns[0]));
    gfns[1] = 0x21;
    CHECK_EQ(p2m_foreign_map_batch(&e.c0, 1, gfns, 4, false, mfns, errs), 0);
    /* A domain-level refusal is returned, and reported for every frame. */
    CHECK_EQ(p2m_foreign_map_batch(&c1, 2, gfns, 4, false, mfns, errs),
             -EPERM);
    for ( unsigned int i = 0; i < 4; i++ )
    {
        CHECK_EQ(errs[i], -EPERM);
        CHECK(mfn_eq(mfns[i], INVALID_MFN));
    }
    CHECK_EQ(p2m_foreign_map_batch(&e.c0, 77, gfns, 4, false, mfns, errs),
             -ESRCH);
    CHECK_EQ(errs[3], -ESRCH);
    check_host(e.h);
    env_fini(&e);
}
