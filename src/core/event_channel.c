/*
 * event_channel.c - event channels with the 2-level ABI, as Xen 4.17's
 * common/event_channel.c and event_2l.c (event_channel.h has the contract,
 * the hook and the errors).
 *
 * Each domain owns a struct evtchn_domain: its event_lock, the port
 * buckets (64 ports each, allocated on first use and kept until the domain
 * is freed, so a struct evtchn never moves), the count of ports in use and
 * each vCPU's virq_to_evtchn[].  The pending and mask bits are not here:
 * they are the shared_info page's (evtchn_2l_*).
 *
 * Invariants: port 0 is ECS_RESERVED; active_evtchns counts the ports that
 * are neither free nor reserved; an ECS_INTERDOMAIN port's peer is an
 * ECS_INTERDOMAIN port naming it back (both change together, under both
 * domains' event locks); virq_to_evtchn[v][virq] is a port in ECS_VIRQ
 * for that virq, or 0.
 *
 * evtchn_send reads the peer's struct evtchn holding only the sender's
 * event lock, as Xen does with the sender's channel lock: a close of
 * either end needs that lock too, so the binding cannot change under it.
 * notify_vcpu_id, which bind_vcpu changes under the peer's lock alone, is
 * read and written atomically.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "event_channel_priv.h"
#include "hypercall.h"
#include "xsm.h"

/* ---- ports ---- */

static int evtchn_allocate_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn_domain *ed = d->evtchn;

    if ( port > d->max_evtchn_port || port >= EVTCHN_2L_NR_CHANNELS )
        return -ENOSPC;

    if ( port_is_valid(d, port) )
    {
        if ( evtchn_from_port(d, port)->state != ECS_FREE )
            return -EBUSY;
    }
    else
    {
        /* Every bucket up to the port's, as Xen: valid ports are dense. */
        do {
            struct evtchn *chn = calloc(EVTCHNS_PER_BUCKET, sizeof(*chn));
            unsigned int i;

            if ( chn == NULL )
                return -ENOMEM;
            for ( i = 0; i < EVTCHNS_PER_BUCKET; i++ )
                chn[i].port = ed->valid_evtchns + i;
            ed->bucket[ed->valid_evtchns / EVTCHNS_PER_BUCKET] = chn;
            ed->valid_evtchns += EVTCHNS_PER_BUCKET;
        } while ( port >= ed->valid_evtchns );
    }
    ed->active_evtchns++;
    return 0;
}

static int get_free_port(struct domain *d)
{
    evtchn_port_t port;

    if ( d->is_dying )
        return -EINVAL;
    for ( port = 0; port <= d->max_evtchn_port; port++ )
    {
        int rc = evtchn_allocate_port(d, port);

        if ( rc == 0 )
            return port;
        if ( rc != -EBUSY )
            return rc;
    }
    return -ENOSPC;
}

/* On an exit path: a port allocated but left free is not in use. */
static void check_free_port(struct domain *d, int port)
{
    if ( port >= 0 && port_is_valid(d, port) &&
         evtchn_from_port(d, port)->state == ECS_FREE )
        d->evtchn->active_evtchns--;
}

static void evtchn_free(struct domain *d, struct evtchn *chn)
{
    /* A re-bound port must not inherit an old event. */
    evtchn_port_clear_pending(d, chn);
    d->evtchn->active_evtchns--;
    chn->state = ECS_FREE;
    set_notify_vcpu(chn, 0);
}

int evtchn_alloc_unbound(struct caller *c, evtchn_alloc_unbound_t *alloc)
{
    struct domain *d;
    struct evtchn *chn;
    int port, rc;

    if ( (d = caller_domain_by_any_id(c, alloc->dom)) == NULL )
        return -ESRCH;

    event_lock(d);
    port = rc = get_free_port(d);
    if ( rc < 0 )
        goto out;
    chn = evtchn_from_port(d, port);

    /* xsm_evtchn_unbound, after the port is found, as 4.17. */
    if ( (rc = xsm_default_action(XSM_TARGET, c->d, d)) )
        goto out;

    chn->state = ECS_UNBOUND;
    chn->u.unbound.remote_domid = alloc->remote_dom == DOMID_SELF
                                  ? c->d->domain_id : alloc->remote_dom;
    alloc->port = port;
    rc = 0;

 out:
    check_free_port(d, port);
    event_unlock(d);
    rcu_unlock_domain(d);
    return rc;
}

