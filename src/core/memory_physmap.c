/*
 * memory_physmap.c - XENMEM_add_to_physmap, add_to_physmap_batch,
 * remove_from_physmap (common/memory.c with x86's
 * xenmem_add_to_physmap_one) and XENMEM_acquire_resource, as 4.17.
 *
 * add_to_physmap / _batch map one page of a space at a gfn of a translated
 * (HVM) domain: XENMAPSPACE_shared_info (idx 0), XENMAPSPACE_grant_table
 * (idx = frame; the table grows as needed), XENMAPSPACE_gmfn (move the
 * domain's own gfn idx), XENMAPSPACE_gmfn_range (add_to_physmap only:
 * size gmfns from idx, preemptible).  Whatever was at the gfn goes first:
 * a special page (Xen-heap or extra) is unhooked, ordinary RAM is freed
 * (guest_remove_page); a page mapped elsewhere is unmapped from there.
 * Errors as 4.17, in its order:
 *  add_to_physmap   -EDOM (continuation index too big), -EFAULT, -ENOSYS
 *                   (gmfn_foreign), -ESRCH, -EACCES (PV target; dev_mmio
 *                   from anyone but the hardware domain on itself), -EPERM
 *                   (XSM_TARGET), -EINVAL (gpfn INVALID_GFN, bad idx or
 *                   space), -EILSEQ / -EOVERFLOW (gmfn_range), -EXDEV
 *                   (gmfn not at idx), -EPERM (gfn is direct MMIO), then
 *                   what the p2m returns.
 *  _batch           as above but -EOPNOTSUPP for gmfn_range (or dev_mmio
 *                   with res0 set), -EILSEQ for a bad continuation,
 *                   -EFAULT for arrays out of reach; per-entry errors go to
 *                   errs[] (gmfn_foreign: -EPERM, as for any target that
 *                   is not a translated hardware domain).
 *  remove_from_physmap  -EINVAL (continuation), -EFAULT, -ESRCH, -EACCES
 *                   (PV), -EPERM, -ENOENT (nothing mapped), else the p2m's.
 *
 * acquire_resource (grant table frames; other types as 4.17 with no ioreq
 * server and no vmtrace buffers): -EACCES (translated caller), -EFAULT,
 * -EINVAL (pad, frame range over 32 bits, empty resource, bad size query,
 * frames out of range), -ESRCH, -EPERM (the target is the caller, or
 * XSM_DM_PRIV refuses), -ENOENT (ioreq server), -EOPNOTSUPP (unknown
 * type).  A null frame_list with nr_frames 0 asks for the size.  The MFNs
 * are written to frame_list (callers are PV; a translated caller would be
 * a PVH hardware domain, which xenmm does not have).
 *
 * Every gfn is looked up as Xen's get_gfn / get_page_from_gfn do, with
 * P2M_ALLOC: a populate-on-demand entry is populated on the way.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/memory.h>
#include <xen/hvm/ioreq.h>

#include "core.h"
#include "grant_table.h"
#include "hypercall.h"
#include "p2m.h"
#include "xsm.h"

#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK     ((1UL << MEMOP_EXTENT_SHIFT) - 1)

static inline uint64_t handle_addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

static long memop_continuation(struct caller *c, unsigned long cmd,
                               uint64_t arg)
{
    unsigned long args[2] = { cmd, arg };

    return hypercall_create_continuation(c, __HYPERVISOR_memory_op, 2, args);
}

/* x86 arch_acquire_resource_check: foreign pages are not refcounted in a p2m. */
static bool arch_acquire_resource_check(const struct domain *d)
{
    return !paging_mode_translate(d) || is_hardware_domain(d);
}

/* Xen-heap pages (shared_info, grant frames) and extra pages. */
static bool is_special_page(const struct host *h, mfn_t mfn)
{
    struct block_view v;

    block_view(h, mfn, &v);
    return !v.free && (v.xen_heap || (v.count_info & PGC_extra));
}

/* Only translated domains get here: they all have a p2m. */
static void p2m_lock(struct domain *d)
{
    pthread_mutex_lock(&p2m_get_hostp2m(d)->lock);
}

static void p2m_unlock(struct domain *d)
{
    pthread_mutex_unlock(&p2m_get_hostp2m(d)->lock);
}

/*
 * get_gfn (P2M_ALLOC): a PoD entry is populated first, on behalf of curr
 * (the calling domain).  p2m lock held.
 */
