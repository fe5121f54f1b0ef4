/*
 * domain.c - one VM start as xenopsd does it (ocaml/xenopsd/xc/domain.ml,
 * xen-toolstack.md §4.1), through Debian's libxenctrl and libxenstore:
 *
 * Domain.make: XEN_DOMCTL_createdomain with the 4.17 structure xenopsd
 *   fills (HVM and PVH: CDF_hvm | CDF_hap; emulation flags: all but vPCI
 *   for HVM, the LAPIC for PVH, as libxl; max_evtchn_port -1,
 *   max_grant_frames 64, max_maptrack_frames 0, the newest grant version
 *   the host has), then the xenstore tree: /local/domain/<domid> (read-only
 *   to the guest) with vm, name and the guest's writable directories,
 *   /vm/<uuid>, and platform/ (vcpu/number, vcpu/current, acpi_s3/s4 "0",
 *   the VM's platform keys; with cpus=, platform/vcpu/<n>/affinity as
 *   XenServer's xenguest reads it).  maxmem = xen_max_mib (squeezed's
 *   reservation transfer; without squeezed xenopsd sets it directly).
 * build_pre: wait for free memory as wait_xen_free_mem (free_pages >=
 *   required_host_free; Xen 4.17 reports scrub_pages 0, so it fails at
 *   once when short), max_vcpus, the PV memmap limit, the shadow (paging
 *   pool) allocation with XEN_DOMCTL_shadow_op, hard affinity from cpus=,
 *   NUMA placement and claims (placement.c), the store and console event
 *   channels towards dom0.
 * the build: xenguest (xenguest_run.c) with xenopsd's arguments;
 *   correct_shadow_allocation afterwards.
 * build_post: memory/static-max and target (KiB), domid, store/port,
 *   store/ring-ref, console/port, ring-ref and limit, serial/0/limit,
 *   /libxl/<domid>/type, the RTC offset under /vm, and
 *   xs_introduce_domain.  Then the domain is unpaused, as VM.start ends.
 * A failure at any step destroys the domain (xenopsd's cleanup), so a
 * failed VM leaves no pages and no claim behind.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/domctl.h>
#include <xentoollog.h>

#include "toolstack.h"

#define WAIT_FREE_MEM_MAX_S 64          /* wait_xen_free_mem's default */

struct ctx {
    struct run *r;
    struct vm_run *v;
    xc_interface *xch;
    struct xs_handle *xsh;
    char dom_path[64], vm_path[96];
};

