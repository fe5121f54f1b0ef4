/*
 * GNTTABOP_map_grant_ref / unmap_grant_ref and the table ops through the
 * dispatcher, as 4.17 with v1 entries: xenstored's map of the ring a
 * domain builder granted at GNTTAB_RESERVED_XENSTORE, GTF_reading and
 * GTF_writing following the pins, every GNTST_* a map or unmap can give,
 * HVM mappers' p2m grant entries, PoD and paged frames, maptrack handles
 * and their limit, batches and continuations, and what happens to the
 * mappings when either side dies.
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

#define HOST_ADDR 0x7f1234000000ULL     /* where dom0 "maps" grants */

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

/* A PV guest with one vCPU and maptrack_frames frames of maptrack. */
static struct domain *pv_domain(struct host *h, domid_t id,
                                int32_t maptrack_frames)
{
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = 1,
        .max_grant_frames = -1,
        .max_maptrack_frames = maptrack_frames,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
    };
    struct domain *d;
    int rc;

    d = domain_create(h, id, &cfg, 0, &rc);
    REQUIRE(d && rc == 0);
    REQUIRE(vcpu_create(d, 0) == 0);
    d->max_pages = 4096;
    return d;
}

/* One populated page of d at gfn; its MFN. */
static mfn_t populate(struct env *e, struct domain *d, unsigned long gfn)
{
    xen_pfn_t l[1] = { gfn };

    REQUIRE(memop_resv(&e->c0, &e->a, true, XENMEM_populate_physmap,
                       d->domain_id, l, 1, 0, 0) == 1);
    /* PV: the MFN comes back in the list; HVM: ask the p2m. */
    return paging_mode_translate(d) ? gfn_mfn(d, gfn) : _mfn(l[0]);
}

static grant_entry_v1_t *gref(struct domain *d, grant_ref_t ref)
{
    mfn_t mfn;

    REQUIRE(gnttab_get_shared_frame_mfn(d, ref / SHGNT_PER_PAGE_V1, &mfn) == 0);
    return (grant_entry_v1_t *)mfn_to_virt(d->host, mfn) +
           ref % SHGNT_PER_PAGE_V1;
}

/* As a guest grants: domid and frame first, then the flags. */
static void seed(struct domain *d, grant_ref_t ref, uint16_t flags,
                 domid_t domid, uint32_t frame)
{
    grant_entry_v1_t *e = gref(d, ref);

    e->domid = domid;
    e->frame = frame;
    __atomic_store_n(&e->flags, flags, __ATOMIC_SEQ_CST);
}

static long gnttab_op(struct env *e, struct caller *c, unsigned int cmd,
                      void *ops, size_t size, unsigned int count)
{
    size_t used = e->a.used;
    uint64_t g = garena_alloc(&e->a, size * count);
    unsigned long args[6] = { cmd, g, count, 0, 0, 0 };
    long rc;

    memcpy(garena_ptr(&e->a, g), ops, size * count);
    rc = hypercall_dispatch(c, __HYPERVISOR_grant_table_op, args);
    memcpy(ops, garena_ptr(&e->a, g), size * count);
    e->a.used = used;
    return rc;
}

static int16_t map1(struct env *e, struct caller *c, domid_t dom,
                    grant_ref_t ref, uint32_t flags, uint64_t host_addr,
                    gnttab_map_grant_ref_t *out)
{
    gnttab_map_grant_ref_t op = {
        .host_addr = host_addr, .flags = flags, .ref = ref, .dom = dom,
        .status = 99, .handle = ~0U, .dev_bus_addr = 0,
    };

    REQUIRE(gnttab_op(e, c, GNTTABOP_map_grant_ref, &op, sizeof(op), 1) == 0);
    if ( out )
        *out = op;
    return op.status;
}

static int16_t unmap1(struct env *e, struct caller *c, grant_handle_t handle,
                      uint64_t host_addr, uint64_t dev_bus_addr)
{
    gnttab_unmap_grant_ref_t op = {
        .host_addr = host_addr, .dev_bus_addr = dev_bus_addr,
        .handle = handle, .status = 99,
    };

    REQUIRE(gnttab_op(e, c, GNTTABOP_unmap_grant_ref, &op, sizeof(op), 1) == 0);
    return op.status;
}

