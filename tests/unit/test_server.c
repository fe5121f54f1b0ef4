/*
 * test_server.c - the server layer (src/server): sessions, the request
 * dispatcher both transports use, and foreign-map lookups with their
 * errors.  The daemon's socket side is tested by tests/cli/daemon.sh.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/version.h>

#include <xenmm/proto.h>

#include "core/p2m.h"
#include "harness/test.h"
#include "server/server.h"
#include "testguest.h"
#include "testhost.h"

#define ARENA_SIZE (1UL << 20)
#define ARENA_BASE 0x7e0000000000ULL

struct fixture {
    struct hv_server *srv;
    struct host *h;
    uint8_t *arena;
};

static void fixture_init(struct fixture *f)
{
    char err[256];

    f->srv = hv_server_create("small-2n", "bootscrub=off", err, sizeof(err));
    REQUIRE(f->srv != NULL);
    f->h = hv_server_host(f->srv);
    f->arena = calloc(1, ARENA_SIZE);
    REQUIRE(f->arena != NULL);
}

static void fixture_fini(struct fixture *f)
{
    check_host(f->h);
    hv_server_destroy(f->srv);
    free(f->arena);
}

static struct hv_session *open_as(struct fixture *f, uint32_t domid, int *rc)
{
    return hv_session_open(f->srv, domid, ARENA_BASE, f->arena, ARENA_SIZE, rc);
}

/* One request through hv_session_handle; returns the reply's result. */
static int64_t request(struct hv_session *s, void *msg, unsigned int type,
                       size_t len, int *handled)
{
    struct xmm_hdr *h = msg;
    uint8_t reply[XMM_MSG_MAX];
    size_t reply_len = 0;
    int fd;

    h->magic = XMM_MAGIC;
    h->version = XMM_PROTO_VERSION;
    h->type = (uint16_t)type;
    h->len = (uint32_t)len;
    h->seq = 7;
    *handled = hv_session_handle(s, msg, len, reply, &reply_len, &fd);
    if ( *handled )
        return 0;
    CHECK_EQ(reply_len, sizeof(struct xmm_reply));
    CHECK_EQ(((struct xmm_reply *)reply)->hdr.seq, 7u);
    return ((struct xmm_reply *)reply)->result;
}

/* Populate gfn of domid (order 0) as dom0 does, through the session. */
static void populate(struct fixture *f, struct domain *d, xen_pfn_t gfn)
{
    struct garena a;
    struct caller c;

    garena_init(&a, 1 << 16);
    caller_init(&c, f->h->hardware_domain, &a.ga);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_populate_physmap, d->domain_id,
                        &gfn, 1, 0, 0), 1);
    garena_free(&a);
}

TEST(server_session_identity)
{
    struct fixture f;
    struct hv_session *s;
    int rc = 1;

    fixture_init(&f);
    s = open_as(&f, 0, &rc);
    CHECK(s != NULL);
    CHECK_EQ(rc, 0);
    CHECK_EQ(hv_server_nr_sessions(f.srv), 1u);
    CHECK(open_as(&f, 5, &rc) == NULL);
    CHECK_EQ(rc, -ESRCH);
    CHECK(open_as(&f, DOMID_SELF, &rc) == NULL);
    CHECK_EQ(rc, -EINVAL);
    hv_session_close(s);
    CHECK_EQ(hv_server_nr_sessions(f.srv), 0u);
    fixture_fini(&f);
}

TEST(server_hypercall_through_arena)
{
    struct fixture f;
    struct hv_session *s;
    struct xmm_hypercall m = { .op = __HYPERVISOR_xen_version };
    int rc, handled;

    fixture_init(&f);
    s = open_as(&f, 0, &rc);
    REQUIRE(s != NULL);
    m.args[0] = XENVER_version;
    CHECK_EQ(request(s, &m, XMM_HYPERCALL, sizeof(m), &handled), 0x40011);
    CHECK_EQ(handled, 0);
    /* extraversion into the arena at offset 64: the arena's bytes change. */
    m.args[0] = XENVER_extraversion;
    m.args[1] = ARENA_BASE + 64;
    CHECK_EQ(request(s, &m, XMM_HYPERCALL, sizeof(m), &handled), 0);
    CHECK(!strcmp((char *)f.arena + 64, ".0"));
    /* The same address outside the arena: -EFAULT, as Xen's. */
    m.args[1] = ARENA_BASE + ARENA_SIZE;
    CHECK_EQ(request(s, &m, XMM_HYPERCALL, sizeof(m), &handled), -EFAULT);
    hv_session_close(s);
    fixture_fini(&f);
}