static mfn_t get_gfn(struct domain *d, unsigned long gfn, p2m_type_t *t,
                     const struct domain *curr)
{
    unsigned int order;

    return p2m_get_entry_alloc(p2m_get_hostp2m(d), gfn, t, &order, curr);
}

/* x86 xenmem_add_to_physmap_one. */
static int add_to_physmap_one(struct caller *c, struct domain *d,
                              unsigned int space, unsigned long idx,
                              unsigned long gpfn)
{
    struct host *h = d->host;
    mfn_t mfn = INVALID_MFN, prev_mfn;
    unsigned long gfn = 0, old_gpfn;
    p2m_type_t p2mt;
    int rc = 0;

    switch ( space )
    {
    case XENMAPSPACE_shared_info:
        if ( idx == 0 )
            mfn = page_to_mfn(h, d->shared_info);
        break;

    case XENMAPSPACE_grant_table:
        /* Takes and drops the grant lock, before the p2m lock as in Xen. */
        if ( (rc = gnttab_map_frame(d, idx, _gfn(gpfn), &mfn)) )
            return rc;
        break;

    case XENMAPSPACE_gmfn_foreign:
        /*
         * p2m_add_foreign: only a translated hardware domain may map
         * foreign pages (arch_acquire_resource_check), and every translated
         * domain here is a domU.
         */
        return -EPERM;

    default:
        break;
    }

    p2m_lock(d);
    if ( space == XENMAPSPACE_gmfn )
    {
        gfn = idx;
        mfn = get_gfn(d, gfn, &p2mt, c->d);
        if ( p2mt == p2m_ram_shared )
        {
            rc = -ENOMEM;               /* still shared: not unshared here */
            goto out;
        }
        /* get_page_from_mfn(mfn, d): the domain's own RAM only. */
        if ( !p2m_is_ram(p2mt) || !mfn_valid(h, mfn) ||
             page_owner(h, mfn) != d )
            mfn = INVALID_MFN;
    }

    if ( mfn_eq(mfn, INVALID_MFN) )
    {
        rc = -EINVAL;
        goto out;
    }

    prev_mfn = get_gfn(d, gpfn, &p2mt, c->d);

    /* XENMAPSPACE_gmfn: the page must be where idx says. */
    old_gpfn = get_gpfn_from_mfn(h, mfn);
    if ( space == XENMAPSPACE_gmfn && old_gpfn != gfn )
    {
        rc = -EXDEV;
        goto out;
    }

    /* Remove what was mapped at gpfn. */
    if ( p2mt == p2m_mmio_direct )
        rc = -EPERM;
    else if ( mfn_valid(h, prev_mfn) )
    {
        if ( is_special_page(h, prev_mfn) )
            /* Special pages are only unhooked from this slot. */
            rc = guest_physmap_remove_page(d, gpfn, prev_mfn, PAGE_ORDER_4K);
        else if ( !mfn_eq(mfn, prev_mfn) )
            /* Ordinary memory is freed, so it does not leak. */
            rc = guest_remove_page(d, gpfn);
    }

    /* Unmap from the old location, if any. */
    if ( !rc && old_gpfn != INVALID_M2P_ENTRY && old_gpfn != gpfn )
        rc = guest_physmap_remove_page(d, old_gpfn, mfn, PAGE_ORDER_4K);

    /* Map at the new one, as ordinary RAM (the guest reads and writes it). */
    if ( !rc )
        rc = guest_physmap_add_entry(d, gpfn, mfn, PAGE_ORDER_4K, p2m_ram_rw);

 out:
    p2m_unlock(d);
    return rc;
}

static long xatp_permission_check(struct caller *c, struct domain *d,
                                  unsigned int space)
{
    if ( !paging_mode_translate(d) )
        return -EACCES;
    /* dev_mmio: only the hardware domain, onto itself. */
    if ( space == XENMAPSPACE_dev_mmio &&
         (!is_hardware_domain(d) || d != c->d) )
        return -EACCES;
    return xsm_default_action(XSM_TARGET, c->d, d);
}

