/*
 * xengnttab.c - the drop-in libxengnttab.so.1: /dev/xen/gntdev's grant
 * mappings served by xenmm's hypervisor (src/server/gntdev.c).
 *
 * Mapping count grants: each is one XMM_GNTTAB_MAP (GNTTABOP_map_grant_ref
 * by the client's domain); the granted frames are then mmapped from the
 * guest-RAM memfd at mfn << 12 over one reserved range, so the caller gets
 * a real shared mapping of the granted pages, writable only if prot asks
 * for PROT_WRITE (and the grant allows it: else the map fails).  As the
 * Linux library: NULL with errno EINVAL when any grant cannot be mapped
 * (none stays mapped), xengnttab_unmap only of a whole mapping by its
 * start address and page count (else EINVAL).
 *
 * xengnttab_map_grant_ref_notify: the clear-byte and event notifications
 * are the hypervisor's, carried out when the mapping goes - at
 * xengnttab_unmap or when the process's connection ends - as gntdev does
 * at unmap or release; a mapping only dropped with munmap() notifies at
 * the connection's end.
 *
 * xengnttab_grant_copy copies each segment by mapping its grants (source
 * read-only, destination writable) for the length of the copy; a segment
 * whose grant cannot be mapped gets that GNTST_* status, the others
 * GNTST_okay.  Segments crossing a page are EINVAL for the whole call, as
 * gntdev checks them.
 *
 * xengnttab_set_max_grants is accepted and ignored, as the library does on
 * Linux kernels whose gntdev no longer has the ioctl.
 *
 * Not provided: dma-buf export and import (-1, EOPNOTSUPP: no dma-buf
 * here), and xengntshr - granting dom0's own pages to a guest needs pages
 * and a grant table of dom0 the emulated host does not give dom0's kernel
 * (xengntshr_open: NULL, ENOSYS, as when /dev/xen/gntalloc is missing).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xengnttab.h>
#include <xen/sys/gntdev.h>

#include "client.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)

struct gnt_mapping {
    struct gnt_mapping *next;
    uint8_t *addr;
    uint32_t count;
    uint64_t handles[];
};

struct xengntdev_handle {
    struct xmm_client *cl;
    pthread_mutex_t lock;           /* maps */
    struct gnt_mapping *maps;
};

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger,
                                 unsigned open_flags)
{
    xengnttab_handle *xgt = calloc(1, sizeof(*xgt));
    int rc;

    (void)logger;
    (void)open_flags;
    if ( !xgt )
        return NULL;
    xgt->cl = xmm_client_get("xengnttab", &rc);
    if ( !xgt->cl )
    {
        free(xgt);
        errno = -rc;
        return NULL;
    }
    pthread_mutex_init(&xgt->lock, NULL);
    return xgt;
}

static int grant_unmap(xengnttab_handle *xgt, uint64_t handle)
{
    struct xmm_gnttab_unmap m = { .handle = handle };
    struct xmm_reply r;
    int rc = xmm_client_request(xgt->cl, XMM_GNTTAB_UNMAP, &m, sizeof(m), &r,
                                sizeof(r), NULL);

    return rc ? rc : (int)r.result;
}

/*
 * As closing gntdev: the grants of mappings still there are given back
 * (the pages stay mapped in this process until munmap).
 */
int xengnttab_close(xengnttab_handle *xgt)
{
    if ( !xgt )
        return 0;
    while ( xgt->maps )
    {
        struct gnt_mapping *m = xgt->maps;

        xgt->maps = m->next;
        for ( uint32_t i = 0; i < m->count; i++ )
            grant_unmap(xgt, m->handles[i]);
        free(m);
    }
    pthread_mutex_destroy(&xgt->lock);
    xmm_client_put(xgt->cl);
    free(xgt);
    return 0;
}

int xengnttab_fd(xengnttab_handle *xgt)
{
    return xmm_client_fd(xgt->cl);
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
    (void)xgt;
    (void)nr_grants;
    return 0;
}

/* One XMM_GNTTAB_MAP: 0 with *mfn and *handle, or -errno with *status. */
static int grant_map(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
                     bool readonly, uint32_t notify_flags,
                     uint32_t notify_offset, uint32_t notify_port,
                     uint64_t *mfn, uint64_t *handle, int16_t *status)
{
    struct xmm_gnttab_map m = {
        .domid = domid, .ref = ref, .readonly = readonly,
        .notify_flags = notify_flags, .notify_offset = notify_offset,
        .notify_port = notify_port,
    };
    struct xmm_gnttab_map_reply r;
    int rc = xmm_client_request(xgt->cl, XMM_GNTTAB_MAP, &m, sizeof(m), &r,
                                sizeof(r), NULL);

    if ( !rc )
        rc = (int)r.result;
    *status = rc && !r.status ? GNTST_general_error : (int16_t)r.status;
    if ( rc )
        return rc;
    *mfn = r.mfn;
    *handle = r.handle;
    return 0;
}

