/*
 * src/hostspec/validate.c - hostspec_validate(): is this a host xenmm can
 * boot?  Messages name the field with the JSON host file's paths
 * (nodes[1].ranges[0], cpus[3].node, distances[0][1], xen.dma_bits) so a
 * loader only has to put the file name in front.
 */
#include <inttypes.h>

#include "hostspec/internal.h"

#define R "[%#" PRIx64 ", %#" PRIx64 ")"

static int hostspec_validate_ranges(const struct hostspec *hs, char *err,
                                    size_t errlen)
{
    const struct hostspec_range *prev = NULL;
    unsigned int prev_node = 0, prev_idx = 0;

    for ( unsigned int n = 0; n < hs->nr_nodes; n++ )
    {
        const struct hostspec_node *node = &hs->node[n];

        if ( node->nr_ranges > HOSTSPEC_MAX_NODE_RANGES )
            return hostspec_err(err, errlen,
                                "nodes[%u].ranges: %u ranges, at most %u",
                                n, node->nr_ranges, HOSTSPEC_MAX_NODE_RANGES);
        for ( unsigned int i = 0; i < node->nr_ranges; i++ )
        {
            const struct hostspec_range *r = &node->range[i];

            if ( (r->start | r->end) & (PAGE_SIZE - 1) )
                return hostspec_err(err, errlen,
                                    "nodes[%u].ranges[%u]: " R " is not "
                                    "page-aligned (4 KiB)",
                                    n, i, r->start, r->end);
            if ( r->start >= r->end )
                return hostspec_err(err, errlen,
                                    "nodes[%u].ranges[%u]: start %#" PRIx64
                                    " is not below end %#" PRIx64,
                                    n, i, r->start, r->end);
            if ( r->end > HOSTSPEC_MAX_PADDR )
                return hostspec_err(err, errlen,
                                    "nodes[%u].ranges[%u]: " R " ends past "
                                    "16 TiB, the most xenmm can emulate "
                                    "(page-list links are 32-bit frame "
                                    "numbers, as in Xen's page_list_entry)",
                                    n, i, r->start, r->end);
            if ( prev && r->start < prev->end )
            {
                if ( r->end > prev->start )
                    return hostspec_err(err, errlen,
                                        "nodes[%u].ranges[%u]: " R
                                        " overlaps nodes[%u].ranges[%u] " R,
                                        n, i, r->start, r->end, prev_node,
                                        prev_idx, prev->start, prev->end);
                return hostspec_err(err, errlen,
                                    "nodes[%u].ranges[%u]: " R " is below "
                                    "nodes[%u].ranges[%u] " R ": ranges must "
                                    "ascend in address order, node by node",
                                    n, i, r->start, r->end, prev_node,
                                    prev_idx, prev->start, prev->end);
            }
            prev = r;
            prev_node = n;
            prev_idx = i;
        }
    }
    if ( !prev )
        return hostspec_err(err, errlen, "nodes: the host has no RAM");
    return 0;
}

static int hostspec_validate_cpus(const struct hostspec *hs, char *err,
                                  size_t errlen)
{
    if ( hs->nr_cpus < 1 || hs->nr_cpus > HOSTSPEC_MAX_CPUS )
        return hostspec_err(err, errlen,
                            "cpus: %u CPUs; xenmm models 1 to %u",
                            hs->nr_cpus, HOSTSPEC_MAX_CPUS);
    for ( unsigned int i = 0; i < hs->nr_cpus; i++ )
        if ( hs->cpu[i].node >= hs->nr_nodes )
            return hostspec_err(err, errlen,
                                "cpus[%u].node: node %u does not exist "
                                "(the host has %u node%s)",
                                i, hs->cpu[i].node, hs->nr_nodes,
                                hs->nr_nodes == 1 ? "" : "s");
    return 0;
}

