/*
 * memory_exchange.c - XENMEM_exchange (common/memory.c memory_exchange).
 * Not built yet: -ENOSYS.
 */
#include <errno.h>

#include "core.h"
#include "hypercall.h"

long memory_exchange(struct caller *c, uint64_t arg)
{
    (void)c;
    (void)arg;
    return -ENOSYS;
}
