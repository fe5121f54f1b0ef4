/*
 * cpu_policy_lib.c - what Xen shares with the toolstack in xen/lib/x86
 * (cpuid.c, msr.c, policy.c): featureset <-> policy, the serialised form
 * of XEN_SYSCTL_get_cpu_policy and XEN_DOMCTL_{get,set}_cpu_policy, the
 * trimming of out-of-range leaves and the compatibility audit; plus the
 * featureset dependency closure (gen-cpuid.py's deep_deps).
 *
 * The serialised form must match libxenguest's, which parses what this
 * writes and writes what this parses: the same leaves in the same order,
 * XEN_CPUID_NO_SUBLEAF for leaves without subleaves.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "cpu_policy.h"
#include "guest_access.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* ---- featuresets ---- */

bool fs_test(const uint32_t *fs, unsigned int feat)
{
    return fs[feat / 32] & (1U << (feat % 32));
}

void fs_set(uint32_t *fs, unsigned int feat)
{
    fs[feat / 32] |= 1U << (feat % 32);
}

void fs_clear(uint32_t *fs, unsigned int feat)
{
    fs[feat / 32] &= ~(1U << (feat % 32));
}

/* The register featureset word w lives in (FEATURESET_1d, _1c, ...). */
static uint32_t *fs_word(struct cpu_policy *p, unsigned int w)
{
    switch ( w )
    {
    case 0:  return &p->basic[1].d;     /* 1d */
    case 1:  return &p->basic[1].c;     /* 1c */
    case 2:  return &p->extd[1].d;      /* e1d */
    case 3:  return &p->extd[1].c;      /* e1c */
    case 4:  return &p->xstate[1].a;    /* Da1 */
    case 5:  return &p->feat[0].b;      /* 7b0 */
    case 6:  return &p->feat[0].c;      /* 7c0 */
    case 7:  return &p->extd[7].d;      /* e7d */
    case 8:  return &p->extd[8].b;      /* e8b */
    case 9:  return &p->feat[0].d;      /* 7d0 */
    case 10: return &p->feat[1].a;      /* 7a1 */
    case 11: return &p->extd[0x21].a;   /* e21a */
    case 12: return &p->feat[1].b;      /* 7b1 */
    case 13: return &p->feat[2].d;      /* 7d2 */
    case 14: return &p->feat[1].c;      /* 7c1 */
    case 15: return &p->feat[1].d;      /* 7d1 */
    case 16: return &p->arch_caps_lo;   /* m10Al */
    case 17: return &p->arch_caps_hi;   /* m10Ah */
    case 18: return &p->extd[0x21].c;   /* e21c */
    default: return NULL;
    }
}

_Static_assert(FSCAPINTS == 19, "featureset words fs_word() knows");

void x86_cpu_policy_to_featureset(const struct cpu_policy *p, uint32_t *fs)
{
    unsigned int w;

    for ( w = 0; w < FSCAPINTS; w++ )
        fs[w] = *fs_word((struct cpu_policy *)p, w);
}

void x86_cpu_featureset_to_policy(const uint32_t *fs, struct cpu_policy *p)
{
    unsigned int w;

    for ( w = 0; w < FSCAPINTS; w++ )
        *fs_word(p, w) = fs[w];
}

bool cpu_policy_has(const struct cpu_policy *p, unsigned int feat)
{
    uint32_t fs[FSCAPINTS];

    x86_cpu_policy_to_featureset(p, fs);
    return fs_test(fs, feat);
}

/* XCR0 | XSS: every xstate component the policy has. */
uint64_t cpu_policy_xstates(const struct cpu_policy *p)
{
    return ((uint64_t)p->xstate[0].d << 32 | p->xstate[0].a) |
           ((uint64_t)p->xstate[1].d << 32 | p->xstate[1].c);
}

void x86_cpu_policy_recalc_synth(struct cpu_policy *p)
{
    const struct cpuid_leaf *l = &p->basic[0];

    /* x86_cpuid_lookup_vendor */
    if ( l->b == 0x756e6547 && l->c == 0x6c65746e && l->d == 0x49656e69 )
        p->x86_vendor = X86_VENDOR_INTEL;      /* GenuineIntel */
    else if ( l->b == 0x68747541 && l->c == 0x444d4163 && l->d == 0x69746e65 )
        p->x86_vendor = X86_VENDOR_AMD;        /* AuthenticAMD */
    else
        p->x86_vendor = X86_VENDOR_UNKNOWN;
}

