/*
 * build_hvm.c - Debian's libxenguest HVM builder, driven as libxl 4.17's
 * libxl__build_hvm drives it, for a 1 GiB, a 6 GiB and a 64 GiB guest.
 *
 *   build_hvm HVMLOADER
 *
 * For each size: libxl__domain_make + libxl__build_pre (guest_util.c),
 * then xc_dom_allocate, the HVM container fields libxl sets,
 * xc_dom_kernel_file(hvmloader), boot_xen_init, parse_image, mem_init,
 * boot_mem_init (meminit_hvm), libxl's memory map, build_image,
 * boot_image, gnttab_init, libxl's hvm_build_set_params, and the unpause
 * that ends domain creation.  Then, through Xen interfaces only:
 *
 * - the p2m, leaf by leaf (debug key 'D'), against the split meminit_hvm
 *   makes: 4K for gfn 0-0x9f and 0xc0-0x1ff, nothing at the VGA hole
 *   0xa0-0xbf, 2M up to each GiB boundary, 1G for every aligned GiB
 *   wholly inside RAM (never one overlapping the MMIO hole below 4 GiB),
 *   and the 16 special pages below 0xff000;
 * - tot_pages equal to what those leaves map;
 * - hvmloader's loadable bytes at their gfns, compared with the file;
 * - the hvm_info table at HVM_INFO_PADDR (signature, checksum, nr_vcpus,
 *   memory bounds), the HVM start info page, the identity-map page table;
 * - the HVM params the builder and libxl set, the grant entries
 *   xc_dom_gnttab_init seeds, the BSP's CPU record in the HVM context;
 * - and that destroying the domain gives every page back.
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
#include <xen/hvm/hvm_info_table.h>
#include <xen/hvm/params.h>
#include <xen/hvm/save.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "guest_util.h"

#define PAGE_SHIFT          12
#define PAGE_SIZE           (1UL << PAGE_SHIFT)
#define GB(n)               ((uint64_t)(n) << 30)
#define MMIO_SIZE           (256ULL << 20)      /* HVM_BELOW_4G_MMIO_LENGTH */
#define VGA_HOLE_PAGES      0x20                /* LIBXL_VGA_HOLE_SIZE */
#define GUEST_LOW_MEM_START 0x100000            /* GUEST_LOW_MEM_START_DEFAULT */
#define SPECIAL_PFN(x)      (X86_HVM_END_SPECIAL_REGION - \
                             X86_HVM_NR_SPECIAL_PAGES + (x))
#define IOREQ_SERVER_PFN(x) (SPECIAL_PFN(0) - 8 + (x))
#define E820_RAM            1

struct hvm_case {
    const char *name;
    unsigned int mib, vcpus;
    /* The split, counted by hand from meminit_hvm (see the file comment). */
    unsigned long n4k, n2m, n1g;
};

static const struct hvm_case cases[] = {
    /* 0xa0 + 0x140 RAM + 16 special; (1G - 1M) / 2M; no whole GiB. */
    { "hvm-1G", 1024, 2, 496, 511, 0 },
    /* Low 3.75G: GiB 0 in 2M, GiBs 1-2 whole, 768M; high 2.25G at 4G. */
    { "hvm-6G", 6144, 4, 496, 511 + 384 + 128, 2 + 2 },
    /* High 60.25G at 4G: 60 whole GiBs and 256M. */
    { "hvm-64G", 65536, 8, 496, 511 + 384 + 128, 2 + 60 },
};

struct leaf_model {
    struct gt_leaf *l;
    size_t n, cap;
};

static void model_add(struct leaf_model *m, uint64_t gfn, unsigned int order)
{
    if ( m->n == m->cap )
    {
        m->cap = m->cap ? 2 * m->cap : 1024;
        m->l = realloc(m->l, m->cap * sizeof(*m->l));
        if ( !m->l )
            abort();
    }
    memset(&m->l[m->n], 0, sizeof(m->l[m->n]));
    m->l[m->n].gfn = gfn;
    m->l[m->n++].order = order;
}

