/*
 * cpu_policy.c - the host's CPUID/MSR policies and each domain's (Xen
 * 4.17's arch/x86/cpu-policy.c), XEN_SYSCTL_get_cpu_featureset,
 * XEN_SYSCTL_get_cpu_policy (arch/x86/sysctl.c) and
 * XEN_DOMCTL_{get,set}_cpu_policy (arch/x86/domctl.c) - what libxl's
 * xc_cpuid_apply_policy() reads and writes for every new domain.
 *
 * The emulated CPU is an Intel Xeon Gold 6130 (Skylake-SP, family 6 model
 * 0x55 stepping 4, the CPUID.1.EAX the HVM save header reports), with
 * VT-x (EPT, MPX and XSAVES support), CPUID faulting, the 2018+ microcode
 * speculation controls (IBRS/IBPB, STIBP, SSBD, L1D_FLUSH, MD_CLEAR,
 * ARCH_CAPS with no bits set), TSX enabled and no vPMU.  From its raw
 * policy the six system policies are calculated as Xen calculates them on
 * such a machine: the feature masks are gen-cpuid.py's (generated from
 * <xen/arch-x86/cpufeatureset.h>), the adjustments are those of the Intel
 * paths (AMD-only ones have nothing to act on), the GDS mitigation hides
 * CLWB from the host and default policies.
 *
 * A domain starts with its type's default policy, recalculated
 * (recalculate_cpuid_policy); set_cpu_policy merges the toolstack's leaves
 * and MSRs into a copy, trims stale leaves, audits it against the type's
 * max policy and recalculates.  Only the CPUID data and the two MSRs are
 * modelled: nothing executes CPUID here, so domain_cpu_policy_changed()
 * has no vCPU state to refresh.
 *
 * Errors (Xen's): sysctl -EINVAL (bad index, _rsvd set), -ENOBUFS (a
 * buffer too short; featureset: fewer words than FSCAPINTS), -EFAULT.
 * set_cpu_policy -EINVAL (own domain, incompatible policy), -EEXIST (the
 * domain was already unpaused once), -E2BIG/-ERANGE/-EOVERFLOW/-EINVAL
 * from the buffers, with err_leaf/err_subleaf/err_msr copied back.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>

#include "core.h"
#include "cpu_policy.h"
#include "domctl.h"

#define F(x) X86_FEATURE_##x

enum {
    POL_RAW = XEN_SYSCTL_cpu_policy_raw,
    POL_HOST = XEN_SYSCTL_cpu_policy_host,
    POL_PV_MAX = XEN_SYSCTL_cpu_policy_pv_max,
    POL_HVM_MAX = XEN_SYSCTL_cpu_policy_hvm_max,
    POL_PV_DEF = XEN_SYSCTL_cpu_policy_pv_default,
    POL_HVM_DEF = XEN_SYSCTL_cpu_policy_hvm_default,
    NR_POLICIES
};

static const uint32_t known_features[FSCAPINTS] = INIT_KNOWN_FEATURES;
static const uint32_t pv_max_featuremask[FSCAPINTS] = INIT_PV_MAX_FEATURES;
static const uint32_t pv_def_featuremask[FSCAPINTS] = INIT_PV_DEF_FEATURES;
static const uint32_t hvm_shadow_max_featuremask[FSCAPINTS] =
    INIT_HVM_SHADOW_MAX_FEATURES;
static const uint32_t hvm_hap_max_featuremask[FSCAPINTS] =
    INIT_HVM_HAP_MAX_FEATURES;
static const uint32_t hvm_hap_def_featuremask[FSCAPINTS] =
    INIT_HVM_HAP_DEF_FEATURES;

#define XSTATE_FP_SSE        0x3ULL
#define XSTATE_AREA_MIN_SIZE (512 + 64)
#define XSTATE_CPUID         0xd
#define XCR0_YMM     (1ULL << 2)
#define XCR0_BNDREGS (1ULL << 3)
#define XCR0_BNDCSR  (1ULL << 4)
#define XCR0_OPMASK  (1ULL << 5)
#define XCR0_ZMM     (1ULL << 6)
#define XCR0_HI_ZMM  (1ULL << 7)
#define XCR0_PKRU    (1ULL << 9)
/* Host physical address width (leaf 0x80000008) and the HAP p2m's. */
#define HOST_PADDR_BITS   46

