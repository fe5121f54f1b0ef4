/*
 * invariants.c - checks the whole allocator state (reference anchors.md
 * §3.3 and xen-hypervisor.md §2).  Any test may call host_check() after
 * any step; it must find nothing.
 *
 * Two walks, both over block heads only, so a fresh 16 TiB host costs a
 * few thousand steps:
 *  - every heap list: each entry is a free head of the list's order,
 *    aligned to it, on the list's node and zone, with a valid first_dirty;
 *    clean entries precede dirty ones; links are consistent; the sums equal
 *    avail[node][zone], node_avail_pages, total_avail_pages and
 *    node_need_scrub;
 *  - every RAM range, block by block: blocks tile RAM exactly (each page
 *    in exactly one block, so in exactly one state); free heads found
 *    equal the listed ones; owned blocks are allocated, known to their
 *    domain and on its list; each domain's lists add up to tot_pages,
 *    extra_pages and xenheap_pages;
 *  - claims: the domains' outstanding pages add up to outstanding_claims
 *    (and per node), within free memory;
 *  - PoD (HVM domains): the cache's blocks are d's (counted in tot_pages,
 *    on none of d's page lists), 2M chunks on pod.super and 4K pages on
 *    pod.single, never special, with no M2P entry and zero contents;
 *    pod.count is what the two lists hold;
 *  - each p2m (HVM domains), one walk of its leaves: every leaf of a RAM
 *    type with an MFN maps pages in use, owned by the domain, whose M2P
 *    gives back the leaf's gfns (ram_shared excepted: its pages would be
 *    dom_cow's; orphaned pages are mapped nowhere, so never met here);
 *    nr_leaves[] and node_pages[] equal a recount; pod.entry_count is the
 *    number of p2m_populate_on_demand gfns (not once the domain is dying:
 *    its p2m is torn down while the count stays).  A run of leaves in one
 *    block costs one head look, so this is linear in the leaves.
 *  - event channels and grant mappings: evtchn_check() per domain and
 *    gnttab_check() (event_channel.h, grant_table.h say what they check).
 * Call with no hypercall in flight (scrubber workers may run).  The
 * domains are held by references; each p2m is walked under its lock, then
 * everything under heap_lock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core.h"
#include "event_channel.h"
#include "grant_table.h"
#include "p2m.h"

struct chk {
    char *buf;
    size_t len, used;
    unsigned long errors;
};

__attribute__((format(printf, 2, 3)))
static void bad(struct chk *c, const char *fmt, ...)
{
    va_list ap;
    int n;

    c->errors++;
    if ( c->errors > 8 || !c->buf || c->used + 2 >= c->len )
        return;
    va_start(ap, fmt);
    n = vsnprintf(c->buf + c->used, c->len - c->used, fmt, ap);
    va_end(ap);
    if ( n > 0 )
        c->used += (size_t)n < c->len - c->used ? (size_t)n : c->len - c->used - 1;
    if ( c->used + 1 < c->len )
    {
        c->buf[c->used++] = '\n';
        c->buf[c->used] = 0;
    }
}

/* Walk the heap lists; returns the number of free heads listed. */
static unsigned long check_lists(struct host *h, struct chk *c)
{
    unsigned long heads = 0, total = 0;
    unsigned int node, zone, order;

    for ( node = 0; node < MAX_NUMNODES; node++ )
    {
        unsigned long node_sum = 0, node_dirty = 0;

        if ( !h->_heap[node] )
            continue;
        for ( zone = 0; zone < NR_ZONES; zone++ )
        {
            unsigned long zone_sum = 0;

            for ( order = 0; order <= MAX_ORDER; order++ )
            {
                struct page_list_head *list = &heap(h, node, zone, order);
                struct page_info *pg, *prev = NULL;
                bool seen_dirty = false;
                unsigned long n = 0;

                for ( pg = page_list_first(h, list); pg;
                      prev = pg, pg = page_list_next(h, pg) )
                {
                    unsigned long mfn = mfn_x(page_to_mfn(h, pg));
                    unsigned int fd = pg->u.free.first_dirty;

                    if ( ++n > h->max_page )
                    {
                        bad(c, "heap(%u,%u,%u): list does not end", node, zone, order);
                        break;
                    }
                    if ( (prev ? page_to_pdx(h, prev) : 0) != pg->prev )
                        bad(c, "mfn %#lx: prev link broken", mfn);
                    if ( !page_state_is(pg, free) || PFN_ORDER(pg) != order )
                        bad(c, "mfn %#lx on heap(%u,%u,%u): count_info %#x order %u",
                            mfn, node, zone, order, pg->count_info, PFN_ORDER(pg));
                    if ( mfn & ((1UL << order) - 1) )
                        bad(c, "mfn %#lx: free block not aligned to order %u", mfn, order);
                    if ( mfn_to_nid(h, _mfn(mfn)) != node ||
                         page_to_zone(h, pg) != zone )
                        bad(c, "mfn %#lx: on heap(%u,%u) but belongs to (%u,%u)",
                            mfn, node, zone, mfn_to_nid(h, _mfn(mfn)),
                            page_to_zone(h, pg));
                    if ( fd != INVALID_DIRTY_IDX && fd >= (1U << order) )
                        bad(c, "mfn %#lx: first_dirty %u beyond order %u", mfn, fd, order);
                    if ( fd == INVALID_DIRTY_IDX && pg->u.free.mixed )
                        bad(c, "mfn %#lx: clean block marked mixed", mfn);
                    if ( fd == INVALID_DIRTY_IDX && seen_dirty )
                        bad(c, "mfn %#lx: clean block behind a dirty one on heap(%u,%u,%u)",
                            mfn, node, zone, order);
                    if ( fd != INVALID_DIRTY_IDX )
                        seen_dirty = true;
                    zone_sum += 1UL << order;
                    node_dirty += block_dirty_count(h, pg, order);
                    heads++;
                }
                if ( (prev ? page_to_pdx(h, prev) : 0) != list->tail )
                    bad(c, "heap(%u,%u,%u): tail link broken", node, zone, order);
            }
            if ( zone_sum != h->avail[node][zone] )
                bad(c, "avail[%u][%u] = %lu but the lists hold %lu",
                    node, zone, h->avail[node][zone], zone_sum);
            node_sum += zone_sum;
        }
        if ( node_sum != h->node_avail_pages[node] )
            bad(c, "node %u: node_avail_pages %lu, lists %lu",
                node, h->node_avail_pages[node], node_sum);
        if ( node_dirty != h->node_need_scrub[node] )
            bad(c, "node %u: node_need_scrub %lu, dirty pages %lu",
                node, h->node_need_scrub[node], node_dirty);
        total += node_sum;
    }
    if ( (long)total != h->total_avail_pages )
        bad(c, "total_avail_pages %ld, lists %lu", h->total_avail_pages, total);
    return heads;
}

