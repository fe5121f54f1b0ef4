/*
 * p2m-pod.h - what p2m-pod.c (the cache, targets, marking, decrease
 * reservation) and p2m-pod-reclaim.c (zero-page reclaim, the sweeps,
 * demand populate) share.  Not for other files: they use p2m.h.
 *
 * The PoD cache in xenmm's frame table (mm.h describes a block by its
 * head): a 2M chunk on pod.super is one order-9 block owned by d, a page
 * on pod.single one order-0 block.  Cache blocks are allocated, owned by
 * d and counted in its tot_pages, but on none of d's page lists, and
 * their M2P entry is INVALID.  p2m_pod_cache_add() makes a range into
 * such blocks (splitting a larger block, or joining the blocks of a 2M
 * chunk whose pages came from separate allocations - Xen keeps a page_info
 * per page, so to it a "chunk" is just its first page).
 */
#ifndef XENMM_CORE_P2M_POD_H
#define XENMM_CORE_P2M_POD_H

#include "core.h"
#include "p2m.h"

#define SUPERPAGE_ORDER    PAGE_ORDER_2M
#define SUPERPAGE_PAGES    (1UL << SUPERPAGE_ORDER)
/* mrp.list: bit 63 marks a 2M entry; INVALID_GFN marks an empty slot. */
#define POD_LAST_SUPERPAGE (1UL << 63)
#define POD_MRP_SIZE       (sizeof(((struct p2m_pod *)0)->mrp.list) / \
                            sizeof(unsigned long))

static inline void pod_lock(struct p2m_domain *p2m)
{
    pthread_mutex_lock(&p2m->pod.lock);
}
static inline void pod_unlock(struct p2m_domain *p2m)
{
    pthread_mutex_unlock(&p2m->pod.lock);
}

/*
 * is_special_page: a Xen-heap page shared with the guest (shared_info,
 * grant status frames) or a PGC_extra page (vLAPIC, ioreq pages).  PoD
 * never takes one into its cache (XSA-507).  The block head carries it.
 */
bool pod_is_special_mfn(const struct host *h, mfn_t mfn);

/*
 * May this page (any page of an allocated block) be reclaimed or stolen:
 * owned by d, allocated, not special, at most max_ref references.
 */
bool pod_page_reclaimable(const struct host *h, const struct domain *d,
                          mfn_t mfn, unsigned int max_ref);

/*
 * Are the first nwords 64-bit words of the page zero?  A page the RAM
 * memfd holds no data for is zero without reading it (reading would make
 * it resident).
 */
bool pod_page_zero(const struct host *h, mfn_t mfn, unsigned int nwords);

/*
 * pod.lock held.  p2m_pod_cache_add: zero-fill [mfn, +2^order), take it
 * off d->page_list and add it as 2M chunks (order >= 9) or 4K pages
 * (order < 9).  0, or -EINVAL (misaligned, order > 1G), -EACCES (a page
 * not d's, free or special) with nothing done - Xen's debug-build checks.
 * p2m_pod_cache_get: a 2M (NULL if no chunk) or 4K block out of the
 * cache, back on d->page_list.  p2m_pod_set_cache_target: grow or shrink
 * the cache to pod_target; c != NULL makes it preemptible (-ERESTART).
 */
int p2m_pod_cache_add(struct p2m_domain *p2m, mfn_t mfn, unsigned int order);
struct page_info *p2m_pod_cache_get(struct p2m_domain *p2m, unsigned int order);
int p2m_pod_set_cache_target(struct p2m_domain *p2m, unsigned long pod_target,
                             struct caller *c);

/*
 * p2m-pod-reclaim.c, pod.lock and p2m->lock held.
 * p2m_pod_zero_check_superpage: reclaim the 2M at gfn if all zero (512)
 *   or not (0).  p2m_pod_zero_check: the same for up to 16 4K gfns.
 */
unsigned long p2m_pod_zero_check_superpage(struct p2m_domain *p2m,
                                           unsigned long gfn);
#define POD_SWEEP_STRIDE 16
void p2m_pod_zero_check(struct p2m_domain *p2m, const unsigned long *gfns,
                        unsigned int count);

#endif /* XENMM_CORE_P2M_POD_H */