/* The emulated CPU's CPUID, as `cpuid -r` on a Xeon Gold 6130 under Xen. */
static const struct raw_leaf {
    uint32_t leaf, subleaf;
    struct cpuid_leaf l;
} raw_leaves[] = {
#define N XEN_CPUID_NO_SUBLEAF
    { 0x0, N, { 0x16, 0x756e6547, 0x6c65746e, 0x49656e69 } },
    { 0x1, N, { 0x00050654, 0x00200800, 0x7ffefbff, 0xbfebfbff } },
    { 0x2, N, { 0x76036301, 0x00f0b5ff, 0x00000000, 0x00c30000 } },
    { 0x4, 0, { 0x3c004121, 0x01c0003f, 0x0000003f, 0x00000000 } },
    { 0x4, 1, { 0x3c004122, 0x01c0003f, 0x0000003f, 0x00000000 } },
    { 0x4, 2, { 0x3c004143, 0x03c0003f, 0x000003ff, 0x00000000 } },
    { 0x4, 3, { 0x3c07c163, 0x0280003f, 0x00007fff, 0x00000004 } },
    { 0x5, N, { 0x00000040, 0x00000040, 0x00000003, 0x00002020 } },
    { 0x6, N, { 0x00000077, 0x00000002, 0x00000009, 0x00000000 } },
    { 0x7, 0, { 0x00000000, 0xd39ffffb, 0x00000018, 0xbc000400 } },
    { 0xa, N, { 0x07300404, 0x00000000, 0x00000000, 0x00000603 } },
    { 0xb, 0, { 0x00000001, 0x00000002, 0x00000100, 0x00000000 } },
    { 0xb, 1, { 0x00000006, 0x00000020, 0x00000201, 0x00000000 } },
    { 0xd, 0, { 0x000002ff, 0x00000a88, 0x00000a88, 0x00000000 } },
    { 0xd, 1, { 0x0000000f, 0x00000a08, 0x00000000, 0x00000000 } },
    { 0xd, 2, { 0x00000100, 0x00000240, 0x00000000, 0x00000000 } },
    { 0xd, 3, { 0x00000040, 0x000003c0, 0x00000000, 0x00000000 } },
    { 0xd, 4, { 0x00000040, 0x00000400, 0x00000000, 0x00000000 } },
    { 0xd, 5, { 0x00000040, 0x00000440, 0x00000000, 0x00000000 } },
    { 0xd, 6, { 0x00000200, 0x00000480, 0x00000000, 0x00000000 } },
    { 0xd, 7, { 0x00000400, 0x00000680, 0x00000000, 0x00000000 } },
    { 0xd, 9, { 0x00000008, 0x00000a80, 0x00000000, 0x00000000 } },
    { 0x80000000, N, { 0x80000008, 0, 0, 0 } },
    { 0x80000001, N, { 0, 0, 0x00000121, 0x2c100800 } },
    /* "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz" */
    { 0x80000002, N, { 0x65746e49, 0x2952286c, 0x6f655820, 0x2952286e } },
    { 0x80000003, N, { 0x6c6f4720, 0x31362064, 0x43203033, 0x40205550 } },
    { 0x80000004, N, { 0x312e3220, 0x7a484730, 0x00000000, 0x00000000 } },
    { 0x80000006, N, { 0, 0, 0x01006040, 0 } },
    { 0x80000007, N, { 0, 0, 0, 0x00000100 } },
    { 0x80000008, N, { 0x0000302e, 0, 0, 0 } },
#undef N
};

static struct cpuid_leaf *leaf_slot(struct cpu_policy *p, uint32_t leaf,
                                    uint32_t sub)
{
    switch ( leaf )
    {
    case 0x4: return &p->cache[sub];
    case 0x7: return &p->feat[sub];
    case 0xb: return &p->topo[sub];
    case 0xd: return &p->xstate[sub];
    default:
        return leaf >= 0x80000000 ? &p->extd[leaf & 0xffff] : &p->basic[leaf];
    }
}

