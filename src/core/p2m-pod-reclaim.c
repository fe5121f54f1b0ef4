/*
 * p2m-pod-reclaim.c - populate-on-demand, second half (Xen 4.17's
 * p2m-pod.c): the fault path (p2m_pod_demand_populate and the P2M_ALLOC
 * lookup) and getting zero pages back into the cache.
 *
 * A guest touching a PoD gfn takes a page from the cache.  When the cache
 * is short of the outstanding entries, pages the guest populated but left
 * zero are taken back first: the most recently populated gfns (the MRP
 * ring, pod_eager_reclaim), and when the cache is empty a sweep down from
 * the highest populated gfn (p2m_pod_emergency_sweep).  A zero page goes
 * back to PoD and its page to the cache, so the guest sees the same zero
 * page when it touches the gfn again.  If still nothing is there the
 * domain has overcommitted itself: "out of PoD memory" and domain_crash.
 *
 * Bounds (XSA-150): the sweep scans at least POD_SWEEP_LIMIT gfns below
 * its start and stops past that as soon as it reclaimed something (or
 * preemption is due: the fault path has no hypercall to preempt, so that
 * is never); it resumes where it stopped next time.  The eager reclaim
 * checks at most the 32 ring entries.  A p2m write failure when
 * shattering a superpage PoD entry makes the lookup fail rather than
 * retry for ever (XSA-246).
 *
 * Locks: p2m->lock (Xen's gfn lock) is held on entry to all of these;
 * demand populate takes pod.lock, the zero checks run under both.
 * Reference counts: xenmm takes no extra page references, so "mapped
 * elsewhere" (count above one) never holds; the checks are kept.
 */
#include "core.h"
#include "p2m.h"
#include "p2m-pod.h"

#define POD_SWEEP_LIMIT 1024
#define QUICK_WORDS     16                      /* first 16 longs */
#define PAGE_WORDS      (PAGE_SIZE / sizeof(uint64_t))

/* Shadow paging allows one more reference: a shadow page-table mapping. */
static unsigned int pod_max_ref(const struct domain *d)
{
    return hap_enabled(d) ? 1 : 2;
}

static unsigned int page_refs(const struct host *h, mfn_t mfn)
{
    struct block_view v;

    block_view(h, mfn, &v);
    return v.count_info & PGC_count_mask;
}

/*
 * The 2M of an aligned range of d's pages can become one block of the
 * cache only inside one node (blocks never cross nodes; Xen's per-page
 * frame table has no such limit, but its chunks are 2M-aligned RAM).
 */
static bool one_node(const struct host *h, mfn_t mfn, unsigned long nr)
{
    return mfn_to_nid(h, mfn) == mfn_to_nid(h, mfn_add(mfn, nr - 1));
}

