/*
 * xc_conformance.c - Debian's unmodified libxenctrl 4.17 against xenmm.
 *
 * Built against Debian's <xenctrl.h> and linked with Debian's -lxenctrl
 * only (none of xenmm's code); at run time LD_LIBRARY_PATH puts xenmm's
 * drop-in libxencall/libxenforeignmemory first, and XENMM_INPROCESS or
 * XENMM_SOCKET says which hypervisor answers.  The host must be the
 * small-2n preset: 2 nodes x 2 GiB (node 0 [0,2G), node 1 [4G,6G)),
 * 2 sockets x 2 cores (CPUs 0-1 on node 0, 2-3 on node 1), distances
 * 10/20, and nobody else may change it while a mode runs.
 *
 * Every expected value and errno is what Xen 4.17 with libxenctrl 4.17
 * gives (the comment next to each check says which code decides it);
 * tests/debian/README.md lists the places where that is not obvious.
 *
 *   xc_conformance            the conformance run (TAP)
 *   xc_conformance baseline   TAP, and "# baseline FREE NODE0 NODE1" (pages)
 *   xc_conformance churn      create/populate/map/destroy forever, one line
 *                             "churn N" per round (to be SIGKILLed)
 *   xc_conformance audit FREE NODE0 NODE1
 *                             TAP: the hypervisor still answers; every domU
 *                             left behind is destroyed; then the free pages
 *                             are exactly FREE, NODE0, NODE1 and no claim is
 *                             outstanding
 *
 * TAP ends with "N passed, N failed"; the exit status is 1 if any failed.
 */
#define XC_WANT_COMPAT_MAP_FOREIGN_API 1
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xentoollog.h>
#include <xen/memory.h>

#define PAGE 4096UL
#define KB_PER_PAGE 4

/* small-2n, as src/hostspec/presets.c describes it. */
#define HOST_PAGES      1048576UL           /* 4 GiB */
#define HOST_CPUS       4
#define HOST_NODES      2
#define NODE_PAGES      524288UL            /* 2 GiB each */
#define NODE1_FIRST_MFN 0x100000UL          /* node 1 starts at 4 GiB */
/* Xen 4.17 x86: MAX_NUMNODES 64, physinfo says max_node_id 63. */
#define MAX_NODE_ID     63
#define UNUSED_DOMID    31999               /* never created here */

static xc_interface *xch;
static xentoollog_logger *logger;
static unsigned int t_n, t_pass, t_fail;

/* ------------------------------------------------------------------ */
/* TAP                                                                 */

static bool tap(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool tap(bool ok, const char *name, const char *fmt, ...)
{
    va_list ap;

    t_n++;
    if ( ok )
    {
        t_pass++;
        printf("ok %u - %s\n", t_n, name);
    }
    else
    {
        t_fail++;
        printf("not ok %u - %s\n#   ", t_n, name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
    fflush(stdout);
    return ok;
}

static int done_testing(void)
{
    printf("%u passed, %u failed\n", t_pass, t_fail);
    return t_fail ? 1 : 0;
}

/* A libxenctrl call that must succeed (return 0). */
#define OK(call, name) ({                                                   \
    int rc_;                                                                \
    errno = 0;                                                              \
    rc_ = (call);                                                           \
    tap(rc_ == 0, name, "%s: rc %d errno %d (%s)", #call, rc_, errno,       \
        strerror(errno));                                                   \
})

/* A libxenctrl call that must fail: -1 with errno err. */
#define FAILS(call, err, name) ({                                           \
    int rc_, e_;                                                            \
    errno = 0;                                                              \
    rc_ = (call);                                                           \
    e_ = errno;                                                             \
    tap(rc_ == -1 && e_ == (err), name,                                     \
        "%s: rc %d errno %d (%s), wanted -1 errno %d (%s)", #call, rc_, e_, \
        strerror(e_), (err), strerror(err));                                \
})

#define EQ(got, want, name) ({                                              \
    uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                   \
    tap(g_ == w_, name, "%s = %" PRIu64 " (%#" PRIx64 "), wanted %"         \
        PRIu64 " (%#" PRIx64 ")", #got, g_, g_, w_, w_);                    \
})

/* ------------------------------------------------------------------ */
/* Observations                                                        */

struct freeinfo {
    uint64_t total;                 /* physinfo free_pages */
    uint64_t node[HOST_NODES];      /* numainfo memfree, in pages */
    uint64_t outstanding;           /* physinfo outstanding_pages */
};

static struct freeinfo free_now(void)
{
    struct freeinfo f = { ~0ULL, { ~0ULL, ~0ULL }, ~0ULL };
    xc_physinfo_t pi = { 0 };
    xc_meminfo_t mi[HOST_NODES];
    unsigned int n = HOST_NODES;

    if ( !xc_physinfo(xch, &pi) )
    {
        f.total = pi.free_pages;
        f.outstanding = pi.outstanding_pages;
    }
    if ( !xc_numainfo(xch, &n, mi, NULL) && n == HOST_NODES )
        for ( unsigned int i = 0; i < HOST_NODES; i++ )
            f.node[i] = mi[i].memfree / PAGE;
    return f;
}

/* Free pages went down by exactly node0 and node1 pages since before. */
static void free_delta(const struct freeinfo *before, long node0, long node1,
                       const char *what)
{
    struct freeinfo now = free_now();
    char name[160];

    snprintf(name, sizeof(name), "%s: node 0 free pages -%ld, node 1 -%ld",
             what, node0, node1);
    tap(before->node[0] - now.node[0] == (uint64_t)node0 &&
        before->node[1] - now.node[1] == (uint64_t)node1 &&
        before->total - now.total == (uint64_t)(node0 + node1), name,
        "node 0 -%" PRId64 ", node 1 -%" PRId64 ", total -%" PRId64,
        (int64_t)(before->node[0] - now.node[0]),
        (int64_t)(before->node[1] - now.node[1]),
        (int64_t)(before->total - now.total));
}

/* The domain's getdomaininfo through the sysctl list; false if absent. */
static bool dominfo(uint32_t domid, xc_domaininfo_t *info)
{
    memset(info, 0, sizeof(*info));
    return xc_domain_getinfolist(xch, domid, 1, info) == 1 &&
           info->domain == domid;
}

static uint64_t tot_pages(uint32_t domid)
{
    xc_domaininfo_t info;

    return dominfo(domid, &info) ? info.tot_pages : ~0ULL;
}

static uint64_t outstanding(uint32_t domid)
{
    xc_domaininfo_t info;

    return dominfo(domid, &info) ? info.outstanding_pages : ~0ULL;
}

/* ------------------------------------------------------------------ */
/* Domains                                                             */

/* As libxl builds an HVM guest's config (HAP, every emulation but vPCI). */
static struct xen_domctl_createdomain hvm_config(unsigned int vcpus)
{
    struct xen_domctl_createdomain c = {
        .flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap,
        .max_vcpus = vcpus,
        .max_evtchn_port = 1023,
        .max_grant_frames = 32,
        .max_maptrack_frames = 1024,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
        .arch = { .emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI },
    };

    return c;
}

static struct xen_domctl_createdomain pv_config(unsigned int vcpus)
{
    struct xen_domctl_createdomain c = hvm_config(vcpus);

    c.flags = 0;
    c.arch.emulation_flags = 0;
    return c;
}

/* Consecutive gfns from first. */
static xen_pfn_t *gfn_list(xen_pfn_t first, unsigned long n,
                           unsigned int order)
{
    xen_pfn_t *l = calloc(n ? n : 1, sizeof(*l));

    if ( !l )
        abort();
    for ( unsigned long i = 0; i < n; i++ )
        l[i] = first + (i << order);
    return l;
}

static int populate(uint32_t domid, xen_pfn_t first, unsigned long n,
                    unsigned int order, unsigned int flags)
{
    xen_pfn_t *l = gfn_list(first, n, order);
    int rc = xc_domain_populate_physmap_exact(xch, domid, n, order, flags, l);
    int e = errno;

    free(l);
    errno = e;
    return rc;
}

