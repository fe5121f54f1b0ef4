/*
 * EVTCHNOP_* through the dispatcher, as 4.17 with the 2-level ABI: ports
 * and their limits, interdomain binding and sending, delivery to the host
 * process's hook, the pending/mask/selector bits in shared_info, VIRQs
 * (VIRQ_DOM_EXC on crash, kill and destroy; the global handler), close
 * and the peer left unbound, bind_ipi/bind_vcpu, reset, and every errno.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/event_channel.h>

#include "core/event_channel.h"
#include "core/event_channel_priv.h"    /* host_check's test breaks state */
#include "core/hypercall.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"
#include "domctl_test.h"

#define MiB (1ULL << 20)

/* What the hook saw. */
struct notes {
    unsigned int n;
    domid_t dom[64];
    unsigned int port[64];
};

static void note(void *opaque, struct domain *d, unsigned int port)
{
    struct notes *nt = opaque;

    if ( nt->n < 64 )
    {
        nt->dom[nt->n] = d->domain_id;
        nt->port[nt->n] = port;
    }
    nt->n++;
}

#define CHECK_NOTE(nt, i, d, p)                 \
    do {                                        \
        CHECK_EQ((nt)->dom[i], d);              \
        CHECK_EQ((nt)->port[i], p);             \
    } while ( 0 )

struct env {
    struct host *h;
    struct garena a;
    struct caller c0;               /* dom0 */
    struct notes nt;
};

static void env_init(struct env *e, unsigned int nodes)
{
    memset(e, 0, sizeof(*e));
    e->h = boot_tiny(nodes, 16 * MiB);
    garena_init(&e->a, 1 << 16);
    caller_init(&e->c0, e->h->hardware_domain, &e->a.ga);
    e->h->evtchn_notify = note;
    e->h->evtchn_notify_opaque = &e->nt;
}

static void env_fini(struct env *e)
{
    check_host(e->h);
    host_destroy(e->h);
    garena_free(&e->a);
}

/* A domain as createdomain makes one, with vCPUs and a port limit. */
static struct domain *evdom(struct host *h, domid_t id, uint32_t max_port,
                            unsigned int vcpus)
{
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = vcpus,
        .max_evtchn_port = max_port,
        .max_grant_frames = -1,
        .max_maptrack_frames = -1,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
    };
    struct domain *d;
    int rc;

    d = domain_create(h, id, &cfg, 0, &rc);
    REQUIRE(d && rc == 0);
    for ( unsigned int v = 0; v < vcpus; v++ )
        REQUIRE(vcpu_create(d, v) == 0);
    return d;
}

static void caller_as(struct env *e, struct caller *c, struct domain *d)
{
    caller_init(c, d, &e->a.ga);
}

/* One EVTCHNOP on a copy of *arg in the arena; *arg gets it back. */
static long evop(struct caller *c, struct garena *a, int cmd, void *arg,
                 size_t size)
{
    size_t used = a->used;
    uint64_t g = garena_alloc(a, size);
    unsigned long args[6] = { (unsigned long)cmd, g, 0, 0, 0, 0 };
    long rc;

    memcpy(garena_ptr(a, g), arg, size);
    rc = hypercall_dispatch(c, __HYPERVISOR_event_channel_op, args);
    memcpy(arg, garena_ptr(a, g), size);
    a->used = used;
    return rc;
}

static long alloc_unbound(struct env *e, struct caller *c, domid_t dom,
                          domid_t remote, evtchn_port_t *port)
{
    evtchn_alloc_unbound_t op = { .dom = dom, .remote_dom = remote };
    long rc = evop(c, &e->a, EVTCHNOP_alloc_unbound, &op, sizeof(op));

    if ( port )
        *port = rc ? 0 : op.port;
    return rc;
}

static long bind_interdomain(struct env *e, struct caller *c, domid_t rdom,
                             evtchn_port_t rport, evtchn_port_t *lport)
{
    evtchn_bind_interdomain_t op = { .remote_dom = rdom,
                                     .remote_port = rport };
    long rc = evop(c, &e->a, EVTCHNOP_bind_interdomain, &op, sizeof(op));

    if ( lport )
        *lport = rc ? 0 : op.local_port;
    return rc;
}

static long bind_virq(struct env *e, struct caller *c, uint32_t virq,
                      uint32_t vcpu, evtchn_port_t *port)
{
    evtchn_bind_virq_t op = { .virq = virq, .vcpu = vcpu };
    long rc = evop(c, &e->a, EVTCHNOP_bind_virq, &op, sizeof(op));

    if ( port )
        *port = rc ? 0 : op.port;
    return rc;
}