unsigned long p2m_pod_zero_check_superpage(struct p2m_domain *p2m,
                                           unsigned long gfn)
{
    struct domain *d = p2m->domain;
    struct host *h = d->host;
    mfn_t mfn, mfn0 = INVALID_MFN;
    p2m_type_t type, type0 = p2m_ram_rw;
    unsigned int max_ref = pod_max_ref(d);
    unsigned long i, n, ret = 0;
    bool reset = false;

    if ( gfn & (SUPERPAGE_PAGES - 1) )
        return 0;

    pthread_mutex_lock(&p2m->lock);

    /*
     * All 512 entries RAM of one type, the MFNs 2M-aligned and in
     * sequence, every page d's, allocated, not special and probably not
     * mapped elsewhere.
     */
    for ( i = 0; i < SUPERPAGE_PAGES; i += n )
    {
        unsigned int cur_order;

        mfn = p2m_get_entry(p2m, gfn + i, &type, &cur_order);
        if ( !p2m_is_ram(type) )
            goto out;
        if ( i == 0 )
        {
            if ( mfn_eq(mfn, INVALID_MFN) ||
                 (mfn_x(mfn) & (SUPERPAGE_PAGES - 1)) ||
                 !one_node(h, mfn, SUPERPAGE_PAGES) )
                goto out;
            mfn0 = mfn;
            type0 = type;
        }
        else if ( type != type0 || !mfn_eq(mfn, mfn_add(mfn0, i)) )
            goto out;

        n = 1UL << (cur_order < SUPERPAGE_ORDER ? cur_order : SUPERPAGE_ORDER);
        for ( unsigned long k = 0; k < n; k++ )
            if ( !pod_page_reclaimable(h, d, mfn_add(mfn, k), max_ref) )
                goto out;
    }

    /* A quick look at each page before unmapping anything. */
    for ( i = 0; i < SUPERPAGE_PAGES; i++ )
        if ( !pod_page_zero(h, mfn_add(mfn0, i), QUICK_WORDS) )
            goto out;

    /* Unmap (mark PoD); the old mapping comes back if anything fails. */
    if ( p2m_set_entry(p2m, gfn, INVALID_MFN, PAGE_ORDER_2M,
                       p2m_populate_on_demand) )
        goto out;

    /* Nobody else may map them (grants, the device model): one ref only. */
    for ( i = 0; i < SUPERPAGE_PAGES; i++ )
        if ( page_refs(h, mfn_add(mfn0, i)) > 1 )
        {
            reset = true;
            goto out_reset;
        }

    /* Finally the full zero check. */
    for ( i = 0; i < SUPERPAGE_PAGES; i++ )
        if ( !pod_page_zero(h, mfn_add(mfn0, i), PAGE_WORDS) )
        {
            reset = true;
            goto out_reset;
        }

    /* Into the cache; the 512 PoD entries are the guest's again. */
    p2m_pod_cache_add(p2m, mfn0, PAGE_ORDER_2M);
    p2m->pod.entry_count += SUPERPAGE_PAGES;
    ret = SUPERPAGE_PAGES;

 out_reset:
    /* Cannot fail: the same order at the same gfn just succeeded. */
    if ( reset && p2m_set_entry(p2m, gfn, mfn0, PAGE_ORDER_2M, type0) )
        domain_crash(d, "PoD zero check: restoring a 2M mapping failed");
 out:
    pthread_mutex_unlock(&p2m->lock);
    return ret;
}

void p2m_pod_zero_check(struct p2m_domain *p2m, const unsigned long *gfns,
                        unsigned int count)
{
    struct domain *d = p2m->domain;
    struct host *h = d->host;
    mfn_t mfns[POD_SWEEP_STRIDE];
    p2m_type_t types[POD_SWEEP_STRIDE];
    bool cand[POD_SWEEP_STRIDE];
    unsigned int i, max_ref = pod_max_ref(d);

    if ( count > POD_SWEEP_STRIDE )
        count = POD_SWEEP_STRIDE;               /* Xen: BUG */

    /* Translate, and keep only pages that could be reclaimed. */
    for ( i = 0; i < count; i++ )
    {
        unsigned int o;

        mfns[i] = p2m_get_entry(p2m, gfns[i], &types[i], &o);
        cand[i] = p2m_is_ram(types[i]) &&
                  pod_page_reclaimable(h, d, mfns[i], max_ref);
    }

    /* Quick check, then unmap (mark PoD) those that look zero. */
    for ( i = 0; i < count; i++ )
    {
        if ( !cand[i] )
            continue;
        if ( !pod_page_zero(h, mfns[i], QUICK_WORDS) ||
             p2m_set_entry(p2m, gfns[i], INVALID_MFN, PAGE_ORDER_4K,
                           p2m_populate_on_demand) )
        {
            cand[i] = false;
            continue;
        }
        /* Mapped elsewhere after all (one ref is the allocation's)? */
        if ( page_refs(h, mfns[i]) > 1 )
        {
            cand[i] = false;
            if ( p2m_set_entry(p2m, gfns[i], mfns[i], PAGE_ORDER_4K,
                               types[i]) )
            {
                domain_crash(d, "PoD zero check: restoring a mapping failed");
                return;
            }
        }
    }

    /* Now check each page for real. */
    for ( i = 0; i < count; i++ )
    {
        if ( !cand[i] )
            continue;
        if ( !pod_page_zero(h, mfns[i], PAGE_WORDS) )
        {
            if ( p2m_set_entry(p2m, gfns[i], mfns[i], PAGE_ORDER_4K,
                               types[i]) )
            {
                domain_crash(d, "PoD zero check: restoring a mapping failed");
                return;
            }
        }
        else
        {
            /* Into the cache, and one more PoD entry. */
            p2m_pod_cache_add(p2m, mfns[i], PAGE_ORDER_4K);
            p2m->pod.entry_count++;
        }
    }
}

