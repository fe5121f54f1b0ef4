/*
 * p2m.h - the host p2m of a translated (HVM/PVH) domain and the M2P
 * (Xen's asm/p2m.h, arch/x86/mm/p2m.c, p2m-ept.c, physmap.c).
 *
 * The p2m maps gfn -> (mfn, p2m type) with 4K, 2M and 1G leaves in an
 * EPT-shaped 4-level tree (gfn below 2^36).  A superpage leaf is split
 * when part of it changes.  Lookups of gfns with no entry report
 * p2m_mmio_dm; an entry cleared by removal reads back as p2m_invalid.
 * max_mapped_pfn only grows.  The p2m lock is per domain (p2m->lock).
 *
 * The M2P (mfn -> gfn) is kept per allocated block (see mm.h): setting it
 * for part of a block splits the block.
 *
 * Errors: p2m_set_entry -EINVAL (gfn beyond the p2m, or unaligned gfn/mfn
 * for the order), -ENOMEM (HAP: the paging pool has no page for a table;
 * nothing of that piece is changed).  guest_physmap_add_entry -EPERM (not
 * translated), -EINVAL (foreign type, invalid MFN), -EPERM with the domain
 * crashed (the gfn holds a grant, foreign or mmio_direct entry).
 * guest_physmap_remove_page -EILSEQ (entry does not map that mfn).
 */
#ifndef XENMM_CORE_P2M_H
#define XENMM_CORE_P2M_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"

typedef enum {
    p2m_ram_rw = 0,
    p2m_invalid = 1,
    p2m_ram_logdirty = 2,
    p2m_ram_ro = 3,
    p2m_mmio_dm = 4,
    p2m_mmio_direct = 5,
    p2m_populate_on_demand = 6,
    p2m_grant_map_rw = 7,
    p2m_grant_map_ro = 8,
    p2m_ram_paging_out = 9,
    p2m_ram_paged = 10,
    p2m_ram_paging_in = 11,
    p2m_ram_shared = 12,
    p2m_ram_broken = 13,
    p2m_map_foreign = 14,
    p2m_ioreq_server = 15,
} p2m_type_t;

#define p2m_to_mask(t) (1U << (t))
#define P2M_RAM_TYPES (p2m_to_mask(p2m_ram_rw) | p2m_to_mask(p2m_ram_logdirty) | \
                       p2m_to_mask(p2m_ram_ro) | p2m_to_mask(p2m_ram_paging_out) | \
                       p2m_to_mask(p2m_ram_paged) | p2m_to_mask(p2m_ram_paging_in) | \
                       p2m_to_mask(p2m_ram_shared) | p2m_to_mask(p2m_ioreq_server))
#define P2M_HOLE_TYPES (p2m_to_mask(p2m_mmio_dm) | p2m_to_mask(p2m_invalid) | \
                        p2m_to_mask(p2m_ram_paging_in) | p2m_to_mask(p2m_ram_paged))
#define P2M_MMIO_TYPES (p2m_to_mask(p2m_mmio_dm) | p2m_to_mask(p2m_mmio_direct))
#define P2M_PAGING_TYPES (p2m_to_mask(p2m_ram_paging_out) | \
                          p2m_to_mask(p2m_ram_paged) | p2m_to_mask(p2m_ram_paging_in))
#define P2M_PAGEABLE_TYPES (p2m_to_mask(p2m_ram_rw) | p2m_to_mask(p2m_ram_logdirty))
#define P2M_GRANT_TYPES (p2m_to_mask(p2m_grant_map_rw) | p2m_to_mask(p2m_grant_map_ro))
#define P2M_FOREIGN_TYPES p2m_to_mask(p2m_map_foreign)
#define P2M_SPECIAL_TYPES (P2M_GRANT_TYPES | P2M_FOREIGN_TYPES | \
                           p2m_to_mask(p2m_mmio_direct))

#define p2m_is_ram(t)      (p2m_to_mask(t) & P2M_RAM_TYPES)
#define p2m_is_hole(t)     (p2m_to_mask(t) & P2M_HOLE_TYPES)
#define p2m_is_mmio(t)     (p2m_to_mask(t) & P2M_MMIO_TYPES)
#define p2m_is_paging(t)   (p2m_to_mask(t) & P2M_PAGING_TYPES)
#define p2m_is_pageable(t) (p2m_to_mask(t) & P2M_PAGEABLE_TYPES)
#define p2m_is_grant(t)    (p2m_to_mask(t) & P2M_GRANT_TYPES)
#define p2m_is_foreign(t)  (p2m_to_mask(t) & P2M_FOREIGN_TYPES)
#define p2m_is_special(t)  (p2m_to_mask(t) & P2M_SPECIAL_TYPES)
#define p2m_is_pod(t)      ((t) == p2m_populate_on_demand)
/* 4.17: RAM or MMIO. */
#define p2m_is_valid(t)    (p2m_to_mask(t) & (P2M_RAM_TYPES | P2M_MMIO_TYPES))