static long port_op(struct env *e, struct caller *c, int cmd,
                    evtchn_port_t port)
{
    evtchn_send_t op = { .port = port };   /* close, send, unmask alike */

    return evop(c, &e->a, cmd, &op, sizeof(op));
}

static long status(struct env *e, struct caller *c, domid_t dom,
                   evtchn_port_t port, evtchn_status_t *st)
{
    memset(st, 0xff, sizeof(*st));
    st->dom = dom;
    st->port = port;
    return evop(c, &e->a, EVTCHNOP_status, st, sizeof(*st));
}

static shared_info_t *si(struct domain *d)
{
    return mfn_to_virt(d->host, page_to_mfn(d->host, d->shared_info));
}

static bool pending(struct domain *d, evtchn_port_t port)
{
    bool p, m;

    REQUIRE(evtchn_guest_test(d, port, &p, &m) == 0);
    return p;
}

/* d1's unbound port towards dom0, bound by dom0: both ports. */
static void pair(struct env *e, struct caller *c1, evtchn_port_t *p1,
                 evtchn_port_t *lp)
{
    REQUIRE(alloc_unbound(e, c1, DOMID_SELF, 0, p1) == 0);
    REQUIRE(bind_interdomain(e, &e->c0, c1->d->domain_id, *p1, lp) == 0);
}

TEST(evtchn_alloc_unbound_and_status)
{
    struct env e;
    struct domain *d1;
    struct caller c1;
    evtchn_status_t st;
    evtchn_port_t p;
    unsigned long args[6] = { EVTCHNOP_alloc_unbound, 0x1000, 0, 0, 0, 0 };
    evtchn_set_priority_t sp = { .port = 1, .priority = 1 };

    env_init(&e, 1);
    d1 = evdom(e.h, 1, -1, 1);
    evdom(e.h, 2, -1, 1);
    caller_as(&e, &c1, d1);

    /* libxl: dom0 allocates the guest's xenstore port, towards dom0. */
    CHECK_EQ(alloc_unbound(&e, &e.c0, 1, 0, &p), 0);
    CHECK_EQ(p, 1);
    CHECK_EQ(status(&e, &e.c0, 1, 1, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 0);
    CHECK_EQ(st.vcpu, 0);
    /* DOMID_SELF as either domain is the caller. */
    CHECK_EQ(alloc_unbound(&e, &c1, DOMID_SELF, DOMID_SELF, &p), 0);
    CHECK_EQ(p, 2);
    CHECK_EQ(status(&e, &c1, DOMID_SELF, 2, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 1);
    /* The remote domain need not exist. */
    CHECK_EQ(alloc_unbound(&e, &c1, DOMID_SELF, 999, &p), 0);
    CHECK_EQ(p, 3);

    CHECK_EQ(alloc_unbound(&e, &e.c0, 77, 0, NULL), -ESRCH);
    /* XSM_TARGET: a guest for another guest; the port is not used up. */
    CHECK_EQ(alloc_unbound(&e, &c1, 2, 1, NULL), -EPERM);
    CHECK_EQ(alloc_unbound(&e, &e.c0, 2, 1, &p), 0);
    CHECK_EQ(p, 1);
    CHECK_EQ(status(&e, &c1, 2, 1, &st), -EPERM);
    CHECK_EQ(status(&e, &c1, 77, 1, &st), -ESRCH);
    /* Ports 0..63 are valid (one bucket): free and reserved read closed. */
    CHECK_EQ(status(&e, &c1, DOMID_SELF, 63, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_closed);
    CHECK_EQ(status(&e, &c1, DOMID_SELF, 0, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_closed);
    CHECK_EQ(status(&e, &c1, DOMID_SELF, 64, &st), -EINVAL);

    /* The argument must be in the caller's buffers. */
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_event_channel_op, args),
             -EFAULT);
    args[0] = 99;
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_event_channel_op, args),
             -ENOSYS);
    args[0] = EVTCHNOP_init_control;    /* FIFO: a guest falls back */
    CHECK_EQ(hypercall_dispatch(&e.c0, __HYPERVISOR_event_channel_op, args),
             -ENOSYS);
    CHECK_EQ(evop(&c1, &e.a, EVTCHNOP_set_priority, &sp, sizeof(sp)), -ENOSYS);
    sp.port = 64;
    CHECK_EQ(evop(&c1, &e.a, EVTCHNOP_set_priority, &sp, sizeof(sp)), -EINVAL);
    {
        evtchn_bind_pirq_t bp = { .pirq = 0 };

        CHECK_EQ(evop(&e.c0, &e.a, EVTCHNOP_bind_pirq, &bp, sizeof(bp)),
                 -EINVAL);
    }
    CHECK_EQ(e.nt.n, 0);
    env_fini(&e);
}