static int verr(struct vm_run *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int verr(struct vm_run *v, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(v->error, sizeof(v->error), fmt, ap);
    va_end(ap);
    return -1;
}

static bool cancelled(void)
{
    return ts_interrupted;
}

/* ---- xenstore ---------------------------------------------------------- */

static bool xs_put(struct ctx *c, xs_transaction_t t, const char *dir,
                   const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static bool xs_put(struct ctx *c, xs_transaction_t t, const char *dir,
                   const char *key, const char *fmt, ...)
{
    char path[256], val[256];
    va_list ap;

    snprintf(path, sizeof(path), "%s/%s", dir, key);
    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    return xs_write(c->xsh, t, path, val, strlen(val));
}

static bool xs_mkdir_perms(struct ctx *c, xs_transaction_t t,
                           const char *path, struct xs_permissions *p,
                           unsigned int n)
{
    return xs_mkdir(c->xsh, t, path) &&
           xs_set_permissions(c->xsh, t, path, p, n);
}

/* Xenbus_utils: read-only to the guest, its own, dom0's. */
static void perms_ro(struct xs_permissions *p, int domid)
{
    p[0].id = 0;
    p[0].perms = XS_PERM_NONE;
    p[1].id = domid;
    p[1].perms = XS_PERM_READ;
}

static int make_tree(struct ctx *c)
{
    static const char *const rw_dirs[] = {
        "device", "device/vbd", "device/9pfs", "device/vif", "feature",
        "error", "drivers", "control", "attr", "xenserver/attr", "data",
        "messages", "vm-data", "hvmloader", "rrd", NULL,
    };
    const struct vm_spec *s = c->v->spec;
    struct xs_permissions ro[2], rw[1] = { { .id = c->v->domid } };
    char path[256];
    xs_transaction_t t;
    bool ok;

    rw[0].perms = XS_PERM_NONE;
    perms_ro(ro, c->v->domid);
    do {
        t = xs_transaction_start(c->xsh);
        if ( t == XBT_NULL )
            return verr(c->v, "xenstore: transaction: %s", strerror(errno));
        xs_rm(c->xsh, t, c->dom_path);
        ok = xs_mkdir_perms(c, t, c->dom_path, ro, 2) &&
             xs_mkdir_perms(c, t, c->vm_path, ro, 2) &&
             xs_put(c, t, c->vm_path, "uuid", "%s", c->v->uuid) &&
             xs_put(c, t, c->vm_path, "name", "%s", s->name) &&
             xs_put(c, t, c->dom_path, "vm", "%s", c->vm_path) &&
             xs_put(c, t, c->dom_path, "name", "%s", s->name);
        snprintf(path, sizeof(path), "%s/domains/%d", c->vm_path, c->v->domid);
        ok = ok && xs_write(c->xsh, t, path, c->dom_path, strlen(c->dom_path));
        for ( unsigned int i = 0; ok && i < 2; i++ )
        {
            snprintf(path, sizeof(path), "%s/%s", c->dom_path,
                     i ? "memory" : "cpu");
            ok = xs_mkdir_perms(c, t, path, ro, 2);
        }
        for ( unsigned int i = 0; ok && rw_dirs[i]; i++ )
        {
            snprintf(path, sizeof(path), "%s/%s", c->dom_path, rw_dirs[i]);
            ok = xs_mkdir_perms(c, t, path, rw, 1);
        }
        if ( !ok )
        {
            int e = errno;

            xs_transaction_end(c->xsh, t, true);
            return verr(c->v, "xenstore: writing %s: %s", c->dom_path,
                        strerror(e));
        }
    } while ( !xs_transaction_end(c->xsh, t, false) && errno == EAGAIN );
    return 0;
}

/* The VM's platform map and generate_create_info's vCPU keys. */
static int write_platform(struct ctx *c, const uint8_t *hard)
{
    const struct vm_spec *s = c->v->spec;
    char dir[96];
    bool ok;

    snprintf(dir, sizeof(dir), "%s/platform", c->dom_path);
    ok = xs_put(c, XBT_NULL, dir, "vcpu/number", "%u", s->maxvcpus) &&
         xs_put(c, XBT_NULL, dir, "vcpu/current", "%u", s->vcpus) &&
         xs_put(c, XBT_NULL, dir, "acpi_s3", "0") &&
         xs_put(c, XBT_NULL, dir, "acpi_s4", "0") &&
         xs_put(c, XBT_NULL, dir, "nx", "true") &&
         xs_put(c, XBT_NULL, dir, "pae", "true");
    if ( ok && s->type != VM_PV )
        ok = xs_put(c, XBT_NULL, dir, "acpi", "1") &&
             xs_put(c, XBT_NULL, dir, "apic", "true") &&
             xs_put(c, XBT_NULL, dir, "timeoffset", "0");
    if ( ok && s->type == VM_HVM )
        ok = xs_put(c, XBT_NULL, dir, "vga", "std") &&
             xs_put(c, XBT_NULL, dir, "videoram", "%u", s->videoram) &&
             xs_put(c, XBT_NULL, dir, "device-model",
                    "qemu-upstream-compat");
    /* One character per pCPU, '1' where the vCPU may run. */
    for ( unsigned int i = 0; ok && hard && i < s->maxvcpus; i++ )
    {
        char key[32], mask[TS_MAX_CPUS + 1];
        unsigned int n = c->r->topo.nr_cpus;

        for ( unsigned int j = 0; j < n; j++ )
            mask[j] = (hard[j / 8] >> (j % 8)) & 1 ? '1' : '0';
        mask[n] = '\0';
        snprintf(key, sizeof(key), "vcpu/%u/affinity", i);
        ok = xs_put(c, XBT_NULL, dir, key, "%s", mask);
    }
    return ok ? 0 : verr(c->v, "xenstore: writing %s: %s", dir,
                         strerror(errno));
}

/* ---- Domain.make ------------------------------------------------------- */

static int domain_make(struct ctx *c, const uint8_t *hard)
{
    const struct vm_spec *s = c->v->spec;
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = s->maxvcpus,
        .max_evtchn_port = -1,
        .max_grant_frames = 64,
        .max_maptrack_frames = 0,
    };
    xc_physinfo_t pi;
    uint32_t domid = 0;

    if ( xc_physinfo(c->xch, &pi) )
        return verr(c->v, "physinfo: %s", strerror(errno));
    if ( s->type != VM_PV )
    {
        if ( !(pi.capabilities & XEN_SYSCTL_PHYSCAP_hvm) ||
             !(pi.capabilities & XEN_SYSCTL_PHYSCAP_hap) )
            return verr(c->v, "Guest paging mode HAP unavailable");
        cfg.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
        cfg.arch.emulation_flags = s->type == VM_HVM
            ? XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI : XEN_X86_EMU_LAPIC;
    }
    else if ( !(pi.capabilities & XEN_SYSCTL_PHYSCAP_pv) )
        return verr(c->v, "Guest type PV unavailable");
    cfg.grant_opts = XEN_DOMCTL_GRANT_version(
        pi.capabilities & XEN_SYSCTL_PHYSCAP_gnttab_v2 ? 2 : 1);
    for ( unsigned int i = 0; i < 16; i++ )
        cfg.handle[i] = (uint8_t)random();
    cfg.handle[6] = (cfg.handle[6] & 0x0f) | 0x40;      /* version 4 */
    cfg.handle[8] = (cfg.handle[8] & 0x3f) | 0x80;
    snprintf(c->v->uuid, sizeof(c->v->uuid), "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x-%02x%02x%02x%02x%02x%02x", cfg.handle[0],
             cfg.handle[1], cfg.handle[2], cfg.handle[3], cfg.handle[4],
             cfg.handle[5], cfg.handle[6], cfg.handle[7], cfg.handle[8],
             cfg.handle[9], cfg.handle[10], cfg.handle[11], cfg.handle[12],
             cfg.handle[13], cfg.handle[14], cfg.handle[15]);
    if ( xc_domain_create(c->xch, &domid, &cfg) )
        return verr(c->v, "createdomain: %s", strerror(errno));
    c->v->domid = domid;
    snprintf(c->dom_path, sizeof(c->dom_path), "/local/domain/%u", domid);
    snprintf(c->vm_path, sizeof(c->vm_path), "/vm/%s", c->v->uuid);
    if ( make_tree(c) || write_platform(c, hard) )
        return -1;
    if ( xc_domain_setmaxmem(c->xch, domid,
                             (uint64_t)c->v->mem.xen_max_mib << 10) )
        return verr(c->v, "setmaxmem %ld MiB: %s", c->v->mem.xen_max_mib,
                    strerror(errno));
    return 0;
}

/* ---- build_pre --------------------------------------------------------- */

static int wait_xen_free_mem(struct ctx *c)
{
    long need = c->v->mem.required_host_free_mib << 8;     /* pages */

    for ( unsigned int waited = 0; ; waited++ )
    {
        xc_physinfo_t pi;

        if ( xc_physinfo(c->xch, &pi) )
            return verr(c->v, "physinfo: %s", strerror(errno));
        if ( (long)pi.free_pages >= need )
            return 0;
        if ( pi.scrub_pages == 0 || waited >= WAIT_FREE_MEM_MAX_S )
            return verr(c->v, "not enough memory: build_pre needs %ld MiB "
                        "free (target %lu + overhead %ld), the host has %"
                        PRIu64 " MiB free and %" PRIu64 " MiB to scrub "
                        "(xenopsd: Not_enough_memory)",
                        c->v->mem.required_host_free_mib, c->v->spec->memory,
                        c->v->mem.overhead_mib, pi.free_pages >> 8,
                        pi.scrub_pages >> 8);
        if ( cancelled() )
            return verr(c->v, "interrupted");
        sleep(1);
    }
}

static int set_hard_affinity(struct ctx *c, const uint8_t *hard)
{
    xc_cpumap_t map = xc_cpumap_alloc(c->xch);
    int size = xc_get_cpumap_size(c->xch), rc = 0;

    if ( !map )
        return verr(c->v, "cpumap: %s", strerror(errno));
    memcpy(map, hard, size < TS_MAX_CPUS / 8 ? size : TS_MAX_CPUS / 8);
    for ( unsigned int i = 0; i < c->v->spec->maxvcpus && !rc; i++ )
        if ( xc_vcpu_setaffinity(c->xch, c->v->domid, i, map, NULL,
                                 XEN_VCPUAFFINITY_HARD) )
            rc = verr(c->v, "vcpu_setaffinity_hard %u: %s", i,
                      strerror(errno));
    free(map);
    return rc;
}

static int build_pre(struct ctx *c, const uint8_t *hard)
{
    struct vm_run *v = c->v;
    char err[TS_ERR];
    unsigned int mb;
    int port;

    ts_set_phase(c->r, v, "waiting for memory");
    if ( wait_xen_free_mem(c) )
        return -1;
    ts_set_phase(c->r, v, "build_pre");
    if ( xc_domain_max_vcpus(c->xch, v->domid, v->spec->maxvcpus) )
        return verr(v, "domain_max_vcpus %u: %s", v->spec->maxvcpus,
                    strerror(errno));
    if ( v->spec->type == VM_PV &&
         xc_domain_set_memmap_limit(c->xch, v->domid,
                                    (unsigned long)v->mem.xen_max_mib << 10) )
        return verr(v, "domain_set_memmap_limit: %s", strerror(errno));
    /* xenmm has no PV shadow pool (its shadow_op answers -EOPNOTSUPP). */
    mb = v->mem.shadow_mib;
    if ( v->spec->type != VM_PV &&
         xc_shadow_control(c->xch, v->domid,
                           XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION, &mb, 0) )
        return verr(v, "shadow_allocation_set %ld MiB: %s",
                    v->mem.shadow_mib, strerror(errno));
    if ( hard && set_hard_affinity(c, hard) )
        return -1;
    ts_set_phase(c->r, v, "NUMA placement");
    if ( placement_build_pre(c->r, c->xch, v, hard != NULL, err, sizeof(err)) )
        return verr(v, "%s", err);
    if ( (port = xc_evtchn_alloc_unbound(c->xch, v->domid, 0)) < 0 )
        return verr(v, "evtchn_alloc_unbound (store): %s", strerror(errno));
    v->store_port = port;
    if ( (port = xc_evtchn_alloc_unbound(c->xch, v->domid, 0)) < 0 )
        return verr(v, "evtchn_alloc_unbound (console): %s",
                    strerror(errno));
    v->console_port = port;
    return 0;
}

/* ---- the build ---------------------------------------------------------- */

static int build(struct ctx *c)
{
    struct vm_run *v = c->v;
    const struct vm_spec *s = v->spec;
    char domid[16], store[16], console[16], maxm[24], startm[24], pnode[16];
    char *argv[40];
    unsigned int n = 0;
    char err[TS_ERR];

    snprintf(domid, sizeof(domid), "%d", v->domid);
    snprintf(store, sizeof(store), "%d", v->store_port);
    snprintf(console, sizeof(console), "%d", v->console_port);
    snprintf(maxm, sizeof(maxm), "%ld", v->mem.build_max_mib);
    snprintf(startm, sizeof(startm), "%ld", v->mem.build_start_mib);
    snprintf(pnode, sizeof(pnode), "%d", v->pl.node);
    switch ( s->type )
    {
    case VM_HVM:
        argv[n++] = "-mode"; argv[n++] = "hvm_build";
        argv[n++] = "-image"; argv[n++] = (char *)c->r->hvmloader;
        break;
    case VM_PV:
        argv[n++] = "-mode"; argv[n++] = "linux_build";
        argv[n++] = "-image"; argv[n++] = s->kernel;
        argv[n++] = "-cmdline"; argv[n++] = s->cmdline ? s->cmdline : "";
        argv[n++] = "-ramdisk"; argv[n++] = s->ramdisk ? s->ramdisk : "";
        argv[n++] = "-features"; argv[n++] = "";
        argv[n++] = "-flags"; argv[n++] = "0";
        break;
    case VM_PVH:
        argv[n++] = "-mode"; argv[n++] = "pvh_build";
        argv[n++] = "-image"; argv[n++] = s->kernel;
        argv[n++] = "-cmdline"; argv[n++] = s->cmdline ? s->cmdline : "";
        argv[n++] = "-features"; argv[n++] = "";
        argv[n++] = "-flags"; argv[n++] = "0";
        if ( s->ramdisk )
        {
            argv[n++] = "-module"; argv[n++] = s->ramdisk;
        }
        break;
    }
    argv[n++] = "-domid"; argv[n++] = domid;
    argv[n++] = "-store_port"; argv[n++] = store;
    argv[n++] = "-store_domid"; argv[n++] = "0";
    argv[n++] = "-console_port"; argv[n++] = console;
    argv[n++] = "-console_domid"; argv[n++] = "0";
    argv[n++] = "-mem_max_mib"; argv[n++] = maxm;
    argv[n++] = "-mem_start_mib"; argv[n++] = startm;
    if ( v->pl.node >= 0 )
    {
        argv[n++] = "-mem_pnode"; argv[n++] = pnode;
    }
    argv[n] = NULL;
    ts_set_phase(c->r, v, "xenguest");
    if ( xenguest_run(c->r, v, argv, err, sizeof(err)) )
        return verr(v, "%s", err);

    /* correct_shadow_allocation */
    if ( s->type != VM_PV )
    {
        unsigned int mb = 0;

        if ( !xc_shadow_control(c->xch, v->domid,
                                XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION, &mb, 0) &&
             mb < (unsigned int)v->mem.shadow_mib )
        {
            mb = v->mem.shadow_mib;
            xc_shadow_control(c->xch, v->domid,
                              XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION, &mb, 0);
        }
    }
    return 0;
}

/* ---- build_post --------------------------------------------------------- */

static int build_post(struct ctx *c)
{
    struct vm_run *v = c->v;
    const struct vm_spec *s = v->spec;
    char path[96];
    const char *type = s->type == VM_HVM ? "HVM" : s->type == VM_PVH ? "PVH"
                                                                      : "PV";
    xs_transaction_t t;
    bool ok;

    ts_set_phase(c->r, v, "build_post");
    do {
        t = xs_transaction_start(c->xsh);
        if ( t == XBT_NULL )
            return verr(v, "xenstore: transaction: %s", strerror(errno));
        ok = xs_put(c, t, c->dom_path, "memory/static-max", "%lu",
                    s->maxmem << 10) &&
             xs_put(c, t, c->dom_path, "memory/target", "%lu",
                    s->memory << 10) &&
             xs_put(c, t, c->dom_path, "domid", "%d", v->domid) &&
             xs_put(c, t, c->dom_path, "store/port", "%d", v->store_port) &&
             xs_put(c, t, c->dom_path, "store/ring-ref", "%lu",
                    v->store_mfn) &&
             xs_put(c, t, c->dom_path, "serial/0/limit", "65536") &&
             xs_put(c, t, c->dom_path, "console/port", "%d",
                    v->console_port) &&
             xs_put(c, t, c->dom_path, "console/ring-ref", "%lu",
                    v->console_mfn) &&
             xs_put(c, t, c->dom_path, "console/limit", "65536");
        if ( !ok )
        {
            int e = errno;

            xs_transaction_end(c->xsh, t, true);
            return verr(v, "xenstore: build_post: %s", strerror(e));
        }
    } while ( !xs_transaction_end(c->xsh, t, false) && errno == EAGAIN );
    if ( s->type != VM_PV &&
         !xs_put(c, XBT_NULL, c->vm_path, "rtc/timeoffset", "0") )
        return verr(v, "xenstore: rtc/timeoffset: %s", strerror(errno));
    snprintf(path, sizeof(path), "/libxl/%d", v->domid);
    if ( !xs_put(c, XBT_NULL, path, "type", "%s", type) )
        return verr(v, "xenstore: %s/type: %s", path, strerror(errno));
    /* @introduceDomain: xenstored maps the ring and binds the port. */
    if ( !xs_introduce_domain(c->xsh, v->domid, v->store_mfn, v->store_port) )
        return verr(v, "xs_introduce_domain(%d, %lu, %d): %s", v->domid,
                    v->store_mfn, v->store_port, strerror(errno));
    if ( xc_domain_unpause(c->xch, v->domid) )
        return verr(v, "unpause: %s", strerror(errno));
    return 0;
}

/* ---- a VM start --------------------------------------------------------- */

/*
 * libxenstore's xs_open builds the socket path in a static buffer
 * (xs_daemon_socket), so two threads opening at once can connect to a
 * half-written path (ENOENT).  One open at a time.
 */
static struct xs_handle *ts_xs_open(void)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    struct xs_handle *h;

    pthread_mutex_lock(&lock);
    h = xs_open(0);
    pthread_mutex_unlock(&lock);
    return h;
}

