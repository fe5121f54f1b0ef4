/*
 * page_alloc.c - Xen's buddy heap (xen/common/page_alloc.c, Xen 4.17).
 *
 * The heap is, per NUMA node, an array of free lists heap(node, zone,
 * order): zone z holds MFNs in [2^(z-1), 2^z), orders 0..MAX_ORDER (18).
 * Everything here follows 4.17's algorithms step for step, because the
 * order of the lists decides which MFNs a caller gets back:
 *
 *  - a clean buddy goes on the head of its list, a dirty one on the tail;
 *    allocation pops the head (page_list_add_scrub);
 *  - get_free_buddy searches the requested node, then the domain's node
 *    affinity round-robin from last_alloc_node, then the other nodes,
 *    zones high to low, smallest sufficient order first, taking a dirty
 *    buddy only at order 0 or with MEMF_no_scrub;
 *  - alloc_heap_pages retries once accepting dirty buddies, splits handing
 *    back the upper half and keeping the lower on the free list, then
 *    scrubs the dirty pages after dropping heap_lock;
 *  - free_heap_pages merges with buddies of the same order on the same
 *    node, combining first_dirty as Xen does.
 *
 * Only block heads are written (mm.h explains the frame table).  Claims
 * follow 4.17 (domain_adjust_tot_pages), with a 4.21 policy option, and a
 * per-node claim beyond 4.17 (docs/claims.md).
 *
 * Locks: heap_lock (host) protects the lists and counters here;
 * d->page_alloc_lock protects d's page counts.  Order: page_alloc_lock
 * first.
 */
#include <errno.h>
#include <string.h>

#include "core.h"

/* ------------------------------------------------------------------ */
/* The dirty bitmap of mixed free blocks.                              */

#define BITS_PER_LONG 64

static inline bool bm_test(const unsigned long *bm, unsigned long i)
{
    return (bm[i / BITS_PER_LONG] >> (i % BITS_PER_LONG)) & 1;
}

static void bm_assign(unsigned long *bm, unsigned long s, unsigned long n,
                      bool val)
{
    unsigned long e = s + n;

    while ( s < e && (s % BITS_PER_LONG) )
    {
        if ( val )
            bm[s / BITS_PER_LONG] |= 1UL << (s % BITS_PER_LONG);
        else
            bm[s / BITS_PER_LONG] &= ~(1UL << (s % BITS_PER_LONG));
        s++;
    }
    if ( e - s >= BITS_PER_LONG )
    {
        unsigned long words = (e - s) / BITS_PER_LONG;

        memset(&bm[s / BITS_PER_LONG], val ? 0xff : 0, words * sizeof(long));
        s += words * BITS_PER_LONG;
    }
    while ( s < e )
    {
        if ( val )
            bm[s / BITS_PER_LONG] |= 1UL << (s % BITS_PER_LONG);
        else
            bm[s / BITS_PER_LONG] &= ~(1UL << (s % BITS_PER_LONG));
        s++;
    }
}

static unsigned long bm_count(const unsigned long *bm, unsigned long s,
                              unsigned long n)
{
    unsigned long e = s + n, cnt = 0;

    while ( s < e && (s % BITS_PER_LONG) )
        cnt += bm_test(bm, s++);
    for ( ; s + BITS_PER_LONG <= e; s += BITS_PER_LONG )
        cnt += __builtin_popcountl(bm[s / BITS_PER_LONG]);
    while ( s < e )
        cnt += bm_test(bm, s++);
    return cnt;
}

/* Number of truly dirty pages in the free block headed by head. */
unsigned long block_dirty_count(const struct host *h,
                                const struct page_info *head,
                                unsigned int order)
{
    unsigned long fd = head->u.free.first_dirty;

    if ( fd == INVALID_DIRTY_IDX )
        return 0;
    if ( !head->u.free.mixed )
        return (1UL << order) - fd;
    return bm_count(h->dirty_bitmap, mfn_x(page_to_mfn(h, head)) + fd,
                    (1UL << order) - fd);
}

