/*
 * event_channel.h - event channels, 2-level ABI (Xen's common/event_channel.c
 * and event_2l.c), and the hook through which the process hosting the core
 * learns that a port became pending.
 *
 * Ports: each domain has max_evtchns = 64 * 64 = 4096 ports (a 64-bit
 * guest's 2-level limit), capped by createdomain's max_evtchn_port
 * (at most INT_MAX).  Port 0 is reserved.  Port structures come in buckets
 * of 64, allocated when a port in them is first allocated, as Xen's; a port
 * in an allocated bucket is "valid" (status reports a free one as closed).
 *
 * Pending and mask bits are where the 2-level ABI keeps them: the words
 * evtchn_pending[] and evtchn_mask[] of the domain's shared_info page (a
 * Xen-heap page of the domain, arch_domain.c), with evtchn_pending_sel and
 * evtchn_upcall_pending of the notified vCPU's vcpu_info (vCPUs below
 * XEN_LEGACY_MAX_VCPUS; others have no vcpu_info here).  A reader of the
 * page sees what a guest would.  A new channel is unmasked unless the
 * guest has set its mask bit (Xen never initialises the bits).
 *
 * Delivery hook: when a port of d goes from not pending to pending while
 * its mask bit is clear (Xen's evtchn_2l_set_pending kicking the vCPU), or
 * EVTCHNOP_unmask clears the mask of a pending port, the core calls
 *   h->evtchn_notify(h->evtchn_notify_opaque, d, port)
 * if the hook is set.  Contract:
 *  - it is called after d's event lock (and every other event lock) is
 *    dropped, with a reference on d held for the call: d is valid only
 *    until the hook returns;
 *  - it may still be called from deep inside the core with other core
 *    locks held (a domain crashing on a PoD fault raises VIRQ_DOM_EXC with
 *    its p2m lock held; destroydomain raises it from a domctl), so it must
 *    not call back into the core - the lock-free evtchn_guest_* accessors
 *    below excepted - and must not wait for anything a thread inside the
 *    core may be waiting for: record (domid, port) and wake the consumer
 *    (an eventfd, a condition variable on a leaf lock);
 *  - it is per port, where Xen kicks a vCPU only when the selector bit of
 *    the port's word goes from 0 to 1: the host process does not have to
 *    emulate the guest clearing evtchn_pending_sel to see further events.
 *  Clearing the pending bit and masking are the guest's own writes to its
 *  shared_info: evtchn_guest_clear_pending / evtchn_guest_mask stand for
 *  them (libxenevtchn's emulation masks and clears a port it delivers, as
 *  the Linux evtchn driver does, and unmasks with EVTCHNOP_unmask).
 *
 * Global VIRQs (all but TIMER, DEBUG, XENOPROF, XENPMU) are bound on vCPU 0
 * and raised for one domain host-wide: h->global_virq_handlers[virq], or the
 * hardware domain when none is set.  Xen raises VIRQ_DOM_EXC when a domain
 * has shut down (crash included), when domain_kill finishes and when the
 * domain is destroyed: domain.c calls send_global_virq for those.
 *
 * Locks: d's event_lock (a mutex in d->evtchn) protects d's ports and
 * virq bindings; an interdomain bind or close takes both domains' locks,
 * the lower domain id first.  It nests inside the other core locks (it
 * is taken by domain_crash callers holding p2m and PoD locks) and nothing
 * is taken under it but the other domain's event lock.
 * h->global_virq_handlers[] is protected by domlist_lock, which is never
 * held together with an event lock.
 *
 * Not modelled: the FIFO ABI (init_control, expand_array: -ENOSYS, so a
 * Linux guest falls back to 2-level), physical IRQs (bind_pirq: -EINVAL,
 * no domain has pirqs), Xen-attached channels (ioreq, vm_event),
 * SCHEDOP_poll pollers, XSM other than the dummy policy.
 *
 * Errors of do_event_channel_op, as 4.17:
 *  -EFAULT  argument outside the caller's buffers
 *  -ESRCH   no such domain (alloc_unbound dom, bind_interdomain
 *           remote_dom, status dom, reset dom)
 *  -EPERM   the dummy XSM policy (alloc_unbound, status, reset: the domain
 *           itself, its device model, or the control domain)
 *  -ENOSPC  no free port below max_evtchn_port and 4096
 *  -EINVAL  a port that is not valid, or not in the state the op needs
 *           (bind_interdomain: remote not unbound towards the caller;
 *           close of a free port; send on a VIRQ port...), a dying
 *           domain, a VIRQ number out of range, a global VIRQ on a vCPU
 *           other than 0, bind_vcpu of a per-vCPU VIRQ or an IPI, reset
 *           of another domain that the toolstack has not paused
 *  -ENOENT  no such vCPU (bind_virq, bind_ipi, bind_vcpu)
 *  -EEXIST  the VIRQ is already bound on that vCPU
 *  -EBUSY   a global VIRQ bound by a domain that is not its handler (Xen
 *           4.21's check; 4.17 let any domain bind it); reset while one is
 *           in progress
 *  -EAGAIN  reset: channels remain open
 *  -ENOSYS  unknown command, FIFO commands, set_priority on a valid port
 */
