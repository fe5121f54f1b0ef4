/*
 * evtchn_dev.c - /dev/xen/evtchn (Linux drivers/xen/evtchn.c) for the
 * sessions of a server.
 *
 * A user is one open of the device (one libxenevtchn handle): it binds
 * ports of its session's domain with EVTCHNOP_alloc_unbound,
 * bind_interdomain and bind_virq issued as that domain, and owns them until
 * it unbinds them or goes away (closed, or its session ends: the client
 * process died), when they are closed with EVTCHNOP_close, as the driver's
 * release does.  The ports stay the user's own: notify and unbind of a
 * port it did not bind are -ENOTCONN.
 *
 * Delivery.  The core calls evtchn_dev_notify (its evtchn_notify hook)
 * when a port of a domain becomes pending while unmasked.  If a user has
 * bound that (domain, port), the port is masked and its pending bit
 * cleared - the guest kernel's own writes to its shared_info, as Linux's
 * interrupt handler leaves the event masked until user space unmasks it -
 * and the port number is written to the user's notification socket, where
 * libxenevtchn's xenevtchn_pending reads it.  So a port is queued at most
 * once until XMM_EVTCHN_UNMASK, which clears the mask and, if an event
 * arrived meanwhile, delivers it at once.  A newly bound port starts
 * enabled the same way: unmasked, and delivered at once if already
 * pending (bind_interdomain always makes the new port pending, as Xen
 * does, so nothing sent before the bind is lost).
 *
 * The notification socket is one end of a stream socketpair; this end is
 * non-blocking.  Should it ever be full, ports wait in the user's backlog
 * and are flushed by its next operation or delivery, so none is lost.
 *
 * Locking: srv->evtchn_lock (a leaf: the hook takes it from inside
 * hypercalls) protects the binding table, each binding's enabled state,
 * and the backlogs.  Hypercalls are issued without it.  A user and its
 * list of bindings belong to its session's thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#include <xenmm/proto.h>

#include "core/event_channel.h"
#include "private.h"

/* A 64-bit guest's 2-level ABI: xen_evtchn_nr_channels() in Linux. */
#define EVTCHN_NR_CHANNELS  4096u
/* The driver's UNRESTRICTED_DOMID. */
#define UNRESTRICTED        DOMID_INVALID

struct evtchn_bind {
    struct evtchn_bind *hnext;      /* hash chain (evtchn_lock) */
    struct evtchn_bind *unext;      /* the user's list */
    struct evtchn_user *u;
    domid_t domid;
    evtchn_port_t port;
    bool enabled;                   /* not delivered since the last unmask */
};

struct evtchn_user {
    struct evtchn_user *next;       /* the session's users */
    uint32_t id;
    int fd;                         /* our end of the notification socket */
    domid_t restrict_domid;
    struct evtchn_bind *binds;
    /* Ports not yet written to fd (evtchn_lock). */
    uint32_t *backlog;
    unsigned int nr_backlog, backlog_size;
};

static unsigned int bucket(domid_t domid, evtchn_port_t port)
{
    return ((uint32_t)domid * 31u + port) % EVTCHN_BIND_BUCKETS;
}

/* Under evtchn_lock. */
static struct evtchn_bind *find_bind(struct hv_server *srv, domid_t domid,
                                     evtchn_port_t port)
{
    struct evtchn_bind *b;

    for ( b = srv->evtchn_table[bucket(domid, port)]; b; b = b->hnext )
        if ( b->domid == domid && b->port == port )
            return b;
    return NULL;
}

/* Write what the backlog holds; under evtchn_lock. */
static void flush_backlog(struct evtchn_user *u)
{
    unsigned int done = 0;

    while ( done < u->nr_backlog )
    {
        ssize_t n = send(u->fd, &u->backlog[done], sizeof(uint32_t),
                         MSG_DONTWAIT | MSG_NOSIGNAL);

        if ( n != (ssize_t)sizeof(uint32_t) )
            break;                  /* full, or the reader is gone */
        done++;
    }
    if ( !done )
        return;
    memmove(u->backlog, u->backlog + done,
            (u->nr_backlog - done) * sizeof(uint32_t));
    u->nr_backlog -= done;
}

