/*
 * libxenevtchn against the hypervisor's /dev/xen/evtchn: binding, delivery
 * through the pollable descriptor, masking until unmask, the device's
 * errnos, restrict, fdopen, and ports closed when a handle or a whole
 * client goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xen/event_channel.h>

#include "dropins.h"

/* Read every port pending on xce within ms; how many, the last in *port. */
static unsigned int drain(xenevtchn_handle *xce, int ms, int *port)
{
    unsigned int n = 0;

    while ( dt_readable(xenevtchn_fd(xce), ms) )
    {
        *port = xenevtchn_pending(xce);
        n++;
        ms = 0;
    }
    return n;
}

TEST(dropin_evtchn_loopback)
{
    xenevtchn_handle *a = xenevtchn_open(NULL, 0);
    xenevtchn_handle *b = xenevtchn_open(NULL, 0);
    int pa, pb, port = -1;

    REQUIRE(a && b);
    CHECK(xenevtchn_fd(a) != xenevtchn_fd(b));
    CHECK(fcntl(xenevtchn_fd(a), F_GETFD) & FD_CLOEXEC);
    pa = xenevtchn_bind_unbound_port(a, 0);
    REQUIRE(pa > 0);
    CHECK_EQ(dt_port_state(0, pa), EVTCHNSTAT_unbound);
    CHECK(!dt_readable(xenevtchn_fd(a), 0));

    /* Xen marks a freshly bound interdomain port pending. */
    pb = xenevtchn_bind_interdomain(b, 0, pa);
    REQUIRE(pb > 0);
    CHECK(pb != pa);
    CHECK_EQ(dt_port_state(0, pa), EVTCHNSTAT_interdomain);
    CHECK_EQ(dt_port_state(0, pb), EVTCHNSTAT_interdomain);
    CHECK_EQ(drain(b, 1000, &port), 1);
    CHECK_EQ(port, pb);
    CHECK_EQ(xenevtchn_unmask(b, pb), 0);

    /* a -> b and b -> a. */
    CHECK_EQ(xenevtchn_notify(a, pa), 0);
    CHECK_EQ(drain(b, 1000, &port), 1);
    CHECK_EQ(port, pb);
    CHECK_EQ(xenevtchn_notify(b, pb), 0);
    CHECK_EQ(drain(a, 1000, &port), 1);
    CHECK_EQ(port, pa);

    /* Delivered means masked: more events wait for the unmask, as one. */
    CHECK_EQ(xenevtchn_notify(b, pb), 0);
    CHECK_EQ(xenevtchn_notify(b, pb), 0);
    CHECK_EQ(drain(a, 50, &port), 0);
    CHECK_EQ(xenevtchn_unmask(a, pa), 0);
    CHECK_EQ(drain(a, 1000, &port), 1);
    CHECK_EQ(port, pa);
    CHECK_EQ(xenevtchn_unmask(a, pa), 0);
    CHECK_EQ(drain(a, 50, &port), 0);
    /* Unmasking an enabled or foreign port does nothing, as write() does. */
    CHECK_EQ(xenevtchn_unmask(a, pa), 0);
    CHECK_EQ(xenevtchn_unmask(a, pb), 0);
    CHECK_EQ(xenevtchn_unmask(a, 100000), 0);

    /* The device's errors. */
    errno = 0;
    CHECK_EQ(xenevtchn_notify(a, pb), -1);
    CHECK_EQ(errno, ENOTCONN);
    CHECK_EQ(xenevtchn_notify(a, 4096), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xenevtchn_unbind(a, pb), -1);
    CHECK_EQ(errno, ENOTCONN);
    CHECK_EQ(xenevtchn_unbind(a, 5000), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xenevtchn_bind_interdomain(a, 0, pa), -1);    /* not unbound */
    CHECK_EQ(errno, EINVAL);
    /* Xen does not look the remote domain up: it may come later. */
    {
        int p = xenevtchn_bind_unbound_port(a, 4321);
        xc_evtchn_status_t st = { .dom = 0, .port = p };

        REQUIRE(p > 0);
        CHECK_EQ(xc_evtchn_status(dt_xch(), &st), 0);
        CHECK_EQ(st.status, EVTCHNSTAT_unbound);
        CHECK_EQ(st.u.unbound.dom, 4321);
        CHECK_EQ(xenevtchn_unbind(a, p), 0);
    }

    /* Unbinding b's end leaves a's unbound towards dom0 again. */
    CHECK_EQ(xenevtchn_unbind(b, pb), 0);
    CHECK_EQ(dt_port_state(0, pb), EVTCHNSTAT_closed);
    CHECK_EQ(dt_port_state(0, pa), EVTCHNSTAT_unbound);
    /* Closing a handle closes what it bound. */
    CHECK_EQ(xenevtchn_close(a), 0);
    CHECK_EQ(dt_port_state(0, pa), EVTCHNSTAT_closed);
    CHECK_EQ(xenevtchn_close(b), 0);
    CHECK_EQ(xenevtchn_close(NULL), 0);
}