static int decrease(uint32_t domid, xen_pfn_t first, unsigned long n,
                    unsigned int order)
{
    xen_pfn_t *l = gfn_list(first, n, order);
    int rc = xc_domain_decrease_reservation_exact(xch, domid, n, order, l);
    int e = errno;

    free(l);
    errno = e;
    return rc;
}

/* ------------------------------------------------------------------ */
/* The conformance run                                                 */

static void test_version(void)
{
    xen_extraversion_t extra;
    xen_capabilities_info_t caps;
    int v;

    /* XENVER_version: major << 16 | minor. */
    v = xc_version(xch, XENVER_version, NULL);
    EQ(v, (4 << 16) | 17, "xc_version(XENVER_version) is 4.17");
    memset(extra, 0, sizeof(extra));
    OK(xc_version(xch, XENVER_extraversion, extra),
       "xc_version(XENVER_extraversion)");
    tap(!strcmp(extra, ".0"), "extraversion is \".0\"", "got \"%s\"", extra);
    memset(caps, 0, sizeof(caps));
    OK(xc_version(xch, XENVER_capabilities, caps),
       "xc_version(XENVER_capabilities)");
    /*
     * x86_64 Xen with HVM, without 32-bit PV: arch_get_xen_caps() ends
     * every capability with a space, the last one too.
     */
    tap(!strcmp(caps, "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p "
                      "hvm-3.0-x86_64 "),
        "capabilities are x86_64 Xen's", "got \"%s\"", caps);
    tap(strstr(caps, "xen-3.0-x86_64") && strstr(caps, "hvm-3.0-x86_32"),
        "capabilities name xen-3.0-x86_64 and hvm-3.0-x86_32 (libxenguest "
        "needs both)", "got \"%s\"", caps);
    EQ(xc_version(xch, XENVER_pagesize, NULL), PAGE,
       "xc_version(XENVER_pagesize) is 4096");
}

static void test_physinfo(struct freeinfo *boot)
{
    xc_physinfo_t pi;
    uint32_t want_caps = XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_pv |
                         XEN_SYSCTL_PHYSCAP_hap | XEN_SYSCTL_PHYSCAP_shadow |
                         XEN_SYSCTL_PHYSCAP_gnttab_v1 |
                         XEN_SYSCTL_PHYSCAP_gnttab_v2;

    memset(&pi, 0xa5, sizeof(pi));
    if ( !OK(xc_physinfo(xch, &pi), "xc_physinfo") )
        return;
    EQ(pi.nr_cpus, HOST_CPUS, "physinfo nr_cpus");
    EQ(pi.max_cpu_id, HOST_CPUS - 1, "physinfo max_cpu_id");
    EQ(pi.nr_nodes, HOST_NODES, "physinfo nr_nodes");
    /* sysctl.c: max_node_id = MAX_NUMNODES - 1, not the last online node. */
    EQ(pi.max_node_id, MAX_NODE_ID, "physinfo max_node_id is MAX_NUMNODES-1");
    EQ(pi.threads_per_core, 1, "physinfo threads_per_core");
    EQ(pi.cores_per_socket, 2, "physinfo cores_per_socket");
    EQ(pi.cpu_khz, 2000000, "physinfo cpu_khz");
    EQ(pi.total_pages, HOST_PAGES, "physinfo total_pages is 4 GiB");
    /* get_upper_mfn_bound(): the last frame of RAM, at 6 GiB - 4 KiB. */
    EQ(pi.max_mfn, NODE1_FIRST_MFN + NODE_PAGES - 1, "physinfo max_mfn");
    /* 4.17 always reports scrub_pages 0. */
    EQ(pi.scrub_pages, 0, "physinfo scrub_pages is 0");
    EQ(pi.outstanding_pages, 0, "physinfo outstanding_pages is 0");
    /* Xen and dom0 hold a few pages; everything else is free. */
    tap(pi.free_pages < pi.total_pages &&
        pi.total_pages - pi.free_pages < 64,
        "physinfo free_pages: all but a few pages",
        "free %" PRIu64 " of %" PRIu64, (uint64_t)pi.free_pages,
        (uint64_t)pi.total_pages);
    tap((pi.capabilities & want_caps) == want_caps &&
        !(pi.capabilities & XEN_SYSCTL_PHYSCAP_directio),
        "physinfo capabilities: hvm pv hap shadow gnttab_v1 gnttab_v2, no "
        "directio (no IOMMU)", "got %#x", pi.capabilities);
    /* libxenctrl's derived sizes: max_cpu_id + 1 bits, max_node_id + 1. */
    EQ(xc_get_max_cpus(xch), HOST_CPUS, "xc_get_max_cpus");
    EQ(xc_get_cpumap_size(xch), 1, "xc_get_cpumap_size is 1 byte");
    EQ(xc_get_max_nodes(xch), MAX_NODE_ID + 1, "xc_get_max_nodes");
    EQ(xc_get_nodemap_size(xch), 8, "xc_get_nodemap_size is 8 bytes");
    boot->total = pi.free_pages;
}

static void test_numainfo(struct freeinfo *boot)
{
    xc_meminfo_t mi[64];
    uint32_t dist[64 * 64];
    unsigned int n;
    uint64_t sum = 0;

    /* Size query: both handles NULL gives last online node + 1. */
    n = 0;
    OK(xc_numainfo(xch, &n, NULL, NULL), "xc_numainfo size query");
    EQ(n, HOST_NODES, "numainfo size query: 2 nodes");

    /* Room for 64: num_nodes comes back 2, distances are 2x2. */
    n = 64;
    memset(mi, 0xa5, sizeof(mi));
    memset(dist, 0xa5, sizeof(dist));
    if ( !OK(xc_numainfo(xch, &n, mi, dist), "xc_numainfo") )
        return;
    EQ(n, HOST_NODES, "numainfo num_nodes");
    EQ(mi[0].memsize, NODE_PAGES * PAGE, "numainfo node 0 memsize 2 GiB");
    EQ(mi[1].memsize, NODE_PAGES * PAGE, "numainfo node 1 memsize 2 GiB");
    tap(dist[0] == 10 && dist[1] == 20 && dist[2] == 20 && dist[3] == 10,
        "numainfo distances 10 20 / 20 10 (row-major, 2 columns)",
        "got %u %u %u %u", dist[0], dist[1], dist[2], dist[3]);
    for ( unsigned int i = 0; i < HOST_NODES; i++ )
    {
        tap(mi[i].memfree % PAGE == 0 && mi[i].memfree <= mi[i].memsize,
            i ? "numainfo node 1 memfree in whole pages"
              : "numainfo node 0 memfree in whole pages",
            "memfree %" PRIu64, (uint64_t)mi[i].memfree);
        boot->node[i] = mi[i].memfree / PAGE;
        sum += boot->node[i];
    }
    EQ(sum, boot->total, "numainfo memfree sums to physinfo free_pages");

    /* Room for 1: only node 0, and only one distance. */
    n = 1;
    memset(dist, 0xa5, sizeof(dist));
    OK(xc_numainfo(xch, &n, mi, dist), "xc_numainfo with room for 1 node");
    tap(n == 1 && dist[0] == 10 && dist[1] == 0xa5a5a5a5u,
        "numainfo with room for 1: num_nodes 1, distance 10 only",
        "num_nodes %u, distances %u %#x", n, dist[0], dist[1]);
}