/* Queue port for u's reader; under evtchn_lock. */
static void queue_port(struct evtchn_user *u, evtchn_port_t port)
{
    uint32_t p = port;

    flush_backlog(u);
    if ( !u->nr_backlog )
    {
        if ( send(u->fd, &p, sizeof(p), MSG_DONTWAIT | MSG_NOSIGNAL) ==
             (ssize_t)sizeof(p) )
            return;
        if ( errno != EAGAIN && errno != EWOULDBLOCK )
            return;                 /* the reader is gone */
    }
    if ( u->nr_backlog == u->backlog_size )
    {
        unsigned int size = u->backlog_size ? 2 * u->backlog_size : 64;
        uint32_t *nb = realloc(u->backlog, size * sizeof(*nb));

        if ( !nb )
            return;                 /* as the driver's ring overflow */
        u->backlog = nb;
        u->backlog_size = size;
    }
    u->backlog[u->nr_backlog++] = p;
}

/*
 * Deliver b's port if it is pending: mask it, clear the pending bit, queue
 * it.  Under evtchn_lock; d is b's domain.
 */
static void deliver(struct evtchn_bind *b, struct domain *d)
{
    bool pending, masked;

    if ( !b->enabled || evtchn_guest_test(d, b->port, &pending, &masked) ||
         !pending )
        return;
    evtchn_guest_mask(d, b->port, true);
    evtchn_guest_clear_pending(d, b->port);
    b->enabled = false;
    queue_port(b->u, b->port);
}

/* Unmask b's port (the driver's enable) and deliver what is pending. */
static void enable(struct evtchn_bind *b, struct domain *d)
{
    b->enabled = true;
    evtchn_guest_mask(d, b->port, false);
    deliver(b, d);
}

/* The core's hook: port of d became pending while unmasked. */
static void evtchn_dev_notify(void *opaque, struct domain *d,
                              unsigned int port)
{
    struct hv_server *srv = opaque;
    struct evtchn_bind *b;

    pthread_mutex_lock(&srv->evtchn_lock);
    b = find_bind(srv, d->domain_id, port);
    /*
     * Not bound here (yet): the bind that is under way finds the port
     * pending when it enables it.  Bound but not enabled: delivered at the
     * unmask.
     */
    if ( b )
        deliver(b, d);
    pthread_mutex_unlock(&srv->evtchn_lock);
}

void evtchn_dev_init(struct hv_server *srv)
{
    pthread_mutex_init(&srv->evtchn_lock, NULL);
    memset(srv->evtchn_table, 0, sizeof(srv->evtchn_table));
    srv->next_evtchn_id = 1;
    srv->h->evtchn_notify_opaque = srv;
    srv->h->evtchn_notify = evtchn_dev_notify;
}

void evtchn_dev_fini(struct hv_server *srv)
{
    srv->h->evtchn_notify = NULL;
    pthread_mutex_destroy(&srv->evtchn_lock);
}

static struct evtchn_user *find_user(struct hv_session *s, uint32_t id)
{
    struct evtchn_user *u;

    for ( u = s->evtchn_users; u; u = u->next )
        if ( u->id == id )
            return u;
    return NULL;
}

static struct evtchn_bind *user_bind(struct evtchn_user *u, evtchn_port_t port)
{
    struct evtchn_bind *b;

    for ( b = u->binds; b; b = b->unext )
        if ( b->port == port )
            return b;
    return NULL;
}

static long close_port(struct hv_session *s, evtchn_port_t port)
{
    struct evtchn_close op = { .port = port };

    return hv_session_kernel_op(s, __HYPERVISOR_event_channel_op,
                                EVTCHNOP_close, &op, sizeof(op), 0);
}

/*
 * The driver's evtchn_bind_to_user: port (just allocated to s's domain)
 * becomes u's, enabled.  Returns port, or -errno after closing it.
 */
