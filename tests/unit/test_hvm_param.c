/*
 * HVMOP_set_param / HVMOP_get_param through the dispatcher, as 4.17:
 * storage for the toolstack, the order of the checks and their errnos,
 * what a guest may set or read on itself, set-once parameters and the
 * per-parameter value rules.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"

#define MiB   (1ULL << 20)
#define GADDR 0x10000ULL

struct env {
    struct guest_access ga;
    struct caller c;
    struct xen_hvm_param a;
};

static void env_init(struct env *e, struct domain *caller)
{
    memset(e, 0, sizeof(*e));
    caller_init(&e->c, caller, &e->ga);
    REQUIRE(guest_access_register(&e->ga, GADDR, &e->a, sizeof(e->a)) == 0);
}

static long hvmop(struct env *e, unsigned long op, domid_t domid,
                  uint32_t index, uint64_t value)
{
    unsigned long args[6] = { op, GADDR, 0, 0, 0, 0 };

    e->a.domid = domid;
    e->a.index = index;
    e->a.value = value;
    return hypercall_dispatch(&e->c, __HYPERVISOR_hvm_op, args);
}

static long set(struct env *e, domid_t domid, uint32_t index, uint64_t value)
{
    return hvmop(e, HVMOP_set_param, domid, index, value);
}

/* Returns the errno; the value is in e->a.value. */
static long get(struct env *e, domid_t domid, uint32_t index)
{
    return hvmop(e, HVMOP_get_param, domid, index, 0xdeadbeef);
}

TEST(hvm_param_toolstack_storage)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct env e;
    static const uint32_t params[] = {
        HVM_PARAM_STORE_PFN, HVM_PARAM_CONSOLE_PFN, HVM_PARAM_STORE_EVTCHN,
        HVM_PARAM_CONSOLE_EVTCHN, HVM_PARAM_IDENT_PT, HVM_PARAM_PAGING_RING_PFN,
        HVM_PARAM_MONITOR_RING_PFN, HVM_PARAM_SHARING_RING_PFN,
        HVM_PARAM_HPET_ENABLED, HVM_PARAM_VPT_ALIGN, HVM_PARAM_CALLBACK_IRQ,
        HVM_PARAM_IOREQ_PFN, HVM_PARAM_BUFIOREQ_PFN,
        HVM_PARAM_IOREQ_SERVER_PFN, HVM_PARAM_VM_GENERATION_ID_ADDR,
    };

    new_hvm_domain(h, 1, 100);
    env_init(&e, h->hardware_domain);
    /* Fresh values, as hvm_domain_initialise leaves them. */
    CHECK_EQ(get(&e, 1, HVM_PARAM_STORE_PFN), 0);
    CHECK_EQ(e.a.value, 0);
    CHECK_EQ(get(&e, 1, HVM_PARAM_TRIPLE_FAULT_REASON), 0);
    CHECK_EQ(e.a.value, SHUTDOWN_reboot);
    CHECK_EQ(get(&e, 1, HVM_PARAM_X87_FIP_WIDTH), 0);
    CHECK_EQ(e.a.value, 8);
    for ( unsigned int i = 0; i < sizeof(params) / sizeof(params[0]); i++ )
    {
        CHECK_EQ(set(&e, 1, params[i], 0xfeff0 + i), 0);
        CHECK_EQ(get(&e, 1, params[i]), 0);
        CHECK_EQ(e.a.value, 0xfeff0 + i);
        CHECK_EQ(e.a.domid, 1);
        CHECK_EQ(e.a.index, params[i]);
    }
    check_host(h);
    host_destroy(h);
}