/* Is page idx of the free block headed by head dirty (PGC_need_scrub)? */
bool block_page_dirty(const struct host *h, const struct page_info *head,
                      unsigned long idx)
{
    unsigned long fd = head->u.free.first_dirty;

    if ( fd == INVALID_DIRTY_IDX || idx < fd )
        return false;
    if ( !head->u.free.mixed )
        return true;
    return bm_test(h->dirty_bitmap, mfn_x(page_to_mfn(h, head)) + idx);
}

/*
 * Write a free half-block's true dirty set into the bitmap, so that it can
 * become part of a mixed block.  Bits below first_dirty are stale for a
 * mixed block and are cleared here, because they will lie inside the
 * merged block's [first_dirty, end).
 */
static void block_materialise(struct host *h, struct page_info *pg,
                              unsigned int order)
{
    unsigned long mfn = mfn_x(page_to_mfn(h, pg)), n = 1UL << order;
    unsigned long fd = pg->u.free.first_dirty;

    if ( fd == INVALID_DIRTY_IDX )
    {
        bm_assign(h->dirty_bitmap, mfn, n, false);
        return;
    }
    bm_assign(h->dirty_bitmap, mfn, fd, false);
    if ( !pg->u.free.mixed )
        bm_assign(h->dirty_bitmap, mfn + fd, n - fd, true);
}

/*
 * Combine the dirty state of two free buddies of the given order into the
 * lower one, which becomes the head of the merged block.  first_dirty
 * follows Xen exactly; the true set stays uniform where it can.
 */
static void merge_dirty(struct host *h, struct page_info *lo,
                        struct page_info *hi, unsigned int order)
{
    unsigned int half = 1U << order;
    unsigned int lfd = lo->u.free.first_dirty, hfd = hi->u.free.first_dirty;

    if ( lfd == INVALID_DIRTY_IDX )
    {
        if ( hfd != INVALID_DIRTY_IDX )
        {
            /* Xen: predecessor clean, successor dirty. */
            lo->u.free.first_dirty = half + hfd;
            lo->u.free.mixed = hi->u.free.mixed;
            if ( hi->u.free.mixed )
                block_materialise(h, hi, order);
        }
        return;
    }

    /* The lower half is dirty: Xen keeps its first_dirty. */
    if ( !lo->u.free.mixed && hfd == 0 && !hi->u.free.mixed )
        return;   /* dirty from lfd to the end: still uniform */

    block_materialise(h, lo, order);
    block_materialise(h, hi, order);
    lo->u.free.mixed = 1;
}

/* Pages needing a scrub are added to the tail, otherwise to the head. */
void page_list_add_scrub(struct host *h, struct page_info *pg,
                         unsigned int node, unsigned int zone,
                         unsigned int order, unsigned int first_dirty)
{
    PFN_ORDER(pg) = order;
    pg->u.free.first_dirty = first_dirty;
    pg->u.free.scrub_state = BUDDY_NOT_SCRUBBING;
    if ( first_dirty == INVALID_DIRTY_IDX )
    {
        pg->u.free.mixed = 0;
        page_list_add(h, pg, &heap(h, node, zone, order));
    }
    else
        page_list_add_tail(h, pg, &heap(h, node, zone, order));
}

/* ------------------------------------------------------------------ */
/* Zones.                                                              */

/* Split model: the fixed xenheap region (Arm32's xenheap_mfn_start/end). */
bool in_xenheap_region(const struct host *h, mfn_t mfn)
{
    return mfn_x(mfn) >= h->xenheap_mfn_start && mfn_x(mfn) < h->xenheap_mfn_end;
}

bool is_xen_heap_page(const struct host *h, const struct page_info *pg)
{
    if ( h->spec->xen.heap_model == HEAP_SPLIT )
        return in_xenheap_region(h, page_to_mfn(h, pg));
    return pg->count_info & PGC_xen_heap;
}

bool is_xen_heap_mfn(const struct host *h, mfn_t mfn)
{
    return mfn_valid(h, mfn) && is_xen_heap_page(h, mfn_to_page(h, mfn));
}

unsigned int page_to_zone(const struct host *h, const struct page_info *pg)
{
    unsigned int fls_mfn;

    if ( is_xen_heap_page(h, pg) )
        return MEMZONE_XEN;
    fls_mfn = flsl(mfn_x(page_to_mfn(h, pg)));
    return fls_mfn ? fls_mfn : 1;
}

