/*
 * testpod.h - helpers for the PoD tests: set/get_pod_target through the
 * dispatcher, the PoD part of xenguest's meminit_hvm, a guest's touches,
 * and PoD state read straight from the p2m.
 */
#ifndef XENMM_TESTPOD_H
#define XENMM_TESTPOD_H

#include <errno.h>
#include <string.h>
#include <xen/memory.h>

#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

/*
 * XENMEM_set_pod_target / get_pod_target as libxenctrl issues them
 * (xc_domain_set_pod_target: a plain memory_op); *out gets the struct as
 * copied back (untouched on error).
 */
static inline long pod_target_op(struct caller *c, struct garena *a,
                                 unsigned int op, domid_t domid,
                                 uint64_t target, xen_pod_target_t *out)
{
    size_t used = a->used;
    uint64_t g = garena_alloc(a, sizeof(xen_pod_target_t));
    xen_pod_target_t *t = garena_ptr(a, g);
    long rc;

    memset(t, 0, sizeof(*t));
    t->target_pages = target;
    t->domid = domid;
    rc = memop_raw(c, op, g);
    if ( out )
        *out = *t;
    a->used = used;
    return rc;
}

static inline long set_pod_target(struct caller *c, struct garena *a,
                                  domid_t domid, uint64_t target)
{
    return pod_target_op(c, a, XENMEM_set_pod_target, domid, target, NULL);
}

/* Mark [gfn, gfn + nr << order) PoD in extents of 2^order, as dom0. */
static inline long pod_mark(struct caller *c, struct garena *a, domid_t domid,
                            unsigned long gfn, unsigned int nr,
                            unsigned int order)
{
    xen_pfn_t l[64];

    REQUIRE(nr <= 64);
    for ( unsigned int i = 0; i < nr; i++ )
        l[i] = gfn + ((unsigned long)i << order);
    return memop_resv(c, a, true, XENMEM_populate_physmap, domid, l, nr, order,
                      XENMEMF_populate_on_demand);
}

/* One reservation op over a single extent. */
static inline long resv1(struct caller *c, struct garena *a, unsigned int op,
                         domid_t domid, unsigned long gfn, unsigned int order,
                         unsigned int flags)
{
    xen_pfn_t l[1] = { gfn };

    return memop_resv(c, a, true, op, domid, l, 1, order, flags);
}

/* vCPU 0 writes a 64-bit word at the start of gfn / reads it back. */
static inline int touch_write(struct domain *d, unsigned long gfn, uint64_t v)
{
    return guest_access_gfn(d, 0, gfn, 0, true, &v, sizeof(v));
}

static inline int touch_read(struct domain *d, unsigned long gfn, uint64_t *v)
{
    return guest_access_gfn(d, 0, gfn, 0, false, v, sizeof(*v));
}

/* The type and leaf order of gfn (no populating). */
static inline p2m_type_t gfn_type(struct domain *d, unsigned long gfn,
                                  unsigned int *order)
{
    p2m_type_t t;
    unsigned int o;

    p2m_get_entry(d->p2m, gfn, &t, &o);
    if ( order )
        *order = o;
    return t;
}

static inline mfn_t gfn_mfn(struct domain *d, unsigned long gfn)
{
    p2m_type_t t;
    unsigned int o;

    return p2m_get_entry(d->p2m, gfn, &t, &o);
}

/* RAM pages the p2m maps (Xen's "populated", P). */
static inline unsigned long populated(struct domain *d)
{
    unsigned long n = 0;

    for ( unsigned int i = 0; i < MAX_NUMNODES; i++ )
        n += d->p2m->node_pages[i];
    return n;
}

/* The PoD equations: tot == P + count and entry_count == B - P. */
static inline void check_pod_equations(struct domain *d, unsigned long balloon)
{
    unsigned long p = populated(d);

    CHECK_EQ(domain_tot_pages(d), p + d->p2m->pod.count);
    CHECK_EQ(d->p2m->pod.entry_count, balloon - p);
}

/* Has the console said needle since *pos?  Advances *pos. */
static inline bool console_says(struct host *h, size_t *pos, const char *needle)
{
    char buf[16384];
    size_t n = console_read(h, pos, buf, sizeof(buf) - 1);

    buf[n] = 0;
    return strstr(buf, needle) != NULL;
}

#endif
