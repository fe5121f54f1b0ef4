/*
 * xs_introduce.c - xenmm-xs-introduce: introduce a guest to Debian's
 * xenstored running on xenmmd, as libxl does after the domain builder, and
 * talk to xenstored over the guest's ring.  Run by tests/cli/xenstored.sh
 * with $XENMM_SOCKET and $XENSTORED_RUNDIR set; prints TAP.
 *
 * The guest is seeded as libxenguest's xc_dom_gnttab_seed leaves it: a
 * ring page at STORE_PFN, HVM_PARAM_STORE_EVTCHN an unbound port towards
 * dom0, and grant entry GNTTAB_RESERVED_XENSTORE = { permit_access, dom0,
 * ring gfn }.  The guest's side of the ring is played by this program
 * through a foreign mapping of the page, and its event sends by a child
 * acting as the guest (XENMM_DOMID).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xencall.h>
#include <xenctrl.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/params.h>
#include <xen/io/xs_wire.h>

#include "harness/test.h"

#define RING_GFN  0xfeffcUL
#define SEND_ENV  "XENMM_XS_CHILD_SEND"

static xc_interface *xch;
static xenforeignmemory_handle *fmem;
static struct xs_handle *xsh;
static uint32_t domid;
static int gport;
static struct xenstore_domain_interface *ring;

/* The child: send an event on port as the guest (XENMM_DOMID), then exit. */
__attribute__((constructor)) static void child_send(void)
{
    const char *port = getenv(SEND_ENV);
    xencall_handle *xcall;
    evtchn_send_t *op;

    if ( !port )
        return;
    xcall = xencall_open(NULL, 0);
    op = xcall ? xencall_alloc_buffer(xcall, sizeof(*op)) : NULL;
    if ( !op )
        _exit(2);
    op->port = (evtchn_port_t)atoi(port);
    _exit(xencall2(xcall, __HYPERVISOR_event_channel_op, EVTCHNOP_send,
                   (uint64_t)(uintptr_t)op) ? 1 : 0);
}

/* Run the child as domid: its exit status. */
static int guest_send(void)
{
    char dom[16], port[16];
    int status = -1;
    pid_t pid;

    snprintf(dom, sizeof(dom), "%u", domid);
    snprintf(port, sizeof(port), "%d", gport);
    fflush(stdout);
    pid = fork();
    if ( pid == 0 )
    {
        setenv("XENMM_DOMID", dom, 1);
        setenv(SEND_ENV, port, 1);
        execl("/proc/self/exe", "xs-introduce-guest", (char *)NULL);
        _exit(127);
    }
    if ( pid > 0 )
        waitpid(pid, &status, 0);
    return status;
}

/* Next watch event within ms: its path (static), or NULL. */
static const char *next_watch(int ms)
{
    static char path[256];
    struct pollfd p = { .fd = xs_fileno(xsh), .events = POLLIN };

    for ( ; ; )
    {
        char **w = xs_check_watch(xsh);

        if ( w )
        {
            snprintf(path, sizeof(path), "%s", w[XS_WATCH_PATH]);
            free(w);
            return path;
        }
        if ( errno != EAGAIN || poll(&p, 1, ms) != 1 )
            return NULL;
    }
}

static uint16_t grant_flags(uint32_t dom, uint32_t ref)
{
    void *addr = NULL;
    xenforeignmemory_resource_handle *fres =
        xenforeignmemory_map_resource(fmem, dom, XENMEM_resource_grant_table,
                                      XENMEM_resource_grant_table_id_shared,
                                      0, 1, &addr, PROT_READ | PROT_WRITE, 0);
    uint16_t flags;

    if ( !fres )
        return 0xffff;
    flags = ((grant_entry_v1_t *)addr)[ref].flags;
    xenforeignmemory_unmap_resource(fmem, fres);
    return flags;
}

