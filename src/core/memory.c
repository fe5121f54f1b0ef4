/*
 * memory.c - XENMEM_* (common/memory.c), as 4.17.
 *
 * The reservation ops (increase_reservation, decrease_reservation,
 * populate_physmap) return the number of extents done counted from
 * extent 0; every preamble failure (bad copy, unknown domain, bad flags,
 * no permission) is "nothing done": start_extent.  Preemption is checked
 * from the second extent of a pass on and continues with
 * cmd = op | nr_done << 6.  exchange, the query ops and claim_pages
 * return 0/value or -errno.  The physmap, resource, vNUMA and arch ops
 * are handed to their own files (hypercall.h).
 *
 * Beyond 4.17: claim_pages accepts a node in mem_flags (XENMEMF_node(n),
 * nothing else) and then makes a claim on that node (docs/claims.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <xen/memory.h>

#include "core.h"
#include "hypercall.h"
#include "p2m.h"
#include "xsm.h"

#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK     ((1UL << MEMOP_EXTENT_SHIFT) - 1)
#define XENMEMF_NODE_MASK  (0xffU << 8)     /* XENMEMF_node()'s field */

/* memop-max-order defaults (x86): domU, control, hardware, passthrough. */
#define DOMU_MAX_ORDER   9
#define CTLDOM_MAX_ORDER 18
#define HWDOM_MAX_ORDER  12

struct memop_args {
    struct domain *domain;
    uint64_t extent_list;           /* guest address of xen_pfn_t[] or 0 */
    unsigned int nr_extents;
    unsigned int extent_order;
    unsigned int memflags;
    unsigned int nr_done;
    bool preempted;
};

/* The caller's class decides (not the target's). */
unsigned int memop_max_order(const struct domain *curr)
{
    unsigned int order = DOMU_MAX_ORDER;

    if ( is_control_domain(curr) && order < CTLDOM_MAX_ORDER )
        order = CTLDOM_MAX_ORDER;
    if ( is_hardware_domain(curr) && order < HWDOM_MAX_ORDER )
        order = HWDOM_MAX_ORDER;
    return order < MAX_ORDER ? order : MAX_ORDER;
}

bool guest_handle_subrange_okay(struct caller *c, uint64_t list,
                                unsigned long lo, unsigned long hi)
{
    if ( hi < lo )
        return true;
    if ( lo > (UINT64_MAX - list) / sizeof(xen_pfn_t) ||
         hi - lo >= UINT64_MAX / sizeof(xen_pfn_t) )
        return false;
    return guest_access_okay(c->mem, list + lo * sizeof(xen_pfn_t),
                             (hi - lo + 1) * sizeof(xen_pfn_t));
}

bool propagate_node(struct caller *c, unsigned int xmf, unsigned int *memflags)
{
    unsigned int node = XENMEMF_get_node(xmf);

    if ( node == NUMA_NO_NODE )
        return true;
    if ( is_hardware_domain(c->d) || is_control_domain(c->d) )
    {
        if ( node >= MAX_NUMNODES )
            return false;
        *memflags |= MEMF_node(node);
        if ( xmf & XENMEMF_exact_node_request )
            *memflags |= MEMF_exact_node;
    }
    else if ( xmf & XENMEMF_exact_node_request )
        return false;
    return true;
}

static bool get_list_entry(struct caller *c, uint64_t list, unsigned long i,
                           xen_pfn_t *v)
{
    return !copy_from_guest_raw(c->mem, v, list + i * sizeof(*v), sizeof(*v));
}

static bool put_list_entry(struct caller *c, uint64_t list, unsigned long i,
                           xen_pfn_t v)
{
    return !copy_to_guest_raw(c->mem, list + i * sizeof(v), &v, sizeof(v));
}

static void increase_reservation(struct caller *c, struct memop_args *a)
{
    struct host *h = c->h;
    struct domain *d = a->domain;
    unsigned long i;

    if ( a->extent_list &&
         !guest_handle_subrange_okay(c, a->extent_list, a->nr_done, a->nr_extents - 1) )
        return;
    if ( a->extent_order > memop_max_order(c->d) )
        return;

    for ( i = a->nr_done; i < a->nr_extents; i++ )
    {
        struct page_info *page;

        if ( i != a->nr_done && hypercall_preempt_check(c) )
        {
            a->preempted = true;
            break;
        }
        page = alloc_domheap_pages(h, d, a->extent_order, a->memflags);
        if ( !page )
            break;
        /* Translated domains get owned but unmapped pages. */
        if ( !paging_mode_translate(d) && a->extent_list &&
             !put_list_entry(c, a->extent_list, i,
                             mfn_x(page_to_mfn(h, page))) )
            break;
    }
    a->nr_done = i;
}

