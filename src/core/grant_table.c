/*
 * grant_table.c - grant table v1 (common/grant_table.c): the per-domain
 * table, its shared frames and the ways the memory path reaches them, and
 * do_grant_table_op with the table-wide ops (setup_table, query_size,
 * get_version); map and unmap are grant_map.c's (grant_table.h has the
 * contract).
 *
 * do_grant_table_op, as 4.17: -EINVAL for a count negative as an int or
 * continuation bits on any command but cache_flush; map and unmap batches
 * check the whole array first (-EFAULT) and continue after a preemption
 * from the next op; setup_table and query_size take a count of 1 only
 * (-EINVAL) and report GNTST_bad_domain / GNTST_permission_denied
 * (XSM_TARGET) in the status; get_version returns -ESRCH / -EPERM.
 *
 * grant_table_init (domain creation) refuses, as 4.17: a maximum grant
 * version of 0 or above GNTTAB_MAX_VERSION, max_grant_frames below
 * INITIAL_NR_GRANT_FRAMES or above the host's gnttab_max_frames (64),
 * max_maptrack_frames above gnttab_max_maptrack_frames (1024): -EINVAL;
 * -ENOMEM when the first frame cannot be had.
 *
 * Each shared frame is an order-0 Xen-heap page, cleared, then shared with
 * the domain (owner d, on d->xenpage_list, counted in d->xenheap_pages).
 * domain_kill unshares them with the rest of xenpage_list;
 * grant_table_destroy, run when the domain is destroyed as Xen's
 * complete_domain_destroy does, gives the pages back to the Xen heap.
 *
 * Only v1 is modelled: there is no GNTTABOP_set_version, so gt_version
 * stays 1 and no status frames exist.  The active entries (one array per
 * shared frame, allocated with it) and the maptrack (grant_map.c) are
 * malloc'd, so the only heap pages a grant table takes are its shared
 * frames; Xen takes Xen-heap pages for those two as well.
 *
 * Lock: gt->lock, Xen's grant table rwlock; growing takes it for writing.
 * It nests outside page_alloc_lock and heap_lock; grant_table.h has the
 * order with the mapping side's locks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/memory.h>

#include "core.h"
#include "arch_domain.h"
#include "grant_table.h"
#include "guest_access.h"
#include "hypercall.h"
#include "p2m.h"
#include "xsm.h"

/* Xen-internal: how do_grant_table_op's cmd carries a continuation. */
#define GNTTABOP_CONTINUATION_ARG_SHIFT 12
#define GNTTABOP_CMD_MASK ((1U << GNTTABOP_CONTINUATION_ARG_SHIFT) - 1)
#define GNTTABOP_ARG_MASK (~GNTTABOP_CMD_MASK)

/* The gnttab_max_frames / gnttab_max_maptrack_frames boot defaults. */
#define OPT_MAX_GRANT_FRAMES    64U
#define OPT_MAX_MAPTRACK_FRAMES 1024U

/* v2 sizes, for the size of the status-frame resource. */
#define GRANT_PER_PAGE        (PAGE_SIZE / sizeof(grant_entry_v2_t))
#define GRANT_STATUS_PER_PAGE (PAGE_SIZE / sizeof(grant_status_t))

static unsigned int grant_to_status_frames(unsigned int grant_frames)
{
    return (grant_frames * GRANT_PER_PAGE + GRANT_STATUS_PER_PAGE - 1) /
           GRANT_STATUS_PER_PAGE;
}

static void clear_page(struct host *h, mfn_t mfn)
{
    /* Zeroes written pages only: a never-touched page reads as zero. */
    os_ram_fill(&h->ram, (uint64_t)mfn_x(mfn) << PAGE_SHIFT, PAGE_SIZE, 0);
}

static void free_shared_frame(struct domain *d, void *v)
{
    struct host *h = d->host;

    unshare_xen_page_with_guest(mfn_to_page(h, virt_to_mfn(h, v)), d);
    free_xenheap_pages(h, v, 0);
}

