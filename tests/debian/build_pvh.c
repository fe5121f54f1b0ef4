/*
 * build_pvh.c - Debian's libxenguest building a PVH guest the way libxl
 * 4.17's libxl__build_hvm does for type=pvh: an HVM container with no
 * device model, a kernel with XEN_ELFNOTE_PHYS32_ENTRY (the test's own,
 * tests/debian/kernels/pvh.S), a command line and one module.
 *
 *   build_pvh KERNEL
 *
 * libxl would also build ACPI tables (libxl__dom_load_acpi, libacpi) and
 * pass them as ACPI modules; that is libxl's code, not libxenguest's, and
 * is left out.  Checked through Xen interfaces:
 * - the p2m: no VGA hole without a device model, so RAM from gfn 0 is
 *   all 1G leaves, plus the 8 special pages (no ioreq-server pages);
 * - the kernel's bytes at 1 MiB, the module's and the command line where
 *   the start info page says they are, the memory map;
 * - the HVM context: an MTRR record per vCPU with write-back as default
 *   type (what vcpu_hvm loads when there is no firmware), the BSP's
 *   registers at the PHYS32 entry with the start info in %ebx;
 * - the params, grants and CPU policy, and the teardown.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>
#include <xenguest.h>
#include <xen/hvm/params.h>
#include <xen/hvm/save.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "guest_util.h"

#define PAGE_SHIFT      12
#define PAGE_SIZE       (1UL << PAGE_SHIFT)
#define GB(n)           ((uint64_t)(n) << 30)
#define SPECIAL_PFN(x)  (X86_HVM_END_SPECIAL_REGION - \
                         X86_HVM_NR_SPECIAL_PAGES + (x))
#define LAPIC_BASE_ADDRESS         0xfee00000ULL
#define ACPI_INFO_PHYSICAL_ADDRESS 0xfc000000ULL
#define E820_RAM        1
#define E820_RESERVED   2
#define MEM_MIB         2048
#define CMDLINE         "console=hvc0 xenmm-pvh-test"
#define MODULE_CMDLINE  "xenmm-initrd"
#define MTRR_DEF_WB_ENABLE 0x806        /* type WB, MTRRdefType.E */

static uint8_t module[3 * PAGE_SIZE + 123];

/* libxl: the MMIO hole for PVH holds the LAPIC, ACPI and special pages. */
static uint64_t pvh_mmio_size(void)
{
    uint64_t start = (uint64_t)SPECIAL_PFN(0) << PAGE_SHIFT;

    if ( start > LAPIC_BASE_ADDRESS )
        start = LAPIC_BASE_ADDRESS;
    if ( start > ACPI_INFO_PHYSICAL_ADDRESS )
        start = ACPI_INFO_PHYSICAL_ADDRESS;
    return GB(4) - start;
}

/* Read len bytes of guest memory from paddr (within one page each time). */
static int read_guest(xc_interface *xch, uint32_t domid, uint64_t paddr,
                      void *buf, size_t len)
{
    uint8_t page[PAGE_SIZE];

    while ( len )
    {
        size_t off = paddr & (PAGE_SIZE - 1), n = PAGE_SIZE - off;

        if ( n > len )
            n = len;
        if ( gt_read_page(xch, domid, paddr >> PAGE_SHIFT, page) )
            return -1;
        memcpy(buf, page + off, n);
        buf = (uint8_t *)buf + n;
        paddr += n;
        len -= n;
    }
    return 0;
}

static void check_p2m(struct gt_guest *g)
{
    struct gt_leaf *l;
    long n = gt_p2m_leaves(g->xch, g->domid, &l), i;
    unsigned long n4k = 0, other = 0;

    if ( !gt_ok(n > 0, "pvh: debug key 'D' dumps the p2m (%ld leaves)", n) )
        return;
    gt_is(n, 2 + 8, "pvh: 10 leaves");
    gt_is(l[0].gfn, 0, "pvh: a 1G leaf at gfn 0: no VGA hole");
    gt_is(l[0].order, 18, "pvh: ... of order 18");
    gt_is(l[1].gfn, 0x40000, "pvh: and one at 1 GiB");
    gt_is(l[1].order, 18, "pvh: ... of order 18");
    for ( i = 2; i < n; i++ )
    {
        if ( l[i].order == 0 && l[i].gfn == SPECIAL_PFN((uint64_t)i - 2) )
            n4k++;
        else
            other++;
    }
    gt_is(n4k, 8, "pvh: the 8 special pages, in order");
    gt_is(other, 0, "pvh: nothing else (no ioreq-server pages)");
    free(l);
}