TEST(evtchn_interdomain_send_reaches_the_hook)
{
    struct env e;
    struct domain *d1, *d0;
    struct caller c1;
    evtchn_status_t st;
    evtchn_port_t p1, lp, p2, q, lq;

    env_init(&e, 1);
    d0 = e.h->hardware_domain;
    d1 = evdom(e.h, 1, -1, 1);
    caller_as(&e, &c1, d1);

    CHECK_EQ(alloc_unbound(&e, &c1, DOMID_SELF, 0, &p1), 0);
    CHECK_EQ(bind_interdomain(&e, &e.c0, 1, p1, &lp), 0);
    CHECK_EQ(p1, 1);
    CHECK_EQ(lp, 1);
    check_host(e.h);
    /* Binding raises the local port once, as Xen does. */
    REQUIRE(e.nt.n == 1);
    CHECK_NOTE(&e.nt, 0, 0, 1);
    CHECK(pending(d0, 1));
    CHECK_EQ(si(d0)->vcpu_info[0].evtchn_pending_sel, 1);
    CHECK_EQ(si(d0)->vcpu_info[0].evtchn_upcall_pending, 1);
    CHECK_EQ(status(&e, &e.c0, DOMID_SELF, lp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
    CHECK_EQ(st.u.interdomain.dom, 1);
    CHECK_EQ(st.u.interdomain.port, p1);
    CHECK_EQ(status(&e, &c1, DOMID_SELF, p1, &st), 0);
    CHECK_EQ(st.u.interdomain.dom, 0);
    CHECK_EQ(st.u.interdomain.port, lp);

    /* dom0 -> d1: d1's bits and the hook with (d1, p1). */
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_send, lp), 0);
    REQUIRE(e.nt.n == 2);
    CHECK_NOTE(&e.nt, 1, 1, p1);
    CHECK(pending(d1, p1));
    CHECK_EQ(si(d1)->vcpu_info[0].evtchn_pending_sel, 1);
    CHECK_EQ(si(d1)->vcpu_info[0].evtchn_upcall_pending, 1);
    /* Still pending: nothing new to tell. */
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_send, lp), 0);
    CHECK_EQ(e.nt.n, 2);
    /* The guest consumed it: the next send is news again. */
    CHECK_EQ(evtchn_guest_clear_pending(d1, p1), 0);
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_send, lp), 0);
    CHECK_EQ(e.nt.n, 3);
    /* d1 -> dom0. */
    CHECK_EQ(evtchn_guest_clear_pending(d0, lp), 0);
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_send, p1), 0);
    REQUIRE(e.nt.n == 4);
    CHECK_NOTE(&e.nt, 3, 0, lp);
    check_host(e.h);

    /* Refusals; a failed bind leaves the local port free. */
    CHECK_EQ(bind_interdomain(&e, &e.c0, 77, 1, NULL), -ESRCH);
    CHECK_EQ(bind_interdomain(&e, &e.c0, 1, p1, NULL), -EINVAL);  /* bound */
    CHECK_EQ(bind_interdomain(&e, &e.c0, 1, 500, NULL), -EINVAL);
    CHECK_EQ(bind_interdomain(&e, &e.c0, 1, 0, NULL), -EINVAL);   /* reserved */
    CHECK_EQ(alloc_unbound(&e, &c1, DOMID_SELF, 2, &p2), 0);
    CHECK_EQ(bind_interdomain(&e, &e.c0, 1, p2, NULL), -EINVAL);  /* not ours */
    CHECK_EQ(alloc_unbound(&e, &e.c0, DOMID_SELF, DOMID_SELF, &q), 0);
    CHECK_EQ(q, 2);
    /* Loopback within dom0. */
    CHECK_EQ(bind_interdomain(&e, &e.c0, DOMID_SELF, q, &lq), 0);
    CHECK_EQ(lq, 3);
    CHECK_EQ(evtchn_guest_clear_pending(d0, lq), 0);
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_send, lq), 0);
    CHECK_NOTE(&e.nt, e.nt.n - 1, 0, q);
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_send, 0), -EINVAL);      /* reserved */
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_send, 40), -EINVAL);     /* free */
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_send, 4000), -EINVAL);   /* invalid */
    env_fini(&e);
}