/* RAM [start, end) in pages: 2M up to a GiB boundary, whole GiBs, 2M. */
static void model_range(struct leaf_model *m, uint64_t start, uint64_t end)
{
    const uint64_t g = 1UL << 18, s = 1UL << 9;

    while ( start < end )
    {
        if ( !(start & (g - 1)) && end - start >= g )
        {
            model_add(m, start, 18);
            start += g;
        }
        else
        {
            model_add(m, start, 9);
            start += s;
        }
    }
}

static int leaf_cmp(const void *a, const void *b)
{
    const struct gt_leaf *x = a, *y = b;

    return x->gfn < y->gfn ? -1 : x->gfn > y->gfn;
}

static void check_p2m(struct gt_guest *g, const struct hvm_case *c,
                      uint64_t lowmem_end, uint64_t highmem_end)
{
    struct leaf_model m = { 0 };
    struct gt_leaf *got;
    unsigned long cnt[3] = { 0 }, pages = 0, bad_attr = 0, misaligned = 0;
    unsigned long vga = 0, hole = 0, mismatch = 0;
    xc_domaininfo_t info;
    long n, i;

    for ( i = 0; i < 0xa0; i++ )
        model_add(&m, i, 0);
    for ( i = 0xc0; i < 0x200; i++ )
        model_add(&m, i, 0);
    model_range(&m, 0x200, lowmem_end >> PAGE_SHIFT);
    if ( highmem_end )
        model_range(&m, GB(4) >> PAGE_SHIFT, highmem_end >> PAGE_SHIFT);
    for ( i = 0; i < 16; i++ )
        model_add(&m, IOREQ_SERVER_PFN(0) + i, 0);
    qsort(m.l, m.n, sizeof(*m.l), leaf_cmp);

    n = gt_p2m_leaves(g->xch, g->domid, &got);
    if ( !gt_ok(n > 0, "%s: debug key 'D' dumps the p2m (%ld leaves)",
                c->name, n) )
        return;
    for ( i = 0; i < n; i++ )
    {
        const struct gt_leaf *l = &got[i];
        uint64_t last = l->gfn + (1UL << l->order) - 1;

        if ( l->order == 0 || l->order == 9 || l->order == 18 )
            cnt[l->order / 9]++;
        pages += 1UL << l->order;
        if ( strcmp(l->rwx, "rwx") || strcmp(l->emt, "WB!") )
            bad_attr++;
        if ( l->mfn & ((1UL << l->order) - 1) )
            misaligned++;
        if ( l->gfn <= 0xbf && last >= 0xa0 )
            vga++;
        if ( last >= (lowmem_end >> PAGE_SHIFT) &&
             l->gfn < (GB(4) >> PAGE_SHIFT) &&
             (l->gfn < IOREQ_SERVER_PFN(0) || last > SPECIAL_PFN(7)) )
            hole++;
        if ( (size_t)i >= m.n || m.l[i].gfn != l->gfn ||
             m.l[i].order != l->order )
        {
            if ( !mismatch )
                gt_diag("first difference at leaf %ld: gfn %#" PRIx64
                        " order %u", i, l->gfn, l->order);
            mismatch++;
        }
    }
    gt_is(cnt[0], c->n4k, "%s: 4K leaves", c->name);
    gt_is(cnt[1], c->n2m, "%s: 2M leaves", c->name);
    gt_is(cnt[2], c->n1g, "%s: 1G leaves", c->name);
    gt_is(n, m.n, "%s: no leaves of other sizes", c->name);
    gt_is(mismatch, 0, "%s: every leaf at the gfn and size meminit_hvm "
          "chose", c->name);
    gt_is(vga, 0, "%s: nothing in the VGA hole 0xa0-0xbf", c->name);
    gt_is(hole, 0, "%s: nothing between lowmem_end and 4 GiB but the "
          "special pages", c->name);
    gt_is(misaligned, 0, "%s: every superpage leaf maps an aligned MFN "
          "block", c->name);
    gt_is(bad_attr, 0, "%s: every leaf is RAM: rwx, write-back", c->name);
    if ( gt_ok(!gt_domaininfo(g->xch, g->domid, &info), "%s: getdomaininfo",
               c->name) )
        gt_is(info.tot_pages, pages, "%s: tot_pages is what the p2m maps",
              c->name);
    gt_is(pages, (lowmem_end >> PAGE_SHIFT) - VGA_HOLE_PAGES + 16 +
          (highmem_end ? (highmem_end - GB(4)) >> PAGE_SHIFT : 0),
          "%s: RAM less the VGA hole, plus the special pages", c->name);
    free(got);
    free(m.l);
}

