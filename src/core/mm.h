/*
 * mm.h - frame table, page lists and allocator flags (Xen's xen/mm.h and
 * asm/mm.h, for xenmm).
 *
 * THE FRAME TABLE (docs/frame-table.md has the full design)
 *
 * One 16-byte struct page_info per MFN, in an array mapped with
 * MAP_NORESERVE: entries nobody writes cost nothing, so a 16 TiB host costs
 * only the entries the heap has touched.  Xen writes every page_info when it
 * frees or allocates a block; xenmm writes only the *head* of each block:
 *
 *   - a free block of order k is described by its head (PGC_state_free,
 *     u.free.order = k, u.free.first_dirty, ...); its other pages are
 *     "inside a free block" and their entries are stale or zero;
 *   - an allocated block is described by its head too (u.inuse.order = k,
 *     owner, count_info); every page of it has the head's state.  (When
 *     pages of one block need different states, e.g. one 4K page of a 1G
 *     extent is freed, the block will be split into smaller blocks each
 *     with its own head: page_block.c.)
 *
 * So the heap writes 16 bytes per *block*; the table's resident cost is
 * the 4 KiB pages of it that hold heads (one per 1 GiB block at boot), and
 * at most 16 bytes per 4K page of memory that has been split to 4K.  A buddy merge
 * only ever inspects an order-aligned block next to the one being freed,
 * and such a block's first page is always a real head (a page strictly
 * inside a larger block cannot be a buddy candidate; Xen relies on the same
 * fact for stale PFN_ORDER values).  An all-zero entry reads as "in use, no
 * owner, order 0": MFN 0, holes and pages Xen keeps for itself look like
 * that, and they never merge.
 *
 * THE FRAME-TABLE RULE (concurrency)
 *
 * Finding the head of a page reads the heads of *other* blocks (the
 * candidates at each alignment, page_block.c), which other threads split,
 * merge, allocate and free; a read racing such a write could take a stale
 * or half-written entry for a head.  Xen has no such reads: each page has
 * its own page_info, read racily but safely by whoever holds a reference
 * to the page.  So here:
 *   - every change of which pages are heads or of a head's state or
 *     order - allocation, free, merge, split (split_block_onto), PoD's
 *     join, the heap's and scrubbers' bookkeeping of free heads - is made
 *     with heap_lock held;
 *   - the holder of an in-use block (it allocated it, or holds the
 *     owner's page_alloc_lock, or the p2m lock keeping it mapped) changes
 *     that head's owner and count_info (assign, free, share, steal:
 *     page_head_set/page_head_flags) without heap_lock, each word one
 *     atomic store, never its state or order; holders of one domain's
 *     blocks are serialised by its page_alloc_lock;
 *   - every read of a head the reader does not hold (the probe in
 *     inuse_block_head, page_owner, checking a page found in a p2m or
 *     named by a guest) is made with heap_lock held, loading count_info
 *     and u atomically (block_view): whichever owner or count it sees,
 *     the state and order it sees are right, so it finds the right block;
 *   - the holder reads its own head without any of that.
 * next/prev belong to the list the block is on and its lock.  The M2P
 * (h->m2p[], at heads) is read and written one atomic word at a time
 * (m2p_read/m2p_write), as racily as Xen's machine_to_phys_mapping; its
 * writers hold the block.
 *
 * PGC_need_scrub is per page in Xen.  Here a free block's dirty pages are
 * described by its head: first_dirty is Xen's value, kept with Xen's exact
 * arithmetic (it decides list placement and so which MFNs come back), and
 * the true set is either "every page from first_dirty to the end"
 * (u.free.mixed == 0) or the bits of host->dirty_bitmap over
 * [first_dirty, end) (u.free.mixed == 1).  Mixed blocks arise only when a
 * merge joins a dirty lower half to a differently-dirty upper half.
 */
#ifndef XENMM_CORE_MM_H
#define XENMM_CORE_MM_H

#include <stdbool.h>
#include <stdint.h>
#include <xenmm/types.h>

#define MAX_ORDER          18   /* x86: CONFIG_PAGEALLOC_MAX_ORDER, 1 GiB */
#define PADDR_BITS         52
#define NR_ZONES           (PADDR_BITS - PAGE_SHIFT + 1)  /* 41 */
#define MEMZONE_XEN        0
#define CONFIG_DOMU_MAX_ORDER  9
#define CONFIG_HWDOM_MAX_ORDER 12
#define INVALID_DIRTY_IDX  ((1U << (MAX_ORDER + 1)) - 1)  /* 0x7FFFF */

#define INVALID_M2P_ENTRY  (~0UL)  /* M2P: page maps no gfn */

