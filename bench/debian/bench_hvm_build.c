/*
 * bench_hvm_build.c - how long Debian's libxenguest takes to build an HVM
 * guest on xenmm, driven as libxl 4.17 drives it (the sequence of
 * tests/debian/build_hvm.c, without its checks): createdomain through
 * xc_cpuid_apply_policy, the libxenguest build with hvmloader, libxl's
 * memory map and hvm_info, the unpause; then the destroy.
 *
 *   bench_hvm_build [-r RUNS] [-m MIB] HVMLOADER
 *
 * Where the hypervisor is comes from the environment, as for any program
 * on the drop-in libraries: XENMM_INPROCESS=<spec> hosts the core in this
 * process, XENMM_SOCKET=<path> talks to a running xenmmd.  The first
 * build (on a host nobody has used: no dirty memory to scrub) is reported
 * on its own, then RUNS (default 5) more; prints CSV
 *   workload,case,metric,unit,best,median,runs
 * (times in ms, CLOCK_MONOTONIC), and never asserts a timing: it exits
 * non-zero only when a step of a build fails.
 */
#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenguest.h>
#include <xentoollog.h>
#include <xen/hvm/hvm_info_table.h>
#include <xen/hvm/params.h>

#define GB(n)          ((uint64_t)(n) << 30)
#define MMIO_SIZE      (256ULL << 20)
#define VCPUS          8
#define MAX_RUNS       15

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#define STEP(call)                                                        \
    do {                                                                  \
        if ( (call) )                                                     \
        {                                                                 \
            fprintf(stderr, "bench_hvm_build: %s failed\n", #call);       \
            return -1;                                                    \
        }                                                                 \
    } while ( 0 )

/* libxl__domain_make + libxl__build_pre + libxl__build_hvm + unpause. */
static int build(xc_interface *xch, const char *hvmloader, unsigned int mib,
                 uint32_t *domid)
{
    struct xen_domctl_createdomain cfg = {
        .flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap,
        .max_vcpus = VCPUS, .max_evtchn_port = 1023,
        .max_grant_frames = -1, .max_maptrack_frames = -1,
        .grant_opts = XEN_DOMCTL_GRANT_version(2),
        .arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI,
    };
    uint64_t mem = (uint64_t)mib << 20, low = mem, high = 0;
    uint64_t mmio_start = GB(4) - MMIO_SIZE;
    struct e820entry e820[2] = {
        { 0x100000, 0, 1 }, { GB(4), 0, 1 },
    };
    struct xc_dom_image *dom;
    struct hvm_info_table *t;
    uint8_t *va, sum = 0;
    int store, console, rc = -1;
    unsigned int i;

    if ( low > mmio_start )
    {
        high = GB(4) + (low - mmio_start);
        low = mmio_start;
    }
    *domid = 0;
    STEP(xc_domain_create(xch, domid, &cfg));
    STEP(xc_domain_max_vcpus(xch, *domid, VCPUS));
    STEP(xc_domain_setmaxmem(xch, *domid, ((uint64_t)mib << 10) + 1024));
    store = xc_evtchn_alloc_unbound(xch, *domid, 0);
    console = xc_evtchn_alloc_unbound(xch, *domid, 0);
    if ( store < 0 || console < 0 )
        return -1;
    STEP(xc_hvm_param_set(xch, *domid, HVM_PARAM_HPET_ENABLED, 1));
    STEP(xc_hvm_param_set(xch, *domid, HVM_PARAM_VPT_ALIGN, 1));
    STEP(xc_hvm_param_set(xch, *domid, HVM_PARAM_TIMER_MODE, 1));
    STEP(xc_hvm_param_set(xch, *domid, HVM_PARAM_ALTP2M, 0));
    STEP(xc_domain_set_tsc_info(xch, *domid, 0, 0, 0, 0));
    STEP(xc_set_paging_mempool_size(xch, *domid,
                                    (uint64_t)4 * (256 * VCPUS + mib) << 10));
    STEP(xc_cpuid_apply_policy(xch, *domid, false, NULL, 0, true, false,
                               false, NULL, NULL));

    if ( (dom = xc_dom_allocate(xch, NULL, NULL)) == NULL )
        return -1;
    dom->container_type = XC_DOM_HVM_CONTAINER;
    dom->target_pages = mem >> 12;
    dom->claim_enabled = 1;
    dom->mmio_size = MMIO_SIZE;
    dom->mmio_start = mmio_start;
    dom->lowmem_end = low;
    dom->highmem_end = high;
    dom->vga_hole_size = 0x20;
    dom->device_model = true;
    dom->max_vcpus = VCPUS;
    dom->console_evtchn = console;
    dom->xenstore_evtchn = store;
    e820[0].size = low - 0x100000;
    e820[1].size = high ? high - GB(4) : 0;
    if ( xc_dom_kernel_file(dom, hvmloader) ||
         xc_dom_boot_xen_init(dom, xch, *domid) || xc_dom_parse_image(dom) ||
         xc_dom_mem_init(dom, mib) || xc_dom_boot_mem_init(dom) ||
         xc_domain_set_memory_map(xch, *domid, e820, high ? 2 : 1) ||
         (dom->e820 = e820, dom->e820_entries = high ? 2 : 1, 0) ||
         xc_dom_build_image(dom) || xc_dom_boot_image(dom) ||
         xc_dom_gnttab_init(dom) )
    {
        fprintf(stderr, "bench_hvm_build: the libxenguest build failed\n");
        goto out;
    }
    va = xc_map_foreign_range(xch, *domid, 4096, PROT_READ | PROT_WRITE,
                              HVM_INFO_PFN);
    if ( !va )
        goto out;
    t = (void *)(va + HVM_INFO_OFFSET);
    t->nr_vcpus = VCPUS;
    t->vcpu_online[0] = 0xff;
    for ( i = 0; i < t->length; i++ )
        sum += ((uint8_t *)t)[i];
    t->checksum -= sum;
    munmap(va, 4096);
    rc = xc_domain_unpause(xch, *domid);
 out:
    xc_dom_release(dom);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void report(const char *metric, double *v, unsigned int n,
                   unsigned int mib)
{
    qsort(v, n, sizeof(*v), cmp_double);
    printf("hvm_build,%uMiB,%s,ms,%.1f,%.1f,%u\n", mib, metric, v[0],
           v[n / 2], n);
}

int main(int argc, char **argv)
{
    double t_build[MAX_RUNS], t_destroy[MAX_RUNS];
    unsigned int runs = 5, mib = 65536, r;
    const char *mode = getenv("XENMM_INPROCESS");
    xentoollog_logger *lg;
    xc_interface *xch;
    uint32_t domid;
    int opt;

    while ( (opt = getopt(argc, argv, "r:m:")) != -1 )
    {
        if ( opt == 'r' )
            runs = strtoul(optarg, NULL, 0);
        else if ( opt == 'm' )
            mib = strtoul(optarg, NULL, 0);
        else
            return 2;
    }
    if ( optind >= argc || runs < 1 || runs > MAX_RUNS )
    {
        fprintf(stderr, "usage: %s [-r RUNS (1..%d)] [-m MIB] HVMLOADER\n",
                argv[0], MAX_RUNS);
        return 2;
    }
    /* Critical messages only: a failing step says so itself. */
    lg = (xentoollog_logger *)xtl_createlogger_stdiostream(stderr,
                                                            XTL_CRITICAL, 0);
    if ( (xch = xc_interface_open(lg, lg, 0)) == NULL )
        return 1;
    printf("# %s, %u MiB, %u vCPUs\n", mode && *mode ?
           "in-process (XENMM_INPROCESS)" : "through xenmmd (XENMM_SOCKET)",
           mib, VCPUS);
    printf("workload,case,metric,unit,best,median,runs\n");
    for ( r = 0; r <= runs; r++ )
    {
        double t0 = now_ms(), t1, t2;

        if ( build(xch, argv[optind], mib, &domid) )
            return 1;
        t1 = now_ms();
        if ( xc_domain_destroy(xch, domid) )
            return 1;
        t2 = now_ms();
        if ( r == 0 )
        {
            /* The first build meets a clean heap; later ones scrub. */
            printf("hvm_build,%uMiB,first create+build,ms,%.1f,%.1f,1\n",
                   mib, t1 - t0, t1 - t0);
            continue;
        }
        t_build[r - 1] = t1 - t0;
        t_destroy[r - 1] = t2 - t1;
    }
    report("create+build", t_build, runs, mib);
    report("destroy", t_destroy, runs, mib);
    xc_interface_close(xch);
    xtl_logger_destroy(lg);
    return 0;
}
