/*
 * vcpus.c - the pre-build steps of XenServer's xenguest (§1.5):
 *
 * - configure_vcpus: each platform/vcpu/<n>/affinity string becomes the
 *   vCPU's hard affinity (character j '1': pCPU j allowed; characters
 *   past the cpumap are ignored).  Xen then recomputes the domain's node
 *   affinity from its vCPUs' (domain_update_node_affinity), which steers
 *   the memory the build allocates next.  Then the credit scheduler's
 *   weight and cap, where non-zero; a failed get means another scheduler
 *   and is only logged.
 * - configure_tsc: xc_domain_set_tsc_info(tsc_mode, 0, 0, 0).
 * - hvm_safety_check (skipped with -force): PoD excludes nested virt and
 *   PCI passthrough; shadow paging excludes nested virt.
 */
#include <stdlib.h>
#include <string.h>

#include "xenguest.h"

void xg_configure_vcpus(struct xg_ctx *ctx, const struct xg_flags *f)
{
    struct xen_domctl_sched_credit sdom;
    int size = xc_get_cpumap_size(ctx->xch);

    if ( size <= 0 )
        xg_failwith_xc(ctx, "xc_get_cpumap_size");
    for ( unsigned int i = 0; i < f->vcpus; i++ )
    {
        xc_cpumap_t map;
        int r;

        if ( !f->vcpu_affinity[i] )
            continue;
        map = xc_cpumap_alloc(ctx->xch);
        if ( !map )
            xg_failwith_xc(ctx, "xc_cpumap_alloc");
        xg_affinity_to_cpumap(f->vcpu_affinity[i], map, size * 8);
        r = xc_vcpu_setaffinity(ctx->xch, ctx->domid, i, map, NULL,
                                XEN_VCPUAFFINITY_HARD);
        free(map);
        if ( r )
            xg_failwith_xc(ctx, "xc_vcpu_setaffinity");
    }

    if ( xc_sched_credit_domain_get(ctx->xch, ctx->domid, &sdom) )
    {
        xg_info("Failed to get credit scheduler parameters: scheduler not "
                "enabled?\n");
        return;
    }
    if ( f->vcpu_weight )
        sdom.weight = f->vcpu_weight;
    if ( f->vcpu_cap )
        sdom.cap = f->vcpu_cap;
    /* The get worked, so a failure here needs looking into: fatal. */
    if ( xc_sched_credit_domain_set(ctx->xch, ctx->domid, &sdom) )
        xg_failwith_xc(ctx, "xc_sched_credit_domain_set");
}

void xg_configure_tsc(struct xg_ctx *ctx, const struct xg_flags *f)
{
    if ( xc_domain_set_tsc_info(ctx->xch, ctx->domid, f->tsc_mode, 0, 0, 0) )
        xg_failwith_xc(ctx, "xc_domain_set_tsc_info");
}

void xg_hvm_safety_check(struct xg_ctx *ctx, const struct xg_flags *f,
                         bool pod)
{
    const char *why = NULL;

    if ( ctx->o->force )
    {
        xg_info("--force in effect - skipping safety checks\n");
        return;
    }
    if ( pod && f->nested_virt )
        why = "Populate on Demand and Nested Virtualisation are mutually "
              "exclusive";
    else if ( pod && ctx->o->pci_passthrough )
        why = "Populate on Demand and PCI Passthrough are mutually exclusive";
    else if ( !(f->dominfo.flags & XEN_DOMINF_hap) && f->nested_virt )
        why = "Shadow Paging and Nested Virtualisation are mutually "
              "exclusive";
    if ( !why )
        return;
    xg_err("%s\n", why);
    xg_info("Safety checks failed.  Aborting domain build\n");
    exit(1);
}
