/*
 * cpuid.c - construct_cpuid_policy (§1.7 step 10): the host featureset,
 * then the VM's from platform/featureset (32-bit hex words separated by
 * '-' or ':'; words beyond the host's length must be 0) or, without the
 * key, the host's HVM or PV maximum; NX and PAE cleared when the platform
 * keys say so, ITSC added for a non-migratable VM on a host with it; then
 * xc_cpuid_apply_policy.
 *
 * Deviation: XenServer's libxenguest takes cores-per-socket as an extra
 * argument of xc_cpuid_apply_policy.  Debian's 4.17 has no such argument,
 * so the value is checked (flags.c) and logged but the guest gets 4.17's
 * topology (APIC ID = 2 * vCPU).  PVH uses the PV default, as XenServer's
 * does (hvm = false for PVH).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenguest.h"

/* Bit positions from Debian's <xen/arch-x86/cpufeatureset.h>. */
enum {
#define XEN_CPUFEATURE(name, value) XG_FEATURE_##name = value,
#include <xen/arch-x86/cpufeatureset.h>
#undef XEN_CPUFEATURE
};

static bool fs_test(const uint32_t *fs, unsigned int nr, unsigned int bit)
{
    return bit / 32 < nr && (fs[bit / 32] >> (bit % 32)) & 1;
}

static void fs_set(uint32_t *fs, unsigned int nr, unsigned int bit, bool on)
{
    if ( bit / 32 >= nr )
        return;
    if ( on )
        fs[bit / 32] |= 1U << (bit % 32);
    else
        fs[bit / 32] &= ~(1U << (bit % 32));
}

/* The VM's featureset: the platform key, or the host's maximum. */
static int vm_featureset(struct xg_ctx *ctx, bool hvm, uint32_t *fs,
                         uint32_t *nr)
{
    char *s = xg_xs_gets(ctx, "platform/featureset");
    char err[256];
    int rc;

    if ( !s )
    {
        xg_info("No featureset provided - using host maximum\n");
        return xc_get_cpu_featureset(ctx->xch,
                                     hvm ? XEN_SYSCTL_cpu_featureset_hvm
                                         : XEN_SYSCTL_cpu_featureset_pv,
                                     nr, fs);
    }
    xg_info("Parsing '%s' as featureset\n", s);
    rc = xg_parse_featureset(s, fs, *nr, err, sizeof(err));
    if ( rc )
        xg_err("%s\n", err);
    free(s);
    return rc;
}

int xg_construct_cpuid_policy(struct xg_ctx *ctx, const struct xg_flags *f,
                              bool hvm)
{
    uint32_t nr = 0, *host = NULL, *fs = NULL;
    int rc = -1;

    /* A NULL buffer asks for the size. */
    if ( xc_get_cpu_featureset(ctx->xch, XEN_SYSCTL_cpu_featureset_host, &nr,
                               NULL) || nr == 0 )
    {
        xg_err("Failed to obtain featureset size %d %s\n", errno,
               strerror(errno));
        return -1;
    }
    host = calloc(nr, sizeof(*host));
    fs = calloc(nr, sizeof(*fs));
    if ( !host || !fs )
    {
        xg_err("Failed to allocate memory for featureset\n");
        goto out;
    }
    if ( xc_get_cpu_featureset(ctx->xch, XEN_SYSCTL_cpu_featureset_host, &nr,
                               host) || nr == 0 )
    {
        xg_err("Failed to obtain featureset size %d %s\n", errno,
               strerror(errno));
        goto out;
    }
    if ( vm_featureset(ctx, hvm, fs, &nr) )
        goto out;
    if ( !f->nx )
        fs_set(fs, nr, XG_FEATURE_NX, false);
    if ( !f->pae )
        fs_set(fs, nr, XG_FEATURE_PAE, false);
    /* An invariant TSC is safe to show a VM that never migrates. */
    if ( f->nomigrate && fs_test(host, nr, XG_FEATURE_ITSC) )
        fs_set(fs, nr, XG_FEATURE_ITSC, true);
    if ( f->cores_per_socket )
        xg_info("cores-per-socket %u: not applied (Debian's 4.17 "
                "xc_cpuid_apply_policy has no such argument)\n",
                f->cores_per_socket);
    rc = xc_cpuid_apply_policy(ctx->xch, ctx->domid, false, fs, nr, f->pae,
                               f->nomigrate, f->nested_virt, NULL, NULL);
 out:
    free(host);
    free(fs);
    return rc;
}