int evtchn_bind_interdomain(struct caller *c, evtchn_bind_interdomain_t *bind)
{
    struct domain *ld = c->d, *rd;
    struct evtchn *lchn, *rchn;
    struct evtchn_kick kick = { 0 };
    evtchn_port_t rport = bind->remote_port;
    int lport, rc;

    if ( (rd = caller_domain_by_any_id(c, bind->remote_dom)) == NULL )
        return -ESRCH;

    double_event_lock(ld, rd);
    lport = rc = get_free_port(ld);
    if ( rc < 0 )
        goto out;
    lchn = evtchn_from_port(ld, lport);

    rc = -EINVAL;
    rchn = _evtchn_from_port(rd, rport);
    if ( rchn == NULL || rchn->state != ECS_UNBOUND ||
         rchn->u.unbound.remote_domid != ld->domain_id )
        goto out;

    lchn->u.interdomain.remote_dom = rd;
    lchn->u.interdomain.remote_port = rport;
    lchn->state = ECS_INTERDOMAIN;
    rchn->u.interdomain.remote_dom = ld;
    rchn->u.interdomain.remote_port = lport;
    rchn->state = ECS_INTERDOMAIN;

    /*
     * A send on the remote port while it was unbound was dropped: raise
     * the local port once, conservatively, as Xen does.
     */
    if ( evtchn_port_set_pending(ld, notify_vcpu(lchn), lchn) )
        kick_prepare(&kick, ld, lport);

    bind->local_port = lport;
    rc = 0;

 out:
    check_free_port(ld, lport);
    double_event_unlock(ld, rd);
    rcu_unlock_domain(rd);
    kick_deliver(&kick);
    return rc;
}

/* The domain allowed to bind a global VIRQ (Xen 4.21's check). */
static bool is_global_virq_handler(struct domain *d, unsigned int virq)
{
    struct host *h = d->host;
    bool ok;

    pthread_mutex_lock(&h->domlist_lock);
    ok = (h->global_virq_handlers[virq] ?: h->hardware_domain) == d;
    pthread_mutex_unlock(&h->domlist_lock);
    return ok;
}

int evtchn_bind_virq(struct caller *c, evtchn_bind_virq_t *bind)
{
    struct domain *d = c->d;
    struct evtchn *chn;
    uint32_t virq = bind->virq, vcpu = bind->vcpu;
    bool global;
    int port, rc;

    if ( virq >= NR_VIRQS )
        return -EINVAL;
    global = virq_is_global(virq);
    if ( global && vcpu != 0 )
        return -EINVAL;
    if ( domain_vcpu(d, vcpu) == NULL )
        return -ENOENT;
    /* Checked before the event lock: the handler lock is domlist_lock. */
    if ( global && !is_global_virq_handler(d, virq) )
        return -EBUSY;

    event_lock(d);
    rc = -EEXIST;
    if ( *virq_slot(d, vcpu, virq) )
        goto out;
    port = rc = get_free_port(d);
    if ( rc < 0 )
        goto out;
    chn = evtchn_from_port(d, port);
    chn->state = ECS_VIRQ;
    set_notify_vcpu(chn, vcpu);
    chn->u.virq = virq;
    *virq_slot(d, vcpu, virq) = port;
    bind->port = port;
    rc = 0;

 out:
    event_unlock(d);
    return rc;
}

