/*
 * hvm_params.c - hvm_build_set_params (§1.9), after xc_dom_boot_image:
 *
 * - HVM (not PVH): the hvm_info table libxenguest wrote at 0x9f800 gets
 *   the platform's apic_mode, nr_vcpus and vcpu_online (the first
 *   vcpu/current bits), and a new checksum (the bytes over `length` sum to
 *   0).  libxenguest's low/high_mem_pgend and reserved_mem_pgstart stay.
 * - viridian: HVM_PARAM_VIRIDIAN = base_freq | cpu_hotplug plus each
 *   enabled sub-feature (stimer brings synic);
 * - HVM_PARAM_HPET_ENABLED, HVM_PARAM_TRIPLE_FAULT_REASON = SHUTDOWN_crash,
 *   HVM_PARAM_X87_FIP_WIDTH when asked for and still auto (0), and the
 *   time offset.
 *
 * The param writes other than the time offset are unchecked, as in
 * XenServer's.
 */
#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <stddef.h>
#include <sys/mman.h>

#include "xenguest.h"
#include <xen/hvm/hvm_info_table.h>
#include <xen/hvm/params.h>
#include <xen/sched.h>

static void set_viridian(struct xg_ctx *ctx, const struct xg_flags *f)
{
    static const struct {
        size_t off;
        uint64_t mask;
        const char *name;
    } subs[] = {
#define SUB(field, mask) { offsetof(struct xg_flags, viridian_##field), mask, \
                           #field }
        SUB(time_ref_count, HVMPV_time_ref_count),
        SUB(reference_tsc, HVMPV_reference_tsc),
        SUB(hcall_remote_tlb_flush, HVMPV_hcall_remote_tlb_flush),
        SUB(apic_assist, HVMPV_apic_assist),
        SUB(crash_ctl, HVMPV_crash_ctl),
        SUB(stimer, HVMPV_synic | HVMPV_stimer),
        SUB(hcall_ipi, HVMPV_hcall_ipi),
#undef SUB
    };
    uint64_t mask = HVMPV_base_freq | HVMPV_cpu_hotplug;

    xg_info("viridian base\n");
    for ( size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++ )
        if ( *(const int *)((const char *)f + subs[i].off) )
        {
            xg_info("+ %s\n", subs[i].name);
            mask |= subs[i].mask;
        }
    xc_hvm_param_set(ctx->xch, ctx->domid, HVM_PARAM_VIRIDIAN, mask);
}

int xg_hvm_build_set_params(struct xg_ctx *ctx, bool is_pvh,
                            const struct xg_flags *f)
{
    if ( !is_pvh )
    {
        uint8_t *page = xc_map_foreign_range(ctx->xch, ctx->domid,
                                             XC_PAGE_SIZE,
                                             PROT_READ | PROT_WRITE,
                                             HVM_INFO_PFN);

        if ( !page )
            return -1;
        xg_init_info_table((struct hvm_info_table *)(page + HVM_INFO_OFFSET),
                           f);
        munmap(page, XC_PAGE_SIZE);
    }
    if ( f->viridian )
        set_viridian(ctx, f);
    xc_hvm_param_set(ctx->xch, ctx->domid, HVM_PARAM_HPET_ENABLED, f->hpet);
    xc_hvm_param_set(ctx->xch, ctx->domid, HVM_PARAM_TRIPLE_FAULT_REASON,
                     SHUTDOWN_crash);
    if ( f->x87_fip_width )
    {
        uint64_t old = 0;

        /* Only a specific width overrides the automatic mode. */
        xc_hvm_param_get(ctx->xch, ctx->domid, HVM_PARAM_X87_FIP_WIDTH, &old);
        if ( !old )
            xc_hvm_param_set(ctx->xch, ctx->domid, HVM_PARAM_X87_FIP_WIDTH,
                             f->x87_fip_width);
    }
    return xc_domain_set_time_offset(ctx->xch, ctx->domid, f->timeoffset);
}
