/*
 * pci.h - what hvm_build_setup_mem learns about the -pci_passthrough
 * devices (pci.c): their BAR sizes and IDs from sysfs, their reserved
 * device memory from Xen.
 */
#ifndef XENGUEST_PCI_H
#define XENGUEST_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

/* The sysfs tree read: $XENGUEST_SYSFS_ROOT, else /sys. */
#define XG_SYSFS_ENV "XENGUEST_SYSFS_ROOT"

/*
 * Xen's parse_pci_sbdf: "seg:bus:dev.func" or "bus:dev.func" (segment 0),
 * hex numbers (the function as strtoul base 0).  0, or -1 if malformed.
 */
int xg_parse_sbdf(const char *s, unsigned int *seg, unsigned int *bus,
                  unsigned int *dev, unsigned int *func);

/*
 * The sum of the sizes of the first 7 lines of a sysfs "resource" file
 * (BAR0-5 and the ROM; end - start + 1 where start != 0).  0, or -1 with
 * err set on a line that does not hold three hex numbers.
 */
int xg_parse_resource(const char *text, uint64_t *total, char *err,
                      size_t errlen);

struct xg_ctx;
struct xg_pci_info {
    uint64_t bars;              /* bytes, over every device */
    bool mxgpu;
    struct xg_rdm *rdm;         /* malloc'ed */
    unsigned int nr_rdm;
};

/*
 * Every device of the comma-separated list: RDMs through
 * xc_reserved_device_memory_map (devices without any are not kept; more
 * than E820MAX devices with some: exit), BAR sizes (an unreadable
 * resource file: exit), the MxGPU check.  Unparsable entries are skipped.
 */
void xg_pci_scan(struct xg_ctx *ctx, const char *list,
                 struct xg_pci_info *out);

#endif /* XENGUEST_PCI_H */
