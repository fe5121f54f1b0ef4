/*
 * acpi.c - xenguest_dom_load_acpi: a PVH guest's ACPI tables (§1.10).
 *
 * XenServer's xenguest builds them with Xen's libacpi (tools/libacpi,
 * linked in statically) and the PVH DSDT, as libxl does.  libacpi is not
 * a library of its own in Debian, but Debian's libxenlight.so.4.17
 * exports the same code: acpi_build_tables and dsdt_pvh/dsdt_pvh_len
 * (version node VERS_4.17.0).  So this file declares the 4.17 libacpi
 * interface (tools/libacpi/libacpi.h at RELEASE-4.17.x, unchanged through
 * 4.17.5) and calls that code through dlopen/dlvsym: the tables are
 * libxl's own, byte for byte, and HVM and PV builds do not need
 * libxenlight at all.
 *
 * The configuration is XenServer's: revision 5, LAPIC at 0xfee00000,
 * LAPIC ID 2 * vCPU, no table flags (no HPET, PM timer, buttons, VGA,
 * RTC), the hvm_info made from the platform keys; the RSDP goes in the
 * last 64 bytes below 1 MiB, the acpi_info page at 0xfc000000 and the
 * tables from the next page (at most 16 pages).  libxenguest populates
 * and copies them as dom->acpi_modules[0..2] (xc_dom_load_acpi).
 *
 * Deviation: XenServer's table allocator leaves its cursor on the last
 * byte of the previous table (an allocation of 16n + 1 bytes overlaps the
 * next one by a byte); this one does not.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "xenguest.h"
#include <xen/hvm/hvm_info_table.h>

#define ACPI_PAGES          16
#define RSDP_ADDRESS        (0x100000 - 64)
#define ACPI_INFO_ADDRESS   0xfc000000UL
#define LAPIC_BASE_ADDRESS  0xfee00000U
#define LIBXENLIGHT         "libxenlight.so.4.17"
#define LIBXENLIGHT_VERSION "VERS_4.17.0"

/* ---- tools/libacpi/libacpi.h, Xen 4.17 (the ABI only) ---- */
struct xen_vmemrange;
struct acpi_numa {
    uint32_t nr_vmemranges;
    uint32_t nr_vnodes;
    const unsigned int *vcpu_to_vnode;
    const unsigned int *vdistance;
    const struct xen_vmemrange *vmemrange;
};

struct acpi_ctxt {
    struct acpi_mem_ops {
        void *(*alloc)(struct acpi_ctxt *ctxt, uint32_t size, uint32_t align);
        void (*free)(struct acpi_ctxt *ctxt, void *v, uint32_t size);
        unsigned long (*v2p)(struct acpi_ctxt *ctxt, void *v);
    } mem_ops;
};

struct acpi_config {
    const unsigned char *dsdt_anycpu;
    unsigned int dsdt_anycpu_len;
    const unsigned char *dsdt_15cpu;
    unsigned int dsdt_15cpu_len;
    uint32_t pci_start, pci_len;
    uint64_t pci_hi_start, pci_hi_len;
    uint32_t table_flags;
    uint8_t acpi_revision;
    uint64_t vm_gid[2];
    unsigned long vm_gid_addr;
    struct {
        uint32_t addr;
        uint32_t length;
    } pt;
    struct acpi_numa numa;
    const struct hvm_info_table *hvminfo;
    const uint16_t *tis_hdr;
    unsigned long infop;
    unsigned long rsdp;
    uint32_t (*lapic_id)(unsigned cpu);
    uint32_t lapic_base_address;
    uint32_t ioapic_base_address;
    uint16_t pci_isa_irq_mask;
    uint8_t ioapic_id;
};
/* ---- end of libacpi.h ---- */

typedef int acpi_build_tables_fn(struct acpi_ctxt *, struct acpi_config *);

/* The tables' buffer, standing for guest memory from guest_start. */
struct xg_acpi_ctxt {
    struct acpi_ctxt c;
    unsigned long guest_start, guest_curr, guest_end;
    uint8_t *buf;
};

static struct xg_acpi_ctxt *to_ctxt(struct acpi_ctxt *c)
{
    return (struct xg_acpi_ctxt *)((char *)c -
                                   offsetof(struct xg_acpi_ctxt, c));
}

static void *acpi_alloc(struct acpi_ctxt *c, uint32_t size, uint32_t align)
{
    struct xg_acpi_ctxt *x = to_ctxt(c);
    unsigned long s;

    if ( align < 16 )
        align = 16;
    s = (x->guest_curr + align - 1) & ~((unsigned long)align - 1);
    if ( s + size < s || s + size > x->guest_end )
        return NULL;
    x->guest_curr = s + size;
    return x->buf + (s - x->guest_start);
}