#define RW (GNTMAP_host_map)
#define RO (GNTMAP_host_map | GNTMAP_readonly)

TEST(gnttab_map_xenstore_ring)
{
    struct env e;
    struct domain *d1;
    gnttab_map_grant_ref_t m;
    const unsigned long ring_gfn = 0xfeffc;
    uint64_t v = 0;
    mfn_t ring;

    env_init(&e);
    d1 = new_hvm_domain(e.h, 1, 4096);
    ring = populate(&e, d1, ring_gfn);
    /* xc_dom_gnttab_seed: xenstore (dom0) may use the ring page. */
    seed(d1, GNTTAB_RESERVED_XENSTORE, GTF_permit_access, 0, ring_gfn);

    /* xenstored: xengnttab_map_grant_ref(1, GNTTAB_RESERVED_XENSTORE, RW). */
    CHECK_EQ(map1(&e, &e.c0, 1, GNTTAB_RESERVED_XENSTORE, RW, HOST_ADDR, &m),
             GNTST_okay);
    CHECK_EQ(m.handle, 0);
    CHECK_EQ(m.dev_bus_addr, (uint64_t)mfn_x(ring) << PAGE_SHIFT);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    check_host(e.h);
    /* The same bytes on both sides. */
    *(uint64_t *)mfn_to_virt(e.h, ring) = 0x5a5a;
    CHECK_EQ(touch_read(d1, ring_gfn, &v), 0);
    CHECK_EQ(v, 0x5a5a);

    CHECK_EQ(unmap1(&e, &e.c0, m.handle, HOST_ADDR, 0), GNTST_okay);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access);
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, HOST_ADDR, 0), GNTST_bad_handle);
    /* Handles come off the free list's head; freed ones join its tail. */
    CHECK_EQ(map1(&e, &e.c0, 1, 1, RW, HOST_ADDR, &m), GNTST_okay);
    CHECK_EQ(m.handle, 1);
    CHECK_EQ(unmap1(&e, &e.c0, 1, HOST_ADDR, 0), GNTST_okay);
    env_fini(&e);
}

