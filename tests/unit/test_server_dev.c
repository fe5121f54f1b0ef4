/*
 * The server's device emulations through hv_session_handle, as a
 * transport delivers requests: /dev/xen/evtchn (evtchn_dev.c) - handles,
 * binding, delivery on the notification socket, masking, the backlog when
 * that socket is full, cleanup when a session ends; gntdev's mappings
 * (gntdev.c) and their unmap notifications; dom0's xenbus port and page
 * (xenbus.c); and malformed requests.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/sys/gntdev.h>

#include <xenmm/proto.h>

#include "core/grant_table.h"
#include "harness/test.h"
#include "server/private.h"
#include "testguest.h"
#include "testhost.h"
#include "testpod.h"
#include "wire/wire.h"

#define ARENA_BASE  0x7e0000000000ULL
#define ARENA_SIZE  (64UL << 10)

struct sess {
    struct hv_session *s;
    uint8_t *arena;
};

/* An HVM guest with ports (new_hvm_domain's has none but port 0). */
static struct domain *guest(struct hv_server *srv, domid_t id)
{
    struct xen_domctl_createdomain cfg = {
        .flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap,
        .max_vcpus = 1,
        .max_evtchn_port = 1023,
        .max_grant_frames = -1,
        .max_maptrack_frames = -1,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
        /* As libxl's for an HVM guest: 4.17 refuses other sets. */
        .arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI,
    };
    int rc;
    struct domain *d = domain_create(hv_server_host(srv), id, &cfg, 0, &rc);

    REQUIRE(d && rc == 0);
    REQUIRE(vcpu_create(d, 0) == 0);
    d->max_pages = 100;
    return d;
}

static struct hv_server *server(void)
{
    char err[256] = "";
    struct hv_server *srv = hv_server_create("tiny", NULL, err, sizeof(err));

    if ( !srv )
        printf("#   hv_server_create: %s\n", err);
    REQUIRE(srv);
    return srv;
}

static void sess_open(struct sess *ss, struct hv_server *srv, uint32_t domid)
{
    int rc = -1;

    ss->arena = aligned_alloc(4096, ARENA_SIZE);
    REQUIRE(ss->arena);
    memset(ss->arena, 0, ARENA_SIZE);
    ss->s = hv_session_open(srv, domid, ARENA_BASE, ss->arena, ARENA_SIZE,
                            &rc);
    REQUIRE(ss->s && rc == 0);
}

static void sess_close(struct sess *ss)
{
    hv_session_close(ss->s);
    free(ss->arena);
    ss->s = NULL;
}

/* One request: the reply's result; *fd a descriptor passed back (or -1). */
static int64_t request(struct sess *ss, unsigned int type, void *msg,
                       size_t len, void *reply, size_t reply_len, int *fd)
{
    uint8_t buf[XMM_MSG_MAX];
    size_t got = 0;
    int out_fd = -1;

    xmm_fill_hdr(msg, type, len, 1);
    REQUIRE(hv_session_handle(ss->s, msg, len, buf, &got, &out_fd) == 0);
    REQUIRE(got <= reply_len || !reply);
    if ( reply )
        memcpy(reply, buf, got);
    if ( fd )
        *fd = out_fd;
    else if ( out_fd >= 0 )
        close(out_fd);
    return ((struct xmm_reply *)buf)->result;
}

static int64_t ev_open(struct sess *ss, int *fd)
{
    struct xmm_hdr m;

    return request(ss, XMM_EVTCHN_OPEN, &m, sizeof(m), NULL, 0, fd);
}

static int64_t ev_op(struct sess *ss, int64_t id, uint32_t cmd, uint64_t a,
                     uint64_t b)
{
    struct xmm_evtchn_op m = { .handle = (uint32_t)id, .cmd = cmd,
                               .a = a, .b = b };

    return request(ss, XMM_EVTCHN_OP, &m, sizeof(m), NULL, 0, NULL);
}

/* The next port on fd within ms, or -1. */
static int64_t next_port(int fd, int ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    uint32_t port;

    if ( poll(&p, 1, ms) != 1 || read(fd, &port, sizeof(port)) != 4 )
        return -1;
    return port;
}

/* EVTCHNOP_status of dom0's port, as dom0's kernel. */
static uint32_t port_state(struct sess *ss, evtchn_port_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    REQUIRE(hv_session_kernel_op(ss->s, __HYPERVISOR_event_channel_op,
                                 EVTCHNOP_status, &st, sizeof(st), 0) == 0);
    return st.status;
}

