/*
 * src/hostspec/synth.c - building the parts of a spec a source does not
 * spell out: RAM ranges from per-node sizes, CPUs from a socket/core/thread
 * count, a uniform distance matrix.  Presets, the JSON "memory" shorthand,
 * `xl info` text and /sys all come through here, so they agree on layout.
 */
#include <inttypes.h>

#include "hostspec/internal.h"

void hostspec_uniform_distances(struct hostspec *hs, uint32_t remote)
{
    for ( unsigned int i = 0; i < HOSTSPEC_MAX_NODES; i++ )
        for ( unsigned int j = 0; j < HOSTSPEC_MAX_NODES; j++ )
            hs->distance[i][j] = i == j ? HOSTSPEC_DIST_LOCAL : remote;
}

int hostspec_place_cpus(struct hostspec *hs, unsigned int sockets,
                        unsigned int cores_per_socket,
                        unsigned int threads_per_core,
                        char *err, size_t errlen)
{
    unsigned int nodes = hs->nr_nodes, per = 1, cpu = 0;
    uint64_t nr = (uint64_t)sockets * cores_per_socket * threads_per_core;

    if ( !sockets || !cores_per_socket || !threads_per_core )
        return hostspec_err(err, errlen,
                            "sockets, cores_per_socket and threads_per_core "
                            "must all be at least 1");
    if ( nr > HOSTSPEC_MAX_CPUS )
        return hostspec_err(err, errlen,
                            "%u x %u x %u = %" PRIu64 " CPUs; xenmm models "
                            "at most %u", sockets, cores_per_socket,
                            threads_per_core, nr, HOSTSPEC_MAX_CPUS);
    if ( !nodes )
        return hostspec_err(err, errlen, "no nodes to put CPUs on");
    if ( sockets >= nodes )
    {
        /* One or more whole sockets per node. */
        if ( sockets % nodes )
            return hostspec_err(err, errlen,
                                "%u sockets do not divide evenly among %u "
                                "nodes", sockets, nodes);
        per = sockets / nodes;
    }
    else
    {
        /* Several nodes (dies) per socket, each with a share of cores. */
        if ( nodes % sockets )
            return hostspec_err(err, errlen,
                                "%u nodes do not divide evenly among %u "
                                "sockets", nodes, sockets);
        per = nodes / sockets;
        if ( cores_per_socket % per )
            return hostspec_err(err, errlen,
                                "%u cores per socket do not divide evenly "
                                "among the %u nodes of a socket",
                                cores_per_socket, per);
    }

    for ( unsigned int s = 0; s < sockets; s++ )
        for ( unsigned int c = 0; c < cores_per_socket; c++ )
            for ( unsigned int t = 0; t < threads_per_core; t++ )
            {
                struct hostspec_cpu *p = &hs->cpu[cpu++];

                p->socket = s;
                p->core = c;
                if ( sockets >= nodes )
                    p->node = s / per;
                else
                    p->node = s * per + c / (cores_per_socket / per);
            }
    hs->nr_cpus = cpu;
    return 0;
}

static int hostspec_add_range(struct hostspec_node *n, unsigned int node,
                              uint64_t start, uint64_t end, char *err,
                              size_t errlen)
{
    if ( start >= end )
        return 0;
    if ( n->nr_ranges &&
         n->range[n->nr_ranges - 1].end == start )
    {
        n->range[n->nr_ranges - 1].end = end;
        return 0;
    }
    if ( n->nr_ranges >= HOSTSPEC_MAX_NODE_RANGES )
        return hostspec_err(err, errlen, "node %u needs more than %u ranges",
                            node, HOSTSPEC_MAX_NODE_RANGES);
    n->range[n->nr_ranges].start = start;
    n->range[n->nr_ranges].end = end;
    n->nr_ranges++;
    return 0;
}

int hostspec_synth_ranges(struct hostspec *hs, const uint64_t *size,
                          unsigned int nr, bool spans, uint64_t hole_start,
                          char *err, size_t errlen)
{
    const uint64_t hole_end = HOSTSPEC_4GIB;
    bool hole = hole_start < hole_end;
    uint64_t cursor = 0;

    if ( nr < 1 || nr > HOSTSPEC_MAX_NODES )
        return hostspec_err(err, errlen, "%u nodes; xenmm models 1 to %u",
                            nr, HOSTSPEC_MAX_NODES);
    hs->nr_nodes = nr;
    for ( unsigned int i = 0; i < nr; i++ )
    {
        struct hostspec_node *n = &hs->node[i];
        uint64_t left = size[i];

        n->nr_ranges = 0;
        /* Anything past 2^62 fails validation anyway; keep sums exact. */
        if ( left > (1ULL << 62) || cursor > (1ULL << 62) )
            return hostspec_err(err, errlen,
                                "node %u: memory layout passes 2^62 bytes", i);
        if ( spans )
        {
            uint64_t end = cursor + left;

            if ( !hole )
            {
                if ( hostspec_add_range(n, i, cursor, end, err, errlen) )
                    return -1;
            }
            else if ( hostspec_add_range(n, i, cursor,
                                         end < hole_start ? end : hole_start,
                                         err, errlen) ||
                      hostspec_add_range(n, i,
                                         cursor > hole_end ? cursor : hole_end,
                                         end, err, errlen) )
                return -1;
            cursor = end;
            continue;
        }
        while ( left )
        {
            uint64_t limit = UINT64_MAX, chunk;

            if ( hole && cursor >= hole_start && cursor < hole_end )
                cursor = hole_end;
            if ( hole && cursor < hole_start )
                limit = hole_start;
            chunk = limit - cursor < left ? limit - cursor : left;
            if ( hostspec_add_range(n, i, cursor, cursor + chunk, err,
                                    errlen) )
                return -1;
            cursor += chunk;
            left -= chunk;
        }
    }
    return 0;
}
