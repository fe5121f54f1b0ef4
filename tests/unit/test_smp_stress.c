/*
 * SMP stress: what xenmmd will do to one host - many client threads, each
 * its own caller acting as dom0, issuing hypercalls at once - with idle
 * scrubbers running.  Each worker, from its own seeded generator, creates
 * domains (PV and HVM) in a small shared id range, sets max_mem,
 * populates and decreases 4K and 2M extents, asks getdomaininfo(list) and
 * the reservation queries, changes control state (pause, scheduler and
 * node affinity, HVM params, claims, the paging pool, PoD targets and
 * populate-on-demand), touches guest memory as a vCPU would, and
 * destroys domains while the others look them up, populate them and free
 * their pages.  A PV "guest" frees MFNs it got back, perhaps no longer
 * its own: that must fail cleanly.
 *
 * Workers never call the harness (it is not thread-safe): each keeps its
 * tallies and its first unexpected result, and the main thread checks
 * them after joining, then host_check() and that every page is accounted
 * for: free + what the domains own + their paging pools is what was free
 * before, and after destroying them all it is free again.
 * XENMM_TEST_SCALE scales the operations, XENMM_TEST_SEED the seed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/memory.h>
#include <xen/sysctl.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#include "core/grant_table.h"
#include "core/hypercall.h"
#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"

#define NR_WORKERS   4
#define FIRST_ID     1
#define NR_IDS       6          /* domain ids shared by all workers */
#define MAX_MEM_KB   (4 * 1024) /* two 2M extents */
#define GFN_SPAN     2048       /* HVM gfns used: [0, 8 MiB) */
#define NR_MFNS      64         /* PV extents a worker remembers */
#define LIST_MAX     8

struct pv_extent {
    domid_t dom;
    unsigned int order;
    xen_pfn_t mfn;
};

struct worker {
    pthread_t thr;
    struct host *h;
    unsigned int id;
    unsigned long nr_ops;
    uint64_t rng;
    struct garena a;
    struct caller c;
    uint64_t op_g;              /* struct xen_domctl / xen_sysctl */
    uint64_t info_g;            /* getdomaininfolist buffer */
    struct pv_extent pv[NR_MFNS];
    unsigned int nr_pv;
    /* Tallies, and the first result that should not happen. */
    unsigned long creates, destroys, populated, decreased;
    unsigned long bad;
    char why[160];
};

static uint64_t rnd(struct worker *w)
{
    /* xorshift64* */
    w->rng ^= w->rng >> 12;
    w->rng ^= w->rng << 25;
    w->rng ^= w->rng >> 27;
    return w->rng * 2685821657736338717ULL;
}

__attribute__((format(printf, 2, 3)))
static void bad(struct worker *w, const char *fmt, ...)
{
    va_list ap;

    if ( w->bad++ )
        return;
    va_start(ap, fmt);
    vsnprintf(w->why, sizeof(w->why), fmt, ap);
    va_end(ap);
}

static long domctl(struct worker *w, uint32_t cmd, domid_t dom,
                   struct xen_domctl *in)
{
    struct xen_domctl *op = garena_ptr(&w->a, w->op_g);
    unsigned long args[6] = { w->op_g, 0, 0, 0, 0, 0 };
    long rc;

    memset(op, 0, sizeof(*op));
    if ( in )
        op->u = in->u;
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    rc = hypercall_dispatch(&w->c, __HYPERVISOR_domctl, args);
    if ( in )
        *in = *op;
    return rc;
}

static domid_t any_id(struct worker *w)
{
    return FIRST_ID + rnd(w) % NR_IDS;
}