TEST(server_evtchn_bind_deliver_mask)
{
    struct hv_server *srv = server();
    struct sess a, b;
    int fa = -1, fb = -1;
    int64_t ha, hb, pa, pb;

    sess_open(&a, srv, 0);
    sess_open(&b, srv, 0);
    ha = ev_open(&a, &fa);
    hb = ev_open(&b, &fb);
    CHECK_EQ(ha, 1);
    CHECK_EQ(hb, 2);
    REQUIRE(fa >= 0 && fb >= 0);
    CHECK(fcntl(fa, F_GETFD) & FD_CLOEXEC);
    /* Blocking for the reader, as the device. */
    CHECK_EQ(fcntl(fa, F_GETFL) & O_NONBLOCK, 0);

    pa = ev_op(&a, ha, XMM_EVTCHN_BIND_UNBOUND, 0, 0);
    REQUIRE(pa > 0);
    CHECK_EQ(port_state(&a, pa), EVTCHNSTAT_unbound);
    pb = ev_op(&b, hb, XMM_EVTCHN_BIND_INTERDOMAIN, 0, pa);
    REQUIRE(pb > 0);
    CHECK_EQ(port_state(&a, pa), EVTCHNSTAT_interdomain);
    /* The bind's own event, then masked until the unmask. */
    CHECK_EQ(next_port(fb, 0), pb);
    CHECK_EQ(ev_op(&a, ha, XMM_EVTCHN_NOTIFY, pa, 0), 0);
    CHECK_EQ(next_port(fb, 0), -1);
    CHECK_EQ(ev_op(&b, hb, XMM_EVTCHN_UNMASK, pb, 0), 0);
    CHECK_EQ(next_port(fb, 0), pb);
    CHECK_EQ(ev_op(&b, hb, XMM_EVTCHN_UNMASK, pb, 0), 0);
    CHECK_EQ(next_port(fb, 0), -1);
    CHECK_EQ(ev_op(&b, hb, XMM_EVTCHN_NOTIFY, pb, 0), 0);
    CHECK_EQ(next_port(fa, 0), pa);

    /* A handle is its session's only. */
    CHECK_EQ(ev_op(&a, hb, XMM_EVTCHN_NOTIFY, pb, 0), -EBADF);
    CHECK_EQ(ev_op(&a, 77, XMM_EVTCHN_NOTIFY, pa, 0), -EBADF);
    CHECK_EQ(ev_op(&a, ha, 99, 0, 0), -ENOSYS);
    CHECK_EQ(ev_op(&a, ha, XMM_EVTCHN_NOTIFY, pb, 0), -ENOTCONN);
    CHECK_EQ(ev_op(&a, ha, XMM_EVTCHN_UNBIND, 4096, 0), -EINVAL);

    /* b's session ends: its port is closed, a's unbound again. */
    sess_close(&b);
    CHECK_EQ(port_state(&a, pb), EVTCHNSTAT_closed);
    CHECK_EQ(port_state(&a, pa), EVTCHNSTAT_unbound);
    CHECK_EQ(next_port(fb, 0), -1);
    close(fb);
    /* XMM_EVTCHN_CLOSE: the handle and its ports go. */
    CHECK_EQ(ev_op(&a, ha, XMM_EVTCHN_CLOSE, 0, 0), 0);
    CHECK_EQ(port_state(&a, pa), EVTCHNSTAT_closed);
    CHECK_EQ(ev_op(&a, ha, XMM_EVTCHN_NOTIFY, pa, 0), -EBADF);
    /* Our end is closed with it. */
    CHECK_EQ(read(fa, &pa, 4), 0);
    close(fa);
    sess_close(&a);
    hv_server_destroy(srv);
}

/*
 * Many deliveries nobody reads: once the socket is full the rest wait in
 * the backlog and come out with the next operation, each exactly once.
 */