#define SCRUB_BYTE_PATTERN 0xc2  /* Xen debug builds' scrub fill */

/* u.free.scrub_state, as Xen. */
#define BUDDY_NOT_SCRUBBING 0
#define BUDDY_SCRUBBING     1
#define BUDDY_SCRUB_ABORT   2

/*
 * count_info: Xen's PGC_* names on a 32-bit word (Xen's is 64-bit; the bit
 * positions are ours, the meaning is Xen's).  Xen 4.17 aliases
 * PGC_need_scrub to PGC_allocated; xenmm keeps dirtiness of free pages in
 * the block head instead (see above), so it has no PGC_need_scrub bit.
 */
#define PGC_allocated      (1U << 31)
#define PGC_xen_heap       (1U << 30)
#define PGC_extra          (1U << 29)
#define PGC_broken         (1U << 28)
#define PGC_state_shift    26
#define PGC_state          (3U << PGC_state_shift)
#define PGC_state_inuse    (0U << PGC_state_shift)
#define PGC_state_offlining (1U << PGC_state_shift)
#define PGC_state_offlined (2U << PGC_state_shift)
#define PGC_state_free     (3U << PGC_state_shift)
#define PGC_count_mask     ((1U << PGC_state_shift) - 1)

#define page_state_is(pg, st) (((pg)->count_info & PGC_state) == PGC_state_##st)

struct page_info {
    /* List links: pdx (== mfn) of next/prev; 0 is "none" (MFN 0 never listed). */
    uint32_t next, prev;
    uint32_t count_info;
    union {
        /* Allocated (or never-in-heap) block head. */
        struct {
            uint16_t owner;     /* domid + 1; 0 = no owner */
            uint8_t order;      /* order of the block this page heads */
            uint8_t pad;
        } inuse;
        /* Free block head. */
        struct {
            uint32_t first_dirty : MAX_ORDER + 1;
            uint32_t order : 5;
            uint32_t scrub_state : 2;
            uint32_t mixed : 1;     /* true dirty set is in dirty_bitmap */
        } free;
        uint32_t val;
    } u;
};

_Static_assert(sizeof(struct page_info) == 16, "page_info is 16 bytes");

#define PFN_ORDER(pg) ((pg)->u.free.order)

/*
 * A head's count_info and u as one reader that does not hold the block
 * must read them (the frame-table rule): each an atomic load, since the
 * holder of an in-use block stores its owner and count without heap_lock.
 */
static inline void page_head_words(const struct page_info *pg,
                                   struct page_info *snap)
{
    snap->count_info = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED);
    snap->u.val = __atomic_load_n(&pg->u.val, __ATOMIC_RELAXED);
}

/* A list of pages (heads of blocks), as Xen's page_list_head with pdx links. */
struct page_list_head {
    uint32_t next, tail;
};

/* Internal allocator flags, Xen's MEMF_* (xen/include/xen/mm.h). */
#define _MEMF_no_refcount    0
#define  MEMF_no_refcount    (1U << _MEMF_no_refcount)
#define _MEMF_populate_on_demand 1
#define  MEMF_populate_on_demand (1U << _MEMF_populate_on_demand)
#define _MEMF_no_dma         3
#define  MEMF_no_dma         (1U << _MEMF_no_dma)
#define _MEMF_exact_node     4
#define  MEMF_exact_node     (1U << _MEMF_exact_node)
#define _MEMF_no_owner       5
#define  MEMF_no_owner       (1U << _MEMF_no_owner)
#define _MEMF_no_tlbflush    6
#define  MEMF_no_tlbflush    (1U << _MEMF_no_tlbflush)
#define _MEMF_no_icache_flush 7
#define  MEMF_no_icache_flush (1U << _MEMF_no_icache_flush)
#define _MEMF_no_scrub       8
#define  MEMF_no_scrub       (1U << _MEMF_no_scrub)
#define _MEMF_node           16
#define  MEMF_node_mask      ((1U << (8 * sizeof(nodeid_t))) - 1)
#define  MEMF_node(n)        ((((n) + 1) & MEMF_node_mask) << _MEMF_node)
#define  MEMF_get_node(f)    ((((f) >> _MEMF_node) - 1) & MEMF_node_mask)
#define _MEMF_bits           24
#define  MEMF_bits(n)        ((n) << _MEMF_bits)

/* Bit helpers: Xen's flsl and ffsl, 1-based, 0 for 0 (ffsl_ because glibc has ffsl). */
static inline unsigned int flsl(unsigned long x)
{
    return x ? 64 - __builtin_clzl(x) : 0;
}
static inline unsigned int ffsl_(unsigned long x)
{
    return x ? __builtin_ctzl(x) + 1 : 0;
}

#endif /* XENMM_CORE_MM_H */
