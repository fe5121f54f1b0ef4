/*
 * build_pre.c - xenopsd's domain creation and build_pre (build_pre.h),
 * over Debian's libxenctrl, libxencall and libxenstore.
 *
 * Sizes follow xenopsd's Memory model (ocaml/xapi-idl/memory/memory.ml):
 * build_max = static_max - video and build_start = target - video for
 * HVM (PV and PVH: no video), Xen's maxmem static_max + 1 MiB for HVM and
 * PVH, the paging pool ceil((256 * vcpus + 2 * static_max_mib) pages in
 * MiB * multiplier), at least 1 MiB.  The claim is build_start's pages:
 * on one node (XENMEM_claim_pages, mem_flags XENMEMF_exact_node(n), as
 * XenServer's xc_domain_claim_pages_node) when a node is asked for,
 * else host-wide; a node claim failing with ENOMEM falls back to the
 * host-wide one, as xenopsd's placement does, and a host-wide ENOMEM is
 * an error ("either always use claims or never").
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xencall.h>
#include <xen/memory.h>

#include "build_pre.h"

/* The keys xapi writes for a VM whose platform map is the template's. */
static const struct bp_key default_platform[] = {
    { "acpi", "1" }, { "apic", "true" }, { "pae", "true" },
    { "nx", "true" }, { "viridian", "false" }, { "timeoffset", "0" },
    { "acpi_s3", "0" }, { "acpi_s4", "0" },
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    int saved = errno;
    size_t n;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    n = strlen(err);
    if ( saved && n < errlen )
        snprintf(err + n, errlen - n, ": %s", strerror(saved));
    return -1;
}

void bp_memory(const struct bp_config *c, struct bp_result *r)
{
    uint64_t target = c->target_mib ? c->target_mib : c->static_max_mib;
    uint64_t video = c->type == BP_HVM ? c->video_mib : 0;
    double mult = c->shadow_multiplier > 0 ? c->shadow_multiplier : 1.0;
    uint64_t pages = 256ULL * c->vcpus + 2 * c->static_max_mib;

    r->build_max_mib = c->static_max_mib - video;
    r->build_start_mib = target - video;
    r->xen_max_mib = c->static_max_mib + (c->type == BP_PV ? 0 : 1);
    r->shadow_mib = (uint64_t)ceil((double)((pages + 255) / 256) * mult);
    if ( r->shadow_mib < 1 )
        r->shadow_mib = 1;
}

static int create_domain(xc_interface *xch, const struct bp_config *c,
                         uint32_t *domid)
{
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = c->vcpus,
        .max_evtchn_port = -1,
        .max_grant_frames = 64,
        .max_maptrack_frames = 1024,
    };
    xc_physinfo_t pi;

    if ( xc_physinfo(xch, &pi) )
        return -1;
    cfg.grant_opts = XEN_DOMCTL_GRANT_version(
        pi.capabilities & XEN_SYSCTL_PHYSCAP_gnttab_v2 ? 2 : 1);
    switch ( c->type )
    {
    case BP_HVM:
        cfg.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
        cfg.arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI;
        break;
    case BP_PVH:
        cfg.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
        cfg.arch.emulation_flags = XEN_X86_EMU_LAPIC;
        break;
    case BP_PV:
        break;
    }
    *domid = 0;
    return xc_domain_create(xch, domid, &cfg);
}

static const char *platform_value(const struct bp_config *c, const char *key,
                                  const char *def, bool *set)
{
    *set = def != NULL;
    for ( unsigned int i = 0; i < c->nr_platform; i++ )
        if ( !strcmp(c->platform[i].key, key) )
        {
            *set = c->platform[i].value != NULL;
            def = c->platform[i].value;
        }
    return def;
}