#define PAGE_ORDER_4K  0
#define PAGE_ORDER_2M  9
#define PAGE_ORDER_1G  18
#define P2M_GFN_BITS   36            /* 4-level EPT: 48-bit guest addresses */

#define INVALID_GFN_RAW (~0UL)

/* PoD state (p2m-pod.c); protected by pod.lock. */
struct p2m_pod {
    pthread_mutex_t lock;
    struct page_list_head super;    /* free 2M chunks (order-9 heads) */
    struct page_list_head single;   /* free 4K pages */
    long count;                     /* pages in the cache */
    long entry_count;               /* gfns marked PoD */
    unsigned long reclaim_single;   /* emergency sweep resume point */
    unsigned long max_guest;        /* highest gfn demand-populated */
    struct {
        unsigned long list[32];     /* recently populated gfns; bit 63 = 2M */
        unsigned int idx;
    } mrp;
};

struct p2m_domain {
    struct domain *domain;
    pthread_mutex_t lock;           /* recursive, the p2m lock */
    uint64_t *root;                 /* L4 table, 512 entries */
    unsigned long max_mapped_pfn;
    unsigned long tables;           /* tables, root included (HAP: pool pages) */
    /* Leaves that map RAM with a valid MFN, by size (0: 4K, 1: 2M, 2: 1G). */
    unsigned long nr_leaves[3];
    /* RAM pages mapped, by the node of their MFN. */
    unsigned long node_pages[MAX_NUMNODES];
    _Atomic unsigned long paged_pages;  /* mem paging; read by getdomaininfo */
    struct p2m_pod pod;
};

static inline struct p2m_domain *p2m_get_hostp2m(struct domain *d)
{
    return d->p2m;
}

/*
 * p2m_get_entry: the mfn (INVALID_MFN if none), type and the order of the
 * leaf holding gfn (for a gfn with no entry: the order of the empty
 * aligned region, at most 1G).  Takes no lock; call with p2m->lock held
 * for a stable answer.
 */
mfn_t p2m_get_entry(struct p2m_domain *p2m, unsigned long gfn, p2m_type_t *t,
                    unsigned int *page_order);
/*
 * p2m_walk_leaves: fn for every leaf in the tables (gfn order; a removed
 * entry is a p2m_invalid leaf), with the mfn of its first page; a non-zero
 * return stops the walk and is returned.  p2m->lock held.
 */
typedef int (*p2m_leaf_fn)(void *ctx, unsigned long gfn, unsigned int order,
                           mfn_t mfn, p2m_type_t t);
int p2m_walk_leaves(struct p2m_domain *p2m, p2m_leaf_fn fn, void *ctx);
/* Map [gfn, gfn + 2^order) to mfn.. (or INVALID_MFN) with type t. */
int p2m_set_entry(struct p2m_domain *p2m, unsigned long gfn, mfn_t mfn,
                  unsigned int page_order, p2m_type_t t);

/* physmap.c: guest_physmap_* as Xen's (PV: M2P only). */
int guest_physmap_add_entry(struct domain *d, unsigned long gfn, mfn_t mfn,
                            unsigned int page_order, p2m_type_t t);
static inline int guest_physmap_add_page(struct domain *d, unsigned long gfn,
                                         mfn_t mfn, unsigned int page_order)
{
    return guest_physmap_add_entry(d, gfn, mfn, page_order, p2m_ram_rw);
}
/*
 * guest_physmap_add_page for a block just returned by alloc_domheap_pages
 * (pg heads a block of exactly page_order, owned by d, mapped nowhere):
 * the same result, without looking for mappings that cannot exist.
 */
int guest_physmap_add_fresh(struct domain *d, unsigned long gfn,
                            struct page_info *pg, unsigned int page_order);
int guest_physmap_remove_page(struct domain *d, unsigned long gfn, mfn_t mfn,
                              unsigned int page_order);
/* p2m lock held: remove [gfn, +2^order) which must map mfn.. (-EILSEQ). */
int p2m_remove_entry(struct p2m_domain *p2m, unsigned long gfn, mfn_t mfn,
                     unsigned int page_order);
/* HVM: max_mapped_pfn; PV: 0 (no guest p2m is kept). */
unsigned long domain_get_maximum_gpfn(struct domain *d);

/* The M2P: gfn of mfn, or INVALID_M2P_ENTRY.  _locked: heap_lock held. */
unsigned long get_gpfn_from_mfn(struct host *h, mfn_t mfn);
unsigned long get_gpfn_from_mfn_locked(const struct host *h, mfn_t mfn);
/* Set [mfn, mfn + nr) to gfn.. (or INVALID_M2P_ENTRY for all). */
void m2p_set_range(struct host *h, mfn_t mfn, unsigned long nr,
                   unsigned long gfn);
static inline void set_gpfn_from_mfn(struct host *h, mfn_t mfn,
                                     unsigned int order, unsigned long gfn)
{
    m2p_set_range(h, mfn, 1UL << order, gfn);
}

