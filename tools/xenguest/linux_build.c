/*
 * linux_build.c - stub_xc_linux_build: a PV guest (§1.7, last
 * paragraph).  The platform keys, then xc_dom_allocate with the command
 * line and -features, the image size limits, vCPU and TSC set-up, the
 * kernel and (unless -ramdisk is "") the ramdisk, -flags, the event
 * channels; xc_dom_mem_init with the *start* size only (the balloon
 * driver handles the rest up to -mem_max_mib), the build, the grant
 * table.  The result is the console and store pages' MFNs and the native
 * ABI ("x86_64-abi" or "x86_32-abi").
 */
#include <stdio.h>
#include <string.h>

#include "xenguest.h"

void xg_linux_build(struct xg_ctx *ctx, unsigned long *store,
                    unsigned long *console, char *protocol, size_t protolen)
{
    const struct xg_opts *o = ctx->o;
    struct xc_dom_image *dom;
    struct xg_flags f;
    const char *abi;

    xg_get_flags(ctx, &f);
    dom = xc_dom_allocate(ctx->xch, o->cmdline, o->features);
    if ( !dom )
        xg_failwith_xc(ctx, "xc_dom_allocate");
    dom->container_type = XC_DOM_PV_CONTAINER;
    xg_set_image_limits(ctx, dom);
    xg_configure_vcpus(ctx, &f);
    xg_configure_tsc(ctx, &f);
    xg_numa_prepare(ctx);

    if ( xc_dom_kernel_file(dom, o->image) )
        xg_failwith_xc(ctx, "xc_dom_kernel_file");
    if ( o->ramdisk && *o->ramdisk &&
         xc_dom_module_file(dom, o->ramdisk, NULL) )
        xg_failwith_xc(ctx, "xc_dom_module_file");

    dom->flags = o->flags;
    dom->console_evtchn = o->console_port;
    dom->console_domid = o->console_domid;
    dom->xenstore_evtchn = o->store_port;
    dom->xenstore_domid = o->store_domid;

    if ( xc_dom_boot_xen_init(dom, ctx->xch, ctx->domid) )
        xg_failwith_xc(ctx, "xc_dom_boot_xen_init");
    if ( xc_dom_parse_image(dom) )
        xg_failwith_xc(ctx, "xc_dom_parse_image");
    if ( xc_dom_mem_init(dom, o->mem_start_mib) )
        xg_failwith_xc(ctx, "xc_dom_mem_init");
    xg_numa_apply(ctx, dom, false);
    if ( xc_dom_boot_mem_init(dom) )
        xg_failwith_xc(ctx, "xc_dom_boot_mem_init");
    if ( xc_dom_build_image(dom) )
        xg_failwith_xc(ctx, "xc_dom_build_image");
    if ( xc_dom_boot_image(dom) )
        xg_failwith_xc(ctx, "xc_dom_boot_image");
    if ( xc_dom_gnttab_init(dom) )
        xg_failwith_xc(ctx, "xc_dom_gnttab_init");

    *console = xc_dom_p2m(dom, dom->console_pfn);
    *store = xc_dom_p2m(dom, dom->xenstore_pfn);

    if ( xg_construct_cpuid_policy(ctx, &f, false) )
        xg_failwith_xc(ctx, "construct_cpuid_policy");
    abi = xc_domain_get_native_protocol(ctx->xch, ctx->domid);
    snprintf(protocol, protolen, "%s", abi ? abi : "");
    xg_free_flags(&f);
    xc_dom_release(dom);
}