static void test_create_errors(void)
{
    struct xen_domctl_createdomain c;
    struct freeinfo before = free_now();
    uint32_t domid;

    /* sanitise_domain_config() */
    c = hvm_config(1);
    c.flags |= 1U << 20;
    domid = 0;
    FAILS(xc_domain_create(xch, &domid, &c), EINVAL,
          "createdomain with an unknown CDF flag: EINVAL");
    c = hvm_config(0);
    domid = 0;
    FAILS(xc_domain_create(xch, &domid, &c), EINVAL,
          "createdomain with max_vcpus 0: EINVAL");
    c = pv_config(1);
    c.flags = XEN_DOMCTL_CDF_hap;
    domid = 0;
    FAILS(xc_domain_create(xch, &domid, &c), EINVAL,
          "createdomain HAP without HVM: EINVAL");
    c = hvm_config(1);
    c.grant_opts = XEN_DOMCTL_GRANT_version(0) | (1U << 4);
    domid = 0;
    FAILS(xc_domain_create(xch, &domid, &c), EINVAL,
          "createdomain with unknown grant options: EINVAL");
    c = hvm_config(1);
    c.flags |= XEN_DOMCTL_CDF_iommu;
    domid = 0;
    FAILS(xc_domain_create(xch, &domid, &c), EINVAL,
          "createdomain asking for an IOMMU the host has not: EINVAL");
    /* arch_sanitise_domain_config(): HVM_MAX_VCPUS is 128. */
    c = hvm_config(129);
    domid = 0;
    FAILS(xc_domain_create(xch, &domid, &c), EINVAL,
          "createdomain HVM with 129 vCPUs: EINVAL");
    /* arch_domain_create(): emulation_flags_ok() */
    c = hvm_config(1);
    c.arch.emulation_flags = 0;
    domid = 0;
    FAILS(xc_domain_create(xch, &domid, &c), EOPNOTSUPP,
          "createdomain HVM without emulated devices: EOPNOTSUPP");
    c = pv_config(1);
    c.arch.emulation_flags = XEN_X86_EMU_LAPIC;
    domid = 0;
    FAILS(xc_domain_create(xch, &domid, &c), EOPNOTSUPP,
          "createdomain PV with an emulated LAPIC: EOPNOTSUPP");
    /* grant_table_init(): version 0, fewer than 1 frame. */
    c = hvm_config(1);
    c.grant_opts = XEN_DOMCTL_GRANT_version(0);
    domid = 0;
    FAILS(xc_domain_create(xch, &domid, &c), EINVAL,
          "createdomain with grant version 0: EINVAL");
    c = hvm_config(1);
    c.max_grant_frames = 0;
    domid = 0;
    FAILS(xc_domain_create(xch, &domid, &c), EINVAL,
          "createdomain with 0 grant frames: EINVAL");
    /* A reserved id (as 0) asks Xen to pick the next free one. */
    c = hvm_config(1);
    domid = DOMID_SELF;
    if ( OK(xc_domain_create(xch, &domid, &c),
            "createdomain with a reserved id picks a free id") )
    {
        tap(domid > 0 && domid < DOMID_FIRST_RESERVED,
            "the picked id is a domU id", "got %u", domid);
        {
            uint32_t again = domid;

            c = hvm_config(1);
            FAILS(xc_domain_create(xch, &again, &c), EEXIST,
                  "createdomain with an id in use: EEXIST");
        }
        OK(xc_domain_destroy(xch, domid), "destroy it");
    }
    {
        struct freeinfo now = free_now();

        tap(now.total == before.total && now.node[0] == before.node[0] &&
            now.node[1] == before.node[1],
            "failed and destroyed creations leave every page free",
            "free %" PRIu64 " -> %" PRIu64, before.total, now.total);
    }
}

static void test_unknown_domain(void)
{
    xc_domaininfo_t info;
    uint8_t map[8] = { 0xff };
    xen_pfn_t gfn = 0;

    /* do_domctl(): rcu_lock_domain_by_id() fails: -ESRCH. */
    FAILS(xc_domain_max_vcpus(xch, UNUSED_DOMID, 1), ESRCH,
          "max_vcpus of an unknown domain: ESRCH");
    FAILS(xc_domain_setmaxmem(xch, UNUSED_DOMID, 1024), ESRCH,
          "setmaxmem of an unknown domain: ESRCH");
    FAILS(xc_domain_destroy(xch, UNUSED_DOMID), ESRCH,
          "destroy an unknown domain: ESRCH");
    FAILS(xc_domain_pause(xch, UNUSED_DOMID), ESRCH,
          "pause an unknown domain: ESRCH");
    FAILS(xc_domain_node_setaffinity(xch, UNUSED_DOMID, map), ESRCH,
          "node_setaffinity of an unknown domain: ESRCH");
    FAILS(xc_vcpu_getaffinity(xch, UNUSED_DOMID, 0, map, NULL,
                              XEN_VCPUAFFINITY_HARD), ESRCH,
          "vcpu_getaffinity of an unknown domain: ESRCH");
    /* XENMEM_claim_pages: rcu_lock_domain_by_id() fails: -EINVAL. */
    FAILS(xc_domain_claim_pages(xch, UNUSED_DOMID, 16), EINVAL,
          "claim for an unknown domain: EINVAL (not ESRCH)");
    /*
     * populate_physmap: a reservation op returns start_extent (0 done)
     * for an unknown domain; the _exact wrapper makes that EBUSY.
     */
    FAILS(xc_domain_populate_physmap_exact(xch, UNUSED_DOMID, 1, 0, 0, &gfn),
          EBUSY, "populate for an unknown domain: 0 done, EBUSY");
    FAILS(xc_domain_decrease_reservation_exact(xch, UNUSED_DOMID, 1, 0, &gfn),
          EINVAL, "decrease_reservation for an unknown domain: 0 done, "
          "EINVAL");
    /* The sysctl list starts at the first domain at or above the id. */
    EQ(xc_domain_getinfolist(xch, UNUSED_DOMID, 1, &info), 0,
       "getinfolist from above every domain: 0 entries");
    /* privcmd mmapbatch: the foreign domain does not exist. */
    errno = 0;
    {
        void *p = xc_map_foreign_range(xch, UNUSED_DOMID, PAGE, PROT_READ, 0);
        int e = errno;

        tap(!p && e == ESRCH, "foreign map of an unknown domain: ESRCH",
            "got %p errno %d (%s)", p, e, strerror(e));
        if ( p )
            munmap(p, PAGE);
    }
}

/* HVM domain: creation, vCPUs, max_mem, claims, populate, affinity, maps. */
struct hvm {
    uint32_t domid;
    struct freeinfo before;         /* before it was created */
};