/*
 * Scan down from reclaim_single (max_guest the first time), zero-checking
 * RAM gfns 16 at a time.  Stop once below start - POD_SWEEP_LIMIT with
 * something reclaimed; gfn 0 is never looked at.  Zero-sum: every page
 * reclaimed is one more entry, so entry_count - count stays the same.
 */
static void p2m_pod_emergency_sweep(struct p2m_domain *p2m)
{
    unsigned long gfns[POD_SWEEP_STRIDE];
    unsigned long i, j = 0, start, limit;

    if ( p2m->pod.reclaim_single == 0 )
        p2m->pod.reclaim_single = p2m->pod.max_guest;

    start = p2m->pod.reclaim_single;
    limit = start > POD_SWEEP_LIMIT ? start - POD_SWEEP_LIMIT : 0;

    pthread_mutex_lock(&p2m->lock);
    for ( i = p2m->pod.reclaim_single; i > 0; i-- )
    {
        p2m_type_t t;
        unsigned int o;

        p2m_get_entry(p2m, i, &t, &o);
        if ( p2m_is_ram(t) )
        {
            gfns[j++] = i;
            if ( j == POD_SWEEP_STRIDE )
            {
                p2m_pod_zero_check(p2m, gfns, j);
                j = 0;
            }
        }
        /* hypercall_preempt_check() of a vCPU fault: never due here. */
        if ( i < limit && p2m->pod.count > 0 )
            break;
    }
    if ( j )
        p2m_pod_zero_check(p2m, gfns, j);
    pthread_mutex_unlock(&p2m->lock);

    p2m->pod.reclaim_single = i ? i - 1 : i;
}

/*
 * Zero-check the ring of recently populated gfns from its current slot:
 * always one entry, and more while the cache is still empty, up to all
 * 32.  A 2M entry is tried as a superpage, else page by page.
 */
static void pod_eager_reclaim(struct p2m_domain *p2m)
{
    unsigned int i = 0;

    do
    {
        unsigned int idx = (p2m->pod.mrp.idx + i++) % POD_MRP_SIZE;
        unsigned long gfn = p2m->pod.mrp.list[idx];

        if ( gfn != INVALID_GFN_RAW )
        {
            if ( gfn & POD_LAST_SUPERPAGE )
            {
                gfn &= ~POD_LAST_SUPERPAGE;
                if ( p2m_pod_zero_check_superpage(p2m, gfn) == 0 )
                    for ( unsigned long x = 0; x < SUPERPAGE_PAGES; x++ )
                    {
                        unsigned long g = gfn + x;

                        p2m_pod_zero_check(p2m, &g, 1);
                    }
            }
            else
                p2m_pod_zero_check(p2m, &gfn, 1);
            p2m->pod.mrp.list[idx] = INVALID_GFN_RAW;
        }
    } while ( p2m->pod.count == 0 && i < POD_MRP_SIZE );
}

