/*
 * event_channel_op.c - do_event_channel_op, the EVTCHNOP_* hypercall
 * (common/event_channel.c's), and the ops that only it reaches: status,
 * bind_vcpu, unmask, reset (with its continuation), set_priority.  The
 * binding ops are in event_channel.c; event_channel.h has the errors.
 */
#include <errno.h>

#include "core.h"
#include "event_channel_priv.h"
#include "guest_access.h"
#include "hypercall.h"
#include "xsm.h"

/* Xen-internal (public header, under __XEN__): a preempted reset. */
#ifndef EVTCHNOP_reset_cont
#define EVTCHNOP_reset_cont 14
#endif

static int evtchn_status(struct caller *c, evtchn_status_t *status)
{
    struct domain *d;
    struct evtchn *chn;
    int rc = 0;

    if ( (d = caller_domain_by_any_id(c, status->dom)) == NULL )
        return -ESRCH;

    event_lock(d);
    if ( (chn = _evtchn_from_port(d, status->port)) == NULL )
    {
        rc = -EINVAL;
        goto out;
    }
    if ( (rc = xsm_default_action(XSM_TARGET, c->d, d)) )
        goto out;

    switch ( chn->state )
    {
    case ECS_FREE:
    case ECS_RESERVED:
        status->status = EVTCHNSTAT_closed;
        break;
    case ECS_UNBOUND:
        status->status = EVTCHNSTAT_unbound;
        status->u.unbound.dom = chn->u.unbound.remote_domid;
        break;
    case ECS_INTERDOMAIN:
        status->status = EVTCHNSTAT_interdomain;
        status->u.interdomain.dom = chn->u.interdomain.remote_dom->domain_id;
        status->u.interdomain.port = chn->u.interdomain.remote_port;
        break;
    case ECS_VIRQ:
        status->status = EVTCHNSTAT_virq;
        status->u.virq = chn->u.virq;
        break;
    case ECS_IPI:
        status->status = EVTCHNSTAT_ipi;
        break;
    default:
        __builtin_trap();
    }
    status->vcpu = notify_vcpu(chn);

 out:
    event_unlock(d);
    rcu_unlock_domain(d);
    return rc;
}

static int evtchn_bind_vcpu(struct caller *c, evtchn_port_t port,
                            unsigned int vcpu_id)
{
    struct domain *d = c->d;
    struct evtchn *chn;
    int rc = 0;

    if ( domain_vcpu(d, vcpu_id) == NULL )
        return -ENOENT;

    event_lock(d);
    if ( (chn = _evtchn_from_port(d, port)) == NULL )
        rc = -EINVAL;
    else if ( chn->state == ECS_UNBOUND || chn->state == ECS_INTERDOMAIN ||
              (chn->state == ECS_VIRQ && virq_is_global(chn->u.virq)) )
        set_notify_vcpu(chn, vcpu_id);
    else
        rc = -EINVAL;
    event_unlock(d);
    return rc;
}

static int evtchn_unmask(struct domain *d, evtchn_port_t port)
{
    struct evtchn_kick kick = { 0 };
    struct evtchn *chn;

    event_lock(d);
    if ( (chn = _evtchn_from_port(d, port)) == NULL )
    {
        event_unlock(d);
        return -EINVAL;
    }
    if ( evtchn_port_unmask(d, chn) )
        kick_prepare(&kick, d, port);
    event_unlock(d);
    kick_deliver(&kick);
    return 0;
}

/* Ports in use besides the reserved port 0 (no Xen-attached ones). */
static bool has_active_evtchns(struct domain *d)
{
    bool any;

    event_lock(d);
    any = d->evtchn->active_evtchns > 0;
    event_unlock(d);
    return any;
}

static int evtchn_reset(struct caller *c, struct domain *d, bool resuming)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned int i;
    int rc = 0;

    if ( d != c->d && !d->pause_count )
        return -EINVAL;

    event_lock(d);
    /* Resume where a preempted reset stopped; refuse a second one. */
    i = resuming ? ed->next_evtchn : !ed->next_evtchn;
    if ( i > ed->next_evtchn )
        ed->next_evtchn = i;
    event_unlock(d);
    if ( !i )
        return -EBUSY;

    for ( ; ; i++ )
    {
        event_lock(d);
        if ( !port_is_valid(d, i) )
        {
            event_unlock(d);
            break;
        }
        event_unlock(d);
        if ( !has_active_evtchns(d) )
            break;
        evtchn_close(d, i, true);
        /* Xen's arbitrary frequency. */
        if ( !(i & 0x3f) && hypercall_preempt_check(c) )
        {
            event_lock(d);
            ed->next_evtchn = i;
            event_unlock(d);
            return -ERESTART;
        }
    }

    event_lock(d);
    ed->next_evtchn = 0;
    if ( ed->active_evtchns > 0 )
        rc = -EAGAIN;
    event_unlock(d);
    return rc;
}