static void test_hvm_create(struct hvm *g)
{
    struct xen_domctl_createdomain c = hvm_config(2);
    xc_domaininfo_t info;
    uint8_t nodemap[8];

    g->before = free_now();
    g->domid = 0;
    if ( !OK(xc_domain_create(xch, &g->domid, &c), "createdomain HVM+HAP") )
        exit(done_testing());
    tap(g->domid > 0 && g->domid < DOMID_FIRST_RESERVED,
        "createdomain HVM: a domU id", "got %u", g->domid);
    EQ(c.flags, XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap,
       "createdomain HVM: config flags copied back unchanged");
    if ( !tap(dominfo(g->domid, &info), "getinfolist finds the HVM domain",
              "not found") )
        return;
    EQ(info.flags & (XEN_DOMINF_hvm_guest | XEN_DOMINF_hap |
                     XEN_DOMINF_paused | XEN_DOMINF_dying |
                     XEN_DOMINF_running | XEN_DOMINF_blocked),
       XEN_DOMINF_hvm_guest | XEN_DOMINF_hap | XEN_DOMINF_paused,
       "new HVM domain: hvm_guest, hap, paused, no vCPU up");
    EQ(info.tot_pages, 0, "new HVM domain: tot_pages 0");
    EQ(info.max_pages, 0, "new HVM domain: max_pages 0 until setmaxmem");
    EQ(info.outstanding_pages, 0, "new HVM domain: no claim");
    EQ(info.max_vcpu_id, XEN_INVALID_MAX_VCPU_ID,
       "new HVM domain: no vCPUs before max_vcpus");
    EQ(info.nr_online_vcpus, 0, "new HVM domain: no vCPU online");

    /* No vCPU yet: node affinity is every node, vCPU ops find no vCPU. */
    memset(nodemap, 0, sizeof(nodemap));
    OK(xc_domain_node_getaffinity(xch, g->domid, nodemap),
       "node_getaffinity before max_vcpus");
    tap(!memcmp(nodemap, "\xff\xff\xff\xff\xff\xff\xff\xff", 8),
        "node affinity before max_vcpus: all 64 nodes",
        "got %02x %02x ... %02x", nodemap[0], nodemap[1], nodemap[7]);
    {
        uint8_t cpumap = 0x0f;

        FAILS(xc_vcpu_setaffinity(xch, g->domid, 0, &cpumap, NULL,
                                  XEN_VCPUAFFINITY_HARD), ESRCH,
              "vcpu_setaffinity before max_vcpus: ESRCH");
    }

    /* XEN_DOMCTL_max_vcpus must repeat createdomain's count. */
    FAILS(xc_domain_max_vcpus(xch, g->domid, 3), EINVAL,
          "max_vcpus other than createdomain's: EINVAL");
    OK(xc_domain_max_vcpus(xch, g->domid, 2), "max_vcpus 2");
    OK(xc_domain_max_vcpus(xch, g->domid, 2), "max_vcpus 2 again");
    if ( dominfo(g->domid, &info) )
    {
        EQ(info.max_vcpu_id, 1, "after max_vcpus: max_vcpu_id 1");
        EQ(info.nr_online_vcpus, 0, "after max_vcpus: vCPUs still down");
    }
    memset(nodemap, 0, sizeof(nodemap));
    OK(xc_domain_node_getaffinity(xch, g->domid, nodemap),
       "node_getaffinity after max_vcpus");
    tap(!memcmp(nodemap, "\x03\0\0\0\0\0\0\0", 8),
        "node affinity after max_vcpus: nodes 0 and 1 (from the vCPUs)",
        "got %02x %02x ... %02x", nodemap[0], nodemap[1], nodemap[7]);
    /* The HAP pool (and Xen's own pages) came out of the heap, on creation. */
    {
        struct freeinfo now = free_now();

        tap(now.total < g->before.total, "creation took pages (paging pool)",
            "free %" PRIu64 " -> %" PRIu64, g->before.total, now.total);
    }
    /*
     * The p2m's tables come from that pool: libxl sizes it before the
     * build; 4 MiB holds a 1 GiB leaf split down to 4K (513 tables).
     */
    OK(xc_set_paging_mempool_size(xch, g->domid, 4 << 20),
       "set_paging_mempool_size 4 MiB");
}

static void test_maxmem_and_claims(struct hvm *g)
{
    struct freeinfo f;
    xc_domaininfo_t info;
    xen_pfn_t gfn;
    int rc;

    /* max_mem 16 pages: the 17th extent fails, nr_done 16 -> EBUSY. */
    OK(xc_domain_setmaxmem(xch, g->domid, 16 * KB_PER_PAGE),
       "setmaxmem 64 KiB");
    if ( dominfo(g->domid, &info) )
        EQ(info.max_pages, 16, "max_pages 16");
    FAILS(populate(g->domid, 0x1000, 20, 0, 0), EBUSY,
          "populate 20 pages with max_mem 16: EBUSY");
    EQ(tot_pages(g->domid), 16, "...and 16 pages were populated");
    gfn = 0x2000;
    rc = xc_domain_populate_physmap(xch, g->domid, 1, 0, 0, &gfn);
    EQ(rc, 0, "populate at max_mem: 0 extents done");
    OK(decrease(g->domid, 0x1000, 16, 0), "decrease_reservation the 16");
    EQ(tot_pages(g->domid), 0, "...tot_pages back to 0");
    /* max_mem below tot_pages is allowed ("ratchet down"). */

    OK(xc_domain_setmaxmem(xch, g->domid, HOST_PAGES * 2 * KB_PER_PAGE),
       "setmaxmem 8 GiB (more than the host)");
    f = free_now();
    /* domain_set_outstanding_pages() */
    FAILS(xc_domain_claim_pages(xch, g->domid, f.total + 1), ENOMEM,
          "claim one page more than is free: ENOMEM");
    FAILS(xc_domain_claim_pages(xch, g->domid, HOST_PAGES * 2 + 1), EINVAL,
          "claim above max_pages: EINVAL");
    OK(xc_domain_claim_pages(xch, g->domid, 0), "claim 0 without a claim");
    OK(xc_domain_claim_pages(xch, g->domid, 4096), "claim 4096 pages");
    EQ(outstanding(g->domid), 4096, "getinfolist: outstanding_pages 4096");
    EQ(free_now().outstanding, 4096, "physinfo: outstanding_pages 4096");
    EQ(free_now().total, f.total, "a claim allocates nothing");
    FAILS(xc_domain_claim_pages(xch, g->domid, 8192), EINVAL,
          "a second claim: EINVAL");
    OK(populate(g->domid, 0x1000, 512, 0, 0), "populate 512 pages");
    EQ(outstanding(g->domid), 4096 - 512, "the claim shrank by 512");
    EQ(free_now().outstanding, 4096 - 512, "physinfo: outstanding 3584");
    OK(xc_domain_claim_pages(xch, g->domid, 0), "claim 0 cancels the claim");
    EQ(outstanding(g->domid), 0, "no claim outstanding");
    EQ(free_now().outstanding, 0, "physinfo: outstanding 0");
    FAILS(xc_domain_claim_pages(xch, g->domid, 512), EINVAL,
          "claim no more than tot_pages: EINVAL");
    OK(xc_domain_claim_pages(xch, g->domid, 513), "claim tot_pages + 1");
    EQ(outstanding(g->domid), 1, "...is a claim of 1 page");
    OK(xc_domain_claim_pages(xch, g->domid, 0), "cancel it");
    OK(decrease(g->domid, 0x1000, 512, 0), "decrease the 512 pages");
    EQ(tot_pages(g->domid), 0, "tot_pages 0 again");
}

/*
 * Another domain's claim keeps all but 100 free pages: an allocation for
 * a domain without a claim gets exactly those 100 (alloc_heap_pages).
 */
static void test_claim_fences(struct hvm *g)
{
    struct xen_domctl_createdomain c = hvm_config(1);
    uint32_t other = 0;
    struct freeinfo f;
    xen_pfn_t *l;
    int rc;

    if ( !OK(xc_domain_create(xch, &other, &c), "create a second domain") )
        return;
    OK(xc_domain_setmaxmem(xch, other, HOST_PAGES * 2 * KB_PER_PAGE),
       "setmaxmem for it");
    f = free_now();
    OK(xc_domain_claim_pages(xch, other, f.total - 100),
       "it claims all but 100 free pages");
    l = gfn_list(0x1000, 200, 0);
    rc = xc_domain_populate_physmap(xch, g->domid, 200, 0, 0, l);
    free(l);
    EQ(rc, 100, "a domain without a claim gets the 100 unclaimed pages");
    FAILS(populate(g->domid, 0x2000, 1, 0, 0), EBUSY,
          "and then nothing: EBUSY");
    OK(populate(other, 0x0, 1, 9, 0),
       "the claiming domain still gets a 2M extent");
    EQ(outstanding(other), f.total - 100 - 512, "its claim shrank by 512");
    OK(xc_domain_destroy(xch, other), "destroy the claiming domain");
    EQ(free_now().outstanding, 0, "its claim went with it");
    OK(decrease(g->domid, 0x1000, 100, 0), "give the 100 pages back");
}