/* ------------------------------------------------------------------ */
/* get_free_buddy and alloc_heap_pages.                                */

static inline unsigned int first_node(nodemask_t m)
{
    return m ? (unsigned int)__builtin_ctzll(m) : MAX_NUMNODES;
}

static inline unsigned int next_node(unsigned int n, nodemask_t m)
{
    if ( n + 1 >= MAX_NUMNODES )
        return MAX_NUMNODES;
    m &= ~0ULL << (n + 1);
    return first_node(m);
}

static inline bool node_isset(unsigned int n, nodemask_t m)
{
    return n < MAX_NUMNODES && ((m >> n) & 1);
}

/* Next node in the mask after n, wrapping (Xen's cycle_node). */
static inline unsigned int cycle_node(unsigned int n, nodemask_t m)
{
    unsigned int nn = next_node(n, m);

    return nn >= MAX_NUMNODES ? first_node(m) : nn;
}

/*
 * Beyond 4.17: memory claimed on a node is unavailable there unless the
 * request is a refcounted one from the domain holding that node's claim
 * and its claim covers the whole request (the same test 4.17 applies
 * host-wide in alloc_heap_pages).
 */
static bool node_claim_blocks(const struct host *h, unsigned int node,
                              unsigned long request, unsigned int memflags,
                              const struct domain *d)
{
    unsigned long claimed = h->node_outstanding_claims[node];

    if ( !claimed || claimed + request <= h->node_avail_pages[node] )
        return false;
    return (memflags & MEMF_no_refcount) || !d || d->claim_node != node ||
           d->outstanding_pages < request;
}

struct page_info *get_free_buddy(struct host *h, unsigned int zone_lo,
                                 unsigned int zone_hi, unsigned int order,
                                 unsigned int memflags, const struct domain *d)
{
    nodeid_t req_node = MEMF_get_node(memflags);
    unsigned int first, node = req_node;
    nodemask_t nodemask = h->node_online_map;
    unsigned int j, zone, nodemask_retry = 0;
    bool use_unscrubbed = memflags & MEMF_no_scrub;
    struct page_info *pg;

    /* d->node_affinity may name offline nodes: clamp it. */
    if ( d && (nodemask & d->node_affinity) )
        nodemask &= d->node_affinity;

    if ( node == NUMA_NO_NODE )
    {
        if ( d != NULL )
            node = cycle_node(d->last_alloc_node, nodemask);
        if ( node >= MAX_NUMNODES )
            node = h->cpu0_node;
    }
    else if ( node >= MAX_NUMNODES )
        return NULL;
    first = node;

    /*
     * Start with the requested node, and exhaust all of its memory in the
     * requested zones before moving on.
     */
    for ( ; ; )
    {
        if ( h->_heap[node] &&
             !node_claim_blocks(h, node, 1UL << order, memflags, d) )
        {
            zone = zone_hi;
            do {
                if ( h->avail[node][zone] < (1UL << order) )
                    continue;

                /* Find the smallest order which can satisfy the request. */
                for ( j = order; j <= MAX_ORDER; j++ )
                {
                    pg = page_list_remove_head(h, &heap(h, node, zone, j));
                    if ( !pg )
                        continue;
                    if ( pg->u.free.first_dirty == INVALID_DIRTY_IDX )
                        return pg;
                    /*
                     * Single pages are taken even if unscrubbed: scrubbing
                     * one is quick, breaking up a larger order is not.
                     */
                    if ( order == 0 || use_unscrubbed )
                    {
                        check_and_stop_scrub(h, pg);
                        return pg;
                    }
                    page_list_add_tail(h, pg, &heap(h, node, zone, j));
                }
            } while ( zone-- > zone_lo ); /* careful: unsigned zone may wrap */
        }

        if ( (memflags & MEMF_exact_node) && req_node != NUMA_NO_NODE )
            return NULL;

        /* Pick the next node. */
        if ( !node_isset(node, nodemask) )
        {
            /* The very first node may be caller-specified, outside the mask. */
            first = node = first_node(nodemask);
            if ( node < MAX_NUMNODES )
                continue;
        }
        else if ( (node = next_node(node, nodemask)) >= MAX_NUMNODES )
            node = first_node(nodemask);
        if ( node == first )
        {
            /* Tried everything in the mask: fall back to the others. */
            if ( (memflags & MEMF_exact_node) || nodemask_retry++ )
                return NULL;
            nodemask = h->node_online_map & ~nodemask;
            first = node = first_node(nodemask);
            if ( node >= MAX_NUMNODES )
                return NULL;
        }
    }
}

