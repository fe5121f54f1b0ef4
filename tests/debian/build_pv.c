/*
 * build_pv.c - Debian's libxenguest building a 64-bit PV guest the way
 * libxl 4.17's libxl__build_pv does, from a kernel the tests make
 * (tests/debian/kernels/pv.S: Xen ELF notes for the generic loader,
 * VIRT_BASE 0xffffffff80000000, ENTRY, HYPERCALL_PAGE).
 *
 *   build_pv KERNEL
 *
 * The PV builder's hypercalls: XEN_DOMCTL_set_address_size (64),
 * populate_physmap returning MFNs (2M extents, then 4K), foreign maps by
 * MFN for every segment, XEN_DOMCTL_getdomaininfo's shared_info_frame,
 * XEN_DOMCTL_hypercall_init, MMUEXT_PIN_L4_TABLE, XEN_DOMCTL_setvcpucontext
 * and the grant table.  Checked through Xen interfaces:
 * - the guest's p2m list equals libxenguest's pv_p2m, in 2M-contiguous
 *   runs; the kernel's bytes are at its pfns;
 * - the initial page tables, walked from cr3, map every pfn of the
 *   initial mapping at virt_base + pfn * 4K to its MFN, page tables
 *   read-only; the pinned L4 cannot be mapped writable, only read;
 * - the hypercall page holds Xen's syscall stubs;
 * - start info, shared info, the vCPU context, grants, CPU policy;
 * - and every page back after destroy.
 */
#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xenctrl.h>
#include <xenforeignmemory.h>
#include <xenguest.h>
#include <xen/memory.h>
#include <xen/grant_table.h>
#include <xen/foreign/x86_64.h>

#include "guest_util.h"

#define PAGE_SHIFT      12
#define PAGE_SIZE       (1UL << PAGE_SHIFT)
#define VIRT_BASE       0xffffffff80000000ULL
#define MEM_MIB         256
#define CMDLINE         "console=hvc0 xenmm-pv-test"
#define PTE_MFN(e)      (((e) & 0x000ffffffffff000ULL) >> PAGE_SHIFT)
#define _PAGE_PRESENT   0x1ULL
#define _PAGE_RW        0x2ULL

/* What the builder decided, kept past xc_dom_release. */
struct pv_layout {
    xen_pfn_t *p2m;
    xen_pfn_t nr_pfns;
    uint64_t start_info_pfn, xenstore_pfn, console_pfn, bootstack_pfn;
    uint64_t pt_pfn, pt_vstart, pt_pages, p2m_vstart, p2m_pfn;
    uint64_t shared_info_mfn, virt_pgtab_end, total_pages;
};

static void check_p2m_list(struct gt_guest *g, const struct pv_layout *lay)
{
    xen_pfn_t i, runs = 0, bad = 0, mismatch = 0;
    uint64_t page[PAGE_SIZE / 8];

    /* meminit_pv: 2M extents (contiguous MFNs), 4K only for a tail. */
    for ( i = 0; i < lay->nr_pfns; i++ )
    {
        if ( !(i & 511) )
            runs++;
        else if ( lay->p2m[i] != lay->p2m[i - 1] + 1 )
            bad++;
    }
    gt_is(runs, MEM_MIB / 2, "pv: %u 2M extents", MEM_MIB / 2);
    gt_is(bad, 0, "pv: each backed by 512 contiguous MFNs");
    gt_is(lay->p2m[0] & 511, 0, "pv: 2M-aligned");
    /* The guest's copy: mfn_list at p2m_seg. */
    for ( i = 0; i < lay->nr_pfns; i += PAGE_SIZE / 8 )
    {
        unsigned int j;

        if ( gt_read_page(g->xch, g->domid,
                          lay->p2m[lay->p2m_pfn + i / (PAGE_SIZE / 8)], page) )
        {
            mismatch++;
            break;
        }
        for ( j = 0; j < PAGE_SIZE / 8 && i + j < lay->nr_pfns; j++ )
            if ( page[j] != lay->p2m[i + j] )
                mismatch++;
    }
    gt_is(mismatch, 0, "pv: the guest's p2m list matches libxenguest's");
}

