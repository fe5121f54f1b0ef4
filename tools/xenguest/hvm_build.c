/*
 * hvm_build.c - stub_xc_hvm_build for HVM and PVH guests (§1.7), with
 * hvm_build_setup_mem (§1.8), pvh_setup_mem and pvh_setup_e820 (§1.10).
 * The layout arithmetic is layout.c's; this file reads the inputs
 * (passthrough devices, -vgpu), drives libxenguest and writes the
 * results: the xc_dom_image fields, vm-data/mmio-hole-size, the vGPU's
 * vm-data/vram-reserved-{addr,size}, and the e820 through
 * XENMEM_set_memory_map (hvmloader reads it back).
 *
 * Firmware files whose paths XenServer compiles in come from the
 * environment here: $XENGUEST_IPXE_PATH (the "ipxe" module of an HVM
 * guest; XenServer always loads IPXE_PATH, here it is skipped when the
 * variable is unset, as Debian ships no iPXE image for hvmloader) and
 * $XENGUEST_OVMF_PATH (default /usr/share/ovmf/OVMF.fd, loaded when
 * hvmloader/bios is "ovmf"; platform/ovmf-override names another file in
 * its directory).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"
#include "pci.h"
#include "xenguest.h"

#define XG_OVMF_DEFAULT "/usr/share/ovmf/OVMF.fd"

static char *ovmf_path(struct xg_ctx *ctx)
{
    const char *env = getenv("XENGUEST_OVMF_PATH");
    const char *def = env && *env ? env : XG_OVMF_DEFAULT;
    char *key = xg_xs_gets(ctx, "platform/ovmf-override"), *dir, *path;

    if ( !key )
        return strdup(def);
    if ( strchr(key, '/') )
    {
        xg_err("ovmf-override key '%s' must be a filename, not a path\n",
               key);
        free(key);
        errno = EINVAL;
        return NULL;
    }
    dir = strdup(def);
    if ( !dir || asprintf(&path, "%s/%s", dirname(dir), key) < 0 )
        path = NULL;
    free(dir);
    free(key);
    return path;
}

/* hvm_load_firmware_module: OVMF when hvmloader/bios says so; 0 or -errno. */
static int load_firmware_module(struct xg_ctx *ctx, struct xc_dom_image *dom)
{
    struct xc_hvm_firmware_module *m = &dom->system_firmware_module;
    char *bios = xg_xs_gets(ctx, "hvmloader/bios"), *path;
    struct stat st;
    int fd, rc = 0;

    if ( !bios || !*bios )
    {
        free(bios);
        return 0;
    }
    if ( strcmp(bios, "ovmf") )
    {
        xg_err("Unsupported bios type '%s'\n", bios);
        free(bios);
        return -ENOTSUP;
    }
    free(bios);
    if ( !(path = ovmf_path(ctx)) )
        return -errno;
    fd = open(path, O_RDONLY | O_NOFOLLOW);
    if ( fd < 0 || fstat(fd, &st) )
        rc = -errno;
    else
    {
        m->length = st.st_size;
        m->data = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if ( m->data == MAP_FAILED )
        {
            m->data = NULL;
            m->length = 0;
            rc = -errno;
        }
        else
            xg_info("Loaded OVMF from %s\n", path);
    }
    if ( fd >= 0 )
        close(fd);
    free(path);
    return rc;
}

static void set_memory_map(struct xg_ctx *ctx, struct xg_layout *l)
{
    if ( xc_domain_set_memory_map(ctx->xch, ctx->domid, l->e820, l->nr_e820) )
        xg_failwith_xc(ctx, "xc_domain_set_memory_map");
}

static void mem_init(struct xg_ctx *ctx, struct xc_dom_image *dom,
                     const struct xg_layout *l, uint64_t max_mib, bool pod)
{
    dom->lowmem_end = l->lowmem_end;
    dom->highmem_end = l->highmem_end;
    dom->mmio_size = l->mmio_size;
    dom->mmio_start = l->mmio_start;
    if ( xc_dom_mem_init(dom, max_mib) )
        xg_failwith_xc(ctx, "xc_dom_mem_init");
    xg_numa_apply(ctx, dom, pod);
    if ( xc_dom_boot_mem_init(dom) )
        xg_failwith_xc(ctx, "xc_dom_boot_mem_init");
}

