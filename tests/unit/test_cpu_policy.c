/*
 * CPUID/MSR policies: XEN_SYSCTL_get_cpu_featureset, get_cpu_policy and
 * XEN_DOMCTL_{get,set}_cpu_policy, as xc_cpuid_apply_policy() uses them
 * for every new domain - the serialised form, the audit of what the
 * toolstack sets, the recalculation that clamps it, and Xen's errors.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>

#include "core/cpu_policy.h"
#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"
#include "domctl_test.h"

#define NO_SUB XEN_CPUID_NO_SUBLEAF

static struct xen_sysctl sop;
static xen_cpuid_leaf_t leaves[CPUID_MAX_SERIALISED_LEAVES + 2];
static xen_msr_entry_t msrs[4];
static uint32_t fs[FSCAPINTS + 1];

#define SOP_GADDR    0x3000000ULL
#define LEAVES_GADDR 0x4000000ULL
#define MSRS_GADDR   0x5000000ULL
#define FS_GADDR     0x6000000ULL

static void register_bufs(struct dctl *t)
{
    REQUIRE(guest_access_register(&t->ga, SOP_GADDR, &sop, sizeof(sop)) == 0);
    REQUIRE(guest_access_register(&t->ga, LEAVES_GADDR, leaves,
                                  sizeof(leaves)) == 0);
    REQUIRE(guest_access_register(&t->ga, MSRS_GADDR, msrs, sizeof(msrs)) == 0);
    REQUIRE(guest_access_register(&t->ga, FS_GADDR, fs, sizeof(fs)) == 0);
}

static long sysctl_policy(struct dctl *t, uint32_t index, bool bufs,
                          uint32_t nr_leaves, uint32_t nr_msrs)
{
    unsigned long args[6] = { SOP_GADDR };

    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_get_cpu_policy;
    sop.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    sop.u.cpu_policy.index = index;
    sop.u.cpu_policy.nr_leaves = nr_leaves;
    sop.u.cpu_policy.nr_msrs = nr_msrs;
    if ( bufs )
    {
        set_xen_guest_handle(sop.u.cpu_policy.leaves,
                             (xen_cpuid_leaf_t *)LEAVES_GADDR);
        set_xen_guest_handle(sop.u.cpu_policy.msrs,
                             (xen_msr_entry_t *)MSRS_GADDR);
    }
    return hypercall_dispatch(&t->c, __HYPERVISOR_sysctl, args);
}

static long sysctl_featureset(struct dctl *t, uint32_t index, uint32_t nr,
                              bool buf)
{
    unsigned long args[6] = { SOP_GADDR };

    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_get_cpu_featureset;
    sop.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    sop.u.cpu_featureset.index = index;
    sop.u.cpu_featureset.nr_features = nr;
    if ( buf )
        set_xen_guest_handle(sop.u.cpu_featureset.features,
                             (uint32_t *)FS_GADDR);
    return hypercall_dispatch(&t->c, __HYPERVISOR_sysctl, args);
}

static const xen_cpuid_leaf_t *find(uint32_t nr, uint32_t leaf, uint32_t sub)
{
    for ( uint32_t i = 0; i < nr; i++ )
        if ( leaves[i].leaf == leaf && leaves[i].subleaf == sub )
            return &leaves[i];
    return NULL;
}

static long dom_get(struct dctl *t, domid_t dom)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.cpu_policy.nr_leaves = CPUID_MAX_SERIALISED_LEAVES;
    t->op.u.cpu_policy.nr_msrs = MSR_MAX_SERIALISED_ENTRIES;
    set_xen_guest_handle(t->op.u.cpu_policy.leaves,
                         (xen_cpuid_leaf_t *)LEAVES_GADDR);
    set_xen_guest_handle(t->op.u.cpu_policy.msrs, (xen_msr_entry_t *)MSRS_GADDR);
    return domctl(t, XEN_DOMCTL_get_cpu_policy, dom);
}

static long dom_set(struct dctl *t, domid_t dom, uint32_t nr_leaves,
                    uint32_t nr_msrs)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.cpu_policy.nr_leaves = nr_leaves;
    t->op.u.cpu_policy.nr_msrs = nr_msrs;
    set_xen_guest_handle(t->op.u.cpu_policy.leaves,
                         (xen_cpuid_leaf_t *)LEAVES_GADDR);
    set_xen_guest_handle(t->op.u.cpu_policy.msrs, (xen_msr_entry_t *)MSRS_GADDR);
    return domctl(t, XEN_DOMCTL_set_cpu_policy, dom);
}

TEST(sysctl_cpu_policy)
{
    struct host *h = boot_tiny(1, 16ULL << 20);
    static struct dctl t;
    const xen_cpuid_leaf_t *l;

    dctl_init(&t, h->hardware_domain);
    register_bufs(&t);

    /* Null handles ask the sizes. */
    CHECK_EQ(sysctl_policy(&t, XEN_SYSCTL_cpu_policy_host, false, 0, 0), 0);
    CHECK_EQ(sop.u.cpu_policy.nr_leaves, 120);
    CHECK_EQ(sop.u.cpu_policy.nr_msrs, 2);

    /*
     * hvm_default: basic 0-0xd (0x4 as 4 caches and the terminator, 0x7:0,
     * 0xb:0, 0xd:0-9 for x87..PKRU), the two hypervisor limits, extended
     * 0x80000000-0x80000008.
     */
    CHECK_EQ(sysctl_policy(&t, XEN_SYSCTL_cpu_policy_hvm_default, true,
                           CPUID_MAX_SERIALISED_LEAVES, 2), 0);
    CHECK_EQ(sop.u.cpu_policy.nr_leaves, 10 + 5 + 1 + 1 + 10 + 2 + 9);
    CHECK_EQ(sop.u.cpu_policy.nr_msrs, 2);
    CHECK_EQ(leaves[0].leaf, 0);
    CHECK_EQ(leaves[0].subleaf, NO_SUB);
    CHECK_EQ(leaves[0].a, 0xd);
    REQUIRE((l = find(sop.u.cpu_policy.nr_leaves, 1, NO_SUB)) != NULL);
    CHECK(l->c & (1U << 31));                   /* hypervisor */
    CHECK_EQ(l->b >> 24, 0);                    /* APIC ID: dynamic */
    REQUIRE((l = find(sop.u.cpu_policy.nr_leaves, 0xd, 0)) != NULL);
    CHECK_EQ(l->a, 0x2e7);          /* no MPX by default: no BND states */
    CHECK_EQ(l->c, 0xa88);
    REQUIRE((l = find(sop.u.cpu_policy.nr_leaves, 0x80000008, NO_SUB)) != NULL);
    CHECK_EQ(l->a, 0x302e);
    CHECK_EQ(msrs[0].idx, MSR_INTEL_PLATFORM_INFO);
    CHECK_EQ(msrs[0].val, PLATFORM_INFO_CPUID_FAULTING);
    CHECK_EQ(msrs[1].idx, MSR_ARCH_CAPABILITIES);

    /* The raw policy is the CPU's: max leaf 0x16, no hypervisor bit. */
    CHECK_EQ(sysctl_policy(&t, XEN_SYSCTL_cpu_policy_raw, true,
                           CPUID_MAX_SERIALISED_LEAVES, 2), 0);
    CHECK_EQ(leaves[0].a, 0x16);
    REQUIRE((l = find(sop.u.cpu_policy.nr_leaves, 1, NO_SUB)) != NULL);
    CHECK_EQ(l->c & (1U << 31), 0);

    /* Too small a buffer, a bad index, the reserved field. */
    CHECK_EQ(sysctl_policy(&t, XEN_SYSCTL_cpu_policy_host, true, 3, 2),
             -ENOBUFS);
    CHECK_EQ(sysctl_policy(&t, XEN_SYSCTL_cpu_policy_host, true,
                           CPUID_MAX_SERIALISED_LEAVES, 1), -ENOBUFS);
    CHECK_EQ(sysctl_policy(&t, 6, false, 0, 0), -EINVAL);
    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_get_cpu_policy;
    sop.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    sop.u.cpu_policy._rsvd = 1;
    {
        unsigned long args[6] = { SOP_GADDR };

        CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_sysctl, args), -EINVAL);
    }

    /* Featuresets: the size, a short buffer (-ENOBUFS, count written). */
    CHECK_EQ(sysctl_featureset(&t, XEN_SYSCTL_cpu_featureset_host, 0, false), 0);
    CHECK_EQ(sop.u.cpu_featureset.nr_features, FSCAPINTS);
    CHECK_EQ(sysctl_featureset(&t, XEN_SYSCTL_cpu_featureset_host,
                               FSCAPINTS + 1, true), 0);
    CHECK_EQ(sop.u.cpu_featureset.nr_features, FSCAPINTS);
    CHECK_EQ(fs[0], 0xbfebfbff);                /* the CPU's 1d, all known */
    CHECK_EQ(fs[5] & (1U << (X86_FEATURE_CLWB % 32)), 0);   /* GDS */
    CHECK_EQ(sysctl_featureset(&t, XEN_SYSCTL_cpu_featureset_hvm, 2, true),
             -ENOBUFS);
    CHECK_EQ(sop.u.cpu_featureset.nr_features, 2);
    CHECK(fs[1] & (1U << (X86_FEATURE_HYPERVISOR % 32)));
    CHECK_EQ(sysctl_featureset(&t, 6, FSCAPINTS, true), -EINVAL);
    host_destroy(h);
}