TEST(gnttab_map_pins_and_statuses)
{
    struct env e;
    struct domain *d1;
    gnttab_map_grant_ref_t ro, rw, m;
    mfn_t page;

    env_init(&e);
    d1 = pv_domain(e.h, 1, -1);
    page = populate(&e, d1, 0x10);
    seed(d1, 1, GTF_permit_access, 0, mfn_x(page));

    /* Read-only, then writable, pins on one entry. */
    CHECK_EQ(map1(&e, &e.c0, 1, 1, RO, HOST_ADDR, &ro), GNTST_okay);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access | GTF_reading);
    CHECK_EQ(ro.dev_bus_addr, (uint64_t)mfn_x(page) << PAGE_SHIFT);
    CHECK_EQ(map1(&e, &e.c0, 1, 1, RW, HOST_ADDR + 0x1000, &rw), GNTST_okay);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ(rw.handle, ro.handle + 1);
    check_host(e.h);
    /* The last writer gone: GTF_writing; the last reader: GTF_reading. */
    CHECK_EQ(unmap1(&e, &e.c0, rw.handle, HOST_ADDR + 0x1000, 0), GNTST_okay);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access | GTF_reading);
    CHECK_EQ(unmap1(&e, &e.c0, ro.handle, HOST_ADDR, 0), GNTST_okay);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access);

    /* The granting domain. */
    CHECK_EQ(map1(&e, &e.c0, 77, 1, RW, HOST_ADDR, NULL), GNTST_bad_domain);
    CHECK_EQ(map1(&e, &e.c0, DOMID_SELF, 1, RW, HOST_ADDR, NULL),
             GNTST_bad_domain);
    /* The ref, and flags asking for no mapping at all. */
    CHECK_EQ(map1(&e, &e.c0, 1, SHGNT_PER_PAGE_V1, RW, HOST_ADDR, NULL),
             GNTST_bad_gntref);
    CHECK_EQ(map1(&e, &e.c0, 1, 1, GNTMAP_readonly, HOST_ADDR, NULL),
             GNTST_bad_gntref);
    /* The entry: another domain's, read-only, not an access grant. */
    seed(d1, 2, GTF_permit_access, 5, mfn_x(page));
    CHECK_EQ(map1(&e, &e.c0, 1, 2, RO, HOST_ADDR, NULL), GNTST_general_error);
    CHECK_EQ(gref(d1, 2)->flags, GTF_permit_access);
    seed(d1, 3, GTF_permit_access | GTF_readonly, 0, mfn_x(page));
    CHECK_EQ(map1(&e, &e.c0, 1, 3, RW, HOST_ADDR, NULL), GNTST_general_error);
    CHECK_EQ(gref(d1, 3)->flags, GTF_permit_access | GTF_readonly);
    CHECK_EQ(map1(&e, &e.c0, 1, 3, RO, HOST_ADDR, &m), GNTST_okay);
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, HOST_ADDR, 0), GNTST_okay);
    seed(d1, 4, GTF_accept_transfer, 0, mfn_x(page));
    CHECK_EQ(map1(&e, &e.c0, 1, 4, RO, HOST_ADDR, NULL), GNTST_general_error);
    seed(d1, 5, GTF_permit_access | GTF_sub_page, 0, mfn_x(page));
    CHECK_EQ(map1(&e, &e.c0, 1, 5, RO, HOST_ADDR, NULL), GNTST_general_error);
    seed(d1, 6, GTF_invalid, 0, mfn_x(page));
    CHECK_EQ(map1(&e, &e.c0, 1, 6, RO, HOST_ADDR, NULL), GNTST_general_error);
    /* A frame the granter does not own; the flags are put back. */
    seed(d1, 7, GTF_permit_access, 0,
         mfn_x(page_to_mfn(e.h, e.h->hardware_domain->shared_info)));
    CHECK_EQ(map1(&e, &e.c0, 1, 7, RW, HOST_ADDR, NULL), GNTST_bad_page);
    CHECK_EQ(gref(d1, 7)->flags, GTF_permit_access);
    seed(d1, 7, GTF_permit_access, 0, e.h->max_page + 5);
    CHECK_EQ(map1(&e, &e.c0, 1, 7, RW, HOST_ADDR, NULL), GNTST_bad_page);
    /* Its own shared_info is the granter's: that is fine. */
    seed(d1, 8, GTF_permit_access, 0,
         mfn_x(page_to_mfn(e.h, d1->shared_info)));
    CHECK_EQ(map1(&e, &e.c0, 1, 8, RO, HOST_ADDR, &m), GNTST_okay);
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, HOST_ADDR, 0), GNTST_okay);
    check_host(e.h);
    env_fini(&e);
}

TEST(gnttab_unmap_statuses_and_device_maps)
{
    struct env e;
    struct domain *d1;
    gnttab_map_grant_ref_t m;
    uint64_t bus;
    mfn_t page;

    env_init(&e);
    d1 = pv_domain(e.h, 1, -1);
    page = populate(&e, d1, 0x10);
    bus = (uint64_t)mfn_x(page) << PAGE_SHIFT;
    seed(d1, 1, GTF_permit_access, 0, mfn_x(page));

    CHECK_EQ(unmap1(&e, &e.c0, 0, HOST_ADDR, 0), GNTST_bad_handle);
    CHECK_EQ(unmap1(&e, &e.c0, 99999, HOST_ADDR, 0), GNTST_bad_handle);
    CHECK_EQ(map1(&e, &e.c0, 1, 1, RW, HOST_ADDR, &m), GNTST_okay);
    /* Not where it was mapped: the mapping stays. */
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, HOST_ADDR + 0x1000, 0),
             GNTST_general_error);
    /* Neither address: nothing done, nothing wrong. */
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, 0, 0), GNTST_okay);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, HOST_ADDR, 0), GNTST_okay);

    /* A device mapping gives the bus address, and is unmapped by it. */
    CHECK_EQ(map1(&e, &e.c0, 1, 1, GNTMAP_device_map | GNTMAP_host_map,
                  HOST_ADDR, &m), GNTST_okay);
    CHECK_EQ(m.dev_bus_addr, bus);
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, 0, bus + PAGE_SIZE),
             GNTST_bad_dev_addr);
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, HOST_ADDR, 0), GNTST_okay);
    /* The device half still pins it for writing. */
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, 0, bus), GNTST_okay);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access);
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, 0, bus), GNTST_bad_handle);
    check_host(e.h);
    env_fini(&e);
}