/* Returns 0, -errno, or the extent to continue from (gmfn_range). */
static long xenmem_add_to_physmap(struct caller *c, struct domain *d,
                                  struct xen_add_to_physmap *xatp,
                                  unsigned int start)
{
    unsigned int done = 0;
    long rc = 0;

    if ( xatp->gpfn == INVALID_GFN_RAW )
        return -EINVAL;
    if ( xatp->space != XENMAPSPACE_gmfn_range )
        return add_to_physmap_one(c, d, xatp->space, xatp->idx, xatp->gpfn);

    if ( xatp->size < start )
        return -EILSEQ;
    /* INVALID_GFN is the highest gfn, so no range can step over it. */
    if ( xatp->gpfn + xatp->size < xatp->gpfn ||
         xatp->idx + xatp->size < xatp->idx )
        return -EOVERFLOW;

    xatp->idx += start;
    xatp->gpfn += start;
    xatp->size -= start;

    while ( xatp->size > done )
    {
        rc = add_to_physmap_one(c, d, XENMAPSPACE_gmfn, xatp->idx,
                                xatp->gpfn);
        if ( rc < 0 )
            break;
        xatp->idx++;
        xatp->gpfn++;
        /* Not after the last one. */
        if ( xatp->size > ++done && hypercall_preempt_check(c) )
        {
            rc = start + done;
            break;
        }
    }
    return rc;
}

/* Returns 0, -errno, or the extent to continue from. */
static long xenmem_add_to_physmap_batch(struct caller *c, struct domain *d,
                                        struct xen_add_to_physmap_batch *xatpb,
                                        unsigned int extent)
{
    uint64_t idxs = handle_addr(xatpb->idxs.p);
    uint64_t gpfns = handle_addr(xatpb->gpfns.p);
    uint64_t errs = handle_addr(xatpb->errs.p);
    uint64_t n;

    if ( xatpb->size < extent )
        return -EILSEQ;
    if ( xatpb->size == extent )
        return extent ? -EILSEQ : 0;

    /* guest_handle_subrange_okay over [extent, size - 1] of each array. */
    n = xatpb->size - extent;
    if ( !guest_access_okay(c->mem, idxs + extent * sizeof(xen_ulong_t),
                            n * sizeof(xen_ulong_t)) ||
         !guest_access_okay(c->mem, gpfns + extent * sizeof(xen_pfn_t),
                            n * sizeof(xen_pfn_t)) ||
         !guest_access_okay(c->mem, errs + extent * sizeof(int),
                            n * sizeof(int)) )
        return -EFAULT;

    /* res0 is reserved for dev_mmio; foreign_domid is unused (-EPERM). */
    if ( xatpb->space == XENMAPSPACE_dev_mmio && xatpb->u.res0 )
        return -EOPNOTSUPP;

    while ( xatpb->size > extent )
    {
        xen_ulong_t idx;
        xen_pfn_t gpfn;
        int rc;

        if ( copy_from_guest_raw(c->mem, &idx,
                                 idxs + extent * sizeof(idx), sizeof(idx)) ||
             copy_from_guest_raw(c->mem, &gpfn,
                                 gpfns + extent * sizeof(gpfn), sizeof(gpfn)) )
            return -EFAULT;
        if ( gpfn == INVALID_GFN_RAW )
            return -EINVAL;

        rc = add_to_physmap_one(c, d, xatpb->space, idx, gpfn);

        if ( copy_to_guest_raw(c->mem, errs + extent * sizeof(rc), &rc,
                               sizeof(rc)) )
            return -EFAULT;

        /* Not after the last one. */
        if ( xatpb->size > ++extent && hypercall_preempt_check(c) )
            return extent;
    }
    return 0;
}

static long remove_from_physmap(struct caller *c, struct domain *d,
                                unsigned long gpfn)
{
    struct host *h = d->host;
    p2m_type_t t;
    mfn_t mfn;
    long rc;

    p2m_lock(d);
    /*
     * get_page_from_gfn(d, gpfn, NULL, P2M_ALLOC): a RAM entry with a page
     * of d's behind it, or a grant or foreign entry with another domain's.
     */
    mfn = get_gfn(d, gpfn, &t, c->d);
    if ( !mfn_valid(h, mfn) )
        rc = -ENOENT;
    else if ( p2m_is_ram(t) )
        rc = page_owner(h, mfn) == d ? 0 : -ENOENT;
    else if ( p2m_is_grant(t) || p2m_is_foreign(t) )
        rc = page_owner(h, mfn) ? 0 : -ENOENT;
    else
        rc = -ENOENT;
    if ( !rc )
        rc = guest_physmap_remove_page(d, gpfn, mfn, PAGE_ORDER_4K);
    p2m_unlock(d);
    return rc;
}