static bool xs_putf(struct xs_handle *xsh, const char *home, const char *sub,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool xs_putf(struct xs_handle *xsh, const char *home, const char *sub,
                    const char *fmt, ...)
{
    char path[512], val[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s/%s", home, sub);
    return xs_write(xsh, XBT_NULL, path, val, strlen(val));
}

#define NR_DEFAULTS (sizeof(default_platform) / sizeof(default_platform[0]))

static bool is_default_key(const char *key)
{
    for ( unsigned int i = 0; i < NR_DEFAULTS; i++ )
        if ( !strcmp(key, default_platform[i].key) )
            return true;
    return false;
}

static int write_xenstore(struct xs_handle *xsh, const struct bp_config *c,
                          uint32_t domid)
{
    struct xs_permissions perms[2] = {
        { .id = 0, .perms = XS_PERM_NONE },
        { .id = domid, .perms = XS_PERM_READ },
    };
    uint64_t target = c->target_mib ? c->target_mib : c->static_max_mib;
    char home[64], sub[256];
    unsigned int i;

    snprintf(home, sizeof(home), "/local/domain/%u", domid);
    if ( !xs_mkdir(xsh, XBT_NULL, home) ||
         !xs_set_permissions(xsh, XBT_NULL, home, perms, 2) ||
         !xs_putf(xsh, home, "domid", "%u", domid) ||
         !xs_putf(xsh, home, "name", "%s", c->name ? c->name : "xenmm-guest") ||
         !xs_putf(xsh, home, "memory/static-max", "%llu",
                  (unsigned long long)c->static_max_mib << 10) ||
         !xs_putf(xsh, home, "memory/target", "%llu",
                  (unsigned long long)target << 10) ||
         !xs_putf(xsh, home, "platform/vcpu/number", "%u", c->vcpus) ||
         !xs_putf(xsh, home, "platform/vcpu/current", "%u",
                  c->vcpus_current ? c->vcpus_current : c->vcpus) )
        return -1;
    for ( i = 0; i < NR_DEFAULTS; i++ )
    {
        bool set;
        const char *v = platform_value(c, default_platform[i].key,
                                       default_platform[i].value, &set);

        snprintf(sub, sizeof(sub), "platform/%s", default_platform[i].key);
        if ( set && !xs_putf(xsh, home, sub, "%s", v) )
            return -1;
    }
    for ( i = 0; i < c->nr_platform; i++ )
    {
        if ( is_default_key(c->platform[i].key) || !c->platform[i].value )
            continue;
        snprintf(sub, sizeof(sub), "platform/%s", c->platform[i].key);
        if ( !xs_putf(xsh, home, sub, "%s", c->platform[i].value) )
            return -1;
    }
    return 0;
}

/* XenServer's xc_domain_claim_pages_node, through libxencall. */
static int claim_node(uint32_t domid, unsigned int node, uint64_t pages)
{
    xencall_handle *xcall = xencall_open(NULL, 0);
    struct xen_memory_reservation *res;
    int rc = -1;

    if ( !xcall )
        return -1;
    res = xencall_alloc_buffer(xcall, sizeof(*res));
    if ( res )
    {
        memset(res, 0, sizeof(*res));
        res->nr_extents = pages;
        res->mem_flags = XENMEMF_exact_node(node);
        res->domid = domid;
        rc = xencall2(xcall, __HYPERVISOR_memory_op, XENMEM_claim_pages,
                      (unsigned long)res);
        xencall_free_buffer(xcall, res);
    }
    else
        errno = ENOMEM;
    {
        int saved = errno;

        xencall_close(xcall);
        errno = saved;
    }
    return rc;
}

static int claim(xc_interface *xch, const struct bp_config *c, uint32_t domid,
                 struct bp_result *r, char *err, size_t errlen)
{
    uint64_t pages = r->build_start_mib << 8;

    r->pnode = -1;
    if ( c->no_claim )
        return 0;
    if ( c->claim_node >= 0 )
    {
        if ( !claim_node(domid, c->claim_node, pages) )
        {
            r->pnode = c->claim_node;
            return 0;
        }
        if ( errno != ENOMEM )
            /* No node claims here: as if NUMA placement were off. */
            return 0;
    }
    if ( xc_domain_claim_pages(xch, domid, pages) && errno == ENOMEM )
        return fail(err, errlen, "xc_domain_claim_pages(%llu)",
                    (unsigned long long)pages);
    return 0;
}

int bp_build_pre(xc_interface *xch, struct xs_handle *xsh,
                 const struct bp_config *c, struct bp_result *r,
                 char *err, size_t errlen)
{
    int port;

    memset(r, 0, sizeof(*r));
    r->pnode = -1;
    bp_memory(c, r);
    errno = 0;
    if ( create_domain(xch, c, &r->domid) )
        return fail(err, errlen, "xc_domain_create");
    if ( write_xenstore(xsh, c, r->domid) )
    {
        fail(err, errlen, "xenstore writes for domain %u", r->domid);
        goto out;
    }
    if ( xc_domain_max_vcpus(xch, r->domid, c->vcpus) )
    {
        fail(err, errlen, "xc_domain_max_vcpus");
        goto out;
    }
    if ( xc_domain_setmaxmem(xch, r->domid, r->xen_max_mib << 10) )
    {
        fail(err, errlen, "xc_domain_setmaxmem");
        goto out;
    }
    if ( c->type == BP_PV &&
         xc_domain_set_memmap_limit(xch, r->domid, r->xen_max_mib << 10) )
    {
        fail(err, errlen, "xc_domain_set_memmap_limit");
        goto out;
    }
    if ( c->type != BP_PV &&
         xc_set_paging_mempool_size(xch, r->domid, r->shadow_mib << 20) )
    {
        fail(err, errlen, "xc_set_paging_mempool_size");
        goto out;
    }
    if ( claim(xch, c, r->domid, r, err, errlen) )
        goto out;
    if ( (port = xc_evtchn_alloc_unbound(xch, r->domid, 0)) < 0 )
    {
        fail(err, errlen, "xc_evtchn_alloc_unbound (store)");
        goto out;
    }
    r->store_port = port;
    if ( (port = xc_evtchn_alloc_unbound(xch, r->domid, 0)) < 0 )
    {
        fail(err, errlen, "xc_evtchn_alloc_unbound (console)");
        goto out;
    }
    r->console_port = port;
    return 0;

 out:
    bp_destroy(xch, xsh, r->domid);
    return -1;
}

int bp_destroy(xc_interface *xch, struct xs_handle *xsh, uint32_t domid)
{
    char home[64];
    int rc = xc_domain_destroy(xch, domid);

    snprintf(home, sizeof(home), "/local/domain/%u", domid);
    xs_rm(xsh, XBT_NULL, home);
    return rc;
}