/* Scrub the truly dirty pages of a block we own; returns how many. */
/*
 * Page idx of a mixed block we own: dirty?  A block of 64 pages or more
 * has whole bitmap words to itself; a smaller one shares its word with
 * neighbours whose merges rewrite it under heap_lock, so the caller took
 * a copy (word) while it still held the lock.
 */
static bool owned_page_dirty(const struct host *h, unsigned long mfn,
                             unsigned int order, unsigned long word)
{
    if ( order < 6 )
        return (word >> (mfn % BITS_PER_LONG)) & 1;
    return bm_test(h->dirty_bitmap, mfn);
}

static unsigned long scrub_block(struct host *h, struct page_info *pg,
                                 unsigned int order, unsigned int first_dirty,
                                 bool mixed, unsigned long word, bool do_scrub)
{
    unsigned long mfn = mfn_x(page_to_mfn(h, pg)), n = 1UL << order;
    unsigned long i, cnt = 0;

    if ( first_dirty == INVALID_DIRTY_IDX )
        return 0;
    if ( !mixed )
    {
        if ( do_scrub )
            scrub_pages(h, _mfn(mfn + first_dirty), n - first_dirty);
        return n - first_dirty;
    }
    for ( i = first_dirty; i < n; )
    {
        unsigned long s;

        if ( !owned_page_dirty(h, mfn + i, order, word) )
        {
            i++;
            continue;
        }
        for ( s = i; i < n && owned_page_dirty(h, mfn + i, order, word); i++ )
            ;
        if ( do_scrub )
            scrub_pages(h, _mfn(mfn + s), i - s);
        cnt += i - s;
    }
    return cnt;
}