TEST(xs_seed_guest)
{
    struct xen_domctl_createdomain cfg = {
        .flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap,
        .max_vcpus = 1,
        .max_evtchn_port = 1023,
        .max_grant_frames = 4,
        .max_maptrack_frames = 1024,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
        .arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI,
    };
    xen_pfn_t gfn = RING_GFN;
    void *addr = NULL;
    xenforeignmemory_resource_handle *fres;
    grant_entry_v1_t *gnttab;

    xch = xc_interface_open(NULL, NULL, 0);
    fmem = xenforeignmemory_open(NULL, 0);
    xsh = xs_open(0);
    REQUIRE(xch && fmem && xsh);
    REQUIRE(xc_domain_create(xch, &domid, &cfg) == 0);
    REQUIRE(xc_domain_max_vcpus(xch, domid, 1) == 0);
    REQUIRE(xc_domain_setmaxmem(xch, domid, 16 * 1024) == 0);
    REQUIRE(xc_domain_populate_physmap_exact(xch, domid, 1, 0, 0, &gfn) == 0);
    gport = xc_evtchn_alloc_unbound(xch, domid, 0);
    REQUIRE(gport > 0);
    CHECK_EQ(xc_hvm_param_set(xch, domid, HVM_PARAM_STORE_PFN, RING_GFN), 0);
    CHECK_EQ(xc_hvm_param_set(xch, domid, HVM_PARAM_STORE_EVTCHN, gport), 0);

    /* xc_dom_gnttab_seed: the xenstore entry of grant frame 0. */
    fres = xenforeignmemory_map_resource(fmem, domid,
                                         XENMEM_resource_grant_table,
                                         XENMEM_resource_grant_table_id_shared,
                                         0, 1, &addr,
                                         PROT_READ | PROT_WRITE, 0);
    REQUIRE(fres);
    gnttab = addr;
    gnttab[GNTTAB_RESERVED_XENSTORE].domid = 0;
    gnttab[GNTTAB_RESERVED_XENSTORE].frame = RING_GFN;
    __atomic_store_n(&gnttab[GNTTAB_RESERVED_XENSTORE].flags,
                     GTF_permit_access, __ATOMIC_RELEASE);
    xenforeignmemory_unmap_resource(fmem, fres);

    ring = xenforeignmemory_map(fmem, domid, PROT_READ | PROT_WRITE, 1, &gfn,
                                NULL);
    REQUIRE(ring);
    CHECK_EQ(ring->connection, 0);
    printf("# guest d%u: ring gfn %#lx, port %d\n", domid, RING_GFN, gport);
}

TEST(xs_introduce_domain)
{
    const char *w;

    REQUIRE(ring);
    REQUIRE(xs_watch(xsh, "@introduceDomain", "intro"));
    REQUIRE(xs_watch(xsh, "@releaseDomain", "release"));
    /* A new watch fires once at once. */
    CHECK_STR(next_watch(2000), "@introduceDomain");
    CHECK_STR(next_watch(2000), "@releaseDomain");
    CHECK(!xs_is_domain_introduced(xsh, domid));

    CHECK(xs_introduce_domain(xsh, domid, RING_GFN, gport));
    w = next_watch(2000);
    CHECK_STR(w, "@introduceDomain");
    CHECK(xs_is_domain_introduced(xsh, domid));
    /* xenstored mapped the ring through the grant and said hello on it. */
    CHECK_EQ(ring->connection, XENSTORE_CONNECTED);
    CHECK_EQ(ring->req_prod, 0);
    CHECK_EQ(ring->rsp_prod, 0);
    CHECK_EQ(grant_flags(domid, GNTTAB_RESERVED_XENSTORE),
             GTF_permit_access | GTF_reading | GTF_writing);
    /* Its end of the guest's port is bound. */
    {
        xc_evtchn_status_t st = { .dom = (domid_t)domid, .port = gport };

        CHECK_EQ(xc_evtchn_status(xch, &st), 0);
        CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
        CHECK_EQ(st.u.interdomain.dom, 0);
    }
}

