/*
 * testguest.h - hypercall arguments for tests: an arena of guest memory
 * registered with a caller (as libxencall's hypercall buffers are), and
 * memory_op helpers that issue calls the way libxenctrl does (XENMEM ops
 * wrapped in a one-entry multicall).
 */
#ifndef XENMM_TESTGUEST_H
#define XENMM_TESTGUEST_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/memory.h>

#include "core/core.h"
#include "core/hypercall.h"

#define GARENA_BASE 0x7f0000000000ULL

struct garena {
    struct guest_access ga;
    uint8_t *mem;
    size_t size, used;
};

/* An arena of size bytes; the caller c (if non-NULL) is set up as d. */
void garena_init(struct garena *a, size_t size);
void garena_free(struct garena *a);
/* Reset the bump allocator (keep the registration). */
void garena_reset(struct garena *a);
uint64_t garena_alloc(struct garena *a, size_t size);   /* 8-aligned */
void *garena_ptr(struct garena *a, uint64_t gaddr);

/*
 * XENMEM reservation op on domid with the gfn list in/out: list[] is copied
 * into the arena (NULL: a null handle), the call made (via a one-entry
 * multicall if mc), and the list copied back.  Returns the op's result.
 */
long memop_resv(struct caller *c, struct garena *a, bool mc, unsigned int op,
                domid_t domid, xen_pfn_t *list, unsigned int nr,
                unsigned int order, unsigned int mem_flags);
/* XENMEM ops taking a struct xen_memory_domain or a plain struct. */
long memop_domid(struct caller *c, struct garena *a, unsigned int op,
                 domid_t domid);
long memop_raw(struct caller *c, unsigned long cmd, uint64_t arg);

#endif
