/*
 * memory.c - XENMEM_* (common/memory.c).  Reservation ops come next;
 * the physmap, resource, vNUMA and arch ops are handed on (hypercall.h).
 */
#include <errno.h>
#include <stdint.h>
#include <xen/memory.h>

#include "core.h"
#include "hypercall.h"

#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK     ((1UL << MEMOP_EXTENT_SHIFT) - 1)

long do_memory_op(struct caller *c, unsigned long cmd, uint64_t arg)
{
    unsigned int op = cmd & MEMOP_CMD_MASK;

    switch ( op )
    {
    case XENMEM_add_to_physmap:
    case XENMEM_add_to_physmap_batch:
    case XENMEM_remove_from_physmap:
        return xenmem_physmap_op(c, cmd, arg);
    case XENMEM_acquire_resource:
        return xenmem_acquire_resource(c, cmd, arg);
    case XENMEM_get_vnumainfo:
        return xenmem_get_vnumainfo(c, arg);
    default:
        return arch_memory_op(c, cmd, arg);
    }
}
