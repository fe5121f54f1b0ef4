/*
 * p2m-pod.c - populate-on-demand (arch/x86/mm/p2m-pod.c).  Not built yet.
 */
#include <errno.h>

#include "core.h"
#include "hypercall.h"

long xenmem_pod_target_op(struct caller *c, unsigned int op, uint64_t arg)
{
    (void)c;
    (void)op;
    (void)arg;
    return -ENOSYS;
}
