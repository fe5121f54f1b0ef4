/*
 * domheap.c - the domain heap and the Xen heap on top of the buddy heap
 * (the second half of Xen's page_alloc.c).
 *
 * alloc_domheap_pages tries the zones above dma_bitsize first and falls
 * back to the DMA zone unless MEMF_no_dma, then assigns the block to the
 * domain (assign_pages: Xen's max_pages checks and errnos).
 * free_domheap_pages unlinks the block and frees it, dirty if the domain
 * is dying (or scrub-domheap / debug), always dirty if anonymous.
 *
 * The Xen heap, per host option (seed 003):
 *  - unified (x86-64): alloc_xenheap_pages is a domheap allocation with no
 *    owner, no scrub, PGC_xen_heap set, restricted below xenheap_bits when
 *    RAM extends past the direct map; free_xenheap_pages frees dirty.
 *  - split (CONFIG_SEPARATE_XENHEAP): a separate pool in zone 0, allocated
 *    with MEMF_no_scrub and freed without scrubbing.
 * Xen returns a direct-map pointer; here it is the page's address in the
 * RAM mapping.
 */
#include <errno.h>

#include "core.h"

static struct page_list_head *page_to_list(struct domain *d,
                                           const struct page_info *pg)
{
    if ( pg->count_info & PGC_xen_heap )
        return &d->xenpage_list;
    if ( pg->count_info & PGC_extra )
        return &d->extra_page_list;
    return &d->page_list;
}

int assign_pages(struct host *h, struct page_info *pg, unsigned int nr,
                 struct domain *d, unsigned int memflags)
{
    int rc = 0;

    pthread_mutex_lock(&d->page_alloc_lock);

    if ( d->is_dying )
    {
        rc = -EINVAL;
        goto out;
    }

    if ( pg->count_info & PGC_extra )
    {
        d->extra_pages += nr;
        memflags &= ~MEMF_no_refcount;
    }
    else if ( !(memflags & MEMF_no_refcount) )
    {
        unsigned int tot_pages = domain_tot_pages(d);

        if ( tot_pages > d->max_pages )
        {
            rc = -EPERM;    /* inconsistent allocation */
            goto out;
        }
        if ( nr > d->max_pages - tot_pages )
        {
            rc = -E2BIG;    /* over-allocation */
            goto out;
        }
    }

    if ( !(memflags & MEMF_no_refcount) )
    {
        if ( d->tot_pages + nr < nr )
        {
            /* tot_pages would wrap (XSA-385 class). */
            if ( pg->count_info & PGC_extra )
                d->extra_pages -= nr;
            rc = -E2BIG;
            goto out;
        }
        if ( domain_adjust_tot_pages(d, nr) == nr )
            get_knownalive_domain(d);
    }

    /* The whole block takes the head's state (mm.h). */
    page_head_set(h, pg, d, (pg->count_info & PGC_extra) | PGC_allocated | 1);
    page_list_add_tail(h, pg, page_to_list(d, pg));

 out:
    pthread_mutex_unlock(&d->page_alloc_lock);
    return rc;
}

int assign_page(struct host *h, struct page_info *pg, unsigned int order,
                struct domain *d, unsigned int memflags)
{
    return assign_pages(h, pg, 1U << order, d, memflags);
}

struct page_info *alloc_domheap_pages(struct host *h, struct domain *d,
                                      unsigned int order, unsigned int memflags)
{
    struct page_info *pg = NULL;
    unsigned int bits = memflags >> _MEMF_bits, zone_hi = NR_ZONES - 1;
    unsigned int dma_zone;

    if ( !bits )
        bits = 64 + PAGE_SHIFT;   /* Xen: BITS_PER_LONG + PAGE_SHIFT */
    /* (domain_clamp_alloc_bitsize only narrows for 32-bit PV guests.) */
    if ( bits_to_zone(bits) < zone_hi )
        zone_hi = bits_to_zone(bits);

    if ( memflags & MEMF_no_owner )
        memflags |= MEMF_no_refcount;

    if ( !h->dma_bitsize )
        memflags &= ~MEMF_no_dma;
    else if ( (dma_zone = bits_to_zone(h->dma_bitsize)) < zone_hi )
        pg = alloc_heap_pages(h, dma_zone + 1, zone_hi, order, memflags, d);

    if ( pg == NULL )
    {
        if ( memflags & MEMF_no_dma )
            return NULL;
        pg = alloc_heap_pages(h, MEMZONE_XEN + 1, zone_hi, order, memflags, d);
        if ( pg == NULL )
            return NULL;
    }

    if ( d && !(memflags & MEMF_no_owner) )
    {
        if ( memflags & MEMF_no_refcount )
            page_head_flags(h, pg, 0, PGC_extra);
        if ( assign_page(h, pg, order, d, memflags) )
        {
            free_heap_pages(h, pg, order, memflags & MEMF_no_scrub);
            return NULL;
        }
    }

    return pg;
}

