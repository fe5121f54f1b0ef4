/*
 * gntdev.c - the grant mappings of /dev/xen/gntdev (Linux
 * drivers/xen/gntdev.c) for the sessions of a server.
 *
 * A mapping is one GNTTABOP_map_grant_ref issued as the session's domain,
 * with GNTMAP_host_map | GNTMAP_device_map (| GNTMAP_readonly): Xen pins
 * the grant and reports the granted frame in dev_bus_addr, whose MFN goes
 * back to the library, which mmaps the guest-RAM memfd there.  The session
 * holds the mapping until XMM_GNTTAB_UNMAP or its end (the client process
 * died: the driver's release), when GNTTABOP_unmap_grant_ref lets it go.
 *
 * Unmap notifications, as IOCTL_GNTDEV_SET_UNMAP_NOTIFY: when the mapping
 * goes, UNMAP_NOTIFY_CLEAR_BYTE writes 0 at notify_offset of the page (not
 * for a read-only mapping: -EINVAL) and UNMAP_NOTIFY_SEND_EVENT sends an
 * event on notify_port, a port of the session's domain that some user of
 * /dev/xen/evtchn has bound (else -EINVAL, as evtchn_get fails).
 *
 * Limits: the library's mapping of the RAM memfd is not revoked when the
 * grant is unmapped (or the grantor destroys the page), as a real gntdev
 * mapping would be torn down; the library unmaps it first.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/sys/gntdev.h>

#include "private.h"

struct gnt_map {
    struct gnt_map *next;
    grant_handle_t handle;
    domid_t domid;
    grant_ref_t ref;
    bool readonly;
    uint64_t host_addr, dev_bus_addr;
    uint32_t notify_flags, notify_offset;
    evtchn_port_t notify_port;
};

/*
 * The address the kernel maps the grant at.  The core takes it for a
 * guest frame of the mapping domain; gntdev's pages are frames the kernel
 * set aside, which nothing else uses, so any value unique per mapping does.
 */
#define GNTDEV_HOST_ADDR(map) ((uint64_t)(uintptr_t)(map))

long hv_gnttab_map(struct hv_session *s, uint32_t domid, uint32_t ref,
                   bool readonly, uint32_t notify_flags,
                   uint32_t notify_offset, uint32_t notify_port,
                   uint64_t *mfn, uint64_t *handle, int32_t *status)
{
    struct gnttab_map_grant_ref op;
    struct gnt_map *m;
    long rc;

    *status = GNTST_okay;
    if ( domid >= DOMID_FIRST_RESERVED )
        return -EINVAL;
    if ( notify_flags & ~(UNMAP_NOTIFY_CLEAR_BYTE | UNMAP_NOTIFY_SEND_EVENT) )
        return -EINVAL;
    if ( (notify_flags & UNMAP_NOTIFY_CLEAR_BYTE) &&
         (readonly || notify_offset >= PAGE_SIZE) )
        return -EINVAL;
    if ( (notify_flags & UNMAP_NOTIFY_SEND_EVENT) &&
         !evtchn_dev_port_bound(s->srv, s->d->domain_id, notify_port) )
        return -EINVAL;
    m = calloc(1, sizeof(*m));
    if ( !m )
        return -ENOMEM;

    memset(&op, 0, sizeof(op));
    op.host_addr = GNTDEV_HOST_ADDR(m);
    op.flags = GNTMAP_host_map | GNTMAP_device_map |
               (readonly ? GNTMAP_readonly : 0);
    op.ref = ref;
    op.dom = (domid_t)domid;
    rc = hv_session_kernel_op(s, __HYPERVISOR_grant_table_op,
                              GNTTABOP_map_grant_ref, &op, sizeof(op), 1);
    if ( rc )
    {
        free(m);
        return rc;
    }
    if ( op.status != GNTST_okay )
    {
        free(m);
        *status = op.status;
        return -EINVAL;
    }
    m->handle = op.handle;
    m->domid = (domid_t)domid;
    m->ref = ref;
    m->readonly = readonly;
    m->host_addr = op.host_addr;
    m->dev_bus_addr = op.dev_bus_addr;
    m->notify_flags = notify_flags;
    m->notify_offset = notify_offset;
    m->notify_port = notify_port;
    m->next = s->gnt_maps;
    s->gnt_maps = m;
    *mfn = op.dev_bus_addr >> PAGE_SHIFT;
    *handle = op.handle;
    return 0;
}

/* Notify as asked, then give the grant back. */
static void unmap_one(struct hv_session *s, struct gnt_map *m)
{
    struct gnttab_unmap_grant_ref op = {
        .host_addr = m->host_addr,
        .dev_bus_addr = m->dev_bus_addr,
        .handle = m->handle,
    };

    if ( m->notify_flags & UNMAP_NOTIFY_CLEAR_BYTE )
    {
        uint8_t *page = mfn_to_virt(s->srv->h,
                                    _mfn(m->dev_bus_addr >> PAGE_SHIFT));

        __atomic_store_n(&page[m->notify_offset], 0, __ATOMIC_SEQ_CST);
    }
    if ( m->notify_flags & UNMAP_NOTIFY_SEND_EVENT )
    {
        struct evtchn_send send = { .port = m->notify_port };

        hv_session_kernel_op(s, __HYPERVISOR_event_channel_op, EVTCHNOP_send,
                             &send, sizeof(send), 0);
    }
    /* The driver cannot fail an unmap either: a bad status is only logged. */
    hv_session_kernel_op(s, __HYPERVISOR_grant_table_op,
                         GNTTABOP_unmap_grant_ref, &op, sizeof(op), 1);
}

long hv_gnttab_unmap(struct hv_session *s, uint64_t handle)
{
    struct gnt_map **pp, *m;

    for ( pp = &s->gnt_maps; *pp; pp = &(*pp)->next )
        if ( (*pp)->handle == handle )
        {
            m = *pp;
            *pp = m->next;
            unmap_one(s, m);
            free(m);
            return 0;
        }
    return -EINVAL;
}

void gntdev_session_close(struct hv_session *s)
{
    while ( s->gnt_maps )
    {
        struct gnt_map *m = s->gnt_maps;

        s->gnt_maps = m->next;
        unmap_one(s, m);
        free(m);
    }
}