TEST(evtchn_mask_defers_the_hook_to_unmask)
{
    struct env e;
    struct domain *d1;
    struct caller c1;
    evtchn_port_t p1, lp;
    bool p, m;

    env_init(&e, 1);
    d1 = evdom(e.h, 1, -1, 1);
    caller_as(&e, &c1, d1);
    pair(&e, &c1, &p1, &lp);
    e.nt.n = 0;

    /* Masked: pending is set, no selector, no upcall, no hook. */
    CHECK_EQ(evtchn_guest_mask(d1, p1, true), 0);
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_send, lp), 0);
    CHECK_EQ(e.nt.n, 0);
    CHECK_EQ(evtchn_guest_test(d1, p1, &p, &m), 0);
    CHECK(p && m);
    CHECK_EQ(si(d1)->vcpu_info[0].evtchn_pending_sel, 0);
    CHECK_EQ(si(d1)->vcpu_info[0].evtchn_upcall_pending, 0);
    /* Unmasking a pending port delivers it. */
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_unmask, p1), 0);
    REQUIRE(e.nt.n == 1);
    CHECK_NOTE(&e.nt, 0, 1, p1);
    CHECK_EQ(evtchn_guest_test(d1, p1, &p, &m), 0);
    CHECK(p && !m);
    CHECK_EQ(si(d1)->vcpu_info[0].evtchn_pending_sel, 1);
    CHECK_EQ(si(d1)->vcpu_info[0].evtchn_upcall_pending, 1);
    /* Not masked: nothing to do. */
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_unmask, p1), 0);
    CHECK_EQ(e.nt.n, 1);
    /*
     * Masked and unmasked again while still pending: the hook is per port,
     * so it fires although Xen's selector bit is already set.
     */
    CHECK_EQ(evtchn_guest_mask(d1, p1, true), 0);
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_unmask, p1), 0);
    CHECK_EQ(e.nt.n, 2);
    /* Masked, not pending: unmask has nothing to deliver. */
    CHECK_EQ(evtchn_guest_clear_pending(d1, p1), 0);
    CHECK_EQ(evtchn_guest_mask(d1, p1, true), 0);
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_unmask, p1), 0);
    CHECK_EQ(e.nt.n, 2);
    /* A free port in a valid bucket: 0; beyond: -EINVAL. */
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_unmask, 30), 0);
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_unmask, 64), -EINVAL);
    CHECK_EQ(evtchn_guest_mask(d1, EVTCHN_2L_NR_CHANNELS, true), -EINVAL);
    CHECK_EQ(evtchn_guest_test(d1, EVTCHN_2L_NR_CHANNELS, &p, &m), -EINVAL);
    CHECK_EQ(e.nt.n, 2);
    env_fini(&e);
}

TEST(evtchn_close_leaves_the_peer_unbound)
{
    struct env e;
    struct domain *d1;
    struct caller c1;
    evtchn_status_t st;
    evtchn_port_t p1, lp, lp2;

    env_init(&e, 1);
    d1 = evdom(e.h, 1, -1, 1);
    caller_as(&e, &c1, d1);
    pair(&e, &c1, &p1, &lp);
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_send, lp), 0);
    CHECK(pending(d1, p1));
    e.nt.n = 0;

    /* dom0 closes its end: d1's port waits for dom0 again. */
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_close, lp), 0);
    CHECK_EQ(status(&e, &c1, DOMID_SELF, p1, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 0);
    CHECK_EQ(status(&e, &e.c0, DOMID_SELF, lp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_closed);
    CHECK(!pending(e.h->hardware_domain, lp));
    /* Sends on an unbound port are dropped silently. */
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_send, p1), 0);
    CHECK_EQ(e.nt.n, 0);
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_close, lp), -EINVAL);
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_close, 0), -EINVAL);
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_close, 999), -EINVAL);

    /* It can be bound again (and the port freed before is reused). */
    CHECK_EQ(bind_interdomain(&e, &e.c0, 1, p1, &lp2), 0);
    CHECK_EQ(lp2, lp);
    /* Closing d1's end: its pending bit goes, dom0's end is unbound. */
    CHECK(pending(d1, p1));
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_close, p1), 0);
    CHECK(!pending(d1, p1));
    CHECK_EQ(status(&e, &e.c0, DOMID_SELF, lp2, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 1);
    CHECK_EQ(bind_interdomain(&e, &e.c0, 1, p1, NULL), -EINVAL);
    env_fini(&e);
}