static void op_create(struct worker *w)
{
    struct xen_domctl op;
    bool hvm = rnd(w) & 1;
    domid_t dom = any_id(w);
    long rc;

    memset(&op, 0, sizeof(op));
    op.u.createdomain.flags = hvm ? XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap : 0;
    /* As libxl: 4.17 refuses an HVM domain without these (EOPNOTSUPP). */
    if ( hvm )
        op.u.createdomain.arch.emulation_flags =
            XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI;
    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.max_evtchn_port = 1023;
    op.u.createdomain.max_grant_frames = 4;
    op.u.createdomain.max_maptrack_frames = 16;
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    rc = domctl(w, XEN_DOMCTL_createdomain, dom, &op);
    if ( rc == -EEXIST || rc == -ENOMEM )
        return;
    if ( rc )
    {
        bad(w, "createdomain d%u: %ld", dom, rc);
        return;
    }
    w->creates++;
    /* libxl's next steps; another worker may destroy it meanwhile. */
    memset(&op.u, 0, sizeof(op.u));
    op.u.max_vcpus.max = 1;
    rc = domctl(w, XEN_DOMCTL_max_vcpus, dom, &op);
    if ( rc && rc != -ESRCH )
        bad(w, "max_vcpus d%u: %ld", dom, rc);
    memset(&op.u, 0, sizeof(op.u));
    op.u.max_mem.max_memkb = MAX_MEM_KB;
    rc = domctl(w, XEN_DOMCTL_max_mem, dom, &op);
    if ( rc && rc != -ESRCH )
        bad(w, "max_mem d%u: %ld", dom, rc);
}

static void op_destroy(struct worker *w)
{
    domid_t dom = any_id(w);
    long rc = domctl(w, XEN_DOMCTL_destroydomain, dom, NULL);

    if ( rc == 0 )
        w->destroys++;
    else if ( rc != -ESRCH )
        bad(w, "destroydomain d%u: %ld", dom, rc);
}

static void op_max_mem(struct worker *w)
{
    struct xen_domctl op;
    domid_t dom = any_id(w);
    long rc;

    memset(&op, 0, sizeof(op));
    op.u.max_mem.max_memkb = (rnd(w) & 1) ? MAX_MEM_KB : MAX_MEM_KB / 2;
    rc = domctl(w, XEN_DOMCTL_max_mem, dom, &op);
    if ( rc && rc != -ESRCH )
        bad(w, "max_mem d%u: %ld", dom, rc);
}

static void remember_pv(struct worker *w, domid_t dom, unsigned int order,
                        xen_pfn_t mfn)
{
    struct pv_extent *e = &w->pv[w->nr_pv < NR_MFNS ? w->nr_pv++
                                                    : rnd(w) % NR_MFNS];

    e->dom = dom;
    e->order = order;
    e->mfn = mfn;
}

static void op_populate(struct worker *w)
{
    domid_t dom = any_id(w);
    unsigned int order = (rnd(w) & 3) ? 0 : 9;
    unsigned int nr = order ? 1 : 1 + rnd(w) % LIST_MAX, i;
    /* Now and then populate-on-demand (a PV target just counts it done). */
    unsigned int flags = rnd(w) % 8 ? 0 : XENMEMF_populate_on_demand;
    xen_pfn_t list[LIST_MAX], gfn[LIST_MAX];
    long rc;

    for ( i = 0; i < nr; i++ )
        gfn[i] = list[i] = (rnd(w) % GFN_SPAN) & ~((1UL << order) - 1);
    rc = memop_resv(&w->c, &w->a, rnd(w) & 1, XENMEM_populate_physmap, dom,
                    list, nr, order, flags);
    if ( rc < 0 || rc > nr )
    {
        bad(w, "populate d%u: %ld of %u", dom, rc, nr);
        return;
    }
    w->populated += (unsigned long)rc << order;
    /* A PV guest gets MFNs back: the handles it frees them by. */
    for ( i = 0; i < rc; i++ )
        if ( list[i] != gfn[i] )
            remember_pv(w, dom, order, list[i]);
}

static void op_decrease(struct worker *w)
{
    unsigned int order = 0, nr = 1 + rnd(w) % LIST_MAX, i;
    xen_pfn_t list[LIST_MAX];
    domid_t dom;
    long rc;

    if ( w->nr_pv && (rnd(w) & 1) )
    {
        /* A PV extent this worker got (perhaps gone, or someone else's). */
        struct pv_extent *e = &w->pv[rnd(w) % w->nr_pv];

        dom = e->dom;
        order = e->order;
        nr = 1;
        list[0] = e->mfn;
        *e = w->pv[--w->nr_pv];
    }
    else
    {
        /* HVM gfns, 4K or 2M (a 2M extent may be split by now). */
        dom = any_id(w);
        order = (rnd(w) & 3) ? 0 : 9;
        if ( order )
            nr = 1;
        for ( i = 0; i < nr; i++ )
            list[i] = (rnd(w) % GFN_SPAN) & ~((1UL << order) - 1);
    }
    rc = memop_resv(&w->c, &w->a, rnd(w) & 1, XENMEM_decrease_reservation,
                    dom, list, nr, order, 0);
    if ( rc < 0 || rc > nr )
        bad(w, "decrease d%u: %ld of %u", dom, rc, nr);
    else
        w->decreased += (unsigned long)rc << order;
}

