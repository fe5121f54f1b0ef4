/*
 * hvm.c - HVMOP_* (arch/x86/hvm/hvm.c).  Not built yet: -ENOSYS.
 */
#include <errno.h>

#include "core.h"
#include "hypercall.h"

long do_hvm_op(struct caller *c, unsigned long op, uint64_t arg)
{
    (void)c;
    (void)op;
    (void)arg;
    return -ENOSYS;
}