static void test_populate_placement(struct hvm *g)
{
    struct freeinfo f;

    /* Order 0, 9 and 18 on an exact node (dom0 is the control domain). */
    f = free_now();
    OK(populate(g->domid, 0x100, 512, 0, XENMEMF_exact_node(1)),
       "populate 512 x order 0 on exact node 1");
    free_delta(&f, 0, 512, "order 0 on node 1");
    f = free_now();
    OK(populate(g->domid, 0x200, 512, 0, XENMEMF_exact_node(0)),
       "populate 512 x order 0 on exact node 0");
    free_delta(&f, 512, 0, "order 0 on node 0");
    f = free_now();
    OK(populate(g->domid, 0x400, 2, 9, XENMEMF_exact_node(0)),
       "populate 2 x order 9 on exact node 0");
    free_delta(&f, 1024, 0, "order 9 on node 0");
    f = free_now();
    OK(populate(g->domid, 0x800, 1, 9, XENMEMF_exact_node(1)),
       "populate 1 x order 9 on exact node 1");
    free_delta(&f, 0, 512, "order 9 on node 1");
    f = free_now();
    OK(populate(g->domid, 0x40000, 1, 18, XENMEMF_exact_node(1)),
       "populate 1 x order 18 (1 GiB) on exact node 1");
    free_delta(&f, 0, 262144, "order 18 on node 1");
    EQ(tot_pages(g->domid), 512 + 512 + 1024 + 512 + 262144,
       "tot_pages counts every populated page");

    /* Orders above max_order(dom0) = 18 are refused: 0 done. */
    f = free_now();
    FAILS(populate(g->domid, 0x80000, 1, 19, 0), EBUSY,
          "populate order 19: EBUSY");
    /* A node that is not online has no memory: exact fails. */
    FAILS(populate(g->domid, 0x80000, 1, 0, XENMEMF_exact_node(5)), EBUSY,
          "populate on exact node 5 (offline): EBUSY");
    /* propagate_node(): node >= MAX_NUMNODES fails the whole op. */
    FAILS(populate(g->domid, 0x80000, 1, 0, XENMEMF_node(200)), EBUSY,
          "populate on node 200 (>= MAX_NUMNODES): EBUSY");
    /*
     * Node 1 has two aligned 1 GiB blocks: the 4K and 2M extents above
     * split one, the 1 GiB extent took the other.  No third one.
     */
    FAILS(populate(g->domid, 0x80000, 1, 18, XENMEMF_exact_node(1)), EBUSY,
          "populate another 1 GiB on exact node 1: EBUSY");
    free_delta(&f, 0, 0, "failed populates");

    /* decrease_reservation: exact extents, superpage splits, errors. */
    f = free_now();
    OK(decrease(g->domid, 0x400, 2, 9), "decrease 2 x order 9 on node 0");
    free_delta(&f, -1024, 0, "decrease order 9");
    f = free_now();
    OK(decrease(g->domid, 0x40000 + 0x200, 1, 9),
       "decrease 2 MiB out of the 1 GiB extent (splits it)");
    free_delta(&f, 0, -512, "decrease inside a 1 GiB extent");
    OK(decrease(g->domid, 0x40000 + 0x1000, 4, 0),
       "decrease 4 single pages out of the 1 GiB extent");
    FAILS(decrease(g->domid, 0x40000 + 0x1000, 1, 0), EINVAL,
          "decrease a page already gone: EINVAL");
    FAILS(decrease(g->domid, 0x90000, 1, 0), EINVAL,
          "decrease a gfn never populated: EINVAL");
    FAILS(decrease(g->domid, 0x80000, 1, 19), EINVAL,
          "decrease order 19: EINVAL");
    EQ(tot_pages(g->domid), 512 + 512 + 512 + 262144 - 512 - 4,
       "tot_pages after the decreases");
}

/* Node and vCPU affinity: placement follows them. */
static void test_affinity(struct hvm *g)
{
    uint8_t hard, soft, nodemap[8];
    struct freeinfo f;

    hard = soft = 0;
    OK(xc_vcpu_getaffinity(xch, g->domid, 0, &hard, &soft,
                           XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT),
       "vcpu_getaffinity vCPU 0 hard+soft");
    EQ(hard, 0x0f, "default hard affinity: all 4 CPUs");
    EQ(soft, 0x0f, "default soft affinity: all 4 CPUs");

    /* Xen answers with online & new hard affinity, in place. */
    hard = 0xff;
    OK(xc_vcpu_setaffinity(xch, g->domid, 0, &hard, NULL,
                           XEN_VCPUAFFINITY_HARD),
       "vcpu_setaffinity hard to 0xff");
    EQ(hard, 0x0f, "...answered as the 4 online CPUs");
    hard = 0;
    FAILS(xc_vcpu_setaffinity(xch, g->domid, 0, &hard, NULL,
                              XEN_VCPUAFFINITY_HARD), EINVAL,
          "vcpu_setaffinity to no CPU: EINVAL");
    hard = 0x30;
    FAILS(xc_vcpu_setaffinity(xch, g->domid, 0, &hard, NULL,
                              XEN_VCPUAFFINITY_HARD), EINVAL,
          "vcpu_setaffinity to CPUs 4-5 (beyond the host): EINVAL");
    hard = 0x0f;
    FAILS(xc_vcpu_setaffinity(xch, g->domid, 2, &hard, NULL,
                              XEN_VCPUAFFINITY_HARD), EINVAL,
          "vcpu_setaffinity of vCPU 2 (max_vcpus 2): EINVAL");
    FAILS(xc_vcpu_setaffinity(xch, g->domid, 0, &hard, NULL, 0), EINVAL,
          "vcpu_setaffinity with no flag: EINVAL");
    FAILS(xc_vcpu_setaffinity(xch, g->domid, 0, &hard, NULL,
                              XEN_VCPUAFFINITY_SOFT), EINVAL,
          "vcpu_setaffinity soft with a NULL soft map: EINVAL");

    /* Pin both vCPUs to node 1's CPUs: automatic node affinity follows. */
    for ( int v = 0; v < 2; v++ )
    {
        hard = 0x0c;
        OK(xc_vcpu_setaffinity(xch, g->domid, v, &hard, NULL,
                               XEN_VCPUAFFINITY_HARD),
           v ? "pin vCPU 1 to CPUs 2-3" : "pin vCPU 0 to CPUs 2-3");
    }
    hard = soft = 0;
    OK(xc_vcpu_getaffinity(xch, g->domid, 1, &hard, &soft,
                           XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT),
       "vcpu_getaffinity vCPU 1");
    tap(hard == 0x0c && soft == 0x0f, "vCPU 1: hard 0x0c, soft untouched",
        "hard %#x soft %#x", hard, soft);
    memset(nodemap, 0, sizeof(nodemap));
    OK(xc_domain_node_getaffinity(xch, g->domid, nodemap),
       "node_getaffinity");
    tap(!memcmp(nodemap, "\x02\0\0\0\0\0\0\0", 8),
        "automatic node affinity: node 1 (where the vCPUs may run)",
        "got %02x %02x", nodemap[0], nodemap[1]);
    f = free_now();
    OK(populate(g->domid, 0x3000, 64, 0, 0),
       "populate 64 pages without a node");
    free_delta(&f, 0, 64, "placement follows node affinity 1");

    /* An explicit node affinity. */
    memset(nodemap, 0, sizeof(nodemap));
    nodemap[0] = 0x01;
    OK(xc_domain_node_setaffinity(xch, g->domid, nodemap),
       "node_setaffinity node 0");
    memset(nodemap, 0, sizeof(nodemap));
    OK(xc_domain_node_getaffinity(xch, g->domid, nodemap),
       "node_getaffinity");
    EQ(nodemap[0], 0x01, "node affinity is node 0");
    f = free_now();
    OK(populate(g->domid, 0x3100, 1, 9, 0),
       "populate 2 MiB without a node");
    free_delta(&f, 512, 0, "placement follows node affinity 0");
    /* A node given explicitly (not exact) still wins over affinity. */
    f = free_now();
    OK(populate(g->domid, 0x3400, 8, 0, XENMEMF_node(1)),
       "populate 8 pages on node 1 (not exact)");
    free_delta(&f, 0, 8, "XENMEMF_node beats node affinity");

    memset(nodemap, 0, sizeof(nodemap));
    nodemap[0] = 0x20;
    FAILS(xc_domain_node_setaffinity(xch, g->domid, nodemap), EINVAL,
          "node_setaffinity to offline node 5 only: EINVAL");
    memset(nodemap, 0xff, sizeof(nodemap));
    OK(xc_domain_node_setaffinity(xch, g->domid, nodemap),
       "node_setaffinity all nodes (back to automatic)");
    memset(nodemap, 0, sizeof(nodemap));
    OK(xc_domain_node_getaffinity(xch, g->domid, nodemap),
       "node_getaffinity");
    EQ(nodemap[0], 0x02, "automatic again: node 1 from the pinned vCPUs");
    for ( int v = 0; v < 2; v++ )
    {
        hard = 0x0f;
        OK(xc_vcpu_setaffinity(xch, g->domid, v, &hard, NULL,
                               XEN_VCPUAFFINITY_HARD),
           v ? "unpin vCPU 1" : "unpin vCPU 0");
    }
    memset(nodemap, 0, sizeof(nodemap));
    OK(xc_domain_node_getaffinity(xch, g->domid, nodemap),
       "node_getaffinity");
    EQ(nodemap[0], 0x03, "unpinned: nodes 0 and 1");

    /* Soft affinity narrows automatic node affinity too. */
    soft = 0x03;
    OK(xc_vcpu_setaffinity(xch, g->domid, 0, NULL, &soft,
                           XEN_VCPUAFFINITY_SOFT),
       "vcpu_setaffinity soft vCPU 0 to CPUs 0-1");
    EQ(soft, 0x03, "...answered as soft & hard & online");
    soft = 0x03;
    OK(xc_vcpu_setaffinity(xch, g->domid, 1, NULL, &soft,
                           XEN_VCPUAFFINITY_SOFT),
       "vcpu_setaffinity soft vCPU 1 to CPUs 0-1");
    memset(nodemap, 0, sizeof(nodemap));
    OK(xc_domain_node_getaffinity(xch, g->domid, nodemap),
       "node_getaffinity");
    EQ(nodemap[0], 0x01, "soft affinity on node 0: node affinity node 0");
    soft = 0x0f;
    OK(xc_vcpu_setaffinity(xch, g->domid, 0, NULL, &soft,
                           XEN_VCPUAFFINITY_SOFT), "reset soft vCPU 0");
    soft = 0x0f;
    OK(xc_vcpu_setaffinity(xch, g->domid, 1, NULL, &soft,
                           XEN_VCPUAFFINITY_SOFT), "reset soft vCPU 1");
}

