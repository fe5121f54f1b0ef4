/*
 * hypercall.h - the one entry point for hypercalls.
 *
 * hypercall_dispatch() takes a caller, the raw hypercall number and the six
 * argument words exactly as libxencall passes them, and returns what the
 * hypercall returns (a value, or a negative Xen errno).  Argument memory is
 * reached only through the caller's registered buffers (guest_access.h).
 * Unknown hypercalls return -ENOSYS.
 *
 * Preemption and continuations, as Xen's: a long op calls
 * hypercall_preempt_check() between units of work; when it says yes the op
 * records a continuation (hypercall_create_continuation: the same
 * hypercall with rewritten arguments, e.g. memory_op's
 * cmd = op | start_extent << 6) and returns.  Xen would return to the
 * guest, which re-executes the hypercall; the dispatcher does the same by
 * re-issuing it until no continuation is left.  multicall continues from
 * the preempted entry.  caller.preempt_every decides when preemption is
 * "due": 0 never, N after every N checks (1: every check).
 */
#ifndef XENMM_CORE_HYPERCALL_H
#define XENMM_CORE_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>
#include <xenmm/types.h>

#include "guest_access.h"

struct host;
struct domain;

struct caller {
    struct host *h;
    struct domain *d;               /* current->domain */
    unsigned int vcpu_id;           /* current->vcpu_id */
    const struct guest_access *mem;

    /* Preemption (see above) and what it did, for tests. */
    unsigned int preempt_every;
    unsigned int preempt_ticks;
    unsigned long nr_continuations;

    /* A continuation recorded by the running hypercall. */
    bool cont_pending;
    unsigned long cont_nr;
    unsigned long cont_args[6];
};

/*
 * Set up a caller acting as domain d (dom0: h->hardware_domain).  No
 * reference is taken: d must outlive the caller's hypercalls (Xen's
 * current->domain cannot die under its own vCPU), so whoever runs a
 * caller for a domain that can be destroyed holds a reference on it.
 */
void caller_init(struct caller *c, struct domain *d,
                 const struct guest_access *mem);

long hypercall_dispatch(struct caller *c, unsigned long nr,
                        const unsigned long args[6]);

/* True when the running op should stop and continue later. */
bool hypercall_preempt_check(struct caller *c);
/*
 * Record that hypercall nr must be re-issued with args (missing trailing
 * arguments are 0).  Returns the value the op should return now.
 */
long hypercall_create_continuation(struct caller *c, unsigned long nr,
                                   unsigned int nargs,
                                   const unsigned long *args);

/* version.c: XENVER_* (xen/common/kernel.c do_xen_version). */
long do_xen_version(struct caller *c, int cmd, uint64_t arg);
/* sysctl.c: XEN_SYSCTL_*. */
long do_sysctl(struct caller *c, uint64_t u_sysctl);
/* domctl.c: XEN_DOMCTL_*. */
long do_domctl(struct caller *c, uint64_t u_domctl);
/* memory.c: XENMEM_* (cmd = op | start_extent << 6). */
long do_memory_op(struct caller *c, unsigned long cmd, uint64_t arg);
/*
 * The XENMEM_* ops memory.c hands on:
 *   memory_physmap.c: add_to_physmap, add_to_physmap_batch,
 *     remove_from_physmap (xenmem_add_to_physmap etc.) and acquire_resource;
 *   domctl.c (vNUMA): get_vnumainfo;
 *   x86_mm.c: arch_memory_op (memory_map, set_memory_map,
 *     machine_memory_map, set/get_pod_target via p2m-pod.c), else -ENOSYS.
 */
/* These two take the whole cmd: their continuations carry start_extent. */
long xenmem_physmap_op(struct caller *c, unsigned long cmd, uint64_t arg);
long xenmem_acquire_resource(struct caller *c, unsigned long cmd,
                             uint64_t arg);
long xenmem_get_vnumainfo(struct caller *c, uint64_t arg);
long arch_memory_op(struct caller *c, unsigned long cmd, uint64_t arg);
/*
 * memory.c helpers shared with memory_exchange.c: the caller's max extent
 * order (9 guests, 12 hardware, 18 control domain), xen_pfn_t list range
 * checks, and propagate_node (false: refuse the node request).
 */
unsigned int memop_max_order(const struct domain *curr);
bool guest_handle_subrange_okay(struct caller *c, uint64_t list,
                                unsigned long lo, unsigned long hi);
bool propagate_node(struct caller *c, unsigned int xmf, unsigned int *memflags);
/* memory_exchange.c: XENMEM_exchange. */
long memory_exchange(struct caller *c, uint64_t arg);
/* p2m-pod.c: XENMEM_set_pod_target / XENMEM_get_pod_target. */
long xenmem_pod_target_op(struct caller *c, unsigned int op, uint64_t arg);

/* mm_pv.c: a PV guest's page-table ops (the pg_owner is foreigndom). */
long do_mmuext_op(struct caller *c, uint64_t uops, unsigned int count,
                  uint64_t pdone, unsigned int foreigndom);
long do_mmu_update(struct caller *c, uint64_t ureqs, unsigned int count,
                   uint64_t pdone, unsigned int foreigndom);

/* hvm.c: HVMOP_* (set_param, get_param). */
long do_hvm_op(struct caller *c, unsigned long op, uint64_t arg);
/* dm.c: __HYPERVISOR_dm_op (nr_vcpus, remote_shutdown; else -EOPNOTSUPP). */
long do_dm_op(struct caller *c, domid_t domid, unsigned int nr_bufs,
              uint64_t bufs);
/* multicall.c */
long do_multicall(struct caller *c, uint64_t call_list, unsigned int nr_calls);
/* event_channel.c: EVTCHNOP_* (event_channel.h). */
long do_event_channel_op(struct caller *c, int cmd, uint64_t arg);
/* grant_table.c: GNTTABOP_* (grant_table.h, grant_map.c). */
long do_grant_table_op(struct caller *c, unsigned int cmd, uint64_t uop,
                       unsigned int count);

/*
 * The domain an op names: DOMID_SELF (when allowed) is the caller; NULL if
 * there is none.  rcu_lock_domain_by_any_id / rcu_lock_domain_by_id: the
 * domain comes with a reference, so it stays valid (perhaps dying) for the
 * whole op even if another caller destroys it; every path of the op must
 * give it back with put_domain() (Xen's rcu_unlock_domain).
 */
struct domain *caller_domain_by_any_id(struct caller *c, domid_t domid);
struct domain *caller_domain_by_id(struct caller *c, domid_t domid);
/* Ends such a lookup (Xen's rcu_unlock_domain): drops its reference. */
void put_domain(struct domain *d);
static inline void rcu_unlock_domain(struct domain *d)
{
    put_domain(d);
}

#endif /* XENMM_CORE_HYPERCALL_H */