static int hostspec_validate_distances(const struct hostspec *hs, char *err,
                                       size_t errlen)
{
    for ( unsigned int i = 0; i < hs->nr_nodes; i++ )
        for ( unsigned int j = 0; j < hs->nr_nodes; j++ )
        {
            uint32_t d = hs->distance[i][j];

            if ( i == j && d != HOSTSPEC_DIST_LOCAL )
                return hostspec_err(err, errlen,
                                    "distances[%u][%u]: %u; a node's distance "
                                    "to itself must be %u",
                                    i, j, d, HOSTSPEC_DIST_LOCAL);
            if ( i != j && d <= HOSTSPEC_DIST_LOCAL &&
                 d != HOSTSPEC_DISTANCE_UNREACHABLE )
                return hostspec_err(err, errlen,
                                    "distances[%u][%u]: %u; a remote distance "
                                    "must be above %u (or 0xFFFFFFFF for "
                                    "unreachable)",
                                    i, j, d, HOSTSPEC_DIST_LOCAL);
        }
    return 0;
}

static int hostspec_validate_opts(const struct hostspec *hs, char *err,
                                  size_t errlen)
{
    const struct hostspec_xen_opts *o = &hs->xen;

    if ( o->bootscrub > BOOTSCRUB_IDLE )
        return hostspec_err(err, errlen, "xen.bootscrub: bad value %d",
                            (int)o->bootscrub);
    if ( !o->bootscrub_chunk || (o->bootscrub_chunk & (PAGE_SIZE - 1)) )
        return hostspec_err(err, errlen,
                            "xen.bootscrub_chunk: %" PRIu64 " bytes is not a "
                            "non-zero multiple of 4 KiB", o->bootscrub_chunk);
    if ( o->dma_bits > 64 )
        return hostspec_err(err, errlen,
                            "xen.dma_bits: %u; must be 0 (Xen's default) to 64",
                            o->dma_bits);
    if ( o->heap_model > HEAP_SPLIT )
        return hostspec_err(err, errlen, "xen.heap: bad value %d",
                            (int)o->heap_model);
    if ( o->xenheap_size & (PAGE_SIZE - 1) )
        return hostspec_err(err, errlen,
                            "xen.xenheap_megabytes: %" PRIu64 " bytes is not "
                            "a multiple of 4 KiB", o->xenheap_size);
    if ( hostspec_xenheap_bytes(o) >= hostspec_total_ram_bytes(hs) )
        return hostspec_err(err, errlen,
                            "xen.xenheap_megabytes: %" PRIu64 " MiB of Xen "
                            "heap leaves no RAM for domains (the host has %"
                            PRIu64 " MiB)", hostspec_xenheap_bytes(o) >> 20,
                            hostspec_total_ram_bytes(hs) >> 20);
    if ( o->directmap_size & (PAGE_SIZE - 1) )
        return hostspec_err(err, errlen,
                            "xen.directmap: %" PRIu64 " bytes is not a "
                            "multiple of 4 KiB", o->directmap_size);
    if ( o->claim_policy > CLAIM_4_21 )
        return hostspec_err(err, errlen, "xen.claim_policy: bad value %d",
                            (int)o->claim_policy);
    if ( o->scrub_threads > hs->nr_cpus )
        return hostspec_err(err, errlen,
                            "xen.scrub_threads: %u, but the host has %u CPU%s",
                            o->scrub_threads, hs->nr_cpus,
                            hs->nr_cpus == 1 ? "" : "s");
    return 0;
}

int hostspec_validate(const struct hostspec *hs, char *err, size_t errlen)
{
    if ( hs->nr_nodes < 1 || hs->nr_nodes > HOSTSPEC_MAX_NODES )
        return hostspec_err(err, errlen,
                            "nodes: %u nodes; xenmm models 1 to %u "
                            "(MAX_NUMNODES)", hs->nr_nodes,
                            HOSTSPEC_MAX_NODES);
    if ( hostspec_validate_ranges(hs, err, errlen) ||
         hostspec_validate_cpus(hs, err, errlen) ||
         hostspec_validate_distances(hs, err, errlen) ||
         hostspec_validate_opts(hs, err, errlen) )
        return -1;
    return 0;
}