TEST(server_malformed_requests)
{
    struct fixture f;
    struct hv_session *s;
    struct xmm_hypercall m = { .op = __HYPERVISOR_xen_version };
    uint8_t reply[XMM_MSG_MAX];
    size_t len;
    int rc, handled, fd;

    fixture_init(&f);
    s = open_as(&f, 0, &rc);
    REQUIRE(s != NULL);
    request(s, &m, XMM_HYPERCALL, sizeof(m) - 8, &handled);
    CHECK_EQ(handled, -EPROTO);                 /* short */
    request(s, &m, XMM_TYPE_MAX, sizeof(m), &handled);
    CHECK_EQ(handled, -EPROTO);                 /* unknown type */
    request(s, &m, XMM_HELLO, sizeof(m), &handled);
    CHECK_EQ(handled, -EPROTO);                 /* the transport's */
    m.hdr.magic = 0;
    CHECK_EQ(hv_session_handle(s, &m, sizeof(m), reply, &len, &fd), -EPROTO);
    m.hdr.magic = XMM_MAGIC;
    m.hdr.version = XMM_PROTO_VERSION + 1;
    CHECK_EQ(hv_session_handle(s, &m, sizeof(m), reply, &len, &fd), -EPROTO);
    m.hdr.version = XMM_PROTO_VERSION;
    m.hdr.len = sizeof(m) + 1;                  /* header and size disagree */
    CHECK_EQ(hv_session_handle(s, &m, sizeof(m), reply, &len, &fd), -EPROTO);
    hv_session_close(s);
    fixture_fini(&f);
}

/* A FOREIGN_MAP of nr gfns placed at the arena's start. */
static int64_t foreign_map(struct fixture *f, struct hv_session *s,
                           uint32_t domid, int write, const uint64_t *gfns,
                           unsigned int nr)
{
    struct xmm_foreign_map m = {
        .domid = domid, .write = write, .nr = nr,
        .gfns_off = 0, .mfns_off = 4096, .errs_off = 8192,
    };
    int handled;
    int64_t r;

    memcpy(f->arena, gfns, nr * sizeof(*gfns));
    memset(f->arena + 4096, 0xff, 8192);
    r = request(s, &m, XMM_FOREIGN_MAP, sizeof(m), &handled);
    CHECK_EQ(handled, 0);
    return r;
}

TEST(server_foreign_map)
{
    struct fixture f;
    struct hv_session *s0, *s1;
    struct domain *d1, *d2;
    const uint64_t gfns[3] = { 0x10, 0x11, 0x10 };
    uint64_t *mfns;
    int32_t *errs;
    p2m_type_t t;
    unsigned int order;
    mfn_t mfn;
    int rc;

    fixture_init(&f);
    mfns = (uint64_t *)(f.arena + 4096);
    errs = (int32_t *)(f.arena + 8192);
    d1 = new_hvm_domain(f.h, 1, 64);
    d2 = new_hvm_domain(f.h, 2, 64);
    populate(&f, d1, 0x10);
    populate(&f, d2, 0x10);
    pthread_mutex_lock(&d1->p2m->lock);
    mfn = p2m_get_entry(d1->p2m, 0x10, &t, &order);
    pthread_mutex_unlock(&d1->p2m->lock);

    s0 = open_as(&f, 0, &rc);
    REQUIRE(s0 != NULL);
    /* dom0: the populated gfn maps to its MFN; the hole is -EINVAL. */
    CHECK_EQ(foreign_map(&f, s0, 1, 1, gfns, 3), -EINVAL);
    CHECK_EQ(mfns[0], mfn_x(mfn));
    CHECK_EQ(errs[0], 0);
    CHECK_EQ(errs[1], -EINVAL);
    CHECK_EQ(mfns[2], mfn_x(mfn));
    CHECK_EQ(errs[2], 0);
    CHECK_EQ(foreign_map(&f, s0, 1, 0, gfns, 1), 0);
    /* No such domain: every page -ESRCH. */
    CHECK_EQ(foreign_map(&f, s0, 9, 0, gfns, 2), -ESRCH);
    CHECK_EQ(errs[0], -ESRCH);
    CHECK_EQ(errs[1], -ESRCH);
    /* Arrays outside the arena: -EFAULT before anything is looked up. */
    {
        struct xmm_foreign_map m = {
            .domid = 1, .nr = 2, .gfns_off = ARENA_SIZE - 8,
            .mfns_off = 4096, .errs_off = 8192,
        };
        int handled;

        CHECK_EQ(request(s0, &m, XMM_FOREIGN_MAP, sizeof(m), &handled),
                 -EFAULT);
        m.gfns_off = 0;
        m.nr = ~0ULL / 4;               /* n * 8 would wrap */
        CHECK_EQ(request(s0, &m, XMM_FOREIGN_MAP, sizeof(m), &handled),
                 -EFAULT);
    }

    /*
     * A guest names itself: -ESRCH (get_pg_owner: "Cannot specify itself
     * as foreign domain"); another guest: -EPERM (XSM_TARGET).
     */
    s1 = open_as(&f, 1, &rc);
    REQUIRE(s1 != NULL);
    CHECK_EQ(foreign_map(&f, s1, 1, 1, gfns, 1), -ESRCH);
    CHECK_EQ(errs[0], -ESRCH);
    CHECK_EQ(foreign_map(&f, s1, 2, 0, gfns, 1), -EPERM);
    CHECK_EQ(errs[0], -EPERM);
    hv_session_close(s1);
    hv_session_close(s0);
    fixture_fini(&f);
}
