/*
 * grant_table.h - a domain's grant table, v1 (Xen's common/grant_table.c
 * and asm/grant_table.h), as the memory path and the daemon see it.
 *
 * The shared frames are Xen-heap pages shared with the domain; the
 * grant_entry_v1_t entries live in them, so whatever writes the frame
 * bytes (the guest, or the toolstack through a foreign mapping of an
 * MFN acquire_resource handed out) is what Xen reads.  The table starts
 * with INITIAL_NR_GRANT_FRAMES frames and grows on demand up to
 * d->max_grant_frames; it never shrinks while the domain lives.
 *
 * Errors:
 *  gnttab_get_entry_v1          -EINVAL (ref beyond the frames in use, or
 *                               no grant table)
 *  gnttab_get_shared_frame_mfn  -EINVAL (idx at or past max_grant_frames,
 *                               or growing the table failed)
 *  gnttab_map_frame             as above, for add_to_physmap(grant_table)
 *  gnttab_acquire_resource      -EINVAL (nr_frames 0, frames out of range,
 *                               status frames of a v1 table, unknown id)
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

/* Entry ref of d's v1 table, read from the shared frame. */
int gnttab_get_entry_v1(struct domain *d, grant_ref_t ref,
                        grant_entry_v1_t *entry);
/* The MFN of shared frame idx, growing the table to idx + 1 if allowed. */
int gnttab_get_shared_frame_mfn(struct domain *d, unsigned int idx,
                                mfn_t *mfn);
/* Frames currently in the table (nr_grant_frames). */
unsigned int gnttab_nr_grant_frames(struct domain *d);

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

#endif /* XENMM_CORE_GRANT_TABLE_H */