TEST(hvm_param_common_checks)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct env e;

    new_hvm_domain(h, 1, 100);
    new_domain(h, 2, 100);
    env_init(&e, h->hardware_domain);
    /* Index first, then the domain, then its type. */
    CHECK_EQ(set(&e, 9, HVM_NR_PARAMS, 0), -EINVAL);
    CHECK_EQ(get(&e, 9, HVM_NR_PARAMS), -EINVAL);
    CHECK_EQ(get(&e, 9, ~0U), -EINVAL);
    CHECK_EQ(set(&e, 9, HVM_PARAM_STORE_PFN, 0), -ESRCH);
    CHECK_EQ(get(&e, 9, HVM_PARAM_STORE_PFN), -ESRCH);
    CHECK_EQ(set(&e, 2, HVM_PARAM_STORE_PFN, 1), -EINVAL);   /* PV */
    CHECK_EQ(get(&e, 2, HVM_PARAM_STORE_PFN), -EINVAL);
    CHECK_EQ(get(&e, DOMID_SELF, HVM_PARAM_STORE_PFN), -EINVAL); /* dom0: PV */
    /* Deprecated parameters, even for the control domain. */
    CHECK_EQ(set(&e, 1, HVM_PARAM_PAE_ENABLED, 1), -EINVAL);
    CHECK_EQ(get(&e, 1, HVM_PARAM_PAE_ENABLED), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_DM_DOMAIN, DOMID_SELF), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_NESTEDHVM, 1), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_BUFIOREQ_EVTCHN, 1), -EINVAL);
    CHECK_EQ(get(&e, 1, HVM_PARAM_MEMORY_EVENT_MSR), -EINVAL);
    /* Argument out of reach. */
    {
        unsigned long args[6] = { HVMOP_get_param, GADDR + 1 };

        CHECK_EQ(hypercall_dispatch(&e.c, __HYPERVISOR_hvm_op, args), -EFAULT);
        args[0] = HVMOP_set_param;
        args[1] = 0;
        CHECK_EQ(hypercall_dispatch(&e.c, __HYPERVISOR_hvm_op, args), -EFAULT);
    }
    /* Other HVMOPs are not modelled. */
    CHECK_EQ(hvmop(&e, HVMOP_pagetable_dying, 1, 0, 0), -ENOSYS);
    CHECK_EQ(hvmop(&e, 99, 1, 0, 0), -ENOSYS);
    host_destroy(h);
}

TEST(hvm_param_privilege)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 100), *other = new_domain(h, 2, 100);
    struct env e;

    /* Another unprivileged domain: XSM_TARGET refuses. */
    env_init(&e, other);
    CHECK_EQ(set(&e, 1, HVM_PARAM_STORE_PFN, 5), -EPERM);
    CHECK_EQ(get(&e, 1, HVM_PARAM_CALLBACK_IRQ), -EPERM);
    /* Its device model (set_target) may. */
    other->target = g;
    CHECK_EQ(set(&e, 1, HVM_PARAM_STORE_PFN, 5), 0);
    CHECK_EQ(get(&e, 1, HVM_PARAM_STORE_PFN), 0);
    CHECK_EQ(e.a.value, 5);
    /* ... but ALTP2M is the control domain's only. */
    CHECK_EQ(set(&e, 1, HVM_PARAM_ALTP2M, XEN_ALTP2M_mixed), -EPERM);

    /* The guest itself: only the parameters it may touch. */
    env_init(&e, g);
    CHECK_EQ(set(&e, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, 0x20), 0);
    CHECK_EQ(set(&e, 1, HVM_PARAM_STORE_EVTCHN, 3), 0);
    CHECK_EQ(set(&e, DOMID_SELF, HVM_PARAM_CONSOLE_EVTCHN, 4), 0);
    CHECK_EQ(set(&e, DOMID_SELF, HVM_PARAM_VM_GENERATION_ID_ADDR, 0x1000), 0);
    CHECK_EQ(set(&e, DOMID_SELF, HVM_PARAM_STORE_PFN, 6), -EPERM);
    CHECK_EQ(set(&e, DOMID_SELF, HVM_PARAM_IDENT_PT, 0x1000), -EPERM);
    CHECK_EQ(set(&e, DOMID_SELF, HVM_PARAM_ACPI_S_STATE, 3), -EPERM);
    CHECK_EQ(set(&e, DOMID_SELF, HVM_PARAM_PAGING_RING_PFN, 1), -EPERM);
    CHECK_EQ(get(&e, DOMID_SELF, HVM_PARAM_STORE_PFN), 0);
    CHECK_EQ(e.a.value, 5);
    CHECK_EQ(get(&e, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ), 0);
    CHECK_EQ(e.a.value, 0x20);
    CHECK_EQ(get(&e, DOMID_SELF, HVM_PARAM_ALTP2M), 0);
    CHECK_EQ(get(&e, DOMID_SELF, HVM_PARAM_IDENT_PT), -EPERM);
    CHECK_EQ(get(&e, DOMID_SELF, HVM_PARAM_PAGING_RING_PFN), -EPERM);
    CHECK_EQ(get(&e, DOMID_SELF, HVM_PARAM_TIMER_MODE), -EPERM);
    /* Deprecated beats "not yours". */
    CHECK_EQ(set(&e, DOMID_SELF, HVM_PARAM_PAE_ENABLED, 1), -EINVAL);
    /* Another HVM guest's parameters: -EPERM, even the readable ones. */
    new_hvm_domain(h, 3, 100);
    CHECK_EQ(get(&e, 3, HVM_PARAM_STORE_PFN), -EPERM);
    CHECK_EQ(set(&e, 3, HVM_PARAM_CALLBACK_IRQ, 1), -EPERM);
    CHECK_EQ(get(&e, 2, HVM_PARAM_STORE_PFN), -EINVAL);    /* a PV one */
    check_host(h);
    host_destroy(h);
}

