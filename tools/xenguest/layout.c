/*
 * layout.c - the memory layout arithmetic of XenServer's
 * hvm_build_setup_mem, pvh_setup_mem and pvh_setup_e820 (layout.h,
 * xen-toolstack.md §1.8 and §1.10), kept free of I/O.
 *
 * Quirks kept on purpose:
 * - the e820 is not sorted (hvmloader reads it as it comes);
 * - an RDM below lowmem_end moves the hole's start down by the overlap
 *   even when the VM was smaller than the hole, and then high RAM appears
 *   even if the VM had none;
 * - "too many E820 reserved entries" fires when the table reaches
 *   E820MAX - 2 entries, even if every RDM fitted.
 */
#include <stdio.h>
#include <string.h>

#include "layout.h"

static void add(struct xg_layout *l, uint64_t addr, uint64_t size,
                uint32_t type)
{
    l->e820[l->nr_e820].addr = addr;
    l->e820[l->nr_e820].size = size;
    l->e820[l->nr_e820].type = type;
    l->nr_e820++;
}

/* The 16 MiB window at a overlaps an entry of the table so far. */
static bool vram_overlaps(const struct xg_layout *l, uint64_t a)
{
    for ( unsigned int i = 0; i < l->nr_e820; i++ )
        if ( a + XG_VRAM_RESERVED_SIZE > l->e820[i].addr &&
             a < l->e820[i].addr + l->e820[i].size )
            return true;
    return false;
}

int xg_hvm_layout(const struct xg_hvm_layout_in *in, struct xg_layout *l,
                  char *err, size_t errlen)
{
    uint64_t mmio_total = in->mmio_total, overlapped = 0;
    uint64_t lowmem_end = in->max_mib << 20, highmem_end = XG_GB(4);
    uint64_t mmio_size = XG_MMIO_HOLE_DEFAULT, mmio_start;
    unsigned int i;

    memset(l, 0, sizeof(*l));
    if ( in->vgpu )
    {
        mmio_total += mmio_size;
        mmio_size <<= 1;
    }
    /* Memory relocation is always allowed (ALLOW_MEMORY_RELOCATE). */
    while ( mmio_size < mmio_total && (uint32_t)(mmio_size << 1) != 0 )
        mmio_size <<= 1;
    /* The S7150x2's PLX bridges must not alias guest RAM. */
    if ( in->mxgpu && mmio_size < XG_GB(2) )
        mmio_size = XG_GB(2);
    l->mmio_provisional = mmio_size;

    mmio_start = XG_GB(4) - mmio_size;
    if ( lowmem_end > mmio_start )
    {
        highmem_end = XG_GB(4) + (lowmem_end - mmio_start);
        lowmem_end = mmio_start;
    }

    add(l, XG_HVM_LOWMEM_START, lowmem_end - XG_HVM_LOWMEM_START, E820_RAM);
    for ( i = 0; i < in->nr_rdm && l->nr_e820 < E820MAX - 2; i++ )
    {
        uint64_t addr = in->rdm[i].start_pfn << XC_PAGE_SHIFT;

        add(l, addr, in->rdm[i].nr_pages << XC_PAGE_SHIFT, E820_RESERVED);
        if ( addr < lowmem_end )
        {
            overlapped += lowmem_end - addr;
            lowmem_end = addr;
        }
    }
    if ( l->nr_e820 == E820MAX - 2 )
    {
        snprintf(err, errlen,
                 "Error: too many E820 reserved entries for domain");
        return -1;
    }
    l->e820[0].size -= overlapped;
    highmem_end += overlapped;
    mmio_size += overlapped;
    mmio_start -= overlapped;

    if ( highmem_end > XG_GB(4) )
        add(l, XG_GB(4), highmem_end - XG_GB(4), E820_RAM);

    if ( in->vgpu )
    {
        uint64_t a = XG_VRAM_RESERVED_INIT;

        while ( a >= mmio_start && vram_overlaps(l, a) )
            a -= XG_VRAM_RESERVED_SIZE;
        if ( a < mmio_start )
        {
            snprintf(err, errlen,
                     "Error: failed to allocate VRAM reserved region");
            return -1;
        }
        add(l, a, XG_VRAM_RESERVED_SIZE, E820_RESERVED);
        l->vram_addr = a;
    }

    l->lowmem_end = lowmem_end;
    l->highmem_end = highmem_end;
    l->mmio_size = mmio_size;
    l->mmio_start = mmio_start;
    return 0;
}

void xg_pvh_layout(uint64_t max_mib, struct xg_layout *l)
{
    memset(l, 0, sizeof(*l));
    l->lowmem_end = max_mib << 20;
    l->highmem_end = XG_GB(4);
    l->mmio_size = l->mmio_provisional = XG_MMIO_HOLE_DEFAULT;
    l->mmio_start = XG_GB(4) - l->mmio_size;
    if ( l->lowmem_end > l->mmio_start )
    {
        l->highmem_end = XG_GB(4) + (l->lowmem_end - l->mmio_start);
        l->lowmem_end = l->mmio_start;
    }
}

void xg_pvh_e820(struct xg_layout *l, bool device_model,
                 const struct xg_acpi_range *acpi, unsigned int nr_acpi)
{
    uint64_t start = device_model ? XG_HVM_LOWMEM_START : 0;

    l->nr_e820 = 0;
    add(l, start, l->lowmem_end - start, E820_RAM);
    for ( unsigned int i = 0; i < nr_acpi && l->nr_e820 < E820MAX - 1; i++ )
    {
        uint64_t off = acpi[i].addr & (XC_PAGE_SIZE - 1);

        if ( acpi[i].length )
            add(l, acpi[i].addr - off, acpi[i].length + off, E820_ACPI);
    }
    if ( l->highmem_end > XG_GB(4) )
        add(l, XG_GB(4), l->highmem_end - XG_GB(4), E820_RAM);
}
