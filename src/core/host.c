/*
 * host.c - a booted host's reports (what XEN_SYSCTL_physinfo and
 * XEN_SYSCTL_numainfo return) and its teardown.  Booting is setup.c.
 */
#include <stdlib.h>

#include "core.h"
#include "arch_domain.h"

const struct hostspec *host_spec(const struct host *h)
{
    return h->spec;
}

void host_get_physinfo(struct host *h, struct host_physinfo *pi)
{
    const struct hostspec *hs = h->spec;
    unsigned int c, threads = 0, socket_cpus = 0, node;
    uint64_t free_pages, outstanding;

    /* As Xen: the topology of CPU 0's core and socket. */
    for ( c = 0; c < hs->nr_cpus; c++ )
    {
        if ( hs->cpu[c].socket != hs->cpu[0].socket )
            continue;
        socket_cpus++;
        if ( hs->cpu[c].core == hs->cpu[0].core )
            threads++;
    }
    pi->threads_per_core = threads ? threads : 1;
    pi->cores_per_socket = socket_cpus / pi->threads_per_core;
    pi->nr_cpus = hs->nr_cpus;
    pi->max_cpu_id = hs->nr_cpus - 1;
    pi->nr_nodes = hs->nr_nodes;
    pi->max_node_id = MAX_NUMNODES - 1;     /* as Xen: not nr_nodes - 1 */
    pi->cpu_khz = hs->cpu_khz;
    pi->total_pages = h->total_pages;
    get_outstanding_claims(h, &free_pages, &outstanding);
    pi->free_pages = free_pages;
    pi->outstanding_pages = outstanding;
    pi->scrub_pages = 0;   /* Xen always reports 0 */
    /* get_upper_mfn_bound(): max_page, capped at 2^32 without BIGMEM. */
    pi->max_mfn = (h->max_page < (1UL << 32) ? h->max_page : (1UL << 32)) - 1;
    pi->need_scrub_pages = 0;
    pthread_mutex_lock(&h->heap_lock);
    for ( node = 0; node < h->nr_nodes; node++ )
        pi->need_scrub_pages += h->node_need_scrub[node];
    pthread_mutex_unlock(&h->heap_lock);
}

void host_get_numainfo(struct host *h, unsigned int node, struct host_numainfo *ni)
{
    ni->memsize = ni->memfree = ni->need_scrub_pages = ni->claimed_pages = 0;
    if ( node >= h->nr_nodes )
        return;
    ni->memsize = (uint64_t)h->node_spanned_pages[node] << PAGE_SHIFT;
    ni->memfree = (uint64_t)avail_node_heap_pages(h, node) << PAGE_SHIFT;
    pthread_mutex_lock(&h->heap_lock);
    ni->need_scrub_pages = h->node_need_scrub[node];
    ni->claimed_pages = h->node_outstanding_claims[node];
    pthread_mutex_unlock(&h->heap_lock);
}

void host_destroy(struct host *h)
{
    unsigned int i;

    if ( !h )
        return;
    scrub_stop(h);
    if ( h->domains )
    {
        for ( i = 0; i < DOMID_FIRST_RESERVED; i++ )
            if ( h->domains[i] )
                domain_free_at_teardown(h->domains[i]);
        free(h->domains);
    }
    cpu_policies_destroy(h);
    for ( i = 0; i < MAX_NUMNODES; i++ )
        free(h->_heap[i]);
    free(h->memnodemap);
    os_unmap_sparse(h->frame_table, h->frame_table_bytes);
    os_unmap_sparse(h->dirty_bitmap, h->dirty_bitmap_bytes);
    os_unmap_sparse(h->m2p, h->m2p_bytes);
    os_ram_destroy(&h->ram);
    pthread_mutex_destroy(&h->heap_lock);
    pthread_mutex_destroy(&h->domlist_lock);
    pthread_mutex_destroy(&h->domctl_lock);
    pthread_mutex_destroy(&h->sysctl_lock);
    pthread_mutex_destroy(&h->console_lock);
    free(h->conring);
    pthread_cond_destroy(&h->scrub_cv);
    pthread_cond_destroy(&h->scrub_done_cv);
    free(h->spec);
    free(h);
}
