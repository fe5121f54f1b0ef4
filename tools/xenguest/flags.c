/*
 * flags.c - get_flags(): the domain's type from getdomaininfo and the
 * platform keys xenopsd wrote under /local/domain/<domid>/platform, read
 * as XenServer's xenguest reads them (xen-toolstack.md §1.4):
 *
 * - vcpu/number, vcpu/<n>/affinity (one character per pCPU), vcpu/current,
 *   vcpu/weight, vcpu/cap;
 * - nx, pae, apic, viridian and its sub-features (stimer forced on for a
 *   vGPU VM with time_ref_count or reference_tsc and no explicit stimer),
 *   tsc_mode, x87-fip-width, nomigrate (forced by nested virt);
 * - cores-per-socket (HVM only; must divide vcpu/number, else exit);
 * - nested-virt, falling back to exp-nested-hvm;
 * - acpi, acpi_s3, acpi_s4 through hvmloader_flag (normalised, written
 *   back);
 * - hpet, 1 when missing or empty (migrated VMs lack the key);
 * - timeoffset, an int64.
 *
 * viridian_hcall_ipi is never read, as in XenServer's (always 0).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenguest.h"

/* A sanity bound on vcpu/number, which sizes an array. */
#define XG_MAX_VCPUS 16384

static void get_dominfo(struct xg_ctx *ctx, xc_domaininfo_t *info)
{
    int n = xc_domain_getinfolist(ctx->xch, ctx->domid, 1, info);

    if ( n == 1 && info->domain != ctx->domid )
    {
        n = 0;
        errno = ESRCH;
    }
    else if ( n == 0 )
        errno = ESRCH;
    if ( n != 1 )
        xg_failwith_xc(ctx, "xc_domain_getinfo");
}

#define PLATFORM(ctx, key) xg_xs_get_value(ctx, NULL, "platform/" key)