struct dom_tally {
    unsigned long pages, extra, xenheap, blocks;
};

/* Walk RAM block by block; returns the number of free heads met. */
static unsigned long check_tiling(struct host *h, struct chk *c,
                                  struct dom_tally *tally)
{
    const struct hostspec *hs = h->spec;
    unsigned long heads = 0;
    unsigned int node, r;

    for ( node = 0; node < hs->nr_nodes; node++ )
        for ( r = 0; r < hs->node[node].nr_ranges; r++ )
        {
            unsigned long s = hs->node[node].range[r].start >> PAGE_SHIFT;
            unsigned long e = hs->node[node].range[r].end >> PAGE_SHIFT;
            unsigned long mfn = s;

            while ( mfn < e )
            {
                struct page_info *pg = mfn_to_page(h, _mfn(mfn));
                unsigned int order = page_state_is(pg, free) ? PFN_ORDER(pg)
                                                             : pg->u.inuse.order;
                struct domain *d;

                if ( order > MAX_ORDER || (mfn & ((1UL << order) - 1)) ||
                     mfn + (1UL << order) > e )
                {
                    bad(c, "mfn %#lx: block of order %u does not tile range "
                        "[%#lx,%#lx)", mfn, order, s, e);
                    break;
                }
                if ( page_state_is(pg, free) )
                    heads++;
                else if ( (d = page_get_owner(h, pg)) != NULL )
                {
                    struct dom_tally *t = &tally[d->domain_id];

                    if ( !(pg->count_info & PGC_allocated) ||
                         !(pg->count_info & PGC_count_mask) )
                        bad(c, "mfn %#lx: owned by d%u but count_info %#x",
                            mfn, d->domain_id, pg->count_info);
                    if ( pg->count_info & PGC_xen_heap )
                        t->xenheap += 1UL << order;
                    else
                        t->pages += 1UL << order;
                    if ( pg->count_info & PGC_extra )
                        t->extra += 1UL << order;
                    t->blocks++;
                }
                else if ( pg->u.inuse.owner )
                    bad(c, "mfn %#lx: owner id %u has no domain", mfn,
                        pg->u.inuse.owner - 1);
                mfn += 1UL << order;
            }
        }
    return heads;
}