static void op_getdomaininfo(struct worker *w)
{
    struct xen_domctl op;
    domid_t dom = any_id(w);
    long rc = domctl(w, XEN_DOMCTL_getdomaininfo, dom, &op);

    /* -ESRCH: no domain at or above dom. */
    if ( rc && rc != -ESRCH )
        bad(w, "getdomaininfo d%u: %ld", dom, rc);
    else if ( !rc &&
              (op.domain < dom || op.u.getdomaininfo.domain != op.domain ||
               op.u.getdomaininfo.tot_pages > w->h->total_pages) )
        bad(w, "getdomaininfo d%u: d%u, %lu pages", dom, op.domain,
            (unsigned long)op.u.getdomaininfo.tot_pages);

    rc = memop_domid(&w->c, &w->a, XENMEM_current_reservation, any_id(w));
    if ( rc != -ESRCH && (rc < 0 || (unsigned long)rc > w->h->total_pages) )
        bad(w, "current_reservation: %ld", rc);
    rc = memop_domid(&w->c, &w->a, XENMEM_maximum_gpfn, any_id(w));
    if ( rc != -ESRCH && (rc < 0 || rc > (long)1 << 36) )
        bad(w, "maximum_gpfn: %ld", rc);
}

static void op_getdomaininfolist(struct worker *w)
{
    struct xen_sysctl *op = garena_ptr(&w->a, w->op_g);
    struct xen_domctl_getdomaininfo *info = garena_ptr(&w->a, w->info_g);
    unsigned long args[6] = { w->op_g, 0, 0, 0, 0, 0 };
    unsigned int i, n;
    long rc;

    memset(op, 0, sizeof(*op));
    op->cmd = XEN_SYSCTL_getdomaininfolist;
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    op->u.getdomaininfolist.first_domain = 0;
    op->u.getdomaininfolist.max_domains = NR_IDS + 1;
    set_xen_guest_handle(op->u.getdomaininfolist.buffer,
                         (struct xen_domctl_getdomaininfo *)(uintptr_t)w->info_g);
    rc = hypercall_dispatch(&w->c, __HYPERVISOR_sysctl, args);
    n = op->u.getdomaininfolist.num_domains;
    if ( rc || n < 1 || n > NR_IDS + 1 || info[0].domain != 0 )
    {
        bad(w, "getdomaininfolist: %ld, %u domains", rc, n);
        return;
    }
    for ( i = 1; i < n; i++ )
        if ( info[i].domain <= info[i - 1].domain )
            bad(w, "getdomaininfolist: d%u after d%u", info[i].domain,
                info[i - 1].domain);
}