static void populate_physmap(struct caller *c, struct memop_args *a)
{
    struct host *h = c->h;
    struct domain *d = a->domain;
    bool pod = a->memflags & MEMF_populate_on_demand;
    unsigned long i;

    if ( !guest_handle_subrange_okay(c, a->extent_list, a->nr_done, a->nr_extents - 1) )
        return;
    if ( a->extent_order > (pod ? MAX_ORDER : memop_max_order(c->d)) )
        return;

    for ( i = a->nr_done; i < a->nr_extents; i++ )
    {
        struct page_info *page;
        xen_pfn_t gpfn;
        mfn_t mfn;

        if ( i != a->nr_done && hypercall_preempt_check(c) )
        {
            a->preempted = true;
            break;
        }
        if ( !get_list_entry(c, a->extent_list, i, &gpfn) )
            break;

        if ( pod )
        {
            /* No PoD on oneself; a PV target counts the extent as done. */
            if ( d == c->d )
                break;
            if ( is_hvm_domain(d) &&
                 guest_physmap_mark_populate_on_demand(d, gpfn,
                                                       a->extent_order) < 0 )
                break;
            continue;
        }

        page = alloc_domheap_pages(h, d, a->extent_order, a->memflags);
        if ( !page )
            break;
        mfn = page_to_mfn(h, page);
        /* On failure the page stays allocated and owned, as in Xen. */
        if ( guest_physmap_add_fresh(d, gpfn, page, a->extent_order) )
            break;
        if ( !paging_mode_translate(d) &&
             !put_list_entry(c, a->extent_list, i, mfn_x(mfn)) )
            break;
    }
    a->nr_done = i;
}

/* get_page(page, d): an allocated page of d (block heads carry the state). */
static struct page_info *get_page_of(struct host *h, mfn_t mfn,
                                     struct domain *d)
{
    struct block_view v;

    block_view(h, mfn, &v);
    if ( v.free || v.owner != d || !(v.count_info & PGC_allocated) ||
         !(v.count_info & PGC_count_mask) )
        return NULL;
    return mfn_to_page(h, mfn);
}

int guest_remove_page(struct domain *d, unsigned long gmfn)
{
    struct host *h = d->host;
    /*
     * get_gfn_query .. put_gfn: the gfn stays locked from the lookup to
     * the removal, so nothing (a vCPU's PoD zero reclaim, a demand
     * populate) can change the entry in between.  A PV domain has no p2m:
     * its page_alloc_lock (recursive) is held from the ownership check to
     * the free instead, so two removals of one MFN, or a removal and
     * domain_kill's relinquish, never both free it (Xen's get_page and
     * test_and_clear_bit(_PGC_allocated) do that with atomics).
     */
    pthread_mutex_t *gfn_lock = paging_mode_translate(d) ? &d->p2m->lock
                                                         : &d->page_alloc_lock;
    struct page_info *page;
    p2m_type_t p2mt;
    mfn_t mfn;
    int rc;

    pthread_mutex_lock(gfn_lock);
    if ( paging_mode_translate(d) )
    {
        unsigned int order;

        mfn = p2m_get_entry(d->p2m, gmfn, &p2mt, &order);
    }
    else
    {
        /* PV: the gmfn is the MFN. */
        mfn = _mfn(gmfn);
        p2mt = mfn_valid(h, mfn) ? p2m_ram_rw : p2m_mmio_direct;
    }

    if ( p2mt == p2m_invalid || p2mt == p2m_mmio_dm )
    {
        rc = -ENOENT;
        goto out;
    }
    if ( p2m_is_paging(p2mt) && p2mt != p2m_ram_paging_out )
    {
        rc = guest_physmap_remove_page(d, gmfn, mfn, 0);
        if ( rc )
        {
            rc = rc == -ENOENT ? -EINVAL : rc;
            goto out;
        }
        pthread_mutex_unlock(gfn_lock);
        p2m_mem_paging_drop_page(d, gmfn, p2mt);
        return 0;
    }
    rc = -EPERM;
    if ( p2mt == p2m_mmio_direct )
        goto out;
    rc = -EINVAL;
    if ( !mfn_valid(h, mfn) )
        goto out;

    rc = -ENXIO;
    page = get_page_of(h, mfn, d);
    if ( !page )
        goto out;
    rc = guest_physmap_remove_page(d, gmfn, mfn, 0);
    /*
     * put_page_alloc_ref + put_page: with no other reference held (xenmm
     * keeps no foreign references yet) the page is freed now.
     */
    if ( !rc )
        free_domheap_pages(h, page, 0);
    if ( rc == -ENOENT )
        rc = -EINVAL;
 out:
    pthread_mutex_unlock(gfn_lock);
    return rc;
}

