/*
 * memory_exchange.c - XENMEM_exchange (common/memory.c memory_exchange and
 * x86 steal_page), as 4.17.  In practice PV only: stealing a page from a
 * translated domain is -EOPNOTSUPP.
 *
 * Errors: -EFAULT (argument or list range not accessible: the range is
 * checked from the current index, XSA-212), -EPERM (an order above the
 * caller's max_order, or XSM_TARGET), -EINVAL (nr_exchanged > nr_extents,
 * domids differ, sizes overflow or differ, bad node, a gmfn that is not
 * an exchangeable page of the domain), -ESRCH, -ENOMEM, -EOPNOTSUPP.
 * nr_exchanged is written back on every return, as Xen does; preemption
 * between chunks continues with plain XENMEM_exchange.  On failure stolen
 * pages are given back and partial output freed: nothing is lost.
 */
#include <errno.h>
#include <stdint.h>
#include <xen/memory.h>

#include "core.h"
#include "hypercall.h"
#include "p2m.h"
#include "xsm.h"

/*
 * steal_page(d, page, MEMF_no_refcount): take a 4K page of d that holds
 * only its allocation reference; it leaves d's list and loses its owner,
 * but tot_pages is not reduced.
 */
static int steal_page(struct domain *d, mfn_t mfn, struct page_list_head *to)
{
    struct host *h = d->host;
    struct page_info *pg;
    struct block_view v;

    if ( paging_mode_translate(d) )
        return -EOPNOTSUPP;
    if ( !mfn_valid(h, mfn) )
        return -EINVAL;
    /* Checked and taken under d's lock: nobody frees it in between. */
    pthread_mutex_lock(&d->page_alloc_lock);
    block_view(h, mfn, &v);
    if ( v.free || v.owner != d ||
         (v.count_info & (PGC_xen_heap | PGC_extra)) ||
         (v.count_info & (PGC_count_mask | PGC_allocated)) !=
         (PGC_allocated | 1) )
    {
        pthread_mutex_unlock(&d->page_alloc_lock);
        return -EINVAL;
    }
    pg = split_domain_block(h, mfn, 0);
    page_list_del(h, pg, &d->page_list);
    page_head_set(h, pg, NULL, PGC_state_inuse | 1);
    page_list_add_tail(h, pg, to);
    pthread_mutex_unlock(&d->page_alloc_lock);
    return 0;
}

static long put_nr_exchanged(struct caller *c, uint64_t arg,
                             const struct xen_memory_exchange *exch, long rc)
{
    if ( copy_to_guest_raw(c->mem,
                           arg + offsetof(struct xen_memory_exchange,
                                          nr_exchanged),
                           &exch->nr_exchanged, sizeof(exch->nr_exchanged)) )
        return -EFAULT;
    return rc;
}