/* Grow to req_nr_frames (at least the initial count).  Write lock held. */
int gnttab_grow_table(struct domain *d, unsigned int req_nr_frames)
{
    struct grant_table *gt = d->grant_table;
    struct host *h = d->host;
    unsigned int i;

    if ( req_nr_frames < INITIAL_NR_GRANT_FRAMES )
        req_nr_frames = INITIAL_NR_GRANT_FRAMES;

    /* The active entries shadowing the new frames, then the frames. */
    for ( i = gt->nr_grant_frames; i < req_nr_frames; i++ )
    {
        gt->active[i] = calloc(SHGNT_PER_PAGE_V1, sizeof(*gt->active[i]));
        if ( gt->active[i] == NULL )
            goto shared_alloc_failed;
    }
    for ( i = gt->nr_grant_frames; i < req_nr_frames; i++ )
    {
        gt->shared_raw[i] = alloc_xenheap_pages(h, 0, 0);
        if ( gt->shared_raw[i] == NULL )
            goto shared_alloc_failed;
        clear_page(h, virt_to_mfn(h, gt->shared_raw[i]));
    }

    /* Share the new frames only once all of them exist, as Xen. */
    for ( i = gt->nr_grant_frames; i < req_nr_frames; i++ )
        share_xen_page_with_guest(
            mfn_to_page(h, virt_to_mfn(h, gt->shared_raw[i])), d);
    gt->nr_grant_frames = req_nr_frames;
    return 0;

 shared_alloc_failed:
    for ( i = gt->nr_grant_frames; i < req_nr_frames; i++ )
    {
        if ( gt->shared_raw[i] )
            free_xenheap_pages(h, gt->shared_raw[i], 0);
        gt->shared_raw[i] = NULL;
        free(gt->active[i]);
        gt->active[i] = NULL;
    }
    printk(h, "Allocation failure when expanding d%u grant table\n",
           d->domain_id);
    return -ENOMEM;
}

int grant_table_init(struct domain *d, unsigned int options)
{
    unsigned int max_version = options & XEN_DOMCTL_GRANT_version_mask;
    struct grant_table *gt;
    int rc;

    if ( !max_version || max_version > GNTTAB_MAX_VERSION )
        return -EINVAL;
    if ( d->max_grant_frames < INITIAL_NR_GRANT_FRAMES ||
         d->max_grant_frames > OPT_MAX_GRANT_FRAMES ||
         d->max_maptrack_frames > OPT_MAX_MAPTRACK_FRAMES )
        return -EINVAL;

    gt = calloc(1, sizeof(*gt));
    if ( gt == NULL )
        return -ENOMEM;
    gt->nr_maptrack_vcpus = d->max_vcpus ? d->max_vcpus : 1;
    gt->shared_raw = calloc(d->max_grant_frames, sizeof(*gt->shared_raw));
    gt->active = calloc(d->max_grant_frames, sizeof(*gt->active));
    gt->maptrack = calloc(d->max_maptrack_frames ?: 1, sizeof(*gt->maptrack));
    gt->maptrack_free = calloc(gt->nr_maptrack_vcpus,
                               sizeof(*gt->maptrack_free));
    if ( !gt->shared_raw || !gt->active || !gt->maptrack ||
         !gt->maptrack_free )
    {
        free(gt->shared_raw);
        free(gt->active);
        free(gt->maptrack);
        free(gt->maptrack_free);
        free(gt);
        return -ENOMEM;
    }
    /* grant_table_init_vcpu: every vCPU starts with no free handles. */
    for ( unsigned int v = 0; v < gt->nr_maptrack_vcpus; v++ )
        gt->maptrack_free[v].head = gt->maptrack_free[v].tail = MAPTRACK_TAIL;
    pthread_rwlock_init(&gt->lock, NULL);
    pthread_mutex_init(&gt->active_lock, NULL);
    pthread_mutex_init(&gt->maptrack_lock, NULL);
    gt->gt_version = 1;
    gt->max_version = max_version;
    gt->max_grant_frames = d->max_grant_frames;
    gt->max_maptrack_frames = d->max_maptrack_frames;
    gt->domain = d;
    d->grant_table = gt;

    pthread_rwlock_wrlock(&gt->lock);
    rc = gnttab_grow_table(d, 0);
    pthread_rwlock_unlock(&gt->lock);

    if ( rc )
        grant_table_destroy(d);
    return rc;
}