static long bind_to_user(struct hv_session *s, struct evtchn_user *u,
                         evtchn_port_t port)
{
    struct hv_server *srv = s->srv;
    struct evtchn_bind *b = calloc(1, sizeof(*b));
    unsigned int i;

    if ( !b || port >= EVTCHN_NR_CHANNELS )
    {
        free(b);
        close_port(s, port);
        return b ? -EINVAL : -ENOMEM;
    }
    b->u = u;
    b->domid = s->d->domain_id;
    b->port = port;
    pthread_mutex_lock(&srv->evtchn_lock);
    if ( find_bind(srv, b->domid, port) )
    {
        /* A port the core handed out twice: never, but not fatal here. */
        pthread_mutex_unlock(&srv->evtchn_lock);
        free(b);
        return -EEXIST;
    }
    i = bucket(b->domid, port);
    b->hnext = srv->evtchn_table[i];
    srv->evtchn_table[i] = b;
    b->unext = u->binds;
    u->binds = b;
    enable(b, s->d);
    pthread_mutex_unlock(&srv->evtchn_lock);
    return port;
}

/* Take b out of the table and u's list, then close its port. */
static void unbind(struct hv_session *s, struct evtchn_user *u,
                   struct evtchn_bind *b)
{
    struct hv_server *srv = s->srv;
    struct evtchn_bind **pp;
    evtchn_port_t port = b->port;

    pthread_mutex_lock(&srv->evtchn_lock);
    for ( pp = &srv->evtchn_table[bucket(b->domid, port)]; *pp;
          pp = &(*pp)->hnext )
        if ( *pp == b )
        {
            *pp = b->hnext;
            break;
        }
    pthread_mutex_unlock(&srv->evtchn_lock);
    for ( pp = &u->binds; *pp; pp = &(*pp)->unext )
        if ( *pp == b )
        {
            *pp = b->unext;
            break;
        }
    free(b);
    /* As the driver: the close's own failure is not the caller's. */
    close_port(s, port);
}

long hv_evtchn_open(struct hv_session *s, int *fd)
{
    struct evtchn_user *u = calloc(1, sizeof(*u));
    int sv[2];

    *fd = -1;
    if ( !u )
        return -ENOMEM;
    if ( socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) )
    {
        free(u);
        return -errno;
    }
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    u->fd = sv[0];
    u->restrict_domid = UNRESTRICTED;
    pthread_mutex_lock(&s->srv->lock);
    u->id = s->srv->next_evtchn_id++;
    pthread_mutex_unlock(&s->srv->lock);
    u->next = s->evtchn_users;
    s->evtchn_users = u;
    *fd = sv[1];
    return u->id;
}

static void user_close(struct hv_session *s, struct evtchn_user *u)
{
    struct evtchn_user **pp;

    while ( u->binds )
        unbind(s, u, u->binds);
    for ( pp = &s->evtchn_users; *pp; pp = &(*pp)->next )
        if ( *pp == u )
        {
            *pp = u->next;
            break;
        }
    pthread_mutex_lock(&s->srv->evtchn_lock);
    close(u->fd);
    free(u->backlog);
    pthread_mutex_unlock(&s->srv->evtchn_lock);
    free(u);
}

bool evtchn_dev_port_bound(struct hv_server *srv, domid_t domid,
                           evtchn_port_t port)
{
    bool bound;

    pthread_mutex_lock(&srv->evtchn_lock);
    bound = find_bind(srv, domid, port);
    pthread_mutex_unlock(&srv->evtchn_lock);
    return bound;
}

void evtchn_dev_session_close(struct hv_session *s)
{
    while ( s->evtchn_users )
        user_close(s, s->evtchn_users);
}

static long bind_unbound(struct hv_session *s, struct evtchn_user *u,
                         uint64_t remote)
{
    struct evtchn_alloc_unbound op = {
        .dom = DOMID_SELF, .remote_dom = (domid_t)remote,
    };
    long rc;

    if ( u->restrict_domid != UNRESTRICTED )
        return -EACCES;
    rc = hv_session_kernel_op(s, __HYPERVISOR_event_channel_op,
                              EVTCHNOP_alloc_unbound, &op, sizeof(op), 0);
    return rc ? rc : bind_to_user(s, u, op.port);
}

