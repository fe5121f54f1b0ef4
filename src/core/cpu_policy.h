/*
 * cpu_policy.h - CPUID and MSR policies (Xen 4.17's struct cpu_policy,
 * xen/lib/x86/cpu-policy.h, arch/x86/cpu-policy.c).
 *
 * A policy is what a CPUID instruction and the two policy MSRs answer: the
 * leaves Xen serialises (basic 0x0-0xd with the subleaves of 0x4, 0x7, 0xb
 * and 0xd, the hypervisor limits, extended 0x80000000-0x80000021),
 * MSR_INTEL_PLATFORM_INFO and MSR_ARCH_CAPABILITIES.  Features are handled
 * as Xen's featureset: FSCAPINTS words, each one register of one leaf
 * (cpu_policy_lib.c has the mapping), with the masks gen-cpuid.py derives
 * from <xen/arch-x86/cpufeatureset.h> (src/core/gen/cpufeatures.awk) and
 * its feature dependencies.
 *
 * The host has six system policies (raw, host, pv_max, hvm_max,
 * pv_default, hvm_default), computed at boot from the emulated CPU; every
 * domain has its own, a copy of its type's default until the toolstack
 * sets one.
 */
#ifndef XENMM_CORE_CPU_POLICY_H
#define XENMM_CORE_CPU_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>

#include "cpufeature-masks.h"           /* generated: FSCAPINTS, INIT_* */

/* X86_FEATURE_<name>: a feature's bit in the featureset. */
#define XEN_CPUFEATURE(name, value) X86_FEATURE_##name = (value),
enum {
#include <xen/arch-x86/cpufeatureset.h>
};
#undef XEN_CPUFEATURE

#define CPUID_GUEST_NR_BASIC      (0xdu + 1)
#define CPUID_GUEST_NR_CACHE      (5u + 1)
#define CPUID_GUEST_NR_FEAT       (2u + 1)
#define CPUID_GUEST_NR_TOPO       (1u + 1)
#define CPUID_GUEST_NR_XSTATE     (62u + 1)
#define CPUID_GUEST_NR_EXTD_INTEL (0x8u + 1)
#define CPUID_GUEST_NR_EXTD_AMD   (0x21u + 1)
#define CPUID_GUEST_NR_EXTD       CPUID_GUEST_NR_EXTD_AMD
#define CPUID_MAX_SERIALISED_LEAVES                                       \
    (CPUID_GUEST_NR_BASIC + CPUID_GUEST_NR_FEAT - 1 +                     \
     CPUID_GUEST_NR_CACHE - 1 + CPUID_GUEST_NR_TOPO - 1 +                 \
     CPUID_GUEST_NR_XSTATE - 1 + CPUID_GUEST_NR_EXTD + 2)
#define MSR_MAX_SERIALISED_ENTRIES 2

#define MSR_INTEL_PLATFORM_INFO   0x000000ceU
#define  PLATFORM_INFO_CPUID_FAULTING (1U << 31)
#define MSR_ARCH_CAPABILITIES     0x0000010aU

#define X86_VENDOR_UNKNOWN 0
#define X86_VENDOR_INTEL   (1U << 0)
#define X86_VENDOR_AMD     (1U << 1)

struct cpuid_leaf {
    uint32_t a, b, c, d;
};

struct cpu_policy {
    struct cpuid_leaf basic[CPUID_GUEST_NR_BASIC];
    struct cpuid_leaf cache[CPUID_GUEST_NR_CACHE];      /* leaf 0x4 */
    struct cpuid_leaf feat[CPUID_GUEST_NR_FEAT];        /* leaf 0x7 */
    struct cpuid_leaf topo[CPUID_GUEST_NR_TOPO];        /* leaf 0xb */
    struct cpuid_leaf xstate[CPUID_GUEST_NR_XSTATE];    /* leaf 0xd */
    struct cpuid_leaf extd[CPUID_GUEST_NR_EXTD];        /* 0x80000000+ */
    uint32_t hv_limit, hv2_limit;
    uint32_t platform_info;                             /* MSR 0xce */
    uint32_t arch_caps_lo, arch_caps_hi;                /* MSR 0x10a */
    unsigned int x86_vendor;                            /* synthesised */
};

/* The fields Xen names, over the leaves. */
#define p_max_leaf(p)     ((p)->basic[0].a)
#define p_max_subleaf(p)  ((p)->feat[0].a)
#define p_extd_max(p)     ((p)->extd[0].a)
#define p_cache_type(p, i) ((p)->cache[i].a & 0x1f)
#define p_topo_type(p, i)  (((p)->topo[i].c >> 8) & 0xff)

/* cpu_policy_lib.c (xen/lib/x86): featuresets, serialisation, audit. */
bool fs_test(const uint32_t *fs, unsigned int feat);
void fs_set(uint32_t *fs, unsigned int feat);
void fs_clear(uint32_t *fs, unsigned int feat);
bool cpu_policy_has(const struct cpu_policy *p, unsigned int feat);
void x86_cpu_policy_to_featureset(const struct cpu_policy *p, uint32_t *fs);
void x86_cpu_featureset_to_policy(const uint32_t *fs, struct cpu_policy *p);
uint64_t cpu_policy_xstates(const struct cpu_policy *p);
void x86_cpu_policy_recalc_synth(struct cpu_policy *p);
void x86_cpu_policy_clear_out_of_range_leaves(struct cpu_policy *p);
struct guest_access;
/*
 * To the guest's arrays at leaves / msrs: -ENOBUFS when *nr is too small,
 * -EFAULT; *nr becomes the count written.  From them: -E2BIG (more than
 * the maximum), -EFAULT, -ERANGE (a leaf or MSR Xen does not hold, *err_*
 * naming it), -EINVAL (MSR flags), -EOVERFLOW (value too wide).
 */
int x86_cpuid_copy_to_buffer(const struct cpu_policy *p,
                             const struct guest_access *mem, uint64_t leaves,
                             uint32_t *nr);
int x86_cpuid_copy_from_buffer(struct cpu_policy *p,
                               const struct guest_access *mem, uint64_t leaves,
                               uint32_t nr, uint32_t *err_leaf,
                               uint32_t *err_subleaf);
int x86_msr_copy_to_buffer(const struct cpu_policy *p,
                           const struct guest_access *mem, uint64_t msrs,
                           uint32_t *nr);
int x86_msr_copy_from_buffer(struct cpu_policy *p,
                             const struct guest_access *mem, uint64_t msrs,
                             uint32_t nr, uint32_t *err_msr);
/* -EINVAL with the offending leaf/subleaf/msr, as Xen 4.17 audits. */
int x86_cpu_policies_are_compatible(const struct cpu_policy *host,
                                    const struct cpu_policy *guest,
                                    uint32_t *err_leaf, uint32_t *err_subleaf,
                                    uint32_t *err_msr);
/*
 * The deep dependencies of feature f (every feature needing it, directly
 * or not), or NULL; and the features that have any (INIT_DEEP_FEATURES).
 */
const uint32_t *x86_cpu_policy_lookup_deep_deps(unsigned int f);
const uint32_t *x86_deep_features(void);

#endif /* XENMM_CORE_CPU_POLICY_H */
