/*
 * xenbus.c - what dom0's kernel sets up for a xenstored running in dom0
 * (Linux drivers/xen/xenbus/xenbus_probe.c, xenstored_local_init): an
 * unbound event channel of dom0 towards dom0 and a page for the ring, shown
 * to user space as /proc/xen/xsd_port and /proc/xen/xsd_kva.  xenstored
 * binds the port with bind_interdomain(0, port) and mmaps the page.
 *
 * Both live as long as the server.  The port is allocated on first use
 * with EVTCHNOP_alloc_unbound as dom0, and again should it ever be found
 * closed (EVTCHNOP_status).  When a xenstored goes, its end is closed and
 * the port is unbound towards dom0 again, ready for the next one.  The
 * page is a memfd of one page; nobody but xenstored uses it here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#include "private.h"

void xenbus_init(struct hv_server *srv)
{
    pthread_mutex_init(&srv->xenbus_lock, NULL);
    srv->xenbus_port = 0;
    srv->xenbus_page_fd = -1;
}

void xenbus_fini(struct hv_server *srv)
{
    if ( srv->xenbus_page_fd >= 0 )
        close(srv->xenbus_page_fd);
    pthread_mutex_destroy(&srv->xenbus_lock);
}

/* Whether dom0's port is still there (not closed); under xenbus_lock. */
static bool port_alive(struct hv_session *s, evtchn_port_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    return !hv_session_kernel_op(s, __HYPERVISOR_event_channel_op,
                                 EVTCHNOP_status, &st, sizeof(st), 0) &&
           st.status != EVTCHNSTAT_closed;
}

long hv_xenbus_dom0(struct hv_session *s, int *fd)
{
    struct hv_server *srv = s->srv;
    long rc = 0;

    *fd = -1;
    if ( !is_hardware_domain(s->d) )
        return -ENOENT;
    pthread_mutex_lock(&srv->xenbus_lock);
    if ( srv->xenbus_page_fd < 0 )
    {
        int pfd = memfd_create("xenmm-xsd_kva", MFD_CLOEXEC);

        if ( pfd < 0 || ftruncate(pfd, PAGE_SIZE) )
        {
            rc = -errno;
            if ( pfd >= 0 )
                close(pfd);
            goto out;
        }
        srv->xenbus_page_fd = pfd;
    }
    if ( !srv->xenbus_port || !port_alive(s, srv->xenbus_port) )
    {
        struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = 0 };

        rc = hv_session_kernel_op(s, __HYPERVISOR_event_channel_op,
                                  EVTCHNOP_alloc_unbound, &op, sizeof(op), 0);
        if ( rc )
            goto out;
        srv->xenbus_port = op.port;
    }
    *fd = fcntl(srv->xenbus_page_fd, F_DUPFD_CLOEXEC, 0);
    rc = *fd < 0 ? -errno : (long)srv->xenbus_port;
 out:
    pthread_mutex_unlock(&srv->xenbus_lock);
    return rc;
}