static void check_hvm_info(struct gt_guest *g, const struct hvm_case *c,
                           uint64_t lowmem_end, uint64_t highmem_end)
{
    uint8_t page[PAGE_SIZE], sum = 0;
    const struct hvm_info_table *t =
        (const void *)(page + HVM_INFO_OFFSET);
    unsigned int i;

    if ( !gt_ok(!gt_read_page(g->xch, g->domid, HVM_INFO_PFN, page),
                "%s: map gfn %#x (HVM_INFO_PFN)", c->name, HVM_INFO_PFN) )
        return;
    gt_is(HVM_INFO_PADDR, (HVM_INFO_PFN << PAGE_SHIFT) + HVM_INFO_OFFSET,
          "%s: HVM_INFO_PADDR is at HVM_INFO_OFFSET in the page", c->name);
    gt_ok(!memcmp(t->signature, "HVM INFO", 8), "%s: hvm_info signature",
          c->name);
    gt_is(t->length, sizeof(*t), "%s: hvm_info length", c->name);
    for ( i = 0; i < t->length && i < PAGE_SIZE - HVM_INFO_OFFSET; i++ )
        sum += page[HVM_INFO_OFFSET + i];
    gt_is(sum, 0, "%s: hvm_info checksum", c->name);
    gt_is(t->nr_vcpus, c->vcpus, "%s: hvm_info nr_vcpus", c->name);
    gt_is(t->apic_mode, 1, "%s: hvm_info apic_mode", c->name);
    gt_is(t->vcpu_online[0], (1U << c->vcpus) - 1,
          "%s: hvm_info vcpu_online", c->name);
    gt_is(t->low_mem_pgend, lowmem_end >> PAGE_SHIFT,
          "%s: hvm_info low_mem_pgend", c->name);
    gt_is(t->high_mem_pgend, highmem_end >> PAGE_SHIFT,
          "%s: hvm_info high_mem_pgend", c->name);
    gt_is(t->reserved_mem_pgstart, IOREQ_SERVER_PFN(0),
          "%s: hvm_info reserved_mem_pgstart", c->name);
    for ( i = 0; i < HVM_INFO_OFFSET; i++ )
        if ( page[i] )
            break;
    gt_is(i, HVM_INFO_OFFSET, "%s: the rest of the page is clear", c->name);
}

static void check_params(struct gt_guest *g, const char *name)
{
    static const struct {
        unsigned int idx;
        uint64_t val;
    } want[] = {
        { HVM_PARAM_STORE_PFN, SPECIAL_PFN(4) },
        { HVM_PARAM_BUFIOREQ_PFN, SPECIAL_PFN(3) },
        { HVM_PARAM_IOREQ_PFN, SPECIAL_PFN(5) },
        { HVM_PARAM_CONSOLE_PFN, SPECIAL_PFN(7) },
        { HVM_PARAM_PAGING_RING_PFN, SPECIAL_PFN(0) },
        { HVM_PARAM_MONITOR_RING_PFN, SPECIAL_PFN(1) },
        { HVM_PARAM_SHARING_RING_PFN, SPECIAL_PFN(2) },
        { HVM_PARAM_IDENT_PT, (uint64_t)SPECIAL_PFN(6) << PAGE_SHIFT },
        { HVM_PARAM_IOREQ_SERVER_PFN, IOREQ_SERVER_PFN(0) },
        { HVM_PARAM_NR_IOREQ_SERVER_PAGES, 8 },
        { HVM_PARAM_HPET_ENABLED, 1 },
        { HVM_PARAM_VPT_ALIGN, 1 },
        { HVM_PARAM_TIMER_MODE, 1 },
        { HVM_PARAM_ALTP2M, 0 },
    };
    unsigned int i;
    uint64_t v;

    for ( i = 0; i < sizeof(want) / sizeof(want[0]); i++ )
    {
        v = ~0ULL;
        if ( gt_ok(!xc_hvm_param_get(g->xch, g->domid, want[i].idx, &v),
                   "%s: HVMOP_get_param %u", name, want[i].idx) )
            gt_is(v, want[i].val, "%s: param %u", name, want[i].idx);
    }
    if ( !xc_hvm_param_get(g->xch, g->domid, HVM_PARAM_STORE_EVTCHN, &v) )
        gt_is(v, g->store_port, "%s: HVM_PARAM_STORE_EVTCHN", name);
    if ( !xc_hvm_param_get(g->xch, g->domid, HVM_PARAM_CONSOLE_EVTCHN, &v) )
        gt_is(v, g->console_port, "%s: HVM_PARAM_CONSOLE_EVTCHN", name);
}

