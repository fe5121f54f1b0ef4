/*
 * domctl.c - XEN_DOMCTL_* (common/domctl.c, arch/x86/domctl.c).  Not built
 * yet: every command is -ENOSYS.
 */
#include <errno.h>

#include "core.h"
#include "hypercall.h"

long do_domctl(struct caller *c, uint64_t u_domctl)
{
    (void)c;
    (void)u_domctl;
    return -ENOSYS;
}

long xenmem_get_vnumainfo(struct caller *c, uint64_t arg)
{
    (void)c;
    (void)arg;
    return -ENOSYS;
}