static void zero_leaves(struct cpuid_leaf *l, unsigned int first,
                        unsigned int last)
{
    if ( first <= last )
        memset(&l[first], 0, sizeof(*l) * (last - first + 1));
}

void x86_cpu_policy_clear_out_of_range_leaves(struct cpu_policy *p)
{
    unsigned int i;

    zero_leaves(p->basic, p_max_leaf(p) + 1, ARRAY_SIZE(p->basic) - 1);
    if ( p_max_leaf(p) < 4 )
        memset(p->cache, 0, sizeof(p->cache));
    else
    {
        for ( i = 0; i < ARRAY_SIZE(p->cache) && p_cache_type(p, i); i++ )
            ;
        zero_leaves(p->cache, i, ARRAY_SIZE(p->cache) - 1);
    }
    if ( p_max_leaf(p) < 7 )
        memset(p->feat, 0, sizeof(p->feat));
    else
        zero_leaves(p->feat, p_max_subleaf(p) + 1, ARRAY_SIZE(p->feat) - 1);
    if ( p_max_leaf(p) < 0xb )
        memset(p->topo, 0, sizeof(p->topo));
    else
    {
        for ( i = 0; i < ARRAY_SIZE(p->topo) && p_topo_type(p, i); i++ )
            ;
        zero_leaves(p->topo, i, ARRAY_SIZE(p->topo) - 1);
    }
    if ( p_max_leaf(p) < 0xd || !cpu_policy_xstates(p) )
        memset(p->xstate, 0, sizeof(p->xstate));
    else
    {
        /* The first two subleaves always count; the rest per component. */
        i = 64 - __builtin_clzll(cpu_policy_xstates(p));
        zero_leaves(p->xstate, i < 2 ? 2 : i, ARRAY_SIZE(p->xstate) - 1);
    }
    zero_leaves(p->extd, (p_extd_max(p) & 0xffff) + 1,
                ARRAY_SIZE(p->extd) - 1);
}

/* ---- serialisation ---- */

static int copy_leaf_to_buffer(const struct guest_access *mem, uint64_t buf,
                               uint32_t leaf, uint32_t subleaf,
                               const struct cpuid_leaf *data, uint32_t *curr,
                               uint32_t nr)
{
    const xen_cpuid_leaf_t val = {
        leaf, subleaf, data->a, data->b, data->c, data->d,
    };

    if ( *curr == nr )
        return -ENOBUFS;
    if ( copy_to_guest_raw(mem, buf + *curr * sizeof(val), &val, sizeof(val)) )
        return -EFAULT;
    ++*curr;
    return 0;
}

int x86_cpuid_copy_to_buffer(const struct cpu_policy *p,
                             const struct guest_access *mem, uint64_t leaves,
                             uint32_t *nr)
{
    uint32_t curr = 0, leaf, sub;
    struct cpuid_leaf hv = { p->hv_limit, 0, 0, 0 };
    struct cpuid_leaf hv2 = { p->hv2_limit, 0, 0, 0 };
    int rc;

#define COPY_LEAF(l, s, data)                                             \
    do {                                                                  \
        if ( (rc = copy_leaf_to_buffer(mem, leaves, l, s, data, &curr,    \
                                       *nr)) )                            \
            return rc;                                                    \
    } while ( 0 )

    for ( leaf = 0; leaf <= MIN(p_max_leaf(p), ARRAY_SIZE(p->basic) - 1);
          leaf++ )
    {
        switch ( leaf )
        {
        case 0x4:
            for ( sub = 0; sub < ARRAY_SIZE(p->cache); sub++ )
            {
                COPY_LEAF(leaf, sub, &p->cache[sub]);
                if ( !p_cache_type(p, sub) )
                    break;
            }
            break;
        case 0x7:
            for ( sub = 0; sub <= MIN(p_max_subleaf(p), ARRAY_SIZE(p->feat) - 1);
                  sub++ )
                COPY_LEAF(leaf, sub, &p->feat[sub]);
            break;
        case 0xb:
            for ( sub = 0; sub < ARRAY_SIZE(p->topo); sub++ )
            {
                COPY_LEAF(leaf, sub, &p->topo[sub]);
                if ( !p_topo_type(p, sub) )
                    break;
            }
            break;
        case 0xd:
        {
            uint64_t xstates = cpu_policy_xstates(p);

            COPY_LEAF(leaf, 0, &p->xstate[0]);
            COPY_LEAF(leaf, 1, &p->xstate[1]);
            for ( xstates >>= 2, sub = 2;
                  xstates && sub < ARRAY_SIZE(p->xstate);
                  xstates >>= 1, sub++ )
                COPY_LEAF(leaf, sub, &p->xstate[sub]);
            break;
        }
        default:
            COPY_LEAF(leaf, XEN_CPUID_NO_SUBLEAF, &p->basic[leaf]);
            break;
        }
    }
    COPY_LEAF(0x40000000, XEN_CPUID_NO_SUBLEAF, &hv);
    COPY_LEAF(0x40000100, XEN_CPUID_NO_SUBLEAF, &hv2);
    for ( leaf = 0; leaf <= MIN(p_extd_max(p) & 0xffff, ARRAY_SIZE(p->extd) - 1);
          leaf++ )
        COPY_LEAF(0x80000000 | leaf, XEN_CPUID_NO_SUBLEAF, &p->extd[leaf]);
#undef COPY_LEAF
    *nr = curr;
    return 0;
}