static long bind_interdomain(struct hv_session *s, struct evtchn_user *u,
                             uint64_t remote, uint64_t remote_port)
{
    struct evtchn_bind_interdomain op = {
        .remote_dom = (domid_t)remote, .remote_port = (evtchn_port_t)remote_port,
    };
    long rc;

    if ( u->restrict_domid != UNRESTRICTED && u->restrict_domid != remote )
        return -EACCES;
    rc = hv_session_kernel_op(s, __HYPERVISOR_event_channel_op,
                              EVTCHNOP_bind_interdomain, &op, sizeof(op), 0);
    return rc ? rc : bind_to_user(s, u, op.local_port);
}

static long bind_virq(struct hv_session *s, struct evtchn_user *u,
                      uint64_t virq)
{
    struct evtchn_bind_virq op = { .virq = (uint32_t)virq, .vcpu = 0 };
    long rc;

    if ( u->restrict_domid != UNRESTRICTED )
        return -EACCES;
    rc = hv_session_kernel_op(s, __HYPERVISOR_event_channel_op,
                              EVTCHNOP_bind_virq, &op, sizeof(op), 0);
    return rc ? rc : bind_to_user(s, u, op.port);
}

static long notify(struct hv_session *s, struct evtchn_user *u, uint64_t port)
{
    struct evtchn_send op = { .port = (evtchn_port_t)port };

    if ( port >= EVTCHN_NR_CHANNELS )
        return -EINVAL;
    if ( !user_bind(u, (evtchn_port_t)port) )
        return -ENOTCONN;
    /* notify_remote_via_evtchn: the send's result is not reported. */
    hv_session_kernel_op(s, __HYPERVISOR_event_channel_op, EVTCHNOP_send,
                         &op, sizeof(op), 0);
    return 0;
}

/* The driver's write(): unknown or enabled ports are ignored. */
static long unmask(struct hv_session *s, struct evtchn_user *u, uint64_t port)
{
    struct evtchn_bind *b;

    if ( port >= EVTCHN_NR_CHANNELS )
        return 0;
    b = user_bind(u, (evtchn_port_t)port);
    if ( !b )
        return 0;
    pthread_mutex_lock(&s->srv->evtchn_lock);
    if ( !b->enabled )
        enable(b, s->d);
    pthread_mutex_unlock(&s->srv->evtchn_lock);
    return 0;
}

static long restrict_domid(struct evtchn_user *u, uint64_t domid)
{
    if ( u->restrict_domid != UNRESTRICTED )
        return -EACCES;
    if ( domid == 0 || domid >= DOMID_FIRST_RESERVED )
        return -EINVAL;
    u->restrict_domid = (domid_t)domid;
    return 0;
}

long hv_evtchn_op(struct hv_session *s, uint32_t id, uint32_t cmd,
                  uint64_t a, uint64_t b)
{
    struct evtchn_user *u = find_user(s, id);
    struct evtchn_bind *bd;

    if ( !u )
        return -EBADF;
    pthread_mutex_lock(&s->srv->evtchn_lock);
    flush_backlog(u);
    pthread_mutex_unlock(&s->srv->evtchn_lock);

    switch ( cmd )
    {
    case XMM_EVTCHN_BIND_UNBOUND:
        return bind_unbound(s, u, a);
    case XMM_EVTCHN_BIND_INTERDOMAIN:
        return bind_interdomain(s, u, a, b);
    case XMM_EVTCHN_BIND_VIRQ:
        return bind_virq(s, u, a);
    case XMM_EVTCHN_NOTIFY:
        return notify(s, u, a);
    case XMM_EVTCHN_UNBIND:
        if ( a >= EVTCHN_NR_CHANNELS )
            return -EINVAL;
        bd = user_bind(u, (evtchn_port_t)a);
        if ( !bd )
            return -ENOTCONN;
        unbind(s, u, bd);
        return 0;
    case XMM_EVTCHN_UNMASK:
        return unmask(s, u, a);
    case XMM_EVTCHN_CLOSE:
        user_close(s, u);
        return 0;
    case XMM_EVTCHN_RESTRICT:
        return restrict_domid(u, a);
    default:
        /* An ioctl the device does not know. */
        return -ENOSYS;
    }
}