/* x86_cpu_policy_fill_native, on the emulated CPU. */
static void calculate_raw_policy(struct cpu_policy *p)
{
    unsigned int i;

    memset(p, 0, sizeof(*p));
    for ( i = 0; i < sizeof(raw_leaves) / sizeof(raw_leaves[0]); i++ )
        *leaf_slot(p, raw_leaves[i].leaf, raw_leaves[i].subleaf) =
            raw_leaves[i].l;
    p->platform_info = PLATFORM_INFO_CPUID_FAULTING;
    x86_cpu_policy_recalc_synth(p);
}

static void sanitise_featureset(uint32_t *fs)
{
    const uint32_t *deep = x86_deep_features();
    uint32_t disabled[FSCAPINTS];
    unsigned int i, b;

    for ( i = 0; i < FSCAPINTS; i++ )
    {
        fs[i] &= known_features[i];
        disabled[i] = ~fs[i] & deep[i];
    }
    for ( b = 0; b < FSCAPINTS * 32; b++ )
    {
        const uint32_t *dfs;

        if ( !fs_test(disabled, b) ||
             !(dfs = x86_cpu_policy_lookup_deep_deps(b)) )
            continue;
        for ( i = 0; i < FSCAPINTS; i++ )
        {
            fs[i] &= ~dfs[i];
            disabled[i] &= ~dfs[i];
        }
    }
}

/* The xstate leaves from the features, with the hardware's layout. */
static void recalculate_xstate(struct cpu_policy *p, const struct cpu_policy *raw)
{
    uint64_t xstates = XSTATE_FP_SSE;
    uint32_t size = XSTATE_AREA_MIN_SIZE, da1 = p->xstate[1].a;
    unsigned int i;

    memset(p->xstate, 0, sizeof(p->xstate));
    if ( !cpu_policy_has(p, F(XSAVE)) )
        return;
    if ( cpu_policy_has(p, F(AVX)) )
        xstates |= XCR0_YMM;
    if ( cpu_policy_has(p, F(MPX)) )
        xstates |= XCR0_BNDREGS | XCR0_BNDCSR;
    if ( cpu_policy_has(p, F(AVX512F)) )
        xstates |= XCR0_OPMASK | XCR0_ZMM | XCR0_HI_ZMM;
    if ( cpu_policy_has(p, F(PKU)) )
        xstates |= XCR0_PKRU;
    for ( i = 2; i < 63; i++ )
        if ( (xstates & (1ULL << i)) &&
             raw->xstate[i].a + raw->xstate[i].b > size )
            size = raw->xstate[i].a + raw->xstate[i].b;

    p->xstate[0].a = xstates;           /* no XSAVES-only components */
    p->xstate[0].c = size;
    p->xstate[0].d = xstates >> 32;
    p->xstate[1].a = da1;
    for ( i = 2; i < 63; i++ )
        if ( xstates & (1ULL << i) )
        {
            p->xstate[i].a = raw->xstate[i].a;
            p->xstate[i].b = raw->xstate[i].b;
        }
}

/* recalculate_misc, Intel: reserved fields clobbered, hidden leaves. */
static void recalculate_misc(struct cpu_policy *p)
{
    static const unsigned int common_1d[] = {
        F(FPU), F(VME), F(DE), F(PSE), F(TSC), F(MSR), F(PAE), F(MCE),
        F(CX8), F(APIC), F(MTRR), F(PGE), F(MCA), F(CMOV), F(PAT),
        F(PSE36), F(MMX), F(FXSR),
    };
    unsigned int i;

    p->basic[1].a &= 0x0fff0fff;        /* Processor Type */
    p->basic[1].b &= 0x00ffffff;        /* APIC ID: dynamic */
    memset(&p->basic[0x5], 0, sizeof(p->basic[0]));
    memset(&p->basic[0x6], 0, sizeof(p->basic[0]));
    memset(&p->basic[0x8], 0, sizeof(p->basic[0]));
    memset(p->topo, 0, sizeof(p->topo));
    memset(&p->basic[0xc], 0, sizeof(p->basic[0]));
    for ( i = 0; i < sizeof(common_1d) / sizeof(common_1d[0]); i++ )
        p->extd[1].d &= ~(1U << (common_1d[i] % 32));
    p->extd[7].a = p->extd[7].b = p->extd[7].c = 0;
    p->extd[8].d = 0;

    /* X86_VENDOR_INTEL */
    p->basic[2].a = (p->basic[2].a & ~0xffU) | 1;   /* l2_nr_queries */
    memset(&p->basic[0x3], 0, sizeof(p->basic[0]));
    memset(&p->basic[0x9], 0, sizeof(p->basic[0]));
    p->extd[0].b = p->extd[0].c = p->extd[0].d = 0;
    p->extd[1].a = p->extd[1].b = 0;
    memset(&p->extd[0x5], 0, sizeof(p->extd[0]));
    p->extd[6].a = p->extd[6].b = p->extd[6].d = 0;
    p->extd[8].a &= 0x0000ffff;
    p->extd[8].c = 0;
}

