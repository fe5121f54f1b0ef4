/*
 * scrub.c - clearing freed memory, as Xen's page_alloc.c does it since
 * Boris Ostrovsky's 2017 series (scrub from the idle loop).
 *
 * Dirty free buddies sit at the tail of their heap list with first_dirty
 * set.  Idle scrubber threads (Xen: idle CPUs) pick a node, walk its lists
 * zone by zone from MAX_ORDER down, and clean the dirty buddy at each tail.
 * While clearing, a worker drops heap_lock and marks the buddy
 * BUDDY_SCRUBBING; an allocator (or a merge) that wants the buddy calls
 * check_and_stop_scrub(), which raises the worker's abort flag and waits,
 * holding heap_lock, until the worker records how far it got in
 * first_dirty and lets go.  A worker waiting to retake heap_lock keeps
 * answering aborts (Xen's spin_lock_cb with scrub_continue), so the two
 * can never deadlock.
 *
 * Page contents live in the RAM memfd.  Clearing uses SEEK_DATA to skip
 * pages nobody ever wrote: those read as zero already, and scrubbing never
 * makes them resident.  scrub_debug (a Xen debug build) fills with 0xC2
 * instead, which does write every page.
 *
 * Deviation from Xen, on purpose: Xen's idle CPUs scrub only their own
 * node (and CPU-less nodes); xenmm has a few workers standing in for all
 * idle CPUs, so a worker with a clean home node helps the nearest dirty
 * node.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

/* Pages a worker clears between two looks at its abort flag (2 MiB). */
#define SCRUB_CHUNK_PAGES 512UL

struct scrub_worker {
    struct host *h;
    unsigned int id;
    unsigned int home;              /* the node of "its" CPU */
    pthread_t thr;
    bool started;
    _Atomic uint32_t target;        /* pdx of the buddy being cleared, or 0 */
    _Atomic bool abort;             /* an allocator wants target */
};

/* ------------------------------------------------------------------ */
/* Clearing page contents.                                             */

void scrub_pages(struct host *h, mfn_t mfn, unsigned long nr)
{
    /*
     * Zero only written pages; debug builds fill with a pattern so nobody
     * relies on zeroes, and that writes every page.
     */
    os_ram_fill(&h->ram, (uint64_t)mfn_x(mfn) << PAGE_SHIFT,
                (uint64_t)nr << PAGE_SHIFT,
                h->spec->xen.scrub_debug ? SCRUB_BYTE_PATTERN : 0);
}

void scrub_one_page(struct host *h, struct page_info *pg)
{
    if ( pg->count_info & PGC_broken )
        return;
    scrub_pages(h, page_to_mfn(h, pg), 1);
}

/* bootscrub=on: clear all free RAM now, in bootscrub_chunk pieces. */
void scrub_heap_pages(struct host *h)
{
    unsigned long chunk = h->spec->xen.bootscrub_chunk >> PAGE_SHIFT;
    unsigned int node, r;

    if ( !chunk )
        chunk = (128UL << 20) >> PAGE_SHIFT;
    for ( node = 0; node < h->spec->nr_nodes; node++ )
        for ( r = 0; r < h->spec->node[node].nr_ranges; r++ )
        {
            unsigned long s = h->spec->node[node].range[r].start >> PAGE_SHIFT;
            unsigned long e = h->spec->node[node].range[r].end >> PAGE_SHIFT;

            for ( ; s < e; s += chunk )
                scrub_pages(h, _mfn(s), e - s < chunk ? e - s : chunk);
        }
}

/* ------------------------------------------------------------------ */
/* The abort handshake.                                                */

void check_and_stop_scrub(struct host *h, struct page_info *head)
{
    uint32_t pdx = page_to_pdx(h, head);
    unsigned int i;

    if ( head->u.free.scrub_state != BUDDY_SCRUBBING )
        return;
    for ( i = 0; i <= h->nr_scrubbers; i++ )
    {
        struct scrub_worker *w = &h->scrubbers[i];

        if ( atomic_load(&w->target) != pdx )
            continue;
        atomic_store(&w->abort, true);
        while ( atomic_load_explicit(&w->target, memory_order_acquire) == pdx )
            sched_yield();
        return;
    }
}

/* The worker gives the buddy up, recording its progress. */
static void scrub_release(struct scrub_worker *w, struct page_info *pg,
                          unsigned int first_dirty)
{
    pg->u.free.first_dirty = first_dirty;
    if ( first_dirty == INVALID_DIRTY_IDX )
        pg->u.free.mixed = 0;
    pg->u.free.scrub_state = BUDDY_NOT_SCRUBBING;
    atomic_store_explicit(&w->target, 0, memory_order_release);
}

/*
 * Clear the dirty buddy pg at the tail of heap(node, zone, order).  Called
 * and returns with heap_lock held; drops it while clearing.  Returns false
 * if an allocator took the buddy away.
 */