static void *grant_map_many(xengnttab_handle *xgt, uint32_t count,
                            const uint32_t *domids, unsigned int stride,
                            const uint32_t *refs, int prot,
                            uint32_t notify_offset, evtchn_port_t notify_port)
{
    struct gnt_mapping *m;
    uint32_t flags = 0, i, done = 0;
    uint8_t *addr = MAP_FAILED;
    int rc = 0;

    if ( !count )
    {
        errno = EINVAL;
        return NULL;
    }
    m = calloc(1, sizeof(*m) + count * sizeof(m->handles[0]));
    if ( !m )
        return NULL;
    /* Only map_grant_ref_notify (one page) asks for notifications. */
    if ( notify_offset < PAGE_SIZE * count )
        flags |= UNMAP_NOTIFY_CLEAR_BYTE;
    if ( notify_port != (evtchn_port_t)-1 )
        flags |= UNMAP_NOTIFY_SEND_EVENT;
    addr = mmap(NULL, count * PAGE_SIZE, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if ( addr == MAP_FAILED )
        rc = -errno;
    for ( i = 0; !rc && i < count; i++ )
    {
        uint64_t mfn = 0;
        int16_t status;

        rc = grant_map(xgt, domids[i * stride], refs[i],
                       !(prot & PROT_WRITE), i ? 0 : flags,
                       i ? 0 : notify_offset, i ? 0 : notify_port,
                       &mfn, &m->handles[i], &status);
        if ( rc )
            break;
        done++;
        if ( mmap(addr + i * PAGE_SIZE, PAGE_SIZE, prot, MAP_SHARED | MAP_FIXED,
                  xmm_client_ram_fd(xgt->cl),
                  (off_t)(mfn << PAGE_SHIFT)) == MAP_FAILED )
            rc = -errno;
    }
    if ( rc )
    {
        for ( i = 0; i < done; i++ )
            grant_unmap(xgt, m->handles[i]);
        if ( addr != MAP_FAILED )
            munmap(addr, count * PAGE_SIZE);
        free(m);
        errno = -rc;
        return NULL;
    }
    m->addr = addr;
    m->count = count;
    pthread_mutex_lock(&xgt->lock);
    m->next = xgt->maps;
    xgt->maps = m;
    pthread_mutex_unlock(&xgt->lock);
    return addr;
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid,
                              uint32_t ref, int prot)
{
    return grant_map_many(xgt, 1, &domid, 0, &ref, prot, -1, -1);
}

void *xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count,
                               uint32_t *domids, uint32_t *refs, int prot)
{
    return grant_map_many(xgt, count, domids, 1, refs, prot, -1, -1);
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count,
                                      uint32_t domid, uint32_t *refs,
                                      int prot)
{
    return grant_map_many(xgt, count, &domid, 0, refs, prot, -1, -1);
}

void *xengnttab_map_grant_ref_notify(xengnttab_handle *xgt, uint32_t domid,
                                     uint32_t ref, int prot,
                                     uint32_t notify_offset,
                                     evtchn_port_t notify_port)
{
    return grant_map_many(xgt, 1, &domid, 0, &ref, prot, notify_offset,
                          notify_port);
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address,
                    uint32_t count)
{
    struct gnt_mapping **pp, *m = NULL;
    int rc = 0;

    if ( !start_address )
    {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&xgt->lock);
    for ( pp = &xgt->maps; *pp; pp = &(*pp)->next )
        if ( (*pp)->addr == start_address )
        {
            m = *pp;
            if ( m->count == count )
                *pp = m->next;
            break;
        }
    pthread_mutex_unlock(&xgt->lock);
    if ( !m || m->count != count )
    {
        errno = EINVAL;
        return -1;
    }
    if ( munmap(start_address, count * PAGE_SIZE) )
        rc = -1;
    for ( uint32_t i = 0; i < count; i++ )
        grant_unmap(xgt, m->handles[i]);
    free(m);
    return rc;
}

/* A segment's end within a page: gntdev refuses the call otherwise. */
static bool seg_ok(const xengnttab_grant_copy_segment_t *seg)
{
    if ( seg->len > PAGE_SIZE )
        return false;
    if ( (seg->flags & GNTCOPY_source_gref) &&
         seg->source.foreign.offset + seg->len > PAGE_SIZE )
        return false;
    if ( (seg->flags & GNTCOPY_dest_gref) &&
         seg->dest.foreign.offset + seg->len > PAGE_SIZE )
        return false;
    return true;
}