static void check_start_info(struct gt_guest *g, uint64_t pfn,
                             uint64_t lowmem_end)
{
    struct hvm_start_info si;
    struct hvm_modlist_entry mod;
    struct hvm_memmap_table_entry mm[2];
    char buf[64];
    uint8_t *copy = malloc(sizeof(module));

    if ( !gt_ok(!read_guest(g->xch, g->domid, pfn << PAGE_SHIFT, &si,
                            sizeof(si)), "pvh: read the start info") )
        goto out;
    gt_is(si.magic, XEN_HVM_START_MAGIC_VALUE, "pvh: start info magic");
    gt_is(si.version, 1, "pvh: start info version 1");
    gt_is(si.rsdp_paddr, 0, "pvh: no RSDP (no ACPI modules)");
    if ( gt_ok(si.cmdline_paddr, "pvh: a command line") &&
         !read_guest(g->xch, g->domid, si.cmdline_paddr, buf, sizeof(CMDLINE)) )
        gt_ok(!memcmp(buf, CMDLINE, sizeof(CMDLINE)), "pvh: command line is "
              "\"%s\"", CMDLINE);
    gt_is(si.nr_modules, 1, "pvh: one module");
    if ( si.nr_modules == 1 &&
         gt_ok(!read_guest(g->xch, g->domid, si.modlist_paddr, &mod,
                           sizeof(mod)), "pvh: read the module list") )
    {
        gt_is(mod.size, sizeof(module), "pvh: module size");
        gt_is(mod.paddr & (PAGE_SIZE - 1), 0, "pvh: module page-aligned");
        gt_ok(copy && !read_guest(g->xch, g->domid, mod.paddr, copy,
                                  sizeof(module)) &&
              !memcmp(copy, module, sizeof(module)),
              "pvh: the module's bytes at %#" PRIx64, mod.paddr);
        if ( gt_ok(mod.cmdline_paddr, "pvh: a module command line") &&
             !read_guest(g->xch, g->domid, mod.cmdline_paddr, buf,
                         sizeof(MODULE_CMDLINE)) )
            gt_ok(!memcmp(buf, MODULE_CMDLINE, sizeof(MODULE_CMDLINE)),
                  "pvh: module command line");
    }
    gt_is(si.memmap_entries, 2, "pvh: two memory map entries");
    if ( si.memmap_entries == 2 &&
         !read_guest(g->xch, g->domid, si.memmap_paddr, mm, sizeof(mm)) )
    {
        gt_ok(mm[0].addr == 0 && mm[0].size == lowmem_end &&
              mm[0].type == E820_RAM, "pvh: RAM from 0 to lowmem_end");
        gt_ok(mm[1].addr == (uint64_t)SPECIAL_PFN(0) << PAGE_SHIFT &&
              mm[1].size == X86_HVM_NR_SPECIAL_PAGES << PAGE_SHIFT &&
              mm[1].type == E820_RESERVED, "pvh: the special pages reserved");
    }
 out:
    free(copy);
}