TEST(gnttab_map_into_an_hvm_p2m)
{
    struct env e;
    struct domain *d1, *d2;
    struct caller c2;
    gnttab_map_grant_ref_t m;
    const unsigned long gfn = 0x500;
    uint64_t v = 0;
    mfn_t page;

    env_init(&e);
    d1 = pv_domain(e.h, 1, -1);
    d2 = new_hvm_domain(e.h, 2, 4096);
    caller_init(&c2, d2, &e.a.ga);
    page = populate(&e, d1, 0x10);
    *(uint64_t *)mfn_to_virt(e.h, page) = 0x77;
    seed(d1, 1, GTF_permit_access, 2, mfn_x(page));

    /* HVM: no device, application or PTE mappings. */
    CHECK_EQ(map1(&e, &c2, 1, 1, GNTMAP_device_map, 0, NULL),
             GNTST_general_error);
    CHECK_EQ(map1(&e, &c2, 1, 1, RW | GNTMAP_contains_pte, gfn << 12, NULL),
             GNTST_general_error);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access);
    CHECK_EQ(map1(&e, &c2, 1, 1, RW, (uint64_t)gfn << PAGE_SHIFT, &m),
             GNTST_okay);
    CHECK_EQ(gfn_type(d2, gfn, NULL), p2m_grant_map_rw);
    CHECK_EQ(mfn_x(gfn_mfn(d2, gfn)), mfn_x(page));
    CHECK_EQ(touch_read(d2, gfn, &v), 0);
    CHECK_EQ(v, 0x77);
    CHECK_EQ(touch_write(d2, gfn, 0x88), 0);
    CHECK_EQ(*(uint64_t *)mfn_to_virt(e.h, page), 0x88);
    check_host(e.h);
    /* dom0 cannot pin an entry d2 holds (the active entry is d2's). */
    CHECK_EQ(map1(&e, &e.c0, 1, 1, RO, HOST_ADDR, NULL), GNTST_general_error);

    CHECK_EQ(unmap1(&e, &c2, m.handle, (uint64_t)(gfn + 1) << PAGE_SHIFT, 0),
             GNTST_general_error);
    CHECK_EQ(unmap1(&e, &c2, m.handle, (uint64_t)gfn << PAGE_SHIFT, 0),
             GNTST_okay);
    CHECK_EQ(gfn_type(d2, gfn, NULL), p2m_invalid);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access);
    /* Read-only: the guest's writes are dropped. */
    CHECK_EQ(map1(&e, &c2, 1, 1, RO, (uint64_t)gfn << PAGE_SHIFT, &m),
             GNTST_okay);
    CHECK_EQ(gfn_type(d2, gfn, NULL), p2m_grant_map_ro);
    CHECK_EQ(touch_write(d2, gfn, 0x99), 0);
    CHECK_EQ(*(uint64_t *)mfn_to_virt(e.h, page), 0x88);
    env_fini(&e);
}

