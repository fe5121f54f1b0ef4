/*
 * paging.c - the paging mempool of a translated (HVM) domain: the pages
 * its p2m and paging structures are built from (Xen 4.17's x86 mm/paging.c
 * arch_{get,set}_paging_mempool_size, hap/hap.c hap_set_allocation and
 * its shadow twin; xen-hypervisor.md §4.7).
 *
 * Pool pages are anonymous: alloc_domheap_pages(MEMF_no_owner) hands them
 * out with no owner, outside tot_pages, so they cannot use claimed memory;
 * they wait on d->paging.freelist.  Accounting, as hap.c's:
 *   total_pages  pool pages not lent to the p2m (free or otherwise in use)
 *   free_pages   pages on the free list
 *   p2m_pages    pages lent to the p2m (paging_alloc_p2m_page)
 * The size the toolstack sees is (total_pages + p2m_pages) << PAGE_SHIFT.
 *
 *  - HAP: paging_enable() gives a new domain 256 pages (1 MiB); a set
 *    asks for that many pages in all, p2m pages included.
 *  - Shadow (HVM without HAP): 1024 pages at enable, and a set never
 *    goes below sh_min_allocation() (128 per vCPU plus p2m headroom); with
 *    no shadows ever built, shrinking always succeeds.
 *  - PV: no pool; the domctls return -EOPNOTSUPP.
 * XEN_DOMCTL_shadow_op (paging_domctl, hap_domctl/shadow_domctl) is the
 * older interface to the same pool, which xenopsd still uses: its
 * SET_ALLOCATION and GET_ALLOCATION in MiB (GET rounds up, as
 * hap_get_allocation), OFF a no-op; the log-dirty and other shadow ops
 * are -EINVAL, HAP's answer (xenmm has no log-dirty mode).
 * Growing or shrinking checks for preemption after every page; a
 * preempted set returns -ERESTART and the domctl re-issues itself.
 * Teardown (domain_kill) gives every free pool page back; they are freed
 * dirty, as all anonymous pages are, and scrubbed before reuse.
 *
 * Errors: paging_enable -ENOMEM (nothing left allocated); the domctl side
 * as domctl.h says.
 */
#include <errno.h>

#include "core.h"
#include "arch_domain.h"
#include "domctl.h"

#define HAP_DEFAULT_POOL_PAGES     256    /* hap_enable() */
#define SHADOW_DEFAULT_POOL_PAGES  1024   /* shadow_enable(): "at least 4MB" */
#define PAGING_LEVELS              4      /* CONFIG_PAGING_LEVELS */

static bool paging_has_pool(const struct domain *d)
{
    return paging_mode_translate(d);
}

/* sh_min_allocation(): shadow's floor for a non-zero pool size. */
static unsigned long sh_min_allocation(const struct domain *d)
{
    unsigned long hvm = is_hvm_domain(d);
    unsigned long p2m_floor = domain_tot_pages(d) / 256;

    if ( hvm && p2m_floor < PAGING_LEVELS + 2 )
        p2m_floor = PAGING_LEVELS + 2;
    p2m_floor += hvm;
    if ( p2m_floor < d->paging.p2m_pages )
        p2m_floor = d->paging.p2m_pages;
    return d->max_vcpus * 128UL + p2m_floor;
}

/*
 * hap_set_allocation / shadow_set_allocation: make the pool hold pages
 * pages in all (p2m pages included).  Paging lock held.  With c, checks
 * for preemption after each page and sets *preempted.
 */
static int paging_set_allocation(struct domain *d, unsigned long pages,
                                 struct caller *c, bool *preempted)
{
    struct host *h = d->host;
    struct page_info *pg;

    if ( !hap_enabled(d) && pages > 0 )
    {
        unsigned long lower_bound = sh_min_allocation(d);

        if ( pages < lower_bound )
            pages = lower_bound;
    }
    if ( pages < d->paging.p2m_pages )
        pages = 0;
    else
        pages -= d->paging.p2m_pages;

    for ( ; ; )
    {
        if ( d->paging.total_pages < pages )
        {
            pg = alloc_domheap_pages(h, d, 0, MEMF_no_owner);
            if ( !pg )
                return -ENOMEM;
            d->paging.free_pages++;
            d->paging.total_pages++;
            page_list_add_tail(h, pg, &d->paging.freelist);
        }
        else if ( d->paging.total_pages > pages )
        {
            pg = page_list_remove_head(h, &d->paging.freelist);
            if ( !pg )
                return -ENOMEM;     /* the rest is in use */
            d->paging.free_pages--;
            d->paging.total_pages--;
            free_domheap_pages(h, pg, 0);
        }
        else
            break;

        if ( c && hypercall_preempt_check(c) )
        {
            *preempted = true;
            return 0;
        }
    }
    return 0;
}