void grant_table_destroy(struct domain *d)
{
    struct grant_table *gt = d->grant_table;
    unsigned int i;

    if ( gt == NULL )
        return;
    for ( i = 0; i < gt->nr_grant_frames; i++ )
    {
        free_shared_frame(d, gt->shared_raw[i]);
        free(gt->active[i]);
    }
    free(gt->shared_raw);
    free(gt->active);
    for ( i = 0; i < gt->maptrack_limit / MAPTRACK_PER_PAGE; i++ )
        free(gt->maptrack[i]);
    free(gt->maptrack);
    free(gt->maptrack_free);
    pthread_mutex_destroy(&gt->maptrack_lock);
    pthread_mutex_destroy(&gt->active_lock);
    pthread_rwlock_destroy(&gt->lock);
    free(gt);
    d->grant_table = NULL;
}

/* Write lock held: Xen's gnttab_get_shared_frame_mfn. */
static int get_shared_frame_mfn_locked(struct domain *d, unsigned int idx,
                                       mfn_t *mfn)
{
    struct grant_table *gt = d->grant_table;

    if ( idx >= gt->nr_grant_frames )
    {
        unsigned int nr_grant = idx + 1;

        if ( nr_grant == 0 )            /* overflow */
            return -EINVAL;
        if ( nr_grant <= gt->max_grant_frames )
            gnttab_grow_table(d, nr_grant);
        /* Past the maximum, or growing failed. */
        if ( idx >= gt->nr_grant_frames )
            return -EINVAL;
    }
    *mfn = virt_to_mfn(d->host, gt->shared_raw[idx]);
    return 0;
}

int gnttab_get_shared_frame_mfn(struct domain *d, unsigned int idx,
                                mfn_t *mfn)
{
    struct grant_table *gt = d->grant_table;
    int rc;

    if ( gt == NULL )
        return -EINVAL;
    pthread_rwlock_wrlock(&gt->lock);
    rc = get_shared_frame_mfn_locked(d, idx, mfn);
    pthread_rwlock_unlock(&gt->lock);
    return rc;
}

unsigned int gnttab_nr_grant_frames(struct domain *d)
{
    struct grant_table *gt = d->grant_table;
    unsigned int nr;

    if ( gt == NULL )
        return 0;
    pthread_rwlock_rdlock(&gt->lock);
    nr = gt->nr_grant_frames;
    pthread_rwlock_unlock(&gt->lock);
    return nr;
}

int gnttab_get_entry_v1(struct domain *d, grant_ref_t ref,
                        grant_entry_v1_t *entry)
{
    struct grant_table *gt = d->grant_table;
    const volatile grant_entry_v1_t *e;
    int rc = -EINVAL;

    if ( gt == NULL )
        return -EINVAL;
    pthread_rwlock_rdlock(&gt->lock);
    if ( gt->gt_version == 1 &&
         ref < gt->nr_grant_frames * SHGNT_PER_PAGE_V1 )
    {
        /* The frame is guest memory: read each field once. */
        e = (const volatile grant_entry_v1_t *)
            gt->shared_raw[ref / SHGNT_PER_PAGE_V1] + ref % SHGNT_PER_PAGE_V1;
        entry->flags = e->flags;
        entry->domid = e->domid;
        entry->frame = e->frame;
        rc = 0;
    }
    pthread_rwlock_unlock(&gt->lock);
    return rc;
}

unsigned int gnttab_resource_max_frames(const struct domain *d,
                                        unsigned int id)
{
    const struct grant_table *gt = d->grant_table;

    /* Fixed at creation: no lock needed. */
    if ( gt == NULL )
        return 0;
    switch ( id )
    {
    case XENMEM_resource_grant_table_id_shared:
        return gt->max_grant_frames;
    case XENMEM_resource_grant_table_id_status:
        /* Sized for v2 whatever the domain's version, as 4.17. */
        return grant_to_status_frames(gt->max_grant_frames);
    default:
        return 0;
    }
}