TEST(evtchn_bind_virq_rules)
{
    struct env e;
    struct domain *d1;
    struct caller c1;
    evtchn_status_t st;
    evtchn_port_t vp, tp, p;

    env_init(&e, 1);
    d1 = evdom(e.h, 1, -1, 1);
    caller_as(&e, &c1, d1);

    CHECK_EQ(bind_virq(&e, &e.c0, VIRQ_DOM_EXC, 0, &vp), 0);
    CHECK_EQ(vp, 1);
    CHECK_EQ(status(&e, &e.c0, DOMID_SELF, vp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_virq);
    CHECK_EQ(st.u.virq, VIRQ_DOM_EXC);
    CHECK_EQ(bind_virq(&e, &e.c0, VIRQ_DOM_EXC, 0, NULL), -EEXIST);
    CHECK_EQ(bind_virq(&e, &e.c0, VIRQ_DOM_EXC, 1, NULL), -EINVAL); /* global */
    CHECK_EQ(bind_virq(&e, &e.c0, NR_VIRQS, 0, NULL), -EINVAL);
    CHECK_EQ(bind_virq(&e, &e.c0, VIRQ_TIMER, 1, NULL), -ENOENT);   /* 1 vCPU */
    CHECK_EQ(bind_virq(&e, &e.c0, VIRQ_TIMER, 0, &tp), 0);
    CHECK_EQ(tp, 2);
    /* Not the handler of a global VIRQ (Xen 4.21's check). */
    CHECK_EQ(bind_virq(&e, &c1, VIRQ_DOM_EXC, 0, NULL), -EBUSY);
    CHECK_EQ(bind_virq(&e, &c1, VIRQ_TIMER, 0, &p), 0);
    CHECK_EQ(p, 1);
    /* Sending on a VIRQ port is refused. */
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_send, vp), -EINVAL);
    /* Closing unbinds: it can be bound again. */
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_close, vp), 0);
    CHECK_EQ(bind_virq(&e, &e.c0, VIRQ_DOM_EXC, 0, &vp), 0);
    CHECK_EQ(vp, 1);
    CHECK_EQ(e.nt.n, 0);
    env_fini(&e);
}

TEST(evtchn_dom_exc_on_crash_kill_and_destroy)
{
    struct env e;
    struct domain *d0, *d1, *d2;
    struct dctl t;
    evtchn_port_t vp;

    env_init(&e, 1);
    d0 = e.h->hardware_domain;
    d1 = evdom(e.h, 1, -1, 1);
    d2 = evdom(e.h, 2, -1, 1);
    dctl_init(&t, d0);
    CHECK_EQ(bind_virq(&e, &e.c0, VIRQ_DOM_EXC, 0, &vp), 0);

    /* domain_crash: the shutdown is final at once, xenstored is told. */
    domain_crash(d1, "test");
    REQUIRE(e.nt.n == 1);
    CHECK_NOTE(&e.nt, 0, 0, vp);
    CHECK(pending(d0, vp));
    CHECK_EQ(evtchn_guest_clear_pending(d0, vp), 0);
    domain_crash(d1, "again");              /* already shutting down */
    CHECK_EQ(e.nt.n, 1);
    CHECK(!pending(d0, vp));

    /* domain_kill raises it, and so does the destruction after it. */
    domain_kill(d2);
    REQUIRE(e.nt.n == 2);
    CHECK_NOTE(&e.nt, 1, 0, vp);
    CHECK_EQ(evtchn_guest_clear_pending(d0, vp), 0);
    domain_destroy(d2);
    REQUIRE(e.nt.n == 3);
    CHECK_NOTE(&e.nt, 2, 0, vp);
    check_host(e.h);

    /* Through the domctl; unconsumed, the second raise finds it pending. */
    CHECK_EQ(evtchn_guest_clear_pending(d0, vp), 0);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 1), 0);
    CHECK_EQ(e.nt.n, 4);
    CHECK(pending(d0, vp));
    env_fini(&e);
}

