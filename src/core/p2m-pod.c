/*
 * p2m-pod.c - populate-on-demand (Xen 4.17's arch/x86/mm/p2m-pod.c, first
 * half): the PoD cache, set/get_pod_target, marking gfns PoD, the PoD part
 * of decrease_reservation and emptying the cache at domain death.  The
 * zero-page reclaim and the fault path are in p2m-pod-reclaim.c.
 *
 * PoD lets a toolstack build an HVM guest with more memory than it backs:
 * populate_physmap(XENMEMF_populate_on_demand) marks gfns
 * p2m_populate_on_demand (no MFN), set_pod_target fills a cache of pages
 * owned by the domain, and the first touch of a PoD gfn takes a page from
 * the cache (p2m_pod_demand_populate).  The guest's balloon driver then
 * gives back what it does not use.  With
 *   P  populated pages, T target, B balloon size (what the guest thinks it
 *   has), M max_pages:
 *   0 <= P <= T <= B <= M,  pod.entry_count == B - P,
 *   domain_tot_pages(d) == P + pod.count.
 *
 * Arithmetic, error codes and the order in which pages enter and leave
 * the cache are 4.17's.  Special pages (Xen-heap, PGC_extra) are never
 * taken into the cache, as 4.17.7 (XSA-507; 4.17.0 stole them, moving a
 * shared_info page from xenpage_list to the cache).  mark writes the p2m
 * and the count under the PoD lock together, as 4.17.4+ (4.17.0 updated
 * only the count under it).
 *
 * Errors: XENMEM_set_pod_target / get_pod_target (xenmem_pod_target_op):
 * -EFAULT (copy), -ESRCH (no domain; DOMID_SELF accepted), -EINVAL (not
 * HVM; target above max_pages), -EPERM (not the control domain), -ENOMEM
 * (cache could not grow; what was added stays).  -ERESTART never reaches
 * the caller: the op is continued with the same arguments.
 *
 * xenmm has no passthrough devices or I/O ranges, so Xen's -ENOTEMPTY
 * (has_arch_pdevs / cache_flush_permitted) never happens.
 */
#include <errno.h>

#include "core.h"
#include "hypercall.h"
#include "p2m.h"
#include "p2m-pod.h"
#include "xsm.h"

#ifndef ERESTART
#define ERESTART 85
#endif

/* ------------------------------------------------------------------ */
/* Pages.                                                               */

bool pod_is_special_mfn(const struct host *h, mfn_t mfn)
{
    struct block_view v;

    block_view(h, mfn, &v);
    return v.xen_heap || (v.count_info & PGC_extra);
}

bool pod_page_reclaimable(const struct host *h, const struct domain *d,
                          mfn_t mfn, unsigned int max_ref)
{
    struct block_view v;

    if ( !mfn_valid(h, mfn) )
        return false;
    block_view(h, mfn, &v);
    /*
     * Xen checks the owner only in debug builds (p2m_pod_cache_add); a
     * page that fails it there is lost.  xenmm checks before touching
     * the p2m, so it never gets that far.
     */
    return !v.free && v.owner == d && !v.xen_heap &&
           !(v.count_info & PGC_extra) && (v.count_info & PGC_allocated) &&
           (v.count_info & PGC_count_mask) <= max_ref;
}