TEST(hvm_param_set_once)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct env e;

    new_hvm_domain(h, 1, 100);
    env_init(&e, h->hardware_domain);
    CHECK_EQ(set(&e, 1, HVM_PARAM_IOREQ_SERVER_PFN, 0xff000), 0);
    CHECK_EQ(set(&e, 1, HVM_PARAM_IOREQ_SERVER_PFN, 0xff000), 0);  /* same */
    CHECK_EQ(set(&e, 1, HVM_PARAM_IOREQ_SERVER_PFN, 0xfe000), -EEXIST);
    CHECK_EQ(get(&e, 1, HVM_PARAM_IOREQ_SERVER_PFN), 0);
    CHECK_EQ(e.a.value, 0xff000);

    CHECK_EQ(set(&e, 1, HVM_PARAM_NR_IOREQ_SERVER_PAGES, 0), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_NR_IOREQ_SERVER_PAGES, 65), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_NR_IOREQ_SERVER_PAGES, 8), 0);
    CHECK_EQ(set(&e, 1, HVM_PARAM_NR_IOREQ_SERVER_PAGES, 9), -EEXIST);

    CHECK_EQ(set(&e, 1, HVM_PARAM_IOREQ_PFN, 0xfeff0), 0);
    CHECK_EQ(set(&e, 1, HVM_PARAM_IOREQ_PFN, 0xfeff1), -EEXIST);
    CHECK_EQ(set(&e, 1, HVM_PARAM_BUFIOREQ_PFN, 0xfeff2), 0);
    CHECK_EQ(set(&e, 1, HVM_PARAM_BUFIOREQ_PFN, 0), -EEXIST);

    /* Viridian: base_freq in any value, no unknown bits, then set once. */
    CHECK_EQ(set(&e, 1, HVM_PARAM_VIRIDIAN, 0), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_VIRIDIAN, HVMPV_no_freq), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_VIRIDIAN, 1ULL << 40), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_VIRIDIAN, HVMPV_base_freq), 0);
    CHECK_EQ(set(&e, 1, HVM_PARAM_VIRIDIAN,
                 HVMPV_base_freq | HVMPV_time_ref_count), -EEXIST);

    /* MCA_CAP: no LMCE on this host; 0 stays unset, so set once later. */
    CHECK_EQ(set(&e, 1, HVM_PARAM_MCA_CAP, XEN_HVM_MCA_CAP_LMCE), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_MCA_CAP, 2), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_MCA_CAP, 0), 0);
    host_destroy(h);
}

