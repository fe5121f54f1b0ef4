/*
 * xenforeignmemory.c - the drop-in libxenforeignmemory.so.1.
 *
 * A foreign mapping is a real shared mapping of guest RAM: the hypervisor
 * says which MFN backs each gfn (as privcmd's mmapbatch asks Xen), and each
 * run of consecutive MFNs is one mmap of the guest-RAM memfd at mfn << 12.
 * Callers may release with xenforeignmemory_unmap or plain munmap.
 *
 * As the Linux library: with err NULL any page that cannot be mapped fails
 * the whole map (errno from the first); with err given each page's error
 * is reported and the pages that failed are left inaccessible.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xenforeignmemory.h>
#include <xen/memory.h>

#include "client.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)

struct xenforeignmemory_handle {
    struct xmm_client *cl;
    int restricted;                 /* xenforeignmemory_restrict */
    domid_t restrict_domid;
};

struct xenforeignmemory_resource_handle {
    domid_t domid;
    unsigned int type, id;
    unsigned long frame, nr_frames;
    void *addr;
    int prot, flags;
};

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
                                               unsigned open_flags)
{
    xenforeignmemory_handle *fmem = calloc(1, sizeof(*fmem));
    int rc;

    (void)logger;
    (void)open_flags;
    if ( !fmem )
        return NULL;
    fmem->cl = xmm_client_get("xenforeignmemory", &rc);
    if ( !fmem->cl )
    {
        free(fmem);
        errno = -rc;
        return NULL;
    }
    return fmem;
}

int xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
    if ( !fmem )
        return 0;
    xmm_client_put(fmem->cl);
    free(fmem);
    return 0;
}

int xenforeignmemory_restrict(xenforeignmemory_handle *fmem, domid_t domid)
{
    fmem->restricted = 1;
    fmem->restrict_domid = domid;
    return 0;
}

/* Reserve pages of address space, inaccessible until mapped over. */
static void *reserve(void *addr, int flags, size_t pages)
{
    void *p = mmap(addr, pages << PAGE_SHIFT, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
                   (addr && (flags & MAP_FIXED) ? MAP_FIXED : 0), -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

/* mmap each run of consecutive MFNs (err 0) of mfns[] over base. */
static int map_runs(int ram_fd, uint8_t *base, int prot, size_t pages,
                    const uint64_t *mfns, const int *err)
{
    size_t i = 0, j;

    while ( i < pages )
    {
        if ( err[i] )
        {
            i++;
            continue;
        }
        for ( j = i + 1; j < pages && !err[j] && mfns[j] == mfns[j - 1] + 1; j++ )
            ;
        if ( mmap(base + (i << PAGE_SHIFT), (j - i) << PAGE_SHIFT, prot,
                  MAP_SHARED | MAP_FIXED, ram_fd,
                  (off_t)(mfns[i] << PAGE_SHIFT)) == MAP_FAILED )
            return -errno;
        i = j;
    }
    return 0;
}

void *xenforeignmemory_map2(xenforeignmemory_handle *fmem, uint32_t dom,
                            void *addr, int prot, int flags, size_t pages,
                            const xen_pfn_t arr[], int err[])
{
    uint64_t *mfns = NULL;
    int *errs = err, rc;
    size_t i;
    void *base;

    if ( !pages )
    {
        errno = EINVAL;
        return NULL;
    }
    if ( fmem->restricted && dom != fmem->restrict_domid )
    {
        errno = EPERM;
        return NULL;
    }
    mfns = malloc(pages * sizeof(*mfns));
    if ( !errs )
        errs = malloc(pages * sizeof(*errs));
    if ( !mfns || !errs )
    {
        rc = -ENOMEM;
        goto out;
    }
    base = reserve(addr, flags, pages);
    if ( !base )
    {
        rc = -errno;
        goto out;
    }
    /* xen_pfn_t is unsigned long: the same layout as the uint64_t list. */
    xmm_client_foreign_lookup(fmem->cl, dom, !!(prot & PROT_WRITE),
                              (const uint64_t *)arr, pages, mfns, errs);
    rc = 0;
    if ( !err )
        for ( i = 0; i < pages; i++ )
            if ( errs[i] )
            {
                rc = errs[i];
                break;
            }
    if ( !rc )
        rc = map_runs(xmm_client_ram_fd(fmem->cl), base, prot, pages, mfns,
                      errs);
    if ( rc )
        munmap(base, pages << PAGE_SHIFT);
 out:
    free(mfns);
    if ( errs != err )
        free(errs);
    if ( rc )
    {
        errno = -rc;
        return NULL;
    }
    return base;
}

void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom,
                           int prot, size_t pages, const xen_pfn_t arr[],
                           int err[])
{
    return xenforeignmemory_map2(fmem, dom, NULL, prot, 0, pages, arr, err);
}

int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr,
                           size_t pages)
{
    (void)fmem;
    return munmap(addr, pages << PAGE_SHIFT);
}