/*
 * p2m-pod.c, p2m-pod-reclaim.c: populate-on-demand (see there for the
 * rules and errors).  Locks: p2m->lock before pod.lock before
 * d->page_alloc_lock before heap_lock.
 * p2m_pod_init: from p2m_init (empty cache, MRP ring all INVALID_GFN).
 * p2m_pod_empty_cache: at domain_kill, every cache page back on
 *   d->page_list so the teardown frees it.
 * guest_physmap_mark_populate_on_demand: 0, -EINVAL (not translated),
 *   -EBUSY (a gfn in a chunk is mapped), -EINVAL/-ENOMEM from the p2m.
 * p2m_pod_decrease_reservation: how many of the pages PoD dealt with (the
 *   caller's guest_remove_page then sees -ENOENT exactly that often).
 * p2m_pod_set_mem_target: 0, -ENOMEM, -ERESTART (c != NULL: preempted;
 *   re-issue).  p2m_pod_get_mem_target fills tot_pages, pod_cache_pages
 *   and pod_entries.
 * p2m_pod_demand_populate: p2m->lock held; gfn is PoD at a leaf of that
 *   order.  True: retry the lookup.  False: nothing populated (dying,
 *   p2m failure, or out of PoD memory - then the domain is crashed).
 *   curr is the domain whose access faulted (Xen's current->domain).
 * p2m_pod_active: HVM with PoD entries or cache pages (refuses paging).
 */
void p2m_pod_init(struct p2m_domain *p2m);
void p2m_pod_empty_cache(struct domain *d);
int guest_physmap_mark_populate_on_demand(struct domain *d, unsigned long gfn,
                                          unsigned int order);
unsigned long p2m_pod_decrease_reservation(struct domain *d, unsigned long gfn,
                                           unsigned int order);
struct caller;
int p2m_pod_set_mem_target(struct domain *d, unsigned long target,
                           struct caller *c);
void p2m_pod_get_mem_target(struct domain *d, xen_pod_target_t *target);
bool p2m_pod_demand_populate(struct p2m_domain *p2m, unsigned long gfn,
                             unsigned int order, const struct domain *curr);
bool p2m_pod_active(struct domain *d);

/*
 * get_gfn with P2M_ALLOC (ept_get_entry with q = P2M_ALLOC): a PoD entry
 * is demand-populated and the lookup retried; when populating fails the
 * gfn reads as p2m_mmio_dm with INVALID_MFN, as Xen's does.  p2m->lock
 * held.  curr as for p2m_pod_demand_populate.
 */
mfn_t p2m_get_entry_alloc(struct p2m_domain *p2m, unsigned long gfn,
                          p2m_type_t *t, unsigned int *page_order,
                          const struct domain *curr);

/*
 * guest_touch.c: the one way a vCPU touches guest memory (see there).
 * 0, -EINVAL (no such vCPU, range not inside one page), -ESRCH (domain
 * dying or shut down), -ENOMEM (PoD populate failed: the domain has been
 * crashed), -EFAULT (no RAM there: the device model's), -EAGAIN (paged
 * out), -EOPNOTSUPP (write to a shared page).
 */
int guest_access_gfn(struct domain *d, unsigned int vcpu, unsigned long gfn,
                     unsigned int offset, bool write, void *buf, size_t len);

/*
 * foreign_map.c: the MFN behind frame gfn of domain domid, as a PV dom0's
 * foreign mapping (mmu_update with a foreign owner) finds it, for the
 * process hosting the core to map (privcmd mmapbatch).  No reference is
 * kept on the page.  0, -ESRCH (no such domain, or the caller itself),
 * -EPERM (not privileged for it, dummy XSM XSM_TARGET; a PV frame beyond
 * RAM), -EINVAL (no RAM at the gfn; PoD could not be populated), -ENOENT
 * (paged out), -ENOMEM (writing a shared page), -EBUSY (the page belongs
 * to another domain).  foreign_map.c has the whole table.
 * p2m_foreign_map_batch: the same for n frames, errs[i] per frame (mfns[i]
 * INVALID_MFN on error).  Returns 0 when every frame resolved, the number
 * that failed, or the domain-level -ESRCH/-EPERM (then every errs[i]).
 */
int p2m_foreign_map_lookup(struct caller *c, domid_t domid, xen_pfn_t gfn,
                           bool write, mfn_t *mfn);
int p2m_foreign_map_batch(struct caller *c, domid_t domid,
                          const xen_pfn_t gfns[], unsigned int n, bool write,
                          mfn_t mfns[], int errs[]);

/* mem_paging.c (not built yet): tell the pager a paged gfn is gone. */
void p2m_mem_paging_drop_page(struct domain *d, unsigned long gfn,
                              p2m_type_t p2mt);

/* memory.c: remove one 4K gfn and free its page (0, -ENOENT, -EINVAL...). */
int guest_remove_page(struct domain *d, unsigned long gmfn);

/* Debug key 'D' (keyhandler.c): print every HAP domain's p2m leaves. */
void ept_dump_p2m_table(struct host *h, unsigned char key);

/* Translate and access guest memory by gfn (foreign maps, guest touches). */
void *p2m_gfn_to_virt(struct domain *d, unsigned long gfn);

#endif /* XENMM_CORE_P2M_H */