TEST(dropin_evtchn_guest_and_restrict)
{
    xenevtchn_handle *xce = xenevtchn_open(NULL, XENEVTCHN_NO_CLOEXEC);
    uint32_t g = dt_new_guest(1, NULL, 0), other = dt_new_guest(1, NULL, 0);
    int gport, lport, port = -1;

    REQUIRE(xce);
    CHECK_EQ(fcntl(xenevtchn_fd(xce), F_GETFD) & FD_CLOEXEC, 0);
    CHECK(xenevtchn_open(NULL, 2) == NULL);
    CHECK_EQ(errno, EINVAL);
    gport = xc_evtchn_alloc_unbound(dt_xch(), g, 0);
    REQUIRE(gport > 0);

    errno = 0;
    CHECK_EQ(xenevtchn_restrict(xce, 0), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xenevtchn_restrict(xce, DOMID_FIRST_RESERVED), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xenevtchn_restrict(xce, g), 0);
    CHECK_EQ(xenevtchn_restrict(xce, g), -1);
    CHECK_EQ(errno, EACCES);
    CHECK_EQ(xenevtchn_bind_unbound_port(xce, g), -1);
    CHECK_EQ(errno, EACCES);
    CHECK_EQ(xenevtchn_bind_virq(xce, VIRQ_DOM_EXC), -1);
    CHECK_EQ(errno, EACCES);
    CHECK_EQ(xenevtchn_bind_interdomain(xce, other, 1), -1);
    CHECK_EQ(errno, EACCES);

    lport = xenevtchn_bind_interdomain(xce, g, gport);
    REQUIRE(lport > 0);
    CHECK_EQ(drain(xce, 1000, &port), 1);
    CHECK_EQ(port, lport);
    CHECK_EQ(xenevtchn_unmask(xce, lport), 0);
    CHECK_EQ(dt_port_state(g, gport), EVTCHNSTAT_interdomain);
    CHECK_EQ(xenevtchn_notify(xce, lport), 0);

    /* The guest goes: its end closes, ours stays bound until unbound. */
    dt_destroy(g);
    CHECK_EQ(dt_port_state(0, lport), EVTCHNSTAT_unbound);
    CHECK_EQ(xenevtchn_close(xce), 0);
    CHECK_EQ(dt_port_state(0, lport), EVTCHNSTAT_closed);
    dt_destroy(other);
}

TEST(dropin_evtchn_virq_dom_exc)
{
    xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
    uint32_t g;
    int v, port = -1;

    REQUIRE(xce);
    v = xenevtchn_bind_virq(xce, VIRQ_DOM_EXC);
    REQUIRE(v > 0);
    CHECK_EQ(dt_port_state(0, v), EVTCHNSTAT_virq);
    /* Bound once per domain. */
    errno = 0;
    CHECK_EQ(xenevtchn_bind_virq(xce, VIRQ_DOM_EXC), -1);
    CHECK_EQ(errno, EEXIST);
    CHECK_EQ(drain(xce, 50, &port), 0);

    g = dt_new_guest(1, NULL, 0);
    CHECK_EQ(drain(xce, 50, &port), 0);
    dt_destroy(g);
    CHECK_EQ(drain(xce, 1000, &port), 1);
    CHECK_EQ(port, v);
    /* The kill and the final destroy each raise it: one more at unmask. */
    CHECK_EQ(xenevtchn_unmask(xce, v), 0);
    CHECK_EQ(drain(xce, 1000, &port), 1);
    CHECK_EQ(port, v);
    CHECK_EQ(xenevtchn_unmask(xce, v), 0);
    CHECK_EQ(drain(xce, 50, &port), 0);

    CHECK_EQ(xenevtchn_unbind(xce, v), 0);
    CHECK_EQ(dt_port_state(0, v), EVTCHNSTAT_closed);
    /* Free again for the next binder. */
    v = xenevtchn_bind_virq(xce, VIRQ_DOM_EXC);
    CHECK(v > 0);
    xenevtchn_close(xce);
}

TEST(dropin_evtchn_fdopen)
{
    xenevtchn_handle *xce = xenevtchn_open(NULL, 0), *again, *alien;
    int p, dupfd, pipefd[2], port = -1;

    REQUIRE(xce);
    p = xenevtchn_bind_unbound_port(xce, 0);
    REQUIRE(p > 0);
    /* A dup of the descriptor reaches the same device state. */
    dupfd = dup(xenevtchn_fd(xce));
    again = xenevtchn_fdopen(NULL, dupfd, 0);
    REQUIRE(again);
    CHECK_EQ(xenevtchn_fd(again), dupfd);
    CHECK(xenevtchn_fdopen(NULL, dupfd, 1) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xenevtchn_notify(again, p), 0);       /* its port */
    CHECK_EQ(xenevtchn_close(xce), 0);             /* not the last */
    CHECK_EQ(dt_port_state(0, p), EVTCHNSTAT_unbound);
    CHECK_EQ(drain(again, 50, &port), 0);
    CHECK_EQ(xenevtchn_unbind(again, p), 0);
    CHECK_EQ(dt_port_state(0, p), EVTCHNSTAT_closed);
    CHECK_EQ(xenevtchn_close(again), 0);

    /* Anything else is not the device: ioctls fail with ENOTTY. */
    REQUIRE(pipe(pipefd) == 0);
    alien = xenevtchn_fdopen(NULL, pipefd[0], 0);
    REQUIRE(alien);
    errno = 0;
    CHECK_EQ(xenevtchn_bind_unbound_port(alien, 0), -1);
    CHECK_EQ(errno, ENOTTY);
    CHECK_EQ(xenevtchn_close(alien), 0);
    close(pipefd[1]);
}

TEST(dropin_evtchn_dead_client)
{
    char out[32];
    int port;

    if ( !dt_daemon_mode() )
        return;                     /* a child has no connection of its own */
    CHECK_EQ(dt_run_child("evtchn-bind", "0", out, sizeof(out)), 0);
    port = atoi(out);
    REQUIRE(port > 0);
    /* xenmmd closes the dead client's ports as its session ends. */
    CHECK(DT_WAIT(dt_port_state(0, port) == EVTCHNSTAT_closed, 2000));
}