int paging_enable(struct domain *d)
{
    unsigned long pages = hap_enabled(d) ? HAP_DEFAULT_POOL_PAGES
                                         : SHADOW_DEFAULT_POOL_PAGES;
    int rc = 0;

    /* Every domain passes here once, from arch_domain_create(). */
    pthread_mutex_init(&d->paging.lock, NULL);
    if ( !paging_has_pool(d) )
        return 0;

    pthread_mutex_lock(&d->paging.lock);
    if ( d->paging.total_pages == 0 &&
         (rc = paging_set_allocation(d, pages, NULL, NULL)) )
        paging_set_allocation(d, 0, NULL, NULL);
    pthread_mutex_unlock(&d->paging.lock);
    return rc;
}

void paging_teardown(struct domain *d)
{
    pthread_mutex_lock(&d->paging.lock);
    paging_set_allocation(d, 0, NULL, NULL);
    pthread_mutex_unlock(&d->paging.lock);
}

struct page_info *paging_alloc_p2m_page(struct domain *d)
{
    struct page_info *pg = NULL;

    pthread_mutex_lock(&d->paging.lock);
    /* hap_alloc(): a dying domain gets nothing more. */
    if ( !d->is_dying &&
         (pg = page_list_remove_head(d->host, &d->paging.freelist)) )
    {
        d->paging.free_pages--;
        d->paging.total_pages--;
        d->paging.p2m_pages++;
    }
    pthread_mutex_unlock(&d->paging.lock);
    if ( pg )                          /* clear_domain_page() */
        os_ram_fill(&d->host->ram,
                    (uint64_t)mfn_x(page_to_mfn(d->host, pg)) << PAGE_SHIFT,
                    PAGE_SIZE, 0);
    return pg;
}

void paging_free_p2m_page(struct domain *d, struct page_info *pg)
{
    pthread_mutex_lock(&d->paging.lock);
    d->paging.p2m_pages--;
    if ( d->is_dying )
        /* hap_free(): a dying domain's pages go straight back. */
        free_domheap_pages(d->host, pg, 0);
    else
    {
        d->paging.total_pages++;
        d->paging.free_pages++;
        page_list_add_tail(d->host, pg, &d->paging.freelist);
    }
    pthread_mutex_unlock(&d->paging.lock);
}

int arch_get_paging_mempool_size(struct domain *d, uint64_t *size)
{
    if ( is_pv_domain(d) )
        return -EOPNOTSUPP;
    pthread_mutex_lock(&d->paging.lock);
    *size = (uint64_t)(d->paging.total_pages + d->paging.p2m_pages) << PAGE_SHIFT;
    pthread_mutex_unlock(&d->paging.lock);
    return 0;
}

int arch_set_paging_mempool_size(struct caller *c, struct domain *d,
                                 uint64_t size)
{
    uint64_t pages = size >> PAGE_SHIFT;
    bool preempted = false;
    int rc;

    if ( is_pv_domain(d) )
        return -EOPNOTSUPP;
    if ( (size & (PAGE_SIZE - 1)) ||           /* not page-sized */
         pages != (unsigned int)pages )        /* overflows $X_set_allocation */
        return -EINVAL;

    pthread_mutex_lock(&d->paging.lock);
    rc = paging_set_allocation(d, pages, c, &preempted);
    pthread_mutex_unlock(&d->paging.lock);
    return preempted ? -ERESTART : rc;
}

/* hap_get_allocation / shadow_get_allocation: the pool in MiB, rounded up. */
static unsigned int paging_get_allocation_mb(struct domain *d)
{
    unsigned long pg;

    pthread_mutex_lock(&d->paging.lock);
    pg = d->paging.total_pages + d->paging.p2m_pages;
    pthread_mutex_unlock(&d->paging.lock);
    return (pg >> (20 - PAGE_SHIFT)) +
           ((pg & ((1UL << (20 - PAGE_SHIFT)) - 1)) ? 1 : 0);
}

int paging_domctl(struct caller *c, struct domain *d,
                  struct xen_domctl_shadow_op *sc)
{
    bool preempted = false;
    int rc;

    if ( d == c->d )
        return -EINVAL;                 /* "a paging op on itself" */
    if ( d->is_dying )
        return 0;                       /* ignored */
    if ( !d->vcpu || !d->vcpu[0] )
        return -EINVAL;                 /* no vCPUs */
    if ( !paging_has_pool(d) )
        return -EOPNOTSUPP;             /* xenmm: no PV shadow pool */

    switch ( sc->op )
    {
    case XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION:
        pthread_mutex_lock(&d->paging.lock);
        rc = paging_set_allocation(d, (unsigned long)sc->mb << (20 - PAGE_SHIFT),
                                   c, &preempted);
        pthread_mutex_unlock(&d->paging.lock);
        if ( preempted )
            return -ERESTART;
        sc->mb = paging_get_allocation_mb(d);
        return rc;
    case XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION:
        sc->mb = paging_get_allocation_mb(d);
        return 0;
    case XEN_DOMCTL_SHADOW_OP_OFF:
        return 0;
    default:
        return -EINVAL;
    }
}