int evtchn_bind_ipi(struct caller *c, evtchn_bind_ipi_t *bind)
{
    struct domain *d = c->d;
    struct evtchn *chn;
    int port, rc = 0;

    if ( domain_vcpu(d, bind->vcpu) == NULL )
        return -ENOENT;

    event_lock(d);
    if ( (port = get_free_port(d)) < 0 )
        rc = port;
    else
    {
        chn = evtchn_from_port(d, port);
        chn->state = ECS_IPI;
        set_notify_vcpu(chn, bind->vcpu);
        bind->port = port;
    }
    event_unlock(d);
    return rc;
}

int evtchn_close(struct domain *d1, evtchn_port_t port1, bool guest)
{
    struct domain *d2 = NULL;
    struct evtchn *chn1, *chn2;
    int rc = 0;

    (void)guest;                        /* no Xen-attached channels */
    if ( d1->evtchn == NULL )
        return -EINVAL;
    event_lock(d1);
    chn1 = _evtchn_from_port(d1, port1);
    event_unlock(d1);
    if ( chn1 == NULL )
        return -EINVAL;

 again:
    event_lock(d1);

    switch ( chn1->state )
    {
    case ECS_FREE:
    case ECS_RESERVED:
        rc = -EINVAL;
        goto out;

    case ECS_UNBOUND:
    case ECS_IPI:
        break;

    case ECS_VIRQ:
    {
        unsigned int virq = chn1->u.virq;

        *virq_slot(d1, virq_is_global(virq) ? 0 : notify_vcpu(chn1), virq) = 0;
        break;
    }

    case ECS_INTERDOMAIN:
        if ( d2 == NULL )
        {
            d2 = chn1->u.interdomain.remote_dom;
            /* Keep d2 while d1's lock is dropped below. */
            get_knownalive_domain(d2);
            if ( d1->domain_id < d2->domain_id )
                event_lock(d2);
            else if ( d1 != d2 )
            {
                event_unlock(d1);
                event_lock(d2);
                goto again;
            }
        }
        else if ( d2 != chn1->u.interdomain.remote_dom )
        {
            /* Closed and re-bound while d1 was unlocked: it was free. */
            rc = -EINVAL;
            goto out;
        }

        chn2 = evtchn_from_port(d2, chn1->u.interdomain.remote_port);
        if ( chn2->state != ECS_INTERDOMAIN ||
             chn2->u.interdomain.remote_dom != d1 )
            __builtin_trap();           /* Xen's BUG_ON: a broken pair */

        evtchn_free(d1, chn1);
        chn2->state = ECS_UNBOUND;
        chn2->u.unbound.remote_domid = d1->domain_id;
        goto out;

    default:                            /* ECS_PIRQ is never entered */
        __builtin_trap();
    }

    evtchn_free(d1, chn1);

 out:
    if ( d2 != NULL )
    {
        if ( d1 != d2 )
            event_unlock(d2);
        put_domain(d2);
    }
    event_unlock(d1);
    return rc;
}

int evtchn_send(struct domain *ld, evtchn_port_t lport)
{
    struct evtchn *lchn, *rchn;
    struct evtchn_kick kick = { 0 };
    struct domain *rd;
    int rc = 0;

    if ( ld->evtchn == NULL )
        return -EINVAL;
    event_lock(ld);
    if ( (lchn = _evtchn_from_port(ld, lport)) == NULL )
    {
        event_unlock(ld);
        return -EINVAL;
    }

    /* xsm_evtchn_send is XSM_HOOK. */
    switch ( lchn->state )
    {
    case ECS_INTERDOMAIN:
        rd = lchn->u.interdomain.remote_dom;
        rchn = evtchn_from_port(rd, lchn->u.interdomain.remote_port);
        if ( evtchn_port_set_pending(rd, notify_vcpu(rchn), rchn) )
            kick_prepare(&kick, rd, rchn->port);
        break;
    case ECS_IPI:
        if ( evtchn_port_set_pending(ld, notify_vcpu(lchn), lchn) )
            kick_prepare(&kick, ld, lport);
        break;
    case ECS_UNBOUND:
        break;                          /* silently dropped */
    default:
        rc = -EINVAL;
    }
    event_unlock(ld);
    kick_deliver(&kick);
    return rc;
}