static void check_special_pages(struct gt_guest *g, const char *name)
{
    uint8_t page[PAGE_SIZE];
    const uint32_t *pt = (const uint32_t *)page;
    unsigned int i, bad = 0, dirty = 0;

    /* A 32-bit non-PAE page directory of 4M identity superpages. */
    if ( gt_ok(!gt_read_page(g->xch, g->domid, SPECIAL_PFN(6), page),
               "%s: map the IDENT_PT page", name) )
    {
        for ( i = 0; i < 1024; i++ )
            if ( pt[i] != ((i << 22) | 0xe7) )   /* P RW U A D PSE */
                bad++;
        gt_is(bad, 0, "%s: IDENT_PT maps 4G 1:1 with 4M pages", name);
    }
    /* The other special and ioreq-server pages were cleared. */
    for ( i = 0; i < 16; i++ )
    {
        if ( IOREQ_SERVER_PFN(i) == SPECIAL_PFN(6) ||
             gt_read_page(g->xch, g->domid, IOREQ_SERVER_PFN(i), page) )
            continue;
        for ( unsigned int j = 0; j < PAGE_SIZE; j++ )
            if ( page[j] )
            {
                dirty++;
                break;
            }
    }
    gt_is(dirty, 0, "%s: the other special pages read as zero", name);
}

static void check_gnttab(struct gt_guest *g, const char *name)
{
    xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
    xenforeignmemory_resource_handle *fres;
    grant_entry_v1_t *gt = NULL;

    if ( !gt_ok(fmem != NULL, "%s: xenforeignmemory_open", name) )
        return;
    fres = xenforeignmemory_map_resource(
        fmem, g->domid, XENMEM_resource_grant_table,
        XENMEM_resource_grant_table_id_shared, 0, 1, (void **)&gt,
        PROT_READ, 0);
    if ( gt_ok(fres != NULL, "%s: map the grant table (acquire_resource)",
               name) )
    {
        gt_is(gt[GNTTAB_RESERVED_CONSOLE].flags, GTF_permit_access,
              "%s: grant %u (console) flags", name, GNTTAB_RESERVED_CONSOLE);
        gt_is(gt[GNTTAB_RESERVED_CONSOLE].domid, 0,
              "%s: grant %u (console) to dom0", name, GNTTAB_RESERVED_CONSOLE);
        gt_is(gt[GNTTAB_RESERVED_CONSOLE].frame, SPECIAL_PFN(7),
              "%s: grant %u (console) frame", name, GNTTAB_RESERVED_CONSOLE);
        gt_is(gt[GNTTAB_RESERVED_XENSTORE].flags, GTF_permit_access,
              "%s: grant %u (xenstore) flags", name,
              GNTTAB_RESERVED_XENSTORE);
        gt_is(gt[GNTTAB_RESERVED_XENSTORE].frame, SPECIAL_PFN(4),
              "%s: grant %u (xenstore) frame", name,
              GNTTAB_RESERVED_XENSTORE);
        gt_is(gt[2].flags, 0, "%s: grant 2 is free", name);
        xenforeignmemory_unmap_resource(fmem, fres);
    }
    xenforeignmemory_close(fmem);
}