static bool scrub_buddy(struct host *h, struct scrub_worker *w,
                        unsigned int node, unsigned int zone,
                        unsigned int order, struct page_info *pg)
{
    unsigned long n = 1UL << order, mfn = mfn_x(page_to_mfn(h, pg));
    unsigned long i = pg->u.free.first_dirty, dirty = 0;
    unsigned long w0 = mfn / 64, *bits = NULL;
    bool mixed = pg->u.free.mixed, dropped = false;

    /*
     * A mixed block's true dirty set is in the shared bitmap, whose words
     * a merge of a neighbouring block may rewrite while we work unlocked:
     * take a copy of our words now (at most 32 KiB, and mixed blocks are
     * rare).  An order-aligned block's bits are whole words, or lie in one.
     */
    if ( mixed )
    {
        size_t nwords = (mfn + n - 1) / 64 - w0 + 1;

        bits = malloc(nwords * sizeof(*bits));
        if ( !bits )
            return false;   /* out of memory: the worker retries later */
        memcpy(bits, &h->dirty_bitmap[w0], nwords * sizeof(*bits));
    }

    pg->u.free.scrub_state = BUDDY_SCRUBBING;
    atomic_store(&w->abort, false);
    atomic_store(&w->target, page_to_pdx(h, pg));
    h->scrub_busy++;
    pthread_mutex_unlock(&h->heap_lock);

    while ( i < n )
    {
        unsigned long end;

        if ( !mixed && !h->spec->xen.scrub_debug )
        {
            /* Never-written pages are clean already: skip them in one go. */
            uint64_t ds = (uint64_t)(mfn + i) << PAGE_SHIFT, de;

            if ( !os_ram_next_data(&h->ram, &ds, (uint64_t)(mfn + n) << PAGE_SHIFT,
                                   &de) )
                ds = (uint64_t)(mfn + n) << PAGE_SHIFT;
            dirty += (ds >> PAGE_SHIFT) - (mfn + i);
            i = (ds >> PAGE_SHIFT) - mfn;
            if ( i >= n )
                break;
        }
        end = i + SCRUB_CHUNK_PAGES < n ? i + SCRUB_CHUNK_PAGES : n;

        if ( !mixed )
        {
            scrub_pages(h, _mfn(mfn + i), end - i);
            dirty += end - i;
        }
        else
            for ( unsigned long j = i; j < end; j++ )
                if ( (bits[(mfn + j) / 64 - w0] >> ((mfn + j) % 64)) & 1 )
                {
                    scrub_pages(h, _mfn(mfn + j), 1);
                    dirty++;
                }
        i = end;
        if ( atomic_load(&w->abort) )
        {
            /* Someone wants this chunk.  Drop everything. */
            scrub_release(w, pg, i >= n ? INVALID_DIRTY_IDX : (unsigned int)i);
            dropped = true;
            break;
        }
    }

    /* Retake the lock, answering an abort while we wait for it. */
    while ( pthread_mutex_trylock(&h->heap_lock) )
    {
        if ( !dropped && atomic_load(&w->abort) )
        {
            scrub_release(w, pg, INVALID_DIRTY_IDX);
            dropped = true;
            pthread_mutex_lock(&h->heap_lock);
            break;
        }
        sched_yield();
    }

    h->node_need_scrub[node] -= dirty;
    h->scrub_busy--;
    if ( !dropped )
    {
        /* All clean: move it to the head of its list. */
        page_list_del(h, pg, &heap(h, node, zone, order));
        page_list_add_scrub(h, pg, node, zone, order, INVALID_DIRTY_IDX);
        atomic_store_explicit(&w->target, 0, memory_order_release);
    }
    pthread_cond_broadcast(&h->scrub_done_cv);
    free(bits);
    return !dropped;
}

/* Scrub every dirty buddy of a node.  heap_lock held. */
static void scrub_node(struct host *h, struct scrub_worker *w, unsigned int node)
{
    unsigned int zone;
    int order;

    for ( zone = 0; zone < NR_ZONES; zone++ )
        for ( order = MAX_ORDER; order >= 0; order-- )
        {
            struct page_info *pg;

            while ( !h->scrub_stop &&
                    (pg = page_list_last(h, &heap(h, node, zone, order))) )
            {
                /* Unscrubbed pages are always at the end of the list. */
                if ( pg->u.free.first_dirty == INVALID_DIRTY_IDX ||
                     pg->u.free.scrub_state != BUDDY_NOT_SCRUBBING )
                    break;
                if ( !scrub_buddy(h, w, node, zone, (unsigned int)order, pg) )
                    return;   /* the lists changed under us: start over */
            }
        }
}

