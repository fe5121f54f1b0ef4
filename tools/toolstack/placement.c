/*
 * placement.c - xenopsd's best-effort NUMA placement and its claims
 * (ocaml/xenopsd/xc/domain.ml numa_placement and build_pre,
 * lib/topology.ml, lib/softaffinity.ml; xen-toolstack.md §4.1-4.3):
 *
 * Topology (NUMA.make): distances from numainfo, CPU -> node and the
 * number of distinct cores per node from cputopoinfo.  A SLIT whose
 * diagonal is not 10 or has entries below 10 disables NUMA placement.
 * Candidates: every non-empty node set (single nodes only beyond 16
 * nodes), sorted by (largest distance, average distance) inside the set.
 *
 * Under the global numa_mutex, for a VM asking for build_claim_pages of
 * memory, its vCPUs and (best_effort, best_effort_hard) as many cores:
 * each node offers its CPUs, cores and free - claimed memory; a candidate
 * set is valid when the request, shrunk by each node in turn, is
 * satisfied; the valid sets at the best average distance compete, and the
 * one whose nodes have been chosen least often (NUMA.choose's usage
 * counters, never decremented) wins.  A plan of exactly one node claims
 * the memory on that node (XenServer's xc_domain_claim_pages_node:
 * XENMEM_claim_pages with XENMEMF_exact_node): on success the vCPUs get
 * soft (or hard) affinity to the node's CPUs and xenguest gets
 * -mem_pnode; ENOMEM means no placement; any other error (a hypervisor
 * without node claims) sets the affinity anyway, without -mem_pnode.
 * Without a single-node placement build_pre claims host-wide
 * (xc_domain_claim_pages): ENOMEM fails the build, other errors are
 * ignored.  Hard affinity from the VM's config skips all of this, claim
 * included; so does the "any" policy.
 *
 * Per-node claims: xenopsd reads them with XenServer's
 * XEN_SYSCTL_numa_meminfo.  Xen 4.17 has no such sysctl, so this
 * toolstack sums the outstanding claims (getdomaininfo) of the domains
 * it claimed on each node itself - the same figure on a host where it is
 * the only toolstack.
 *
 * xenmm's extension: a VM's node=N restricts the candidates to {N}.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toolstack.h"
#include <xen/memory.h>

#define SELF_DISTANCE       10
#define MAX_VALID_DISTANCE  0xFF

static bool unreachable(unsigned int d)
{
    return d > MAX_VALID_DISTANCE;
}

struct cand_sort {
    uint64_t set;
    unsigned int max;
    double avg;
    unsigned int index;                 /* generation order: stable sort */
};