static void check_context(struct gt_guest *g, uint64_t entry, uint64_t si_pfn)
{
    int size = xc_domain_hvm_getcontext(g->xch, g->domid, NULL, 0);
    uint8_t *buf = size > 0 ? calloc(1, size) : NULL;
    const struct hvm_save_descriptor *d;
    const struct hvm_hw_cpu *cpu = NULL;
    unsigned int off, cpus = 0, mtrr_wb = 0;

    if ( !gt_ok(buf && xc_domain_hvm_getcontext(g->xch, g->domid, buf,
                                                size) > 0,
                "pvh: gethvmcontext") )
        goto out;
    for ( off = 0; off + sizeof(*d) <= (unsigned int)size;
          off += sizeof(*d) + d->length )
    {
        d = (const void *)(buf + off);
        if ( d->typecode == HVM_SAVE_CODE(END) )
            break;
        if ( d->typecode == HVM_SAVE_CODE(CPU) )
        {
            cpus++;
            cpu = (const void *)(d + 1);
        }
        if ( d->typecode == HVM_SAVE_CODE(MTRR) &&
             ((const struct hvm_hw_mtrr *)(d + 1))->msr_mtrr_def_type ==
             MTRR_DEF_WB_ENABLE )
            mtrr_wb++;
    }
    gt_is(mtrr_wb, g->max_vcpus, "pvh: every vCPU's MTRRs default to WB");
    gt_is(cpus, 1, "pvh: only the BSP is up");
    if ( gt_ok(cpu != NULL, "pvh: the BSP's CPU record") )
    {
        gt_is(cpu->rip, entry, "pvh: BSP rip is the PHYS32 entry");
        gt_is(cpu->rbx, si_pfn << PAGE_SHIFT, "pvh: BSP rbx is the start info");
        gt_is(cpu->cr0, 0x11, "pvh: BSP in protected mode, paging off");
    }
 out:
    free(buf);
}

static void check_params(struct gt_guest *g)
{
    static const struct {
        unsigned int idx;
        uint64_t val;
    } want[] = {
        { HVM_PARAM_STORE_PFN, SPECIAL_PFN(4) },
        { HVM_PARAM_CONSOLE_PFN, SPECIAL_PFN(7) },
        { HVM_PARAM_IDENT_PT, (uint64_t)SPECIAL_PFN(6) << PAGE_SHIFT },
        { HVM_PARAM_IOREQ_SERVER_PFN, 0 },      /* no device model */
        { HVM_PARAM_NR_IOREQ_SERVER_PAGES, 0 },
        { HVM_PARAM_HPET_ENABLED, 0 },          /* libxl: HVM only */
        { HVM_PARAM_TIMER_MODE, 1 },
    };
    unsigned int i;
    uint64_t v;

    for ( i = 0; i < sizeof(want) / sizeof(want[0]); i++ )
        if ( gt_ok(!xc_hvm_param_get(g->xch, g->domid, want[i].idx, &v),
                   "pvh: HVMOP_get_param %u", want[i].idx) )
            gt_is(v, want[i].val, "pvh: param %u", want[i].idx);
    if ( !xc_hvm_param_get(g->xch, g->domid, HVM_PARAM_STORE_EVTCHN, &v) )
        gt_is(v, g->store_port, "pvh: HVM_PARAM_STORE_EVTCHN");
}