int gnttab_acquire_resource(struct domain *d, unsigned int id,
                            unsigned int frame, unsigned int nr_frames,
                            xen_pfn_t mfn_list[])
{
    struct grant_table *gt = d->grant_table;
    struct host *h = d->host;
    unsigned int i;
    mfn_t tmp;
    int rc = -EINVAL;

    if ( !nr_frames || gt == NULL )
        return -EINVAL;

    pthread_rwlock_wrlock(&gt->lock);
    switch ( id )
    {
    case XENMEM_resource_grant_table_id_shared:
        /* Growing to the last frame asked for makes the whole range valid. */
        rc = get_shared_frame_mfn_locked(d, frame + nr_frames - 1, &tmp);
        break;
    case XENMEM_resource_grant_table_id_status:
        /* A v1 table has no status frames. */
    default:
        break;
    }
    if ( !rc )
    {
        for ( i = 0; i < nr_frames; i++ )
            mfn_list[i] = mfn_x(virt_to_mfn(h, gt->shared_raw[frame + i]));
        rc = nr_frames;
    }
    pthread_rwlock_unlock(&gt->lock);
    return rc;
}

int gnttab_map_frame(struct domain *d, unsigned long idx, gfn_t gfn,
                     mfn_t *mfn)
{
    struct grant_table *gt = d->grant_table;
    struct host *h = d->host;
    struct page_info *pg;
    int rc;

    if ( gt == NULL || gfn_x(gfn) == INVALID_GFN_RAW )
        return -EINVAL;

    pthread_rwlock_wrlock(&gt->lock);
    /*
     * v1: XENMAPIDX_grant_table_status is not stripped, so it makes the
     * index (like any index past max_grant_frames) out of range.  The
     * index is truncated to 32 bits on the way, as in 4.17.
     */
    rc = get_shared_frame_mfn_locked(d, (unsigned int)idx, mfn);
    if ( !rc )
    {
        /* Xen's get_page(pg, d): frames of a dying domain are not shared. */
        pg = mfn_to_page(h, *mfn);
        if ( page_get_owner(h, pg) != d || !(pg->count_info & PGC_allocated) )
            rc = -EBUSY;
    }
    pthread_rwlock_unlock(&gt->lock);
    return rc;
}

/* ---- setup_table, query_size, get_version ---- */

static long gnttab_setup_table(struct caller *c, uint64_t uop,
                               unsigned int count)
{
    gnttab_setup_table_t op;
    struct grant_table *gt;
    struct domain *d;
    uint64_t list;
    unsigned int i;

    if ( count != 1 )
        return -EINVAL;
    if ( copy_from_guest_raw(c->mem, &op, uop, sizeof(op)) )
        return -EFAULT;
    list = (uint64_t)(uintptr_t)op.frame_list.p;
    if ( !guest_access_okay(c->mem, list,
                            (uint64_t)op.nr_frames * sizeof(xen_pfn_t)) )
        return -EFAULT;

    if ( (d = caller_domain_by_any_id(c, op.dom)) == NULL )
    {
        op.status = GNTST_bad_domain;
        goto out;
    }
    if ( xsm_default_action(XSM_TARGET, c->d, d) )
    {
        op.status = GNTST_permission_denied;
        goto out_unlock_domain;
    }

    gt = d->grant_table;
    pthread_rwlock_wrlock(&gt->lock);
    if ( op.nr_frames > gt->max_grant_frames ||
         (op.nr_frames > gt->nr_grant_frames &&
          gnttab_grow_table(d, op.nr_frames)) )
        op.status = GNTST_general_error;
    else
    {
        op.status = GNTST_okay;
        for ( i = 0; i < op.nr_frames; i++ )
        {
            mfn_t mfn = virt_to_mfn(d->host, gt->shared_raw[i]);
            /* mfn_to_gfn: the M2P for a translated domain. */
            xen_pfn_t gmfn = paging_mode_translate(d)
                             ? get_gpfn_from_mfn(d->host, mfn) : mfn_x(mfn);

            if ( copy_to_guest_raw(c->mem, list + i * sizeof(gmfn), &gmfn,
                                   sizeof(gmfn)) )
                op.status = GNTST_bad_virt_addr;
        }
    }
    pthread_rwlock_unlock(&gt->lock);
 out_unlock_domain:
    rcu_unlock_domain(d);
 out:
    if ( copy_to_guest_raw(c->mem, uop + offsetof(gnttab_setup_table_t, status),
                           &op.status, sizeof(op.status)) )
        return -EFAULT;
    return 0;
}

