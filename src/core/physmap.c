/*
 * physmap.c - adding and removing guest physmap entries (x86
 * mm/physmap.c and p2m.c's p2m_add_page / p2m_remove_entry), as 4.17.
 *
 * PV domains have no p2m here: adding sets the M2P only, removing does
 * nothing.  For translated domains, adding over a mapped gfn orphans the
 * old page (its M2P entry is cleared; it stays allocated and counted),
 * adding over PoD entries consumes them, and adding an MFN the domain
 * already has mapped elsewhere removes that other mapping.
 *
 * A dying domain gets nothing added (-ENOMEM for a translated one, as
 * Xen's p2m fails to get a table from a dying domain's pool; nothing for
 * PV): domain_kill frees its pages without the p2m lock once the p2m is
 * torn down, so an M2P entry written after that could land on a page
 * already someone else's.  The check is made under the p2m lock (PV:
 * page_alloc_lock), which the teardown (PV: the relinquish) waits for.
 */
#include <errno.h>

#include "core.h"
#include "p2m.h"

/* Visit each p2m leaf piece overlapping [gfn, gfn + nr): g, its length n. */
#define for_each_piece(p2m, gfn, nr, g, n, omfn, ot)                       \
    for ( unsigned long g = (gfn), _end = (gfn) + (nr), n = 0;             \
          g < _end && ((omfn) = piece_at(p2m, g, _end, &(ot), &n), 1);    \
          g += n )

/* The entry at g and how many pages from g it covers, up to end. */
static mfn_t piece_at(struct p2m_domain *p2m, unsigned long g,
                      unsigned long end, p2m_type_t *t, unsigned long *n)
{
    unsigned int order;
    mfn_t mfn = p2m_get_entry(p2m, g, t, &order);
    unsigned long leaf_end = (g | ((1UL << order) - 1)) + 1;

    *n = (leaf_end < end ? leaf_end : end) - g;
    return mfn;
}

/*
 * fresh: mfn heads a block of exactly page_order that was just allocated
 * to d (populate_physmap), so its M2P entry is invalid and it is mapped
 * nowhere: pass 2 has nothing to find and the M2P is one write.  This only
 * skips work whose outcome is known; the result is the same.
 */
static int p2m_add_page(struct domain *d, unsigned long gfn, mfn_t mfn,
                        unsigned int page_order, p2m_type_t t, bool fresh)
{
    struct host *h = d->host;
    struct p2m_domain *p2m = p2m_get_hostp2m(d);
    unsigned long nr = 1UL << page_order, pod_count = 0, i;
    p2m_type_t ot;
    mfn_t omfn;
    int rc;

    if ( p2m_is_foreign(t) )
        return -EINVAL;
    if ( !mfn_valid(h, mfn) || t == p2m_mmio_direct )
        return -EINVAL;

    pthread_mutex_lock(&p2m->lock);
    if ( d->is_dying )
    {
        pthread_mutex_unlock(&p2m->lock);
        return -ENOMEM;
    }

    /* First, remove m->p mappings for existing p->m mappings. */
    for_each_piece ( p2m, gfn, nr, g, n, omfn, ot )
    {
        if ( p2m_is_special(ot) )
        {
            pthread_mutex_unlock(&p2m->lock);
            printk(h, "d%u: GFN %#lx (%#lx,%u) -> (%#lx,%u) not permitted\n",
                   d->domain_id, g, mfn_x(omfn), ot,
                   mfn_x(mfn) + (g - gfn), t);
            domain_crash(d, "p2m_add_page over a special entry");
            return -EPERM;
        }
        if ( p2m_is_ram(ot) && ot != p2m_ram_paged &&
             !mfn_eq(omfn, INVALID_MFN) )
            m2p_set_range(h, omfn, n, INVALID_M2P_ENTRY);
        else if ( p2m_is_pod(ot) )
            pod_count += n;
        else if ( p2m_is_paging(ot) && ot != p2m_ram_paging_out )
            p2m->paged_pages -= n;
    }

    /* Then, look for m->p mappings for this range and deal with them. */
    for ( i = fresh ? nr : 0; i < nr; )
    {
        mfn_t m = _mfn(mfn_x(mfn) + i);
        struct block_view v;
        unsigned long run, ogfn;

        block_view(h, m, &v);
        run = v.mfn + (1UL << v.order) - mfn_x(m);
        if ( run > nr - i )
            run = nr - i;
        if ( v.free || v.owner != d || v.m2p == INVALID_M2P_ENTRY )
        {
            i += run;                   /* nothing mapped elsewhere */
            continue;
        }
        ogfn = v.m2p + (mfn_x(m) - v.mfn);
        if ( ogfn != INVALID_M2P_ENTRY && ogfn != gfn + i )
        {
            unsigned int oo;

            omfn = p2m_get_entry(p2m, ogfn, &ot, &oo);
            if ( p2m_is_ram(ot) && ot != p2m_ram_paged &&
                 mfn_eq(omfn, m) &&
                 (rc = p2m_remove_entry(p2m, ogfn, omfn, 0)) )
                goto out;
        }
        i++;
    }

    /* Now, actually do the two-way mapping. */
    rc = p2m_set_entry(p2m, gfn, mfn, page_order, t);
    if ( !rc )
    {
        if ( fresh )
            m2p_write(h, mfn_x(mfn), gfn);
        else if ( !p2m_is_grant(t) )
            set_gpfn_from_mfn(h, mfn, page_order, gfn);
    }
    else
    {
        /*
         * Partial success: the M2P follows what did get mapped, PoD
         * entries still there are not consumed, and pages the failed part
         * still maps get back the M2P entry pass 1 cleared (XSA-389).
         */
        for ( i = 0; i < nr; i++ )
        {
            unsigned int oo;

            omfn = p2m_get_entry(p2m, gfn + i, &ot, &oo);
            if ( p2m_is_pod(ot) )
                pod_count--;
            else if ( mfn_eq(omfn, _mfn(mfn_x(mfn) + i)) && ot == t &&
                      !p2m_is_grant(t) )
                set_gpfn_from_mfn(h, omfn, 0, gfn + i);
            else if ( p2m_is_ram(ot) && ot != p2m_ram_paged &&
                      mfn_valid(h, omfn) )
                set_gpfn_from_mfn(h, omfn, 0, gfn + i);
        }
    }

    if ( pod_count )
    {
        pthread_mutex_lock(&p2m->pod.lock);
        p2m->pod.entry_count -= pod_count;
        pthread_mutex_unlock(&p2m->pod.lock);
    }
 out:
    pthread_mutex_unlock(&p2m->lock);
    return rc;
}