int x86_cpuid_copy_from_buffer(struct cpu_policy *p,
                               const struct guest_access *mem, uint64_t leaves,
                               uint32_t nr, uint32_t *err_leaf,
                               uint32_t *err_subleaf)
{
    xen_cpuid_leaf_t data;
    struct cpuid_leaf l, *dst;
    uint32_t i;

    *err_leaf = *err_subleaf = ~0U;
    if ( nr > CPUID_MAX_SERIALISED_LEAVES )
        return -E2BIG;

    for ( i = 0; i < nr; i++ )
    {
        if ( copy_from_guest_raw(mem, &data, leaves + i * sizeof(data),
                                 sizeof(data)) )
            return -EFAULT;
        l = (struct cpuid_leaf){ data.a, data.b, data.c, data.d };
        dst = NULL;
        if ( data.leaf < ARRAY_SIZE(p->basic) )
        {
            switch ( data.leaf )
            {
            case 0x4:
                if ( data.subleaf < ARRAY_SIZE(p->cache) )
                    dst = &p->cache[data.subleaf];
                break;
            case 0x7:
                if ( data.subleaf < ARRAY_SIZE(p->feat) )
                    dst = &p->feat[data.subleaf];
                break;
            case 0xb:
                if ( data.subleaf < ARRAY_SIZE(p->topo) )
                    dst = &p->topo[data.subleaf];
                break;
            case 0xd:
                if ( data.subleaf < ARRAY_SIZE(p->xstate) )
                    dst = &p->xstate[data.subleaf];
                break;
            default:
                if ( data.subleaf == XEN_CPUID_NO_SUBLEAF )
                    dst = &p->basic[data.leaf];
                break;
            }
        }
        else if ( (data.leaf == 0x40000000 || data.leaf == 0x40000100) &&
                  data.subleaf == XEN_CPUID_NO_SUBLEAF )
        {
            *(data.leaf == 0x40000000 ? &p->hv_limit : &p->hv2_limit) = l.a;
            continue;
        }
        else if ( data.leaf >= 0x80000000 &&
                  data.leaf - 0x80000000 < ARRAY_SIZE(p->extd) &&
                  data.subleaf == XEN_CPUID_NO_SUBLEAF )
            dst = &p->extd[data.leaf & 0xffff];

        if ( !dst )
        {
            *err_leaf = data.leaf;
            *err_subleaf = data.subleaf;
            return -ERANGE;
        }
        *dst = l;
    }
    x86_cpu_policy_recalc_synth(p);
    return 0;
}

static int copy_msr_to_buffer(const struct guest_access *mem, uint64_t buf,
                              uint32_t idx, uint64_t val, uint32_t *curr,
                              uint32_t nr)
{
    const xen_msr_entry_t ent = { .idx = idx, .val = val };

    if ( *curr == nr )
        return -ENOBUFS;
    if ( copy_to_guest_raw(mem, buf + *curr * sizeof(ent), &ent, sizeof(ent)) )
        return -EFAULT;
    ++*curr;
    return 0;
}

