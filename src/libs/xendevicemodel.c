/*
 * xendevicemodel.c - the drop-in libxendevicemodel.so.1.
 *
 * Every call is one __HYPERVISOR_dm_op(domid, nr_bufs, bufs): the
 * struct xen_dm_op and any second buffer (the dirty bitmap, the modified
 * extents) are copied into hypercall-buffer (arena) memory, with the
 * xen_dm_op_buf array describing them, and copied back after a successful
 * call, as the real library's libxencall path does.
 *
 * The handle stands for an open /dev/xen/privcmd that implements
 * IOCTL_PRIVCMD_DM_OP, so it has that ioctl's checks: at most 16 buffers of
 * at most 4096 bytes each (E2BIG), and xendevicemodel_restrict works as
 * IOCTL_PRIVCMD_RESTRICT: the first call fixes the domain, a later one
 * naming another fails with EINVAL, and a restricted handle's dm_op on any
 * other domain fails with EPERM before reaching the hypervisor.
 *
 * Returns, as the real library: 0 (or a value), or -1 with errno set to
 * Xen's error.  Which ops the hypervisor implements is the core's business
 * (src/core/dm.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <xendevicemodel.h>

#include "client.h"

#define PAGE_SIZE       4096UL
/* privcmd's limits on IOCTL_PRIVCMD_DM_OP (privcmd_dm_op_max_num, _buf_max_size). */
#define DM_OP_MAX_BUFS  16
#define DM_OP_MAX_SIZE  4096

struct xendevicemodel_handle {
    struct xmm_client *cl;
    domid_t restrict_domid;         /* DOMID_INVALID: not restricted */
};

struct dm_buf {
    void *ptr;
    size_t size;
};

xendevicemodel_handle *xendevicemodel_open(struct xentoollog_logger *logger,
                                           unsigned int open_flags)
{
    xendevicemodel_handle *dmod = calloc(1, sizeof(*dmod));
    int rc;

    (void)logger;
    (void)open_flags;
    if ( !dmod )
        return NULL;
    dmod->cl = xmm_client_get("xendevicemodel", &rc);
    if ( !dmod->cl )
    {
        free(dmod);
        errno = -rc;
        return NULL;
    }
    dmod->restrict_domid = DOMID_INVALID;
    return dmod;
}

int xendevicemodel_close(xendevicemodel_handle *dmod)
{
    if ( !dmod )
        return 0;
    xmm_client_put(dmod->cl);
    free(dmod);
    return 0;
}