static void calculate_host_policy(struct cpu_policy *p,
                                  const struct cpu_policy *raw)
{
    uint32_t fs[FSCAPINTS];
    unsigned int i;

    *p = *raw;
    if ( p_max_leaf(p) > CPUID_GUEST_NR_BASIC - 1 )
        p_max_leaf(p) = CPUID_GUEST_NR_BASIC - 1;
    if ( p_max_subleaf(p) > CPUID_GUEST_NR_FEAT - 1 )
        p_max_subleaf(p) = CPUID_GUEST_NR_FEAT - 1;
    if ( (p_extd_max(p) & 0xffff) > CPUID_GUEST_NR_EXTD - 1 )
        p_extd_max(p) = 0x80000000 | (CPUID_GUEST_NR_EXTD - 1);

    /* boot_cpu_data.x86_capability: what Xen knows, less CLWB (GDS). */
    x86_cpu_policy_to_featureset(raw, fs);
    for ( i = 0; i < FSCAPINTS; i++ )
        fs[i] &= known_features[i];
    fs_clear(fs, F(CLWB));
    x86_cpu_featureset_to_policy(fs, p);
    recalculate_xstate(p, raw);
    recalculate_misc(p);
    memset(&p->basic[0xa], 0, sizeof(p->basic[0]));   /* vPMU off */
    p->platform_info = raw->platform_info & PLATFORM_INFO_CPUID_FAULTING;
}

/* guest_common_{max,default}_feature_adjustments and ..._adjustments. */
static void guest_max_adjustments(uint32_t *fs, const struct cpu_policy *raw)
{
    fs_set(fs, F(ARCH_CAPS));
    fs_set(fs, F(RSBA));
    fs_set(fs, F(RRSBA));
    fs_set(fs, F(MD_CLEAR));
    fs_set(fs, F(FB_CLEAR));
    fs_set(fs, F(RFDS_CLEAR));
    if ( cpu_policy_has(raw, F(CLWB)) )             /* SKYLAKE_X */
        fs_set(fs, F(CLWB));
    if ( fs_test(fs, F(RTM)) )
        fs_set(fs, F(RTM_ALWAYS_ABORT));
    fs_set(fs, F(HTT));
    fs_set(fs, F(CMP_LEGACY));
}

static void guest_default_adjustments(uint32_t *fs, const struct cpu_policy *host,
                                      const struct cpu_policy *raw)
{
    if ( !cpu_policy_has(host, F(MD_CLEAR)) )
        fs_clear(fs, F(MD_CLEAR));
    if ( !cpu_policy_has(host, F(FB_CLEAR)) )
        fs_clear(fs, F(FB_CLEAR));
    if ( !cpu_policy_has(host, F(RFDS_CLEAR)) )
        fs_clear(fs, F(RFDS_CLEAR));
    if ( cpu_policy_has(raw, F(CLWB)) )             /* SKYLAKE_X */
        fs_clear(fs, F(CLWB));
    if ( !cpu_policy_has(host, F(HTT)) )
        fs_clear(fs, F(HTT));
    if ( !cpu_policy_has(host, F(CMP_LEGACY)) )
        fs_clear(fs, F(CMP_LEGACY));
}

