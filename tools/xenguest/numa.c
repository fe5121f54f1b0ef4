/*
 * numa.c - -mem_pnode N: all of the guest's memory from NUMA node N.
 *
 * xenopsd passes -mem_pnode after its NUMA placement staked a claim on a
 * single node (xen-toolstack.md §4.3-4.4).  XenServer's newer xenguest
 * hands the node to libxenguest as dom->memflags (Xen 4.22), which
 * meminit ORs into every populate call.  Debian's 4.17 libxenguest has no
 * memflags, but its meminit_hvm and meminit_pv already pass
 * XENMEMF_exact_node(pnode) for every range of a vNUMA layout.  So:
 *
 * 1. Before the build (xg_numa_prepare): N must be an online node; it
 *    becomes the domain's node affinity (xc_domain_node_setaffinity, which
 *    also stops vCPU affinity from changing it).  Every allocation without
 *    an explicit node then starts on N: the PoD cache, the special pages,
 *    ACPI and other pages libxenguest populates after meminit, a PV
 *    guest's page tables.  This is what xenopsd's soft placement relied on
 *    before node claims, and alone it is best effort: Xen falls back to
 *    other nodes when N is short.
 * 2. For the RAM itself (xg_numa_apply, between xc_dom_mem_init and
 *    xc_dom_boot_mem_init): one virtual node covering exactly the ranges
 *    meminit would use ([0, lowmem_end) and [4 GiB, highmem_end) for HVM
 *    and PVH, [0, total_pages) for PV), mapped to physical node N.
 *    meminit then populates every range with XENMEMF_exact_node(N): exact,
 *    and a build that does not fit on N fails in xc_dom_boot_mem_init
 *    instead of spilling.  No guest-visible vNUMA is set up
 *    (xc_domain_setvnuma is not called): libxenguest only allocates from
 *    these fields.
 *
 * Limit: 4.17's meminit_hvm refuses vNUMA ranges together with PoD
 * (mem_start_mib < mem_max_mib), so a PoD guest gets step 1 only.
 */
#include <stdlib.h>
#include <string.h>

#include "xenguest.h"

void xg_numa_prepare(struct xg_ctx *ctx)
{
    int node = ctx->o->mem_pnode;
    xc_physinfo_t pi;
    xc_nodemap_t map;
    int r;

    if ( node < 0 )
        return;
    if ( xc_physinfo(ctx->xch, &pi) )
        xg_failwith_xc(ctx, "xc_physinfo");
    if ( (unsigned int)node >= pi.nr_nodes )
        xg_fatal("xenguest: -mem_pnode %d: the host has %u NUMA nodes\n",
                 node, pi.nr_nodes);
    map = xc_nodemap_alloc(ctx->xch);
    if ( !map )
        xg_failwith_xc(ctx, "xc_nodemap_alloc");
    map[node / 8] |= 1U << (node % 8);
    r = xc_domain_node_setaffinity(ctx->xch, ctx->domid, map);
    free(map);
    if ( r )
        xg_failwith_xc(ctx, "xc_domain_node_setaffinity");
    xg_info("NUMA: memory from node %d (node affinity set)\n", node);
}

void xg_numa_apply(struct xg_ctx *ctx, struct xc_dom_image *dom, bool pod)
{
    int node = ctx->o->mem_pnode;
    xen_vmemrange_t *r;
    unsigned int *v2p, nr = 0;

    if ( node < 0 )
        return;
    if ( pod )
    {
        xg_info("NUMA: populate-on-demand guest: node %d by affinity only "
                "(4.17's meminit takes no vNUMA ranges with PoD)\n", node);
        return;
    }
    r = xc_dom_malloc(dom, 2 * sizeof(*r));
    v2p = xc_dom_malloc(dom, sizeof(*v2p));
    if ( !r || !v2p )
        xg_fatal("xenguest: out of memory\n");
    memset(r, 0, 2 * sizeof(*r));
    if ( dom->container_type == XC_DOM_PV_CONTAINER )
        r[nr++].end = (uint64_t)dom->total_pages << XC_PAGE_SHIFT;
    else
    {
        r[nr++].end = dom->lowmem_end;
        if ( dom->highmem_end > (1ULL << 32) )
        {
            r[nr].start = 1ULL << 32;
            r[nr++].end = dom->highmem_end;
        }
    }
    v2p[0] = node;
    dom->vmemranges = r;
    dom->nr_vmemranges = nr;
    dom->vnode_to_pnode = v2p;
    dom->nr_vnodes = 1;
    xg_info("NUMA: %u range(s) populated with XENMEMF_exact_node(%d)\n", nr,
            node);
}
