/*
 * heap_dump.c - the free heap as a table (FreeBSD's "show freepages"):
 * one line per (node, zone) that has free memory, with the number of free
 * blocks at each order and how many pages are dirty.
 */
#include <stdio.h>

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