/* The BSP's CPU record, as vcpu_hvm loads it, and no record for the APs. */
static void check_context(struct gt_guest *g, const char *name,
                          uint64_t entry, uint64_t start_info_pfn)
{
    int size = xc_domain_hvm_getcontext(g->xch, g->domid, NULL, 0);
    uint8_t *buf;
    const struct hvm_save_descriptor *d;
    const struct hvm_hw_cpu *cpu = NULL;
    unsigned int cpus = 0, mtrrs = 0, off = 0;

    if ( !gt_ok(size > 0, "%s: gethvmcontext size (%d)", name, size) )
        return;
    buf = calloc(1, size);
    size = xc_domain_hvm_getcontext(g->xch, g->domid, buf, size);
    if ( !gt_ok(size > 0, "%s: gethvmcontext", name) )
    {
        free(buf);
        return;
    }
    for ( ; off + sizeof(*d) <= (unsigned int)size;
          off += sizeof(*d) + d->length )
    {
        d = (const void *)(buf + off);
        if ( d->typecode == HVM_SAVE_CODE(END) )
            break;
        if ( d->typecode == HVM_SAVE_CODE(CPU) )
        {
            cpus++;
            if ( d->instance == 0 )
                cpu = (const void *)(d + 1);
        }
        if ( d->typecode == HVM_SAVE_CODE(MTRR) )
            mtrrs++;
    }
    gt_is(cpus, 1, "%s: one CPU record: only the BSP is up", name);
    gt_is(mtrrs, g->max_vcpus, "%s: an MTRR record per vCPU", name);
    if ( gt_ok(cpu != NULL, "%s: the BSP's CPU record", name) )
    {
        gt_is(cpu->rip, entry, "%s: BSP rip is the image's entry", name);
        gt_is(cpu->cr0, 0x11, "%s: BSP cr0 = PE|ET", name);
        gt_is(cpu->rbx, start_info_pfn << PAGE_SHIFT,
              "%s: BSP rbx = the start info", name);
        gt_is(cpu->cs_arbytes, 0xc9b, "%s: BSP flat 32-bit code segment",
              name);
        gt_is(cpu->cs_limit, 0xffffffff, "%s: BSP cs limit 4G", name);
        gt_is(cpu->tr_arbytes, 0x8b, "%s: BSP busy TSS", name);
    }
    free(buf);
}

static void check_start_info(struct gt_guest *g, const char *name,
                             uint64_t pfn, uint64_t lowmem_end,
                             uint64_t highmem_end)
{
    uint8_t page[PAGE_SIZE];
    const struct hvm_start_info *si = (const void *)page;
    const struct hvm_memmap_table_entry *mm;
    unsigned int want = highmem_end ? 2 : 1;

    if ( !gt_ok(!gt_read_page(g->xch, g->domid, pfn, page),
                "%s: map the start info page %#" PRIx64, name, pfn) )
        return;
    gt_is(si->magic, XEN_HVM_START_MAGIC_VALUE, "%s: start info magic", name);
    gt_is(si->version, 1, "%s: start info version", name);
    gt_is(si->nr_modules, 0, "%s: no modules", name);
    gt_is(si->memmap_entries, want, "%s: memory map entries", name);
    /* After the struct, two module entries and their command lines. */
    gt_is(si->memmap_paddr, (pfn << PAGE_SHIFT) + sizeof(*si) +
          2 * (sizeof(struct hvm_modlist_entry) + 1024),
          "%s: memory map address", name);
    mm = (const void *)(page + (si->memmap_paddr & (PAGE_SIZE - 1)));
    if ( si->memmap_entries >= 1 )
    {
        gt_is(mm[0].addr, GUEST_LOW_MEM_START, "%s: e820[0] start", name);
        gt_is(mm[0].size, lowmem_end - GUEST_LOW_MEM_START,
              "%s: e820[0] size", name);
        gt_is(mm[0].type, E820_RAM, "%s: e820[0] is RAM", name);
    }
    if ( highmem_end && si->memmap_entries >= 2 )
    {
        gt_is(mm[1].addr, GB(4), "%s: e820[1] start", name);
        gt_is(mm[1].size, highmem_end - GB(4), "%s: e820[1] size", name);
    }
}