TEST(evtchn_global_virq_handler)
{
    struct env e;
    struct domain *d1;
    struct caller c1;
    struct dctl t;
    evtchn_port_t p;

    env_init(&e, 1);
    d1 = evdom(e.h, 1, -1, 1);
    evdom(e.h, 2, -1, 1);
    caller_as(&e, &c1, d1);
    dctl_init(&t, e.h->hardware_domain);

    t.op.u.set_virq_handler.virq = VIRQ_DOM_EXC;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_virq_handler, 1), 0);
    CHECK_EQ(bind_virq(&e, &e.c0, VIRQ_DOM_EXC, 0, NULL), -EBUSY);
    CHECK_EQ(bind_virq(&e, &c1, VIRQ_DOM_EXC, 0, &p), 0);
    t.op.u.set_virq_handler.virq = VIRQ_TIMER;          /* per vCPU */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_virq_handler, 1), -EINVAL);
    t.op.u.set_virq_handler.virq = NR_VIRQS;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_virq_handler, 1), -EINVAL);
    dctl_as(&t, d1);                                    /* XSM_PRIV */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_virq_handler, 1), -EPERM);
    dctl_as(&t, e.h->hardware_domain);

    /* d2's death goes to the handler. */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 2), 0);
    REQUIRE(e.nt.n >= 1);
    CHECK_NOTE(&e.nt, 0, 1, p);
    /* The handler dies: the hardware domain gets the VIRQ back. */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 1), 0);
    CHECK(e.h->global_virq_handlers[VIRQ_DOM_EXC] == NULL);
    CHECK_EQ(bind_virq(&e, &e.c0, VIRQ_DOM_EXC, 0, &p), 0);
    env_fini(&e);
}

TEST(evtchn_destroy_unbinds_the_peers)
{
    struct env e;
    struct domain *d1, *d2;
    struct caller c1, c2;
    evtchn_status_t st;
    evtchn_port_t p1, lp, p12, p21;

    env_init(&e, 1);
    d1 = evdom(e.h, 1, -1, 1);
    d2 = evdom(e.h, 2, -1, 1);
    caller_as(&e, &c1, d1);
    caller_as(&e, &c2, d2);
    pair(&e, &c1, &p1, &lp);
    CHECK_EQ(alloc_unbound(&e, &c2, DOMID_SELF, 1, &p21), 0);
    CHECK_EQ(bind_interdomain(&e, &c1, 2, p21, &p12), 0);

    domain_kill(d1);
    /* A dying domain gets no new ports. */
    CHECK_EQ(alloc_unbound(&e, &e.c0, 1, 0, NULL), -EINVAL);
    domain_destroy(d1);
    CHECK_EQ(status(&e, &e.c0, DOMID_SELF, lp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 1);
    CHECK_EQ(status(&e, &c2, DOMID_SELF, p21, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 1);
    /* Sends on them are dropped. */
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_send, lp), 0);
    CHECK_EQ(port_op(&e, &c2, EVTCHNOP_send, p21), 0);
    env_fini(&e);
}

TEST(evtchn_port_exhaustion)
{
    struct env e;
    struct domain *d;
    evtchn_port_t p;
    unsigned int i;

    env_init(&e, 1);
    /* max_evtchn_port 5: ports 1..5. */
    evdom(e.h, 1, 5, 1);
    for ( i = 1; i <= 5; i++ )
    {
        CHECK_EQ(alloc_unbound(&e, &e.c0, 1, 0, &p), 0);
        CHECK_EQ(p, i);
    }
    CHECK_EQ(alloc_unbound(&e, &e.c0, 1, 0, NULL), -ENOSPC);
    {
        struct caller c1;

        caller_as(&e, &c1, get_domain_by_id(e.h, 1));
        CHECK_EQ(port_op(&e, &c1, EVTCHNOP_close, 3), 0);
    }
    CHECK_EQ(alloc_unbound(&e, &e.c0, 1, 0, &p), 0);
    CHECK_EQ(p, 3);
    /* max_evtchn_port 0: only the reserved port. */
    evdom(e.h, 2, 0, 1);
    CHECK_EQ(alloc_unbound(&e, &e.c0, 2, 0, NULL), -ENOSPC);
    /* No limit given: the 2-level ABI's 4096 ports, 4095 usable. */
    d = evdom(e.h, 3, -1, 1);
    for ( i = 1; i < EVTCHN_2L_NR_CHANNELS; i++ )
        if ( alloc_unbound(&e, &e.c0, 3, 0, &p) || p != i )
            break;
    CHECK_EQ(i, EVTCHN_2L_NR_CHANNELS);
    CHECK_EQ(alloc_unbound(&e, &e.c0, 3, 0, NULL), -ENOSPC);
    check_host(e.h);
    /* All of them go with the domain. */
    domain_kill(d);
    domain_destroy(d);
    env_fini(&e);
}