static void acpi_free(struct acpi_ctxt *c, void *v, uint32_t size)
{
    (void)c;
    (void)v;
    (void)size;
}

static unsigned long acpi_v2p(struct acpi_ctxt *c, void *v)
{
    struct xg_acpi_ctxt *x = to_ctxt(c);

    return x->guest_start + ((uint8_t *)v - x->buf);
}

static uint32_t acpi_lapic_id(unsigned cpu)
{
    return cpu * 2;
}

int xg_dom_load_acpi(struct xg_ctx *ctx, struct xc_dom_image *dom,
                     const struct xg_flags *f)
{
    struct xg_acpi_ctxt x = {
        .c.mem_ops = { acpi_alloc, acpi_free, acpi_v2p },
    };
    struct acpi_config cfg = { 0 };
    acpi_build_tables_fn *build;
    const unsigned char *dsdt;
    const unsigned int *dsdt_len;
    struct hvm_info_table *info;
    void *lib, *rsdp, *infop;
    unsigned long pages;
    int rc;

    (void)ctx;
    lib = dlopen(LIBXENLIGHT, RTLD_NOW | RTLD_LOCAL);
    if ( !lib )
    {
        xg_err("Cannot load %s for libacpi: %s\n", LIBXENLIGHT, dlerror());
        return -1;
    }
    build = (acpi_build_tables_fn *)dlvsym(lib, "acpi_build_tables",
                                           LIBXENLIGHT_VERSION);
    dsdt = dlvsym(lib, "dsdt_pvh", LIBXENLIGHT_VERSION);
    dsdt_len = dlvsym(lib, "dsdt_pvh_len", LIBXENLIGHT_VERSION);
    if ( !build || !dsdt || !dsdt_len )
    {
        xg_err("%s lacks libacpi's acpi_build_tables or dsdt_pvh\n",
               LIBXENLIGHT);
        return -1;
    }

    /* Owned by dom from here: xc_dom_release frees them. */
    info = xc_dom_malloc(dom, sizeof(*info));
    rsdp = xc_dom_malloc(dom, XC_PAGE_SIZE);
    infop = xc_dom_malloc(dom, XC_PAGE_SIZE);
    x.buf = xc_dom_malloc(dom, ACPI_PAGES * XC_PAGE_SIZE);
    if ( !info || !rsdp || !infop || !x.buf )
        return -1;
    memset(info, 0, sizeof(*info));
    memset(rsdp, 0, XC_PAGE_SIZE);
    memset(infop, 0, XC_PAGE_SIZE);
    memset(x.buf, 0, ACPI_PAGES * XC_PAGE_SIZE);
    xg_init_info_table(info, f);

    cfg.dsdt_anycpu = cfg.dsdt_15cpu = dsdt;
    cfg.dsdt_anycpu_len = cfg.dsdt_15cpu_len = *dsdt_len;
    cfg.hvminfo = info;
    cfg.lapic_base_address = LAPIC_BASE_ADDRESS;
    cfg.lapic_id = acpi_lapic_id;
    cfg.acpi_revision = 5;
    cfg.rsdp = (unsigned long)rsdp;
    cfg.infop = (unsigned long)infop;

    /* The tables start next to the info page: one e820 range. */
    x.guest_start = x.guest_curr = ACPI_INFO_ADDRESS + XC_PAGE_SIZE;
    x.guest_end = x.guest_start + ACPI_PAGES * XC_PAGE_SIZE;

    rc = build(&x.c, &cfg);
    if ( rc )
    {
        xg_err("acpi_build_tables failed with %d\n", rc);
        return rc;
    }
    pages = (x.guest_curr - x.guest_start + XC_PAGE_SIZE - 1) >>
            XC_PAGE_SHIFT;

    dom->acpi_modules[0].data = rsdp;
    dom->acpi_modules[0].length = 64;
    dom->acpi_modules[0].guest_addr_out = RSDP_ADDRESS;
    dom->acpi_modules[1].data = infop;
    dom->acpi_modules[1].length = XC_PAGE_SIZE;
    dom->acpi_modules[1].guest_addr_out = ACPI_INFO_ADDRESS;
    dom->acpi_modules[2].data = x.buf;
    dom->acpi_modules[2].length = pages << XC_PAGE_SHIFT;
    dom->acpi_modules[2].guest_addr_out = ACPI_INFO_ADDRESS + XC_PAGE_SIZE;
    xg_info("ACPI: RSDP at %#x, info at %#lx, %lu table page(s)\n",
            RSDP_ADDRESS, ACPI_INFO_ADDRESS, pages);
    /* dsdt_pvh is read during the build only; the library can stay. */
    return 0;
}
