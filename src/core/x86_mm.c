/*
 * x86_mm.c - arch_memory_op (arch/x86/mm.c): memory_map, set_memory_map,
 * machine_memory_map, and set/get_pod_target handed to p2m-pod.c.
 * Not built yet: -ENOSYS.
 */
#include <errno.h>

#include "core.h"
#include "hypercall.h"

long arch_memory_op(struct caller *c, unsigned long cmd, uint64_t arg)
{
    (void)c;
    (void)cmd;
    (void)arg;
    return -ENOSYS;
}