TEST(evtchn_ipi_and_bind_vcpu)
{
    struct env e;
    struct domain *d1;
    struct caller c1;
    evtchn_status_t st;
    evtchn_bind_ipi_t ipi = { .vcpu = 1 };
    evtchn_bind_vcpu_t bv;
    evtchn_port_t u, tp, cp;

    env_init(&e, 1);
    d1 = evdom(e.h, 1, -1, 2);
    caller_as(&e, &c1, d1);

    CHECK_EQ(evop(&c1, &e.a, EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)), 0);
    CHECK_EQ(ipi.port, 1);
    CHECK_EQ(status(&e, &c1, DOMID_SELF, 1, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_ipi);
    CHECK_EQ(st.vcpu, 1);
    /* An IPI is delivered to the sender's own domain, on its vCPU. */
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_send, 1), 0);
    REQUIRE(e.nt.n == 1);
    CHECK_NOTE(&e.nt, 0, 1, 1);
    CHECK_EQ(si(d1)->vcpu_info[1].evtchn_pending_sel, 1);
    CHECK_EQ(si(d1)->vcpu_info[0].evtchn_pending_sel, 0);
    ipi.vcpu = 2;
    CHECK_EQ(evop(&c1, &e.a, EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)), -ENOENT);

    /* bind_vcpu: unbound and interdomain ports, and global VIRQs. */
    CHECK_EQ(alloc_unbound(&e, &c1, DOMID_SELF, 0, &u), 0);
    bv = (evtchn_bind_vcpu_t){ .port = u, .vcpu = 1 };
    CHECK_EQ(evop(&c1, &e.a, EVTCHNOP_bind_vcpu, &bv, sizeof(bv)), 0);
    CHECK_EQ(status(&e, &c1, DOMID_SELF, u, &st), 0);
    CHECK_EQ(st.vcpu, 1);
    bv.vcpu = 5;
    CHECK_EQ(evop(&c1, &e.a, EVTCHNOP_bind_vcpu, &bv, sizeof(bv)), -ENOENT);
    bv = (evtchn_bind_vcpu_t){ .port = 1, .vcpu = 0 };      /* the IPI */
    CHECK_EQ(evop(&c1, &e.a, EVTCHNOP_bind_vcpu, &bv, sizeof(bv)), -EINVAL);
    bv.port = 100;
    CHECK_EQ(evop(&c1, &e.a, EVTCHNOP_bind_vcpu, &bv, sizeof(bv)), -EINVAL);
    CHECK_EQ(bind_virq(&e, &c1, VIRQ_TIMER, 1, &tp), 0);
    bv = (evtchn_bind_vcpu_t){ .port = tp, .vcpu = 0 };
    CHECK_EQ(evop(&c1, &e.a, EVTCHNOP_bind_vcpu, &bv, sizeof(bv)), -EINVAL);
    CHECK_EQ(set_global_virq_handler(d1, VIRQ_CONSOLE), 0);
    CHECK_EQ(bind_virq(&e, &c1, VIRQ_CONSOLE, 0, &cp), 0);
    bv = (evtchn_bind_vcpu_t){ .port = cp, .vcpu = 1 };
    CHECK_EQ(evop(&c1, &e.a, EVTCHNOP_bind_vcpu, &bv, sizeof(bv)), 0);
    /* Raised on vCPU 0's binding, delivered on vCPU 1. */
    send_global_virq(e.h, VIRQ_CONSOLE);
    REQUIRE(e.nt.n == 2);
    CHECK_NOTE(&e.nt, 1, 1, cp);
    CHECK_EQ(si(d1)->vcpu_info[1].evtchn_pending_sel, 1);
    CHECK_EQ(si(d1)->vcpu_info[0].evtchn_pending_sel, 0);
    env_fini(&e);
}

