/*
 * numa_dump.c - debug key 'u' (x86 numa.c, dump_numa): the NUMA layout
 * and where each domain's memory is, printed to the console ring as Xen
 * 4.17 prints it:
 *
 *   'u' pressed -> dumping numa info (now = <ns>)
 *   NODE<n> start-><pfn> size-><pages> free-><pages>
 *   CPU<a>...<b> -> NODE<n>            (runs of CPUs on one node)
 *   Memory location of each domain:
 *   Domain <id> (total: <tot_pages>):
 *       Node <n>: <pages>               (every online node)
 *        <v> vnodes, <c> vcpus, guest physical layout:   (vNUMA only)
 *
 * The per-node counts walk the domain's page list, as Xen's does; Xen
 * keeps PGC_extra pages on that list too (here: extra_page_list), and
 * not its Xen-heap pages, so the counts add up to tot_pages.  xenmm's
 * lists hold block heads, each counted as 2^order pages of its node
 * (a block never spans nodes).  "now" is system time (time.c: the host
 * process's CLOCK_MONOTONIC).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "core.h"

static bool node_online(const struct host *h, unsigned int node)
{
    return h->node_online_map & (1ULL << node);
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void count_list(struct host *h, const struct page_list_head *list,
                       unsigned long *per_node)
{
    const struct page_info *pg;

    for ( pg = page_list_first(h, list); pg; pg = page_list_next(h, pg) )
        per_node[page_to_nid(h, pg)] += 1UL << pg->u.inuse.order;
}

/* The vNUMA part of a domain's entry; vnuma_rwlock taken by trylock. */
static void dump_vnuma(struct host *h, struct domain *d)
{
    const struct vnuma_info *vnuma;
    unsigned int i, j;

    if ( pthread_rwlock_tryrdlock(&d->vnuma_rwlock) )
        return;
    vnuma = d->vnuma;
    if ( !vnuma )
    {
        pthread_rwlock_unlock(&d->vnuma_rwlock);
        return;
    }
    printk(h, "     %u vnodes, %u vcpus, guest physical layout:\n",
           vnuma->nr_vnodes, d->max_vcpus);
    for ( i = 0; i < vnuma->nr_vnodes; i++ )
    {
        unsigned int start_cpu = ~0U;
        char line[512];
        int n;

        if ( vnuma->vnode_to_pnode[i] == NUMA_NO_NODE )
            n = snprintf(line, sizeof(line), "       %3u: pnode ???,", i);
        else
            n = snprintf(line, sizeof(line), "       %3u: pnode %3u,", i,
                         vnuma->vnode_to_pnode[i]);
        n += snprintf(line + n, sizeof(line) - n, " vcpus ");
        for ( j = 0; j < d->max_vcpus && (size_t)n < sizeof(line); j++ )
        {
            if ( vnuma->vcpu_to_vnode[j] == i )
            {
                if ( start_cpu == ~0U )
                {
                    n += snprintf(line + n, sizeof(line) - n, "%u", j);
                    start_cpu = j;
                }
            }
            else if ( start_cpu != ~0U )
            {
                if ( j - 1 != start_cpu )
                    n += snprintf(line + n, sizeof(line) - n, "-%u ", j - 1);
                else
                    n += snprintf(line + n, sizeof(line) - n, " ");
                start_cpu = ~0U;
            }
        }
        if ( start_cpu != ~0U && start_cpu != j - 1 &&
             (size_t)n < sizeof(line) )
            snprintf(line + n, sizeof(line) - n, "-%u", j - 1);
        printk(h, "%s\n", line);
        for ( j = 0; j < vnuma->nr_vmemranges; j++ )
            if ( vnuma->vmemrange[j].nid == i )
                printk(h, "           %016" PRIx64 " - %016" PRIx64 "\n",
                       vnuma->vmemrange[j].start, vnuma->vmemrange[j].end);
    }
    pthread_rwlock_unlock(&d->vnuma_rwlock);
}

void dump_numa(struct host *h, unsigned char key)
{
    unsigned long per_node[MAX_NUMNODES];
    unsigned int i, j, n, id;
    struct domain *d;

    printk(h, "'%c' pressed -> dumping numa info (now = %" PRId64 ")\n", key,
           now_ns());

    for ( i = 0; i < MAX_NUMNODES; i++ )
    {
        unsigned long pfn = h->node_start_pfn[i] + 1;

        if ( !node_online(h, i) )
            continue;
        printk(h, "NODE%u start->%lu size->%lu free->%lu\n", i,
               h->node_start_pfn[i], h->node_spanned_pages[i],
               avail_node_heap_pages(h, i));
        /* Xen's sanity check of phys_to_nid(). */
        if ( h->node_spanned_pages[i] && pfn < h->max_page &&
             mfn_to_nid(h, _mfn(pfn)) != i )
            printk(h, "phys_to_nid(%#lx) -> %u should be %u\n",
                   pfn << PAGE_SHIFT, mfn_to_nid(h, _mfn(pfn)), i);
    }

    j = 0;
    n = 0;
    for ( i = 0; i < nr_cpu_ids(h); i++ )
    {
        if ( i != j + n || cpu_to_node(h, j) != cpu_to_node(h, i) )
        {
            if ( n > 1 )
                printk(h, "CPU%u...%u -> NODE%u\n", j, j + n - 1,
                       cpu_to_node(h, j));
            else
                printk(h, "CPU%u -> NODE%u\n", j, cpu_to_node(h, j));
            j = i;
            n = 1;
        }
        else
            ++n;
    }
    if ( n > 1 )
        printk(h, "CPU%u...%u -> NODE%u\n", j, j + n - 1, cpu_to_node(h, j));
    else
        printk(h, "CPU%u -> NODE%u\n", j, cpu_to_node(h, j));

    printk(h, "Memory location of each domain:\n");
    /* Each domain held by a reference; domlist_lock is a leaf lock. */
    for ( id = 0; (d = get_domain_from(h, id)) != NULL; put_domain(d) )
    {
        id = d->domain_id + 1;
        printk(h, "Domain %u (total: %u):\n", d->domain_id,
               domain_tot_pages(d));
        for ( i = 0; i < MAX_NUMNODES; i++ )
            per_node[i] = 0;
        pthread_mutex_lock(&d->page_alloc_lock);
        count_list(h, &d->page_list, per_node);
        count_list(h, &d->extra_page_list, per_node);
        pthread_mutex_unlock(&d->page_alloc_lock);
        for ( i = 0; i < MAX_NUMNODES; i++ )
            if ( node_online(h, i) )
                printk(h, "    Node %u: %lu\n", i, per_node[i]);
        dump_vnuma(h, d);
    }
}