int xendevicemodel_restrict(xendevicemodel_handle *dmod, domid_t domid)
{
    if ( dmod->restrict_domid == DOMID_INVALID )
        dmod->restrict_domid = domid;
    else if ( dmod->restrict_domid != domid )
    {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static size_t pages_of(size_t bytes)
{
    return bytes ? (bytes + PAGE_SIZE - 1) / PAGE_SIZE : 1;
}

/* One dm_op with nr buffers: 0, or -1 with errno set. */
static int dm_op_bufs(xendevicemodel_handle *dmod, domid_t domid,
                      unsigned int nr, struct dm_buf *bufs)
{
    unsigned long args[6] = { 0 };
    xen_dm_op_buf_t *op_bufs;
    void *copies[DM_OP_MAX_BUFS] = { NULL };
    unsigned int i;
    long rc;

    if ( nr > DM_OP_MAX_BUFS )
    {
        errno = E2BIG;
        return -1;
    }
    for ( i = 0; i < nr; i++ )
        if ( bufs[i].size > DM_OP_MAX_SIZE )
        {
            errno = E2BIG;
            return -1;
        }
    if ( dmod->restrict_domid != DOMID_INVALID &&
         dmod->restrict_domid != domid )
    {
        errno = EPERM;
        return -1;
    }

    op_bufs = xmm_arena_alloc(dmod->cl, pages_of(nr * sizeof(*op_bufs)));
    if ( !op_bufs )
        return -1;
    rc = 0;
    for ( i = 0; i < nr && !rc; i++ )
    {
        copies[i] = xmm_arena_alloc(dmod->cl, pages_of(bufs[i].size));
        if ( !copies[i] )
        {
            rc = -ENOMEM;
            break;
        }
        if ( bufs[i].size )
            memcpy(copies[i], bufs[i].ptr, bufs[i].size);
        set_xen_guest_handle_raw(op_bufs[i].h, copies[i]);
        op_bufs[i].size = bufs[i].size;
    }
    if ( !rc )
    {
        args[0] = domid;
        args[1] = nr;
        args[2] = (unsigned long)op_bufs;
        rc = xmm_client_hypercall(dmod->cl, __HYPERVISOR_dm_op, args);
    }
    if ( rc >= 0 )
        for ( i = 0; i < nr; i++ )
            if ( bufs[i].size )
                memcpy(bufs[i].ptr, copies[i], bufs[i].size);
    for ( i = 0; i < nr; i++ )
        xmm_arena_free(dmod->cl, copies[i]);
    xmm_arena_free(dmod->cl, op_bufs);
    if ( rc < 0 )
    {
        errno = (int)-rc;
        return -1;
    }
    return 0;
}

/* The common case: one xen_dm_op, read back into *op. */
static int dm_op(xendevicemodel_handle *dmod, domid_t domid,
                 struct xen_dm_op *op)
{
    struct dm_buf buf = { op, sizeof(*op) };

    return dm_op_bufs(dmod, domid, 1, &buf);
}

static void op_init(struct xen_dm_op *op, uint32_t nr)
{
    memset(op, 0, sizeof(*op));
    op->op = nr;
}

int xendevicemodel_create_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, int handle_bufioreq,
    ioservid_t *id)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_create_ioreq_server);
    op.u.create_ioreq_server.handle_bufioreq = (uint8_t)handle_bufioreq;
    if ( dm_op(dmod, domid, &op) )
        return -1;
    *id = op.u.create_ioreq_server.id;
    return 0;
}

int xendevicemodel_get_ioreq_server_info(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
    xen_pfn_t *ioreq_gfn, xen_pfn_t *bufioreq_gfn,
    evtchn_port_t *bufioreq_port)
{
    struct xen_dm_op op;
    struct xen_dm_op_get_ioreq_server_info *info = &op.u.get_ioreq_server_info;

    op_init(&op, XEN_DMOP_get_ioreq_server_info);
    info->id = id;
    /* Asking for no gfns keeps the hypervisor from mapping the pages. */
    if ( !ioreq_gfn && !bufioreq_gfn )
        info->flags |= XEN_DMOP_no_gfns;
    if ( dm_op(dmod, domid, &op) )
        return -1;
    if ( ioreq_gfn )
        *ioreq_gfn = info->ioreq_gfn;
    if ( bufioreq_gfn )
        *bufioreq_gfn = info->bufioreq_gfn;
    if ( bufioreq_port )
        *bufioreq_port = info->bufioreq_port;
    return 0;
}

static int io_range(xendevicemodel_handle *dmod, domid_t domid,
                    uint32_t nr, ioservid_t id, uint32_t type,
                    uint64_t start, uint64_t end)
{
    struct xen_dm_op op;

    op_init(&op, nr);
    /* map_ and unmap_io_range share one layout. */
    op.u.map_io_range_to_ioreq_server.id = id;
    op.u.map_io_range_to_ioreq_server.type = type;
    op.u.map_io_range_to_ioreq_server.start = start;
    op.u.map_io_range_to_ioreq_server.end = end;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_map_io_range_to_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, int is_mmio,
    uint64_t start, uint64_t end)
{
    return io_range(dmod, domid, XEN_DMOP_map_io_range_to_ioreq_server, id,
                    is_mmio ? XEN_DMOP_IO_RANGE_MEMORY : XEN_DMOP_IO_RANGE_PORT,
                    start, end);
}