static long gnttab_query_size(struct caller *c, uint64_t uop,
                              unsigned int count)
{
    gnttab_query_size_t op;
    struct domain *d;

    if ( count != 1 )
        return -EINVAL;
    if ( copy_from_guest_raw(c->mem, &op, uop, sizeof(op)) )
        return -EFAULT;
    if ( (d = caller_domain_by_any_id(c, op.dom)) == NULL )
        op.status = GNTST_bad_domain;
    else
    {
        if ( xsm_default_action(XSM_TARGET, c->d, d) )
            op.status = GNTST_permission_denied;
        else
        {
            pthread_rwlock_rdlock(&d->grant_table->lock);
            op.nr_frames = d->grant_table->nr_grant_frames;
            op.max_nr_frames = d->grant_table->max_grant_frames;
            op.status = GNTST_okay;
            pthread_rwlock_unlock(&d->grant_table->lock);
        }
        rcu_unlock_domain(d);
    }
    if ( copy_to_guest_raw(c->mem, uop, &op, sizeof(op)) )
        return -EFAULT;
    return 0;
}

static long gnttab_get_version(struct caller *c, uint64_t uop)
{
    gnttab_get_version_t op;
    struct domain *d;
    int rc;

    if ( copy_from_guest_raw(c->mem, &op, uop, sizeof(op)) )
        return -EFAULT;
    if ( (d = caller_domain_by_any_id(c, op.dom)) == NULL )
        return -ESRCH;
    rc = xsm_default_action(XSM_TARGET, c->d, d);
    if ( !rc )
        op.version = d->grant_table->gt_version;
    rcu_unlock_domain(d);
    if ( rc )
        return rc;
    if ( copy_to_guest_raw(c->mem,
                           uop + offsetof(gnttab_get_version_t, version),
                           &op.version, sizeof(op.version)) )
        return -EFAULT;
    return 0;
}

long do_grant_table_op(struct caller *c, unsigned int cmd, uint64_t uop,
                       unsigned int count)
{
    if ( (int)count < 0 )
        return -EINVAL;
    if ( (cmd & GNTTABOP_CMD_MASK) != GNTTABOP_cache_flush &&
         (cmd & GNTTABOP_ARG_MASK) )
        return -EINVAL;

    switch ( cmd & GNTTABOP_CMD_MASK )
    {
    case GNTTABOP_map_grant_ref:
    case GNTTABOP_unmap_grant_ref:
    {
        size_t size = cmd == GNTTABOP_map_grant_ref
                      ? sizeof(gnttab_map_grant_ref_t)
                      : sizeof(gnttab_unmap_grant_ref_t);
        unsigned long args[3];
        long rc;

        if ( !guest_access_okay(c->mem, uop, (uint64_t)count * size) )
            return -EFAULT;
        rc = cmd == GNTTABOP_map_grant_ref
             ? gnttab_map_grant_ref(c, uop, count)
             : gnttab_unmap_grant_ref(c, uop, count);
        if ( rc <= 0 )
            return rc;
        /* Preempted after rc ops: the rest, from where they start. */
        args[0] = cmd;
        args[1] = uop + rc * size;
        args[2] = count - rc;
        return hypercall_create_continuation(c, __HYPERVISOR_grant_table_op,
                                             3, args);
    }
    case GNTTABOP_setup_table:
        return gnttab_setup_table(c, uop, count);
    case GNTTABOP_query_size:
        return gnttab_query_size(c, uop, count);
    case GNTTABOP_get_version:
        return gnttab_get_version(c, uop);
    default:
        return -ENOSYS;
    }
}