TEST(server_evtchn_backlog)
{
    enum { NR = 1500 };
    struct hv_server *srv = server();
    static uint8_t seen[4096];
    struct sess a, b;
    int fa = -1, fb = -1;
    int64_t ha, hb;
    unsigned int got = 0, rounds = 0;

    sess_open(&a, srv, 0);
    sess_open(&b, srv, 0);
    ha = ev_open(&a, &fa);
    hb = ev_open(&b, &fb);
    memset(seen, 0, sizeof(seen));
    for ( unsigned int i = 0; i < NR; i++ )
    {
        int64_t pa = ev_op(&a, ha, XMM_EVTCHN_BIND_UNBOUND, 0, 0);
        int64_t pb = ev_op(&b, hb, XMM_EVTCHN_BIND_INTERDOMAIN, 0, pa);

        REQUIRE(pa > 0 && pb > 0 && pb < 4096);
        seen[pb] = 1;           /* expected */
    }
    while ( got < NR && rounds < 100 )
    {
        int64_t p;

        while ( (p = next_port(fb, 0)) >= 0 )
        {
            CHECK_EQ(seen[p], 1);
            seen[p] = 2;
            got++;
        }
        /* Any operation flushes the backlog into the drained socket. */
        CHECK_EQ(ev_op(&b, hb, XMM_EVTCHN_UNMASK, 0, 0), 0);
        rounds++;
    }
    CHECK_EQ(got, NR);
    CHECK(rounds > 1);          /* the socket did fill */
    close(fa);
    close(fb);
    sess_close(&a);
    sess_close(&b);
    hv_server_destroy(srv);
}

TEST(server_evtchn_guest_session)
{
    struct hv_server *srv = server();
    struct domain *g = guest(srv, 1);
    struct sess d0, gs;
    int f0 = -1, fg = -1;
    int64_t h0, hg, gp, lp;

    (void)g;
    sess_open(&d0, srv, 0);
    sess_open(&gs, srv, 1);            /* a client acting as the guest */
    h0 = ev_open(&d0, &f0);
    hg = ev_open(&gs, &fg);
    gp = ev_op(&gs, hg, XMM_EVTCHN_BIND_UNBOUND, 0, 0);
    REQUIRE(gp > 0);
    lp = ev_op(&d0, h0, XMM_EVTCHN_BIND_INTERDOMAIN, 1, gp);
    REQUIRE(lp > 0);
    CHECK_EQ(next_port(f0, 0), lp);
    CHECK_EQ(ev_op(&d0, h0, XMM_EVTCHN_UNMASK, lp, 0), 0);
    CHECK_EQ(ev_op(&gs, hg, XMM_EVTCHN_NOTIFY, gp, 0), 0);
    CHECK_EQ(next_port(f0, 0), lp);
    CHECK_EQ(ev_op(&d0, h0, XMM_EVTCHN_NOTIFY, lp, 0), 0);
    CHECK_EQ(next_port(fg, 0), gp);
    /* Restricted to the guest: only binds towards it. */
    CHECK_EQ(ev_op(&d0, h0, XMM_EVTCHN_RESTRICT, 1, 0), 0);
    CHECK_EQ(ev_op(&d0, h0, XMM_EVTCHN_RESTRICT, 1, 0), -EACCES);
    CHECK_EQ(ev_op(&d0, h0, XMM_EVTCHN_BIND_UNBOUND, 1, 0), -EACCES);
    CHECK_EQ(ev_op(&d0, h0, XMM_EVTCHN_BIND_VIRQ, VIRQ_DOM_EXC, 0), -EACCES);
    CHECK_EQ(ev_op(&d0, h0, XMM_EVTCHN_BIND_INTERDOMAIN, 2, 1), -EACCES);
    close(f0);
    close(fg);
    sess_close(&gs);
    sess_close(&d0);
    hv_server_destroy(srv);
}

/* A populated page of the HVM guest d at gfn, granted as ref. */
static uint8_t *grant_page(struct hv_server *srv, struct domain *d,
                           unsigned long gfn, grant_ref_t ref, uint16_t flags)
{
    struct host *h = hv_server_host(srv);
    struct garena ga;
    struct caller c0;
    xen_pfn_t l[1] = { gfn };
    grant_entry_v1_t *e;
    mfn_t mfn;

    garena_init(&ga, 1 << 16);
    caller_init(&c0, h->hardware_domain, &ga.ga);
    REQUIRE(memop_resv(&c0, &ga, true, XENMEM_populate_physmap, d->domain_id,
                       l, 1, 0, 0) == 1);
    garena_free(&ga);
    REQUIRE(gnttab_get_shared_frame_mfn(d, ref / SHGNT_PER_PAGE_V1, &mfn) == 0);
    e = (grant_entry_v1_t *)mfn_to_virt(h, mfn) + ref % SHGNT_PER_PAGE_V1;
    e->domid = 0;
    e->frame = (uint32_t)gfn;
    __atomic_store_n(&e->flags, flags, __ATOMIC_SEQ_CST);
    return mfn_to_virt(h, gfn_mfn(d, gfn));
}