int xendevicemodel_unmap_io_range_from_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, int is_mmio,
    uint64_t start, uint64_t end)
{
    return io_range(dmod, domid, XEN_DMOP_unmap_io_range_from_ioreq_server,
                    id, is_mmio ? XEN_DMOP_IO_RANGE_MEMORY
                                : XEN_DMOP_IO_RANGE_PORT,
                    start, end);
}

int xendevicemodel_map_mem_type_to_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, uint16_t type,
    uint32_t flags)
{
    struct xen_dm_op op;

    /* Only write accesses to HVMMEM_ioreq_server pages can be claimed. */
    if ( type != HVMMEM_ioreq_server ||
         (flags & ~XEN_DMOP_IOREQ_MEM_ACCESS_WRITE) )
    {
        errno = EINVAL;
        return -1;
    }
    op_init(&op, XEN_DMOP_map_mem_type_to_ioreq_server);
    op.u.map_mem_type_to_ioreq_server.id = id;
    op.u.map_mem_type_to_ioreq_server.type = type;
    op.u.map_mem_type_to_ioreq_server.flags = flags;
    return dm_op(dmod, domid, &op);
}

/* One PCI function as a one-element SBDF range. */
static int pcidev(xendevicemodel_handle *dmod, domid_t domid, uint32_t nr,
                  ioservid_t id, uint16_t segment, uint8_t bus,
                  uint8_t device, uint8_t function)
{
    uint64_t sbdf;

    if ( device > 0x1f || function > 0x7 )
    {
        errno = EINVAL;
        return -1;
    }
    sbdf = XEN_DMOP_PCI_SBDF((uint64_t)segment, (uint64_t)bus,
                             (uint64_t)device, (uint64_t)function);
    return io_range(dmod, domid, nr, id, XEN_DMOP_IO_RANGE_PCI, sbdf, sbdf);
}

int xendevicemodel_map_pcidev_to_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
    uint16_t segment, uint8_t bus, uint8_t device, uint8_t function)
{
    return pcidev(dmod, domid, XEN_DMOP_map_io_range_to_ioreq_server, id,
                  segment, bus, device, function);
}

int xendevicemodel_unmap_pcidev_from_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
    uint16_t segment, uint8_t bus, uint8_t device, uint8_t function)
{
    return pcidev(dmod, domid, XEN_DMOP_unmap_io_range_from_ioreq_server, id,
                  segment, bus, device, function);
}

int xendevicemodel_destroy_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_destroy_ioreq_server);
    op.u.destroy_ioreq_server.id = id;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_set_ioreq_server_state(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, int enabled)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_set_ioreq_server_state);
    op.u.set_ioreq_server_state.id = id;
    op.u.set_ioreq_server_state.enabled = !!enabled;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_set_pci_intx_level(
    xendevicemodel_handle *dmod, domid_t domid, uint16_t segment,
    uint8_t bus, uint8_t device, uint8_t intx, unsigned int level)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_set_pci_intx_level);
    op.u.set_pci_intx_level.domain = segment;
    op.u.set_pci_intx_level.bus = bus;
    op.u.set_pci_intx_level.device = device;
    op.u.set_pci_intx_level.intx = intx;
    op.u.set_pci_intx_level.level = (uint8_t)level;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_set_isa_irq_level(
    xendevicemodel_handle *dmod, domid_t domid, uint8_t irq,
    unsigned int level)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_set_isa_irq_level);
    op.u.set_isa_irq_level.isa_irq = irq;
    op.u.set_isa_irq_level.level = (uint8_t)level;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_set_irq_level(
    xendevicemodel_handle *dmod, domid_t domid, unsigned int irq,
    unsigned int level)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_set_irq_level);
    op.u.set_irq_level.irq = irq;
    op.u.set_irq_level.level = (uint8_t)level;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_set_pci_link_route(
    xendevicemodel_handle *dmod, domid_t domid, uint8_t link, uint8_t irq)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_set_pci_link_route);
    op.u.set_pci_link_route.link = link;
    op.u.set_pci_link_route.isa_irq = irq;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_inject_msi(
    xendevicemodel_handle *dmod, domid_t domid, uint64_t msi_addr,
    uint32_t msi_data)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_inject_msi);
    op.u.inject_msi.addr = msi_addr;
    op.u.inject_msi.data = msi_data;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_track_dirty_vram(
    xendevicemodel_handle *dmod, domid_t domid, uint64_t first_pfn,
    uint32_t nr, unsigned long *dirty_bitmap)
{
    struct xen_dm_op op;
    struct dm_buf bufs[2] = {
        { &op, sizeof(op) },
        { dirty_bitmap, ((size_t)nr + 7) / 8 },
    };

    op_init(&op, XEN_DMOP_track_dirty_vram);
    op.u.track_dirty_vram.first_pfn = first_pfn;
    op.u.track_dirty_vram.nr = nr;
    return dm_op_bufs(dmod, domid, 2, bufs);
}