/* libxl's domain_construct_memmap for an HVM guest without RDMs. */
static int set_memmap(struct gt_guest *g, struct xc_dom_image *dom,
                      struct e820entry *e820)
{
    unsigned int nr = 1;

    e820[0].addr = GUEST_LOW_MEM_START;
    e820[0].size = dom->lowmem_end - GUEST_LOW_MEM_START;
    e820[0].type = E820_RAM;
    if ( dom->highmem_end )
    {
        e820[1].addr = GB(4);
        e820[1].size = dom->highmem_end - GB(4);
        e820[1].type = E820_RAM;
        nr++;
    }
    if ( xc_domain_set_memory_map(g->xch, g->domid, e820, nr) )
        return -1;
    dom->e820 = e820;
    dom->e820_entries = nr;
    return 0;
}

/* libxl's hvm_build_set_params: the toolstack's part of hvm_info. */
static int hvm_build_set_params(struct gt_guest *g)
{
    uint8_t *va = xc_map_foreign_range(g->xch, g->domid, PAGE_SIZE,
                                       PROT_READ | PROT_WRITE, HVM_INFO_PFN);
    struct hvm_info_table *t;
    uint8_t sum = 0;
    unsigned int i;

    if ( !va )
        return -1;
    t = (void *)(va + HVM_INFO_OFFSET);
    t->apic_mode = 1;
    t->nr_vcpus = g->max_vcpus;
    memset(t->vcpu_online, 0, sizeof(t->vcpu_online));
    t->vcpu_online[0] = (1U << g->max_vcpus) - 1;
    for ( i = 0; i < t->length; i++ )
        sum += ((uint8_t *)t)[i];
    t->checksum -= sum;
    munmap(va, PAGE_SIZE);
    return 0;
}