/* Control state the domctls, HVMOPs and claims change under their locks. */
static void op_misc(struct worker *w)
{
    struct xen_domctl op;
    domid_t dom = any_id(w);
    uint64_t g;
    long rc;

    memset(&op, 0, sizeof(op));
    switch ( rnd(w) % 9 )
    {
    case 0:
        rc = domctl(w, (rnd(w) & 1) ? XEN_DOMCTL_pausedomain
                                    : XEN_DOMCTL_unpausedomain, dom, &op);
        /* unpause of an unpaused domain: -EINVAL. */
        if ( rc && rc != -ESRCH && rc != -EINVAL )
            bad(w, "(un)pause d%u: %ld", dom, rc);
        break;
    case 1:
        op.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
        op.u.scheduler_op.cmd = (rnd(w) & 1) ? XEN_DOMCTL_SCHEDOP_putinfo
                                             : XEN_DOMCTL_SCHEDOP_getinfo;
        op.u.scheduler_op.u.credit.weight = 1 + rnd(w) % 512;
        op.u.scheduler_op.u.credit.cap = (uint16_t)~0U;
        rc = domctl(w, XEN_DOMCTL_scheduler_op, dom, &op);
        if ( rc && rc != -ESRCH )
            bad(w, "scheduler_op d%u: %ld", dom, rc);
        break;
    case 2:
        /* Node affinity: one node, or back to automatic. */
        g = garena_alloc(&w->a, sizeof(uint64_t));
        *(uint64_t *)garena_ptr(&w->a, g) = (rnd(w) & 1) ? 1 + (rnd(w) & 1)
                                                         : ~0ULL;
        set_xen_guest_handle(op.u.nodeaffinity.nodemap.bitmap,
                             (uint8_t *)(uintptr_t)g);
        op.u.nodeaffinity.nodemap.nr_bits = 64;
        rc = domctl(w, XEN_DOMCTL_setnodeaffinity, dom, &op);
        if ( rc && rc != -ESRCH )
            bad(w, "setnodeaffinity d%u: %ld", dom, rc);
        break;
    case 3:
    {
        /* An HVM param, set or read (a PV domain: -EINVAL). */
        struct xen_hvm_param *a;
        unsigned long args[6] = { 0, 0, 0, 0, 0, 0 };

        g = garena_alloc(&w->a, sizeof(*a));
        a = garena_ptr(&w->a, g);
        a->domid = dom;
        a->index = HVM_PARAM_STORE_PFN;
        a->value = rnd(w) % GFN_SPAN;
        args[0] = (rnd(w) & 1) ? HVMOP_set_param : HVMOP_get_param;
        args[1] = g;
        rc = hypercall_dispatch(&w->c, __HYPERVISOR_hvm_op, args);
        if ( rc && rc != -ESRCH && rc != -EINVAL )
            bad(w, "hvm param d%u: %ld", dom, rc);
        break;
    }
    case 4:
    {
        /* A claim, or cancelling it. */
        struct xen_memory_reservation *r;

        g = garena_alloc(&w->a, sizeof(*r));
        r = garena_ptr(&w->a, g);
        memset(r, 0, sizeof(*r));
        r->domid = dom;
        r->nr_extents = (rnd(w) & 1) ? 0 : MAX_MEM_KB / 4;
        rc = memop_raw(&w->c, XENMEM_claim_pages, g);
        /* -EINVAL: no such domain, a claim already, or not above tot. */
        if ( rc && rc != -EINVAL && rc != -ENOMEM )
            bad(w, "claim d%u: %ld", dom, rc);
        break;
    }
    case 5:
        /* The paging pool (PV: -EOPNOTSUPP). */
        op.u.paging_mempool.size = (uint64_t)(128 + rnd(w) % 256) << 12;
        rc = domctl(w, XEN_DOMCTL_set_paging_mempool_size, dom, &op);
        if ( rc && rc != -ESRCH && rc != -EOPNOTSUPP && rc != -ENOMEM )
            bad(w, "set_paging_mempool_size d%u: %ld", dom, rc);
        break;
    case 6:
    {
        /* A PoD target: the cache fills from the heap (PV: -EINVAL). */
        xen_pod_target_t *pt;

        g = garena_alloc(&w->a, sizeof(*pt));
        pt = garena_ptr(&w->a, g);
        memset(pt, 0, sizeof(*pt));
        pt->domid = dom;
        pt->target_pages = rnd(w) % (MAX_MEM_KB / 4);
        rc = memop_raw(&w->c, XENMEM_set_pod_target, g);
        if ( rc && rc != -ESRCH && rc != -EINVAL && rc != -ENOMEM )
            bad(w, "set_pod_target d%u: %ld", dom, rc);
        break;
    }
    case 7:
    {
        /*
         * A vCPU of an HVM domain touches a gfn (a PoD one is populated,
         * or the domain crashed), holding the domain as its vCPU would.
         */
        struct domain *d = get_domain_by_id(w->h, dom);
        uint64_t val = rnd(w);

        if ( !d )
            break;
        if ( is_hvm_domain(d) )
        {
            rc = guest_access_gfn(d, 0, rnd(w) % GFN_SPAN, 0, rnd(w) & 1,
                                  &val, sizeof(val));
            if ( rc && rc != -EINVAL && rc != -ESRCH && rc != -ENOMEM &&
                 rc != -EFAULT )
                bad(w, "guest touch d%u: %ld", dom, rc);
        }
        put_domain(d);
        break;
    }
    default:
        op.u.getvcpuinfo.vcpu = 0;
        rc = domctl(w, XEN_DOMCTL_getvcpuinfo, dom, &op);
        /* No vCPU yet (max_vcpus not done): -ESRCH too. */
        if ( rc && rc != -ESRCH )
            bad(w, "getvcpuinfo d%u: %ld", dom, rc);
        break;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    for ( unsigned long i = 0; i < w->nr_ops; i++ )
    {
        unsigned int r = rnd(w) % 100;

        garena_reset(&w->a);
        w->op_g = garena_alloc(&w->a, sizeof(struct xen_domctl) +
                                      sizeof(struct xen_sysctl));
        w->info_g = garena_alloc(&w->a, (NR_IDS + 1) *
                                        sizeof(struct xen_domctl_getdomaininfo));
        if ( r < 8 )
            op_create(w);
        else if ( r < 13 )
            op_destroy(w);
        else if ( r < 17 )
            op_max_mem(w);
        else if ( r < 52 )
            op_populate(w);
        else if ( r < 78 )
            op_decrease(w);
        else if ( r < 88 )
            op_getdomaininfo(w);
        else if ( r < 93 )
            op_getdomaininfolist(w);
        else
            op_misc(w);
    }
    return NULL;
}

/*
 * Pages the domains other than dom0 hold: what they own, their paging
 * pools, and their Xen-heap pages (shared_info and the grant frames),
 * shared or not: a PV guest may decrease_reservation one of those, which
 * unshares it (as Xen's guest_remove_page does) but does not free it.
 */
static unsigned long held_pages(struct host *h)
{
    unsigned long n = 0;

    for ( unsigned int id = FIRST_ID; id < FIRST_ID + NR_IDS; id++ )
    {
        struct domain *d = peek_domain(h, id);

        if ( d )
            n += d->tot_pages + d->paging.total_pages + d->paging.p2m_pages +
                 (d->shared_info ? 1 : 0) + gnttab_nr_grant_frames(d);
    }
    return n;
}

static void run_smp_stress(unsigned int nr_scrubbers, uint64_t seed)
{
    struct hostspec *hs = tiny_spec(2, 32ULL << 20);
    struct worker w[NR_WORKERS];
    struct host *h;
    long free0;
    unsigned long ops = test_ops(20000), total = 0;
    unsigned int i;

    hs->xen.scrub_threads = nr_scrubbers;
    h = boot_spec(hs);
    host_scrub_wait(h);
    free0 = h->total_avail_pages;

    for ( i = 0; i < NR_WORKERS; i++ )
    {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].h = h;
        w[i].id = i;
        w[i].nr_ops = ops;
        w[i].rng = seed * (i + 1) | 1;
        garena_init(&w[i].a, 64 << 10);
        caller_init(&w[i].c, h->hardware_domain, &w[i].a.ga);
    }
    for ( i = 0; i < NR_WORKERS; i++ )
        REQUIRE(pthread_create(&w[i].thr, NULL, worker_main, &w[i]) == 0);
    for ( i = 0; i < NR_WORKERS; i++ )
        pthread_join(w[i].thr, NULL);

    for ( i = 0; i < NR_WORKERS; i++ )
    {
        if ( w[i].bad )
            test_fail_at(__FILE__, __LINE__, "worker %u: %lu bad results, "
                         "first: %s", i, w[i].bad, w[i].why);
        total += w[i].creates + w[i].destroys + w[i].populated +
                 w[i].decreased;
    }
    /* The mix must have done real work, not bounced off empty ids. */
    if ( total <= ops )
        test_fail_at(__FILE__, __LINE__, "%u workers x %lu ops did little: "
                     "%lu creates, destroys and pages populated or "
                     "decreased", NR_WORKERS, ops, total);

    /* Every page is free or held by a live domain (dom0 is as it was). */
    check_host(h);
    CHECK_EQ(h->total_avail_pages + (long)held_pages(h), free0);
    for ( i = FIRST_ID; i < FIRST_ID + NR_IDS; i++ )
    {
        struct domain *d = peek_domain(h, i);

        CHECK(!d || !d->is_dying);      /* nobody holds a zombie */
        if ( d )
            domain_destroy(d);
        CHECK(peek_domain(h, i) == NULL);
    }
    CHECK_EQ(h->total_avail_pages, free0);
    host_scrub_wait(h);
    check_host(h);

    for ( i = 0; i < NR_WORKERS; i++ )
        garena_free(&w[i].a);
    host_destroy(h);
}

TEST(smp_stress_hypercalls_with_scrubbers)
{
    run_smp_stress(2, test_seed());
}

TEST(smp_stress_hypercalls_no_scrubbers)
{
    run_smp_stress(0, test_seed() ^ 0x5a5a5a5aULL);
}