static void guest_common_adjustments(uint32_t *fs, const struct cpu_policy *host)
{
    fs_set(fs, F(HYPERVISOR));
    if ( fs_test(fs, F(IBRSB)) )
        fs_set(fs, F(STIBP));
    if ( fs_test(fs, F(IBRS)) )
        fs_set(fs, F(AMD_STIBP));
    if ( cpu_policy_has(host, F(IBRSB)) )
        fs_set(fs, F(IBPB));
}

/* RSBA/RRSBA for a guest that sees ARCH_CAPS, if the host suffers it. */
static void default_rsba(uint32_t *fs, const struct cpu_policy *host)
{
    if ( fs_test(fs, F(ARCH_CAPS)) &&
         (cpu_policy_has(host, F(RSBA)) || cpu_policy_has(host, F(RRSBA))) )
        fs_set(fs, fs_test(fs, F(EIBRS)) ? F(RRSBA) : F(RSBA));
}

static void calculate_guest_policies(struct cpu_policy *pol)
{
    const struct cpu_policy *raw = &pol[POL_RAW], *host = &pol[POL_HOST];
    uint32_t fs[FSCAPINTS];
    unsigned int i;

    /* PV max: the host's PV-able features, x2APIC tolerated. */
    pol[POL_PV_MAX] = *host;
    p_max_subleaf(&pol[POL_PV_MAX]) = CPUID_GUEST_NR_FEAT - 1;
    x86_cpu_policy_to_featureset(&pol[POL_PV_MAX], fs);
    for ( i = 0; i < FSCAPINTS; i++ )
        fs[i] &= pv_max_featuremask[i];
    fs_set(fs, F(X2APIC));
    fs_clear(fs, F(SRSO_US_NO));        /* no BP_SPEC_REDUCE (AMD only) */
    guest_max_adjustments(fs, raw);
    guest_common_adjustments(fs, host);
    sanitise_featureset(fs);
    x86_cpu_featureset_to_policy(fs, &pol[POL_PV_MAX]);
    recalculate_xstate(&pol[POL_PV_MAX], raw);
    memset(&pol[POL_PV_MAX].extd[0xa], 0, sizeof(struct cpuid_leaf));

    pol[POL_PV_DEF] = pol[POL_PV_MAX];
    p_max_subleaf(&pol[POL_PV_DEF]) = p_max_subleaf(host);
    x86_cpu_policy_to_featureset(&pol[POL_PV_DEF], fs);
    for ( i = 0; i < FSCAPINTS; i++ )
        fs[i] &= pv_def_featuremask[i];
    guest_common_adjustments(fs, host);
    guest_default_adjustments(fs, host, raw);
    sanitise_featureset(fs);
    default_rsba(fs, host);
    x86_cpu_featureset_to_policy(fs, &pol[POL_PV_DEF]);
    recalculate_xstate(&pol[POL_PV_DEF], raw);

    /* HVM max (HAP): emulated (x2)APIC, no LMSLE; VT-x has MPX, XSAVES. */
    pol[POL_HVM_MAX] = *host;
    p_max_subleaf(&pol[POL_HVM_MAX]) = CPUID_GUEST_NR_FEAT - 1;
    x86_cpu_policy_to_featureset(&pol[POL_HVM_MAX], fs);
    for ( i = 0; i < FSCAPINTS; i++ )
        fs[i] &= hvm_hap_max_featuremask[i];
    fs_set(fs, F(APIC));
    fs_set(fs, F(X2APIC));
    fs_set(fs, F(NO_LMSL));
    guest_max_adjustments(fs, raw);
    guest_common_adjustments(fs, host);
    sanitise_featureset(fs);
    x86_cpu_featureset_to_policy(fs, &pol[POL_HVM_MAX]);
    recalculate_xstate(&pol[POL_HVM_MAX], raw);
    pol[POL_HVM_MAX].platform_info = PLATFORM_INFO_CPUID_FAULTING;

    pol[POL_HVM_DEF] = pol[POL_HVM_MAX];
    p_max_subleaf(&pol[POL_HVM_DEF]) = p_max_subleaf(host);
    x86_cpu_policy_to_featureset(&pol[POL_HVM_DEF], fs);
    for ( i = 0; i < FSCAPINTS; i++ )
        fs[i] &= hvm_hap_def_featuremask[i];
    guest_common_adjustments(fs, host);
    guest_default_adjustments(fs, host, raw);
    sanitise_featureset(fs);
    default_rsba(fs, host);
    x86_cpu_featureset_to_policy(fs, &pol[POL_HVM_DEF]);
    recalculate_xstate(&pol[POL_HVM_DEF], raw);
}