static unsigned long list_blocks(struct host *h, struct domain *d,
                                 struct page_list_head *list, struct chk *c)
{
    unsigned long n = 0;
    struct page_info *pg;

    for ( pg = page_list_first(h, list); pg; pg = page_list_next(h, pg) )
    {
        if ( ++n > h->max_page )
        {
            bad(c, "d%u: page list does not end", d->domain_id);
            break;
        }
        if ( page_get_owner(h, pg) != d )
            bad(c, "d%u: listed mfn %#lx is not its own", d->domain_id,
                mfn_x(page_to_mfn(h, pg)));
    }
    return n;
}

/* Does RAM [mfn, mfn + nr) hold only zeros?  Unwritten pages are not read. */
static bool ram_zero(struct host *h, mfn_t mfn, unsigned long nr)
{
    uint64_t s = mfn_x(mfn) << PAGE_SHIFT, e = s + (nr << PAGE_SHIFT), re;

    while ( os_ram_next_data(&h->ram, &s, e, &re) )
    {
        for ( const uint64_t *p = (const uint64_t *)(h->ram.base + s),
              *q = (const uint64_t *)(h->ram.base + re); p < q; p++ )
            if ( *p )
                return false;
        s = re;
    }
    return true;
}

/* One PoD cache list: blocks of the given order; returns them counted. */
static unsigned long check_pod_list(struct host *h, struct domain *d,
                                    struct page_list_head *list,
                                    unsigned int order, struct chk *c)
{
    unsigned long n = 0;
    struct page_info *pg;

    for ( pg = page_list_first(h, list); pg; pg = page_list_next(h, pg) )
    {
        unsigned long mfn = mfn_x(page_to_mfn(h, pg));

        if ( ++n > h->max_page )
        {
            bad(c, "d%u: PoD list does not end", d->domain_id);
            break;
        }
        if ( page_state_is(pg, free) || pg->u.inuse.order != order ||
             (mfn & ((1UL << order) - 1)) )
            bad(c, "d%u: PoD cache mfn %#lx: not an order-%u block (order %u)",
                d->domain_id, mfn, order, pg->u.inuse.order);
        if ( page_get_owner(h, pg) != d )
            bad(c, "d%u: PoD cache mfn %#lx is not its own", d->domain_id, mfn);
        if ( is_xen_heap_page(h, pg) || (pg->count_info & PGC_extra) )
            bad(c, "d%u: PoD cache holds special mfn %#lx (XSA-507)",
                d->domain_id, mfn);
        if ( m2p_read(h, mfn) != INVALID_M2P_ENTRY )
            bad(c, "d%u: PoD cache mfn %#lx has M2P entry %#lx",
                d->domain_id, mfn, m2p_read(h, mfn));
        if ( !ram_zero(h, _mfn(mfn), 1UL << order) )
            bad(c, "d%u: PoD cache mfn %#lx is not zero", d->domain_id, mfn);
    }
    return n;
}

/* PoD cache of an HVM domain; returns the cache blocks it holds. */
static unsigned long check_pod(struct host *h, struct domain *d, struct chk *c)
{
    struct p2m_domain *p2m = d->p2m;
    unsigned long nsuper, nsingle;

    if ( !p2m )
        return 0;
    nsuper = check_pod_list(h, d, &p2m->pod.super, PAGE_ORDER_2M, c);
    nsingle = check_pod_list(h, d, &p2m->pod.single, PAGE_ORDER_4K, c);
    if ( p2m->pod.count < 0 ||
         (unsigned long)p2m->pod.count != (nsuper << PAGE_ORDER_2M) + nsingle )
        bad(c, "d%u: pod.count %ld, cache lists hold %lu", d->domain_id,
            p2m->pod.count, (nsuper << PAGE_ORDER_2M) + nsingle);
    return nsuper + nsingle;
}

/* One p2m's walk (check_leaf), and the block its last leaf was in. */
struct p2m_walk {
    struct host *h;
    struct domain *d;
    struct chk *c;
    unsigned long pod_entries;
    unsigned long nr_leaves[3];
    unsigned long node_pages[MAX_NUMNODES];
    const struct page_info *blk;
    unsigned long blk_mfn, blk_end;
};

