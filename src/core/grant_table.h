/*
 * grant_table.h - a domain's grant table, v1 (Xen's common/grant_table.c
 * and asm/grant_table.h), as the memory path, the grant ops and the daemon
 * see it.
 *
 * The shared frames are Xen-heap pages shared with the domain; the
 * grant_entry_v1_t entries live in them, so whatever writes the frame
 * bytes (the guest, or the toolstack through a foreign mapping of an
 * MFN acquire_resource handed out) is what Xen reads.  The table starts
 * with INITIAL_NR_GRANT_FRAMES frames and grows on demand up to
 * d->max_grant_frames; it never shrinks while the domain lives.
 *
 * grant_map.c adds the mapping side: one active entry per grant (its pin
 * counts, the mapping domain, the MFN), allocated with the shared frame it
 * shadows, and the maptrack of each mapping domain (handles, Xen's per-vCPU
 * free lists, frames of 256 entries up to max_maptrack_frames).  Both live
 * in malloc'd memory, not in Xen-heap pages as Xen's do.
 *
 * Locks: gt->lock (rwlock; growing takes it for writing, the grant ops for
 * reading), then gt->active_lock (every active entry of the table, and the
 * flag updates of its shared entries: Xen's per-entry spinlocks), then the
 * p2m locks (the granting domain's gfn lookup, the mapping domain's grant
 * entries).  gt->maptrack_lock (the mapping domain's maptrack) is a leaf.
 * A maptrack entry changes only under the active_lock of the domain it
 * maps from, so unmaps of one handle are serialised as in Xen.  Nothing
 * takes a grant lock with a p2m lock held.
 *
 * Errors:
 *  gnttab_get_entry_v1          -EINVAL (ref beyond the frames in use, or
 *                               no grant table)
 *  gnttab_get_shared_frame_mfn  -EINVAL (idx at or past max_grant_frames,
 *                               or growing the table failed)
 *  gnttab_map_frame             as above, for add_to_physmap(grant_table)
 *  gnttab_acquire_resource      -EINVAL (nr_frames 0, frames out of range,
 *                               status frames of a v1 table, unknown id)
 *  do_grant_table_op            (hypercall.h) -EINVAL (count negative as an
 *                               int, continuation bits on a command that
 *                               takes none, setup_table/query_size count
 *                               not 1), -EFAULT, -ESRCH (get_version),
 *                               -EPERM (get_version, dummy XSM), -ENOSYS
 *                               (transfer, copy, unmap_and_replace,
 *                               set_version, get_status_frames, swap,
 *                               cache_flush, dump_table: not modelled);
 *                               per-op statuses as 4.17 (grant_map.c).
 */
#ifndef XENMM_CORE_GRANT_TABLE_H
#define XENMM_CORE_GRANT_TABLE_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#include "core.h"

/* x86 asm/grant_table.h: the table a domain starts with. */
#define INITIAL_NR_GRANT_FRAMES 1U
/* common/grant_table.c: the gnttab= command line defaults. */
#define GNTTAB_MAX_VERSION      2U

#define SHGNT_PER_PAGE_V1 (PAGE_SIZE / sizeof(grant_entry_v1_t))
/* Xen's 16-byte struct grant_mapping per slot: handles number as Xen's. */
#define MAPTRACK_PER_PAGE 256U
#define MAPTRACK_TAIL     (~0U)

/* Xen's active_grant_entry (v1: no sub-page or transitive grants). */
struct active_grant_entry {
    uint32_t pin;                   /* GNTPIN_* counters (grant_map.c) */
    domid_t domid;                  /* the domain granted access */
    mfn_t mfn;                      /* the frame being granted */
};

/* Xen's grant_mapping: one maptrack slot of the mapping domain. */
struct grant_mapping {
    grant_ref_t ref;                /* the ref, or the next free handle */
    uint16_t flags;                 /* GNTMAP_*; 0: free */
    domid_t domid;                  /* the granting domain */
    uint32_t vcpu;                  /* whose free list the slot returns to */
    /*
     * xenmm: where the host mapping was made (the PV "page table" is not
     * modelled, so unmap compares against this), and whether the granting
     * domain died under it (gnttab_revoke_foreign_mappings).
     */
    uint64_t host_addr;
    bool revoked;
};