/* ---- host_check ---- */

#define CHECK_FAIL(...)                                 \
    do {                                                \
        if ( !errors++ )                                \
            snprintf(why, len, __VA_ARGS__);            \
    } while ( 0 )

/* The pins one live mapping holds (map_grant_ref's pin_incr). */
static uint32_t mapping_pins(unsigned int flags)
{
    bool ro = flags & GNTMAP_readonly;
    uint32_t pins = 0;

    if ( flags & GNTMAP_device_map )
        pins += ro ? 1U << 24 : 1U << 16;
    if ( flags & GNTMAP_host_map )
        pins += ro ? 1U << 8 : 1U;
    return pins;
}

unsigned long gnttab_check(struct host *h, char *why, size_t len)
{
    struct domain **doms = calloc(DOMID_FIRST_RESERVED, sizeof(*doms));
    unsigned long errors = 0;
    unsigned int nr = 0, i, j, ref;

    if ( doms == NULL )
        return 1;
    for ( i = 0; i < DOMID_FIRST_RESERVED; i++ )
        if ( h->domains[i] && h->domains[i]->grant_table )
            doms[nr++] = h->domains[i];

    /* Each granter's pins are the sum of the live mappings of its refs. */
    for ( i = 0; i < nr; i++ )
    {
        struct domain *rd = doms[i];
        struct grant_table *rgt = rd->grant_table;
        unsigned int entries = rgt->nr_grant_frames * SHGNT_PER_PAGE_V1;
        uint32_t *pins = calloc(entries, sizeof(*pins));

        if ( pins == NULL )
        {
            errors++;
            break;
        }
        for ( j = 0; j < nr; j++ )
        {
            struct grant_table *lgt = doms[j]->grant_table;
            grant_handle_t handle;

            for ( handle = 0; handle < lgt->maptrack_limit; handle++ )
            {
                const struct grant_mapping *mt =
                    &lgt->maptrack[handle / MAPTRACK_PER_PAGE]
                                  [handle % MAPTRACK_PER_PAGE];

                if ( !mt->flags || mt->revoked ||
                     mt->domid != rd->domain_id )
                    continue;
                if ( mt->ref >= entries )
                {
                    CHECK_FAIL("d%u handle %u maps d%u ref %u: no such ref",
                               doms[j]->domain_id, handle, rd->domain_id,
                               mt->ref);
                    continue;
                }
                if ( rgt->active[mt->ref / SHGNT_PER_PAGE_V1]
                                [mt->ref % SHGNT_PER_PAGE_V1].domid !=
                     doms[j]->domain_id )
                    CHECK_FAIL("d%u ref %u is pinned for another domain than "
                               "its mapper d%u", rd->domain_id, mt->ref,
                               doms[j]->domain_id);
                pins[mt->ref] += mapping_pins(mt->flags);
            }
        }
        for ( ref = 0; ref < entries; ref++ )
        {
            uint32_t pin = rgt->active[ref / SHGNT_PER_PAGE_V1]
                                      [ref % SHGNT_PER_PAGE_V1].pin;

            if ( pin != pins[ref] )
                CHECK_FAIL("d%u ref %u: pin %#x, its mappings hold %#x",
                           rd->domain_id, ref, pin, pins[ref]);
        }
        free(pins);
    }

    /* A live mapping names a live granter. */
    for ( j = 0; j < nr; j++ )
    {
        struct grant_table *lgt = doms[j]->grant_table;
        grant_handle_t handle;

        for ( handle = 0; handle < lgt->maptrack_limit; handle++ )
        {
            const struct grant_mapping *mt =
                &lgt->maptrack[handle / MAPTRACK_PER_PAGE]
                              [handle % MAPTRACK_PER_PAGE];

            if ( mt->flags && !mt->revoked &&
                 (mt->domid >= DOMID_FIRST_RESERVED ||
                  h->domains[mt->domid] == NULL) )
                CHECK_FAIL("d%u handle %u maps the dead d%u",
                           doms[j]->domain_id, handle, mt->domid);
        }
    }
    free(doms);
    return errors;
}