TEST(hvm_param_value_rules)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct xen_domctl_createdomain cfg = {
        .flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap |
                 XEN_DOMCTL_CDF_nested_virt,
        .max_vcpus = 1, .max_grant_frames = -1, .max_maptrack_frames = -1,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
        .arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI,
    };
    int rc;
    struct env e;

    new_hvm_domain(h, 1, 100);
    REQUIRE(domain_create(h, 2, &cfg, 0, &rc) && rc == 0);
    env_init(&e, h->hardware_domain);

    CHECK_EQ(set(&e, 1, HVM_PARAM_TIMER_MODE, HVMPTM_one_missed_tick_pending + 1),
             -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_TIMER_MODE, HVMPTM_one_missed_tick_pending), 0);
    CHECK_EQ(set(&e, 1, HVM_PARAM_TIMER_MODE, HVMPTM_delay_for_missed_ticks), 0);

    CHECK_EQ(set(&e, 1, HVM_PARAM_TRIPLE_FAULT_REASON, SHUTDOWN_MAX + 1), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_TRIPLE_FAULT_REASON, SHUTDOWN_crash), 0);

    CHECK_EQ(set(&e, 1, HVM_PARAM_X87_FIP_WIDTH, 2), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_X87_FIP_WIDTH, 4), 0);
    CHECK_EQ(get(&e, 1, HVM_PARAM_X87_FIP_WIDTH), 0);
    CHECK_EQ(e.a.value, 4);

    /* S3: 3 suspends, 0 resumes, nothing else. */
    CHECK_EQ(set(&e, 1, HVM_PARAM_ACPI_S_STATE, 1), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_ACPI_S_STATE, 3), 0);
    CHECK_EQ(get(&e, 1, HVM_PARAM_ACPI_S_STATE), 0);
    CHECK_EQ(e.a.value, 3);
    CHECK_EQ(set(&e, 1, HVM_PARAM_ACPI_S_STATE, 0), 0);
    CHECK_EQ(get(&e, 1, HVM_PARAM_ACPI_S_STATE), 0);
    CHECK_EQ(e.a.value, 0);

    /* PM timer ports: layout 0 <-> 1 only. */
    CHECK_EQ(set(&e, 1, HVM_PARAM_ACPI_IOPORTS_LOCATION, 2), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_ACPI_IOPORTS_LOCATION, 1), 0);
    CHECK_EQ(set(&e, 1, HVM_PARAM_ACPI_IOPORTS_LOCATION, 1), 0);
    CHECK_EQ(set(&e, 1, HVM_PARAM_ACPI_IOPORTS_LOCATION, 3), -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_ACPI_IOPORTS_LOCATION, 0), 0);

    /* altp2m: a mode up to limited, never with nested virt, then fixed. */
    CHECK_EQ(set(&e, 1, HVM_PARAM_ALTP2M, XEN_ALTP2M_limited + 1), -EINVAL);
    CHECK_EQ(set(&e, 2, HVM_PARAM_ALTP2M, XEN_ALTP2M_mixed), -EINVAL);
    CHECK_EQ(set(&e, 2, HVM_PARAM_ALTP2M, XEN_ALTP2M_disabled), 0);
    CHECK_EQ(set(&e, 1, HVM_PARAM_ALTP2M, XEN_ALTP2M_external), 0);
    CHECK_EQ(set(&e, 1, HVM_PARAM_ALTP2M, XEN_ALTP2M_mixed), -EEXIST);
    CHECK_EQ(get(&e, 1, HVM_PARAM_ALTP2M), 0);
    CHECK_EQ(e.a.value, XEN_ALTP2M_external);
    check_host(h);
    host_destroy(h);
}

TEST(hvm_param_vm86_tss)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 100);
    struct env e;

    env_init(&e, h->hardware_domain);
    /* The old parameter is stored sized: 128 bytes, as old hvmloaders. */
    CHECK_EQ(set(&e, 1, HVM_PARAM_VM86_TSS, 0xfc000), 0);
    CHECK_EQ(get(&e, 1, HVM_PARAM_VM86_TSS), 0);
    CHECK_EQ(e.a.value, 0xfc000);
    CHECK_EQ(get(&e, 1, HVM_PARAM_VM86_TSS_SIZED), 0);
    CHECK_EQ(e.a.value, (128ULL << 32) | 0xfc000);
    CHECK_EQ(set(&e, 1, HVM_PARAM_VM86_TSS, 1ULL << 32), -EINVAL);
    /* Sized: at least a 32-bit TSS (104 bytes), capped at 8329. */
    CHECK_EQ(set(&e, 1, HVM_PARAM_VM86_TSS_SIZED, (103ULL << 32) | 0x1000),
             -EINVAL);
    CHECK_EQ(set(&e, 1, HVM_PARAM_VM86_TSS_SIZED, (104ULL << 32) | 0x1000), 0);
    CHECK_EQ(get(&e, 1, HVM_PARAM_VM86_TSS_SIZED), 0);
    CHECK_EQ(e.a.value, (104ULL << 32) | 0x1000);
    CHECK_EQ(set(&e, 1, HVM_PARAM_VM86_TSS_SIZED, (0xffffULL << 32) | 0x2000),
             0);
    CHECK_EQ(get(&e, 1, HVM_PARAM_VM86_TSS_SIZED), 0);
    CHECK_EQ(e.a.value, (8329ULL << 32) | 0x2000);
    CHECK(!g->is_shutting_down);

    /* The same mistake from the guest itself crashes it. */
    env_init(&e, g);
    CHECK_EQ(set(&e, DOMID_SELF, HVM_PARAM_VM86_TSS, 1ULL << 40), -EINVAL);
    CHECK(g->is_shutting_down);
    CHECK_EQ(g->shutdown_code, SHUTDOWN_crash);
    check_host(h);
    host_destroy(h);
}
