/*
 * bench_populate.c - the "populate" workload: XENMEM_populate_physmap
 * through the hypercall dispatcher, as libxenctrl issues it (a one-entry
 * multicall wrapping memory_op), one core, no scrubbing (bootscrub=off,
 * no idle scrubber, so every page handed out is clean).
 *
 *   4k       4 Mi 4K extents in one call (16 GiB)        goal >= 10 M/s
 *   2m       200 Ki 2M extents in one call (400 GiB)      goal >= 1 M/s
 *   hvm-1t   a 1 TiB HVM guest populated the way meminit_hvm shapes it:
 *            4K below 2 MiB (skipping the VGA hole), 2M up to 1 GiB, 1G
 *            extents up to a 3 GiB MMIO hole and from 4 GiB on   goal < 50 ms
 *
 * The domain is destroyed after each run and its (dirty) pages scrubbed
 * by one idle scrubber before the next run, untimed, so every run takes
 * clean pages.  The first run is reported on its own ("cold"): it is the
 * first touch of the frame-table and M2P pages it writes, which cost a
 * page fault each here (Xen's frame table is resident from boot).  The
 * other runs reuse those MFNs ("warm": the figure against the goal).
 * host_check runs once at the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/memory.h>

#include "bench.h"
#include "core/core.h"
#include "core/hypercall.h"
#include "core/p2m.h"

#define ARENA_GADDR 0x7f0000000000ULL

struct bench_guest {
    struct guest_access ga;
    uint8_t *mem;
    size_t size;
};

static int bench_guest_init(struct bench_guest *g, size_t size)
{
    memset(g, 0, sizeof(*g));
    g->mem = malloc(size);
    g->size = size;
    if ( !g->mem )
        return -1;
    return guest_access_register(&g->ga, ARENA_GADDR, g->mem, size);
}

/* One multicall entry at offset 0, the reservation at 64, the list at 128. */
static long bench_populate_call(struct caller *c, struct bench_guest *g,
                                domid_t domid, const xen_pfn_t *gfns,
                                unsigned int nr, unsigned int order)
{
    multicall_entry_t *m = (multicall_entry_t *)g->mem;
    struct xen_memory_reservation *r = (void *)(g->mem + 64);
    xen_pfn_t *list = (xen_pfn_t *)(g->mem + 128);
    unsigned long args[6] = { ARENA_GADDR, 1, 0, 0, 0, 0 };
    long rc;

    memcpy(list, gfns, nr * sizeof(*list));
    memset(r, 0, sizeof(*r));
    set_xen_guest_handle(r->extent_start,
                         (xen_pfn_t *)(uintptr_t)(ARENA_GADDR + 128));
    r->nr_extents = nr;
    r->extent_order = order;
    r->domid = domid;
    memset(m, 0, sizeof(*m));
    m->op = __HYPERVISOR_memory_op;
    m->args[0] = XENMEM_populate_physmap;
    m->args[1] = ARENA_GADDR + 64;
    rc = hypercall_dispatch(c, __HYPERVISOR_multicall, args);
    return rc ? rc : (long)m->result;
}

static struct domain *bench_hvm_domain(struct host *h)
{
    struct xen_domctl_createdomain cfg = {
        .flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap,
        .max_vcpus = 1,
        .max_grant_frames = -1,
        .max_maptrack_frames = -1,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
        .arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI,
    };
    int rc;
    struct domain *d = domain_create(h, 1, &cfg, 0, &rc);

    if ( !d )
    {
        bench_note("FAIL: domain_create: %d", rc);
        return NULL;
    }
    d->max_pages = ~0U;
    return d;
}

/* The gfn list of a meminit_hvm-shaped guest of mem_pages; returns count. */
struct bench_shape {
    xen_pfn_t *gfns[3];         /* per order: 0, 9, 18 */
    unsigned int nr[3];
};

static void bench_hvm_shape(struct bench_shape *s, unsigned long mem_pages)
{
    const unsigned long hole_start = 0xC0000, hole_end = 0x100000; /* 3-4 GiB */
    unsigned long gfn, done = 0;

    memset(s->nr, 0, sizeof(s->nr));
    for ( unsigned int i = 0; i < 3; i++ )
        s->gfns[i] = malloc(sizeof(xen_pfn_t) * (1UL << 20));
    /* 4K below 2 MiB, skipping the VGA hole 0xa0-0xbf. */
    for ( gfn = 0; gfn < 0x200; gfn++ )
        if ( gfn < 0xa0 || gfn >= 0xc0 )
        {
            s->gfns[0][s->nr[0]++] = gfn;
            done++;
        }
    /* 2M up to 1 GiB. */
    for ( gfn = 0x200; gfn < 0x40000; gfn += 0x200 )
    {
        s->gfns[1][s->nr[1]++] = gfn;
        done += 0x200;
    }
    /* 1G up to the hole, then from 4 GiB. */
    for ( gfn = 0x40000; done + 0x40000 <= mem_pages; gfn += 0x40000 )
    {
        if ( gfn >= hole_start && gfn < hole_end )
            continue;
        s->gfns[2][s->nr[2]++] = gfn;
        done += 0x40000;
    }
}