TEST(gnttab_map_pod_paged_and_unpopulated_frames)
{
    struct env e;
    struct domain *d1;
    gnttab_map_grant_ref_t m;
    long entries;

    env_init(&e);
    d1 = new_hvm_domain(e.h, 1, 4096);
    CHECK_EQ(set_pod_target(&e.c0, &e.a, 1, 512), 0);
    CHECK_EQ(pod_mark(&e.c0, &e.a, 1, 0x200, 1, PAGE_ORDER_2M), 1);
    entries = d1->p2m->pod.entry_count;
    seed(d1, 1, GTF_permit_access, 0, 0x205);
    seed(d1, 2, GTF_permit_access, 0, 0x900);        /* nothing there */
    seed(d1, 3, GTF_permit_access, 0, 0x901);

    /* A PoD gfn is populated by the lookup (P2M_ALLOC). */
    CHECK_EQ(map1(&e, &e.c0, 1, 1, RW, HOST_ADDR, &m), GNTST_okay);
    CHECK_EQ(gfn_type(d1, 0x205, NULL), p2m_ram_rw);
    CHECK_EQ(m.dev_bus_addr, (uint64_t)mfn_x(gfn_mfn(d1, 0x205)) << PAGE_SHIFT);
    CHECK(d1->p2m->pod.entry_count < entries);
    check_host(e.h);
    CHECK_EQ(map1(&e, &e.c0, 1, 2, RW, HOST_ADDR, NULL), GNTST_bad_page);
    CHECK_EQ(gref(d1, 2)->flags, GTF_permit_access);
    /* Paged out: try again later. */
    pthread_mutex_lock(&d1->p2m->lock);
    REQUIRE(p2m_set_entry(d1->p2m, 0x901, INVALID_MFN, 0, p2m_ram_paged) == 0);
    pthread_mutex_unlock(&d1->p2m->lock);
    CHECK_EQ(map1(&e, &e.c0, 1, 3, RO, HOST_ADDR, NULL), GNTST_eagain);
    CHECK_EQ(gref(d1, 3)->flags, GTF_permit_access);
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, HOST_ADDR, 0), GNTST_okay);
    pthread_mutex_lock(&d1->p2m->lock);
    REQUIRE(p2m_set_entry(d1->p2m, 0x901, INVALID_MFN, 0, p2m_invalid) == 0);
    pthread_mutex_unlock(&d1->p2m->lock);
    env_fini(&e);
}

TEST(gnttab_granter_dies_while_mapped)
{
    struct env e;
    struct domain *d1, *d2;
    struct caller c2;
    gnttab_map_grant_ref_t m0, m2;
    mfn_t page;

    env_init(&e);
    d1 = pv_domain(e.h, 1, -1);
    d2 = new_hvm_domain(e.h, 2, 4096);
    caller_init(&c2, d2, &e.a.ga);
    page = populate(&e, d1, 0x10);
    seed(d1, 1, GTF_permit_access, 0, mfn_x(page));
    seed(d1, 2, GTF_permit_access, 2, mfn_x(page));
    CHECK_EQ(map1(&e, &e.c0, 1, 1, RW, HOST_ADDR, &m0), GNTST_okay);
    CHECK_EQ(map1(&e, &c2, 1, 2, RW, 0x500ULL << PAGE_SHIFT, &m2), GNTST_okay);

    domain_kill(d1);
    domain_destroy(d1);
    check_host(e.h);
    /* The HVM mapper's p2m no longer holds the freed page. */
    CHECK_EQ(gfn_type(d2, 0x500, NULL), p2m_invalid);
    /* Unmapping what the dead domain took back succeeds, once. */
    CHECK_EQ(unmap1(&e, &e.c0, m0.handle, HOST_ADDR, 0), GNTST_okay);
    CHECK_EQ(unmap1(&e, &e.c0, m0.handle, HOST_ADDR, 0), GNTST_bad_handle);
    CHECK_EQ(unmap1(&e, &c2, m2.handle, 0x500ULL << PAGE_SHIFT, 0), GNTST_okay);
    /* A new domain with the old id knows nothing of those handles. */
    d1 = pv_domain(e.h, 1, -1);
    page = populate(&e, d1, 0x10);
    seed(d1, 1, GTF_permit_access, 0, mfn_x(page));
    CHECK_EQ(map1(&e, &e.c0, 1, 1, RW, HOST_ADDR, &m0), GNTST_okay);
    CHECK_EQ(unmap1(&e, &e.c0, m0.handle, HOST_ADDR, 0), GNTST_okay);
    env_fini(&e);
}