static void decrease_reservation(struct caller *c, struct memop_args *a)
{
    struct domain *d = a->domain;
    unsigned long i, j;

    if ( !guest_handle_subrange_okay(c, a->extent_list, a->nr_done, a->nr_extents - 1) ||
         a->extent_order > memop_max_order(c->d) )
        return;

    for ( i = a->nr_done; i < a->nr_extents; i++ )
    {
        unsigned long pod_done;
        xen_pfn_t gmfn;

        if ( i != a->nr_done && hypercall_preempt_check(c) )
        {
            a->preempted = true;
            break;
        }
        if ( !get_list_entry(c, a->extent_list, i, &gmfn) )
            break;

        /* See if populate-on-demand wants to handle this. */
        pod_done = is_hvm_domain(d)
                   ? p2m_pod_decrease_reservation(d, gmfn, a->extent_order)
                   : 0;

        /*
         * Look for pages not handled by p2m_pod_decrease_reservation(): it
         * leaves -ENOENT for exactly the pages it dealt with.
         */
        for ( j = 0; j + pod_done < (1UL << a->extent_order); j++ )
        {
            int rc = guest_remove_page(d, gmfn + j);

            if ( rc == -ENOENT && pod_done )
            {
                pod_done--;
                continue;
            }
            if ( rc )
                goto out;
        }
    }
 out:
    a->nr_done = i;
}

static int construct_memop_from_reservation(struct caller *c,
                                            const struct xen_memory_reservation *r,
                                            struct memop_args *a)
{
    unsigned int address_bits, node = XENMEMF_get_node(r->mem_flags);
    struct domain *d = a->domain;

    a->extent_list = (uint64_t)(uintptr_t)r->extent_start.p;
    a->nr_extents = r->nr_extents;
    a->extent_order = r->extent_order;
    a->memflags = 0;

    address_bits = XENMEMF_get_address_bits(r->mem_flags);
    if ( address_bits &&
         address_bits < flsl(c->h->max_page - 1) + PAGE_SHIFT )
    {
        if ( address_bits <= PAGE_SHIFT )
            return -EINVAL;
        a->memflags = MEMF_bits(address_bits);
    }

    if ( r->mem_flags & XENMEMF_vnode )
    {
        int rc = 0;

        /* No privilege check: a guest names its own virtual nodes. */
        pthread_rwlock_rdlock(&d->vnuma_rwlock);
        if ( d->vnuma )
        {
            if ( node >= d->vnuma->nr_vnodes )
                rc = -EINVAL;
            else if ( d->vnuma->vnode_to_pnode[node] != NUMA_NO_NODE )
            {
                a->memflags |= MEMF_node(d->vnuma->vnode_to_pnode[node]);
                if ( r->mem_flags & XENMEMF_exact_node_request )
                    a->memflags |= MEMF_exact_node;
            }
        }
        pthread_rwlock_unlock(&d->vnuma_rwlock);
        return rc;
    }

    return propagate_node(c, r->mem_flags, &a->memflags) ? 0 : -EINVAL;
}