long xenmem_physmap_op(struct caller *c, unsigned long cmd, uint64_t arg)
{
    unsigned int op = cmd & MEMOP_CMD_MASK;
    unsigned long start_extent = cmd >> MEMOP_EXTENT_SHIFT;
    struct domain *d;
    long rc;

    switch ( op )
    {
    case XENMEM_add_to_physmap:
    {
        struct xen_add_to_physmap xatp;

        if ( start_extent != (uint16_t)start_extent )
            return -EDOM;
        if ( copy_from_guest_raw(c->mem, &xatp, arg, sizeof(xatp)) )
            return -EFAULT;
        /* Foreign mapping is only possible via add_to_physmap_batch. */
        if ( xatp.space == XENMAPSPACE_gmfn_foreign )
            return -ENOSYS;
        d = caller_domain_by_any_id(c, xatp.domid);
        if ( d == NULL )
            return -ESRCH;
        if ( !(rc = xatp_permission_check(c, d, xatp.space)) )
            rc = xenmem_add_to_physmap(c, d, &xatp, start_extent);
        put_domain(d);
        if ( xatp.space == XENMAPSPACE_gmfn_range && rc > 0 )
            rc = memop_continuation(c, op | (rc << MEMOP_EXTENT_SHIFT), arg);
        return rc;
    }

    case XENMEM_add_to_physmap_batch:
    {
        struct xen_add_to_physmap_batch xatpb;

        if ( start_extent != (uint16_t)start_extent )
            return -EDOM;
        if ( copy_from_guest_raw(c->mem, &xatpb, arg, sizeof(xatpb)) )
            return -EFAULT;
        if ( xatpb.space == XENMAPSPACE_gmfn_range )
            return -EOPNOTSUPP;
        d = caller_domain_by_any_id(c, xatpb.domid);
        if ( d == NULL )
            return -ESRCH;
        if ( !(rc = xatp_permission_check(c, d, xatpb.space)) )
            rc = xenmem_add_to_physmap_batch(c, d, &xatpb, start_extent);
        put_domain(d);
        if ( rc > 0 )
            rc = memop_continuation(c, op | (rc << MEMOP_EXTENT_SHIFT), arg);
        return rc;
    }

    case XENMEM_remove_from_physmap:
    {
        struct xen_remove_from_physmap xrfp;

        if ( start_extent )
            return -EINVAL;
        if ( copy_from_guest_raw(c->mem, &xrfp, arg, sizeof(xrfp)) )
            return -EFAULT;
        d = caller_domain_by_any_id(c, xrfp.domid);
        if ( d == NULL )
            return -ESRCH;
        rc = paging_mode_translate(d)
             ? xsm_default_action(XSM_TARGET, c->d, d) : -EACCES;
        if ( !rc )
            rc = remove_from_physmap(c, d, xrfp.gpfn);
        put_domain(d);
        return rc;
    }

    default:
        return -ENOSYS;
    }
}

/* ---- XENMEM_acquire_resource ---- */

/* One frame for the buffered ring, one per 128 vCPUs' ioreqs. */
static unsigned int ioreq_server_max_frames(const struct domain *d)
{
    if ( !is_hvm_domain(d) )
        return 0;
    return 1 + (d->max_vcpus * sizeof(struct ioreq) + PAGE_SIZE - 1) /
               PAGE_SIZE;
}

/*
 * 0 for an empty or unknown-to-the-type resource (the caller makes it
 * -EINVAL).  An unknown type gives (unsigned)-EOPNOTSUPP, nonzero, as
 * 4.17 does: its size query "succeeds" and mapping it fails.
 */
static unsigned int resource_max_frames(const struct domain *d,
                                        unsigned int type, unsigned int id)
{
    switch ( type )
    {
    case XENMEM_resource_grant_table:
        return gnttab_resource_max_frames(d, id);
    case XENMEM_resource_ioreq_server:
        return ioreq_server_max_frames(d);
    case XENMEM_resource_vmtrace_buf:
        return 0;                       /* vmtrace is never enabled */
    default:
        return (unsigned int)-EOPNOTSUPP;
    }
}