/* pre: pg heads an in-use block of exactly this order. */
static void free_domheap_block(struct host *h, struct page_info *pg,
                               unsigned int order)
{
    struct domain *d = page_get_owner(h, pg);
    bool drop_dom_ref = false, scrub;

    if ( is_xen_heap_page(h, pg) )
    {
        /* A Xen-heap page shared with d: unlink; Xen frees it itself. */
        if ( d )
        {
            pthread_mutex_lock(&d->page_alloc_lock);
            page_list_del(h, pg, &d->xenpage_list);
            d->xenheap_pages -= 1U << order;
            drop_dom_ref = d->xenheap_pages == 0;
            page_head_set(h, pg, NULL,
                          pg->count_info & ~(PGC_allocated | PGC_count_mask));
            pthread_mutex_unlock(&d->page_alloc_lock);
            if ( drop_dom_ref )
                put_domain(d);
        }
        return;
    }

    if ( d )
    {
        pthread_mutex_lock(&d->page_alloc_lock);
        page_list_del(h, pg, page_to_list(d, pg));
        if ( pg->count_info & PGC_extra )
            d->extra_pages -= 1U << order;
        drop_dom_ref = !domain_adjust_tot_pages(d, -(1L << order));
        /*
         * Not d's any more before d's lock goes, so nothing checking
         * ownership under it (a PV guest_remove_page) frees it twice.
         */
        page_head_set(h, pg, NULL, pg->count_info & PGC_state);
        pthread_mutex_unlock(&d->page_alloc_lock);

        /*
         * A live domain clears its own pages if it cares; after it has died
         * Xen takes responsibility for erasure.
         */
        scrub = d->is_dying || h->spec->xen.scrub_debug ||
                h->spec->xen.scrub_domheap;
    }
    else
        scrub = true;

    /* free_heap_pages() makes it a free head, under heap_lock. */
    free_heap_pages(h, pg, order, scrub);

    if ( drop_dom_ref )
        put_domain(d);
}

/*
 * Callers free what they allocated, by its order; the block may since
 * have been split (page_block.c), or pg may be part of a larger block
 * (one page of an extent).  Free exactly [pg, pg + 2^order).
 */
void free_domheap_pages(struct host *h, struct page_info *pg, unsigned int order)
{
    unsigned long m = mfn_x(page_to_mfn(h, pg)), end = m + (1UL << order);
    unsigned int k;
    struct page_info *head = inuse_block_head(h, _mfn(m), &k);

    if ( head == pg && k == order )
    {
        free_domheap_block(h, pg, order);
        return;
    }
    if ( head != pg || k > order )
    {
        free_domheap_block(h, split_domain_block(h, _mfn(m), order), order);
        return;
    }
    /* Split since allocation: free each block in the range. */
    while ( m < end )
    {
        head = inuse_block_head(h, _mfn(m), &k);
        free_domheap_block(h, head, k);
        m += 1UL << k;
    }
}

void *alloc_xenheap_pages(struct host *h, unsigned int order, unsigned int memflags)
{
    struct page_info *pg;

    if ( h->spec->xen.heap_model == HEAP_SPLIT )
    {
        pg = alloc_heap_pages(h, MEMZONE_XEN, MEMZONE_XEN, order,
                              memflags | MEMF_no_scrub, NULL);
        return pg ? mfn_to_virt(h, page_to_mfn(h, pg)) : NULL;
    }

    /* Xen-heap pages must be in the direct map: xenheap_bits caps them. */
    if ( h->xenheap_bits && (memflags >> _MEMF_bits) > h->xenheap_bits )
        memflags &= ~MEMF_bits(~0U);
    if ( !(memflags >> _MEMF_bits) )
        memflags |= MEMF_bits(h->xenheap_bits);

    pg = alloc_domheap_pages(h, NULL, order, memflags | MEMF_no_scrub);
    if ( pg == NULL )
        return NULL;
    page_head_flags(h, pg, 0, PGC_xen_heap);
    return mfn_to_virt(h, page_to_mfn(h, pg));
}

void free_xenheap_pages(struct host *h, void *v, unsigned int order)
{
    struct page_info *pg;

    if ( v == NULL )
        return;
    pg = mfn_to_page(h, virt_to_mfn(h, v));
    if ( h->spec->xen.heap_model == HEAP_SPLIT )
    {
        free_heap_pages(h, pg, order, false);
        return;
    }
    page_head_flags(h, pg, PGC_xen_heap, 0);
    free_heap_pages(h, pg, order, true);
}