/* init_guest_cpu_policies: at the first domain's creation (dom0, at boot). */
static struct cpu_policy *system_policies(struct host *h)
{
    struct cpu_policy *pol = h->cpu_policies;

    if ( pol )
        return pol;
    if ( (pol = calloc(NR_POLICIES, sizeof(*pol))) == NULL )
        return NULL;
    calculate_raw_policy(&pol[POL_RAW]);
    calculate_host_policy(&pol[POL_HOST], &pol[POL_RAW]);
    calculate_guest_policies(pol);
    h->cpu_policies = pol;
    return pol;
}

void cpu_policies_destroy(struct host *h)
{
    free(h->cpu_policies);
    h->cpu_policies = NULL;
}

static const struct cpu_policy *max_policy(struct domain *d)
{
    return &d->host->cpu_policies[is_pv_domain(d) ? POL_PV_MAX : POL_HVM_MAX];
}

void recalculate_cpuid_policy(struct domain *d)
{
    struct cpu_policy *p = d->cpu_policy;
    const struct cpu_policy *max = max_policy(d);
    const struct cpu_policy *host = &d->host->cpu_policies[POL_HOST];
    const struct cpu_policy *raw = &d->host->cpu_policies[POL_RAW];
    uint32_t fs[FSCAPINTS], max_fs[FSCAPINTS], bits;
    unsigned int i;

    x86_cpu_policy_recalc_synth(p);
    if ( p_max_leaf(p) > p_max_leaf(max) )
        p_max_leaf(p) = p_max_leaf(max);
    if ( p_max_subleaf(p) > p_max_subleaf(max) )
        p_max_subleaf(p) = p_max_subleaf(max);
    bits = (p->x86_vendor & X86_VENDOR_AMD ? CPUID_GUEST_NR_EXTD_AMD
                                           : CPUID_GUEST_NR_EXTD_INTEL) - 1;
    p_extd_max(p) = 0x80000000 |
                    ((p_extd_max(p) & 0xffff) < bits ? p_extd_max(p) & 0xffff
                                                     : bits);

    x86_cpu_policy_to_featureset(p, fs);
    x86_cpu_policy_to_featureset(max, max_fs);
    if ( is_hvm_domain(d) )
    {
        if ( !hap_enabled(d) )
            for ( i = 0; i < FSCAPINTS; i++ )
                max_fs[i] &= hvm_shadow_max_featuremask[i];
        if ( !(d->createflags & XEN_DOMCTL_CDF_nested_virt) )
        {
            fs_clear(max_fs, F(VMX));
            fs_clear(max_fs, F(SVM));
        }
    }
    else if ( d->pv_32bit )
    {
        fs_clear(max_fs, F(LM));
        fs_clear(max_fs, F(SYSCALL));   /* Intel */
    }
    for ( i = 0; i < FSCAPINTS; i++ )
        fs[i] &= max_fs[i];
    if ( p_max_leaf(p) < XSTATE_CPUID )
        fs_clear(fs, F(XSAVE));
    sanitise_featureset(fs);
    /* The host's FDP_EXCP_ONLY and NO_FPU_SEL, whatever was asked. */
    fs[5] &= ~((1U << (F(FDP_EXCP_ONLY) % 32)) | (1U << (F(NO_FPU_SEL) % 32)));
    fs[5] |= host->feat[0].b &
             ((1U << (F(FDP_EXCP_ONLY) % 32)) | (1U << (F(NO_FPU_SEL) % 32)));
    x86_cpu_featureset_to_policy(fs, p);

    /* clflush_size from max; address widths. */
    p->basic[1].b = (p->basic[1].b & ~0xff00U) | (max->basic[1].b & 0xff00U);
    bits = p->extd[8].a & 0xff;
    if ( bits > (max->extd[8].a & 0xff) )
        bits = max->extd[8].a & 0xff;
    if ( bits > HOST_PADDR_BITS )            /* paging_max_paddr_bits() */
        bits = HOST_PADDR_BITS;
    if ( bits < (cpu_policy_has(p, F(PAE)) || cpu_policy_has(p, F(PSE36))
                 ? 36U : 32U) )
        bits = cpu_policy_has(p, F(PAE)) || cpu_policy_has(p, F(PSE36))
               ? 36 : 32;
    p->extd[8].a = (p->extd[8].a & ~0xffffU) | bits |
                   (cpu_policy_has(p, F(LM)) ? 48 : 32) << 8;

    recalculate_xstate(p, raw);
    recalculate_misc(p);
    for ( i = 0; i < CPUID_GUEST_NR_CACHE; i++ )
    {
        if ( p_cache_type(p, i) >= 1 && p_cache_type(p, i) <= 3 )
        {
            p->cache[i].a &= 0xffffc3ffU;
            p->cache[i].d &= 0x00000007U;
        }
        else
        {
            memset(&p->cache[i], 0,
                   (CPUID_GUEST_NR_CACHE - i) * sizeof(p->cache[0]));
            break;
        }
    }
    memset(&p->basic[0xa], 0, sizeof(p->basic[0]));   /* vPMU off */
    if ( !cpu_policy_has(p, F(SVM)) )
        memset(&p->extd[0xa], 0, sizeof(p->extd[0]));
    if ( !cpu_policy_has(p, F(PAGE1GB)) )
        memset(&p->extd[0x19], 0, sizeof(p->extd[0]));
}