/* Xen's node_to_scrub(), for a worker standing in for idle CPUs. */
static int node_to_scrub(struct host *h, struct scrub_worker *w)
{
    unsigned int node, best = MAX_NUMNODES;
    uint32_t best_dist = ~0U;

    if ( h->_heap[w->home] && h->node_need_scrub[w->home] &&
         !((h->node_scrubbing >> w->home) & 1) )
        return (int)w->home;
    for ( node = 0; node < h->nr_nodes; node++ )
    {
        uint32_t dist = h->spec->distance[w->home][node];

        if ( !h->_heap[node] || !h->node_need_scrub[node] ||
             ((h->node_scrubbing >> node) & 1) )
            continue;
        if ( best == MAX_NUMNODES || dist < best_dist )
        {
            best = node;
            best_dist = dist;
        }
    }
    return best == MAX_NUMNODES ? -1 : (int)best;
}

/* One pass of the idle scrubber.  heap_lock held.  True if work was done. */
bool scrub_free_pages(struct host *h, unsigned int worker)
{
    struct scrub_worker *w = &h->scrubbers[worker];
    int node = node_to_scrub(h, w);
    unsigned long before;

    if ( node < 0 )
        return false;
    before = h->node_need_scrub[node];
    h->node_scrubbing |= 1ULL << node;
    scrub_node(h, w, (unsigned int)node);
    h->node_scrubbing &= ~(1ULL << node);
    return h->node_need_scrub[node] != before;
}

static void timed_wait(pthread_cond_t *cv, pthread_mutex_t *m, long ns)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ns;
    if ( ts.tv_nsec >= 1000000000L )
    {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cv, m, &ts);
}

static void *scrub_worker_main(void *arg)
{
    struct scrub_worker *w = arg;
    struct host *h = w->h;

    pthread_mutex_lock(&h->heap_lock);
    while ( !h->scrub_stop )
    {
        if ( scrub_free_pages(h, w->id) )
            continue;
        pthread_cond_broadcast(&h->scrub_done_cv);
        /*
         * Nothing to do, or only pages an allocator is clearing right now
         * (counted in node_need_scrub until it is done): sleep a little.
         */
        timed_wait(&h->scrub_cv, &h->heap_lock, 2000000L);
    }
    pthread_mutex_unlock(&h->heap_lock);
    return NULL;
}

void scrub_kick(struct host *h)
{
    if ( h->nr_scrubbers )
        pthread_cond_signal(&h->scrub_cv);
}

int scrub_start(struct host *h, unsigned int nr_workers)
{
    unsigned int i, nodes_with_mem = 0, homes[MAX_NUMNODES];

    /* One spare worker record (the last) for synchronous scrubbing. */
    h->scrubbers = calloc(nr_workers + 1, sizeof(*h->scrubbers));
    if ( !h->scrubbers )
        return -ENOMEM;
    for ( i = 0; i < h->nr_nodes; i++ )
        if ( h->_heap[i] )
            homes[nodes_with_mem++] = i;
    for ( i = 0; i <= nr_workers; i++ )
    {
        h->scrubbers[i].h = h;
        h->scrubbers[i].id = i;
        h->scrubbers[i].home = nodes_with_mem ? homes[i % nodes_with_mem] : 0;
    }
    for ( i = 0; i < nr_workers; i++ )
    {
        if ( pthread_create(&h->scrubbers[i].thr, NULL, scrub_worker_main,
                            &h->scrubbers[i]) )
        {
            scrub_stop(h);
            return -EAGAIN;
        }
        h->scrubbers[i].started = true;
        h->nr_scrubbers = i + 1;
    }
    return 0;
}

void scrub_stop(struct host *h)
{
    unsigned int i, n = h->nr_scrubbers;

    if ( !h->scrubbers )
        return;
    pthread_mutex_lock(&h->heap_lock);
    h->scrub_stop = true;
    pthread_cond_broadcast(&h->scrub_cv);
    pthread_mutex_unlock(&h->heap_lock);
    for ( i = 0; i < n; i++ )
        if ( h->scrubbers[i].started )
            pthread_join(h->scrubbers[i].thr, NULL);
    free(h->scrubbers);
    h->scrubbers = NULL;
    h->nr_scrubbers = 0;
}

static unsigned long need_scrub_total(const struct host *h)
{
    unsigned long t = 0;

    for ( unsigned int node = 0; node < h->nr_nodes; node++ )
        t += h->node_need_scrub[node];
    return t;
}

void host_scrub_wait(struct host *h)
{
    pthread_mutex_lock(&h->heap_lock);
    if ( !h->nr_scrubbers )
    {
        /* No workers: the caller is the idle CPU. */
        while ( need_scrub_total(h) &&
                scrub_free_pages(h, 0 /* the spare record */) )
            ;
    }
    else
    {
        while ( need_scrub_total(h) || h->scrub_busy )
        {
            pthread_cond_broadcast(&h->scrub_cv);
            timed_wait(&h->scrub_done_cv, &h->heap_lock, 5000000L);
        }
    }
    pthread_mutex_unlock(&h->heap_lock);
}