/* xc_map_foreign_range/pages/bulk over the HVM domain's RAM. */
static sigjmp_buf segv_jmp;
static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(segv_jmp, 1);
}

/* Does writing *p fault?  (The store happens in this process.) */
static bool write_faults(volatile uint8_t *p)
{
    struct sigaction sa = { .sa_handler = on_segv }, old_segv, old_bus;
    bool faulted;

    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
    if ( sigsetjmp(segv_jmp, 1) == 0 )
    {
        *p = 0x5a;
        faulted = false;
    }
    else
        faulted = true;
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    return faulted;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for ( size_t i = 0; i < n; i++ )
        if ( p[i] )
            return false;
    return true;
}

static void test_foreign_map(struct hvm *g)
{
    uint8_t *rw, *ro, *two, *big;
    xen_pfn_t arr[4];
    int err[4];

    /* gfn 0x100 is an order-0 page on node 1; 0x40000 the 1 GiB extent. */
    rw = xc_map_foreign_range(xch, g->domid, PAGE, PROT_READ | PROT_WRITE,
                              0x100);
    if ( !tap(rw != NULL, "map_foreign_range RW of a populated gfn",
              "errno %d (%s)", errno, strerror(errno)) )
        return;
    tap(all_zero(rw, PAGE), "a freshly populated page reads as zeros",
        "not zero");
    memset(rw, 0xc3, PAGE);
    strcpy((char *)rw + 100, "written through the RW mapping");

    ro = xc_map_foreign_range(xch, g->domid, PAGE, PROT_READ, 0x100);
    if ( tap(ro != NULL, "map_foreign_range RO of the same gfn",
             "errno %d (%s)", errno, strerror(errno)) )
    {
        tap(ro != rw && !strcmp((char *)ro + 100,
                                "written through the RW mapping") &&
            ro[0] == 0xc3 && ro[PAGE - 1] == 0xc3,
            "the RO mapping reads what the RW mapping wrote", "differs");
        rw[7] = 0x11;
        EQ(ro[7], 0x11, "a later write shows through the other mapping");
        tap(write_faults(ro), "writing through the RO mapping faults",
            "the write went through");
        EQ(munmap(ro, PAGE), 0, "munmap the RO mapping");
    }
    EQ(munmap(rw, PAGE), 0, "munmap the RW mapping");
    ro = xc_map_foreign_range(xch, g->domid, PAGE, PROT_READ, 0x100);
    if ( tap(ro != NULL, "map the gfn again after both munmaps",
             "errno %d (%s)", errno, strerror(errno)) )
    {
        tap(ro[7] == 0x11 && !strcmp((char *)ro + 100,
                                     "written through the RW mapping"),
            "the data is still in guest RAM", "lost");
        munmap(ro, PAGE);
    }

    /* Several pages, across extents. */
    two = xc_map_foreign_range(xch, g->domid, 2 * PAGE, PROT_READ | PROT_WRITE,
                               0x100 + 510);
    if ( tap(two != NULL, "map_foreign_range 2 pages", "errno %d (%s)", errno,
             strerror(errno)) )
    {
        two[PAGE] = 0x77;
        ro = xc_map_foreign_range(xch, g->domid, PAGE, PROT_READ,
                                  0x100 + 511);
        tap(ro && ro[0] == 0x77, "its second page is gfn + 1",
            "ro %p", (void *)ro);
        if ( ro )
            munmap(ro, PAGE);
        munmap(two, 2 * PAGE);
    }
    big = xc_map_foreign_range(xch, g->domid, 4 * PAGE, PROT_READ | PROT_WRITE,
                               0x40000 + 0x12345);
    if ( tap(big != NULL, "map 4 pages inside the 1 GiB extent",
             "errno %d (%s)", errno, strerror(errno)) )
    {
        tap(all_zero(big, 4 * PAGE), "they read as zeros", "not zero");
        big[3 * PAGE + 5] = 0x99;
        ro = xc_map_foreign_range(xch, g->domid, PAGE, PROT_READ,
                                  0x40000 + 0x12348);
        tap(ro && ro[5] == 0x99, "read back through a one-page mapping",
            "ro %p", (void *)ro);
        if ( ro )
            munmap(ro, PAGE);
        munmap(big, 4 * PAGE);
    }

    /* Failures: any bad page fails the whole map (err == NULL). */
    errno = 0;
    ro = xc_map_foreign_range(xch, g->domid, PAGE, PROT_READ, 0x90000);
    tap(!ro && errno == EINVAL,
        "map an unpopulated gfn: NULL, EINVAL (mod_l1_entry, no page)",
        "got %p errno %d (%s)", (void *)ro, errno, strerror(errno));
    errno = 0;
    /* 0x200-0x3ff are populated, 0x400-0x7ff were given back. */
    ro = xc_map_foreign_range(xch, g->domid, 2 * PAGE, PROT_READ, 0x3ff);
    tap(!ro && errno == EINVAL,
        "map a range ending in an unpopulated gfn: NULL, EINVAL",
        "got %p errno %d (%s)", (void *)ro, errno, strerror(errno));
    errno = 0;
    ro = xc_map_foreign_range(xch, g->domid, PAGE, PROT_READ, 0x40000 + 0x1000);
    tap(!ro && errno == EINVAL, "map a decreased gfn: NULL, EINVAL",
        "got %p errno %d (%s)", (void *)ro, errno, strerror(errno));
    errno = 0;
    ro = xc_map_foreign_range(xch, g->domid, PAGE, PROT_READ, 1UL << 40);
    tap(!ro && errno == EINVAL, "map a gfn beyond the p2m (2^40): EINVAL",
        "got %p errno %d (%s)", (void *)ro, errno, strerror(errno));

    /* xc_map_foreign_bulk: per-page errors, the good pages mapped. */
    arr[0] = 0x100;
    arr[1] = 0x90000;
    arr[2] = 0x40000 + 0x12348;
    arr[3] = 0x40000 + 0x1000;
    memset(err, 0x55, sizeof(err));
    ro = xc_map_foreign_bulk(xch, g->domid, PROT_READ, arr, err, 4);
    if ( tap(ro != NULL, "map_foreign_bulk with 2 bad pages of 4",
             "errno %d (%s)", errno, strerror(errno)) )
    {
        tap(err[0] == 0 && err[1] == -EINVAL && err[2] == 0 &&
            err[3] == -EINVAL, "bulk errors: 0 -EINVAL 0 -EINVAL",
            "got %d %d %d %d", err[0], err[1], err[2], err[3]);
        tap(ro[7] == 0x11 && ro[2 * PAGE + 5] == 0x99,
            "bulk: the good pages are mapped", "wrong data");
        munmap(ro, 4 * PAGE);
    }
}

