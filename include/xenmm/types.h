/*
 * xenmm/types.h - frame-number types and the glossary used everywhere.
 *
 * Terms, as Xen's xen/include/xen/mm.h defines them:
 *   mfn  Machine Frame Number: a frame of the emulated host's RAM; page N
 *        of the host lives at byte N * PAGE_SIZE of the RAM memfd.
 *   gfn  Guest Frame Number: a frame as a guest sees it (the p2m maps
 *        gfn -> mfn).
 *   pfn  a frame number where it does not matter which of the above.
 *   pdx  index into the frame table.  xenmm does not compress: pdx == mfn.
 *   order  log2 of a page count: an order-k block is 2^k pages, aligned
 *        to 2^k pages.
 *
 * mfn_t and gfn_t are single-member structs, as Xen's TYPE_SAFE makes
 * them, so mixing them up fails to compile.
 */
#ifndef XENMM_TYPES_H
#define XENMM_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))

typedef struct { unsigned long mfn; } mfn_t;
typedef struct { unsigned long gfn; } gfn_t;

static inline mfn_t _mfn(unsigned long m) { return (mfn_t){ m }; }
static inline unsigned long mfn_x(mfn_t m) { return m.mfn; }
static inline gfn_t _gfn(unsigned long g) { return (gfn_t){ g }; }
static inline unsigned long gfn_x(gfn_t g) { return g.gfn; }

#define INVALID_MFN_RAW (~0UL)
#define INVALID_GFN_RAW (~0UL)
#define INVALID_MFN     _mfn(INVALID_MFN_RAW)
#define INVALID_GFN     _gfn(INVALID_GFN_RAW)
#define PRI_mfn "05lx"
#define PRI_gfn "05lx"

static inline bool mfn_eq(mfn_t a, mfn_t b) { return a.mfn == b.mfn; }
static inline mfn_t mfn_add(mfn_t m, unsigned long i)
{
    return _mfn(m.mfn + i);
}

/* NUMA node id, as Xen's nodeid_t. */
typedef uint8_t nodeid_t;
#define NUMA_NO_NODE  0xFF
#define MAX_NUMNODES  64     /* 1 << NODES_SHIFT on x86 in Xen 4.17 */

typedef uint16_t domid_t;

#endif /* XENMM_TYPES_H */