/* Put one request on the guest's ring (as the guest). */
static void ring_request(uint32_t type, uint32_t req_id, const void *payload,
                         uint32_t len)
{
    struct xsd_sockmsg msg = { .type = type, .req_id = req_id, .len = len };
    XENSTORE_RING_IDX prod = ring->req_prod;
    const uint8_t *bytes[2] = { (const uint8_t *)&msg, payload };
    uint32_t lens[2] = { sizeof(msg), len };

    for ( unsigned int part = 0; part < 2; part++ )
        for ( uint32_t i = 0; i < lens[part]; i++ )
            ring->req[MASK_XENSTORE_IDX(prod++)] = (char)bytes[part][i];
    __atomic_store_n(&ring->req_prod, prod, __ATOMIC_RELEASE);
}

/* Wait for one reply on the ring: its header, payload into buf. */
static bool ring_reply(struct xsd_sockmsg *msg, char *buf, size_t len)
{
    XENSTORE_RING_IDX cons = ring->rsp_cons;
    uint8_t *m = (uint8_t *)msg;
    int t;

    for ( t = 0; t < 2000; t++ )
    {
        if ( __atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE) - cons >=
             sizeof(*msg) )
            break;
        usleep(1000);
    }
    if ( t == 2000 )
        return false;
    for ( size_t i = 0; i < sizeof(*msg); i++ )
        m[i] = (uint8_t)ring->rsp[MASK_XENSTORE_IDX(cons++)];
    for ( t = 0; ring->rsp_prod - cons < msg->len && t < 2000; t++ )
        usleep(1000);
    if ( msg->len >= len || ring->rsp_prod - cons < msg->len )
        return false;
    for ( uint32_t i = 0; i < msg->len; i++ )
        buf[i] = ring->rsp[MASK_XENSTORE_IDX(cons++)];
    buf[msg->len] = '\0';
    __atomic_store_n(&ring->rsp_cons, cons, __ATOMIC_RELEASE);
    return true;
}

TEST(xs_guest_ring_round_trip)
{
    struct xs_permissions perms[1] = { { .id = 0, .perms = XS_PERM_NONE } };
    struct xsd_sockmsg msg;
    char path[64], buf[256], *val;
    unsigned int len = 0;
    static const char req[] = "data/hello\0world";

    REQUIRE(ring && ring->connection == XENSTORE_CONNECTED);
    /* As libxl: the guest's home, owned by the guest. */
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    perms[0].id = domid;
    REQUIRE(xs_mkdir(xsh, XBT_NULL, path));
    REQUIRE(xs_set_permissions(xsh, XBT_NULL, path, perms, 1));

    /* The guest asks for its home... */
    snprintf(buf, sizeof(buf), "%u", domid);
    ring_request(XS_GET_DOMAIN_PATH, 7, buf, (uint32_t)strlen(buf) + 1);
    CHECK_EQ(guest_send(), 0);
    REQUIRE(ring_reply(&msg, buf, sizeof(buf)));
    CHECK_EQ(msg.type, XS_GET_DOMAIN_PATH);
    CHECK_EQ(msg.req_id, 7);
    CHECK_STR(buf, path);

    /* ...and writes a relative path in it, which dom0 reads. */
    ring_request(XS_WRITE, 8, req, sizeof(req) - 1);
    CHECK_EQ(guest_send(), 0);
    REQUIRE(ring_reply(&msg, buf, sizeof(buf)));
    CHECK_EQ(msg.type, XS_WRITE);
    CHECK_EQ(msg.req_id, 8);
    CHECK_STR(buf, "OK");
    snprintf(path, sizeof(path), "/local/domain/%u/data/hello", domid);
    val = xs_read(xsh, XBT_NULL, path, &len);
    CHECK_STR(val, "world");
    CHECK_EQ(len, 5);
    free(val);
}

TEST(xs_release_on_destroy)
{
    const char *w;

    REQUIRE(xch && domid);
    /* VIRQ_DOM_EXC tells xenstored; it fires @releaseDomain. */
    CHECK_EQ(xc_domain_destroy(xch, domid), 0);
    w = next_watch(3000);
    CHECK_STR(w, "@releaseDomain");
    CHECK(!xs_is_domain_introduced(xsh, domid));
    xs_close(xsh);
    xc_interface_close(xch);
}