/*
 * One rate case: nr extents of order at gfns 0, 2^order, ... for a fresh
 * domain, timed; the domain is destroyed and its pages scrubbed after.
 */
static int bench_rate_case(struct host *h, struct caller *c,
                           struct bench_guest *g, xen_pfn_t *gfns,
                           unsigned int nr, unsigned int order,
                           struct bench_stats *st)
{
    struct domain *d = bench_hvm_domain(h);
    uint64_t t0;
    long done;

    if ( !d )
        return 1;
    for ( unsigned int i = 0; i < nr; i++ )
        gfns[i] = (xen_pfn_t)i << order;
    t0 = bench_now_ns();
    done = bench_populate_call(c, g, 1, gfns, nr, order);
    bench_stats_add(st, nr / ((bench_now_ns() - t0) / 1e9) / 1e6);
    domain_destroy(d);
    host_scrub_wait(h);
    if ( done != (long)nr )
    {
        bench_note("FAIL: order-%u populate did %ld of %u", order, done, nr);
        return 1;
    }
    return 0;
}

int bench_populate_run(void)
{
    static const char *const opts[] = { "bootscrub=off", "scrub_threads=1",
                                        NULL };
    struct bench_guest g;
    struct host *h;
    struct caller c;
    struct bench_stats s4k = { .n = 0 }, s2m = { .n = 0 }, s1t = { .n = 0 };
    struct bench_stats c4k = { .n = 0 }, c2m = { .n = 0 }, c1t = { .n = 0 };
    const unsigned int nr4k = 4U << 20, nr2m = 200U << 10;
    xen_pfn_t *gfns;
    struct bench_shape shape;
    int rc = 0;

    if ( bench_guest_init(&g, 128 + sizeof(xen_pfn_t) * (size_t)nr4k) )
        return 1;
    gfns = malloc(sizeof(*gfns) * nr4k);
    h = bench_boot("xs-12t", opts);
    if ( !h || !gfns )
    {
        free(g.mem);
        free(gfns);
        return 1;
    }
    caller_init(&c, h->hardware_domain, &g.ga);

    for ( unsigned int run = 0; run <= bench_runs && !rc; run++ )
    {
        struct bench_stats *r4k = run ? &s4k : &c4k;
        struct bench_stats *r2m = run ? &s2m : &c2m;
        struct bench_stats *r1t = run ? &s1t : &c1t;
        struct domain *d;
        uint64_t t0;
        long done;

        /* 4K */
        if ( bench_rate_case(h, &c, &g, gfns, nr4k, 0, r4k) ||
             bench_rate_case(h, &c, &g, gfns, nr2m, 9, r2m) )
        {
            rc = 1;
            break;
        }

        /* 1 TiB HVM-shaped */
        d = bench_hvm_domain(h);
        if ( !d )
        {
            rc = 1;
            break;
        }
        bench_hvm_shape(&shape, 1UL << 28);
        t0 = bench_now_ns();
        done = bench_populate_call(&c, &g, 1, shape.gfns[0], shape.nr[0], 0);
        done += bench_populate_call(&c, &g, 1, shape.gfns[1], shape.nr[1], 9);
        done += bench_populate_call(&c, &g, 1, shape.gfns[2], shape.nr[2], 18);
        bench_stats_add(r1t, (bench_now_ns() - t0) / 1e6);
        if ( done != (long)(shape.nr[0] + shape.nr[1] + shape.nr[2]) ||
             d->tot_pages != (1U << 28) - 0x20 )
        {
            bench_note("FAIL: hvm-1t populate did %ld extents, %u pages",
                       done, d->tot_pages);
            rc = 1;
        }
        if ( run == 0 )
            bench_note("hvm-1t: %u 4K, %u 2M, %u 1G extents; leaves 4K %lu "
                       "2M %lu 1G %lu", shape.nr[0], shape.nr[1], shape.nr[2],
                       d->p2m->nr_leaves[0], d->p2m->nr_leaves[1],
                       d->p2m->nr_leaves[2]);
        for ( unsigned int i = 0; i < 3; i++ )
            free(shape.gfns[i]);
        domain_destroy(d);
        host_scrub_wait(h);
    }

    bench_row("populate", "4k-cold", "extents", "M/s", &c4k, true, "");
    bench_row("populate", "2m-cold", "extents", "M/s", &c2m, true, "");
    bench_row("populate", "hvm-1t-cold", "time", "ms", &c1t, false, "");
    bench_row("populate", "4k", "extents", "M/s", &s4k, true, ">=10");
    bench_row("populate", "2m", "extents", "M/s", &s2m, true, ">=1");
    bench_row("populate", "hvm-1t", "time", "ms", &s1t, false, "<50");
    if ( bench_check(h, "populate", "all") )
        rc = 1;
    host_destroy(h);
    free(gfns);
    free(g.mem);
    return rc;
}