TEST(evtchn_reset)
{
    struct env e;
    struct domain *d1;
    struct caller c1, c2;
    evtchn_reset_t r = { .dom = 1 };
    evtchn_status_t st;
    evtchn_port_t p1, lp, p;
    unsigned int i;

    env_init(&e, 1);
    d1 = evdom(e.h, 1, -1, 1);
    caller_as(&e, &c1, d1);
    caller_as(&e, &c2, evdom(e.h, 2, -1, 1));
    pair(&e, &c1, &p1, &lp);
    for ( i = 0; i < 200; i++ )
        REQUIRE(alloc_unbound(&e, &c1, DOMID_SELF, 0, NULL) == 0);

    CHECK_EQ(evop(&c2, &e.a, EVTCHNOP_reset, &r, sizeof(r)), -EPERM);
    r.dom = 77;
    CHECK_EQ(evop(&e.c0, &e.a, EVTCHNOP_reset, &r, sizeof(r)), -ESRCH);
    /* Another domain's ports only while it is paused by the toolstack. */
    r.dom = 1;
    d1->pause_count = 0;
    CHECK_EQ(evop(&e.c0, &e.a, EVTCHNOP_reset, &r, sizeof(r)), -EINVAL);
    d1->pause_count = 1;

    /*
     * The check comes every 64 ports (after 64, 128, 192); due every
     * second check, it preempts at 128 and, resumed there, at 192.
     */
    e.c0.preempt_every = 2;
    CHECK_EQ(evop(&e.c0, &e.a, EVTCHNOP_reset, &r, sizeof(r)), 0);
    CHECK_EQ(e.c0.nr_continuations, 2);
    e.c0.preempt_every = 0;
    CHECK_EQ(status(&e, &e.c0, 1, p1, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_closed);
    CHECK_EQ(status(&e, &e.c0, DOMID_SELF, lp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(alloc_unbound(&e, &c1, DOMID_SELF, 0, &p), 0);
    CHECK_EQ(p, 1);
    /* A domain may reset itself, paused or not. */
    d1->pause_count = 0;
    r.dom = DOMID_SELF;
    CHECK_EQ(evop(&c1, &e.a, EVTCHNOP_reset, &r, sizeof(r)), 0);
    CHECK_EQ(status(&e, &c1, DOMID_SELF, 1, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_closed);
    env_fini(&e);
}

/* host_check() holds interdomain pairs and VIRQ slots together. */
TEST(evtchn_host_check_sees_broken_bindings)
{
    struct env e;
    struct domain *d1;
    struct caller c1;
    struct evtchn *chn;
    evtchn_port_t p1, lp, vp;
    char buf[512];

    env_init(&e, 1);
    d1 = evdom(e.h, 1, -1, 1);
    caller_as(&e, &c1, d1);
    pair(&e, &c1, &p1, &lp);
    CHECK_EQ(bind_virq(&e, &e.c0, VIRQ_DOM_EXC, 0, &vp), 0);

    chn = evtchn_from_port(d1, p1);
    chn->u.interdomain.remote_port = lp + 10;
    CHECK(host_check(e.h, buf, sizeof(buf)) >= 1);
    CHECK_CONTAINS(buf, "d1: port 1's peer d0:11 is not bound back");
    chn->u.interdomain.remote_port = lp;
    *virq_slot(e.h->hardware_domain, 0, VIRQ_DOM_EXC) = 0;
    CHECK_EQ(host_check(e.h, buf, sizeof(buf)), 1);
    CHECK_CONTAINS(buf, "VIRQ port 2 is not in virq_to_evtchn");
    *virq_slot(e.h->hardware_domain, 0, VIRQ_DOM_EXC) = vp;
    d1->evtchn->active_evtchns++;
    CHECK_EQ(host_check(e.h, buf, sizeof(buf)), 1);
    CHECK_CONTAINS(buf, "d1: active_evtchns 2, 1 ports in use");
    d1->evtchn->active_evtchns--;
    env_fini(&e);
}

/*
 * The Linux evtchn driver's way, as libxenevtchn's emulation would do it
 * in the hook: mask and clear the port it is told about, queue it; the
 * reader unmasks with EVTCHNOP_unmask once it has consumed the event.
 */
static void driver_hook(void *opaque, struct domain *d, unsigned int port)
{
    note(opaque, d, port);
    CHECK_EQ(evtchn_guest_mask(d, port, true), 0);
    CHECK_EQ(evtchn_guest_clear_pending(d, port), 0);
}

TEST(evtchn_hook_as_the_linux_driver)
{
    struct env e;
    struct domain *d0, *d1;
    struct caller c1;
    evtchn_port_t p1, lp;
    bool p, m;

    env_init(&e, 1);
    d0 = e.h->hardware_domain;
    d1 = evdom(e.h, 1, -1, 1);
    caller_as(&e, &c1, d1);
    e.h->evtchn_notify = driver_hook;
    pair(&e, &c1, &p1, &lp);
    REQUIRE(e.nt.n == 1);                   /* the bind's own event */
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_unmask, lp), 0);
    CHECK_EQ(e.nt.n, 1);

    /* The guest notifies twice before the reader gets to it: one event. */
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_send, p1), 0);
    CHECK_EQ(e.nt.n, 2);
    CHECK_EQ(port_op(&e, &c1, EVTCHNOP_send, p1), 0);
    CHECK_EQ(e.nt.n, 2);
    CHECK_EQ(evtchn_guest_test(d0, lp, &p, &m), 0);
    CHECK(p && m);
    /* The reader unmasks: the second notification is delivered now. */
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_unmask, lp), 0);
    REQUIRE(e.nt.n == 3);
    CHECK_NOTE(&e.nt, 2, 0, lp);
    CHECK_EQ(port_op(&e, &e.c0, EVTCHNOP_unmask, lp), 0);
    CHECK_EQ(e.nt.n, 3);
    env_fini(&e);
}

