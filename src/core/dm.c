/*
 * dm.c - __HYPERVISOR_dm_op (arch/x86/hvm/dm.c): the device model's
 * operations on an HVM guest, with 4.17's argument checks.
 *
 * Implemented: XEN_DMOP_nr_vcpus (d->max_vcpus) and
 * XEN_DMOP_remote_shutdown (domain_shutdown with the given reason).  Every
 * other op - ioreq servers, IRQ levels, MSI and event injection, dirty VRAM
 * tracking, modified_memory, set_mem_type, relocate_memory,
 * pin_memory_cacheattr - is -EOPNOTSUPP, which is what Xen answers for an
 * op it does not know: no device emulation exists here for them to act on.
 *
 * Errors, in Xen's order: -E2BIG (more than 2 buffers), -EFAULT (the
 * buffer array), -ESRCH (no such domain, or DOMID_SELF), -EPERM (the
 * caller's own domain: rcu_lock_remote_domain_by_id), -EINVAL (not HVM),
 * -EPERM (dummy XSM: XSM_DM_PRIV, the target's device model or the control
 * domain), -EFAULT (buffer 0 shorter than the op's header or its
 * struct), -EOPNOTSUPP (op number past the table), -EINVAL (pad set).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/hvm/dm_op.h>

#include "core.h"
#include "hypercall.h"
#include "xsm.h"

_Static_assert(sizeof(struct xen_dm_op_buf) == 16, "xen_dm_op_buf layout");

/* xen/dm.h's struct dmop_args: enough buffers for every op. */
#define DMOP_MAX_BUFS 2

/* Each op's argument size; ops past the table are -EOPNOTSUPP. */
static const uint8_t op_size[] = {
    [XEN_DMOP_create_ioreq_server] = sizeof(struct xen_dm_op_create_ioreq_server),
    [XEN_DMOP_get_ioreq_server_info] = sizeof(struct xen_dm_op_get_ioreq_server_info),
    [XEN_DMOP_map_io_range_to_ioreq_server] = sizeof(struct xen_dm_op_ioreq_server_range),
    [XEN_DMOP_unmap_io_range_from_ioreq_server] = sizeof(struct xen_dm_op_ioreq_server_range),
    [XEN_DMOP_set_ioreq_server_state] = sizeof(struct xen_dm_op_set_ioreq_server_state),
    [XEN_DMOP_destroy_ioreq_server] = sizeof(struct xen_dm_op_destroy_ioreq_server),
    [XEN_DMOP_track_dirty_vram] = sizeof(struct xen_dm_op_track_dirty_vram),
    [XEN_DMOP_set_pci_intx_level] = sizeof(struct xen_dm_op_set_pci_intx_level),
    [XEN_DMOP_set_isa_irq_level] = sizeof(struct xen_dm_op_set_isa_irq_level),
    [XEN_DMOP_set_pci_link_route] = sizeof(struct xen_dm_op_set_pci_link_route),
    [XEN_DMOP_modified_memory] = sizeof(struct xen_dm_op_modified_memory),
    [XEN_DMOP_set_mem_type] = sizeof(struct xen_dm_op_set_mem_type),
    [XEN_DMOP_inject_event] = sizeof(struct xen_dm_op_inject_event),
    [XEN_DMOP_inject_msi] = sizeof(struct xen_dm_op_inject_msi),
    [XEN_DMOP_map_mem_type_to_ioreq_server] = sizeof(struct xen_dm_op_map_mem_type_to_ioreq_server),
    [XEN_DMOP_remote_shutdown] = sizeof(struct xen_dm_op_remote_shutdown),
    [XEN_DMOP_relocate_memory] = sizeof(struct xen_dm_op_relocate_memory),
    [XEN_DMOP_pin_memory_cacheattr] = sizeof(struct xen_dm_op_pin_memory_cacheattr),
    [XEN_DMOP_nr_vcpus] = sizeof(struct xen_dm_op_nr_vcpus),
};

/* A buffer's guest address. */
static uint64_t buf_gaddr(const struct xen_dm_op_buf *buf)
{
    return (uint64_t)(uintptr_t)buf->h.p;
}

static long dm_op_domain(struct caller *c, struct domain *d,
                         const struct xen_dm_op_buf *buf)
{
    const size_t offset = offsetof(struct xen_dm_op, u);
    const uint64_t gaddr = buf_gaddr(&buf[0]);
    struct xen_dm_op op;
    bool const_op = true;
    long rc;

    if ( d == c->d )
        return -EPERM;
    if ( !is_hvm_domain(d) )
        return -EINVAL;
    if ( (rc = xsm_default_action(XSM_DM_PRIV, c->d, d)) )
        return rc;

    memset(&op, 0, sizeof(op));
    if ( buf[0].size < offset ||
         copy_from_guest_raw(c->mem, &op, gaddr, offset) )
        return -EFAULT;
    if ( op.op >= sizeof(op_size) / sizeof(op_size[0]) )
        return -EOPNOTSUPP;
    if ( buf[0].size < offset + op_size[op.op] ||
         copy_from_guest_raw(c->mem, &op.u, gaddr + offset, op_size[op.op]) )
        return -EFAULT;
    if ( op.pad )
        return -EINVAL;

    switch ( op.op )
    {
    case XEN_DMOP_remote_shutdown:
        domain_shutdown(d, op.u.remote_shutdown.reason);
        rc = 0;
        break;

    case XEN_DMOP_nr_vcpus:
        op.u.nr_vcpus.vcpus = d->max_vcpus;
        const_op = false;
        rc = 0;
        break;

    default:
        rc = -EOPNOTSUPP;
        break;
    }

    if ( !rc && !const_op &&
         copy_to_guest_raw(c->mem, gaddr + offset, &op.u, op_size[op.op]) )
        rc = -EFAULT;
    return rc;
}

static long dm_op(struct caller *c, domid_t domid,
                  const struct xen_dm_op_buf *buf)
{
    /* rcu_lock_remote_domain_by_id: no DOMID_SELF, not the caller itself. */
    struct domain *d = caller_domain_by_id(c, domid);
    long rc;

    if ( !d )
        return -ESRCH;
    rc = dm_op_domain(c, d, buf);
    rcu_unlock_domain(d);
    return rc;
}

long do_dm_op(struct caller *c, domid_t domid, unsigned int nr_bufs,
              uint64_t bufs)
{
    struct xen_dm_op_buf buf[DMOP_MAX_BUFS];

    if ( nr_bufs > DMOP_MAX_BUFS )
        return -E2BIG;
    memset(buf, 0, sizeof(buf));
    if ( nr_bufs &&
         copy_from_guest_raw(c->mem, buf, bufs, nr_bufs * sizeof(buf[0])) )
        return -EFAULT;
    return dm_op(c, domid, buf);
}