static void hvm_build_setup_mem(struct xg_ctx *ctx, struct xc_dom_image *dom,
                                uint64_t max_mib, uint64_t start_mib)
{
    struct xg_hvm_layout_in in = {
        .max_mib = max_mib,
        .mmio_total = XG_MMIO_HOLE_DEFAULT,
        .vgpu = ctx->o->vgpu,
    };
    struct xg_pci_info pci = { 0 };
    struct xg_layout l;
    char err[128];
    int rc;

    if ( ctx->o->pci_passthrough )
    {
        xg_pci_scan(ctx, ctx->o->pci_passthrough, &pci);
        in.mmio_total += pci.bars;
        in.mxgpu = pci.mxgpu;
        in.rdm = pci.rdm;
        in.nr_rdm = pci.nr_rdm;
    }
    dom->target_pages = start_mib << (20 - XC_PAGE_SHIFT);
    if ( in.vgpu )
        /* NVIDIA's drivers cannot place 64-bit BARs: room below 4 GiB. */
        xg_info("NVIDIA vGPU plugged in. Add extra 0x%llx to MMIO hole\n",
                (unsigned long long)XG_MMIO_HOLE_DEFAULT);
    if ( xg_hvm_layout(&in, &l, err, sizeof(err)) )
        xg_fatal("%s\n", err);
    xg_info("Calculated provisional MMIO hole size as 0x%llx\n",
            (unsigned long long)l.mmio_provisional);
    for ( unsigned int i = 0; i < l.nr_e820; i++ )
        if ( l.e820[i].type == E820_RESERVED &&
             l.e820[i].addr != l.vram_addr )
            xg_info("Adding RMRR 0x%llx size 0x%llx\n",
                    (unsigned long long)l.e820[i].addr,
                    (unsigned long long)l.e820[i].size);
    free(pci.rdm);
    if ( l.vram_addr )
    {
        xg_info("Reserve VRAM region at 0x%llx size 0x%llx for vGPU\n",
                (unsigned long long)l.vram_addr, XG_VRAM_RESERVED_SIZE);
        /* DEMU reads them later. */
        xg_xs_printf(ctx, "vm-data/vram-reserved-addr", "%llx",
                     (unsigned long long)l.vram_addr);
        xg_xs_printf(ctx, "vm-data/vram-reserved-size", "%llu",
                     XG_VRAM_RESERVED_SIZE);
    }

    rc = load_firmware_module(ctx, dom);
    if ( rc )
        xg_fatal("xenguest: Failed to load firmware module: %s\n",
                 strerror(-rc));
    mem_init(ctx, dom, &l, max_mib, start_mib < max_mib);

    xg_info("Final lower MMIO hole size is 0x%llx\n",
            (unsigned long long)l.mmio_size);
    /* The QEMU wrapper reads it later. */
    xg_xs_printf(ctx, "vm-data/mmio-hole-size", "%llu",
                 (unsigned long long)l.mmio_size);
    set_memory_map(ctx, &l);
}

static void pvh_setup_mem(struct xg_ctx *ctx, struct xc_dom_image *dom,
                          uint64_t max_mib, uint64_t start_mib,
                          struct xg_layout *l)
{
    if ( ctx->o->pci_passthrough )
    {
        xg_err("PCI passthrough not supported under PVH\n");
        errno = EINVAL;
        xg_failwith_xc(ctx, "pvh_setup_mem");
    }
    dom->target_pages = start_mib << (20 - XC_PAGE_SHIFT);
    xg_pvh_layout(max_mib, l);
    mem_init(ctx, dom, l, max_mib, start_mib < max_mib);
}

static void pvh_setup_e820(struct xg_ctx *ctx, struct xc_dom_image *dom,
                           struct xg_layout *l)
{
    struct xg_acpi_range acpi[MAX_ACPI_MODULES];

    for ( unsigned int i = 0; i < MAX_ACPI_MODULES; i++ )
    {
        acpi[i].addr = dom->acpi_modules[i].guest_addr_out;
        acpi[i].length = dom->acpi_modules[i].length;
    }
    xg_pvh_e820(l, dom->device_model, acpi, MAX_ACPI_MODULES);
    set_memory_map(ctx, l);
}

/* get_image_max_size: /mh/limits/pv-<type>-max_size, else libxc's. */
static uint64_t image_max_size(struct xg_ctx *ctx, const char *type)
{
    char key[64], *s;
    uint64_t v = 0;

    snprintf(key, sizeof(key), "/mh/limits/pv-%s-max_size", type);
    s = xs_read(ctx->xsh, XBT_NULL, key, NULL);
    if ( s )
    {
        errno = 0;
        v = strtoull(s, NULL, 0);
        if ( errno )
            v = 0;
        free(s);
    }
    return v ? v : XC_DOM_DECOMPRESS_MAX;
}