static int cand_cmp(const void *a, const void *b)
{
    const struct cand_sort *x = a, *y = b;

    if ( x->max != y->max )
        return x->max < y->max ? -1 : 1;
    if ( x->avg != y->avg )
        return x->avg < y->avg ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* gen_candidates: every subset up to 16 valid nodes, else single nodes. */
static int gen_candidates(struct topology *t)
{
    unsigned int valid[TS_MAX_NODES], nv = 0, i, j, k;
    struct cand_sort *c;
    uint64_t nsets;

    for ( i = 0; i < t->nr_nodes; i++ )
        if ( !unreachable(t->distance[i][i]) )
            valid[nv++] = i;
    nsets = nv > 16 ? nv : (1ULL << nv) - 1;
    c = calloc(nsets, sizeof(*c));
    t->candidates = calloc(nsets, sizeof(*t->candidates));
    t->candidate_avg = calloc(nsets, sizeof(*t->candidate_avg));
    if ( !c || !t->candidates || !t->candidate_avg )
    {
        free(c);
        return -1;
    }
    for ( uint64_t m = 1; m <= nsets; m++ )
    {
        struct cand_sort *x = &c[m - 1];
        unsigned long sum = 0, count = 0;

        x->index = m - 1;
        if ( nv > 16 )
            x->set = 1ULL << valid[m - 1];
        else
            for ( k = 0; k < nv; k++ )
                if ( m & (1ULL << k) )
                    x->set |= 1ULL << valid[k];
        for ( i = 0; i < t->nr_nodes; i++ )
            for ( j = 0; j < t->nr_nodes; j++ )
                if ( (x->set >> i & 1) && (x->set >> j & 1) )
                {
                    unsigned int d = t->distance[i][j];

                    if ( d > x->max )
                        x->max = d;
                    sum += d;
                    count++;
                }
        x->avg = (double)sum / count;
    }
    qsort(c, nsets, sizeof(*c), cand_cmp);
    for ( uint64_t m = 0; m < nsets; m++ )
    {
        t->candidates[m] = c[m].set;
        t->candidate_avg[m] = c[m].avg;
    }
    t->nr_candidates = nsets;
    free(c);
    return 0;
}

int topology_init(xc_interface *xch, struct topology *t, char *err,
                  size_t errlen)
{
    unsigned int nodes = TS_MAX_NODES, cpus = TS_MAX_CPUS, i, j;
    xc_meminfo_t *mi = calloc(TS_MAX_NODES, sizeof(*mi));
    uint32_t *dist = calloc(TS_MAX_NODES * TS_MAX_NODES, sizeof(*dist));
    xc_cputopo_t *ct = calloc(TS_MAX_CPUS, sizeof(*ct));
    int rc = -1;

    memset(t, 0, sizeof(*t));
    pthread_mutex_init(&t->numa_mutex, NULL);
    if ( !mi || !dist || !ct )
    {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if ( xc_numainfo(xch, &nodes, mi, dist) || xc_cputopoinfo(xch, &cpus, ct) )
    {
        snprintf(err, errlen, "numainfo/cputopoinfo: %s", strerror(errno));
        goto out;
    }
    t->nr_nodes = nodes;
    t->nr_cpus = cpus;
    for ( i = 0; i < nodes; i++ )
        for ( j = 0; j < nodes; j++ )
            t->distance[i][j] = dist[i * nodes + j];
    for ( i = 0; i < cpus; i++ )
    {
        unsigned int n = ct[i].node;

        t->cpu_node[i] = n;
        if ( n < nodes && !unreachable(t->distance[n][n]) )
        {
            bool seen = false;

            t->node_nr_cpus[n]++;
            for ( j = 0; j < i && !seen; j++ )
                seen = ct[j].node == n && ct[j].core == ct[i].core;
            if ( !seen )
                t->node_cores[n]++;
        }
    }
    /* NUMA.make's sanity checks. */
    t->numa_ok = false;
    for ( i = 0; i < nodes; i++ )
        if ( t->node_nr_cpus[i] )
            t->numa_ok = true;
    for ( i = 0; i < nodes && t->numa_ok; i++ )
    {
        unsigned int d = t->distance[i][i];

        if ( !unreachable(d) && d != SELF_DISTANCE )
            t->numa_ok = false;
        for ( j = 0; j < nodes; j++ )
            if ( t->distance[i][j] < SELF_DISTANCE )
                t->numa_ok = false;
    }
    if ( gen_candidates(t) )
    {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    rc = 0;
 out:
    free(mi);
    free(dist);
    free(ct);
    return rc;
}

void topology_free(struct topology *t)
{
    free(t->candidates);
    free(t->candidate_avg);
    t->candidates = NULL;
    t->candidate_avg = NULL;
}

void placement_node_claims(struct run *r, xc_interface *xch, long *claimed,
                           long *host_wide)
{
    xc_physinfo_t pi;
    long on_nodes = 0;

    for ( unsigned int n = 0; n < TS_MAX_NODES; n++ )
        claimed[n] = 0;
    for ( unsigned int i = 0; i < r->sc->nr_vms; i++ )
    {
        struct vm_run *v = &r->vms[i];
        xc_domaininfo_t info;

        if ( v->domid <= 0 || v->destroyed || v->pl.claim_node < 0 ||
             !v->pl.claim_pages )
            continue;
        if ( xc_domain_getinfolist(xch, v->domid, 1, &info) != 1 ||
             info.domain != (domid_t)v->domid )
            continue;
        claimed[v->pl.claim_node] += info.outstanding_pages;
        on_nodes += info.outstanding_pages;
    }
    if ( host_wide )
        *host_wide = xc_physinfo(xch, &pi) ? 0
                     : (long)pi.outstanding_pages - on_nodes;
}

struct plan {
    uint64_t nodes;
    unsigned int usage;
};

/* Softaffinity.plan and NUMA.choose; 0 nodes when nothing fits. */
static struct plan softaffinity_plan(struct run *r, xc_interface *xch,
                                     struct vm_run *v, long cores)
{
    struct topology *t = &r->topo;
    long avail[TS_MAX_NODES], claimed[TS_MAX_NODES];
    unsigned int nodes = TS_MAX_NODES;
    xc_meminfo_t mi[TS_MAX_NODES];
    struct plan best = { 0, ~0U };
    uint64_t best_rev = 0;
    double first_avg = -1;
    long mem = v->mem.build_claim_pages;

    if ( xc_numainfo(xch, &nodes, mi, NULL) )
        return best;
    placement_node_claims(r, xch, claimed, NULL);
    for ( unsigned int n = 0; n < t->nr_nodes; n++ )
    {
        avail[n] = (long)(mi[n].memfree >> XC_PAGE_SHIFT) - claimed[n];
        if ( avail[n] < 0 )
            avail[n] = 0;                       /* NUMAResource.make */
    }
    for ( unsigned int c = 0; c < t->nr_candidates; c++ )
    {
        uint64_t set = t->candidates[c], rev = 0;
        long rmem = mem, rcpus = v->spec->maxvcpus, rcores = cores;
        unsigned int usage = 0;

        if ( v->spec->node >= 0 && set != 1ULL << v->spec->node )
            continue;
        for ( unsigned int n = 0; n < t->nr_nodes; n++ )
        {
            if ( !(set >> n & 1) )
                continue;
            rmem -= avail[n];
            rcpus -= t->node_nr_cpus[n];
            rcores -= t->node_cores[n];
            usage += t->node_usage[n];
        }
        if ( rmem > 0 || rcpus > 0 || rcores > 0 )
            continue;                           /* does not fit */
        if ( first_avg < 0 )
            first_avg = t->candidate_avg[c];
        else if ( fabs(t->candidate_avg[c] - first_avg) >= 1e-3 )
            break;                              /* take_same_distance */
        /* min over (usage, picked nodes, newest first): OCaml's compare. */
        for ( int n = t->nr_nodes - 1; n >= 0; n-- )
            if ( set >> n & 1 )
                rev = (rev << 8) | (uint64_t)(n + 1);
        if ( usage < best.usage || (usage == best.usage && rev < best_rev) )
        {
            best.nodes = set;
            best.usage = usage;
            best_rev = rev;
        }
    }
    if ( best.nodes )
        for ( unsigned int n = 0; n < t->nr_nodes; n++ )
            if ( best.nodes >> n & 1 )
                t->node_usage[n]++;
    return best;
}

/* xc_domain_claim_pages_node (XenServer's libxenctrl patch). */
static int claim_pages_node(xc_interface *xch, uint32_t domid, int node,
                            unsigned long pages)
{
    struct xen_memory_reservation res = {
        .nr_extents = pages,
        .extent_order = 0,
        .mem_flags = XENMEMF_exact_node(node),
        .domid = domid,
    };

    set_xen_guest_handle(res.extent_start, HYPERCALL_BUFFER_NULL);
    return xc_memory_op(xch, XENMEM_claim_pages, &res, sizeof(res)) < 0 ? -1
                                                                         : 0;
}

static int set_node_affinity(struct run *r, xc_interface *xch,
                             struct vm_run *v, int node, bool hard)
{
    xc_cpumap_t map = xc_cpumap_alloc(xch);
    int size = xc_get_cpumap_size(xch), rc = 0;

    if ( !map )
        return -1;
    for ( unsigned int cpu = 0; cpu < r->topo.nr_cpus; cpu++ )
        if ( (int)(cpu / 8) < size && r->topo.cpu_node[cpu] == (unsigned)node )
            map[cpu / 8] |= 1U << (cpu % 8);
    for ( unsigned int i = 0; i < v->spec->maxvcpus && !rc; i++ )
        rc = xc_vcpu_setaffinity(xch, v->domid, i, hard ? map : NULL,
                                 hard ? NULL : map,
                                 hard ? XEN_VCPUAFFINITY_HARD
                                      : XEN_VCPUAFFINITY_SOFT);
    free(map);
    return rc;
}

/* numa_placement: the node xenguest gets, or -1. */
static int numa_placement(struct run *r, xc_interface *xch, struct vm_run *v,
                          char *err, size_t errlen)
{
    enum numa_policy pol = r->sc->policy;
    bool hard = pol == NUMA_BEST_EFFORT_HARD;
    long cores = (pol == NUMA_ANY || pol == NUMA_PRIO_MEM_ONLY) ? 0
                 : v->spec->maxvcpus;
    struct plan p;
    int node = -1, saved;

    if ( !r->topo.numa_ok )
    {
        snprintf(v->pl.note, sizeof(v->pl.note), "no NUMA information");
        return -1;
    }
    p = softaffinity_plan(r, xch, v, cores);
    v->pl.nodes = p.nodes;
    if ( !p.nodes )
    {
        snprintf(v->pl.note, sizeof(v->pl.note), "%s", v->spec->node >= 0 ?
                 "does not fit the node asked for" : "fits no node set");
        return -1;
    }
    if ( p.nodes & (p.nodes - 1) )
    {
        char set[64];

        nodes_str(p.nodes, set, sizeof(set));
        snprintf(v->pl.note, sizeof(v->pl.note),
                 "fits no single node: planned on nodes %s", set);
        return -1;
    }
    node = __builtin_ctzll(p.nodes);
    if ( !claim_pages_node(xch, v->domid, node, v->mem.build_claim_pages) )
    {
        v->pl.claim_node = node;
        v->pl.claim_pages = v->mem.build_claim_pages;
        if ( set_node_affinity(r, xch, v, node, hard) )
        {
            snprintf(err, errlen, "vcpu_setaffinity: %s", strerror(errno));
            return -2;
        }
        snprintf(v->pl.note, sizeof(v->pl.note), "node %d: claimed there, "
                 "%s affinity to its CPUs", node, hard ? "hard" : "soft");
        return node;
    }
    saved = errno;
    if ( saved == ENOMEM )
    {
        snprintf(v->pl.note, sizeof(v->pl.note), "node %d planned, but its "
                 "claim failed (ENOMEM): not on a single node", node);
        return -1;
    }
    if ( set_node_affinity(r, xch, v, node, hard) )
    {
        snprintf(err, errlen, "vcpu_setaffinity: %s", strerror(errno));
        return -2;
    }
    snprintf(v->pl.note, sizeof(v->pl.note), "node %d planned; node claims "
             "unavailable (%s): affinity only", node, strerror(saved));
    return -1;
}

int placement_build_pre(struct run *r, xc_interface *xch, struct vm_run *v,
                        bool hard_affinity, char *err, size_t errlen)
{
    int node;

    v->pl.node = -1;
    v->pl.claim_node = -1;
    v->pl.claim_pages = 0;
    v->pl.nodes = 0;
    if ( r->sc->policy == NUMA_ANY )
    {
        v->pl.how = "none";
        snprintf(v->pl.note, sizeof(v->pl.note), "policy any: no placement, "
                 "no claim");
        return 0;
    }
    if ( hard_affinity )
    {
        v->pl.how = "hard-affinity";
        snprintf(v->pl.note, sizeof(v->pl.note), "hard affinity set: no "
                 "NUMA placement, no claim");
        return 0;
    }
    pthread_mutex_lock(&r->topo.numa_mutex);
    node = numa_placement(r, xch, v, err, errlen);
    if ( node >= 0 )
    {
        v->pl.how = "node";
        v->pl.node = node;
    }
    else if ( node == -1 )
    {
        char why[96];

        /* The global claim: always claim when placing. */
        snprintf(why, sizeof(why), "%.95s", v->pl.note);
        v->pl.how = v->pl.nodes ? "spans" : "host";
        if ( !xc_domain_claim_pages(xch, v->domid, v->mem.build_claim_pages) )
        {
            v->pl.claim_pages = v->mem.build_claim_pages;
            snprintf(v->pl.note, sizeof(v->pl.note), "%s; host-wide claim",
                     why);
        }
        else if ( errno == ENOMEM )
        {
            snprintf(err, errlen, "%s; host-wide claim of %ld pages: ENOMEM "
                     "(free minus others' claims is less)", why,
                     v->mem.build_claim_pages);
            node = -2;
        }
        else
            snprintf(v->pl.note, sizeof(v->pl.note), "%s; no claim (%s)", why,
                     strerror(errno));
    }
    pthread_mutex_unlock(&r->topo.numa_mutex);
    return node == -2 ? -1 : 0;
}