TEST(gnttab_mapper_dies_while_mapped)
{
    struct env e;
    struct domain *d1, *d2;
    struct caller c2;
    gnttab_map_grant_ref_t m;
    mfn_t page;

    env_init(&e);
    d1 = pv_domain(e.h, 1, -1);
    d2 = new_hvm_domain(e.h, 2, 4096);
    caller_init(&c2, d2, &e.a.ga);
    page = populate(&e, d1, 0x10);
    seed(d1, 1, GTF_permit_access, 2, mfn_x(page));
    CHECK_EQ(map1(&e, &c2, 1, 1, RW, 0x500ULL << PAGE_SHIFT, &m), GNTST_okay);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access | GTF_reading | GTF_writing);

    /* gnttab_release_mappings: the pins and the status flags go. */
    domain_kill(d2);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access);
    domain_destroy(d2);
    check_host(e.h);
    /* The entry can be granted to, and pinned by, someone else. */
    seed(d1, 1, GTF_permit_access, 0, mfn_x(page));
    CHECK_EQ(map1(&e, &e.c0, 1, 1, RW, HOST_ADDR, &m), GNTST_okay);
    CHECK_EQ(unmap1(&e, &e.c0, m.handle, HOST_ADDR, 0), GNTST_okay);
    env_fini(&e);
}

TEST(gnttab_maptrack_limit_and_pin_overflow)
{
    struct env e;
    struct domain *d1, *d2;
    struct caller c2;
    gnttab_map_grant_ref_t m;
    unsigned int i;
    mfn_t page;

    env_init(&e);
    d1 = pv_domain(e.h, 1, -1);
    d2 = pv_domain(e.h, 2, 1);              /* one maptrack frame */
    caller_init(&c2, d2, &e.a.ga);
    page = populate(&e, d1, 0x10);
    for ( i = 1; i < 300; i++ )
        seed(d1, i, GTF_permit_access, 2, mfn_x(page));

    /*
     * A pin counter takes 128 mappings of one kind: the 129th could wrap
     * it.  The failed map's handle (128) goes back to the free list's tail.
     */
    for ( i = 0; i < 128; i++ )
        if ( map1(&e, &c2, 1, 1, RO, HOST_ADDR, NULL) != GNTST_okay )
            break;
    CHECK_EQ(i, 128);
    CHECK_EQ(map1(&e, &c2, 1, 1, RO, HOST_ADDR, NULL), GNTST_general_error);
    CHECK_EQ(map1(&e, &c2, 1, 1, RW, HOST_ADDR, &m), GNTST_okay);
    CHECK_EQ(m.handle, 129);
    /*
     * 256 slots, one kept as the free list's tail: 255 mappings (handles
     * 130..255 now), then GNTST_no_space - one vCPU, nothing to steal.
     */
    for ( i = 2; i < 200; i++ )
        if ( map1(&e, &c2, 1, i, RO, HOST_ADDR, NULL) != GNTST_okay )
            break;
    CHECK_EQ(i, 128);
    CHECK_EQ(map1(&e, &c2, 1, 200, RO, HOST_ADDR, NULL), GNTST_no_space);
    CHECK_EQ(unmap1(&e, &c2, 128, HOST_ADDR, 0), GNTST_bad_handle);
    /* An unmapped handle joins the tail; the old tail is handed out. */
    CHECK_EQ(unmap1(&e, &c2, m.handle, HOST_ADDR, 0), GNTST_okay);
    CHECK_EQ(map1(&e, &c2, 1, 200, RO, HOST_ADDR, &m), GNTST_okay);
    CHECK_EQ(m.handle, 128);
    CHECK_EQ(map1(&e, &c2, 1, 201, RO, HOST_ADDR, NULL), GNTST_no_space);
    check_host(e.h);
    env_fini(&e);
}

