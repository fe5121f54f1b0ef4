/*
 * page_block.c - allocated blocks, their heads, and the M2P kept per block.
 *
 * The frame table describes an allocated block by its head (mm.h).  When
 * pages of a block need different states - one 4K page of a 2M extent is
 * freed, remapped at another gfn, or referenced on its own - the block is
 * split, buddy fashion, into halves until the pages in question form a
 * block of their own; every half gets a head copying the original's
 * owner, count and M2P.  Blocks are never joined again while allocated;
 * free_heap_pages() merges them when they come back.
 *
 * Finding the head of an arbitrary page: look at the MAX_ORDER-aligned
 * page around it, then the 2^17-aligned one, and so on down.  The first
 * page looked at always heads some block (blocks are naturally aligned
 * and at most MAX_ORDER), and each later one does too unless the block
 * holding mfn was already found; so no stale entry is ever read as a head.
 *
 * The M2P (Xen's machine_to_phys_mapping) is h->m2p[], written only at
 * block heads: page head + i of a block maps gfn m2p[head] + i, or
 * nothing when m2p[head] is INVALID_M2P_ENTRY.  Setting it for part of a
 * block splits the block first, so the rule always holds.
 *
 * Concurrency (mm.h, "the frame-table rule"): the look for a head reads
 * entries of other blocks, which other CPUs split, merge, allocate and
 * free; so it runs under heap_lock, under which every change of a block's
 * extent or state is made.  What an in-use block's holder changes on its
 * own head (owner, count_info: assign, free, share, steal) keeps the
 * state and order, and is stored one atomic word at a time without
 * heap_lock; the look loads those words atomically, so it reads either
 * value and finds the same block.  Xen needs none of this (each page has
 * its own page_info, and a page's holder only reads its own); here a head
 * found is only stable while the caller holds the block, so a caller that
 * does not (checking a gfn's page, a foreign frame) takes a block_view:
 * the head's words read under heap_lock.
 */
#include "core.h"
#include "p2m.h"

/* heap_lock is the host's; taking it does not change what h describes. */
static void heap_lock(const struct host *h)
{
    pthread_mutex_lock((pthread_mutex_t *)&h->heap_lock);
}

static void heap_unlock(const struct host *h)
{
    pthread_mutex_unlock((pthread_mutex_t *)&h->heap_lock);
}

static inline unsigned int head_order(const struct page_info *pg)
{
    struct page_info snap;

    page_head_words(pg, &snap);
    return page_state_is(&snap, free) ? PFN_ORDER(&snap) : snap.u.inuse.order;
}

struct page_info *inuse_block_head_locked(const struct host *h, mfn_t mfn,
                                          unsigned int *order)
{
    unsigned long m = mfn_x(mfn);
    int k;

    for ( k = MAX_ORDER; k >= 0; k-- )
    {
        unsigned long c = m & ~((1UL << k) - 1);
        const struct page_info *pg;
        unsigned int o;

        if ( c >= h->max_page )
            continue;
        pg = mfn_to_page(h, _mfn(c));
        o = head_order(pg);
        if ( m < c + (1UL << o) )
        {
            *order = o;
            return (struct page_info *)pg;
        }
    }
    /* Unreachable: the order-0 candidate is mfn itself. */
    *order = 0;
    return mfn_to_page(h, mfn);
}

struct page_info *inuse_block_head(const struct host *h, mfn_t mfn,
                                   unsigned int *order)
{
    struct page_info *head;

    heap_lock(h);
    head = inuse_block_head_locked(h, mfn, order);
    heap_unlock(h);
    return head;
}

void block_view(const struct host *h, mfn_t mfn, struct block_view *v)
{
    struct page_info snap;

    heap_lock(h);
    v->head = inuse_block_head_locked(h, mfn, &v->order);
    v->mfn = mfn_x(page_to_mfn(h, v->head));
    page_head_words(v->head, &snap);
    v->count_info = snap.count_info;
    v->free = page_state_is(&snap, free);
    v->owner = v->free ? NULL : page_get_owner(h, &snap);
    /* is_xen_heap_page() of the head, from the words read. */
    v->xen_heap = !v->free &&
                  (h->spec->xen.heap_model == HEAP_SPLIT
                   ? in_xenheap_region(h, _mfn(v->mfn))
                   : !!(snap.count_info & PGC_xen_heap));
    v->m2p = v->free ? INVALID_M2P_ENTRY : m2p_read(h, v->mfn);
    heap_unlock(h);
}

struct domain *page_owner(const struct host *h, mfn_t mfn)
{
    struct block_view v;

    block_view(h, mfn, &v);
    return v.owner;
}

