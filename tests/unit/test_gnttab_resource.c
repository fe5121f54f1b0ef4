/*
 * XENMEM_acquire_resource through the dispatcher, as 4.17: the size query,
 * grant-table frames handed out as MFNs (growing the table), the seeding
 * libxenguest's xc_dom_gnttab_seed does through that mapping, the checks
 * and their errnos, and continuations.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/memory.h>
#include <xen/grant_table.h>

#include "core/grant_table.h"
#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"

#define MiB        (1ULL << 20)
#define ARG_GADDR  0x10000ULL
#define LIST_GADDR 0x20000ULL

struct env {
    struct host *h;
    struct guest_access ga;
    struct caller c;
    xen_mem_acquire_resource_t xmar;
    xen_pfn_t list[80];
};

static void env_init(struct env *e, struct host *h)
{
    memset(e, 0, sizeof(*e));
    e->h = h;
    caller_init(&e->c, h->hardware_domain, &e->ga);
    REQUIRE(guest_access_register(&e->ga, ARG_GADDR, &e->xmar,
                                  sizeof(e->xmar)) == 0);
    REQUIRE(guest_access_register(&e->ga, LIST_GADDR, e->list,
                                  sizeof(e->list)) == 0);
}

static void set_req(struct env *e, domid_t domid, unsigned int type,
                    unsigned int id, uint64_t frame, unsigned int nr,
                    uint64_t list)
{
    memset(&e->xmar, 0, sizeof(e->xmar));
    e->xmar.domid = domid;
    e->xmar.type = type;
    e->xmar.id = id;
    e->xmar.frame = frame;
    e->xmar.nr_frames = nr;
    set_xen_guest_handle(e->xmar.frame_list, (xen_pfn_t *)(uintptr_t)list);
}

static long acquire(struct env *e, unsigned long start_extent)
{
    unsigned long args[6] = { XENMEM_acquire_resource | (start_extent << 6),
                              ARG_GADDR, 0, 0, 0, 0 };

    return hypercall_dispatch(&e->c, __HYPERVISOR_memory_op, args);
}

TEST(acquire_resource_size_query)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *pv = new_domain(h, 1, 100), *hvm = new_hvm_domain(h, 2, 100);
    struct env e;

    env_init(&e, h);
    /* Null frame_list, nr_frames 0: the size, written back. */
    set_req(&e, 1, XENMEM_resource_grant_table,
            XENMEM_resource_grant_table_id_shared, 0, 0, 0);
    CHECK_EQ(acquire(&e, 0), 0);
    CHECK_EQ(e.xmar.nr_frames, 64);
    set_req(&e, 1, XENMEM_resource_grant_table,
            XENMEM_resource_grant_table_id_status, 0, 0, 0);
    CHECK_EQ(acquire(&e, 0), 0);
    CHECK_EQ(e.xmar.nr_frames, 8);
    /* A size query asks for nothing else. */
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, 1, 0);
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, 0, 0);
    CHECK_EQ(acquire(&e, 1), -EINVAL);
    /* Unknown grant id, vmtrace (never enabled): empty, -EINVAL. */
    set_req(&e, 1, XENMEM_resource_grant_table, 2, 0, 0, 0);
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    set_req(&e, 2, XENMEM_resource_vmtrace_buf, 0, 0, 0, 0);
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    /* ioreq server: HVM only; one buffered frame plus one per 128 vCPUs. */
    set_req(&e, 2, XENMEM_resource_ioreq_server, 0, 0, 0, 0);
    CHECK_EQ(acquire(&e, 0), 0);
    CHECK_EQ(e.xmar.nr_frames, 2);
    set_req(&e, 1, XENMEM_resource_ioreq_server, 0, 0, 0, 0);
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    /* An unknown type: 4.17 reports (uint32_t)-EOPNOTSUPP as the size. */
    set_req(&e, 1, 7, 0, 0, 0, 0);
    CHECK_EQ(acquire(&e, 0), 0);
    CHECK_EQ(e.xmar.nr_frames, (uint32_t)-EOPNOTSUPP);
    (void)pv;
    (void)hvm;
    check_host(h);
    host_destroy(h);
}