void send_guest_global_virq(struct domain *d, uint32_t virq)
{
    struct evtchn_kick kick = { 0 };
    struct evtchn *chn;
    evtchn_port_t port;

    if ( d == NULL || d->evtchn == NULL || domain_vcpu(d, 0) == NULL )
        return;
    event_lock(d);
    port = *virq_slot(d, 0, virq);
    if ( port )
    {
        chn = evtchn_from_port(d, port);
        if ( evtchn_port_set_pending(d, notify_vcpu(chn), chn) )
            kick_prepare(&kick, d, port);
    }
    event_unlock(d);
    kick_deliver(&kick);
}

void send_global_virq(struct host *h, uint32_t virq)
{
    struct domain *d;

    pthread_mutex_lock(&h->domlist_lock);
    d = h->global_virq_handlers[virq] ?: h->hardware_domain;
    /* Not a domain whose last reference went (it is being freed). */
    if ( d && !get_domain(d) )
        d = NULL;
    pthread_mutex_unlock(&h->domlist_lock);
    if ( d )
    {
        send_guest_global_virq(d, virq);
        put_domain(d);
    }
}

int set_global_virq_handler(struct domain *d, uint32_t virq)
{
    struct host *h = d->host;
    struct domain *old;

    if ( virq >= NR_VIRQS || !virq_is_global(virq) )
        return -EINVAL;
    /*
     * Xen takes a reference, which a dying domain still gives; xenmm frees
     * a destroyed domain at once, so a dying one is refused instead.
     */
    if ( d->is_dying )
        return -EINVAL;

    pthread_mutex_lock(&h->domlist_lock);
    old = h->global_virq_handlers[virq];
    if ( old != d )
    {
        get_knownalive_domain(d);
        h->global_virq_handlers[virq] = d;
    }
    pthread_mutex_unlock(&h->domlist_lock);
    if ( old != NULL && old != d )
        put_domain(old);
    return 0;
}

static void clear_global_virq_handlers(struct domain *d)
{
    struct host *h = d->host;
    unsigned int virq, puts = 0;

    pthread_mutex_lock(&h->domlist_lock);
    for ( virq = 0; virq < NR_VIRQS; virq++ )
        if ( h->global_virq_handlers[virq] == d )
        {
            h->global_virq_handlers[virq] = NULL;
            puts++;
        }
    pthread_mutex_unlock(&h->domlist_lock);
    while ( puts-- )
        put_domain(d);
}

/* ---- domain lifecycle ---- */

int evtchn_init(struct domain *d, unsigned int max_port)
{
    struct evtchn_domain *ed = calloc(1, sizeof(*ed));

    if ( ed == NULL )
        return -ENOMEM;
    if ( d->max_vcpus )
    {
        ed->virq_to_evtchn = calloc((size_t)d->max_vcpus * NR_VIRQS,
                                    sizeof(*ed->virq_to_evtchn));
        if ( ed->virq_to_evtchn == NULL )
        {
            free(ed);
            return -ENOMEM;
        }
    }
    pthread_mutex_init(&ed->event_lock, NULL);
    d->evtchn = ed;
    d->max_evtchn_port = max_port < INT_MAX ? max_port : INT_MAX;

    /* Port 0 is reserved; it is not counted as in use. */
    if ( get_free_port(d) != 0 )
    {
        evtchn_destroy_final(d);
        return -ENOMEM;
    }
    evtchn_from_port(d, 0)->state = ECS_RESERVED;
    ed->active_evtchns = 0;
    return 0;
}

void evtchn_destroy(struct domain *d)
{
    unsigned int i;

    if ( d->evtchn == NULL )
        return;
    /*
     * d is dying: get_free_port refuses new ports from here on.  Every
     * channel is closed, and an interdomain peer becomes unbound towards
     * d.  xenmm's domain_kill is not preemptible, so neither is this.
     */
    for ( i = d->evtchn->valid_evtchns; --i; )
        evtchn_close(d, i, false);
    clear_global_virq_handlers(d);
}

