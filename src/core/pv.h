/*
 * pv.h - what a PV (non-translated) domain has beyond the common core:
 * pinned page tables (mm_pv.c) and its vCPUs' guest contexts
 * (pv_domctl.c).  Allocated on first use, freed by arch_domain_destroy.
 *
 * xenmm has no page types (docs/frame-table.md).  A pin stands in for
 * PGT_pinned on a validated page-table tree: MMUEXT_PIN_L<n>_TABLE walks
 * the tree from the root as Xen's alloc_l<n>_table would, and records
 * the root and every table frame under it.  While a tree is pinned its
 * frames count as page tables: a writable mapping of one, from the guest
 * tree itself or from a foreign mapping, is refused as Xen refuses to
 * take PGT_writable_page on a page-table page.
 */
#ifndef XENMM_CORE_PV_H
#define XENMM_CORE_PV_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/foreign/x86_32.h>

struct domain;

/* A vCPU's context as the toolstack set it: native, or a 32-bit guest's. */
union pv_vcpu_context {
    struct vcpu_guest_context nat;
    vcpu_guest_context_x86_32_t cmp;
};

struct pv_table {
    unsigned long mfn;
    unsigned int level;             /* the table type it has: 1..4 */
};

struct pv_pinned {
    unsigned long root;             /* the pinned MFN */
    struct pv_table *tables;        /* every table, root included, by mfn */
    unsigned int nr_tables;
};

struct pv_domain {
    struct pv_pinned *pinned;
    unsigned int nr_pinned;
    union pv_vcpu_context *ctxt;    /* [max_vcpus]; v->is_initialised */
    unsigned long vm_assist;        /* d->vm_assist, from vCPU 0's context */
};

/* d->pv, allocated on first use; NULL (-ENOMEM) or for an HVM domain. */
struct pv_domain *pv_domain(struct domain *d);
void pv_domain_destroy(struct domain *d);

/*
 * get_page_from_mfn(mfn, d): mfn is a page d owns (its RAM, or a Xen-heap
 * page shared with it).
 */
bool pv_page_owned(struct domain *d, unsigned long mfn);
/* The frame is a table of one of d's pinned trees. */
bool pv_is_pagetable(struct domain *d, unsigned long mfn);
/*
 * Validate the tree rooted at mfn as a level-`level` table of d (Xen's
 * alloc_l<level>_table): 0, or -EINVAL (a table d does not own, a
 * superpage, a frame that is a table of another level), -EBUSY (an L1
 * entry for a frame d does not own, or mapping a page table writable),
 * -EPERM (an L1 entry for a frame that is not RAM).
 */
int pv_validate_tree(struct domain *d, unsigned long mfn, unsigned int level);

#endif /* XENMM_CORE_PV_H */