struct page_info *alloc_heap_pages(struct host *h, unsigned int zone_lo,
                                   unsigned int zone_hi, unsigned int order,
                                   unsigned int memflags, struct domain *d)
{
    unsigned int node, zone, buddy_order, first_dirty;
    unsigned long request = 1UL << order, dirty_cnt, word;
    struct page_info *pg;
    bool mixed;

    if ( order > MAX_ORDER || zone_lo > zone_hi || zone_hi >= NR_ZONES )
        return NULL;

    pthread_mutex_lock(&h->heap_lock);

    /*
     * Claimed memory is considered unavailable unless the request is made
     * by a domain with sufficient unclaimed pages.
     */
    if ( (h->outstanding_claims + (long)request > h->total_avail_pages) &&
         ((memflags & MEMF_no_refcount) || !d ||
          d->outstanding_pages < request) )
    {
        pthread_mutex_unlock(&h->heap_lock);
        return NULL;
    }

    pg = get_free_buddy(h, zone_lo, zone_hi, order, memflags, d);
    /* Try getting a dirty buddy if we couldn't get a clean one. */
    if ( !pg && !(memflags & MEMF_no_scrub) )
        pg = get_free_buddy(h, zone_lo, zone_hi, order,
                            memflags | MEMF_no_scrub, d);
    if ( !pg )
    {
        pthread_mutex_unlock(&h->heap_lock);
        return NULL;
    }

    /* Reference count must continuously be zero for free pages. */
    if ( pg->count_info != PGC_state_free )
        __builtin_trap();   /* Xen: BUG() on a corrupt free page */

    node = page_to_nid(h, pg);
    zone = page_to_zone(h, pg);
    buddy_order = PFN_ORDER(pg);
    first_dirty = pg->u.free.first_dirty;
    mixed = pg->u.free.mixed;

    /* Halve the chunk as often as needed, keeping the lower halves free. */
    while ( buddy_order != order )
    {
        unsigned int lo_dirty;

        buddy_order--;
        lo_dirty = (1U << buddy_order) > first_dirty ? first_dirty
                                                     : INVALID_DIRTY_IDX;
        /* The lower half gets a head of its own (its entry may be stale). */
        pg->count_info = PGC_state_free;
        page_list_add_scrub(h, pg, node, zone, buddy_order, lo_dirty);
        pg->u.free.mixed = lo_dirty != INVALID_DIRTY_IDX && mixed;
        pg += 1U << buddy_order;

        if ( first_dirty != INVALID_DIRTY_IDX )
        {
            if ( first_dirty >= 1U << buddy_order )
                first_dirty -= 1U << buddy_order;
            else
                first_dirty = 0; /* We've moved past the original first_dirty. */
        }
    }

    h->avail[node][zone] -= request;
    h->node_avail_pages[node] -= request;
    h->total_avail_pages -= request;

    /*
     * Beyond 4.17: a node claim is used up as memory leaves the heap for its
     * holder (as Xen 4.22 consumes claims), whichever node the memory came
     * from: the claim check above let the holder dip into claimed memory,
     * so the claim must shrink by as much or claims would exceed free
     * memory.  The reservation on the claimed node shrinks with it.
     */
    if ( d && d->outstanding_pages && d->claim_node != NUMA_NO_NODE &&
         !(memflags & MEMF_no_refcount) )
    {
        unsigned long take = d->outstanding_pages < request
                             ? d->outstanding_pages : request;

        d->outstanding_pages -= take;
        h->outstanding_claims -= take;
        h->node_outstanding_claims[d->claim_node] -= take;
        if ( !d->outstanding_pages )
            d->claim_node = NUMA_NO_NODE;
    }

    if ( d != NULL )
        d->last_alloc_node = node;

    /* The head now describes an in-use block of the requested order. */
    pg->count_info = PGC_state_inuse;
    pg->u.val = 0;
    pg->u.inuse.order = order;
    pg->next = pg->prev = 0;
    m2p_write(h, mfn_x(page_to_mfn(h, pg)), INVALID_M2P_ENTRY);
    word = mixed ? h->dirty_bitmap[mfn_x(page_to_mfn(h, pg)) / BITS_PER_LONG]
                 : 0;

    pthread_mutex_unlock(&h->heap_lock);

    dirty_cnt = scrub_block(h, pg, order, first_dirty, mixed, word,
                            !(memflags & MEMF_no_scrub));
    if ( dirty_cnt )
    {
        pthread_mutex_lock(&h->heap_lock);
        h->node_need_scrub[node] -= dirty_cnt;
        pthread_mutex_unlock(&h->heap_lock);
    }

    return pg;
}

/* ------------------------------------------------------------------ */
/* free_heap_pages.                                                    */

/*
 * Can the block at buddy (of this order, on node) merge with ours?  The
 * buddy may be an in-use block whose holder is changing its count: its
 * words are read atomically (mm.h, the frame-table rule).
 */
static bool buddy_mergeable(const struct host *h, const struct page_info *buddy,
                            unsigned int order, unsigned int node)
{
    mfn_t mfn = page_to_mfn(h, buddy);
    struct page_info snap;

    if ( !mfn_valid(h, mfn) )
        return false;
    page_head_words(buddy, &snap);
    return page_state_is(&snap, free) && PFN_ORDER(&snap) == order &&
           mfn_to_nid(h, mfn) == node;
}

