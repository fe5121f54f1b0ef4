/*
 * libxengnttab against the hypervisor's gntdev: mappings that are the
 * granted page itself, read-only grants, the grant's in-use flags while
 * mapped, unmap rules, unmap notifications, grant copy, and what is left
 * out (dma-buf, gntshr).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "dropins.h"

#define G_RW    0x1000      /* granted read-write to dom0 (ref 5) */
#define G_RO    0x1001      /* granted read-only to dom0 (ref 6) */
#define REF_RW  5
#define REF_RO  6
#define REF_OTHER 7         /* granted to domain 3, not us */
#define REF_NONE 8          /* not granted */

struct guest {
    uint32_t domid;
    uint8_t *rw, *ro;       /* the two pages, through foreign mappings */
};

static void guest_init(struct guest *g)
{
    static const xen_pfn_t gfns[] = { G_RW, G_RO };

    g->domid = dt_new_guest(1, gfns, 2);
    g->rw = dt_map_gfn(g->domid, G_RW);
    g->ro = dt_map_gfn(g->domid, G_RO);
    REQUIRE(g->rw && g->ro);
    for ( unsigned int i = 0; i < XC_PAGE_SIZE; i++ )
    {
        g->rw[i] = (uint8_t)(i * 7);
        g->ro[i] = (uint8_t)(i * 11 + 1);
    }
    dt_grant_set(g->domid, REF_RW, GTF_permit_access, 0, G_RW);
    dt_grant_set(g->domid, REF_RO, GTF_permit_access | GTF_readonly, 0, G_RO);
    dt_grant_set(g->domid, REF_OTHER, GTF_permit_access, 3, G_RW);
}

static void guest_fini(struct guest *g)
{
    dt_unmap(g->rw);
    dt_unmap(g->ro);
    dt_destroy(g->domid);
}

TEST(dropin_gnttab_map_is_the_page)
{
    xengnttab_handle *xgt = xengnttab_open(NULL, 0);
    struct guest g;
    uint8_t *p;

    REQUIRE(xgt);
    guest_init(&g);
    CHECK_EQ(xengnttab_set_max_grants(xgt, 128), 0);

    p = xengnttab_map_grant_ref(xgt, g.domid, REF_RW, PROT_READ | PROT_WRITE);
    REQUIRE(p);
    CHECK_EQ(memcmp(p, g.rw, XC_PAGE_SIZE), 0);
    p[10] = 0x5a;
    CHECK_EQ(g.rw[10], 0x5a);
    g.rw[11] = 0xa5;
    CHECK_EQ(p[11], 0xa5);
    /* Xen marks the grant in use while mapped. */
    CHECK_EQ(dt_grant_flags(g.domid, REF_RW),
             GTF_permit_access | GTF_reading | GTF_writing);

    /* Only the whole mapping, by its start. */
    errno = 0;
    CHECK_EQ(xengnttab_unmap(xgt, p, 2), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xengnttab_unmap(xgt, p + XC_PAGE_SIZE, 1), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xengnttab_unmap(xgt, NULL, 1), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xengnttab_unmap(xgt, p, 1), 0);
    CHECK_EQ(dt_grant_flags(g.domid, REF_RW), GTF_permit_access);
    CHECK_EQ(xengnttab_unmap(xgt, p, 1), -1);
    CHECK_EQ(errno, EINVAL);

    CHECK_EQ(xengnttab_close(xgt), 0);
    guest_fini(&g);
}