int main(int argc, char **argv)
{
    struct gt_guest g = {
        .type = GT_PVH, .name = "pvh", .max_vcpus = 2,
        .mem_kb = (uint64_t)MEM_MIB << 10,
    };
    uint64_t mmio_size = pvh_mmio_size(), mmio_start = GB(4) - mmio_size;
    uint64_t lowmem_end = (uint64_t)MEM_MIB << 20, entry, si_pfn;
    struct e820entry e820[2];
    struct xc_dom_image *dom;
    xc_physinfo_t before, after;
    uint8_t *image;
    size_t len = 0, i;

    if ( argc < 2 )
    {
        fprintf(stderr, "usage: %s KERNEL\n", argv[0]);
        return 2;
    }
    for ( i = 0; i < sizeof(module); i++ )
        module[i] = (uint8_t)(i * 7 + 3);
    image = gt_slurp(argv[1], &len);
    if ( !gt_ok(image != NULL, "read %s", argv[1]) ||
         !gt_ok((g.xch = gt_open()) != NULL, "xc_interface_open") )
        return gt_done();
    gt_is(mmio_size, 64ULL << 20, "pvh: libxl's MMIO hole starts at the ACPI "
          "info page");
    gt_ok(lowmem_end <= mmio_start, "pvh: all RAM below the hole");
    gt_ok(!xc_physinfo(g.xch, &before), "pvh: physinfo before");
    if ( !gt_domain_create(&g) )
        return gt_done();

    dom = xc_dom_allocate(g.xch, CMDLINE, NULL);
    if ( !gt_ok(dom != NULL, "pvh: xc_dom_allocate") )
        return gt_done();
    dom->container_type = XC_DOM_HVM_CONTAINER;
    dom->target_pages = lowmem_end >> PAGE_SHIFT;
    dom->claim_enabled = 1;
    dom->mmio_size = mmio_size;
    dom->mmio_start = mmio_start;
    dom->lowmem_end = lowmem_end;
    dom->highmem_end = 0;
    dom->vga_hole_size = 0;
    dom->device_model = false;
    dom->max_vcpus = g.max_vcpus;
    dom->console_evtchn = g.console_port;
    dom->xenstore_evtchn = g.store_port;

    if ( gt_ok(!xc_dom_kernel_file(dom, argv[1]), "pvh: xc_dom_kernel_file") &&
         gt_ok(!xc_dom_module_mem(dom, module, sizeof(module), MODULE_CMDLINE),
               "pvh: xc_dom_module_mem") &&
         gt_ok(!xc_dom_boot_xen_init(dom, g.xch, g.domid),
               "pvh: xc_dom_boot_xen_init") &&
         gt_ok(!xc_dom_parse_image(dom), "pvh: xc_dom_parse_image") &&
         gt_ok(!xc_dom_mem_init(dom, MEM_MIB), "pvh: xc_dom_mem_init") &&
         gt_ok(!xc_dom_boot_mem_init(dom), "pvh: xc_dom_boot_mem_init") )
    {
        /* domain_construct_memmap for PVH: RAM, then the special pages. */
        e820[0] = (struct e820entry){ 0, lowmem_end, E820_RAM };
        e820[1] = (struct e820entry){ (uint64_t)SPECIAL_PFN(0) << PAGE_SHIFT,
                                      X86_HVM_NR_SPECIAL_PAGES << PAGE_SHIFT,
                                      E820_RESERVED };
        dom->e820 = e820;
        dom->e820_entries = 2;
        if ( gt_ok(!xc_domain_set_memory_map(g.xch, g.domid, e820, 2),
                   "pvh: xc_domain_set_memory_map") &&
             gt_ok(!xc_dom_build_image(dom), "pvh: xc_dom_build_image") &&
             gt_ok(!xc_dom_boot_image(dom), "pvh: xc_dom_boot_image") &&
             gt_ok(!xc_dom_gnttab_init(dom), "pvh: xc_dom_gnttab_init") )
        {
            gt_ok(!strcmp(dom->guest_type, "hvm-3.0-x86_32"),
                  "pvh: guest type %s", dom->guest_type);
            gt_is(dom->console_pfn, SPECIAL_PFN(7), "pvh: console pfn");
            gt_is(dom->xenstore_pfn, SPECIAL_PFN(4), "pvh: xenstore pfn");
        }
    }
    entry = ((const Elf64_Ehdr *)image)->e_entry;
    si_pfn = dom->start_info_seg.pfn;
    xc_dom_release(dom);

    check_p2m(&g);
    gt_check_elf_loaded(g.xch, g.domid, "pvh", image, len, 0, NULL);
    check_start_info(&g, si_pfn, lowmem_end);
    check_context(&g, entry, si_pfn);
    check_params(&g);
    gt_check_cpu_policy(&g);
    gt_ok(!xc_domain_unpause(g.xch, g.domid), "pvh: xc_domain_unpause");
    if ( gt_domain_destroy(&g) &&
         gt_ok(!xc_physinfo(g.xch, &after), "pvh: physinfo after") )
        gt_is(after.free_pages, before.free_pages,
              "pvh: every page is back in the heap");
    xc_interface_close(g.xch);
    free(image);
    return gt_done();
}