/* xc_dom_gnttab_seed: map frame 0, write refs 0 and 1, Xen sees them. */
TEST(acquire_resource_seed_xenstore_grant)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 100);
    grant_entry_v1_t *gnttab, ent;
    struct env e;
    mfn_t mfn;

    env_init(&e, h);
    e.list[0] = ~0UL;
    set_req(&e, 1, XENMEM_resource_grant_table,
            XENMEM_resource_grant_table_id_shared, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), 0);
    REQUIRE(gnttab_get_shared_frame_mfn(d, 0, &mfn) == 0);
    CHECK_EQ(e.list[0], mfn_x(mfn));

    /* The toolstack's foreign mapping of that MFN is this memory. */
    gnttab = mfn_to_virt(h, _mfn(e.list[0]));
    gnttab[GNTTAB_RESERVED_CONSOLE].flags = GTF_permit_access;
    gnttab[GNTTAB_RESERVED_CONSOLE].domid = 0;
    gnttab[GNTTAB_RESERVED_CONSOLE].frame = 0xfefff;
    gnttab[GNTTAB_RESERVED_XENSTORE].flags = GTF_permit_access;
    gnttab[GNTTAB_RESERVED_XENSTORE].domid = 0;
    gnttab[GNTTAB_RESERVED_XENSTORE].frame = 0xfeffc;

    CHECK_EQ(gnttab_get_entry_v1(d, GNTTAB_RESERVED_XENSTORE, &ent), 0);
    CHECK_EQ(ent.flags, GTF_permit_access);
    CHECK_EQ(ent.domid, 0);
    CHECK_EQ(ent.frame, 0xfeffc);
    CHECK_EQ(gnttab_get_entry_v1(d, GNTTAB_RESERVED_CONSOLE, &ent), 0);
    CHECK_EQ(ent.frame, 0xfefff);
    check_host(h);
    host_destroy(h);
}

TEST(acquire_resource_grows_table_and_checks_range)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = 1, .max_grant_frames = 40, .max_maptrack_frames = -1,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
    };
    int rc;
    struct domain *d = domain_create(h, 1, &cfg, 0, &rc);
    struct env e;
    mfn_t mfn;

    REQUIRE(d && rc == 0);
    env_init(&e, h);
    /* Frames 2..4: the table grows to 5 frames. */
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 2, 3, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), 0);
    CHECK_EQ(gnttab_nr_grant_frames(d), 5);
    for ( unsigned int i = 0; i < 3; i++ )
    {
        REQUIRE(gnttab_get_shared_frame_mfn(d, 2 + i, &mfn) == 0);
        CHECK_EQ(e.list[i], mfn_x(mfn));
        CHECK(page_get_owner(h, mfn_to_page(h, mfn)) == d);
    }
    CHECK_EQ(d->xenheap_pages, 1 + 5);
    check_host(h);

    /* Past max_grant_frames (40): nothing grows. */
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 39, 2, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    CHECK_EQ(gnttab_nr_grant_frames(d), 5);
    /* A v1 table has no status frames. */
    set_req(&e, 1, XENMEM_resource_grant_table,
            XENMEM_resource_grant_table_id_status, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    /* nr_frames 0 with a list is not a size query. */
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, 0, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    /* frame and frame + nr_frames must fit 32 bits. */
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 1ULL << 32, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    set_req(&e, 1, XENMEM_resource_grant_table, 0, UINT_MAX, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    /* Too many frames to encode a continuation. */
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, (UINT_MAX >> 6) + 1,
            LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    /* pad must be zero. */
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, 1, LIST_GADDR);
    e.xmar.pad = 1;
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    /* An unknown type fails to map once past the common checks. */
    set_req(&e, 1, 7, 0, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EOPNOTSUPP);
    check_host(h);
    host_destroy(h);
}

TEST(acquire_resource_other_types)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct env e;

    new_hvm_domain(h, 1, 100);
    env_init(&e, h);
    /* No ioreq server exists. */
    set_req(&e, 1, XENMEM_resource_ioreq_server, 0, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -ENOENT);
    set_req(&e, 1, XENMEM_resource_ioreq_server, 0x10000, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EINVAL);     /* id wider than ioservid_t */
    set_req(&e, 1, XENMEM_resource_vmtrace_buf, 0, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EINVAL);
    host_destroy(h);
}