void free_heap_pages(struct host *h, struct page_info *pg, unsigned int order,
                     bool need_scrub)
{
    unsigned long mask;
    unsigned int node = page_to_nid(h, pg);
    unsigned int zone = page_to_zone(h, pg);

    pthread_mutex_lock(&h->heap_lock);

    /* mark_page_free(), for the whole block at once. */
    switch ( pg->count_info & PGC_state )
    {
    case PGC_state_inuse:
        if ( pg->count_info & PGC_broken )
            __builtin_trap();
        break;
    default:
        /* Offlining is not modelled; anything else is Xen's BUG(). */
        __builtin_trap();
    }
    pg->count_info = PGC_state_free;
    pg->u.val = 0;
    pg->next = pg->prev = 0;

    h->avail[node][zone] += 1UL << order;
    h->node_avail_pages[node] += 1UL << order;
    h->total_avail_pages += 1L << order;
    if ( need_scrub )
    {
        h->node_need_scrub[node] += 1UL << order;
        pg->u.free.first_dirty = 0;
    }
    else
        pg->u.free.first_dirty = INVALID_DIRTY_IDX;

    /* Merge chunks as far as possible. */
    while ( order < MAX_ORDER )
    {
        mask = 1UL << order;

        if ( mfn_x(page_to_mfn(h, pg)) & mask )
        {
            struct page_info *predecessor = pg - mask;

            if ( !buddy_mergeable(h, predecessor, order, node) )
                break;
            check_and_stop_scrub(h, predecessor);
            page_list_del(h, predecessor, &heap(h, node, zone, order));
            merge_dirty(h, predecessor, pg, order);
            pg = predecessor;
        }
        else
        {
            struct page_info *successor = pg + mask;

            if ( !buddy_mergeable(h, successor, order, node) )
                break;
            check_and_stop_scrub(h, successor);
            merge_dirty(h, pg, successor, order);
            page_list_del(h, successor, &heap(h, node, zone, order));
        }
        order++;
    }

    {
        bool mixed = pg->u.free.mixed;

        page_list_add_scrub(h, pg, node, zone, order, pg->u.free.first_dirty);
        pg->u.free.mixed = pg->u.free.first_dirty != INVALID_DIRTY_IDX && mixed;
    }
    if ( need_scrub )
        scrub_kick(h);

    pthread_mutex_unlock(&h->heap_lock);
}

/* ------------------------------------------------------------------ */
/* Claims and per-domain accounting.                                   */

unsigned long domain_adjust_tot_pages(struct domain *d, long pages)
{
    struct host *h = d->host;
    long dom_before, dom_after, dom_claimed;

    /*
     * page_alloc_lock serialises the writers: a load and a store, atomic
     * only for the unlocked readers (getdomaininfo), not a locked RMW.
     */
    atomic_store_explicit(&d->tot_pages,
                          atomic_load_explicit(&d->tot_pages,
                                               memory_order_relaxed) + pages,
                          memory_order_relaxed);

    /*
     * A host-wide claim's d->outstanding_pages only changes with both
     * page_alloc_lock and heap_lock held, so this unlocked test is
     * race-free for it.  A node claim is consumed in alloc_heap_pages
     * instead (beyond 4.17), under heap_lock alone; it ends with
     * outstanding_pages at 0, which the locked section below re-reads.
     */
    if ( !d->outstanding_pages || d->claim_node != NUMA_NO_NODE )
        return d->tot_pages;
    if ( pages < 0 && h->spec->xen.claim_policy == CLAIM_4_21 )
        return d->tot_pages;

    pthread_mutex_lock(&h->heap_lock);
    /*
     * 4.17: outstanding -= pages, floored at 0.  A negative adjustment (a
     * free) makes the claim grow back by the freed amount.
     */
    dom_before = d->outstanding_pages;
    dom_after = dom_before - pages;
    dom_claimed = dom_after < 0 ? 0 : dom_after;
    d->outstanding_pages = dom_claimed;
    h->outstanding_claims -= dom_before - dom_claimed;
    pthread_mutex_unlock(&h->heap_lock);

    return d->tot_pages;
}