int x86_msr_copy_to_buffer(const struct cpu_policy *p,
                           const struct guest_access *mem, uint64_t msrs,
                           uint32_t *nr)
{
    uint32_t curr = 0;
    int rc;

    if ( (rc = copy_msr_to_buffer(mem, msrs, MSR_INTEL_PLATFORM_INFO,
                                  p->platform_info, &curr, *nr)) ||
         (rc = copy_msr_to_buffer(mem, msrs, MSR_ARCH_CAPABILITIES,
                                  (uint64_t)p->arch_caps_hi << 32 |
                                  p->arch_caps_lo, &curr, *nr)) )
        return rc;
    *nr = curr;
    return 0;
}

int x86_msr_copy_from_buffer(struct cpu_policy *p,
                             const struct guest_access *mem, uint64_t msrs,
                             uint32_t nr, uint32_t *err_msr)
{
    xen_msr_entry_t data;
    uint32_t i;

    *err_msr = ~0U;
    if ( nr > MSR_MAX_SERIALISED_ENTRIES )
        return -E2BIG;
    for ( i = 0; i < nr; i++ )
    {
        if ( copy_from_guest_raw(mem, &data, msrs + i * sizeof(data),
                                 sizeof(data)) )
            return -EFAULT;
        *err_msr = data.idx;
        if ( data.flags )                       /* MBZ */
            return -EINVAL;
        switch ( data.idx )
        {
        case MSR_INTEL_PLATFORM_INFO:
            if ( (uint32_t)data.val != data.val )
                return -EOVERFLOW;
            p->platform_info = data.val;
            break;
        case MSR_ARCH_CAPABILITIES:
            p->arch_caps_lo = data.val;
            p->arch_caps_hi = data.val >> 32;
            break;
        default:
            return -ERANGE;
        }
        *err_msr = ~0U;
    }
    return 0;
}

int x86_cpu_policies_are_compatible(const struct cpu_policy *host,
                                    const struct cpu_policy *guest,
                                    uint32_t *err_leaf, uint32_t *err_subleaf,
                                    uint32_t *err_msr)
{
    *err_leaf = *err_subleaf = *err_msr = ~0U;
    if ( p_max_leaf(guest) > p_max_leaf(host) )
    {
        *err_leaf = 0;
        *err_subleaf = XEN_CPUID_NO_SUBLEAF;
    }
    else if ( p_max_subleaf(guest) > p_max_subleaf(host) )
    {
        *err_leaf = 7;
        *err_subleaf = 0;
    }
    else if ( p_extd_max(guest) > p_extd_max(host) )
    {
        *err_leaf = 0x80000000;
        *err_subleaf = XEN_CPUID_NO_SUBLEAF;
    }
    else if ( ~host->platform_info & guest->platform_info )
        *err_msr = MSR_INTEL_PLATFORM_INFO;
    else
        return 0;
    return -EINVAL;
}

/* ---- feature dependencies (gen-cpuid.py's deps, direct ones) ---- */