static long reservation_op(struct caller *c, unsigned int op,
                           unsigned long start_extent, uint64_t arg)
{
    struct xen_memory_reservation r;
    struct memop_args a = { 0 };
    unsigned long rc;

    if ( copy_from_guest_raw(c->mem, &r, arg, sizeof(r)) )
        return start_extent;
    /* Is the size too large to encode a continuation? */
    if ( r.nr_extents > (UINT_MAX >> MEMOP_EXTENT_SHIFT) )
        return start_extent;
    if ( start_extent >= r.nr_extents )
        return start_extent;
    a.domain = caller_domain_by_any_id(c, r.domid);
    if ( !a.domain )
        return start_extent;
    if ( construct_memop_from_reservation(c, &r, &a) ||
         xsm_default_action(XSM_TARGET, c->d, a.domain) )
    {
        put_domain(a.domain);
        return start_extent;
    }
    a.nr_done = start_extent;
    if ( op == XENMEM_populate_physmap &&
         (r.mem_flags & XENMEMF_populate_on_demand) )
        a.memflags |= MEMF_populate_on_demand;

    switch ( op )
    {
    case XENMEM_increase_reservation:
        increase_reservation(c, &a);
        break;
    case XENMEM_decrease_reservation:
        decrease_reservation(c, &a);
        break;
    default:
        populate_physmap(c, &a);
        break;
    }
    put_domain(a.domain);

    rc = a.nr_done;
    if ( a.preempted )
    {
        unsigned long args[2] = { op | (rc << MEMOP_EXTENT_SHIFT), arg };

        return hypercall_create_continuation(c, __HYPERVISOR_memory_op, 2,
                                             args);
    }
    return rc;
}

static long query_op(struct caller *c, unsigned int op, uint64_t arg)
{
    struct xen_memory_domain md;
    struct domain *d;
    long rc;

    if ( copy_from_guest_raw(c->mem, &md, arg, sizeof(md)) )
        return -EFAULT;
    d = caller_domain_by_any_id(c, md.domid);
    if ( !d )
        return -ESRCH;
    if ( xsm_default_action(XSM_TARGET, c->d, d) )
        rc = -EPERM;
    else if ( op == XENMEM_current_reservation )
        rc = domain_tot_pages(d);
    else if ( op == XENMEM_maximum_reservation )
        rc = d->max_pages;
    else
        rc = domain_get_maximum_gpfn(d);
    put_domain(d);
    return rc;
}

static long claim_pages(struct caller *c, uint64_t arg)
{
    struct xen_memory_reservation r;
    unsigned int node = NUMA_NO_NODE;
    struct domain *d;
    long rc;

    if ( copy_from_guest_raw(c->mem, &r, arg, sizeof(r)) )
        return -EFAULT;
    if ( r.extent_start.p || r.extent_order )
        return -EINVAL;
    if ( r.mem_flags )
    {
        /* xenmm: only a node (optionally "exact") may name a node claim. */
        if ( r.mem_flags & ~(XENMEMF_NODE_MASK | XENMEMF_exact_node_request) ||
             XENMEMF_get_node(r.mem_flags) == NUMA_NO_NODE )
            return -EINVAL;
        node = XENMEMF_get_node(r.mem_flags);
    }
    /* rcu_lock_domain_by_id: DOMID_SELF is not accepted, -EINVAL not -ESRCH. */
    d = caller_domain_by_id(c, r.domid);
    if ( !d )
        return -EINVAL;
    rc = xsm_default_action(XSM_PRIV, c->d, d)
         ? -EPERM : domain_set_outstanding_pages(d, r.nr_extents, node);
    put_domain(d);
    return rc;
}

long do_memory_op(struct caller *c, unsigned long cmd, uint64_t arg)
{
    unsigned int op = cmd & MEMOP_CMD_MASK;
    unsigned long start_extent = cmd >> MEMOP_EXTENT_SHIFT;

    switch ( op )
    {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation_op(c, op, start_extent, arg);
    case XENMEM_exchange:
        if ( start_extent )
            return -EINVAL;
        return memory_exchange(c, arg);
    case XENMEM_maximum_ram_page:
        if ( start_extent )
            return -EINVAL;
        return c->h->max_page;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        if ( start_extent )
            return -EINVAL;
        return query_op(c, op, arg);
    case XENMEM_claim_pages:
        if ( start_extent )
            return -EINVAL;
        return claim_pages(c, arg);
    case XENMEM_add_to_physmap:
    case XENMEM_add_to_physmap_batch:
    case XENMEM_remove_from_physmap:
        return xenmem_physmap_op(c, cmd, arg);
    case XENMEM_acquire_resource:
        return xenmem_acquire_resource(c, cmd, arg);
    case XENMEM_get_vnumainfo:
        return xenmem_get_vnumainfo(c, arg);
    default:
        return arch_memory_op(c, cmd, arg);
    }
}
