/*
 * hypercall.h - the one entry point for hypercalls.
 *
 * hypercall_dispatch() takes a caller, the raw hypercall number and the six
 * argument words exactly as libxencall passes them, and returns what the
 * hypercall returns (a value, or a negative Xen errno).  Argument memory is
 * reached only through the caller's registered buffers (guest_access.h).
 * Unknown hypercalls return -ENOSYS.  So far: xen_version and sysctl
 * (physinfo, numainfo).  memory_op, multicall and domctl follow (issue 3).
 */
#ifndef XENMM_CORE_HYPERCALL_H
#define XENMM_CORE_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>
#include <xenmm/types.h>

#include "guest_access.h"

struct host;

/*
 * Who is calling: Xen's current->domain, reduced to what the dummy XSM
 * policy and the ops look at until domains carry it themselves.
 */
struct caller {
    struct host *h;
    domid_t domid;
    bool is_privileged;     /* control domain (dom0) */
    bool is_hardware;       /* hardware domain */
    bool is_pv;             /* PV guest (else HVM/PVH) */
    uint8_t handle[16];     /* xen_domain_handle_t */
    const struct guest_access *mem;
};

long hypercall_dispatch(struct caller *c, unsigned long nr,
                        const unsigned long args[6]);

/* version.c: XENVER_* (xen/common/kernel.c do_xen_version). */
long do_xen_version(struct caller *c, int cmd, uint64_t arg);
/* sysctl.c: XEN_SYSCTL_* (physinfo, numainfo so far). */
long do_sysctl(struct caller *c, uint64_t u_sysctl);

#endif /* XENMM_CORE_HYPERCALL_H */