#define F(x) X86_FEATURE_##x
static const struct {
    unsigned int feat;
    unsigned int deps[14];              /* 0-terminated (FPU is never one) */
} direct_deps[] = {
    { F(FPU), { F(MMX), F(RSTR_FP_ERR_PTRS) } },
    { F(PSE), { F(PSE36) } },
    { F(PAE), { F(LM), F(NX) } },
    { F(TSC), { F(TSC_DEADLINE), F(RDTSCP), F(TSC_ADJUST), F(ITSC) } },
    { F(APIC), { F(X2APIC), F(TSC_DEADLINE), F(EXTAPIC) } },
    { F(MMX), { F(MMXEXT), F(3DNOW) } },
    { F(FXSR), { F(FFXSR), F(SSE) } },
    { F(SSE), { F(SSE2), F(MISALIGNSSE) } },
    { F(SSE2), { F(SSE3), F(LM), F(AESNI), F(PCLMULQDQ), F(SHA), F(GFNI) } },
    { F(SSE3), { F(SSSE3), F(SSE4A) } },
    { F(SSSE3), { F(SSE4_1) } },
    { F(SSE4_1), { F(SSE4_2) } },
    { F(XSAVE), { F(XSAVEOPT), F(XSAVEC), F(XGETBV1), F(XSAVES), F(AVX),
                  F(MPX), F(PKU), F(LWP) } },
    { F(AVX), { F(FMA), F(FMA4), F(F16C), F(AVX2), F(XOP) } },
    { F(NX), { F(SMAP) } },
    { F(LM), { F(CX16), F(PCID), F(LAHF_LM), F(PAGE1GB), F(PKU), F(NO_LMSL) } },
    { F(3DNOW), { F(3DNOWEXT) } },
    { F(AVX2), { F(AVX512F), F(VAES), F(VPCLMULQDQ), F(AVX_VNNI) } },
    { F(AVX512F), { F(AVX512DQ), F(AVX512_IFMA), F(AVX512PF), F(AVX512ER),
                    F(AVX512CD), F(AVX512BW), F(AVX512VL), F(AVX512_4VNNIW),
                    F(AVX512_4FMAPS), F(AVX512_VNNI), F(AVX512_VPOPCNTDQ),
                    F(AVX512_VP2INTERSECT) } },
    { F(AVX512BW), { F(AVX512_VBMI), F(AVX512_VBMI2), F(AVX512_BITALG),
                     F(AVX512_BF16), F(AVX512_FP16) } },
    { F(PCLMULQDQ), { F(VPCLMULQDQ) } },
    { F(AESNI), { F(VAES) } },
    { F(IBRSB), { F(STIBP), F(SSBD), F(INTEL_PSFD), F(EIBRS), F(IPRED_CTRL),
                  F(RRSBA_CTRL), F(BHI_CTRL) } },
    { F(IBRS), { F(AMD_STIBP), F(AMD_SSBD), F(PSFD), F(IBRS_ALWAYS),
                 F(IBRS_FAST), F(IBRS_SAME_MODE) } },
    { F(IBPB), { F(IBPB_RET), F(SBPB), F(IBPB_BRTYPE) } },
    { F(AMD_STIBP), { F(STIBP_ALWAYS) } },
    { F(RTM), { F(TSXLDTRK) } },
    { F(ARCH_CAPS), { 0 } },            /* all of MSR_ARCH_CAPS: below */
    { F(EIBRS), { F(RRSBA) } },
};
#undef F

#define NR_DEEP_DEPS ARRAY_SIZE(direct_deps)

static uint32_t deep_features[FSCAPINTS];
static uint32_t deep_deps[NR_DEEP_DEPS][FSCAPINTS];
static pthread_once_t deep_once = PTHREAD_ONCE_INIT;

/* The direct dependants of f, into fs. */
static void add_direct(unsigned int f, uint32_t *fs)
{
    unsigned int i, j;

    for ( i = 0; i < NR_DEEP_DEPS; i++ )
    {
        if ( direct_deps[i].feat != f )
            continue;
        if ( f == X86_FEATURE_ARCH_CAPS )
        {
            for ( j = 0; j < 64; j++ )
                fs_set(fs, X86_FEATURE_RDCL_NO + j);
            return;
        }
        for ( j = 0; j < ARRAY_SIZE(direct_deps[i].deps) &&
                     direct_deps[i].deps[j]; j++ )
            fs_set(fs, direct_deps[i].deps[j]);
        return;
    }
}

/* The transitive closure of each entry, as gen-cpuid.py computes it. */
static void deep_deps_init(void)
{
    unsigned int i, b;
    bool grew;

    for ( i = 0; i < NR_DEEP_DEPS; i++ )
    {
        uint32_t *fs = deep_deps[i];

        fs_set(deep_features, direct_deps[i].feat);
        add_direct(direct_deps[i].feat, fs);
        do {
            uint32_t before[FSCAPINTS];

            memcpy(before, fs, sizeof(before));
            for ( b = 0; b < FSCAPINTS * 32; b++ )
                if ( fs_test(before, b) )
                    add_direct(b, fs);
            grew = memcmp(before, fs, sizeof(before));
        } while ( grew );
    }
}

const uint32_t *x86_deep_features(void)
{
    pthread_once(&deep_once, deep_deps_init);
    return deep_features;
}

const uint32_t *x86_cpu_policy_lookup_deep_deps(unsigned int f)
{
    unsigned int i;

    pthread_once(&deep_once, deep_deps_init);
    for ( i = 0; i < NR_DEEP_DEPS; i++ )
        if ( direct_deps[i].feat == f )
            return deep_deps[i];
    return NULL;
}