static uint16_t grant_flags(struct domain *d, grant_ref_t ref)
{
    grant_entry_v1_t e;

    REQUIRE(gnttab_get_entry_v1(d, ref, &e) == 0);
    return e.flags;
}

static int64_t gmap(struct sess *ss, uint32_t domid, uint32_t ref,
                    uint32_t ro, uint32_t nflags, uint32_t noff,
                    uint32_t nport, struct xmm_gnttab_map_reply *r)
{
    struct xmm_gnttab_map m = {
        .domid = domid, .ref = ref, .readonly = ro, .notify_flags = nflags,
        .notify_offset = noff, .notify_port = nport,
    };

    return request(ss, XMM_GNTTAB_MAP, &m, sizeof(m), r, sizeof(*r), NULL);
}

static int64_t gunmap(struct sess *ss, uint64_t handle)
{
    struct xmm_gnttab_unmap m = { .handle = handle };

    return request(ss, XMM_GNTTAB_UNMAP, &m, sizeof(m), NULL, 0, NULL);
}

TEST(server_gntdev_map_unmap)
{
    struct hv_server *srv = server();
    struct host *h = hv_server_host(srv);
    struct domain *g = guest(srv, 1);
    struct xmm_gnttab_map_reply r;
    struct sess s;
    uint8_t *page = grant_page(srv, g, 0x10, 5, GTF_permit_access);

    grant_page(srv, g, 0x11, 6, GTF_permit_access | GTF_readonly);
    sess_open(&s, srv, 0);
    page[0] = 0x3c;
    CHECK_EQ(gmap(&s, 1, 5, 0, 0, 0, 0, &r), 0);
    CHECK_EQ(r.status, GNTST_okay);
    CHECK_EQ(r.hdr.type, XMM_GNTTAB_MAP);
    CHECK_EQ(r.hdr.len, sizeof(r));
    CHECK_EQ(r.mfn, mfn_x(gfn_mfn(g, 0x10)));
    CHECK_EQ(*(uint8_t *)mfn_to_virt(h, _mfn(r.mfn)), 0x3c);
    CHECK_EQ(grant_flags(g, 5), GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ(gunmap(&s, r.handle + 1), -EINVAL);     /* not ours */
    CHECK_EQ(gunmap(&s, r.handle), 0);
    CHECK_EQ(grant_flags(g, 5), GTF_permit_access);
    CHECK_EQ(gunmap(&s, r.handle), -EINVAL);

    /* Xen's status comes back with -EINVAL. */
    CHECK_EQ(gmap(&s, 1, 6, 0, 0, 0, 0, &r), -EINVAL);
    CHECK_EQ(r.status, GNTST_general_error);
    CHECK_EQ(gmap(&s, 1, 100000, 1, 0, 0, 0, &r), -EINVAL);
    CHECK_EQ(r.status, GNTST_bad_gntref);
    CHECK_EQ(gmap(&s, 7, 5, 1, 0, 0, 0, &r), -EINVAL);
    CHECK_EQ(r.status, GNTST_bad_domain);
    CHECK_EQ(gmap(&s, DOMID_SELF, 5, 1, 0, 0, 0, &r), -EINVAL);
    CHECK_EQ(r.status, GNTST_okay);
    /* Notify arguments the device refuses. */
    CHECK_EQ(gmap(&s, 1, 6, 1, UNMAP_NOTIFY_CLEAR_BYTE, 0, 0, &r), -EINVAL);
    CHECK_EQ(gmap(&s, 1, 5, 0, UNMAP_NOTIFY_CLEAR_BYTE, 4096, 0, &r), -EINVAL);
    CHECK_EQ(gmap(&s, 1, 5, 0, 4, 0, 0, &r), -EINVAL);
    CHECK_EQ(gmap(&s, 1, 5, 0, UNMAP_NOTIFY_SEND_EVENT, 0, 9, &r), -EINVAL);
    CHECK_EQ(grant_flags(g, 5), GTF_permit_access);

    /* The session's end gives back what it still maps, notifying. */
    page[77] = 0xee;
    CHECK_EQ(gmap(&s, 1, 5, 0, UNMAP_NOTIFY_CLEAR_BYTE, 77, 0, &r), 0);
    CHECK_EQ(gmap(&s, 1, 6, 1, 0, 0, 0, &r), 0);
    CHECK_EQ(grant_flags(g, 6), GTF_permit_access | GTF_readonly | GTF_reading);
    CHECK_EQ(page[77], 0xee);
    sess_close(&s);
    CHECK_EQ(page[77], 0);
    CHECK_EQ(grant_flags(g, 5), GTF_permit_access);
    CHECK_EQ(grant_flags(g, 6), GTF_permit_access | GTF_readonly);
    hv_server_destroy(srv);
}

TEST(server_gntdev_notify_event)
{
    struct hv_server *srv = server();
    struct domain *g = guest(srv, 1);
    struct xmm_gnttab_map_reply r;
    struct sess s;
    int fd = -1;
    int64_t h, pa, pb;

    grant_page(srv, g, 0x10, 5, GTF_permit_access);
    sess_open(&s, srv, 0);
    h = ev_open(&s, &fd);
    pa = ev_op(&s, h, XMM_EVTCHN_BIND_UNBOUND, 0, 0);
    pb = ev_op(&s, h, XMM_EVTCHN_BIND_INTERDOMAIN, 0, pa);
    CHECK_EQ(next_port(fd, 0), pb);
    CHECK_EQ(ev_op(&s, h, XMM_EVTCHN_UNMASK, pb, 0), 0);
    CHECK_EQ(gmap(&s, 1, 5, 1, UNMAP_NOTIFY_SEND_EVENT, 0, pa, &r), 0);
    CHECK_EQ(next_port(fd, 0), -1);
    CHECK_EQ(gunmap(&s, r.handle), 0);
    CHECK_EQ(next_port(fd, 0), pb);
    close(fd);
    sess_close(&s);
    hv_server_destroy(srv);
}

TEST(server_xenbus_dom0)
{
    struct hv_server *srv = server();
    struct sess s, gs;
    struct xmm_hdr m;
    int fd = -1, fd2 = -1;
    int64_t port, again;
    uint8_t *page, *page2;

    guest(srv, 1);
    sess_open(&s, srv, 0);
    port = request(&s, XMM_XENBUS_DOM0, &m, sizeof(m), NULL, 0, &fd);
    REQUIRE(port > 0 && fd >= 0);
    CHECK_EQ(port_state(&s, port), EVTCHNSTAT_unbound);
    again = request(&s, XMM_XENBUS_DOM0, &m, sizeof(m), NULL, 0, &fd2);
    CHECK_EQ(again, port);
    /* One page, the same behind both descriptors. */
    CHECK_EQ(lseek(fd, 0, SEEK_END), 4096);
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    page2 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
    REQUIRE(page != MAP_FAILED && page2 != MAP_FAILED);
    page[5] = 9;
    CHECK_EQ(page2[5], 9);
    munmap(page, 4096);
    munmap(page2, 4096);
    close(fd);
    close(fd2);
    /* Closed behind our back: a new one. */
    {
        struct evtchn_close c = { .port = (evtchn_port_t)port };

        CHECK_EQ(hv_session_kernel_op(s.s, __HYPERVISOR_event_channel_op,
                                      EVTCHNOP_close, &c, sizeof(c), 0), 0);
    }
    again = request(&s, XMM_XENBUS_DOM0, &m, sizeof(m), NULL, 0, NULL);
    CHECK(again > 0);
    CHECK_EQ(port_state(&s, again), EVTCHNSTAT_unbound);
    /* Only dom0 has these files. */
    sess_open(&gs, srv, 1);
    CHECK_EQ(request(&gs, XMM_XENBUS_DOM0, &m, sizeof(m), NULL, 0, &fd), -ENOENT);
    CHECK_EQ(fd, -1);
    sess_close(&gs);
    sess_close(&s);
    hv_server_destroy(srv);
}

TEST(server_dev_malformed_requests)
{
    struct hv_server *srv = server();
    uint8_t msg[XMM_MSG_MAX], reply[XMM_MSG_MAX];
    size_t len = 0;
    int fd = -1;
    struct sess s;

    sess_open(&s, srv, 0);
    /* Each device request has one exact size. */
    static const unsigned int types[] = {
        XMM_GNTTAB_MAP, XMM_GNTTAB_UNMAP, XMM_EVTCHN_OPEN, XMM_EVTCHN_OP,
        XMM_XENBUS_DOM0,
    };
    for ( unsigned int i = 0; i < sizeof(types) / sizeof(types[0]); i++ )
    {
        memset(msg, 0, sizeof(msg));
        xmm_fill_hdr((struct xmm_hdr *)msg, types[i], 200, 1);
        CHECK_EQ(hv_session_handle(s.s, msg, 200, reply, &len, &fd), -EPROTO);
        CHECK_EQ(fd, -1);
    }
    sess_close(&s);
    hv_server_destroy(srv);
}