int init_domain_cpu_policy(struct domain *d)
{
    struct cpu_policy *pol = system_policies(d->host);

    if ( !pol )
        return -ENOMEM;
    d->cpu_policy = malloc(sizeof(*d->cpu_policy));
    if ( !d->cpu_policy )
        return -ENOMEM;
    *d->cpu_policy = pol[is_pv_domain(d) ? POL_PV_DEF : POL_HVM_DEF];
    recalculate_cpuid_policy(d);
    return 0;
}

/* ---- XEN_DOMCTL_{get,set}_cpu_policy ---- */

static int update_domain_cpu_policy(struct caller *c, struct domain *d,
                                    struct xen_domctl_cpu_policy *xdpc)
{
    struct cpu_policy *new = malloc(sizeof(*new));
    uint32_t leaf = ~0U, sub = ~0U, msr = ~0U;
    int ret;

    if ( !new )
        return -ENOMEM;
    *new = *d->cpu_policy;
    if ( (ret = x86_cpuid_copy_from_buffer(new, c->mem,
                                           handle_addr(xdpc->leaves.p),
                                           xdpc->nr_leaves, &leaf, &sub)) ||
         (ret = x86_msr_copy_from_buffer(new, c->mem,
                                         handle_addr(xdpc->msrs.p),
                                         xdpc->nr_msrs, &msr)) )
        goto out;
    x86_cpu_policy_clear_out_of_range_leaves(new);
    if ( (ret = x86_cpu_policies_are_compatible(max_policy(d), new, &leaf,
                                                &sub, &msr)) )
        goto out;
    free(d->cpu_policy);
    d->cpu_policy = new;
    new = NULL;
    recalculate_cpuid_policy(d);
 out:
    free(new);
    if ( ret )
    {
        xdpc->err_leaf = leaf;
        xdpc->err_subleaf = sub;
        xdpc->err_msr = msr;
    }
    return ret;
}

long cpu_policy_domctl(struct caller *c, struct domain *d,
                       struct xen_domctl *op, bool *copyback)
{
    struct xen_domctl_cpu_policy *pol = &op->u.cpu_policy;
    uint64_t leaves = handle_addr(pol->leaves.p), msrs = handle_addr(pol->msrs.p);
    int ret;