TEST(domctl_cpu_policy)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    static struct dctl t;
    xen_cpuid_leaf_t *l;
    const xen_cpuid_leaf_t *c;
    struct domain *hvm;
    uint32_t nr;

    dctl_init(&t, h->hardware_domain);
    register_bufs(&t);
    hvm = dctl_create(&t, 1, true, 2);
    dctl_create(&t, 2, false, 1);

    /* A new domain has its type's default. */
    CHECK_EQ(dom_get(&t, 1), 0);
    nr = t.op.u.cpu_policy.nr_leaves;
    CHECK_EQ(nr, 38);
    REQUIRE((c = find(nr, 0x80000001, NO_SUB)) != NULL);
    CHECK(c->d & (1U << (X86_FEATURE_PAGE1GB % 32)));       /* HAP */
    CHECK_EQ(dom_get(&t, 2), 0);
    REQUIRE((c = find(t.op.u.cpu_policy.nr_leaves, 0x80000001, NO_SUB)));
    CHECK_EQ(c->d & (1U << (X86_FEATURE_PAGE1GB % 32)), 0); /* PV */

    /* Set back what was read, with VMX asked for: clamped away. */
    CHECK_EQ(dom_get(&t, 1), 0);
    REQUIRE((l = (xen_cpuid_leaf_t *)find(nr, 1, NO_SUB)) != NULL);
    l->c |= 1U << (X86_FEATURE_VMX % 32);
    l->b = (l->b & ~0xff0000U) | (64U << 16);                /* lppp */
    CHECK_EQ(dom_set(&t, 1, nr, 0), 0);
    CHECK_EQ(dom_get(&t, 1), 0);
    REQUIRE((c = find(nr, 1, NO_SUB)) != NULL);
    CHECK_EQ(c->c & (1U << (X86_FEATURE_VMX % 32)), 0);
    CHECK_EQ((c->b >> 16) & 0xff, 64);

    /* Clearing XSAVE takes every feature and state built on it. */
    REQUIRE((l = (xen_cpuid_leaf_t *)find(nr, 1, NO_SUB)) != NULL);
    l->c &= ~(1U << (X86_FEATURE_XSAVE % 32));
    CHECK_EQ(dom_set(&t, 1, nr, 0), 0);
    CHECK_EQ(dom_get(&t, 1), 0);
    REQUIRE((c = find(t.op.u.cpu_policy.nr_leaves, 1, NO_SUB)) != NULL);
    CHECK_EQ(c->c & (1U << (X86_FEATURE_AVX % 32)), 0);
    REQUIRE((c = find(t.op.u.cpu_policy.nr_leaves, 7, 0)) != NULL);
    CHECK_EQ(c->b & (1U << (X86_FEATURE_AVX2 % 32)), 0);
    CHECK_EQ(c->b & (1U << (X86_FEATURE_AVX512F % 32)), 0);
    CHECK_EQ(c->c & (1U << (X86_FEATURE_PKU % 32)), 0);
    REQUIRE((c = find(t.op.u.cpu_policy.nr_leaves, 0xd, 0)) != NULL);
    CHECK_EQ(c->a, 0);
    CHECK(find(t.op.u.cpu_policy.nr_leaves, 0xd, 2) == NULL);

    /* The audit: more leaves than Xen serialises, unknown leaves. */
    CHECK_EQ(dom_set(&t, 1, CPUID_MAX_SERIALISED_LEAVES + 1, 0), -E2BIG);
    leaves[0] = (xen_cpuid_leaf_t){ 0x20, NO_SUB, 0, 0, 0, 0 };
    CHECK_EQ(dom_set(&t, 1, 1, 0), -ERANGE);
    CHECK_EQ(t.op.u.cpu_policy.err_leaf, 0x20);
    CHECK_EQ(t.op.u.cpu_policy.err_subleaf, NO_SUB);
    leaves[0] = (xen_cpuid_leaf_t){ 0x7, 3, 0, 0, 0, 0 };
    CHECK_EQ(dom_set(&t, 1, 1, 0), -ERANGE);
    CHECK_EQ(t.op.u.cpu_policy.err_subleaf, 3);
    /* More basic leaves than the max policy has. */
    leaves[0] = (xen_cpuid_leaf_t){ 0, NO_SUB, 0x16, 0x756e6547, 0x6c65746e,
                                    0x49656e69 };
    CHECK_EQ(dom_set(&t, 1, 1, 0), -EINVAL);
    CHECK_EQ(t.op.u.cpu_policy.err_leaf, 0);
    /* MSRs: flags MBZ, unknown index, a bit the max policy lacks. */
    msrs[0] = (xen_msr_entry_t){ MSR_INTEL_PLATFORM_INFO, 1, 0 };
    CHECK_EQ(dom_set(&t, 1, 0, 1), -EINVAL);
    CHECK_EQ(t.op.u.cpu_policy.err_msr, MSR_INTEL_PLATFORM_INFO);
    msrs[0] = (xen_msr_entry_t){ 0x123, 0, 0 };
    CHECK_EQ(dom_set(&t, 1, 0, 1), -ERANGE);
    CHECK_EQ(t.op.u.cpu_policy.err_msr, 0x123);
    msrs[0] = (xen_msr_entry_t){ MSR_INTEL_PLATFORM_INFO, 0, 1ULL << 32 };
    CHECK_EQ(dom_set(&t, 1, 0, 1), -EOVERFLOW);
    msrs[0] = (xen_msr_entry_t){ MSR_INTEL_PLATFORM_INFO, 0, 1 };
    CHECK_EQ(dom_set(&t, 1, 0, 1), -EINVAL);
    CHECK_EQ(t.op.u.cpu_policy.err_msr, MSR_INTEL_PLATFORM_INFO);
    CHECK_EQ(dom_set(&t, 1, 0, MSR_MAX_SERIALISED_ENTRIES + 1), -E2BIG);

    /* Not on oneself; not once the domain has been unpaused. */
    CHECK_EQ(dom_set(&t, 0, 0, 0), -EINVAL);
    memset(&t.op.u, 0, sizeof(t.op.u));
    REQUIRE(domctl(&t, XEN_DOMCTL_unpausedomain, 1) == 0);
    CHECK(hvm->creation_finished);
    CHECK_EQ(dom_set(&t, 1, 0, 0), -EEXIST);
    CHECK_EQ(dom_get(&t, 1), 0);                /* reading still works */
    host_destroy(h);
}