static void pod_eager_record(struct p2m_domain *p2m, unsigned long gfn,
                             unsigned int order)
{
    p2m->pod.mrp.list[p2m->pod.mrp.idx++] =
        gfn | (order == PAGE_ORDER_2M ? POD_LAST_SUPERPAGE : 0);
    p2m->pod.mrp.idx %= POD_MRP_SIZE;
}

bool p2m_pod_demand_populate(struct p2m_domain *p2m, unsigned long gfn,
                             unsigned int order, const struct domain *curr)
{
    struct domain *d = p2m->domain;
    struct host *h = d->host;
    unsigned long gfn_aligned = (gfn >> order) << order;
    struct page_info *p;
    mfn_t mfn;

    pod_lock(p2m);

    /*
     * Checked under the PoD lock: p2m_pod_empty_cache cannot start until
     * this is done, even if is_dying changes now.
     */
    if ( d->is_dying )
    {
        pod_unlock(p2m);
        return false;
    }

    /*
     * No 1G cache list: remap the 1G as 2M PoD entries and retry.  One
     * 2M write shatters the 1G leaf into 512 2M ones.
     */
    if ( order == PAGE_ORDER_1G )
    {
        pod_unlock(p2m);
        return !p2m_set_entry(p2m, gfn_aligned, INVALID_MFN, PAGE_ORDER_2M,
                              p2m_populate_on_demand);
    }

    /* Reclaim only when the cache really is short. */
    if ( p2m->pod.entry_count > p2m->pod.count )
        pod_eager_reclaim(p2m);

    /* Sweep only when out of memory: it is slow and splits superpages. */
    if ( p2m->pod.count == 0 )
        p2m_pod_emergency_sweep(p2m);

    if ( p2m->pod.count == 0 )
        goto out_of_memory;

    /* The highest gfn the guest has demand-populated. */
    if ( gfn > p2m->pod.max_guest )
        p2m->pod.max_guest = gfn;

    /* NULL: no 2M chunk; mark this 2M as 4K PoD and retry. */
    p = p2m_pod_cache_get(p2m, order);
    if ( !p )
        goto remap_and_retry;
    mfn = page_to_mfn(h, p);

    if ( p2m_set_entry(p2m, gfn_aligned, mfn, order, p2m_ram_rw) )
    {
        p2m_pod_cache_add(p2m, mfn, order);
        pod_unlock(p2m);
        return false;
    }
    set_gpfn_from_mfn(h, mfn, order, gfn_aligned);
    p2m->pod.entry_count -= 1L << order;
    pod_eager_record(p2m, gfn_aligned, order);
    pod_unlock(p2m);
    return true;

 out_of_memory:
    pod_unlock(p2m);
    printk(h, "p2m_pod_demand_populate: Dom%u out of PoD memory! "
           "(tot=%u ents=%ld dom%u)\n", d->domain_id, domain_tot_pages(d),
           p2m->pod.entry_count, curr ? curr->domain_id : d->domain_id);
    domain_crash(d, "out of PoD memory");
    return false;

 remap_and_retry:
    pod_unlock(p2m);
    /* One 4K write shatters the 2M PoD leaf, as for 1G above. */
    return !p2m_set_entry(p2m, gfn_aligned, INVALID_MFN, PAGE_ORDER_4K,
                          p2m_populate_on_demand);
}

mfn_t p2m_get_entry_alloc(struct p2m_domain *p2m, unsigned long gfn,
                          p2m_type_t *t, unsigned int *page_order,
                          const struct domain *curr)
{
    for ( ; ; )
    {
        mfn_t mfn = p2m_get_entry(p2m, gfn, t, page_order);

        if ( !p2m_is_pod(*t) )
            return mfn;
        /*
         * Populate at the order of the PoD leaf and look again: at most
         * 1G -> 2M -> 4K -> RAM, since each true return changes the leaf.
         */
        if ( !p2m_pod_demand_populate(p2m, gfn, *page_order, curr) )
        {
            *t = p2m_mmio_dm;
            return INVALID_MFN;
        }
    }
}