void page_head_set(struct host *h, struct page_info *pg,
                   const struct domain *d, uint32_t count_info)
{
    struct page_info snap;

    (void)h;
    snap.u.val = pg->u.val;         /* the holder's: nobody else writes it */
    page_set_owner(&snap, d);
    __atomic_store_n(&pg->u.val, snap.u.val, __ATOMIC_RELAXED);
    __atomic_store_n(&pg->count_info, count_info, __ATOMIC_RELAXED);
}

void page_head_flags(struct host *h, struct page_info *pg, uint32_t clear,
                     uint32_t set)
{
    (void)h;
    __atomic_store_n(&pg->count_info, (pg->count_info & ~clear) | set,
                     __ATOMIC_RELAXED);
}

struct page_info *split_block_onto_locked(struct host *h, mfn_t mfn,
                                          unsigned int order,
                                          struct page_list_head *list)
{
    unsigned int k;
    struct page_info *head = inuse_block_head_locked(h, mfn, &k);
    unsigned long hm = mfn_x(page_to_mfn(h, head));

    while ( k > order )
    {
        unsigned long half = 1UL << --k;
        struct page_info *upper = mfn_to_page(h, _mfn(hm + half));
        unsigned long gfn = m2p_read(h, hm);

        head->u.inuse.order = k;
        *upper = *head;
        upper->next = upper->prev = 0;
        m2p_write(h, hm + half, gfn == INVALID_M2P_ENTRY ? gfn : gfn + half);
        if ( list )
            page_list_add_tail(h, upper, list);
        if ( mfn_x(mfn) >= hm + half )
        {
            head = upper;
            hm += half;
        }
    }
    return head;
}

struct page_info *split_block_onto(struct host *h, mfn_t mfn, unsigned int order,
                                   struct page_list_head *list)
{
    struct page_info *head;

    heap_lock(h);
    head = split_block_onto_locked(h, mfn, order, list);
    heap_unlock(h);
    return head;
}

struct page_info *split_domain_block(struct host *h, mfn_t mfn,
                                     unsigned int order)
{
    struct block_view v;
    struct domain *d;
    struct page_list_head *list = NULL;
    struct page_info *pg;

    /* The caller holds the block: its owner and flags stay as read. */
    block_view(h, mfn, &v);
    if ( v.order == order )
        return v.head;
    if ( (d = v.owner) == NULL )
        return split_block_onto(h, mfn, order, NULL);
    if ( v.count_info & PGC_xen_heap )
        list = &d->xenpage_list;
    else if ( v.count_info & PGC_extra )
        list = &d->extra_page_list;
    else
        list = &d->page_list;
    pthread_mutex_lock(&d->page_alloc_lock);
    pg = split_block_onto(h, mfn, order, list);
    pthread_mutex_unlock(&d->page_alloc_lock);
    return pg;
}

unsigned long get_gpfn_from_mfn(struct host *h, mfn_t mfn)
{
    struct block_view v;

    if ( !mfn_valid(h, mfn) )
        return INVALID_M2P_ENTRY;
    block_view(h, mfn, &v);
    return v.m2p == INVALID_M2P_ENTRY ? v.m2p : v.m2p + (mfn_x(mfn) - v.mfn);
}

unsigned long get_gpfn_from_mfn_locked(const struct host *h, mfn_t mfn)
{
    unsigned int order;
    const struct page_info *head;
    unsigned long gfn, hm;

    if ( !mfn_valid(h, mfn) )
        return INVALID_M2P_ENTRY;
    head = inuse_block_head_locked(h, mfn, &order);
    if ( page_state_is(head, free) )
        return INVALID_M2P_ENTRY;
    hm = mfn_x(page_to_mfn(h, head));
    gfn = m2p_read(h, hm);
    return gfn == INVALID_M2P_ENTRY ? gfn : gfn + (mfn_x(mfn) - hm);
}

void m2p_set_range(struct host *h, mfn_t mfn, unsigned long nr,
                   unsigned long gfn)
{
    unsigned long m = mfn_x(mfn), end = m + nr;

    while ( m < end )
    {
        struct block_view v;
        unsigned int k;
        unsigned long hm;

        block_view(h, _mfn(m), &v);
        k = v.order;
        hm = v.mfn;
        if ( v.free )
        {
            /* Not allocated: nothing to record (Xen's entry is stale). */
            m = hm + (1UL << k);
            continue;
        }
        if ( hm < m || hm + (1UL << k) > end )
        {
            /* The block sticks out of the range: split off what is inside. */
            unsigned int o = m ? ffsl_(m) - 1 : MAX_ORDER;

            if ( o > k )
                o = k;
            while ( o > 0 && m + (1UL << o) > end )
                o--;
            split_domain_block(h, _mfn(m), o);
            hm = m;
            k = o;
        }
        m2p_write(h, hm, gfn == INVALID_M2P_ENTRY ? gfn : gfn + (hm - mfn_x(mfn)));
        m = hm + (1UL << k);
    }
}