struct grant_table {
    pthread_rwlock_t lock;
    unsigned int max_version;       /* from createdomain's grant_opts */
    unsigned int gt_version;        /* always 1 here */
    unsigned int max_grant_frames;
    unsigned int max_maptrack_frames;
    unsigned int nr_grant_frames;
    void **shared_raw;              /* max_grant_frames slots */
    struct domain *domain;

    /* One array of SHGNT_PER_PAGE_V1 per shared frame; active_lock. */
    pthread_mutex_t active_lock;
    struct active_grant_entry **active;

    /* This domain's mappings of others' grants; maptrack_lock. */
    pthread_mutex_t maptrack_lock;
    struct grant_mapping **maptrack;    /* max_maptrack_frames slots */
    unsigned int maptrack_limit;        /* handles below it exist */
    unsigned int nr_maptrack_vcpus;
    struct {
        unsigned int head, tail;        /* MAPTRACK_TAIL: none */
    } *maptrack_free;                   /* per vCPU, as Xen's */
};

/* Entry ref of d's v1 table, read from the shared frame. */
int gnttab_get_entry_v1(struct domain *d, grant_ref_t ref,
                        grant_entry_v1_t *entry);
/* The MFN of shared frame idx, growing the table to idx + 1 if allowed. */
int gnttab_get_shared_frame_mfn(struct domain *d, unsigned int idx,
                                mfn_t *mfn);
/* Frames currently in the table (nr_grant_frames). */
unsigned int gnttab_nr_grant_frames(struct domain *d);
/* Write lock held: grow to req_nr_frames; 0 or -ENOMEM. */
int gnttab_grow_table(struct domain *d, unsigned int req_nr_frames);

/* XENMEM_acquire_resource(XENMEM_resource_grant_table, id). */
unsigned int gnttab_resource_max_frames(const struct domain *d,
                                        unsigned int id);
int gnttab_acquire_resource(struct domain *d, unsigned int id,
                            unsigned int frame, unsigned int nr_frames,
                            xen_pfn_t mfn_list[]);
/*
 * XENMAPSPACE_grant_table: the MFN behind idx (a v1 table takes
 * XENMAPIDX_grant_table_status as part of the index, so it is refused as
 * out of range).  The caller maps it at gfn.
 */
int gnttab_map_frame(struct domain *d, unsigned long idx, gfn_t gfn,
                     mfn_t *mfn);

/*
 * grant_map.c: GNTTABOP_map_grant_ref / unmap_grant_ref on count ops at
 * guest address uop (do_grant_table_op checked the range).  0, -EFAULT,
 * or the number of ops done when preempted (the caller continues).
 */
struct caller;
long gnttab_map_grant_ref(struct caller *c, uint64_t uop, unsigned int count);
long gnttab_unmap_grant_ref(struct caller *c, uint64_t uop,
                            unsigned int count);

/*
 * grant_map.c, from domain_kill (d->is_dying set):
 * gnttab_release_mappings: d's own mappings of grants go, their pins and
 *   GTF_reading/GTF_writing with them (Xen's, from domain_teardown).
 * gnttab_revoke_foreign_mappings: xenmm only.  d's pages are freed at
 *   once, where Xen keeps them (and d, a zombie) until every mapping is
 *   gone: every other domain's mapping of d's grants is dropped now (an
 *   HVM mapper's p2m grant entry is removed); its handle stays allocated
 *   until the mapper unmaps it, which then succeeds.  A PV mapper's host
 *   mapping (the daemon's mmap of the MFN) cannot be taken back: the
 *   host process must drop it when it learns of the death (VIRQ_DOM_EXC).
 */
void gnttab_release_mappings(struct domain *d);
void gnttab_revoke_foreign_mappings(struct domain *d);

/*
 * invariants.c: every active entry's pins are what the live maptrack
 * entries naming it add up to, pinned for the domain that maps it, and
 * no live mapping names a dead granter.  The number of violations; the
 * first is described in why.  No grant op in flight.
 */
unsigned long gnttab_check(struct host *h, char *why, size_t len);

#endif /* XENMM_CORE_GRANT_TABLE_H */