    if ( op->cmd == XEN_DOMCTL_get_cpu_policy )
    {
        if ( guest_handle_is_null(leaves) )
            pol->nr_leaves = CPUID_MAX_SERIALISED_LEAVES;
        else if ( (ret = x86_cpuid_copy_to_buffer(d->cpu_policy, c->mem,
                                                  leaves, &pol->nr_leaves)) )
            return ret;
        if ( guest_handle_is_null(msrs) )
            pol->nr_msrs = MSR_MAX_SERIALISED_ENTRIES;
        else if ( (ret = x86_msr_copy_to_buffer(d->cpu_policy, c->mem, msrs,
                                                &pol->nr_msrs)) )
            return ret;
        *copyback = true;
        return 0;
    }

    if ( d == c->d )                    /* no domain_pause() */
        return -EINVAL;
    if ( d->creation_finished )
        return -EEXIST;                 /* not once the domain has run */
    ret = update_domain_cpu_policy(c, d, pol);
    if ( ret )
        *copyback = true;               /* the err_* fields */
    return ret;
}

/* ---- XEN_SYSCTL_get_cpu_featureset / get_cpu_policy ---- */

long cpu_policy_sysctl(struct caller *c, struct xen_sysctl *op,
                       uint64_t u_sysctl)
{
    struct cpu_policy *pol = system_policies(c->h);
    long ret = 0;

    if ( !pol )
        return -ENOMEM;
    if ( op->cmd == XEN_SYSCTL_get_cpu_featureset )
    {
        /* Featureset indices: raw, host, pv, hvm, pv_max, hvm_max. */
        static const unsigned int idx[] = {
            POL_RAW, POL_HOST, POL_PV_DEF, POL_HVM_DEF, POL_PV_MAX,
            POL_HVM_MAX,
        };
        struct xen_sysctl_cpu_featureset *f = &op->u.cpu_featureset;
        uint32_t fs[FSCAPINTS], nr;

        if ( guest_handle_is_null(handle_addr(f->features.p)) )
        {
            f->nr_features = FSCAPINTS;
            return 0;
        }
        nr = f->nr_features < FSCAPINTS ? f->nr_features : FSCAPINTS;
        if ( f->index >= sizeof(idx) / sizeof(idx[0]) )
            ret = -EINVAL;
        else
        {
            x86_cpu_policy_to_featureset(&pol[idx[f->index]], fs);
            if ( copy_to_guest_raw(c->mem, handle_addr(f->features.p), fs,
                                   nr * sizeof(*fs)) )
                ret = -EFAULT;
        }
        /* How many were written, even when there was more to give. */
        f->nr_features = nr;
        if ( !ret && copy_to_guest_raw(c->mem, u_sysctl +
                                       offsetof(struct xen_sysctl,
                                                u.cpu_featureset.nr_features),
                                       &nr, sizeof(nr)) )
            ret = -EFAULT;
        if ( !ret && nr < FSCAPINTS )
            ret = -ENOBUFS;
        return ret;
    }

    /* XEN_SYSCTL_get_cpu_policy */
    if ( op->u.cpu_policy._rsvd || op->u.cpu_policy.index >= NR_POLICIES )
        return -EINVAL;
    if ( guest_handle_is_null(handle_addr(op->u.cpu_policy.leaves.p)) )
        op->u.cpu_policy.nr_leaves = CPUID_MAX_SERIALISED_LEAVES;
    else if ( (ret = x86_cpuid_copy_to_buffer(
                   &pol[op->u.cpu_policy.index], c->mem,
                   handle_addr(op->u.cpu_policy.leaves.p),
                   &op->u.cpu_policy.nr_leaves)) )
        return ret;
    if ( copy_to_guest_raw(c->mem, u_sysctl + offsetof(struct xen_sysctl,
                                                       u.cpu_policy.nr_leaves),
                           &op->u.cpu_policy.nr_leaves, sizeof(uint32_t)) )
        return -EFAULT;
    if ( guest_handle_is_null(handle_addr(op->u.cpu_policy.msrs.p)) )
        op->u.cpu_policy.nr_msrs = MSR_MAX_SERIALISED_ENTRIES;
    else if ( (ret = x86_msr_copy_to_buffer(
                   &pol[op->u.cpu_policy.index], c->mem,
                   handle_addr(op->u.cpu_policy.msrs.p),
                   &op->u.cpu_policy.nr_msrs)) )
        return ret;
    return 0;
}
