/*
 * xenevtchn.c - the drop-in libxenevtchn.so.1: /dev/xen/evtchn served by
 * xenmm's hypervisor (src/server/evtchn_dev.c) instead of the kernel.
 *
 * An open handle is one XMM_EVTCHN_OPEN: the hypervisor keeps the device
 * state (bound ports, masking) and passes back the handle's notification
 * descriptor, a stream socket from which each pending port is read as a
 * uint32_t, as from the device.  xenevtchn_fd returns it: poll it for
 * POLLIN, then xenevtchn_pending reads one port (blocking, unless the
 * caller made the descriptor non-blocking), which stays masked until
 * xenevtchn_unmask.  The other calls are the device's ioctls, with its
 * errnos (ENOTCONN for a port the handle did not bind, EACCES after
 * xenevtchn_restrict, ...).
 *
 * The handle lives as long as the process's connection: a process's end
 * closes every port it bound, as closing the device does.
 *
 * xenevtchn_fdopen accepts the descriptor of a handle this process has
 * open (the same descriptor or a dup of it, matched by inode) and gives a
 * second handle on the same device state; closing either closes its
 * descriptor, the last one the state.  Any other descriptor gives a handle
 * whose calls fail with ENOTTY, as ioctls on a file that is not the
 * device.  A descriptor inherited across exec cannot be adopted: the
 * device state went with the old process's connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xenevtchn.h>

#include "client.h"

/* The device state behind one or more handles (one per XMM_EVTCHN_OPEN). */
struct evtchn_dev {
    struct evtchn_dev *next;
    struct xmm_client *cl;
    uint32_t id;
    dev_t st_dev;
    ino_t st_ino;
    unsigned int refs;
};

struct xenevtchn_handle {
    struct evtchn_dev *dev;         /* NULL: a descriptor we do not know */
    int fd;
};

static pthread_mutex_t devs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct evtchn_dev *devs;

static xenevtchn_handle *handle_new(struct evtchn_dev *dev, int fd)
{
    xenevtchn_handle *xce = calloc(1, sizeof(*xce));

    if ( !xce )
        return NULL;
    xce->dev = dev;
    xce->fd = fd;
    return xce;
}

/* One XMM_EVTCHN_OP: >= 0, or -1 with errno set. */
static long dev_op(xenevtchn_handle *xce, uint32_t cmd, uint64_t a,
                   uint64_t b)
{
    struct xmm_evtchn_op m;
    struct xmm_reply r;
    int rc;

    if ( !xce->dev )
    {
        errno = ENOTTY;
        return -1;
    }
    memset(&m, 0, sizeof(m));
    m.handle = xce->dev->id;
    m.cmd = cmd;
    m.a = a;
    m.b = b;
    rc = xmm_client_request(xce->dev->cl, XMM_EVTCHN_OP, &m, sizeof(m), &r,
                            sizeof(r), NULL);
    if ( rc || r.result < 0 )
    {
        errno = rc ? -rc : (int)-r.result;
        return -1;
    }
    return r.result;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger,
                                 unsigned int flags)
{
    struct evtchn_dev *dev;
    struct xmm_hdr m;
    struct xmm_reply r;
    struct stat st;
    xenevtchn_handle *xce;
    int rc, fd = -1;

    (void)logger;
    if ( flags & ~XENEVTCHN_NO_CLOEXEC )
    {
        errno = EINVAL;
        return NULL;
    }
    dev = calloc(1, sizeof(*dev));
    if ( !dev )
        return NULL;
    dev->cl = xmm_client_get("xenevtchn", &rc);
    if ( !dev->cl )
    {
        free(dev);
        errno = -rc;
        return NULL;
    }
    rc = xmm_client_request(dev->cl, XMM_EVTCHN_OPEN, &m, sizeof(m), &r,
                            sizeof(r), &fd);
    if ( !rc && r.result < 0 )
        rc = (int)r.result;
    if ( !rc && (fd < 0 || fstat(fd, &st)) )
        rc = -EPROTO;
    /* The descriptor arrives close-on-exec. */
    if ( !rc && (flags & XENEVTCHN_NO_CLOEXEC) &&
         fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) & ~FD_CLOEXEC) )
        rc = -errno;
    xce = rc ? NULL : handle_new(dev, fd);
    if ( !xce )
    {
        if ( fd >= 0 )
            close(fd);
        if ( !rc )
        {
            struct xmm_evtchn_op op = { .handle = (uint32_t)r.result,
                                        .cmd = XMM_EVTCHN_CLOSE };

            xmm_client_request(dev->cl, XMM_EVTCHN_OP, &op, sizeof(op), &r,
                               sizeof(r), NULL);
            rc = -ENOMEM;
        }
        xmm_client_put(dev->cl);
        free(dev);
        errno = -rc;
        return NULL;
    }
    dev->id = (uint32_t)r.result;
    dev->st_dev = st.st_dev;
    dev->st_ino = st.st_ino;
    dev->refs = 1;
    pthread_mutex_lock(&devs_lock);
    dev->next = devs;
    devs = dev;
    pthread_mutex_unlock(&devs_lock);
    return xce;
}

xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd,
                                   unsigned int flags)
{
    struct evtchn_dev *dev = NULL;
    struct stat st;
    xenevtchn_handle *xce;

    (void)logger;
    if ( flags )
    {
        errno = EINVAL;
        return NULL;
    }
    pthread_mutex_lock(&devs_lock);
    if ( !fstat(fd, &st) )
        for ( dev = devs; dev; dev = dev->next )
            if ( dev->st_dev == st.st_dev && dev->st_ino == st.st_ino )
                break;
    xce = handle_new(dev, fd);
    if ( xce && dev )
        dev->refs++;
    pthread_mutex_unlock(&devs_lock);
    return xce;
}

int xenevtchn_close(xenevtchn_handle *xce)
{
    struct evtchn_dev *dev, **pp;
    int rc;

    if ( !xce )
        return 0;
    dev = xce->dev;
    rc = xce->fd >= 0 ? close(xce->fd) : 0;
    if ( dev )
    {
        pthread_mutex_lock(&devs_lock);
        if ( --dev->refs )
            dev = NULL;
        else
            for ( pp = &devs; *pp; pp = &(*pp)->next )
                if ( *pp == dev )
                {
                    *pp = dev->next;
                    break;
                }
        pthread_mutex_unlock(&devs_lock);
    }
    if ( dev )
    {
        xce->dev = dev;
        dev_op(xce, XMM_EVTCHN_CLOSE, 0, 0);
        xmm_client_put(dev->cl);
        free(dev);
    }
    free(xce);
    return rc;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
    return xce->fd;
}

int xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid)
{
    return (int)dev_op(xce, XMM_EVTCHN_RESTRICT, domid, 0);
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
    return (int)dev_op(xce, XMM_EVTCHN_NOTIFY, port, 0);
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce,
                                                      uint32_t domid)
{
    return (xenevtchn_port_or_error_t)dev_op(xce, XMM_EVTCHN_BIND_UNBOUND,
                                             domid, 0);
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce,
                                                     uint32_t domid,
                                                     evtchn_port_t remote_port)
{
    return (xenevtchn_port_or_error_t)dev_op(xce, XMM_EVTCHN_BIND_INTERDOMAIN,
                                             domid, remote_port);
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce,
                                              unsigned int virq)
{
    return (xenevtchn_port_or_error_t)dev_op(xce, XMM_EVTCHN_BIND_VIRQ, virq,
                                             0);
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
    return (int)dev_op(xce, XMM_EVTCHN_UNBIND, port, 0);
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
    evtchn_port_t port;
    ssize_t n = read(xce->fd, &port, sizeof(port));

    if ( n == (ssize_t)sizeof(port) )
        return (xenevtchn_port_or_error_t)port;
    if ( n >= 0 )
        errno = n ? EIO : EPIPE;    /* short, or the hypervisor went away */
    return -1;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
    return dev_op(xce, XMM_EVTCHN_UNMASK, port, 0) < 0 ? -1 : 0;
}