bool pod_page_zero(const struct host *h, mfn_t mfn, unsigned int nwords)
{
    uint64_t off = mfn_x(mfn) << PAGE_SHIFT, s = off, run_end;
    const uint64_t *p;

    if ( !os_ram_next_data(&h->ram, &s, off + PAGE_SIZE, &run_end) )
        return true;            /* never written: a hole reads as zero */
    p = mfn_to_virt(h, mfn);
    for ( unsigned int j = 0; j < nwords; j++ )
        if ( p[j] )
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* The cache.                                                           */

/*
 * Make [m, m + 2^p) one block (pages already off every list): split a
 * larger block around it, or join the smaller blocks tiling it.  Joining
 * is sound because the range is naturally aligned and wholly d's.
 * heap_lock held (a head changes).
 */
static struct page_info *pod_form_block(struct host *h, unsigned long m,
                                        unsigned int p)
{
    unsigned int k;
    struct page_info *head = inuse_block_head_locked(h, _mfn(m), &k);

    if ( k > p )
        return split_block_onto_locked(h, _mfn(m), p, NULL);
    if ( k < p )
        head->u.inuse.order = p;    /* head is at m: m is 2^p aligned */
    return head;
}

int p2m_pod_cache_add(struct p2m_domain *p2m, mfn_t mfn, unsigned int order)
{
    struct domain *d = p2m->domain;
    struct host *h = d->host;
    unsigned long s = mfn_x(mfn), nr = 1UL << order, e = s + nr, m;
    unsigned int piece = order >= PAGE_ORDER_2M ? PAGE_ORDER_2M : PAGE_ORDER_4K;
    struct page_list_head *list = piece ? &p2m->pod.super : &p2m->pod.single;
    unsigned int k;

    /* Xen: BUG() beyond 1G; its debug build refuses the rest. */
    if ( order > PAGE_ORDER_1G || (s & (nr - 1)) || !mfn_valid(h, mfn) )
        return -EINVAL;
    for ( m = s; m < e; )
    {
        struct block_view v;

        block_view(h, _mfn(m), &v);
        if ( !pod_page_reclaimable(h, d, _mfn(m), PGC_count_mask) )
            return -EACCES;
        m = v.mfn + (1UL << v.order);
    }

    /*
     * Pages from the allocator or given back by the balloon driver need
     * not be zero, but by reclaiming zero pages PoD promises zero pages:
     * clear them (clear_domain_page).
     */
    scrub_pages(h, mfn, nr);

    /* d's lists change under its lock, the heads under heap_lock. */
    pthread_mutex_lock(&d->page_alloc_lock);
    pthread_mutex_lock(&h->heap_lock);
    /*
     * Off d->page_list.  Blocks and the range are naturally aligned, so
     * either one block holds the whole range (split it off) or the range
     * is tiled by whole blocks.
     */
    inuse_block_head_locked(h, mfn, &k);
    if ( k > order )
        split_block_onto_locked(h, mfn, order, &d->page_list);
    for ( m = s; m < e; m += 1UL << k )
        page_list_del(h, inuse_block_head_locked(h, _mfn(m), &k),
                      &d->page_list);
    /* Then onto the PoD list, in MFN order as Xen adds them. */
    for ( m = s; m < e; m += 1UL << piece )
    {
        struct page_info *pg = pod_form_block(h, m, piece);

        m2p_write(h, m, INVALID_M2P_ENTRY);
        page_list_add_tail(h, pg, list);
    }
    pthread_mutex_unlock(&h->heap_lock);
    pthread_mutex_unlock(&d->page_alloc_lock);

    p2m->pod.count += nr;
    return 0;
}

struct page_info *p2m_pod_cache_get(struct p2m_domain *p2m, unsigned int order)
{
    struct domain *d = p2m->domain;
    struct host *h = d->host;
    struct page_info *p;

    if ( order == PAGE_ORDER_2M && page_list_empty(&p2m->pod.super) )
        return NULL;

    pthread_mutex_lock(&d->page_alloc_lock);
    if ( order == PAGE_ORDER_4K && page_list_empty(&p2m->pod.single) )
    {
        unsigned long m;

        /* Break a chunk into singles (Xen: BUG if there is none). */
        p = page_list_remove_head(h, &p2m->pod.super);
        if ( !p )
        {
            pthread_mutex_unlock(&d->page_alloc_lock);
            return NULL;
        }
        m = mfn_x(page_to_mfn(h, p));
        for ( unsigned long i = 0; i < SUPERPAGE_PAGES; i++ )
            page_list_add_tail(h, split_block_onto(h, _mfn(m + i), 0, NULL),
                               &p2m->pod.single);
    }

    if ( order == PAGE_ORDER_2M )
        p = page_list_remove_head(h, &p2m->pod.super);
    else
        p = page_list_remove_head(h, &p2m->pod.single);
    p2m->pod.count -= 1L << order;

    /* Back on the domain's list: it is an ordinary page of d again. */
    page_list_add_tail(h, p, &d->page_list);
    pthread_mutex_unlock(&d->page_alloc_lock);
    return p;
}

int p2m_pod_set_cache_target(struct p2m_domain *p2m, unsigned long pod_target,
                             struct caller *c)
{
    struct domain *d = p2m->domain;
    struct host *h = d->host;

    /* Increasing the target: 2M while at least 512 are missing. */
    while ( pod_target > (unsigned long)p2m->pod.count )
    {
        struct page_info *page;
        unsigned int order;

        if ( pod_target - p2m->pod.count >= SUPERPAGE_PAGES )
            order = PAGE_ORDER_2M;
        else
            order = PAGE_ORDER_4K;
    retry:
        page = alloc_domheap_pages(h, d, order, 0);
        if ( !page )
        {
            if ( order == PAGE_ORDER_2M )
            {
                /* No superpage: singletons. */
                order = PAGE_ORDER_4K;
                goto retry;
            }
            printk(h, "p2m_pod_set_cache_target: Unable to allocate page for "
                   "PoD cache (target=%lu cache=%ld)\n",
                   pod_target, p2m->pod.count);
            return -ENOMEM;
        }

        p2m_pod_cache_add(p2m, page_to_mfn(h, page), order);

        if ( c && pod_target != (unsigned long)p2m->pod.count &&
             hypercall_preempt_check(c) )
            return -ERESTART;
    }

    /*
     * Decreasing the target: 2M only while more than 512 too many, and
     * each page freed on its own (get_page + put_page_alloc_ref +
     * put_page), so the heap sees the same frees as Xen's.
     *
     * Deviation: 4.17 checks for preemption after every page, and on
     * -ERESTART leaves the rest of a 2M chunk it took out of the cache on
     * d->page_list - owned, counted in tot_pages, mapped nowhere - until
     * the domain dies.  Only set_pod_target shrinks preemptibly, and only
     * when the cache exceeds the outstanding entries (a target raised
     * while nothing was populated, then capped once something was; debug
     * Xen ASSERTs this never happens).  xenmm checks once the block taken
     * out is freed, so preemption never changes the result.
     */
    while ( pod_target < (unsigned long)p2m->pod.count )
    {
        struct page_info *page;
        unsigned int order;
        mfn_t mfn;

        if ( p2m->pod.count - pod_target > SUPERPAGE_PAGES &&
             !page_list_empty(&p2m->pod.super) )
            order = PAGE_ORDER_2M;
        else
            order = PAGE_ORDER_4K;

        page = p2m_pod_cache_get(p2m, order);
        if ( !page )
            return -EINVAL;     /* Xen: ASSERT; the counts are wrong */
        mfn = page_to_mfn(h, page);

        for ( unsigned long i = 0; i < (1UL << order); i++ )
        {
            if ( page_owner(h, mfn_add(mfn, i)) != d )
            {
                printk(h, "Bad page free for domain %u\n", d->domain_id);
                return -EINVAL;
            }
            free_domheap_pages(h, mfn_to_page(h, mfn_add(mfn, i)), 0);
        }

        if ( c && pod_target != (unsigned long)p2m->pod.count &&
             hypercall_preempt_check(c) )
            return -ERESTART;
    }

    return 0;
}

/* ------------------------------------------------------------------ */
/* set_pod_target / get_pod_target.                                     */

/*
 * The rules (Xen's comment, in short): T' > B: cache as large as the
 * outstanding entries, the balloon driver deflates for the rest;
 * T < T' < B: grow the cache; T' < T: never shrink here - the guest may
 * still populate before its balloon driver gets there; the cache shrinks
 * as PoD ranges are given back (decrease_reservation).
 */
int p2m_pod_set_mem_target(struct domain *d, unsigned long target,
                           struct caller *c)
{
    struct p2m_domain *p2m = p2m_get_hostp2m(d);
    unsigned long populated, pod_target;
    int ret = 0;

    pod_lock(p2m);

    /* P == B: nothing to do (unless the guest is being created). */
    populated = domain_tot_pages(d) - p2m->pod.count;
    if ( populated > 0 && p2m->pod.entry_count == 0 )
        goto out;

    /* Not while the domain is torn down. */
    if ( d->is_dying )
        goto out;

    /* T' < B: do not reduce the cache; the balloon driver will. */
    if ( target < domain_tot_pages(d) )
        goto out;

    pod_target = target - populated;

    /* B < T': the cache need only cover the outstanding entries. */
    if ( populated > 0 && pod_target > (unsigned long)p2m->pod.entry_count )
        pod_target = p2m->pod.entry_count;

    /*
     * Xen ASSERTs pod_target >= count, but it can be false: a target set
     * while nothing was populated is not capped at the entries, and
     * p2m_add_page consumes entries without touching the cache.  A
     * release build then shrinks the cache here, as this does.
     */
    ret = p2m_pod_set_cache_target(p2m, pod_target, c);

 out:
    pod_unlock(p2m);
    return ret;
}

void p2m_pod_get_mem_target(struct domain *d, xen_pod_target_t *target)
{
    struct p2m_domain *p2m = p2m_get_hostp2m(d);

    pod_lock(p2m);
    pthread_mutex_lock(&d->page_alloc_lock);
    target->tot_pages = domain_tot_pages(d);
    target->pod_cache_pages = p2m->pod.count;
    target->pod_entries = p2m->pod.entry_count;
    pthread_mutex_unlock(&d->page_alloc_lock);
    pod_unlock(p2m);
}

long xenmem_pod_target_op(struct caller *c, unsigned int op, uint64_t arg)
{
    xen_pod_target_t target;
    struct domain *d;
    long rc;

    if ( copy_from_guest_raw(c->mem, &target, arg, sizeof(target)) )
        return -EFAULT;

    d = caller_domain_by_any_id(c, target.domid);
    if ( !d )
        return -ESRCH;

    if ( !is_hvm_domain(d) )
        rc = -EINVAL;
    else if ( op == XENMEM_set_pod_target )
    {
        rc = xsm_default_action(XSM_PRIV, c->d, d);
        if ( !rc && target.target_pages > d->max_pages )
            rc = -EINVAL;
        else if ( !rc )
            rc = p2m_pod_set_mem_target(d, target.target_pages, c);
    }
    else
        rc = xsm_default_action(XSM_PRIV, c->d, d);

    if ( rc == -ERESTART )
    {
        unsigned long args[2] = { op, arg };

        rc = hypercall_create_continuation(c, __HYPERVISOR_memory_op, 2, args);
    }
    else if ( rc >= 0 )
    {
        p2m_pod_get_mem_target(d, &target);
        if ( copy_to_guest_raw(c->mem, arg, &target, sizeof(target)) )
            rc = -EFAULT;
    }
    put_domain(d);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Init and death.                                                      */

void p2m_pod_init(struct p2m_domain *p2m)
{
    pthread_mutexattr_t ma;

    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&p2m->pod.lock, &ma);
    pthread_mutexattr_destroy(&ma);
    page_list_init(&p2m->pod.super);
    page_list_init(&p2m->pod.single);
    for ( unsigned int i = 0; i < POD_MRP_SIZE; i++ )
        p2m->pod.mrp.list[i] = INVALID_GFN_RAW;
    p2m->pod.mrp.idx = 0;
}

/*
 * Every cache page back on d->page_list, 2M chunks first, in list order.
 * Xen's is preemptible (-ERESTART through domain_relinquish_resources);
 * xenmm's domain_kill is not, so this runs to the end.  Taking the PoD
 * lock is Xen's spin_barrier: no PoD operation is in flight after it.
 */
void p2m_pod_empty_cache(struct domain *d)
{
    struct p2m_domain *p2m = p2m_get_hostp2m(d);
    struct host *h = d->host;
    struct page_info *pg;

    if ( !p2m )
        return;
    pod_lock(p2m);
    pthread_mutex_lock(&d->page_alloc_lock);
    while ( (pg = page_list_remove_head(h, &p2m->pod.super)) )
    {
        page_list_add_tail(h, pg, &d->page_list);
        p2m->pod.count -= SUPERPAGE_PAGES;
    }
    while ( (pg = page_list_remove_head(h, &p2m->pod.single)) )
    {
        page_list_add_tail(h, pg, &d->page_list);
        p2m->pod.count -= 1;
    }
    pthread_mutex_unlock(&d->page_alloc_lock);
    pod_unlock(p2m);
}

bool p2m_pod_active(struct domain *d)
{
    struct p2m_domain *p2m;
    bool res;

    if ( !is_hvm_domain(d) )
        return false;
    p2m = p2m_get_hostp2m(d);
    pod_lock(p2m);
    res = p2m->pod.entry_count | p2m->pod.count;
    pod_unlock(p2m);
    return res;
}

/* ------------------------------------------------------------------ */
/* Marking gfns PoD.                                                    */

static int mark_populate_on_demand(struct domain *d, unsigned long gfn,
                                   unsigned int order)
{
    struct p2m_domain *p2m = p2m_get_hostp2m(d);
    unsigned long i, n, pod_count = 0;
    int rc = 0;

    pthread_mutex_lock(&p2m->lock);

    /* Every gfn must be unused: a hole or already PoD. */
    for ( i = 0; i < (1UL << order); i += n )
    {
        p2m_type_t ot;
        unsigned int cur_order;

        p2m_get_entry(p2m, gfn + i, &ot, &cur_order);
        n = 1UL << (order < cur_order ? order : cur_order);
        if ( p2m_is_pod(ot) )
            pod_count += n;     /* replaced, so not counted twice */
        else if ( ot != p2m_invalid && ot != p2m_mmio_dm )
        {
            rc = -EBUSY;
            goto out;           /* XSA-30: the gfn lock is dropped here too */
        }
    }

    /*
     * The p2m write and the count together under the PoD lock, so nobody
     * sees entry_count 0 with PoD entries present (4.17.4+).
     */
    pod_lock(p2m);
    rc = p2m_set_entry(p2m, gfn, INVALID_MFN, order, p2m_populate_on_demand);
    if ( rc == 0 )
    {
        p2m->pod.entry_count += 1UL << order;
        p2m->pod.entry_count -= pod_count;
    }
    pod_unlock(p2m);

    if ( rc && order )
    {
        /* How much of the range changed is unknown: crash the domain. */
        printk(d->host, "d%u: marking GFN %#lx (order %u) as PoD failed: %d\n",
               d->domain_id, gfn, order, rc);
        domain_crash(d, "PoD mark failed");
    }

 out:
    pthread_mutex_unlock(&p2m->lock);
    return rc;
}

int guest_physmap_mark_populate_on_demand(struct domain *d, unsigned long gfn,
                                          unsigned int order)
{
    unsigned long left = 1UL << order;
    /*
     * One chunk order for the whole range, the largest the gfn's
     * alignment allows (XSA-388: a misaligned gfn must not be marked at
     * the extent's order).
     */
    unsigned int chunk_order = ffsl_(gfn | left) - 1;
    int rc;

    if ( !paging_mode_translate(d) )
        return -EINVAL;

    do {
        rc = mark_populate_on_demand(d, gfn, chunk_order);
        left -= 1UL << chunk_order;
        gfn += 1UL << chunk_order;
    } while ( !rc && left );

    return rc;
}

/* ------------------------------------------------------------------ */
/* decrease_reservation.                                                */

/*
 * Clear PoD entries in [gfn, +2^order) and, while the cache is short of
 * the outstanding entries, steal the RAM being freed into the cache
 * instead of freeing it.  Returns the pages dealt with: the caller's
 * guest_remove_page() finds them gone (-ENOENT).  gfn is order-aligned.
 */
static unsigned long decrease_reservation(struct domain *d, unsigned long gfn,
                                          unsigned int order)
{
    struct p2m_domain *p2m = p2m_get_hostp2m(d);
    struct host *h = d->host;
    unsigned long ret = 0, i, n;
    bool steal_for_cache;
    long pod = 0, ram = 0;

    pthread_mutex_lock(&p2m->lock);
    pod_lock(p2m);

    /* No outstanding PoD entries: let things take their course. */
    if ( p2m->pod.entry_count == 0 )
        goto out_unlock;
    if ( d->is_dying )
        goto out_unlock;

    steal_for_cache = p2m->pod.entry_count > p2m->pod.count;

    for ( i = 0; i < (1UL << order); i += n )
    {
        p2m_type_t t;
        unsigned int cur_order;
        mfn_t mfn = p2m_get_entry(p2m, gfn + i, &t, &cur_order);

        n = 1UL << (order < cur_order ? order : cur_order);
        if ( p2m_is_pod(t) )
            pod += n;
        /* 4.17.7 (XSA-507): special pages are not RAM to steal. */
        else if ( p2m_is_ram(t) &&
                  !(mfn_valid(h, mfn) && pod_is_special_mfn(h, mfn)) )
            ram += n;
    }

    /* No PoD and nothing to steal: done. */
    if ( !pod && !steal_for_cache )
        goto out_unlock;

    if ( i == (unsigned long)pod )
    {
        /* All PoD: the whole range becomes invalid. */
        int rc = p2m_set_entry(p2m, gfn, INVALID_MFN, order, p2m_invalid);

        if ( rc )
        {
            /* A partial change cannot be told apart: crash unless 4K. */
            if ( order != 0 )
            {
                printk(h, "d%u: marking GFN %#lx (order %u) as non-PoD "
                       "failed: %d\n", d->domain_id, gfn, order, rc);
                domain_crash(d, "PoD decrease_reservation failed");
            }
            goto out_unlock;
        }
        ret = 1UL << order;
        p2m->pod.entry_count -= ret;
        goto out_entry_check;
    }

    /*
     * Balloon drivers mostly give back single pages: try to take back the
     * whole 2M around them (if all zero) and mark the rest PoD.  Not for
     * 2M or more (the loop below handles those) nor when not all is RAM.
     */
    if ( steal_for_cache && order < SUPERPAGE_ORDER &&
         ram == (1L << order) &&
         p2m_pod_zero_check_superpage(p2m, gfn & ~(SUPERPAGE_PAGES - 1)) )
    {
        pod = 1L << order;
        ram = 0;
    }

    /* While there are PoD entries left, or RAM to steal. */
    for ( i = 0;
          i < (1UL << order) && (pod > 0 || (steal_for_cache && ram > 0));
          i += n )
    {
        p2m_type_t t;
        unsigned int cur_order;
        mfn_t mfn = p2m_get_entry(p2m, gfn + i, &t, &cur_order);

        if ( order < cur_order )
            cur_order = order;
        n = 1UL << cur_order;
        if ( p2m_is_pod(t) )
        {
            if ( p2m_set_entry(p2m, gfn + i, INVALID_MFN, cur_order,
                               p2m_invalid) )
            {
                domain_crash(d, "PoD decrease_reservation: p2m write failed");
                goto out_unlock;
            }
            p2m->pod.entry_count -= n;
            pod -= n;
            ret += n;
        }
        else if ( steal_for_cache && p2m_is_ram(t) )
        {
            /*
             * Stealing a whole leaf may take more than needed; the check
             * below frees the excess, possibly as smaller pages, which
             * spares the cache's superpages.
             */
            if ( !mfn_valid(h, mfn) )
                continue;       /* paged out: Xen ASSERTs it is not */
            /* XSA-507: leave special pages to the generic code. */
            if ( pod_is_special_mfn(h, mfn) )
                continue;

            if ( p2m_set_entry(p2m, gfn + i, INVALID_MFN, cur_order,
                               p2m_invalid) )
            {
                domain_crash(d, "PoD decrease_reservation: p2m write failed");
                goto out_unlock;
            }
            /*
             * Xen 4.17 clears the M2P of the first page n times (its loop
             * never adds j); the cache needs the whole range cleared, and
             * p2m_pod_cache_add does so.
             */
            p2m_pod_cache_add(p2m, mfn, cur_order);

            steal_for_cache = p2m->pod.entry_count > p2m->pod.count;
            ram -= n;
            ret += n;
        }
    }

 out_entry_check:
    /* Liabilities below assets: give the excess back. */
    if ( p2m->pod.entry_count < p2m->pod.count )
        p2m_pod_set_cache_target(p2m, p2m->pod.entry_count, NULL);

 out_unlock:
    pod_unlock(p2m);
    pthread_mutex_unlock(&p2m->lock);
    return ret;
}

unsigned long p2m_pod_decrease_reservation(struct domain *d, unsigned long gfn,
                                           unsigned int order)
{
    unsigned long left = 1UL << order, ret = 0;
    unsigned int chunk_order = ffsl_(gfn | left) - 1;   /* XSA-388 */

    do {
        ret += decrease_reservation(d, gfn, chunk_order);
        left -= 1UL << chunk_order;
        gfn += 1UL << chunk_order;
    } while ( left );

    return ret;
}