/* A leaf against the frame table and the M2P; heap_lock held. */
static int check_leaf(void *ctx, unsigned long gfn, unsigned int order,
                      mfn_t mfn, p2m_type_t t)
{
    struct p2m_walk *w = ctx;
    struct host *h = w->h;
    unsigned long m, end, nr = 1UL << order;

    if ( p2m_is_pod(t) )
        w->pod_entries += nr;
    /* What account_leaf() counts. */
    if ( !p2m_is_ram(t) || mfn_eq(mfn, INVALID_MFN) || !mfn_valid(h, mfn) )
        return 0;
    w->nr_leaves[order / PAGE_ORDER_2M]++;
    w->node_pages[mfn_to_nid(h, mfn)] += nr;
    if ( t == p2m_ram_shared )
        return 0;

    for ( m = mfn_x(mfn), end = m + nr; m < end; )
    {
        unsigned long want = gfn + (m - mfn_x(mfn)), got;
        struct domain *owner;

        if ( m < w->blk_mfn || m >= w->blk_end )
        {
            unsigned int k;

            w->blk = inuse_block_head_locked(h, _mfn(m), &k);
            w->blk_mfn = mfn_x(page_to_mfn(h, w->blk));
            w->blk_end = w->blk_mfn + (1UL << k);
        }
        if ( page_state_is(w->blk, free) )
        {
            bad(w->c, "d%u: gfn %#lx maps mfn %#lx, which is free",
                w->d->domain_id, want, m);
            return 1;
        }
        if ( (owner = page_get_owner(h, w->blk)) != w->d )
        {
            if ( owner )
                bad(w->c, "d%u: gfn %#lx maps mfn %#lx, owned by d%u",
                    w->d->domain_id, want, m, owner->domain_id);
            else
                bad(w->c, "d%u: gfn %#lx maps mfn %#lx, owned by nobody",
                    w->d->domain_id, want, m);
            return 1;
        }
        got = m2p_read(h, w->blk_mfn);
        if ( got != INVALID_M2P_ENTRY )
            got += m - w->blk_mfn;
        if ( got != want )
        {
            bad(w->c, "d%u: gfn %#lx maps mfn %#lx, whose M2P entry is %#lx",
                w->d->domain_id, want, m, got);
            return 1;
        }
        /* The M2P is linear within a block: one look covers the overlap. */
        m = w->blk_end < end ? w->blk_end : end;
    }
    return 0;
}

/* d's p2m against the frame table, the M2P and its own counters. */
static void check_p2m(struct host *h, struct domain *d, struct chk *c)
{
    struct p2m_domain *p2m = d->p2m;
    struct p2m_walk *w = calloc(1, sizeof(*w));
    unsigned int i;

    if ( !w )
    {
        bad(c, "d%u: no memory to check the p2m", d->domain_id);
        return;
    }
    w->h = h;
    w->d = d;
    w->c = c;
    pthread_mutex_lock(&p2m->lock);
    pthread_mutex_lock(&h->heap_lock);
    p2m_walk_leaves(p2m, check_leaf, w);
    pthread_mutex_unlock(&h->heap_lock);

    for ( i = 0; i < 3; i++ )
        if ( w->nr_leaves[i] != p2m->nr_leaves[i] )
            bad(c, "d%u: nr_leaves[%u] %lu, the p2m has %lu", d->domain_id,
                i, p2m->nr_leaves[i], w->nr_leaves[i]);
    for ( i = 0; i < MAX_NUMNODES; i++ )
        if ( w->node_pages[i] != p2m->node_pages[i] )
            bad(c, "d%u: node_pages[%u] %lu, the p2m maps %lu", d->domain_id,
                i, p2m->node_pages[i], w->node_pages[i]);
    /* A dying domain's p2m is torn down while its PoD count stays. */
    if ( !d->is_dying &&
         (p2m->pod.entry_count < 0 ||
          (unsigned long)p2m->pod.entry_count != w->pod_entries) )
        bad(c, "d%u: pod.entry_count %ld, the p2m has %lu PoD gfns",
            d->domain_id, p2m->pod.entry_count, w->pod_entries);
    pthread_mutex_unlock(&p2m->lock);
    free(w);
}