/* Walk the guest's tables for va; the L1 entry, or 0 if not mapped. */
static uint64_t walk(struct gt_guest *g, uint64_t l4_mfn, uint64_t va,
                     uint64_t *ptmfns, unsigned int *nr_pt)
{
    uint64_t page[PAGE_SIZE / 8], mfn = l4_mfn, e = 0;
    int level;

    for ( level = 4; level >= 1; level-- )
    {
        unsigned int idx = (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;

        if ( ptmfns && *nr_pt < 64 )
        {
            unsigned int k;

            for ( k = 0; k < *nr_pt && ptmfns[k] != mfn; k++ )
                ;
            if ( k == *nr_pt )
                ptmfns[(*nr_pt)++] = mfn;
        }
        if ( gt_read_page(g->xch, g->domid, mfn, page) )
            return 0;
        e = page[idx];
        if ( !(e & _PAGE_PRESENT) )
            return 0;
        mfn = PTE_MFN(e);
    }
    return e;
}

static void check_pagetables(struct gt_guest *g, const struct pv_layout *lay,
                             uint64_t cr3)
{
    uint64_t l4 = cr3 >> PAGE_SHIFT, ptmfns[64], va, pfn;
    unsigned int nr_pt = 0, wrong = 0, rw_pt = 0, mapped = 0;
    xenforeignmemory_handle *fmem;
    void *p;

    gt_is(l4, lay->p2m[lay->pt_pfn], "pv: cr3 is the L4's MFN");
    for ( va = VIRT_BASE; va < lay->virt_pgtab_end; va += PAGE_SIZE )
    {
        uint64_t e = walk(g, l4, va, ptmfns, &nr_pt);

        pfn = (va - VIRT_BASE) >> PAGE_SHIFT;
        if ( !e || PTE_MFN(e) != lay->p2m[pfn] )
        {
            if ( !wrong )
                gt_diag("va %#" PRIx64 " maps %#" PRIx64, va, e);
            wrong++;
            continue;
        }
        mapped++;
        if ( pfn >= lay->pt_pfn && pfn < lay->pt_pfn + lay->pt_pages &&
             (e & _PAGE_RW) )
            rw_pt++;
    }
    gt_is(mapped, (lay->virt_pgtab_end - VIRT_BASE) >> PAGE_SHIFT,
          "pv: the initial mapping covers [virt_base, virt_pgtab_end)");
    gt_is(wrong, 0, "pv: every va maps its pfn's MFN");
    gt_is(rw_pt, 0, "pv: the page tables are mapped read-only");
    gt_is(nr_pt, lay->pt_pages, "pv: the walk used the builder's %" PRIu64
          " table pages", lay->pt_pages);

    /* The pinned L4 is a page table: read-only foreign maps only. */
    fmem = xenforeignmemory_open(NULL, 0);
    if ( !gt_ok(fmem != NULL, "pv: xenforeignmemory_open") )
        return;
    p = xenforeignmemory_map(fmem, g->domid, PROT_READ | PROT_WRITE, 1,
                             (xen_pfn_t *)&l4, NULL);
    gt_ok(!p && errno == EBUSY, "pv: the pinned L4 cannot be mapped "
          "writable (EBUSY)");
    if ( p )
        xenforeignmemory_unmap(fmem, p, 1);
    p = xenforeignmemory_map(fmem, g->domid, PROT_READ, 1, (xen_pfn_t *)&l4,
                             NULL);
    gt_ok(p != NULL, "pv: ... but read");
    if ( p )
        xenforeignmemory_unmap(fmem, p, 1);
    xenforeignmemory_close(fmem);
}

/* Xen's 64-bit PV stubs: push rcx; push r11; mov $i,%eax; syscall; ... */
static void check_hypercall_page(struct gt_guest *g, uint64_t mfn)
{
    static const uint8_t stub0[14] = {
        0x51, 0x41, 0x53, 0xb8, 0, 0, 0, 0, 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3,
    };
    static const uint8_t iret[11] = {
        0x51, 0x41, 0x53, 0x50, 0xb8, 23, 0, 0, 0, 0x0f, 0x05,
    };
    uint8_t page[PAGE_SIZE];
    unsigned int i, bad = 0;

    if ( !gt_ok(!gt_read_page(g->xch, g->domid, mfn, page),
                "pv: read the hypercall page") )
        return;
    gt_ok(!memcmp(page, stub0, sizeof(stub0)), "pv: stub 0 (set_trap_table)");
    for ( i = sizeof(stub0); i < 32; i++ )
        if ( page[i] != 0xcc )
            bad++;
    gt_is(bad, 0, "pv: int3 after each stub");
    gt_is(page[12 * 32 + 4], 12, "pv: stub 12 loads %%eax with 12");
    gt_ok(!memcmp(page + __HYPERVISOR_iret * 32, iret, sizeof(iret)),
          "pv: the iret stub (push %%rax, no return)");
}

static void check_start_info(struct gt_guest *g, const struct pv_layout *lay)
{
    uint8_t page[PAGE_SIZE];
    const start_info_x86_64_t *si = (const void *)page;

    if ( !gt_ok(!gt_read_page(g->xch, g->domid,
                              lay->p2m[lay->start_info_pfn], page),
                "pv: read start info") )
        return;
    gt_ok(!strcmp(si->magic, "xen-3.0-x86_64"), "pv: start info magic %s",
          si->magic);
    gt_is(si->nr_pages, lay->total_pages, "pv: nr_pages");
    gt_is(si->shared_info, lay->shared_info_mfn << PAGE_SHIFT,
          "pv: shared_info machine address");
    gt_is(si->pt_base, lay->pt_vstart, "pv: pt_base");
    gt_is(si->nr_pt_frames, lay->pt_pages, "pv: nr_pt_frames");
    gt_is(si->mfn_list, lay->p2m_vstart, "pv: mfn_list");
    gt_is(si->store_mfn, lay->p2m[lay->xenstore_pfn], "pv: store_mfn");
    gt_is(si->store_evtchn, g->store_port, "pv: store_evtchn");
    gt_is(si->console.domU.mfn, lay->p2m[lay->console_pfn], "pv: console mfn");
    gt_is(si->console.domU.evtchn, g->console_port, "pv: console evtchn");
    gt_ok(!strcmp((const char *)si->cmd_line, CMDLINE), "pv: cmd_line");
}

static void check_shared_info(struct gt_guest *g, const struct pv_layout *lay)
{
    uint8_t page[PAGE_SIZE];
    const shared_info_x86_64_t *sh = (const void *)page;
    xc_domaininfo_t info;
    unsigned int i, masked = 0;

    if ( !gt_ok(!gt_domaininfo(g->xch, g->domid, &info), "pv: getdomaininfo") )
        return;
    gt_is(info.shared_info_frame, lay->shared_info_mfn,
          "pv: shared_info_frame is an MFN");
    gt_is(info.tot_pages, lay->total_pages, "pv: tot_pages");
    gt_is(info.flags & XEN_DOMINF_hvm_guest, 0, "pv: not HVM");
    if ( !gt_ok(!gt_read_page(g->xch, g->domid, lay->shared_info_mfn, page),
                "pv: map shared info") )
        return;
    for ( i = 0; i < 32; i++ )
        masked += sh->vcpu_info[i].evtchn_upcall_mask == 1;
    gt_is(masked, 32, "pv: every legacy vcpu_info has upcalls masked");
}

static void check_vcpus(struct gt_guest *g, const struct pv_layout *lay,
                        uint64_t entry, uint64_t *cr3)
{
    vcpu_guest_context_any_t ctx;
    const vcpu_guest_context_x86_64_t *c = &ctx.x64;
    unsigned int width = 0;

    *cr3 = 0;
    gt_ok(!xc_domain_get_guest_width(g->xch, g->domid, &width) && width == 8,
          "pv: XEN_DOMCTL_get_address_size: 64-bit");
    gt_ok(xc_domain_get_native_protocol(g->xch, g->domid) &&
          !strcmp(xc_domain_get_native_protocol(g->xch, g->domid),
                  "x86_64-abi"), "pv: native protocol x86_64-abi");
    if ( !gt_ok(!xc_vcpu_getcontext(g->xch, g->domid, 0, &ctx),
                "pv: XEN_DOMCTL_getvcpucontext 0") )
        return;
    gt_is(c->user_regs.rip, entry, "pv: rip is the ELF entry");
    gt_is(c->user_regs.rsp, VIRT_BASE + ((lay->bootstack_pfn + 1) << PAGE_SHIFT),
          "pv: rsp at the top of the boot stack");
    gt_is(c->user_regs.rsi, VIRT_BASE + (lay->start_info_pfn << PAGE_SHIFT),
          "pv: rsi is the start info");
    gt_ok(c->user_regs.rflags & 0x200, "pv: interrupts enabled");
    gt_is(c->flags & (VGCF_in_kernel | VGCF_online),
          VGCF_in_kernel | VGCF_online, "pv: in kernel, online");
    gt_is(c->user_regs.cs, FLAT_KERNEL_CS_X86_64, "pv: flat kernel cs");
    *cr3 = c->ctrlreg[3];
    errno = 0;
    gt_ok(xc_vcpu_getcontext(g->xch, g->domid, 1, &ctx) && errno == ENODATA,
          "pv: vCPU 1 has no context (ENODATA)");
}

static void check_gnttab(struct gt_guest *g, const struct pv_layout *lay)
{
    xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
    xenforeignmemory_resource_handle *fres;
    grant_entry_v1_t *gt = NULL;

    if ( !fmem )
        return;
    fres = xenforeignmemory_map_resource(
        fmem, g->domid, XENMEM_resource_grant_table,
        XENMEM_resource_grant_table_id_shared, 0, 1, (void **)&gt,
        PROT_READ, 0);
    if ( gt_ok(fres != NULL, "pv: map the grant table") )
    {
        gt_is(gt[GNTTAB_RESERVED_CONSOLE].frame, lay->p2m[lay->console_pfn],
              "pv: console grant names the MFN");
        gt_is(gt[GNTTAB_RESERVED_XENSTORE].frame, lay->p2m[lay->xenstore_pfn],
              "pv: xenstore grant names the MFN");
        xenforeignmemory_unmap_resource(fmem, fres);
    }
    xenforeignmemory_close(fmem);
}

int main(int argc, char **argv)
{
    struct gt_guest g = {
        .type = GT_PV, .name = "pv", .max_vcpus = 2,
        .mem_kb = (uint64_t)MEM_MIB << 10,
    };
    struct pv_layout lay = { 0 };
    struct xc_dom_image *dom;
    xc_physinfo_t before, after;
    uint64_t entry, hc_mfn = 0, cr3;
    uint8_t *image;
    size_t len = 0;
    struct gt_leaf *leaves;

    if ( argc < 2 )
    {
        fprintf(stderr, "usage: %s KERNEL\n", argv[0]);
        return 2;
    }
    image = gt_slurp(argv[1], &len);
    if ( !gt_ok(image != NULL, "read %s", argv[1]) ||
         !gt_ok((g.xch = gt_open()) != NULL, "xc_interface_open") )
        return gt_done();
    entry = ((const Elf64_Ehdr *)image)->e_entry;
    gt_ok(!xc_physinfo(g.xch, &before), "pv: physinfo before");
    if ( !gt_domain_create(&g) )
        return gt_done();

    /* libxl__build_pv */
    dom = xc_dom_allocate(g.xch, CMDLINE, NULL);
    if ( !gt_ok(dom != NULL, "pv: xc_dom_allocate") )
        return gt_done();
    dom->container_type = XC_DOM_PV_CONTAINER;
    dom->claim_enabled = 1;
    dom->console_evtchn = g.console_port;
    dom->xenstore_evtchn = g.store_port;
    dom->max_vcpus = g.max_vcpus;
    if ( gt_ok(!xc_dom_kernel_file(dom, argv[1]), "pv: xc_dom_kernel_file") &&
         gt_ok(!xc_dom_boot_xen_init(dom, g.xch, g.domid),
               "pv: xc_dom_boot_xen_init") &&
         gt_ok(!xc_dom_parse_image(dom), "pv: xc_dom_parse_image") &&
         gt_ok(!xc_dom_mem_init(dom, MEM_MIB), "pv: xc_dom_mem_init") &&
         gt_ok(!xc_dom_boot_mem_init(dom), "pv: xc_dom_boot_mem_init") &&
         gt_ok(!xc_dom_build_image(dom), "pv: xc_dom_build_image") &&
         /* Before boot_image fills the hypercall page inside the image. */
         (gt_check_elf_loaded(g.xch, g.domid, "pv", image, len, 0,
                              dom->pv_p2m), true) &&
         gt_ok(!xc_dom_boot_image(dom), "pv: xc_dom_boot_image") &&
         gt_ok(!xc_dom_gnttab_init(dom), "pv: xc_dom_gnttab_init") )
    {
        gt_ok(!strcmp(dom->guest_type, "xen-3.0-x86_64"), "pv: guest type %s",
              dom->guest_type);
        lay.nr_pfns = dom->p2m_size;
        lay.p2m = malloc(lay.nr_pfns * sizeof(*lay.p2m));
        if ( lay.p2m )
            memcpy(lay.p2m, dom->pv_p2m, lay.nr_pfns * sizeof(*lay.p2m));
        lay.total_pages = dom->total_pages;
        lay.start_info_pfn = dom->start_info_pfn;
        lay.xenstore_pfn = dom->xenstore_pfn;
        lay.console_pfn = dom->console_pfn;
        lay.bootstack_pfn = dom->bootstack_pfn;
        lay.pt_pfn = dom->pgtables_seg.pfn;
        lay.pt_vstart = dom->pgtables_seg.vstart;
        lay.pt_pages = dom->pgtables_seg.pages;
        lay.p2m_vstart = dom->p2m_seg.vstart;
        lay.p2m_pfn = dom->p2m_seg.pfn;
        lay.shared_info_mfn = dom->shared_info_mfn;
        lay.virt_pgtab_end = dom->virt_pgtab_end;
        hc_mfn = lay.p2m ? lay.p2m[(((const Elf64_Ehdr *)image)->e_entry -
                                    VIRT_BASE + PAGE_SIZE) >> PAGE_SHIFT] : 0;
    }
    xc_dom_release(dom);
    if ( !gt_ok(lay.p2m != NULL, "pv: the build got as far as the p2m") )
        return gt_done();

    gt_is(lay.nr_pfns, MEM_MIB << 8, "pv: p2m_size is the memory");
    check_p2m_list(&g, &lay);
    check_vcpus(&g, &lay, entry, &cr3);
    check_pagetables(&g, &lay, cr3);
    check_hypercall_page(&g, hc_mfn);
    check_start_info(&g, &lay);
    check_shared_info(&g, &lay);
    check_gnttab(&g, &lay);
    gt_check_cpu_policy(&g);
    /* A PV guest has no p2m: debug key 'D' prints nothing for it. */
    gt_is(gt_p2m_leaves(g.xch, g.domid, &leaves), 0,
          "pv: no EPT p2m to dump");
    free(leaves);
    gt_ok(!xc_domain_unpause(g.xch, g.domid), "pv: xc_domain_unpause");
    if ( gt_domain_destroy(&g) &&
         gt_ok(!xc_physinfo(g.xch, &after), "pv: physinfo after") )
        gt_is(after.free_pages, before.free_pages,
              "pv: every page is back in the heap");
    free(lay.p2m);
    xc_interface_close(g.xch);
    free(image);
    return gt_done();
}