TEST(acquire_resource_privilege_and_faults)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 100);
    struct domain *dm = new_domain(h, 2, 100), *hvm2 = new_hvm_domain(h, 3, 10);
    struct env e;

    env_init(&e, h);
    /* No such domain; DOMID_SELF is not resolved (remote lookup). */
    set_req(&e, 9, XENMEM_resource_grant_table, 0, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -ESRCH);
    set_req(&e, DOMID_SELF, XENMEM_resource_grant_table, 0, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -ESRCH);
    /* One's own resources: -EPERM. */
    set_req(&e, 0, XENMEM_resource_grant_table, 0, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EPERM);
    /* The argument or the list out of reach. */
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, 1, LIST_GADDR);
    {
        unsigned long args[6] = { XENMEM_acquire_resource, ARG_GADDR + 8 };

        CHECK_EQ(hypercall_dispatch(&e.c, __HYPERVISOR_memory_op, args),
                 -EFAULT);
    }
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, 1,
            LIST_GADDR + sizeof(e.list));
    CHECK_EQ(acquire(&e, 0), -EFAULT);
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, 0, 0);
    {
        unsigned long args[6] = { XENMEM_acquire_resource, 0 };

        CHECK_EQ(hypercall_dispatch(&e.c, __HYPERVISOR_memory_op, args),
                 -EFAULT);
    }

    /* An unprivileged PV domain: XSM_DM_PRIV refuses ... */
    caller_init(&e.c, dm, &e.ga);
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EPERM);
    /* ... unless it is the target's device model. */
    dm->target = d;
    CHECK_EQ(acquire(&e, 0), 0);
    set_req(&e, 3, XENMEM_resource_grant_table, 0, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EPERM);
    /* A translated caller that is not the hardware domain: -EACCES first. */
    caller_init(&e.c, hvm2, &e.ga);
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, 1, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), -EACCES);
    {
        unsigned long args[6] = { XENMEM_acquire_resource, 0 };

        CHECK_EQ(hypercall_dispatch(&e.c, __HYPERVISOR_memory_op, args),
                 -EACCES);
    }
    check_host(h);
    host_destroy(h);
}

/* More than one batch of 32, and preemption between batches. */
TEST(acquire_resource_continuations)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *d = new_domain(h, 1, 100);
    struct env e;
    mfn_t mfn;

    env_init(&e, h);
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, 64, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), 0);
    CHECK_EQ(e.c.nr_continuations, 0);
    CHECK_EQ(gnttab_nr_grant_frames(d), 64);
    for ( unsigned int i = 0; i < 64; i++ )
    {
        REQUIRE(gnttab_get_shared_frame_mfn(d, i, &mfn) == 0);
        CHECK_EQ(e.list[i], mfn_x(mfn));
    }

    /* Preempted after every batch: 40 frames from 20 go as 32 + 8. */
    memset(e.list, 0, sizeof(e.list));
    e.c.preempt_every = 1;
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 20, 40, LIST_GADDR);
    CHECK_EQ(acquire(&e, 0), 0);
    CHECK_EQ(e.c.nr_continuations, 1);
    for ( unsigned int i = 0; i < 40; i++ )
    {
        REQUIRE(gnttab_get_shared_frame_mfn(d, 20 + i, &mfn) == 0);
        CHECK_EQ(e.list[i], mfn_x(mfn));
    }
    CHECK_EQ(e.list[40], 0);
    /* A continuation index at or past nr_frames is refused. */
    set_req(&e, 1, XENMEM_resource_grant_table, 0, 0, 4, LIST_GADDR);
    CHECK_EQ(acquire(&e, 4), -EINVAL);
    /* Starting mid-way (as a re-issued continuation does). */
    memset(e.list, 0, sizeof(e.list));
    CHECK_EQ(acquire(&e, 2), 0);
    CHECK_EQ(e.list[0], 0);
    CHECK_EQ(e.list[1], 0);
    REQUIRE(gnttab_get_shared_frame_mfn(d, 3, &mfn) == 0);
    CHECK_EQ(e.list[3], mfn_x(mfn));
    check_host(h);
    host_destroy(h);
}