/* Map one side of a segment if it is a grant: its bytes, or NULL. */
static uint8_t *copy_side(xengnttab_handle *xgt, bool gref,
                          const union xengnttab_copy_ptr *p, bool dest,
                          uint64_t *handle, uint8_t **page, int16_t *status)
{
    uint64_t mfn = 0;

    *page = NULL;
    if ( !gref )
        return p->virt;
    if ( grant_map(xgt, p->foreign.domid, p->foreign.ref, !dest, 0, 0, 0,
                   &mfn, handle, status) )
        return NULL;
    *page = mmap(NULL, PAGE_SIZE, dest ? PROT_READ | PROT_WRITE : PROT_READ,
                 MAP_SHARED, xmm_client_ram_fd(xgt->cl),
                 (off_t)(mfn << PAGE_SHIFT));
    if ( *page == MAP_FAILED )
    {
        *page = NULL;
        grant_unmap(xgt, *handle);
        *status = GNTST_general_error;
        return NULL;
    }
    return *page + p->foreign.offset;
}

int xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
                         xengnttab_grant_copy_segment_t *segs)
{
    uint32_t i;

    for ( i = 0; i < count; i++ )
        if ( !seg_ok(&segs[i]) )
        {
            errno = EINVAL;
            return -1;
        }
    for ( i = 0; i < count; i++ )
    {
        xengnttab_grant_copy_segment_t *seg = &segs[i];
        bool sg = seg->flags & GNTCOPY_source_gref;
        bool dg = seg->flags & GNTCOPY_dest_gref;
        uint64_t sh = 0, dh = 0;
        uint8_t *spage, *dpage = NULL, *src, *dst = NULL;
        int16_t status = GNTST_okay;

        src = copy_side(xgt, sg, &seg->source, false, &sh, &spage, &status);
        if ( src )
            dst = copy_side(xgt, dg, &seg->dest, true, &dh, &dpage, &status);
        if ( src && dst )
            memmove(dst, src, seg->len);
        if ( dpage )
        {
            munmap(dpage, PAGE_SIZE);
            grant_unmap(xgt, dh);
        }
        if ( spage )
        {
            munmap(spage, PAGE_SIZE);
            grant_unmap(xgt, sh);
        }
        seg->status = status;
    }
    return 0;
}

int xengnttab_dmabuf_exp_from_refs(xengnttab_handle *xgt, uint32_t domid,
                                   uint32_t flags, uint32_t count,
                                   const uint32_t *refs, uint32_t *fd)
{
    (void)xgt; (void)domid; (void)flags; (void)count; (void)refs; (void)fd;
    errno = EOPNOTSUPP;
    return -1;
}

int xengnttab_dmabuf_exp_wait_released(xengnttab_handle *xgt, uint32_t fd,
                                       uint32_t wait_to_ms)
{
    (void)xgt; (void)fd; (void)wait_to_ms;
    errno = EOPNOTSUPP;
    return -1;
}

int xengnttab_dmabuf_imp_to_refs(xengnttab_handle *xgt, uint32_t domid,
                                 uint32_t fd, uint32_t count, uint32_t *refs)
{
    (void)xgt; (void)domid; (void)fd; (void)count; (void)refs;
    errno = EOPNOTSUPP;
    return -1;
}

int xengnttab_dmabuf_imp_release(xengnttab_handle *xgt, uint32_t fd)
{
    (void)xgt; (void)fd;
    errno = EOPNOTSUPP;
    return -1;
}

xengntshr_handle *xengntshr_open(struct xentoollog_logger *logger,
                                 unsigned open_flags)
{
    (void)logger;
    (void)open_flags;
    errno = ENOSYS;
    return NULL;
}

int xengntshr_close(xengntshr_handle *xgs)
{
    (void)xgs;
    return 0;
}

int xengntshr_fd(xengntshr_handle *xgs)
{
    (void)xgs;
    errno = ENOSYS;
    return -1;
}

void *xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count,
                            uint32_t *refs, int writable)
{
    (void)xgs; (void)domid; (void)count; (void)refs; (void)writable;
    errno = ENOSYS;
    return NULL;
}

void *xengntshr_share_page_notify(xengntshr_handle *xgs, uint32_t domid,
                                  uint32_t *ref, int writable,
                                  uint32_t notify_offset,
                                  evtchn_port_t notify_port)
{
    (void)xgs; (void)domid; (void)ref; (void)writable; (void)notify_offset;
    (void)notify_port;
    errno = ENOSYS;
    return NULL;
}

int xengntshr_unshare(xengntshr_handle *xgs, void *start_address,
                      uint32_t count)
{
    (void)xgs; (void)start_address; (void)count;
    errno = ENOSYS;
    return -1;
}