/* The argument in, the op, and (when out is set) the result back. */
#define EVTCHN_OP(type, call, out)                                       \
    do {                                                                 \
        type op_;                                                        \
        if ( copy_from_guest_raw(c->mem, &op_, arg, sizeof(op_)) )       \
            return -EFAULT;                                              \
        rc = call;                                                       \
        /* Cleaning up after a failed copy back would be a mess (Xen). */ \
        if ( (out) && !rc &&                                             \
             copy_to_guest_raw(c->mem, arg, &op_, sizeof(op_)) )         \
            rc = -EFAULT;                                                \
    } while ( 0 )

long do_event_channel_op(struct caller *c, int cmd, uint64_t arg)
{
    long rc;

    switch ( cmd )
    {
    case EVTCHNOP_alloc_unbound:
        EVTCHN_OP(evtchn_alloc_unbound_t, evtchn_alloc_unbound(c, &op_), 1);
        break;
    case EVTCHNOP_bind_interdomain:
        EVTCHN_OP(evtchn_bind_interdomain_t,
                  evtchn_bind_interdomain(c, &op_), 1);
        break;
    case EVTCHNOP_bind_virq:
        EVTCHN_OP(evtchn_bind_virq_t, evtchn_bind_virq(c, &op_), 1);
        break;
    case EVTCHNOP_bind_ipi:
        EVTCHN_OP(evtchn_bind_ipi_t, evtchn_bind_ipi(c, &op_), 1);
        break;
    case EVTCHNOP_bind_pirq:
        /* pirq >= d->nr_pirqs: no domain has physical IRQs here. */
        EVTCHN_OP(evtchn_bind_pirq_t, -EINVAL, 1);
        break;
    case EVTCHNOP_close:
        EVTCHN_OP(evtchn_close_t, evtchn_close(c->d, op_.port, true), 0);
        break;
    case EVTCHNOP_send:
        EVTCHN_OP(evtchn_send_t, evtchn_send(c->d, op_.port), 0);
        break;
    case EVTCHNOP_status:
        EVTCHN_OP(evtchn_status_t, evtchn_status(c, &op_), 1);
        break;
    case EVTCHNOP_bind_vcpu:
        EVTCHN_OP(evtchn_bind_vcpu_t,
                  evtchn_bind_vcpu(c, op_.port, op_.vcpu), 0);
        break;
    case EVTCHNOP_unmask:
        EVTCHN_OP(evtchn_unmask_t, evtchn_unmask(c->d, op_.port), 0);
        break;

    case EVTCHNOP_reset:
    case EVTCHNOP_reset_cont:
    {
        evtchn_reset_t reset;
        struct domain *d;

        if ( copy_from_guest_raw(c->mem, &reset, arg, sizeof(reset)) )
            return -EFAULT;
        if ( (d = caller_domain_by_any_id(c, reset.dom)) == NULL )
            return -ESRCH;
        rc = xsm_default_action(XSM_TARGET, c->d, d);
        if ( !rc )
            rc = evtchn_reset(c, d, cmd == EVTCHNOP_reset_cont);
        rcu_unlock_domain(d);
        if ( rc == -ERESTART )
        {
            unsigned long args[2] = { EVTCHNOP_reset_cont, arg };

            rc = hypercall_create_continuation(
                c, __HYPERVISOR_event_channel_op, 2, args);
        }
        break;
    }

    case EVTCHNOP_set_priority:
    {
        evtchn_set_priority_t sp;

        if ( copy_from_guest_raw(c->mem, &sp, arg, sizeof(sp)) )
            return -EFAULT;
        event_lock(c->d);
        /* The 2-level ABI has no priorities. */
        rc = _evtchn_from_port(c->d, sp.port) ? -ENOSYS : -EINVAL;
        event_unlock(c->d);
        break;
    }

    case EVTCHNOP_init_control:
    case EVTCHNOP_expand_array:
    default:
        rc = -ENOSYS;
        break;
    }
    return rc;
}