TEST(dropin_gnttab_refused_maps)
{
    xengnttab_handle *xgt = xengnttab_open(NULL, 0);
    struct guest g;
    uint8_t *p;

    REQUIRE(xgt);
    guest_init(&g);
    /* A read-only grant maps read-only, and only so. */
    errno = 0;
    CHECK(xengnttab_map_grant_ref(xgt, g.domid, REF_RO,
                                  PROT_READ | PROT_WRITE) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(dt_grant_flags(g.domid, REF_RO), GTF_permit_access | GTF_readonly);
    p = xengnttab_map_grant_ref(xgt, g.domid, REF_RO, PROT_READ);
    REQUIRE(p);
    CHECK_EQ(memcmp(p, g.ro, XC_PAGE_SIZE), 0);
    CHECK_EQ(dt_grant_flags(g.domid, REF_RO),
             GTF_permit_access | GTF_readonly | GTF_reading);
    CHECK_EQ(xengnttab_unmap(xgt, p, 1), 0);

    CHECK(xengnttab_map_grant_ref(xgt, g.domid, REF_OTHER, PROT_READ) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK(xengnttab_map_grant_ref(xgt, g.domid, REF_NONE, PROT_READ) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK(xengnttab_map_grant_ref(xgt, g.domid, 100000, PROT_READ) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK(xengnttab_map_grant_ref(xgt, 4321, REF_RW, PROT_READ) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK(xengnttab_map_grant_refs(xgt, 0, NULL, NULL, PROT_READ) == NULL);
    CHECK_EQ(errno, EINVAL);
    /* One bad ref fails the lot, and leaves nothing mapped. */
    {
        uint32_t domids[2] = { g.domid, g.domid }, refs[2] = { REF_RW, REF_NONE };

        CHECK(xengnttab_map_grant_refs(xgt, 2, domids, refs, PROT_READ) == NULL);
        CHECK_EQ(errno, EINVAL);
        CHECK_EQ(dt_grant_flags(g.domid, REF_RW), GTF_permit_access);
    }
    xengnttab_close(xgt);
    guest_fini(&g);
}

TEST(dropin_gnttab_map_many)
{
    xengnttab_handle *xgt = xengnttab_open(NULL, 0);
    uint32_t domids[2], refs[2] = { REF_RW, REF_RO };
    struct guest g;
    uint8_t *p;

    REQUIRE(xgt);
    guest_init(&g);
    domids[0] = domids[1] = g.domid;
    p = xengnttab_map_grant_refs(xgt, 2, domids, refs, PROT_READ);
    REQUIRE(p);
    CHECK_EQ(memcmp(p, g.rw, XC_PAGE_SIZE), 0);
    CHECK_EQ(memcmp(p + XC_PAGE_SIZE, g.ro, XC_PAGE_SIZE), 0);
    CHECK_EQ(dt_grant_flags(g.domid, REF_RW), GTF_permit_access | GTF_reading);
    CHECK_EQ(xengnttab_unmap(xgt, p, 1), -1);
    CHECK_EQ(xengnttab_unmap(xgt, p, 2), 0);

    p = xengnttab_map_domain_grant_refs(xgt, 2, g.domid, refs, PROT_READ);
    REQUIRE(p);
    CHECK_EQ(memcmp(p + XC_PAGE_SIZE, g.ro, XC_PAGE_SIZE), 0);
    /* Closing the handle gives the grants back. */
    CHECK_EQ(xengnttab_close(xgt), 0);
    CHECK_EQ(dt_grant_flags(g.domid, REF_RW), GTF_permit_access);
    CHECK_EQ(dt_grant_flags(g.domid, REF_RO), GTF_permit_access | GTF_readonly);
    munmap(p, 2 * XC_PAGE_SIZE);
    guest_fini(&g);
}

TEST(dropin_gnttab_unmap_notify)
{
    xengnttab_handle *xgt = xengnttab_open(NULL, 0);
    xenevtchn_handle *a = xenevtchn_open(NULL, 0), *b = xenevtchn_open(NULL, 0);
    struct guest g;
    int pa, pb, port = -1;
    uint8_t *p;

    REQUIRE(xgt && a && b);
    guest_init(&g);
    /* Clear a byte. */
    g.rw[100] = 0xaa;
    p = xengnttab_map_grant_ref_notify(xgt, g.domid, REF_RW,
                                       PROT_READ | PROT_WRITE, 100, -1);
    REQUIRE(p);
    CHECK_EQ(p[100], 0xaa);
    CHECK_EQ(xengnttab_unmap(xgt, p, 1), 0);
    CHECK_EQ(g.rw[100], 0);
    /* Not in a read-only mapping. */
    errno = 0;
    CHECK(xengnttab_map_grant_ref_notify(xgt, g.domid, REF_RO, PROT_READ, 100,
                                         -1) == NULL);
    CHECK_EQ(errno, EINVAL);

    /* Send an event on a port of ours (a loopback pair a -> b). */
    pa = xenevtchn_bind_unbound_port(a, 0);
    pb = xenevtchn_bind_interdomain(b, 0, pa);
    REQUIRE(pa > 0 && pb > 0);
    REQUIRE(dt_readable(xenevtchn_fd(b), 1000));
    CHECK_EQ(xenevtchn_pending(b), pb);
    CHECK_EQ(xenevtchn_unmask(b, pb), 0);
    g.rw[200] = 0xbb;
    p = xengnttab_map_grant_ref_notify(xgt, g.domid, REF_RW,
                                       PROT_READ | PROT_WRITE, 200, pa);
    REQUIRE(p);
    CHECK(!dt_readable(xenevtchn_fd(b), 50));
    CHECK_EQ(xengnttab_unmap(xgt, p, 1), 0);
    CHECK_EQ(g.rw[200], 0);
    CHECK(dt_readable(xenevtchn_fd(b), 1000));
    port = xenevtchn_pending(b);
    CHECK_EQ(port, pb);
    /* A port nobody bound: refused. */
    CHECK(xengnttab_map_grant_ref_notify(xgt, g.domid, REF_RW, PROT_READ, -1,
                                         4000) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(dt_grant_flags(g.domid, REF_RW), GTF_permit_access);

    xenevtchn_close(a);
    xenevtchn_close(b);
    xengnttab_close(xgt);
    guest_fini(&g);
}

TEST(dropin_gnttab_grant_copy)
{
    xengnttab_handle *xgt = xengnttab_open(NULL, 0);
    uint8_t buf[64], src[32];
    xengnttab_grant_copy_segment_t segs[4];
    struct guest g;

    REQUIRE(xgt);
    guest_init(&g);
    memset(buf, 0, sizeof(buf));
    for ( unsigned int i = 0; i < sizeof(src); i++ )
        src[i] = (uint8_t)(0xc0 + i);
    memset(segs, 0, sizeof(segs));
    /* Grant -> buffer. */
    segs[0].source.foreign.ref = REF_RO;
    segs[0].source.foreign.offset = 8;
    segs[0].source.foreign.domid = (uint16_t)g.domid;
    segs[0].dest.virt = buf;
    segs[0].len = 16;
    segs[0].flags = GNTCOPY_source_gref;
    /* Buffer -> grant. */
    segs[1].source.virt = src;
    segs[1].dest.foreign.ref = REF_RW;
    segs[1].dest.foreign.offset = 4000;
    segs[1].dest.foreign.domid = (uint16_t)g.domid;
    segs[1].len = 32;
    segs[1].flags = GNTCOPY_dest_gref;
    /* Into a read-only grant, and from a grant that is not there. */
    segs[2] = segs[1];
    segs[2].dest.foreign.ref = REF_RO;
    segs[3] = segs[0];
    segs[3].source.foreign.ref = REF_NONE;
    CHECK_EQ(xengnttab_grant_copy(xgt, 4, segs), 0);
    CHECK_EQ(segs[0].status, GNTST_okay);
    CHECK_EQ(memcmp(buf, g.ro + 8, 16), 0);
    CHECK_EQ(segs[1].status, GNTST_okay);
    CHECK_EQ(memcmp(g.rw + 4000, src, 32), 0);
    CHECK_EQ(segs[2].status, GNTST_general_error);   /* write-pin of r/o */
    CHECK_EQ(segs[3].status, GNTST_general_error);
    CHECK_EQ(dt_grant_flags(g.domid, REF_RW), GTF_permit_access);
    CHECK_EQ(dt_grant_flags(g.domid, REF_RO), GTF_permit_access | GTF_readonly);

    /* A segment running off its page fails the whole call. */
    segs[1].dest.foreign.offset = 4090;
    segs[1].status = 99;
    errno = 0;
    CHECK_EQ(xengnttab_grant_copy(xgt, 2, segs), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(segs[1].status, 99);
    xengnttab_close(xgt);
    guest_fini(&g);
}

TEST(dropin_gnttab_left_out)
{
    xengnttab_handle *xgt = xengnttab_open(NULL, 0);
    uint32_t ref = 1, fd = 0;

    REQUIRE(xgt);
    errno = 0;
    CHECK_EQ(xengnttab_dmabuf_exp_from_refs(xgt, 1, 0, 1, &ref, &fd), -1);
    CHECK_EQ(errno, EOPNOTSUPP);
    CHECK_EQ(xengnttab_dmabuf_exp_wait_released(xgt, 3, 10), -1);
    CHECK_EQ(errno, EOPNOTSUPP);
    CHECK_EQ(xengnttab_dmabuf_imp_to_refs(xgt, 1, 3, 1, &ref), -1);
    CHECK_EQ(errno, EOPNOTSUPP);
    CHECK_EQ(xengnttab_dmabuf_imp_release(xgt, 3), -1);
    CHECK_EQ(errno, EOPNOTSUPP);
    CHECK(xengntshr_open(NULL, 0) == NULL);
    CHECK_EQ(errno, ENOSYS);
    CHECK_EQ(xengntshr_close(NULL), 0);
    xengnttab_close(xgt);
}

TEST(dropin_gnttab_dead_client)
{
    char out[32], arg[32];
    struct guest g;

    if ( !dt_daemon_mode() )
        return;                     /* a child has no connection of its own */
    guest_init(&g);
    snprintf(arg, sizeof(arg), "%u:%u", g.domid, REF_RW);
    CHECK_EQ(dt_run_child("gnttab-map", arg, out, sizeof(out)), 0);
    CHECK_EQ(atoi(out), g.rw[0]);
    /* xenmmd gives the dead client's grants back as its session ends. */
    CHECK(DT_WAIT(dt_grant_flags(g.domid, REF_RW) == GTF_permit_access, 2000));
    guest_fini(&g);
}