static void build_one(xc_interface *xch, const struct hvm_case *c,
                      const char *hvmloader, const uint8_t *image,
                      size_t image_len)
{
    struct gt_guest g = {
        .xch = xch, .type = GT_HVM, .name = c->name,
        .max_vcpus = c->vcpus, .mem_kb = (uint64_t)c->mib << 10,
    };
    uint64_t mem = (uint64_t)c->mib << 20, mmio_start = GB(4) - MMIO_SIZE;
    uint64_t lowmem_end = mem, highmem_end = 0, entry, start_info_pfn;
    struct e820entry e820[2];
    struct xc_dom_image *dom;
    xc_physinfo_t before, after;
    xc_domaininfo_t info;

    if ( lowmem_end > mmio_start )
    {
        highmem_end = GB(4) + (lowmem_end - mmio_start);
        lowmem_end = mmio_start;
    }
    gt_ok(!xc_physinfo(xch, &before), "%s: physinfo before", c->name);
    if ( !gt_domain_create(&g) )
        return;

    /* libxl__build_hvm */
    dom = xc_dom_allocate(xch, NULL, NULL);
    if ( !gt_ok(dom != NULL, "%s: xc_dom_allocate", c->name) )
        return;
    dom->container_type = XC_DOM_HVM_CONTAINER;
    dom->target_pages = mem >> PAGE_SHIFT;
    dom->claim_enabled = 1;                 /* xl's claim_mode=1 */
    dom->mmio_size = MMIO_SIZE;
    dom->lowmem_end = lowmem_end;
    dom->highmem_end = highmem_end;
    dom->mmio_start = mmio_start;
    dom->vga_hole_size = VGA_HOLE_PAGES;
    dom->device_model = true;
    dom->max_vcpus = c->vcpus;
    dom->console_evtchn = g.console_port;
    dom->console_domid = 0;
    dom->xenstore_evtchn = g.store_port;
    dom->xenstore_domid = 0;

    if ( !gt_ok(!xc_dom_kernel_file(dom, hvmloader),
                "%s: xc_dom_kernel_file(hvmloader)", c->name) ||
         !gt_ok(!xc_dom_boot_xen_init(dom, xch, g.domid),
                "%s: xc_dom_boot_xen_init", c->name) ||
         !gt_ok(!xc_dom_parse_image(dom), "%s: xc_dom_parse_image", c->name) ||
         !gt_ok(!xc_dom_mem_init(dom, c->mib), "%s: xc_dom_mem_init", c->name) ||
         !gt_ok(!xc_dom_boot_mem_init(dom), "%s: xc_dom_boot_mem_init",
                c->name) ||
         !gt_ok(!set_memmap(&g, dom, e820),
                "%s: xc_domain_set_memory_map", c->name) ||
         !gt_ok(!xc_dom_build_image(dom), "%s: xc_dom_build_image", c->name) ||
         !gt_ok(!xc_dom_boot_image(dom), "%s: xc_dom_boot_image", c->name) ||
         !gt_ok(!xc_dom_gnttab_init(dom), "%s: xc_dom_gnttab_init", c->name) ||
         !gt_ok(!hvm_build_set_params(&g), "%s: hvm_build_set_params",
                c->name) )
    {
        xc_dom_release(dom);
        return;
    }
    gt_is(dom->console_pfn, SPECIAL_PFN(7), "%s: console pfn", c->name);
    gt_is(dom->xenstore_pfn, SPECIAL_PFN(4), "%s: xenstore pfn", c->name);
    gt_ok(!strcmp(dom->guest_type, "hvm-3.0-x86_32"), "%s: guest type %s",
          c->name, dom->guest_type);
    entry = ((const Elf32_Ehdr *)image)->e_entry;
    start_info_pfn = dom->start_info_seg.pfn;
    xc_dom_release(dom);

    check_p2m(&g, c, lowmem_end, highmem_end);
    gt_check_elf_loaded(xch, g.domid, c->name, image, image_len, 0, NULL);
    check_hvm_info(&g, c, lowmem_end, highmem_end);
    check_start_info(&g, c->name, start_info_pfn, lowmem_end, highmem_end);
    check_special_pages(&g, c->name);
    check_params(&g, c->name);
    check_gnttab(&g, c->name);
    check_context(&g, c->name, entry, start_info_pfn);
    gt_check_cpu_policy(&g);

    /* domcreate_complete: the domain was created paused; it runs now. */
    if ( gt_ok(!gt_domaininfo(xch, g.domid, &info), "%s: getdomaininfo",
               c->name) )
        gt_ok(info.flags & XEN_DOMINF_paused, "%s: paused until unpaused",
              c->name);
    gt_ok(!xc_domain_unpause(xch, g.domid), "%s: xc_domain_unpause", c->name);
    if ( gt_ok(!gt_domaininfo(xch, g.domid, &info), "%s: getdomaininfo",
               c->name) )
    {
        gt_ok(!(info.flags & XEN_DOMINF_paused), "%s: not paused", c->name);
        gt_ok(info.flags & XEN_DOMINF_hvm_guest, "%s: an HVM guest",
              c->name);
        gt_is(info.nr_online_vcpus, 1, "%s: the BSP is online", c->name);
        gt_is(info.max_pages, g.mem_kb / 4 + 256, "%s: max_pages", c->name);
    }

    if ( gt_domain_destroy(&g) &&
         gt_ok(!xc_physinfo(xch, &after), "%s: physinfo after", c->name) )
        gt_is(after.free_pages, before.free_pages,
              "%s: every page is back in the heap", c->name);
}

int main(int argc, char **argv)
{
    const char *hvmloader = argc > 1 ? argv[1] : NULL;
    uint8_t *image;
    size_t len = 0;
    xc_interface *xch;
    unsigned int i;

    if ( !hvmloader )
    {
        fprintf(stderr, "usage: %s HVMLOADER\n", argv[0]);
        return 2;
    }
    image = gt_slurp(hvmloader, &len);
    if ( !gt_ok(image != NULL, "read %s", hvmloader) )
        return gt_done();
    xch = gt_open();
    if ( !gt_ok(xch != NULL, "xc_interface_open") )
        return gt_done();
    for ( i = 0; i < sizeof(cases) / sizeof(cases[0]); i++ )
        build_one(xch, &cases[i], hvmloader, image, len);
    xc_interface_close(xch);
    free(image);
    return gt_done();
}