long memory_exchange(struct caller *c, uint64_t arg)
{
    struct host *h = c->h;
    struct xen_memory_exchange exch;
    struct page_list_head in_chunk, out_chunk;
    unsigned long in_chunk_order, out_chunk_order, i, j, k;
    uint64_t in_list, out_list;
    unsigned int memflags = 0, bits;
    struct page_info *page;
    struct domain *d;
    xen_pfn_t gmfn, gpfn;
    long rc = 0;

    if ( copy_from_guest_raw(c->mem, &exch, arg, sizeof(exch)) )
        return -EFAULT;
    in_list = (uint64_t)(uintptr_t)exch.in.extent_start.p;
    out_list = (uint64_t)(uintptr_t)exch.out.extent_start.p;

    if ( (exch.in.extent_order > exch.out.extent_order
          ? exch.in.extent_order : exch.out.extent_order) > memop_max_order(c->d) )
        return put_nr_exchanged(c, arg, &exch, -EPERM);
    if ( exch.nr_exchanged > exch.in.nr_extents ||
         exch.in.domid != exch.out.domid ||
         exch.in.extent_order >= 64 || exch.out.extent_order >= 64 ||
         (~0UL >> exch.in.extent_order) < exch.in.nr_extents ||
         (~0UL >> exch.out.extent_order) < exch.out.nr_extents ||
         ((unsigned long)exch.in.nr_extents << exch.in.extent_order) !=
         ((unsigned long)exch.out.nr_extents << exch.out.extent_order) )
        return put_nr_exchanged(c, arg, &exch, -EINVAL);
    if ( exch.nr_exchanged == exch.in.nr_extents )
        return 0;
    if ( !guest_handle_subrange_okay(c, in_list, exch.nr_exchanged, exch.in.nr_extents - 1) )
        return put_nr_exchanged(c, arg, &exch, -EFAULT);
    if ( exch.in.extent_order <= exch.out.extent_order )
    {
        in_chunk_order = exch.out.extent_order - exch.in.extent_order;
        out_chunk_order = 0;
        if ( !guest_handle_subrange_okay(c, out_list, exch.nr_exchanged >> in_chunk_order,
                            exch.out.nr_extents - 1) )
            return put_nr_exchanged(c, arg, &exch, -EFAULT);
    }
    else
    {
        in_chunk_order = 0;
        out_chunk_order = exch.in.extent_order - exch.out.extent_order;
        if ( !guest_handle_subrange_okay(c, out_list,
                            exch.nr_exchanged << out_chunk_order,
                            exch.out.nr_extents - 1) )
            return put_nr_exchanged(c, arg, &exch, -EFAULT);
    }

    if ( !propagate_node(c, exch.out.mem_flags, &memflags) )
        return put_nr_exchanged(c, arg, &exch, -EINVAL);

    d = caller_domain_by_any_id(c, exch.in.domid);
    if ( !d )
        return put_nr_exchanged(c, arg, &exch, -ESRCH);
    if ( xsm_default_action(XSM_TARGET, c->d, d) )
    {
        rc = put_nr_exchanged(c, arg, &exch, -EPERM);
        goto out;
    }
    bits = XENMEMF_get_address_bits(exch.out.mem_flags);
    if ( bits && bits < 64 + PAGE_SHIFT )
        memflags |= MEMF_bits(bits);

    page_list_init(&in_chunk);
    page_list_init(&out_chunk);
    for ( i = exch.nr_exchanged >> in_chunk_order;
          i < (exch.in.nr_extents >> in_chunk_order); i++ )
    {
        if ( i != (exch.nr_exchanged >> in_chunk_order) &&
             hypercall_preempt_check(c) )
        {
            unsigned long args[2] = { XENMEM_exchange, arg };

            exch.nr_exchanged = i << in_chunk_order;
            if ( put_nr_exchanged(c, arg, &exch, 0) )
                rc = -EFAULT;
            else
                rc = hypercall_create_continuation(c, __HYPERVISOR_memory_op,
                                                   2, args);
            goto out;
        }

        /* Steal a chunk's worth of input pages from the domain. */
        for ( j = 0; j < (1UL << in_chunk_order); j++ )
        {
            if ( copy_from_guest_raw(c->mem, &gmfn,
                                     in_list + ((i << in_chunk_order) + j) *
                                     sizeof(gmfn), sizeof(gmfn)) )
            {
                rc = -EFAULT;
                goto fail;
            }
            for ( k = 0; k < (1UL << exch.in.extent_order); k++ )
            {
                /* PV: the gmfn is the MFN. */
                rc = steal_page(d, _mfn(gmfn + k), &in_chunk);
                if ( rc )
                    goto fail;
            }
        }

        /* Allocate a chunk's worth of anonymous output pages. */
        for ( j = 0; j < (1UL << out_chunk_order); j++ )
        {
            page = alloc_domheap_pages(h, d, exch.out.extent_order,
                                       MEMF_no_owner | memflags);
            if ( !page )
            {
                rc = -ENOMEM;
                goto fail;
            }
            page_list_add_tail(h, page, &out_chunk);
        }

        /* Beyond this point the chunk cannot fail. */
        while ( (page = page_list_remove_head(h, &in_chunk)) )
        {
            mfn_t mfn = page_to_mfn(h, page);
            unsigned long gfn = get_gpfn_from_mfn(h, mfn);

            if ( guest_physmap_remove_page(d, gfn, mfn, 0) )
                domain_crash(d, "exchange: cannot unmap a stolen page");
            free_domheap_pages(h, page, 0);
        }

        for ( j = 0; (page = page_list_remove_head(h, &out_chunk)); j++ )
        {
            mfn_t mfn;

            if ( assign_page(h, page, exch.out.extent_order, d,
                             MEMF_no_refcount) )
            {
                /* Dying: take back what was stolen but not replaced. */
                unsigned long dec = (1UL << exch.in.extent_order) *
                                    (1UL << in_chunk_order) -
                                    j * (1UL << exch.out.extent_order);
                bool drop_dom_ref;

                pthread_mutex_lock(&d->page_alloc_lock);
                drop_dom_ref = dec && !domain_adjust_tot_pages(d, -(long)dec);
                pthread_mutex_unlock(&d->page_alloc_lock);
                if ( drop_dom_ref )
                    put_domain(d);
                free_domheap_pages(h, page, exch.out.extent_order);
                goto dying;
            }
            if ( copy_from_guest_raw(c->mem, &gpfn,
                                     out_list + ((i << out_chunk_order) + j) *
                                     sizeof(gpfn), sizeof(gpfn)) )
            {
                rc = -EFAULT;
                continue;
            }
            mfn = page_to_mfn(h, page);
            if ( guest_physmap_add_page(d, gpfn, mfn, exch.out.extent_order) )
                rc = -EINVAL;
            if ( !paging_mode_translate(d) )
            {
                xen_pfn_t v = mfn_x(mfn);

                if ( copy_to_guest_raw(c->mem,
                                       out_list + ((i << out_chunk_order) + j) *
                                       sizeof(v), &v, sizeof(v)) )
                    rc = -EFAULT;
            }
        }
        if ( rc )
            goto fail;
    }

    exch.nr_exchanged = exch.in.nr_extents;
    rc = put_nr_exchanged(c, arg, &exch, rc);
    goto out;

 fail:
    /* Give back the pages stolen from this chunk. */
    while ( (page = page_list_remove_head(h, &in_chunk)) )
    {
        page_head_set(h, page, NULL, PGC_state_inuse);
        if ( assign_pages(h, page, 1, d, MEMF_no_refcount) )
            free_domheap_pages(h, page, 0);
    }
 dying:
    while ( (page = page_list_remove_head(h, &out_chunk)) )
        free_domheap_pages(h, page, exch.out.extent_order);
    exch.nr_exchanged = i << in_chunk_order;
    rc = put_nr_exchanged(c, arg, &exch, rc);
 out:
    put_domain(d);
    return rc;
}