int xendevicemodel_modified_memory_bulk(
    xendevicemodel_handle *dmod, domid_t domid,
    struct xen_dm_op_modified_memory_extent extents[], uint32_t nr)
{
    struct xen_dm_op op;
    struct dm_buf bufs[2] = {
        { &op, sizeof(op) },
        { extents, (size_t)nr * sizeof(*extents) },
    };

    op_init(&op, XEN_DMOP_modified_memory);
    op.u.modified_memory.nr_extents = nr;
    op.u.modified_memory.opaque = 0;
    return dm_op_bufs(dmod, domid, 2, bufs);
}

int xendevicemodel_modified_memory(
    xendevicemodel_handle *dmod, domid_t domid, uint64_t first_pfn,
    uint32_t nr)
{
    struct xen_dm_op_modified_memory_extent extent = {
        .first_pfn = first_pfn,
        .nr = nr,
    };

    return xendevicemodel_modified_memory_bulk(dmod, domid, &extent, 1);
}

int xendevicemodel_set_mem_type(
    xendevicemodel_handle *dmod, domid_t domid, hvmmem_type_t mem_type,
    uint64_t first_pfn, uint32_t nr)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_set_mem_type);
    op.u.set_mem_type.mem_type = (uint16_t)mem_type;
    op.u.set_mem_type.first_pfn = first_pfn;
    op.u.set_mem_type.nr = nr;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_inject_event(
    xendevicemodel_handle *dmod, domid_t domid, int vcpu, uint8_t vector,
    uint8_t type, uint32_t error_code, uint8_t insn_len, uint64_t extra)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_inject_event);
    op.u.inject_event.vcpuid = (uint32_t)vcpu;
    op.u.inject_event.vector = vector;
    op.u.inject_event.type = type;
    op.u.inject_event.error_code = error_code;
    op.u.inject_event.insn_len = insn_len;
    op.u.inject_event.cr2 = extra;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_shutdown(
    xendevicemodel_handle *dmod, domid_t domid, unsigned int reason)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_remote_shutdown);
    op.u.remote_shutdown.reason = reason;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_relocate_memory(
    xendevicemodel_handle *dmod, domid_t domid, uint32_t size, uint64_t src_gfn,
    uint64_t dst_gfn)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_relocate_memory);
    op.u.relocate_memory.size = size;
    op.u.relocate_memory.src_gfn = src_gfn;
    op.u.relocate_memory.dst_gfn = dst_gfn;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_pin_memory_cacheattr(
    xendevicemodel_handle *dmod, domid_t domid, uint64_t start, uint64_t end,
    uint32_t type)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_pin_memory_cacheattr);
    op.u.pin_memory_cacheattr.start = start;
    op.u.pin_memory_cacheattr.end = end;
    op.u.pin_memory_cacheattr.type = type;
    return dm_op(dmod, domid, &op);
}

int xendevicemodel_nr_vcpus(
    xendevicemodel_handle *dmod, domid_t domid, unsigned int *vcpus)
{
    struct xen_dm_op op;

    op_init(&op, XEN_DMOP_nr_vcpus);
    if ( dm_op(dmod, domid, &op) )
        return -1;
    *vcpus = op.u.nr_vcpus.vcpus;
    return 0;
}
