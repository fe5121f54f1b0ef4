/*
 * event_channel_priv.h - the event channel code's own structures and
 * helpers, shared by event_channel.c (ports, bindings, delivery, domain
 * lifecycle) and event_channel_op.c (the hypercall).  Nothing else may
 * include it but white-box tests: event_channel.h is the module's contract.
 *
 * Locking is event_channel.c's (see there): every helper that touches a
 * domain's ports expects that domain's event lock held, except
 * notify_vcpu/set_notify_vcpu (atomic) and the lock helpers themselves.
 */
#ifndef XENMM_CORE_EVENT_CHANNEL_PRIV_H
#define XENMM_CORE_EVENT_CHANNEL_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core.h"
#include "event_channel.h"

struct caller;

#define EVTCHNS_PER_BUCKET  64          /* PAGE_SIZE / 64-byte struct evtchn */
#define NR_EVTCHN_BUCKETS   (EVTCHN_2L_NR_CHANNELS / EVTCHNS_PER_BUCKET)

#define ECS_FREE         0
#define ECS_RESERVED     1
#define ECS_UNBOUND      2
#define ECS_INTERDOMAIN  3
#define ECS_PIRQ         4
#define ECS_VIRQ         5
#define ECS_IPI          6

struct evtchn {
    uint8_t state;                      /* ECS_* */
    uint16_t notify_vcpu_id;            /* atomic: see the file comment */
    evtchn_port_t port;
    union {
        struct {
            domid_t remote_domid;
        } unbound;
        struct {
            evtchn_port_t remote_port;
            struct domain *remote_dom;
        } interdomain;
        unsigned int virq;
    } u;
};

struct evtchn_domain {
    pthread_mutex_t event_lock;
    unsigned int valid_evtchns;         /* ports in allocated buckets */
    unsigned int active_evtchns;
    unsigned int next_evtchn;           /* EVTCHNOP_reset's resume point */
    struct evtchn *bucket[NR_EVTCHN_BUCKETS];
    evtchn_port_t *virq_to_evtchn;      /* [max_vcpus][NR_VIRQS] */
};

/* A notification to deliver once the event locks are dropped. */
struct evtchn_kick {
    struct domain *d;
    evtchn_port_t port;
};

static inline bool virq_is_global(unsigned int virq)
{
    switch ( virq )
    {
    case VIRQ_TIMER:
    case VIRQ_DEBUG:
    case VIRQ_XENOPROF:
    case VIRQ_XENPMU:
        return false;
    default:
        return true;                    /* x86: every arch VIRQ is global */
    }
}

static inline struct vcpu *domain_vcpu(const struct domain *d,
                                       unsigned int vcpu_id)
{
    return vcpu_id < d->max_vcpus ? d->vcpu[vcpu_id] : NULL;
}

static inline bool port_is_valid(const struct domain *d, evtchn_port_t p)
{
    return d->evtchn && p < d->evtchn->valid_evtchns;
}

static inline struct evtchn *evtchn_from_port(const struct domain *d,
                                              evtchn_port_t p)
{
    return &d->evtchn->bucket[p / EVTCHNS_PER_BUCKET][p % EVTCHNS_PER_BUCKET];
}

static inline struct evtchn *_evtchn_from_port(const struct domain *d,
                                               evtchn_port_t p)
{
    return port_is_valid(d, p) ? evtchn_from_port(d, p) : NULL;
}

static inline evtchn_port_t *virq_slot(const struct domain *d,
                                       unsigned int vcpu, unsigned int virq)
{
    return &d->evtchn->virq_to_evtchn[vcpu * NR_VIRQS + virq];
}

static inline unsigned int notify_vcpu(const struct evtchn *chn)
{
    return __atomic_load_n(&chn->notify_vcpu_id, __ATOMIC_RELAXED);
}

static inline void set_notify_vcpu(struct evtchn *chn,
                                   unsigned int vcpu_id)
{
    __atomic_store_n(&chn->notify_vcpu_id, (uint16_t)vcpu_id,
                     __ATOMIC_RELAXED);
}

/* "usable" by the guest: bound to something (no Xen consumers here). */
static inline bool evtchn_usable(const struct evtchn *chn)
{
    return chn->state > ECS_RESERVED;
}

static inline void event_lock(struct domain *d)
{
    pthread_mutex_lock(&d->evtchn->event_lock);
}

static inline void event_unlock(struct domain *d)
{
    pthread_mutex_unlock(&d->evtchn->event_lock);
}

/* Both domains' event locks, the lower domain id first. */
static inline void double_event_lock(struct domain *a, struct domain *b)
{
    if ( a == b )
        event_lock(a);
    else if ( a->domain_id < b->domain_id )
    {
        event_lock(a);
        event_lock(b);
    }
    else
    {
        event_lock(b);
        event_lock(a);
    }
}

static inline void double_event_unlock(struct domain *a, struct domain *b)
{
    event_unlock(a);
    if ( a != b )
        event_unlock(b);
}

static inline void kick_prepare(struct evtchn_kick *k, struct domain *d,
                                evtchn_port_t port)
{
    get_knownalive_domain(d);
    k->d = d;
    k->port = port;
}

/* No event lock held: see the hook's contract in event_channel.h. */
static inline void kick_deliver(struct evtchn_kick *k)
{
    struct host *h;

    if ( k->d == NULL )
        return;
    h = k->d->host;
    if ( h->evtchn_notify )
        h->evtchn_notify(h->evtchn_notify_opaque, k->d, k->port);
    put_domain(k->d);
    k->d = NULL;
}

/* The 2-level ABI's port ops, for a bound (usable) channel only. */
static inline bool evtchn_port_set_pending(struct domain *d,
                                           unsigned int vcpu_id,
                                           struct evtchn *chn)
{
    return evtchn_usable(chn) && evtchn_2l_set_pending(d, vcpu_id, chn->port);
}

static inline void evtchn_port_clear_pending(struct domain *d,
                                             struct evtchn *chn)
{
    if ( evtchn_usable(chn) )
        evtchn_2l_clear_pending(d, chn->port);
}

static inline bool evtchn_port_unmask(struct domain *d,
                                      struct evtchn *chn)
{
    return evtchn_usable(chn) &&
           evtchn_2l_unmask(d, notify_vcpu(chn), chn->port);
}

/* event_channel.c: the binding ops do_event_channel_op dispatches to. */
int evtchn_alloc_unbound(struct caller *c, evtchn_alloc_unbound_t *alloc);
int evtchn_bind_interdomain(struct caller *c, evtchn_bind_interdomain_t *bind);
int evtchn_bind_virq(struct caller *c, evtchn_bind_virq_t *bind);
int evtchn_bind_ipi(struct caller *c, evtchn_bind_ipi_t *bind);

#endif /* XENMM_CORE_EVENT_CHANNEL_PRIV_H */