TEST(gnttab_op_batches_and_refusals)
{
    struct env e;
    struct domain *d1;
    gnttab_map_grant_ref_t ops[3];
    gnttab_unmap_grant_ref_t uops[3];
    unsigned long args[6] = { GNTTABOP_map_grant_ref, 0x1000, 1, 0, 0, 0 };
    mfn_t page;

    env_init(&e);
    d1 = pv_domain(e.h, 1, -1);
    page = populate(&e, d1, 0x10);
    seed(d1, 1, GTF_permit_access, 0, mfn_x(page));
    seed(d1, 2, GTF_permit_access, 0, mfn_x(page));

    memset(ops, 0, sizeof(ops));
    for ( unsigned int i = 0; i < 3; i++ )
    {
        ops[i].dom = 1;
        ops[i].ref = i + 1;
        ops[i].flags = RO;
        ops[i].host_addr = HOST_ADDR;
    }
    /* Preempted between ops: continued where it stopped. */
    e.c0.preempt_every = 1;
    CHECK_EQ(gnttab_op(&e, &e.c0, GNTTABOP_map_grant_ref, ops, sizeof(ops[0]),
                       3), 0);
    CHECK_EQ(e.c0.nr_continuations, 2);
    e.c0.preempt_every = 0;
    CHECK_EQ(ops[0].status, GNTST_okay);
    CHECK_EQ(ops[1].status, GNTST_okay);
    CHECK_EQ(ops[2].status, GNTST_general_error);   /* ref 3: not granted */
    CHECK_EQ(ops[0].handle, 0);
    CHECK_EQ(ops[1].handle, 1);
    memset(uops, 0, sizeof(uops));
    for ( unsigned int i = 0; i < 3; i++ )
    {
        uops[i].handle = i;
        uops[i].host_addr = HOST_ADDR;
    }
    CHECK_EQ(gnttab_op(&e, &e.c0, GNTTABOP_unmap_grant_ref, uops,
                       sizeof(uops[0]), 3), 0);
    CHECK_EQ(uops[0].status, GNTST_okay);
    CHECK_EQ(uops[1].status, GNTST_okay);
    CHECK_EQ(uops[2].status, GNTST_bad_handle);
    CHECK_EQ(gref(d1, 1)->flags, GTF_permit_access);

    /* The hypercall's own refusals. */
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_grant_table_op, args),
             -EFAULT);
    args[2] = 0;                            /* nothing to do: fine */
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_grant_table_op, args), 0);
    args[2] = -1U;
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_grant_table_op, args),
             -EINVAL);
    args[0] = GNTTABOP_map_grant_ref | (1U << 12);
    args[2] = 0;
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_grant_table_op, args),
             -EINVAL);
    args[0] = GNTTABOP_transfer;
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_grant_table_op, args),
             -ENOSYS);
    args[0] = GNTTABOP_set_version;
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_grant_table_op, args),
             -ENOSYS);
    check_host(e.h);
    env_fini(&e);
}