/*
 * PV: only the M2P (the IOMMU type-ref dance does not apply), written
 * under d's page_alloc_lock while the pages are still d's: a concurrent
 * decrease_reservation or domain_kill frees them under that lock.
 */
static void pv_physmap_add(struct domain *d, unsigned long gfn, mfn_t mfn,
                           unsigned int page_order, bool fresh)
{
    struct host *h = d->host;

    pthread_mutex_lock(&d->page_alloc_lock);
    if ( !d->is_dying && page_owner(h, mfn) == d )
    {
        if ( fresh )
            m2p_write(h, mfn_x(mfn), gfn);
        else
            set_gpfn_from_mfn(h, mfn, page_order, gfn);
    }
    pthread_mutex_unlock(&d->page_alloc_lock);
}

int guest_physmap_add_entry(struct domain *d, unsigned long gfn, mfn_t mfn,
                            unsigned int page_order, p2m_type_t t)
{
    if ( !paging_mode_translate(d) )
    {
        pv_physmap_add(d, gfn, mfn, page_order, false);
        return 0;
    }
    return p2m_add_page(d, gfn, mfn, page_order, t, false);
}

int guest_physmap_add_fresh(struct domain *d, unsigned long gfn,
                            struct page_info *pg, unsigned int page_order)
{
    mfn_t mfn = page_to_mfn(d->host, pg);

    if ( !paging_mode_translate(d) )
    {
        pv_physmap_add(d, gfn, mfn, page_order, true);
        return 0;
    }
    return p2m_add_page(d, gfn, mfn, page_order, p2m_ram_rw, true);
}

int p2m_remove_entry(struct p2m_domain *p2m, unsigned long gfn, mfn_t mfn,
                     unsigned int page_order)
{
    struct host *h = p2m->domain->host;
    unsigned long nr = 1UL << page_order;
    p2m_type_t t;
    mfn_t omfn;
    int rc;

    for_each_piece ( p2m, gfn, nr, g, n, omfn, t )
    {
        if ( p2m_is_valid(t) &&
             (!mfn_valid(h, mfn) || t == p2m_mmio_direct ||
              !mfn_eq(omfn, _mfn(mfn_x(mfn) + (g - gfn)))) )
            return -EILSEQ;
    }

    if ( mfn_valid(h, mfn) )
        for_each_piece ( p2m, gfn, nr, g, n, omfn, t )
        {
            if ( !p2m_is_special(t) && t != p2m_ram_shared )
                m2p_set_range(h, _mfn(mfn_x(mfn) + (g - gfn)), n,
                              INVALID_M2P_ENTRY);
        }

    rc = p2m_set_entry(p2m, gfn, INVALID_MFN, page_order, p2m_invalid);
    if ( !rc || !mfn_valid(h, mfn) )
        return rc;

    /* Partial failure: restore the M2P of what is still mapped. */
    for ( unsigned long i = 0; i < nr; i++ )
    {
        unsigned int oo;

        omfn = p2m_get_entry(p2m, gfn + i, &t, &oo);
        if ( !p2m_is_hole(t) && !p2m_is_special(t) && t != p2m_ram_shared )
            set_gpfn_from_mfn(h, _mfn(mfn_x(mfn) + i), 0, gfn + i);
    }
    return rc;
}

int guest_physmap_remove_page(struct domain *d, unsigned long gfn, mfn_t mfn,
                              unsigned int page_order)
{
    struct p2m_domain *p2m = p2m_get_hostp2m(d);
    int rc;

    if ( !paging_mode_translate(d) )
        return 0;
    pthread_mutex_lock(&p2m->lock);
    rc = p2m_remove_entry(p2m, gfn, mfn, page_order);
    pthread_mutex_unlock(&p2m->lock);
    return rc;
}

unsigned long domain_get_maximum_gpfn(struct domain *d)
{
    if ( is_hvm_domain(d) )
    {
        struct p2m_domain *p2m = p2m_get_hostp2m(d);
        unsigned long max;

        /* Grows under the p2m lock while a populate runs. */
        pthread_mutex_lock(&p2m->lock);
        max = p2m->max_mapped_pfn;
        pthread_mutex_unlock(&p2m->lock);
        return max;
    }
    /* PV: (arch.pv.max_pfn ?: 1) - 1; xenmm keeps no PV max_pfn. */
    return 0;
}
