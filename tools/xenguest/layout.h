/*
 * layout.h - the guest memory layouts of XenServer's hvm_build_setup_mem
 * and pvh_setup_mem/pvh_setup_e820, as pure functions (layout.c) so that
 * they can be tested without a hypervisor (tests/xenguest/).
 */
#ifndef XENGUEST_LAYOUT_H
#define XENGUEST_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenctrl.h>

#define XG_GB(x)                 ((uint64_t)(x) << 30)
#define XG_MB(x)                 ((uint64_t)(x) << 20)
/* The low MMIO hole's default, HVM_BELOW_4G_MMIO_LENGTH. */
#define XG_MMIO_HOLE_DEFAULT     XG_MB(256)
/* Where the search for a vGPU's VRAM window starts, and its size. */
#define XG_VRAM_RESERVED_INIT    0xfb000000ULL
#define XG_VRAM_RESERVED_SIZE    0x1000000ULL
/* hvmloader owns the first MiB of an HVM guest. */
#define XG_HVM_LOWMEM_START      0x100000ULL

/* One reserved device memory range (xen_reserved_device_memory). */
struct xg_rdm {
    uint64_t start_pfn, nr_pages;
};

struct xg_hvm_layout_in {
    uint64_t max_mib;           /* -mem_max_mib */
    uint64_t mmio_total;        /* 256 MiB + the passthrough BARs, bytes */
    bool vgpu;                  /* -vgpu: NVIDIA wants 32-bit BARs */
    bool mxgpu;                 /* an AMD S7150x2 (1002:692f) passed */
    const struct xg_rdm *rdm;   /* the devices' RDMs, device by device */
    unsigned int nr_rdm;
};

struct xg_layout {
    uint64_t lowmem_end, highmem_end, mmio_start, mmio_size;
    uint64_t vram_addr;         /* 0: none */
    uint64_t mmio_provisional;  /* the hole before the RDM adjustment */
    struct e820entry e820[E820MAX];
    unsigned int nr_e820;
};

/*
 * hvm_build_setup_mem's arithmetic: the hole doubled from 256 MiB (512
 * with a vGPU) until it covers mmio_total, at most 2 GiB (2 GiB at least
 * for MxGPU); RAM above the hole moved above 4 GiB; RDMs appended as
 * reserved entries, those below lowmem_end pushing the displaced RAM up
 * and the hole down; high RAM; the vGPU's VRAM window searched downwards
 * from 0xfb000000 in 16 MiB steps.  The e820 is left unsorted, as
 * XenServer's: low RAM, RDMs, high RAM, VRAM.
 * Returns 0, or -1 with err set (XenServer exits there).
 */
int xg_hvm_layout(const struct xg_hvm_layout_in *in, struct xg_layout *out,
                  char *err, size_t errlen);

/* pvh_setup_mem: the fixed 256 MiB hole, nothing else; no e820 yet. */
void xg_pvh_layout(uint64_t max_mib, struct xg_layout *out);

/*
 * pvh_setup_e820: RAM from 0 (1 MiB with a device model) to lowmem_end,
 * one E820_ACPI entry per module (start rounded down to a page, the size
 * growing by the offset), RAM from 4 GiB to highmem_end.
 */
struct xg_acpi_range {
    uint64_t addr;
    uint32_t length;
};
void xg_pvh_e820(struct xg_layout *l, bool device_model,
                 const struct xg_acpi_range *acpi, unsigned int nr_acpi);

#endif /* XENGUEST_LAYOUT_H */