unsigned long host_check(struct host *h, char *buf, size_t buflen)
{
    struct chk c = { buf, buflen, 0, 0 };
    struct dom_tally *tally = calloc(DOMID_FIRST_RESERVED, sizeof(*tally));
    struct domain **doms = calloc(DOMID_FIRST_RESERVED, sizeof(*doms));
    unsigned long listed, tiled, claims = 0, nviol;
    char why[160];
    unsigned long node_claims[MAX_NUMNODES] = { 0 };
    unsigned int i, nr = 0;

    if ( buf && buflen )
        buf[0] = 0;
    if ( !tally || !doms )
    {
        free(tally);
        free(doms);
        return 1;
    }

    /* The domains, each held by a reference while it is checked. */
    pthread_mutex_lock(&h->domlist_lock);
    for ( i = 0; i < DOMID_FIRST_RESERVED; i++ )
    {
        struct domain *d = h->domains[i];

        if ( d && get_domain(d) )
            doms[nr++] = d;
    }
    pthread_mutex_unlock(&h->domlist_lock);

    /* The p2m lock comes before heap_lock: each p2m first. */
    for ( i = 0; i < nr; i++ )
        if ( doms[i]->p2m )
            check_p2m(h, doms[i], &c);

    pthread_mutex_lock(&h->heap_lock);
    /*
     * A scrubber that gave a buddy up to an allocator subtracts what it
     * cleared from node_need_scrub only once it has the lock back (Xen has
     * the same window).  Wait until no worker is inside a buddy.
     */
    while ( h->scrub_busy )
        pthread_cond_wait(&h->scrub_done_cv, &h->heap_lock);

    listed = check_lists(h, &c);
    /* An owned block whose domain is gone has no owner: tiling says so. */
    tiled = check_tiling(h, &c, tally);
    if ( listed != tiled )
        bad(&c, "%lu free blocks on the lists, %lu found in RAM", listed, tiled);

    for ( i = 0; i < nr; i++ )
    {
        struct domain *d = doms[i];
        struct dom_tally *t = &tally[d->domain_id];
        unsigned long nb;

        if ( t->pages != d->tot_pages )
            bad(&c, "d%u: tot_pages %u, owns %lu pages", d->domain_id,
                d->tot_pages, t->pages);
        if ( t->extra != d->extra_pages )
            bad(&c, "d%u: extra_pages %u, owns %lu", d->domain_id,
                d->extra_pages, t->extra);
        if ( t->xenheap != d->xenheap_pages )
            bad(&c, "d%u: xenheap_pages %u, owns %lu", d->domain_id,
                d->xenheap_pages, t->xenheap);
        nb = list_blocks(h, d, &d->page_list, &c) +
             list_blocks(h, d, &d->extra_page_list, &c) +
             list_blocks(h, d, &d->xenpage_list, &c) +
             check_pod(h, d, &c);
        if ( nb != t->blocks )
            bad(&c, "d%u: %lu blocks on its lists, owns %lu", d->domain_id,
                nb, t->blocks);
        claims += d->outstanding_pages;
        if ( d->claim_node != NUMA_NO_NODE )
            node_claims[d->claim_node] += d->outstanding_pages;
        if ( (nviol = evtchn_check(d, why, sizeof(why))) )
        {
            bad(&c, "%s", why);
            c.errors += nviol - 1;
        }
    }
    if ( (nviol = gnttab_check(h, why, sizeof(why))) )
    {
        bad(&c, "%s", why);
        c.errors += nviol - 1;
    }
    if ( (long)claims != h->outstanding_claims )
        bad(&c, "outstanding_claims %ld, domains claim %lu",
            h->outstanding_claims, claims);
    if ( h->outstanding_claims > h->total_avail_pages )
        bad(&c, "claims %ld exceed free memory %ld", h->outstanding_claims,
            h->total_avail_pages);
    for ( i = 0; i < MAX_NUMNODES; i++ )
    {
        if ( node_claims[i] != h->node_outstanding_claims[i] )
            bad(&c, "node %u: claims %lu, domains claim %lu", i,
                h->node_outstanding_claims[i], node_claims[i]);
        if ( h->node_outstanding_claims[i] > h->node_avail_pages[i] )
            bad(&c, "node %u: claims %lu exceed its free memory %lu", i,
                h->node_outstanding_claims[i], h->node_avail_pages[i]);
    }
    pthread_mutex_unlock(&h->heap_lock);

    /* No lock held: a last reference may free a domain here. */
    for ( i = 0; i < nr; i++ )
        put_domain(doms[i]);
    free(doms);
    free(tally);
    return c.errors;
}