static xentoollog_logger *xc_logger(void)
{
    static xentoollog_logger_stdiostream *lg;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

    pthread_mutex_lock(&lock);
    if ( !lg )
        lg = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL, 0);
    pthread_mutex_unlock(&lock);
    return (xentoollog_logger *)lg;
}

int vm_start(struct run *r, struct vm_run *v)
{
    struct ctx c = { .r = r, .v = v };
    uint8_t hard[TS_MAX_CPUS / 8], *hardp = NULL;
    char err[TS_ERR];
    int rc = -1;

    memory_model(v->spec, &v->mem);
    if ( v->spec->cpus )
    {
        if ( cpus_parse(v->spec->cpus, &r->topo, hard, err, sizeof(err)) )
            return verr(v, "%s", err);
        hardp = hard;
    }
    c.xch = xc_interface_open(xc_logger(), xc_logger(), 0);
    c.xsh = ts_xs_open();
    if ( !c.xch || !c.xsh )
    {
        verr(v, "cannot open %s: %s", c.xch ? "xenstore" : "libxenctrl",
             strerror(errno));
        goto out;
    }
    ts_set_phase(r, v, "Domain.make");
    if ( domain_make(&c, hardp) )
        goto fail;
    if ( cancelled() || build_pre(&c, hardp) )
        goto fail;
    if ( cancelled() || build(&c) )
        goto fail;
    if ( cancelled() || build_post(&c) )
        goto fail;
    rc = 0;
    goto out;

 fail:
    if ( cancelled() && !v->error[0] )
        verr(v, "interrupted");
    if ( v->domid > 0 )
    {
        ts_set_phase(r, v, "destroying");
        vm_destroy(r, v);
    }
 out:
    if ( c.xsh )
        xs_close(c.xsh);
    if ( c.xch )
        xc_interface_close(c.xch);
    return rc;
}

void vm_destroy(struct run *r, struct vm_run *v)
{
    xc_interface *xch;
    struct xs_handle *xsh;
    char path[96];

    (void)r;
    if ( v->domid <= 0 || v->destroyed )
        return;
    xch = xc_interface_open(xc_logger(), xc_logger(), 0);
    if ( xch )
    {
        if ( !xc_domain_destroy(xch, v->domid) )
            v->destroyed = true;
        xc_interface_close(xch);
    }
    xsh = ts_xs_open();
    if ( xsh )
    {
        snprintf(path, sizeof(path), "/local/domain/%d", v->domid);
        xs_rm(xsh, XBT_NULL, path);
        snprintf(path, sizeof(path), "/libxl/%d", v->domid);
        xs_rm(xsh, XBT_NULL, path);
        if ( v->uuid[0] )
        {
            snprintf(path, sizeof(path), "/vm/%s", v->uuid);
            xs_rm(xsh, XBT_NULL, path);
        }
        xs_close(xsh);
    }
}