TEST(gnttab_setup_table_query_size_get_version)
{
    struct env e;
    struct domain *d1, *d2;
    struct caller c2;
    gnttab_query_size_t q;
    gnttab_get_version_t gv;
    struct {
        gnttab_setup_table_t op;
        xen_pfn_t frames[4];
    } st;
    uint64_t g;
    mfn_t f0, f1;
    unsigned long args[6];

    env_init(&e);
    d1 = pv_domain(e.h, 1, -1);
    d2 = new_hvm_domain(e.h, 2, 4096);
    caller_init(&c2, d2, &e.a.ga);

    q = (gnttab_query_size_t){ .dom = 1 };
    CHECK_EQ(gnttab_op(&e, &e.c0, GNTTABOP_query_size, &q, sizeof(q), 1), 0);
    CHECK_EQ(q.status, GNTST_okay);
    CHECK_EQ(q.nr_frames, 1);
    CHECK_EQ(q.max_nr_frames, 64);
    q = (gnttab_query_size_t){ .dom = 1 };
    CHECK_EQ(gnttab_op(&e, &c2, GNTTABOP_query_size, &q, sizeof(q), 1), 0);
    CHECK_EQ(q.status, GNTST_permission_denied);
    q = (gnttab_query_size_t){ .dom = 77 };
    CHECK_EQ(gnttab_op(&e, &e.c0, GNTTABOP_query_size, &q, sizeof(q), 1), 0);
    CHECK_EQ(q.status, GNTST_bad_domain);
    {
        gnttab_query_size_t q2[2] = { { .dom = 1 }, { .dom = 1 } };

        CHECK_EQ(gnttab_op(&e, &e.c0, GNTTABOP_query_size, q2, sizeof(q), 2),
                 -EINVAL);
    }

    /* setup_table grows the table; a PV domain's frames are MFNs. */
    g = garena_alloc(&e.a, sizeof(st));
    memset(&st, 0, sizeof(st));
    st.op.dom = 1;
    st.op.nr_frames = 2;
    set_xen_guest_handle(st.op.frame_list,
                         (xen_pfn_t *)(uintptr_t)(g + sizeof(st.op)));
    memcpy(garena_ptr(&e.a, g), &st, sizeof(st));
    args[0] = GNTTABOP_setup_table;
    args[1] = g;
    args[2] = 1;
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_grant_table_op, args), 0);
    memcpy(&st, garena_ptr(&e.a, g), sizeof(st));
    CHECK_EQ(st.op.status, GNTST_okay);
    CHECK_EQ(gnttab_nr_grant_frames(d1), 2);
    REQUIRE(gnttab_get_shared_frame_mfn(d1, 0, &f0) == 0);
    REQUIRE(gnttab_get_shared_frame_mfn(d1, 1, &f1) == 0);
    CHECK_EQ(st.frames[0], mfn_x(f0));
    CHECK_EQ(st.frames[1], mfn_x(f1));
    check_host(e.h);
    /* Past max_grant_frames (the list must lie in the caller's buffers). */
    ((gnttab_setup_table_t *)garena_ptr(&e.a, g))->nr_frames = 65;
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_grant_table_op, args), 0);
    memcpy(&st, garena_ptr(&e.a, g), sizeof(st));
    CHECK_EQ(st.op.status, GNTST_general_error);
    CHECK_EQ(gnttab_nr_grant_frames(d1), 2);
    ((gnttab_setup_table_t *)garena_ptr(&e.a, g))->nr_frames = 1 << 20;
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_grant_table_op, args),
             -EFAULT);
    ((gnttab_setup_table_t *)garena_ptr(&e.a, g))->nr_frames = 0;
    ((gnttab_setup_table_t *)garena_ptr(&e.a, g))->dom = 2;
    args[2] = 2;
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_grant_table_op, args),
             -EINVAL);
    args[2] = 1;
    CHECK_EQ(hypercall_dispatch(&c2, __HYPERVISOR_grant_table_op, args), 0);
    memcpy(&st, garena_ptr(&e.a, g), sizeof(st));
    CHECK_EQ(st.op.status, GNTST_okay);         /* itself: XSM_TARGET */
    ((gnttab_setup_table_t *)garena_ptr(&e.a, g))->dom = 1;
    CHECK_EQ(hypercall_dispatch(&c2, __HYPERVISOR_grant_table_op, args), 0);
    memcpy(&st, garena_ptr(&e.a, g), sizeof(st));
    CHECK_EQ(st.op.status, GNTST_permission_denied);

    gv = (gnttab_get_version_t){ .dom = 1 };
    CHECK_EQ(gnttab_op(&e, &e.c0, GNTTABOP_get_version, &gv, sizeof(gv), 1),
             0);
    CHECK_EQ(gv.version, 1);
    CHECK_EQ(gnttab_op(&e, &c2, GNTTABOP_get_version, &gv, sizeof(gv), 1),
             -EPERM);
    gv.dom = 77;
    CHECK_EQ(gnttab_op(&e, &e.c0, GNTTABOP_get_version, &gv, sizeof(gv), 1),
             -ESRCH);
    env_fini(&e);
}

/* host_check() holds the pins to the maptrack. */
TEST(gnttab_host_check_sees_stray_pins)
{
    struct env e;
    struct domain *d1;
    struct active_grant_entry *act;
    char buf[512];
    mfn_t page;

    env_init(&e);
    d1 = pv_domain(e.h, 1, -1);
    page = populate(&e, d1, 0x10);
    seed(d1, 1, GTF_permit_access, 0, mfn_x(page));
    CHECK_EQ(map1(&e, &e.c0, 1, 1, RO, HOST_ADDR, NULL), GNTST_okay);
    act = &d1->grant_table->active[0][1];
    act->pin += 1;                          /* a writer nobody tracks */
    CHECK_EQ(host_check(e.h, buf, sizeof(buf)), 1);
    CHECK_CONTAINS(buf, "d1 ref 1: pin 0x101, its mappings hold 0x100");
    act->pin -= 1;
    act->domid = 5;
    CHECK_EQ(host_check(e.h, buf, sizeof(buf)), 1);
    CHECK_CONTAINS(buf, "pinned for another domain");
    act->domid = 0;
    env_fini(&e);
}

