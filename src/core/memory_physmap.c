/*
 * memory_physmap.c - XENMEM_add_to_physmap(_batch), remove_from_physmap
 * and acquire_resource (common/memory.c).  Not built yet: -ENOSYS.
 */
#include <errno.h>

#include "core.h"
#include "hypercall.h"

long xenmem_physmap_op(struct caller *c, unsigned int op, uint64_t arg)
{
    (void)c;
    (void)op;
    (void)arg;
    return -ENOSYS;
}

long xenmem_acquire_resource(struct caller *c, uint64_t arg)
{
    (void)c;
    (void)arg;
    return -ENOSYS;
}