/* -errno, or frames done in [1, nr_frames]. */
static int acquire_one(struct domain *d, unsigned int type, unsigned int id,
                       unsigned int frame, unsigned int nr_frames,
                       xen_pfn_t mfn_list[])
{
    switch ( type )
    {
    case XENMEM_resource_grant_table:
        return gnttab_acquire_resource(d, id, frame, nr_frames, mfn_list);
    case XENMEM_resource_ioreq_server:
        if ( !is_hvm_domain(d) || id != (uint16_t)id )   /* ioservid_t */
            return -EINVAL;
        return -ENOENT;                 /* no ioreq server exists */
    case XENMEM_resource_vmtrace_buf:
        return -EINVAL;                 /* no vCPU has a trace buffer */
    default:
        return -EOPNOTSUPP;
    }
}

/* The op on d, which the caller holds (xenmem_acquire_resource). */
static long acquire_resource(struct caller *c, struct domain *d,
                             xen_mem_acquire_resource_t *xmar,
                             unsigned long start_extent, uint64_t arg)
{
    unsigned int max_frames;
    uint64_t frame_list;
    long rc;

    if ( d == c->d )
        return -EPERM;
    if ( (rc = xsm_default_action(XSM_DM_PRIV, c->d, d)) )
        return rc;

    max_frames = resource_max_frames(d, xmar->type, xmar->id);
    if ( !max_frames )
        return -EINVAL;

    frame_list = handle_addr(xmar->frame_list.p);
    if ( guest_handle_is_null(frame_list) )
    {
        /* A size query. */
        if ( xmar->nr_frames || start_extent )
            return -EINVAL;
        xmar->nr_frames = max_frames;
        return copy_to_guest_raw(c->mem,
                                 arg + offsetof(xen_mem_acquire_resource_t,
                                                nr_frames),
                                 &xmar->nr_frames, sizeof(xmar->nr_frames))
               ? -EFAULT : 0;
    }

    if ( start_extent >= xmar->nr_frames ||
         xmar->nr_frames > (UINT_MAX >> MEMOP_EXTENT_SHIFT) )
        return -EINVAL;

    /* Skip what earlier continuations did. */
    xmar->nr_frames -= start_extent;
    xmar->frame += start_extent;
    frame_list += start_extent * sizeof(xen_pfn_t);

    do {
        xen_pfn_t mfn_list[32];
        unsigned int todo = xmar->nr_frames < 32 ? xmar->nr_frames : 32, done;

        rc = acquire_one(d, xmar->type, xmar->id, xmar->frame, todo, mfn_list);
        if ( rc < 0 )
            return rc;
        done = rc;
        if ( done == 0 || done > todo )
            return -EINVAL;

        /* The caller is PV (arch_acquire_resource_check): MFNs out. */
        if ( copy_to_guest_raw(c->mem, frame_list, mfn_list,
                               done * sizeof(xen_pfn_t)) )
            return -EFAULT;

        xmar->nr_frames -= done;
        xmar->frame += done;
        frame_list += done * sizeof(xen_pfn_t);
        start_extent += done;

        if ( done < todo ||
             (xmar->nr_frames && hypercall_preempt_check(c)) )
            return memop_continuation(
                c, XENMEM_acquire_resource | (start_extent << MEMOP_EXTENT_SHIFT),
                arg);
    } while ( xmar->nr_frames );

    return 0;
}

long xenmem_acquire_resource(struct caller *c, unsigned long cmd,
                             uint64_t arg)
{
    unsigned long start_extent = cmd >> MEMOP_EXTENT_SHIFT;
    xen_mem_acquire_resource_t xmar;
    struct domain *d;
    long rc;

    if ( !arch_acquire_resource_check(c->d) )
        return -EACCES;
    if ( copy_from_guest_raw(c->mem, &xmar, arg, sizeof(xmar)) )
        return -EFAULT;
    if ( xmar.pad != 0 )
        return -EINVAL;
    /* nr_frames is 32-bit, frame 64-bit: keep frame + nr_frames in 32. */
    if ( (xmar.frame >> 32) || ((xmar.frame + xmar.nr_frames) >> 32) )
        return -EINVAL;

    /* rcu_lock_remote_domain_by_id: not DOMID_SELF, not oneself. */
    d = caller_domain_by_id(c, xmar.domid);
    if ( d == NULL )
        return -ESRCH;
    rc = acquire_resource(c, d, &xmar, start_extent, arg);
    put_domain(d);
    return rc;
}
