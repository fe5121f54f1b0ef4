/*
 * __HYPERVISOR_dm_op through the dispatcher, as 4.17's dm.c: the order of
 * the checks and their errnos, nr_vcpus, remote_shutdown, and -EOPNOTSUPP
 * for the ops with nothing to act on.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/hvm/dm_op.h>

#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"

#define MiB      (1ULL << 20)
#define BUFS_GA  0x10000ULL
#define OP_GA    0x20000ULL

struct env {
    struct guest_access ga;
    struct caller c;
    struct xen_dm_op_buf bufs[3];
    struct xen_dm_op op;
};

static void env_init(struct env *e, struct domain *caller)
{
    memset(e, 0, sizeof(*e));
    caller_init(&e->c, caller, &e->ga);
    REQUIRE(guest_access_register(&e->ga, BUFS_GA, e->bufs,
                                  sizeof(e->bufs)) == 0);
    REQUIRE(guest_access_register(&e->ga, OP_GA, &e->op, sizeof(e->op)) == 0);
}

/* dm_op(domid, nr, bufs) with buffer 0 the op of size size. */
static long dmop_sized(struct env *e, domid_t domid, unsigned int nr,
                       size_t size)
{
    unsigned long args[6] = { domid, nr, BUFS_GA, 0, 0, 0 };

    set_xen_guest_handle_raw(e->bufs[0].h, (void *)(uintptr_t)OP_GA);
    e->bufs[0].size = size;
    return hypercall_dispatch(&e->c, __HYPERVISOR_dm_op, args);
}

static long dmop(struct env *e, domid_t domid)
{
    return dmop_sized(e, domid, 1, sizeof(e->op));
}

TEST(dm_op_nr_vcpus)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct env e;

    new_hvm_domain(h, 1, 100);
    env_init(&e, h->hardware_domain);
    e.op.op = XEN_DMOP_nr_vcpus;
    e.op.u.nr_vcpus.vcpus = 77;
    CHECK_EQ(dmop(&e, 1), 0);
    CHECK_EQ(e.op.u.nr_vcpus.vcpus, 1);
    /* Just the header and the op's struct is enough. */
    e.op.u.nr_vcpus.vcpus = 77;
    CHECK_EQ(dmop_sized(&e, 1, 1, offsetof(struct xen_dm_op, u) +
                        sizeof(struct xen_dm_op_nr_vcpus)), 0);
    CHECK_EQ(e.op.u.nr_vcpus.vcpus, 1);
    /* One byte short of it: -EFAULT, nothing written. */
    e.op.u.nr_vcpus.vcpus = 77;
    CHECK_EQ(dmop_sized(&e, 1, 1, offsetof(struct xen_dm_op, u) +
                        sizeof(struct xen_dm_op_nr_vcpus) - 1), -EFAULT);
    CHECK_EQ(e.op.u.nr_vcpus.vcpus, 77);
    CHECK_EQ(dmop_sized(&e, 1, 1, 4), -EFAULT);
    host_destroy(h);
}

TEST(dm_op_check_order)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g, *pv, *other;
    struct env e;

    g = new_hvm_domain(h, 1, 100);
    pv = new_domain(h, 2, 100);
    other = new_hvm_domain(h, 3, 100);
    env_init(&e, h->hardware_domain);
    e.op.op = XEN_DMOP_nr_vcpus;

    CHECK_EQ(dmop_sized(&e, 1, 3, sizeof(e.op)), -E2BIG);
    /* The buffer array outside the caller's buffers. */
    {
        unsigned long args[6] = { 1, 1, 0x90000, 0, 0, 0 };

        CHECK_EQ(hypercall_dispatch(&e.c, __HYPERVISOR_dm_op, args), -EFAULT);
    }
    CHECK_EQ(dmop(&e, 9), -ESRCH);
    CHECK_EQ(dmop(&e, DOMID_SELF), -ESRCH);
    CHECK_EQ(dmop(&e, 0), -EPERM);          /* not remote */
    CHECK_EQ(dmop(&e, 2), -EINVAL);         /* PV */
    /* Buffer 0 outside the caller's memory. */
    set_xen_guest_handle_raw(e.bufs[0].h, (void *)(uintptr_t)0x90000);
    {
        unsigned long args[6] = { 1, 1, BUFS_GA, 0, 0, 0 };

        e.bufs[0].size = sizeof(e.op);
        CHECK_EQ(hypercall_dispatch(&e.c, __HYPERVISOR_dm_op, args), -EFAULT);
    }
    e.op.op = XEN_DMOP_nr_vcpus + 1;
    CHECK_EQ(dmop(&e, 1), -EOPNOTSUPP);
    e.op.op = XEN_DMOP_nr_vcpus;
    e.op.pad = 1;
    CHECK_EQ(dmop(&e, 1), -EINVAL);
    e.op.pad = 0;

    /* A guest on another guest: -EPERM; as its device model: allowed. */
    env_init(&e, other);
    e.op.op = XEN_DMOP_nr_vcpus;
    CHECK_EQ(dmop(&e, 1), -EPERM);
    CHECK_EQ(dmop(&e, 3), -EPERM);          /* itself: not remote */
    other->target = g;
    CHECK_EQ(dmop(&e, 1), 0);
    CHECK_EQ(e.op.u.nr_vcpus.vcpus, 1);
    (void)pv;
    host_destroy(h);
}

TEST(dm_op_remote_shutdown)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 100);
    struct env e;

    env_init(&e, h->hardware_domain);
    e.op.op = XEN_DMOP_remote_shutdown;
    e.op.u.remote_shutdown.reason = SHUTDOWN_reboot;
    CHECK_EQ(dmop(&e, 1), 0);
    CHECK(g->is_shutting_down);
    CHECK_EQ(g->shutdown_code, SHUTDOWN_reboot);
    /* Only the first shutdown's reason counts. */
    e.op.u.remote_shutdown.reason = SHUTDOWN_poweroff;
    CHECK_EQ(dmop(&e, 1), 0);
    CHECK_EQ(g->shutdown_code, SHUTDOWN_reboot);
    host_destroy(h);
}

TEST(dm_op_unimplemented_ops)
{
    static const uint32_t ops[] = {
        XEN_DMOP_create_ioreq_server, XEN_DMOP_get_ioreq_server_info,
        XEN_DMOP_map_io_range_to_ioreq_server,
        XEN_DMOP_unmap_io_range_from_ioreq_server,
        XEN_DMOP_set_ioreq_server_state, XEN_DMOP_destroy_ioreq_server,
        XEN_DMOP_track_dirty_vram, XEN_DMOP_set_pci_intx_level,
        XEN_DMOP_set_isa_irq_level, XEN_DMOP_set_pci_link_route,
        XEN_DMOP_modified_memory, XEN_DMOP_set_mem_type,
        XEN_DMOP_inject_event, XEN_DMOP_inject_msi,
        XEN_DMOP_map_mem_type_to_ioreq_server, XEN_DMOP_relocate_memory,
        XEN_DMOP_pin_memory_cacheattr, XEN_DMOP_set_irq_level,
    };
    struct host *h = boot_tiny(1, 4 * MiB);
    struct env e;

    new_hvm_domain(h, 1, 100);
    env_init(&e, h->hardware_domain);
    for ( unsigned int i = 0; i < sizeof(ops) / sizeof(ops[0]); i++ )
    {
        memset(&e.op, 0, sizeof(e.op));
        e.op.op = ops[i];
        CHECK_EQ(dmop(&e, 1), -EOPNOTSUPP);
    }
    host_destroy(h);
}
