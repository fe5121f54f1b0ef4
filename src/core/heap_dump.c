/*
 * heap_dump.c - the free heap as a table (FreeBSD's "show freepages"):
 * one line per (node, zone) that has free memory, with the number of free
 * blocks at each order and how many pages are dirty.
 *
 * And debug key 'H' (page_alloc.c dump_heap), on the console ring as Xen
 * 4.17 prints it: every zone of every node that has a heap,
 *   heap[node=<n>][zone=<z>] -> <pages> pages
 * then, for each node with pages still to scrub,
 *   Node <n> has <pages> unscrubbed pages
 * Xen reads the counters without heap_lock; xenmm takes it (the values
 * are the same, and no torn read is possible).
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "core.h"

void heap_dump(struct host *h, void (*out)(void *ctx, const char *line), void *ctx)
{
    char line[1024];
    unsigned int node, zone, order;
    int n;

    n = snprintf(line, sizeof(line), "node zone %10s %10s ", "free", "dirty");
    for ( order = 0; order <= MAX_ORDER; order++ )
        n += snprintf(line + n, sizeof(line) - n, " o%-4u", order);
    out(ctx, line);

    pthread_mutex_lock(&h->heap_lock);
    for ( node = 0; node < MAX_NUMNODES; node++ )
    {
        if ( !h->_heap[node] )
            continue;
        for ( zone = 0; zone < NR_ZONES; zone++ )
        {
            unsigned long dirty = 0;

            if ( !h->avail[node][zone] )
                continue;
            for ( order = 0; order <= MAX_ORDER; order++ )
            {
                const struct page_info *pg;

                for ( pg = page_list_first(h, &heap(h, node, zone, order)); pg;
                      pg = page_list_next(h, pg) )
                    dirty += block_dirty_count(h, pg, order);
            }
            n = snprintf(line, sizeof(line), "%4u %4u %10lu %10lu ", node, zone,
                         h->avail[node][zone], dirty);
            for ( order = 0; order <= MAX_ORDER; order++ )
            {
                unsigned long cnt = 0;
                const struct page_info *pg;

                for ( pg = page_list_first(h, &heap(h, node, zone, order)); pg;
                      pg = page_list_next(h, pg) )
                    cnt++;
                n += snprintf(line + n, sizeof(line) - n, " %-5lu", cnt);
            }
            out(ctx, line);
        }
    }
    pthread_mutex_unlock(&h->heap_lock);
}

void dump_heap(struct host *h, unsigned char key)
{
    unsigned long avail[MAX_NUMNODES][NR_ZONES], need_scrub[MAX_NUMNODES];
    bool has_heap[MAX_NUMNODES];
    struct timespec ts;
    int i, j;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    pthread_mutex_lock(&h->heap_lock);
    for ( i = 0; i < MAX_NUMNODES; i++ )
    {
        has_heap[i] = h->_heap[i] != NULL;
        need_scrub[i] = h->node_need_scrub[i];
        for ( j = 0; j < NR_ZONES; j++ )
            avail[i][j] = h->avail[i][j];
    }
    pthread_mutex_unlock(&h->heap_lock);

    printk(h, "'%c' pressed -> dumping heap info (now = %" PRId64 ")\n", key,
           (int64_t)((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec));
    for ( i = 0; i < MAX_NUMNODES; i++ )
    {
        if ( !has_heap[i] )
            continue;
        for ( j = 0; j < NR_ZONES; j++ )
            printk(h, "heap[node=%d][zone=%d] -> %lu pages\n", i, j,
                   avail[i][j]);
    }
    for ( i = 0; i < MAX_NUMNODES; i++ )
    {
        if ( !need_scrub[i] )
            continue;
        printk(h, "Node %d has %lu unscrubbed pages\n", i, need_scrub[i]);
    }
}