static void test_getinfolist(const struct hvm *g, uint32_t pv)
{
    xc_domaininfo_t info[16];
    int n, i;
    bool seen_hvm = false, seen_pv = false, sorted = true;

    memset(info, 0, sizeof(info));
    n = xc_domain_getinfolist(xch, 0, 16, info);
    tap(n >= 3, "getinfolist from 0: dom0 and both test domains",
        "got %d", n);
    if ( n < 1 )
        return;
    EQ(info[0].domain, 0, "getinfolist: dom0 first");
    for ( i = 0; i < n; i++ )
    {
        if ( i && info[i].domain <= info[i - 1].domain )
            sorted = false;
        if ( info[i].domain == g->domid )
            seen_hvm = !!(info[i].flags & XEN_DOMINF_hvm_guest);
        if ( info[i].domain == pv )
            seen_pv = !(info[i].flags & XEN_DOMINF_hvm_guest);
    }
    tap(sorted, "getinfolist: ascending domids", "not sorted");
    tap(seen_hvm && seen_pv, "getinfolist: the HVM and the PV domain, flagged",
        "hvm %d pv %d", seen_hvm, seen_pv);
    n = xc_domain_getinfolist(xch, g->domid < pv ? g->domid + 1 : pv + 1, 1,
                              info);
    tap(n == 1 && info[0].domain == (g->domid < pv ? pv : g->domid),
        "getinfolist from a free id starts at the next domain",
        "n %d domain %u", n, info[0].domain);

    /* XEN_DOMCTL_getdomaininfo: the first domain at or above the id. */
    {
        xc_dominfo_t di[2];

        memset(di, 0, sizeof(di));
        n = xc_domain_getinfo(xch, g->domid, 1, di);
        tap(n == 1 && di[0].domid == g->domid && di[0].hvm && di[0].hap &&
            di[0].paused && !di[0].dying && di[0].max_vcpu_id == 1 &&
            di[0].nr_pages == tot_pages(g->domid) &&
            di[0].max_memkb == HOST_PAGES * 2 * KB_PER_PAGE,
            "getinfo of the HVM domain: hvm, hap, paused, its pages, "
            "max_memkb", "n %d domid %u hvm %u hap %u paused %u max_vcpu_id "
            "%u nr_pages %lu max_memkb %lu", n, di[0].domid, di[0].hvm,
            di[0].hap, di[0].paused, di[0].max_vcpu_id, di[0].nr_pages,
            (unsigned long)di[0].max_memkb);
        n = xc_domain_getinfo(xch, g->domid < pv ? g->domid + 1 : pv + 1, 1,
                              di);
        tap(n == 1 && di[0].domid == (g->domid < pv ? pv : g->domid),
            "getinfo of a free id answers for the next domain",
            "n %d domid %u", n, di[0].domid);
        FAILS(xc_domain_getinfo(xch, UNUSED_DOMID, 1, di), ESRCH,
              "getinfo above every domain: ESRCH");
        FAILS(xc_domain_getinfo(xch, DOMID_FIRST_RESERVED, 1, di), EINVAL,
              "getinfo of a reserved id: EINVAL");
    }
}

/* PV: populate writes MFNs back; the MFN shows which node was used. */
static uint32_t test_pv(void)
{
    struct xen_domctl_createdomain c = pv_config(1);
    xc_domaininfo_t info;
    xen_pfn_t l[4];
    uint32_t domid = 0;
    uint8_t *p;

    if ( !OK(xc_domain_create(xch, &domid, &c), "createdomain PV") )
        return 0;
    /* arch_sanitise_domain_config(): oos_off only means something to HVM. */
    EQ(c.flags, XEN_DOMCTL_CDF_oos_off,
       "createdomain PV: config comes back with oos_off");
    if ( dominfo(domid, &info) )
        EQ(info.flags & (XEN_DOMINF_hvm_guest | XEN_DOMINF_hap |
                         XEN_DOMINF_paused), XEN_DOMINF_paused,
           "new PV domain: not hvm_guest, not hap, paused");
    OK(xc_domain_max_vcpus(xch, domid, 1), "PV max_vcpus 1");
    OK(xc_domain_setmaxmem(xch, domid, 8192 * KB_PER_PAGE),
       "PV setmaxmem 32 MiB");

    l[0] = 0;
    l[1] = 512;
    OK(xc_domain_populate_physmap_exact(xch, domid, 2, 9,
                                        XENMEMF_exact_node(1), l),
       "PV populate 2 x order 9 on exact node 1");
    tap(l[0] >= NODE1_FIRST_MFN && l[0] < NODE1_FIRST_MFN + NODE_PAGES &&
        l[1] >= NODE1_FIRST_MFN && l[1] < NODE1_FIRST_MFN + NODE_PAGES &&
        !(l[0] & 511) && !(l[1] & 511) && l[0] != l[1],
        "PV populate returns 2M-aligned MFNs on node 1 (4G-6G)",
        "mfns %#lx %#lx", (unsigned long)l[0], (unsigned long)l[1]);
    l[2] = 1024;
    OK(xc_domain_populate_physmap_exact(xch, domid, 1, 0,
                                        XENMEMF_exact_node(0), &l[2]),
       "PV populate 1 page on exact node 0");
    tap(l[2] < NODE_PAGES, "...its MFN is on node 0 (0-2G)", "mfn %#lx",
        (unsigned long)l[2]);
    EQ(tot_pages(domid), 1025, "PV tot_pages 1025");

    /* For PV the frame number to map is the MFN. */
    p = xc_map_foreign_range(xch, domid, PAGE, PROT_READ | PROT_WRITE, l[2]);
    if ( tap(p != NULL, "map the PV domain's page by MFN", "errno %d (%s)",
             errno, strerror(errno)) )
    {
        tap(all_zero(p, PAGE), "it reads as zeros", "not zero");
        munmap(p, PAGE);
    }

    /* decrease_reservation takes MFNs from a PV domain. */
    OK(xc_domain_decrease_reservation_exact(xch, domid, 1, 9, &l[1]),
       "PV decrease_reservation an order-9 MFN");
    EQ(tot_pages(domid), 513, "PV tot_pages 513");

    /* get_page_from_l1e(): a page d does not own cannot be pinned. */
    errno = 0;
    p = xc_map_foreign_range(xch, domid, PAGE, PROT_READ, l[1]);
    tap(!p && errno == EBUSY, "map an MFN the PV domain gave back: EBUSY",
        "got %p errno %d (%s)", (void *)p, errno, strerror(errno));
    /* ...and a frame that is not RAM is MMIO a domU may not map. */
    errno = 0;
    p = xc_map_foreign_range(xch, domid, PAGE, PROT_READ, 0x200000);
    tap(!p && errno == EPERM, "map an MFN beyond RAM (8 GiB): EPERM",
        "got %p errno %d (%s)", (void *)p, errno, strerror(errno));
    return domid;
}

