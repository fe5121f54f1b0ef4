/*
 * hypercall.c - hypercall dispatch (see hypercall.h).
 */
#include <errno.h>
#include <stdint.h>
#include <xen/xen.h>

#include "hypercall.h"

long hypercall_dispatch(struct caller *c, unsigned long nr,
                        const unsigned long args[6])
{
    switch ( nr )
    {
    case __HYPERVISOR_xen_version:
        return do_xen_version(c, (int)args[0], args[1]);
    case __HYPERVISOR_sysctl:
        return do_sysctl(c, args[0]);
    default:
        return -ENOSYS;
    }
}