void xg_set_image_limits(struct xg_ctx *ctx, struct xc_dom_image *dom)
{
    if ( xc_dom_kernel_max_size(dom, image_max_size(ctx, "kernel")) )
        xg_failwith_xc(ctx, "xc_dom_kernel_max_size");
    if ( xc_dom_module_max_size(dom, image_max_size(ctx, "ramdisk")) )
        xg_failwith_xc(ctx, "xc_dom_module_max_size");
}

void xg_hvm_build(struct xg_ctx *ctx, bool is_pvh, unsigned long *store,
                  unsigned long *console)
{
    const struct xg_opts *o = ctx->o;
    struct xc_dom_image *dom;
    struct xg_layout l;
    struct xg_flags f;

    xg_get_flags(ctx, &f);
    xg_hvm_safety_check(ctx, &f, o->mem_start_mib < o->mem_max_mib);
    xg_configure_vcpus(ctx, &f);
    xg_configure_tsc(ctx, &f);
    xg_numa_prepare(ctx);

    dom = xc_dom_allocate(ctx->xch, is_pvh ? o->cmdline : NULL, NULL);
    if ( !dom )
        xg_failwith_xc(ctx, "xc_dom_allocate");
    dom->container_type = XC_DOM_HVM_CONTAINER;
    dom->device_model = !is_pvh;
    dom->max_vcpus = f.vcpus;
    dom->console_evtchn = o->console_port;
    dom->console_domid = o->console_domid;
    dom->xenstore_evtchn = o->store_port;
    dom->xenstore_domid = o->store_domid;

    if ( is_pvh )
        xg_set_image_limits(ctx, dom);
    if ( xc_dom_kernel_file(dom, o->image) )
        xg_failwith_xc(ctx, "xc_dom_kernel_file");
    if ( is_pvh )
    {
        for ( unsigned int i = 0; i < o->nr_modules; i++ )
            if ( xc_dom_module_file(dom, o->modules[i].filename,
                                    o->modules[i].cmdline
                                    ? o->modules[i].cmdline : "") )
                xg_failwith_xc(ctx, "xc_dom_module_file");
    }
    else
    {
        const char *ipxe = getenv("XENGUEST_IPXE_PATH");

        if ( ipxe && *ipxe )
        {
            if ( xc_dom_module_file(dom, ipxe, "ipxe") )
                xg_failwith_xc(ctx, "xc_dom_module_file");
        }
        else
            xg_info("No iPXE image ($XENGUEST_IPXE_PATH unset)\n");
    }

    if ( xc_dom_boot_xen_init(dom, ctx->xch, ctx->domid) )
        xg_failwith_xc(ctx, "xc_dom_boot_xen_init");
    if ( xc_dom_parse_image(dom) )
        xg_failwith_xc(ctx, "xc_dom_parse_image");

    if ( is_pvh )
    {
        pvh_setup_mem(ctx, dom, o->mem_max_mib, o->mem_start_mib, &l);
        if ( xg_dom_load_acpi(ctx, dom, &f) )
            xg_failwith_xc(ctx, "xenguest_dom_load_acpi");
        pvh_setup_e820(ctx, dom, &l);
    }
    else
        hvm_build_setup_mem(ctx, dom, o->mem_max_mib, o->mem_start_mib);

    if ( xc_dom_build_image(dom) )
        xg_failwith_xc(ctx, "xc_dom_build_image");
    if ( xc_dom_boot_image(dom) )
        xg_failwith_xc(ctx, "xc_dom_boot_image");
    if ( xc_dom_gnttab_init(dom) )
        xg_failwith_xc(ctx, "xc_dom_gnttab_init");
    if ( xg_hvm_build_set_params(ctx, is_pvh, &f) )
        xg_failwith_xc(ctx, "hvm_build_params");

    /* Guest frame numbers: the special pages, not MFNs. */
    *store = dom->xenstore_pfn;
    *console = dom->console_pfn;

    if ( xg_construct_cpuid_policy(ctx, &f, !is_pvh) )
        xg_failwith_xc(ctx, "construct_cpuid_policy");
    xg_free_flags(&f);
    xc_dom_release(dom);
}
