/*
 * memory.c - XENMEM_* (common/memory.c).  Not built yet: -ENOSYS.
 */
#include <errno.h>

#include "core.h"
#include "hypercall.h"

long do_memory_op(struct caller *c, unsigned long cmd, uint64_t arg)
{
    (void)c;
    (void)cmd;
    (void)arg;
    return -ENOSYS;
}