#ifndef XENMM_CORE_EVENT_CHANNEL_H
#define XENMM_CORE_EVENT_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#include "core.h"

/*
 * do_event_channel_op(c, cmd, arg), declared in hypercall.h with the other
 * hypercalls: EVTCHNOP_* cmd, its argument struct at guest address arg.
 */

/*
 * Domain lifecycle (domain.c).
 * evtchn_init: at domain_create; 0 or -ENOMEM.  max_port is createdomain's
 *   max_evtchn_port.
 * evtchn_destroy: at domain_kill (d->is_dying set): closes every port -
 *   the peer of an interdomain channel becomes unbound towards d, as Xen's
 *   evtchn_close - and drops d as a global VIRQ handler.
 * evtchn_destroy_final: frees the structures (no-op if never set up).
 */
int evtchn_init(struct domain *d, unsigned int max_port);
void evtchn_destroy(struct domain *d);
void evtchn_destroy_final(struct domain *d);

/* The EVTCHNOP bodies the daemon may also call directly, as Xen's. */
int evtchn_send(struct domain *ld, evtchn_port_t lport);
int evtchn_close(struct domain *d1, evtchn_port_t port1, bool guest);

/*
 * Global VIRQs.  send_global_virq: raise virq at its handler (or the
 * hardware domain), if that domain has it bound.  set_global_virq_handler
 * (XEN_DOMCTL_set_virq_handler): -EINVAL for a VIRQ that is not global or
 * out of range, or a dying d.
 */
void send_global_virq(struct host *h, uint32_t virq);
void send_guest_global_virq(struct domain *d, uint32_t virq);
int set_global_virq_handler(struct domain *d, uint32_t virq);

/*
 * event_2l.c, for the event channel code (its lock held, the channel
 * bound): set_pending and unmask return true when the host process must
 * be told (the hook), i.e. the port became pending unmasked.
 */
bool evtchn_2l_set_pending(struct domain *d, unsigned int vcpu_id,
                           evtchn_port_t port);
void evtchn_2l_clear_pending(struct domain *d, evtchn_port_t port);
bool evtchn_2l_unmask(struct domain *d, unsigned int vcpu_id,
                      evtchn_port_t port);

/*
 * The guest's own accesses to the 2-level bits in its shared_info, for the
 * process emulating a guest kernel (and tests): read pending/mask, set or
 * clear the mask bit, clear the pending bit.  -EINVAL for a port at or
 * above 4096.  They take no lock (atomic bit operations, as the guest's).
 */
int evtchn_guest_test(struct domain *d, evtchn_port_t port, bool *pending,
                      bool *masked);
int evtchn_guest_mask(struct domain *d, evtchn_port_t port, bool mask);
int evtchn_guest_clear_pending(struct domain *d, evtchn_port_t port);

/*
 * invariants.c: d's ports are consistent - port 0 reserved,
 * active_evtchns right, interdomain pairs bound both ways to live
 * domains, VIRQ ports and virq_to_evtchn[] naming each other.  The
 * number of violations; the first is described in why.  No op in flight.
 */
unsigned long evtchn_check(struct domain *d, char *why, size_t len);

#endif /* XENMM_CORE_EVENT_CHANNEL_H */