void evtchn_destroy_final(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned int i;

    if ( ed == NULL )
        return;
    /* A domain freed without being killed (host teardown) may be one. */
    clear_global_virq_handlers(d);
    for ( i = 0; i < NR_EVTCHN_BUCKETS; i++ )
        free(ed->bucket[i]);
    free(ed->virq_to_evtchn);
    pthread_mutex_destroy(&ed->event_lock);
    free(ed);
    d->evtchn = NULL;
}

/* ---- host_check ---- */

#define CHECK_FAIL(...)                                 \
    do {                                                \
        if ( !errors++ )                                \
            snprintf(why, len, __VA_ARGS__);            \
    } while ( 0 )

unsigned long evtchn_check(struct domain *d, char *why, size_t len)
{
    const struct evtchn_domain *ed = d->evtchn;
    const struct host *h = d->host;
    unsigned long errors = 0, active = 0;
    unsigned int p, v, virq;

    if ( ed == NULL )
        return 0;
    if ( evtchn_from_port(d, 0)->state != ECS_RESERVED )
        CHECK_FAIL("d%u: port 0 is not reserved", d->domain_id);
    for ( p = 1; p < ed->valid_evtchns; p++ )
    {
        const struct evtchn *chn = evtchn_from_port(d, p), *peer;
        const struct domain *rd;

        if ( chn->port != p )
            CHECK_FAIL("d%u: port %u says it is %u", d->domain_id, p,
                       chn->port);
        if ( chn->state > ECS_RESERVED )
            active++;
        if ( notify_vcpu(chn) && notify_vcpu(chn) >= d->max_vcpus )
            CHECK_FAIL("d%u: port %u notifies vCPU %u", d->domain_id, p,
                       notify_vcpu(chn));
        switch ( chn->state )
        {
        case ECS_INTERDOMAIN:
            rd = chn->u.interdomain.remote_dom;
            if ( rd->domain_id >= DOMID_FIRST_RESERVED ||
                 h->domains[rd->domain_id] != rd ||
                 !port_is_valid(rd, chn->u.interdomain.remote_port) )
            {
                CHECK_FAIL("d%u: port %u is bound to a dead port",
                           d->domain_id, p);
                break;
            }
            peer = evtchn_from_port(rd, chn->u.interdomain.remote_port);
            if ( peer->state != ECS_INTERDOMAIN ||
                 peer->u.interdomain.remote_dom != d ||
                 peer->u.interdomain.remote_port != p )
                CHECK_FAIL("d%u: port %u's peer d%u:%u is not bound back",
                           d->domain_id, p, rd->domain_id,
                           chn->u.interdomain.remote_port);
            break;
        case ECS_VIRQ:
            virq = chn->u.virq;
            if ( virq >= NR_VIRQS ||
                 *virq_slot(d, virq_is_global(virq) ? 0 : notify_vcpu(chn),
                            virq) != p )
                CHECK_FAIL("d%u: VIRQ port %u is not in virq_to_evtchn",
                           d->domain_id, p);
            break;
        case ECS_FREE:
        case ECS_UNBOUND:
        case ECS_IPI:
            break;
        default:
            CHECK_FAIL("d%u: port %u in state %u", d->domain_id, p,
                       chn->state);
        }
    }
    if ( active != ed->active_evtchns )
        CHECK_FAIL("d%u: active_evtchns %u, %lu ports in use", d->domain_id,
                   ed->active_evtchns, active);
    for ( v = 0; ed->virq_to_evtchn && v < d->max_vcpus; v++ )
        for ( virq = 0; virq < NR_VIRQS; virq++ )
        {
            evtchn_port_t port = *virq_slot(d, v, virq);

            if ( port && (!port_is_valid(d, port) ||
                          evtchn_from_port(d, port)->state != ECS_VIRQ ||
                          evtchn_from_port(d, port)->u.virq != virq) )
                CHECK_FAIL("d%u: vCPU %u VIRQ %u names port %u",
                           d->domain_id, v, virq, port);
        }
    return errors;
}