int domain_set_outstanding_pages(struct domain *d, unsigned long pages,
                                 nodeid_t node)
{
    struct host *h = d->host;
    unsigned long claim, avail_pages;
    int ret = -ENOMEM;

    pthread_mutex_lock(&d->page_alloc_lock);
    pthread_mutex_lock(&h->heap_lock);

    /* pages == 0 means "unset" the claim. */
    if ( pages == 0 )
    {
        h->outstanding_claims -= d->outstanding_pages;
        if ( d->claim_node != NUMA_NO_NODE )
            h->node_outstanding_claims[d->claim_node] -= d->outstanding_pages;
        d->outstanding_pages = 0;
        d->claim_node = NUMA_NO_NODE;
        ret = 0;
        goto out;
    }

    /* Only one active claim per domain. */
    if ( d->outstanding_pages )
    {
        ret = -EINVAL;
        goto out;
    }

    /*
     * Beyond 4.17: none for a dying domain.  domain_kill cancels the claim
     * after marking the domain dying (both under page_alloc_lock); a claim
     * made after that would outlive the domain in outstanding_claims.
     */
    if ( d->is_dying )
    {
        ret = -EINVAL;
        goto out;
    }

    if ( node != NUMA_NO_NODE &&
         (node >= MAX_NUMNODES || !node_isset(node, h->node_online_map)) )
    {
        ret = -EINVAL;
        goto out;
    }

    /* Disallow a claim not exceeding domain_tot_pages() or above max_pages. */
    if ( pages <= domain_tot_pages(d) || pages > d->max_pages )
    {
        ret = -EINVAL;
        goto out;
    }

    /* How much memory is available (unsigned, as Xen computes it)? */
    avail_pages = (unsigned long)h->total_avail_pages;
    avail_pages -= (unsigned long)h->outstanding_claims;

    /* A domain that already has memory claims only the difference. */
    claim = pages - domain_tot_pages(d);
    if ( claim > avail_pages )
        goto out;
    if ( node != NUMA_NO_NODE &&
         claim > h->node_avail_pages[node] - h->node_outstanding_claims[node] )
        goto out;

    d->outstanding_pages = claim;
    d->claim_node = node;
    h->outstanding_claims += claim;
    if ( node != NUMA_NO_NODE )
        h->node_outstanding_claims[node] += claim;
    ret = 0;

 out:
    pthread_mutex_unlock(&h->heap_lock);
    pthread_mutex_unlock(&d->page_alloc_lock);
    return ret;
}

void get_outstanding_claims(struct host *h, uint64_t *free_pages,
                            uint64_t *outstanding_pages)
{
    pthread_mutex_lock(&h->heap_lock);
    *free_pages = (uint64_t)h->total_avail_pages;
    *outstanding_pages = (uint64_t)h->outstanding_claims;
    pthread_mutex_unlock(&h->heap_lock);
}

static unsigned long avail_heap_pages(struct host *h, unsigned int zone_lo,
                                      unsigned int zone_hi, unsigned int node)
{
    unsigned int i, zone, num_nodes = MAX_NUMNODES;
    unsigned long free_pages = 0;

    if ( zone_hi >= NR_ZONES )
        zone_hi = NR_ZONES - 1;
    for ( i = 0; i < num_nodes; i++ )
    {
        if ( !h->_heap[i] )
            continue;
        if ( node == (unsigned int)-1 || node == i )
            for ( zone = zone_lo; zone <= zone_hi; zone++ )
                free_pages += h->avail[i][zone];
    }
    return free_pages;
}

unsigned long avail_domheap_pages_region(struct host *h, unsigned int node,
                                         unsigned int min_width,
                                         unsigned int max_width)
{
    int zone_lo, zone_hi;
    unsigned long r;

    zone_lo = min_width ? (int)bits_to_zone(min_width) : MEMZONE_XEN + 1;
    zone_lo = zone_lo < NR_ZONES - 1 ? zone_lo : NR_ZONES - 1;
    zone_lo = zone_lo > MEMZONE_XEN + 1 ? zone_lo : MEMZONE_XEN + 1;
    zone_hi = max_width ? (int)bits_to_zone(max_width) : NR_ZONES - 1;
    zone_hi = zone_hi < NR_ZONES - 1 ? zone_hi : NR_ZONES - 1;
    zone_hi = zone_hi > MEMZONE_XEN + 1 ? zone_hi : MEMZONE_XEN + 1;

    pthread_mutex_lock(&h->heap_lock);
    r = avail_heap_pages(h, zone_lo, zone_hi, node);
    pthread_mutex_unlock(&h->heap_lock);
    return r;
}

unsigned long avail_node_heap_pages(struct host *h, unsigned int node)
{
    unsigned long r;

    pthread_mutex_lock(&h->heap_lock);
    r = avail_heap_pages(h, MEMZONE_XEN, NR_ZONES - 1, node);
    pthread_mutex_unlock(&h->heap_lock);
    return r;
}