/*
 * XENMEM_acquire_resource as privcmd's mmap_resource issues it for a PV
 * dom0: Xen writes the MFNs into frame_list.  nr_frames 0 asks the size.
 */
static long acquire(xenforeignmemory_handle *fmem, domid_t domid,
                    unsigned int type, unsigned int id, unsigned long frame,
                    unsigned long *nr_frames, uint64_t *mfns)
{
    size_t list_pages = (*nr_frames * sizeof(xen_pfn_t) + PAGE_SIZE - 1) /
                        PAGE_SIZE;
    xen_mem_acquire_resource_t *xmar = xmm_arena_alloc(fmem->cl,
                                                       1 + list_pages);
    xen_pfn_t *list;
    unsigned long args[6] = { XENMEM_acquire_resource };
    long rc;

    if ( !xmar )
        return -ENOMEM;
    list = (xen_pfn_t *)((uint8_t *)xmar + PAGE_SIZE);
    xmar->domid = domid;
    xmar->type = (uint16_t)type;
    xmar->id = id;
    xmar->frame = frame;
    xmar->nr_frames = (uint32_t)*nr_frames;
    if ( *nr_frames )
        set_xen_guest_handle(xmar->frame_list, list);
    args[1] = (unsigned long)xmar;
    rc = xmm_client_hypercall(fmem->cl, __HYPERVISOR_memory_op, args);
    if ( !rc )
    {
        if ( *nr_frames )
            memcpy(mfns, list, *nr_frames * sizeof(*mfns));
        else
            *nr_frames = xmar->nr_frames;
    }
    xmm_arena_free(fmem->cl, xmar);
    return rc;
}

xenforeignmemory_resource_handle *xenforeignmemory_map_resource(
    xenforeignmemory_handle *fmem, domid_t domid, unsigned int type,
    unsigned int id, unsigned long frame, unsigned long nr_frames,
    void **paddr, int prot, int flags)
{
    xenforeignmemory_resource_handle *fres;
    uint64_t *mfns = NULL;
    int *errs = NULL;
    long rc;

    if ( fmem->restricted && domid != fmem->restrict_domid )
    {
        errno = EPERM;
        return NULL;
    }
    fres = calloc(1, sizeof(*fres));
    if ( !fres )
        return NULL;
    fres->domid = domid;
    fres->type = type;
    fres->id = id;
    fres->frame = frame;
    fres->nr_frames = nr_frames;
    fres->prot = prot;
    fres->flags = flags;
    if ( !nr_frames )
    {
        /* The size query: nothing is mapped. */
        rc = acquire(fmem, domid, type, id, frame, &fres->nr_frames, NULL);
        goto out;
    }
    mfns = malloc(nr_frames * sizeof(*mfns));
    errs = calloc(nr_frames, sizeof(*errs));
    if ( !mfns || !errs )
    {
        rc = -ENOMEM;
        goto out;
    }
    rc = acquire(fmem, domid, type, id, frame, &nr_frames, mfns);
    if ( rc )
        goto out;
    fres->addr = reserve(paddr ? *paddr : NULL, flags, nr_frames);
    if ( !fres->addr )
    {
        rc = -errno;
        goto out;
    }
    rc = map_runs(xmm_client_ram_fd(fmem->cl), fres->addr, prot, nr_frames,
                  mfns, errs);
    if ( rc )
        munmap(fres->addr, nr_frames << PAGE_SHIFT);
    else if ( paddr )
        *paddr = fres->addr;
 out:
    free(mfns);
    free(errs);
    if ( rc )
    {
        free(fres);
        errno = (int)-rc;
        return NULL;
    }
    return fres;
}

int xenforeignmemory_unmap_resource(xenforeignmemory_handle *fmem,
                                    xenforeignmemory_resource_handle *fres)
{
    int rc = 0;

    (void)fmem;
    if ( !fres )
        return 0;
    if ( fres->addr )
        rc = munmap(fres->addr, fres->nr_frames << PAGE_SHIFT);
    free(fres);
    return rc;
}

int xenforeignmemory_resource_size(xenforeignmemory_handle *fmem,
                                   domid_t domid, unsigned int type,
                                   unsigned int id, size_t *size)
{
    xenforeignmemory_resource_handle *fres =
        xenforeignmemory_map_resource(fmem, domid, type, id, 0, 0, NULL, 0, 0);

    if ( !fres )
        return -1;
    *size = fres->nr_frames << PAGE_SHIFT;
    xenforeignmemory_unmap_resource(fmem, fres);
    return 0;
}
