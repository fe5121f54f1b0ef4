/*
 * dropins.c - the helpers of dropins.h, and the child jobs the tests run
 * in processes of their own (a client that dies holding ports or grants).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/memory.h>

#include "dropins.h"

#define MiB (1ULL << 20)
#define CHILD_ENV "XENMM_DROPIN_CHILD"
#define ARG_ENV   "XENMM_DROPIN_ARG"

static xc_interface *xch;
static xenforeignmemory_handle *fmem;

xc_interface *dt_xch(void)
{
    if ( !xch )
        xch = xc_interface_open(NULL, NULL, 0);
    if ( !xch )
    {
        printf("Bail out! xc_interface_open: %s\n", strerror(errno));
        exit(1);
    }
    return xch;
}

xenforeignmemory_handle *dt_fmem(void)
{
    if ( !fmem )
        fmem = xenforeignmemory_open(NULL, 0);
    if ( !fmem )
    {
        printf("Bail out! xenforeignmemory_open: %s\n", strerror(errno));
        exit(1);
    }
    return fmem;
}

bool dt_daemon_mode(void)
{
    const char *s = getenv("XENMM_INPROCESS");

    return !s || !*s;
}

uint32_t dt_new_guest(unsigned int max_vcpus, const xen_pfn_t *gfns,
                      unsigned int nr)
{
    struct xen_domctl_createdomain cfg = {
        .flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap,
        .max_vcpus = max_vcpus,
        .max_evtchn_port = 1023,
        .max_grant_frames = 4,
        .max_maptrack_frames = 1024,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
        .arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI,
    };
    uint32_t domid = 0;

    REQUIRE(xc_domain_create(dt_xch(), &domid, &cfg) == 0);
    REQUIRE(xc_domain_max_vcpus(dt_xch(), domid, max_vcpus) == 0);
    REQUIRE(xc_domain_setmaxmem(dt_xch(), domid, 64 * 1024) == 0);
    for ( unsigned int i = 0; i < nr; i++ )
    {
        xen_pfn_t gfn = gfns[i];

        REQUIRE(xc_domain_populate_physmap_exact(dt_xch(), domid, 1, 0, 0,
                                                 &gfn) == 0);
    }
    return domid;
}

void dt_destroy(uint32_t domid)
{
    CHECK_EQ(xc_domain_destroy(dt_xch(), domid), 0);
}

/* The shared grant frame holding ref. */
static grant_entry_v1_t *grant_frame(uint32_t domid, uint32_t ref,
                                     xenforeignmemory_resource_handle **fres)
{
    void *addr = NULL;

    *fres = xenforeignmemory_map_resource(
        dt_fmem(), domid, XENMEM_resource_grant_table,
        XENMEM_resource_grant_table_id_shared,
        ref / (XC_PAGE_SIZE / sizeof(grant_entry_v1_t)), 1, &addr,
        PROT_READ | PROT_WRITE, 0);
    REQUIRE(*fres);
    return (grant_entry_v1_t *)addr +
           ref % (XC_PAGE_SIZE / sizeof(grant_entry_v1_t));
}

void dt_grant_set(uint32_t domid, uint32_t ref, uint16_t flags,
                  domid_t grantee, uint32_t frame)
{
    xenforeignmemory_resource_handle *fres;
    grant_entry_v1_t *e = grant_frame(domid, ref, &fres);

    /* As a guest grants: frame and grantee first, then the flags. */
    e->domid = grantee;
    e->frame = frame;
    __atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
    xenforeignmemory_unmap_resource(dt_fmem(), fres);
}

uint16_t dt_grant_flags(uint32_t domid, uint32_t ref)
{
    xenforeignmemory_resource_handle *fres;
    grant_entry_v1_t *e = grant_frame(domid, ref, &fres);
    uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);

    xenforeignmemory_unmap_resource(dt_fmem(), fres);
    return flags;
}

uint8_t *dt_map_gfn(uint32_t domid, xen_pfn_t gfn)
{
    return xenforeignmemory_map(dt_fmem(), domid, PROT_READ | PROT_WRITE, 1,
                                &gfn, NULL);
}

void dt_unmap(void *p)
{
    xenforeignmemory_unmap(dt_fmem(), p, 1);
}

int dt_port_state(uint32_t dom, uint32_t port)
{
    xc_evtchn_status_t st = { .dom = (domid_t)dom, .port = port };

    if ( xc_evtchn_status(dt_xch(), &st) )
        return -errno;
    return (int)st.status;
}

bool dt_readable(int fd, int ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };

    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

int dt_run_child(const char *job, const char *arg, char *out, size_t len)
{
    int pfd[2], status = -1;
    size_t got = 0;
    pid_t pid;

    fflush(stdout);
    if ( pipe(pfd) )
        return -1;
    pid = fork();
    if ( pid == 0 )
    {
        dup2(pfd[1], 1);
        close(pfd[0]);
        setenv(CHILD_ENV, job, 1);
        setenv(ARG_ENV, arg, 1);
        execl("/proc/self/exe", "xenmm-dropin-child", (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    while ( got + 1 < len )
    {
        ssize_t n = read(pfd[0], out + got, len - 1 - got);

        if ( n <= 0 )
            break;
        got += (size_t)n;
    }
    out[got] = '\0';
    close(pfd[0]);
    if ( pid > 0 )
        waitpid(pid, &status, 0);
    return status;
}

/*
 * The child's jobs.  Each prints one line and exits without closing
 * anything: the hypervisor must clean up after it.
 *   evtchn-bind  ARG=remote domid: bind an unbound port, print it
 *   gnttab-map   ARG=domid:ref: map the grant, print its first byte
 */
__attribute__((constructor)) static void dt_child_job(void)
{
    const char *job = getenv(CHILD_ENV), *arg = getenv(ARG_ENV);

    if ( !job || !arg )
        return;
    if ( !strcmp(job, "evtchn-bind") )
    {
        xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
        int port = xce ? xenevtchn_bind_unbound_port(xce, atoi(arg)) : -1;

        printf("%d\n", port);
    }
    else if ( !strcmp(job, "gnttab-map") )
    {
        xengnttab_handle *xgt = xengnttab_open(NULL, 0);
        unsigned int domid = 0, ref = 0;
        uint8_t *p = NULL;

        if ( xgt && sscanf(arg, "%u:%u", &domid, &ref) == 2 )
            p = xengnttab_map_grant_ref(xgt, domid, ref, PROT_READ);
        printf("%d\n", p ? p[0] : -errno);
    }
    fflush(stdout);
    _exit(0);
}