static void test_destroy(struct hvm *g, uint32_t pv,
                         const struct freeinfo *boot)
{
    xc_domaininfo_t info;
    struct freeinfo now;

    FAILS(xc_domain_destroy(xch, 0), EINVAL,
          "destroy dom0 (the caller itself): EINVAL");
    OK(xc_domain_destroy(xch, g->domid), "destroy the HVM domain");
    FAILS(xc_domain_destroy(xch, g->domid), ESRCH,
          "destroy it again: ESRCH");
    tap(!dominfo(g->domid, &info), "getinfolist no longer lists it",
        "still there");
    FAILS(xc_domain_setmaxmem(xch, g->domid, 1024), ESRCH,
          "setmaxmem of the destroyed domain: ESRCH");
    errno = 0;
    {
        void *p = xc_map_foreign_range(xch, g->domid, PAGE, PROT_READ, 0x100);

        tap(!p && errno == ESRCH, "foreign map of the destroyed domain: ESRCH",
            "got %p errno %d", p, errno);
    }
    if ( pv )
    {
        OK(xc_domain_destroy(xch, pv), "destroy the PV domain");
        FAILS(xc_domain_destroy(xch, pv), ESRCH, "destroy it again: ESRCH");
    }
    now = free_now();
    tap(now.total == boot->total && now.node[0] == boot->node[0] &&
        now.node[1] == boot->node[1] && now.outstanding == 0,
        "every page is free again, per node, and no claim is left",
        "free %" PRIu64 " (boot %" PRIu64 "), node 0 %" PRIu64 " (%" PRIu64
        "), node 1 %" PRIu64 " (%" PRIu64 "), outstanding %" PRIu64,
        now.total, boot->total, now.node[0], boot->node[0], now.node[1],
        boot->node[1], now.outstanding);
}

/* The hypervisor outlives a client's handles: close, reopen, look. */
static void test_reopen(const struct hvm *g)
{
    xc_domaininfo_t info;

    OK(xc_interface_close(xch), "xc_interface_close");
    xch = xc_interface_open(logger, NULL, 0);
    if ( !tap(xch != NULL, "xc_interface_open again", "errno %d (%s)", errno,
              strerror(errno)) )
        exit(done_testing());
    tap(dominfo(g->domid, &info) && info.tot_pages > 0,
        "the HVM domain and its pages are still there", "gone");
}

static int conformance(void)
{
    struct freeinfo boot;
    struct hvm g;
    uint32_t pv;

    test_version();
    test_physinfo(&boot);
    test_numainfo(&boot);
    test_create_errors();
    test_unknown_domain();
    test_hvm_create(&g);
    test_maxmem_and_claims(&g);
    test_claim_fences(&g);
    test_populate_placement(&g);
    test_affinity(&g);
    test_foreign_map(&g);
    pv = test_pv();
    test_reopen(&g);
    test_getinfolist(&g, pv);
    test_destroy(&g, pv, &boot);
    return done_testing();
}

/* ------------------------------------------------------------------ */
/* The daemon tests' helpers                                           */

static int baseline(void)
{
    struct freeinfo f = free_now();

    tap(f.total != ~0ULL && f.node[0] != ~0ULL && f.node[1] != ~0ULL,
        "physinfo and numainfo answer", "no answer");
    EQ(f.outstanding, 0, "no claim outstanding");
    printf("# baseline %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", f.total,
           f.node[0], f.node[1]);
    return done_testing();
}

/*
 * Never returns: a client doing real work until it is killed.  Each round
 * creates a domain, claims, then populates, maps and gives back memory
 * many times before destroying it, so that a kill most likely leaves a
 * domain with pages and a claim behind (or lands inside a hypercall).
 */
static int churn(void)
{
    for ( unsigned long round = 1; ; round++ )
    {
        struct xen_domctl_createdomain c = hvm_config(2);
        uint32_t domid = 0;
        uint8_t *p;

        if ( xc_domain_create(xch, &domid, &c) ||
             xc_domain_max_vcpus(xch, domid, 2) ||
             xc_domain_setmaxmem(xch, domid, 65536 * KB_PER_PAGE) ||
             xc_domain_claim_pages(xch, domid, 16384) )
            goto fail;
        for ( unsigned int i = 0; i < 16; i++ )
        {
            if ( populate(domid, 0, 1024, 0, XENMEMF_exact_node(i & 1)) ||
                 populate(domid, 0x1000, 4, 9, 0) )
                goto fail;
            p = xc_map_foreign_range(xch, domid, 16 * PAGE,
                                     PROT_READ | PROT_WRITE, 0x1000);
            if ( !p )
                goto fail;
            memset(p, (int)round, 16 * PAGE);
            munmap(p, 16 * PAGE);
            if ( decrease(domid, 0, 1024, 0) || decrease(domid, 0x1000, 4, 9) )
                goto fail;
        }
        if ( xc_domain_destroy(xch, domid) )
            goto fail;
        printf("churn %lu\n", round);
        fflush(stdout);
        continue;
 fail:
        fprintf(stderr, "churn: round %lu failed: %s\n", round,
                strerror(errno));
        return 1;
    }
}

static int audit(uint64_t want_total, uint64_t want0, uint64_t want1)
{
    xc_domaininfo_t info[64];
    struct freeinfo f;
    unsigned int left = 0;
    int n;

    EQ(xc_version(xch, XENVER_version, NULL), (4 << 16) | 17,
       "the hypervisor still answers");
    n = xc_domain_getinfolist(xch, 0, 64, info);
    tap(n >= 1 && info[0].domain == 0, "getinfolist lists dom0", "n %d", n);
    {
        uint64_t claimed = 0;

        for ( int i = 0; i < n; i++ )
            claimed += info[i].outstanding_pages;
        EQ(free_now().outstanding, claimed,
           "physinfo's outstanding claims are the domains' claims");
    }
    for ( int i = 1; i < n; i++ )
    {
        if ( xc_domain_destroy(xch, info[i].domain) )
            tap(false, "destroy a domain left behind", "d%u: %s",
                info[i].domain, strerror(errno));
        left++;
    }
    tap(left <= 1, "at most one domain was left behind (the killed client's)",
        "%u", left);
    printf("# destroyed %u domain(s) left behind\n", left);
    EQ(xc_domain_getinfolist(xch, 0, 64, info), 1, "only dom0 is left");
    f = free_now();
    EQ(f.outstanding, 0, "no claim outstanding");
    EQ(f.total, want_total, "free pages are what they were before (none lost)");
    EQ(f.node[0], want0, "node 0 free pages as before");
    EQ(f.node[1], want1, "node 1 free pages as before");
    return done_testing();
}

int main(int argc, char **argv)
{
    xentoollog_logger_stdiostream *log;
    const char *mode = argc > 1 ? argv[1] : "conformance";

    /* libxenctrl logs every failing hypercall; the errors here are wanted. */
    log = xtl_createlogger_stdiostream(stderr, getenv("XC_CONFORMANCE_VERBOSE")
                                       ? XTL_DEBUG : XTL_CRITICAL, 0);
    logger = (xentoollog_logger *)log;
    xch = xc_interface_open(logger, NULL, 0);
    if ( !tap(xch != NULL, "xc_interface_open", "errno %d (%s)", errno,
              strerror(errno)) )
        return done_testing();

    if ( !strcmp(mode, "conformance") )
        return conformance();
    if ( !strcmp(mode, "baseline") )
        return baseline();
    if ( !strcmp(mode, "churn") )
        return churn();
    if ( !strcmp(mode, "audit") && argc == 5 )
        return audit(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0),
                     strtoull(argv[4], NULL, 0));
    fprintf(stderr, "usage: %s [conformance | baseline | churn | "
            "audit FREE NODE0 NODE1]\n", argv[0]);
    return 2;
}