void xg_get_flags(struct xg_ctx *ctx, struct xg_flags *f)
{
    bool stimer_set;
    uint64_t v;
    char *s;

    memset(f, 0, sizeof(*f));
    get_dominfo(ctx, &f->dominfo);

    v = PLATFORM(ctx, "vcpu/number");
    if ( v > XG_MAX_VCPUS )
        xg_fatal("xenguest: platform/vcpu/number %" PRIu64 " is too large\n",
                 v);
    f->vcpus = v;
    f->vcpu_affinity = calloc(f->vcpus ? f->vcpus : 1, sizeof(char *));
    if ( !f->vcpu_affinity )
        xg_fatal("xenguest: out of memory\n");
    for ( unsigned int n = 0; n < f->vcpus; n++ )
        f->vcpu_affinity[n] = xg_xs_gets(ctx, "platform/vcpu/%u/affinity", n);
    f->vcpus_current = PLATFORM(ctx, "vcpu/current");
    f->vcpu_weight = PLATFORM(ctx, "vcpu/weight");
    f->vcpu_cap = PLATFORM(ctx, "vcpu/cap");
    f->nx = PLATFORM(ctx, "nx");
    f->viridian = PLATFORM(ctx, "viridian");
    f->viridian_time_ref_count = PLATFORM(ctx, "viridian_time_ref_count");
    f->viridian_reference_tsc = PLATFORM(ctx, "viridian_reference_tsc");
    f->viridian_hcall_remote_tlb_flush =
        PLATFORM(ctx, "viridian_hcall_remote_tlb_flush");
    f->viridian_apic_assist = PLATFORM(ctx, "viridian_apic_assist");
    f->viridian_crash_ctl = PLATFORM(ctx, "viridian_crash_ctl");
    f->viridian_stimer =
        xg_xs_get_value(ctx, &stimer_set, "platform/viridian_stimer");
    /*
     * A vGPU VM with time_ref_count or reference_tsc but no stimer cannot
     * migrate safely: default stimer on unless it was set explicitly.
     */
    if ( ctx->o->vgpu && !stimer_set &&
         (f->viridian_reference_tsc || f->viridian_time_ref_count) )
    {
        xg_info("vgpu attached and stimer not set - defaulting to enabled.\n");
        f->viridian_stimer = 1;
    }
    f->apic = PLATFORM(ctx, "apic");
    f->pae = PLATFORM(ctx, "pae");
    f->tsc_mode = PLATFORM(ctx, "tsc_mode");
    f->x87_fip_width = PLATFORM(ctx, "x87-fip-width");
    f->nomigrate = PLATFORM(ctx, "nomigrate");

    if ( f->dominfo.flags & XEN_DOMINF_hvm_guest )
    {
        unsigned int cps = PLATFORM(ctx, "cores-per-socket");

        if ( cps && f->vcpus % cps )
            xg_fatal("Bad cores/socket setting: %u (nr vcpus %u)\n", cps,
                     f->vcpus);
        /* Kept 0 for PV, which used to ignore the setting. */
        f->cores_per_socket = cps;
    }

    s = xg_xs_gets(ctx, "platform/nested-virt");
    f->nested_virt = s ? PLATFORM(ctx, "nested-virt")
                       : PLATFORM(ctx, "exp-nested-hvm");
    free(s);
    /* Nested virtualisation does not migrate. */
    if ( f->nested_virt )
        f->nomigrate = 1;

    f->acpi = xg_hvmloader_flag(ctx, "platform/acpi");
    f->acpi_s4 = xg_hvmloader_flag(ctx, "platform/acpi_s4");
    f->acpi_s3 = xg_hvmloader_flag(ctx, "platform/acpi_s3");

    s = xg_xs_gets(ctx, "platform/hpet");
    f->hpet = s && *s ? (int)PLATFORM(ctx, "hpet") : 1;
    free(s);

    s = xg_xs_gets(ctx, "platform/timeoffset");
    if ( s && sscanf(s, "%" SCNd64, &f->timeoffset) != 1 )
        f->timeoffset = 0;
    free(s);

    xg_info("Domain Properties: Type %s, hap %u\n",
            f->dominfo.flags & XEN_DOMINF_hvm_guest ? "HVM" : "PV",
            !!(f->dominfo.flags & XEN_DOMINF_hap));
    xg_info("Determined the following parameters from xenstore:\n");
    xg_info("vcpu/number:%u vcpu/weight:%u vcpu/cap:%u\n", f->vcpus,
            f->vcpu_weight, f->vcpu_cap);
    xg_info("nx: %d, pae %d, cores-per-socket %u, x86-fip-width %u, "
            "nested %d\n", f->nx, f->pae, f->cores_per_socket,
            f->x87_fip_width, f->nested_virt);
    xg_info("apic: %d acpi: %d acpi_s4: %d acpi_s3: %d tsc_mode: %d "
            "hpet: %d\n", f->apic, f->acpi, f->acpi_s4, f->acpi_s3,
            f->tsc_mode, f->hpet);
    xg_info("nomigrate %d, timeoffset %" PRId64 "\n", f->nomigrate,
            f->timeoffset);
    xg_info("viridian: %d, time_ref_count: %d, reference_tsc: %d "
            "hcall_remote_tlb_flush: %d apic_assist: %d crash_ctl: %d "
            "stimer: %d hcall_ipi: %d\n", f->viridian,
            f->viridian_time_ref_count, f->viridian_reference_tsc,
            f->viridian_hcall_remote_tlb_flush, f->viridian_apic_assist,
            f->viridian_crash_ctl, f->viridian_stimer,
            f->viridian_hcall_ipi);
    for ( unsigned int n = 0; n < f->vcpus; n++ )
        xg_info("vcpu/%u/affinity:%s\n", n,
                f->vcpu_affinity[n] ? f->vcpu_affinity[n] : "unset");
}

void xg_free_flags(struct xg_flags *f)
{
    if ( !f->vcpu_affinity )
        return;
    for ( unsigned int n = 0; n < f->vcpus; n++ )
        free(f->vcpu_affinity[n]);
    free(f->vcpu_affinity);
    f->vcpu_affinity = NULL;
}
