/*
 * domctl.h - what the files behind XEN_DOMCTL_* and XEN_SYSCTL_* share
 * (domctl.c, bitmap.c, sched.c, paging.c, hvm_save.c, sysctl.c).
 *
 * Every function here runs on behalf of a caller, after do_domctl() has
 * checked the interface version and the XSM policy and looked the domain
 * up; errors are Xen 4.17's, listed with each function.
 */
#ifndef XENMM_CORE_DOMCTL_H
#define XENMM_CORE_DOMCTL_H

#include <stdint.h>
#include <xen/domctl.h>

#include "core.h"
#include "hypercall.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

/* The guest address a tools-side XEN_GUEST_HANDLE holds. */
static inline uint64_t handle_addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/*
 * bitmap.c (Xen's common/bitmap.c): xenctl_bitmap <-> bitmap of nbits.
 * xenctl_bitmap_to_bitmap: bitmap (nlongs longs, cleared first) from the
 *   guest's nr_bits bits, in whole bytes up to nbits.  -EFAULT.
 * bitmap_to_xenctl_bitmap: nbits bits to the guest; the guest's bytes
 *   beyond them are zeroed.  -EFAULT.
 */
int xenctl_bitmap_to_bitmap(const struct guest_access *mem,
                            unsigned long *bitmap, unsigned int nlongs,
                            const struct xenctl_bitmap *xb, unsigned int nbits);
int bitmap_to_xenctl_bitmap(const struct guest_access *mem,
                            const struct xenctl_bitmap *xb,
                            const unsigned long *bitmap, unsigned int nbits);

/* domctl.c: fill info for d (getdomaininfo(), shared with sysctl.c). */
void getdomaininfo(struct domain *d, struct xen_domctl_getdomaininfo *info);

/*
 * sched.c.
 * vcpu_affinity_domctl: -EINVAL (vcpu >= max_vcpus, no flags, a null
 *   bitmap for a flag, no online CPU in a hard mask), -ESRCH (vCPU not
 *   created), -EBUSY (temporary pin), -EFAULT.  Sets soft after hard and
 *   rolls hard back when soft fails.
 * sched_adjust: XEN_DOMCTL_scheduler_op; -EINVAL (not credit's id, bad
 *   cmd, per-vCPU cmds credit does not have).
 */
unsigned int sched_id(const struct host *h);
int vcpu_affinity_domctl(const struct guest_access *mem, struct domain *d,
                         uint32_t cmd, struct xen_domctl_vcpuaffinity *aff);
long sched_adjust(struct caller *c, struct domain *d,
                  struct xen_domctl_scheduler_op *op);

/*
 * paging.c: the paging mempool (arch_{get,set}_paging_mempool_size).
 * get: -EOPNOTSUPP (PV).  set: -EOPNOTSUPP (PV), -EINVAL (not a multiple
 *   of 4K, or more pages than 32 bits hold), -ENOMEM, -ERESTART (preempted
 *   by c; the caller makes a continuation).
 */
int arch_get_paging_mempool_size(struct domain *d, uint64_t *size);
int arch_set_paging_mempool_size(struct caller *c, struct domain *d,
                                 uint64_t size);
/*
 * XEN_DOMCTL_shadow_op's pool ops (set/get allocation in MiB).  -EINVAL
 * (the caller itself, no vCPUs, another op), -EOPNOTSUPP (PV), -ENOMEM,
 * -ERESTART (preempted by c).  0 for a dying domain, as Xen.
 */
int paging_domctl(struct caller *c, struct domain *d,
                  struct xen_domctl_shadow_op *sc);

/*
 * hvm_save.c: XEN_DOMCTL_{get,set}hvmcontext and gethvmcontext_partial
 * (arch/x86/domctl.c + hvm/save.c).  Each returns the domctl's result and
 * sets *copyback when Xen copies the domctl back.
 */
long hvm_domctl(struct caller *c, struct domain *d, struct xen_domctl *op,
                bool *copyback);

/*
 * time.c: XEN_DOMCTL_settscinfo / gettscinfo (-EINVAL: own domain, or an
 * unknown mode for set).
 */
long tsc_domctl(struct caller *c, struct domain *d, struct xen_domctl *op,
                bool *copyback);

/*
 * cpu_policy.c: XEN_DOMCTL_{get,set}_cpu_policy, and XEN_SYSCTL_get_cpu_
 * featureset / get_cpu_policy (op is the sysctl, u_sysctl its address).
 */
long cpu_policy_domctl(struct caller *c, struct domain *d,
                       struct xen_domctl *op, bool *copyback);
struct xen_sysctl;
long cpu_policy_sysctl(struct caller *c, struct xen_sysctl *op,
                       uint64_t u_sysctl);
void recalculate_cpuid_policy(struct domain *d);

/*
 * pv_domctl.c: XEN_DOMCTL_set/get_address_size, hypercall_init,
 * set/getvcpucontext (errors there).
 */
long pv_domctl(struct caller *c, struct domain *d, struct xen_domctl *op,
               bool *copyback);

/*
 * keyhandler.c: XEN_SYSCTL_debug_keys runs handle_keypress() for each key
 * (an unknown key does nothing).
 */
void handle_keypress(struct host *h, unsigned char key);

#endif /* XENMM_CORE_DOMCTL_H */
