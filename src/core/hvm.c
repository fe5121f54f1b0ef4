/*
 * hvm.c - HVMOP_* (arch/x86/hvm/hvm.c): HVMOP_set_param and
 * HVMOP_get_param on struct xen_hvm_param, as 4.17; every other HVMOP is
 * -ENOSYS.
 *
 * Errors, in Xen's order: -EFAULT (argument), -EINVAL (index at or past
 * HVM_NR_PARAMS), -ESRCH (no such domain; DOMID_SELF is the caller),
 * -EINVAL (not an HVM domain), then hvm_allow_{set,get}_param: -EPERM
 * (dummy XSM: XSM_TARGET, i.e. the domain itself, its device model or the
 * control domain), -EINVAL (deprecated parameters), -EPERM (a parameter
 * the domain may not set or read on itself), -EEXIST (a set-once
 * parameter already set to another value); then the per-parameter checks
 * below (-EINVAL, -EPERM for ALTP2M from anyone but the control domain,
 * -ENODEV never: every HVM domain here has the emulated PM timer).
 *
 * Parameters are stored in d->hvm_params.  HVM_PARAM_X87_FIP_WIDTH keeps
 * Xen's d->arch.x87_fip_width there (8: the emulated CPU saves no FPU
 * selectors); HVM_PARAM_VM86_TSS is stored as VM86_TSS_SIZED, as Xen does.
 * Side effects Xen attaches to some parameters (the callback IRQ, S3
 * suspend, moving the PM timer ports, LMCE in the vMCE) have nothing to act
 * on here; only the stored values and the errors are modelled.  The host
 * has no LMCE, so XEN_HVM_MCA_CAP_LMCE is refused as on such a machine.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#include "core.h"
#include "arch_domain.h"
#include "hypercall.h"
#include "xsm.h"

_Static_assert(sizeof(struct xen_hvm_param) == 16, "xen_hvm_param layout");
_Static_assert(HVM_NR_PARAMS <= sizeof(((struct domain *)0)->hvm_params) /
                                sizeof(uint64_t), "hvm_params holds them all");

/* asm/hvm/support.h: VM86_TSS_SIZED's "hvmloader updated it" bit. */
#define VM86_TSS_UPDATED (1ULL << 63)
/* sizeof(struct tss32), hvm.c's 32-bit TSS. */
#define TSS32_SIZE       104ULL
/* cpu_has_fpu_sel is false on the CPUs emulated: x87_fip_width is 8. */
#define X87_FIP_WIDTH_DEFAULT 8
/* vmce.c's lmce_support on a host without LMCE. */
#define LMCE_SUPPORT     false


/* Parameters both get and set refuse as deprecated (-EINVAL). */
#define case_deprecated_hvm_params                  \
    case HVM_PARAM_PAE_ENABLED:                     \
    case HVM_PARAM_DM_DOMAIN:                       \
    case HVM_PARAM_MEMORY_EVENT_CR0:                \
    case HVM_PARAM_MEMORY_EVENT_CR3:                \
    case HVM_PARAM_MEMORY_EVENT_CR4:                \
    case HVM_PARAM_MEMORY_EVENT_INT3:               \
    case HVM_PARAM_NESTEDHVM:                       \
    case HVM_PARAM_MEMORY_EVENT_SINGLE_STEP:        \
    case HVM_PARAM_BUFIOREQ_EVTCHN:                 \
    case HVM_PARAM_MEMORY_EVENT_MSR
static inline bool nestedhvm_enabled(const struct domain *d)
{
    return d->createflags & XEN_DOMCTL_CDF_nested_virt;
}

void hvm_domain_initialise(struct domain *d)
{
    memset(d->hvm_params, 0, sizeof(d->hvm_params));
    d->hvm_params[HVM_PARAM_TRIPLE_FAULT_REASON] = SHUTDOWN_reboot;
    d->hvm_params[HVM_PARAM_X87_FIP_WIDTH] = X87_FIP_WIDTH_DEFAULT;
}

static int hvm_allow_set_param(struct caller *c, struct domain *d,
                               uint32_t index, uint64_t new_value)
{
    uint64_t value;
    int rc;

    if ( (rc = xsm_default_action(XSM_TARGET, c->d, d)) )
        return rc;

    switch ( index )
    {
    /* A guest may set these on itself. */
    case HVM_PARAM_CALLBACK_IRQ:
    case HVM_PARAM_VM86_TSS:
    case HVM_PARAM_VM86_TSS_SIZED:
    case HVM_PARAM_ACPI_IOPORTS_LOCATION:
    case HVM_PARAM_VM_GENERATION_ID_ADDR:
    case HVM_PARAM_STORE_EVTCHN:
    case HVM_PARAM_CONSOLE_EVTCHN:
    case HVM_PARAM_X87_FIP_WIDTH:
        break;
    case_deprecated_hvm_params:
        rc = -EINVAL;
        break;
    /*
     * IDENT_PT and ACPI_S_STATE may need the domain paused; the rest are
     * the toolstack's: not from the guest itself.
     */
    default:
        if ( d == c->d )
            rc = -EPERM;
        break;
    }
    if ( rc )
        return rc;

    value = d->hvm_params[index];
    switch ( index )
    {
    /* Set once: a second, different value is refused. */
    case HVM_PARAM_VIRIDIAN:
    case HVM_PARAM_IOREQ_PFN:
    case HVM_PARAM_BUFIOREQ_PFN:
    case HVM_PARAM_IOREQ_SERVER_PFN:
    case HVM_PARAM_NR_IOREQ_SERVER_PAGES:
    case HVM_PARAM_ALTP2M:
    case HVM_PARAM_MCA_CAP:
        if ( value != 0 && new_value != value )
            rc = -EEXIST;
        break;
    default:
        break;
    }
    return rc;
}

/* A bad VM86 TSS from the guest itself crashes it, as hardware would. */
static void vm86_tss_refused(struct caller *c, struct domain *d)
{
    if ( d == c->d )
        domain_crash(d, "bad HVM_PARAM_VM86_TSS from the guest");
}

static int hvm_set_param(struct caller *c, struct domain *d, uint32_t index,
                         uint64_t value)
{
    const uint64_t tss_max = TSS32_SIZE + (0x100 / 8) + (0x10000 / 8) + 1;
    uint64_t old;
    int rc;

    if ( (rc = hvm_allow_set_param(c, d, index, value)) )
        return rc;

    switch ( index )
    {
    case HVM_PARAM_TIMER_MODE:
        if ( value > HVMPTM_one_missed_tick_pending )
            rc = -EINVAL;
        break;
    case HVM_PARAM_VIRIDIAN:
        /* Viridian off is 0, never set: base_freq must be in any value. */
        if ( (value & ~HVMPV_feature_mask) || !(value & HVMPV_base_freq) )
            rc = -EINVAL;
        break;
    case HVM_PARAM_ACPI_S_STATE:
        /* 3 suspends (S3), 0 resumes; get_param reads the state back. */
        if ( value != 3 && value != 0 )
            rc = -EINVAL;
        break;
    case HVM_PARAM_ACPI_IOPORTS_LOCATION:
        /* pmtimer_change_ioport: only between layouts 0 and 1. */
        old = d->hvm_params[HVM_PARAM_ACPI_IOPORTS_LOCATION];
        if ( value != old && (value ^ old) != 1 )
            rc = -EINVAL;
        break;
    case HVM_PARAM_ALTP2M:
        if ( (rc = xsm_default_action(XSM_PRIV, c->d, d)) )
            break;
        if ( value > XEN_ALTP2M_limited || (value && nestedhvm_enabled(d)) )
            rc = -EINVAL;
        break;
    case HVM_PARAM_TRIPLE_FAULT_REASON:
        if ( value > SHUTDOWN_MAX )
            rc = -EINVAL;
        break;
    case HVM_PARAM_NR_IOREQ_SERVER_PAGES:
        /* One bit per page in Xen's ioreq_gfn.mask (an unsigned long). */
        if ( value == 0 || value > 64 )
            rc = -EINVAL;
        break;
    case HVM_PARAM_X87_FIP_WIDTH:
        if ( value != 0 && value != 4 && value != 8 )
            rc = -EINVAL;
        break;
    case HVM_PARAM_VM86_TSS:
        /* Hardware would silently truncate high bits. */
        if ( value != (uint32_t)value )
        {
            vm86_tss_refused(c, d);
            rc = -EINVAL;
        }
        /* Old hvmloader binaries hardcode the size to 128 bytes. */
        if ( value )
            value |= (128ULL << 32) | VM86_TSS_UPDATED;
        index = HVM_PARAM_VM86_TSS_SIZED;
        break;
    case HVM_PARAM_VM86_TSS_SIZED:
        if ( (value >> 32) < TSS32_SIZE )
        {
            vm86_tss_refused(c, d);
            rc = -EINVAL;
        }
        /* Cap at the largest useful TSS: base, interrupt and I/O bitmaps. */
        if ( (value >> 32) > tss_max )
            value = (uint32_t)value | (tss_max << 32);
        value |= VM86_TSS_UPDATED;
        break;
    case HVM_PARAM_MCA_CAP:
        if ( (value & ~XEN_HVM_MCA_CAP_MASK) ||
             ((value & XEN_HVM_MCA_CAP_LMCE) && !LMCE_SUPPORT) )
            rc = -EINVAL;
        break;
    default:
        /* Stored as given (STORE_PFN, CONSOLE_PFN, the ring PFNs, ...). */
        break;
    }

    if ( !rc )
        d->hvm_params[index] = value;
    return rc;
}

static int hvm_allow_get_param(struct caller *c, struct domain *d,
                               uint32_t index)
{
    int rc;

    if ( (rc = xsm_default_action(XSM_TARGET, c->d, d)) )
        return rc;

    switch ( index )
    {
    /* A guest may read these on itself. */
    case HVM_PARAM_CALLBACK_IRQ:
    case HVM_PARAM_VM86_TSS:
    case HVM_PARAM_VM86_TSS_SIZED:
    case HVM_PARAM_ACPI_IOPORTS_LOCATION:
    case HVM_PARAM_VM_GENERATION_ID_ADDR:
    case HVM_PARAM_STORE_PFN:
    case HVM_PARAM_STORE_EVTCHN:
    case HVM_PARAM_CONSOLE_PFN:
    case HVM_PARAM_CONSOLE_EVTCHN:
    case HVM_PARAM_ALTP2M:
    case HVM_PARAM_X87_FIP_WIDTH:
        break;
    case_deprecated_hvm_params:
        rc = -EINVAL;
        break;
    default:
        if ( d == c->d )
            rc = -EPERM;
        break;
    }
    return rc;
}

static int hvm_get_param(struct caller *c, struct domain *d, uint32_t index,
                         uint64_t *value)
{
    int rc;

    if ( (rc = hvm_allow_get_param(c, d, index)) )
        return rc;

    switch ( index )
    {
    case HVM_PARAM_ACPI_S_STATE:
        *value = d->hvm_params[index] == 3 ? 3 : 0;
        break;
    case HVM_PARAM_VM86_TSS:
        *value = (uint32_t)d->hvm_params[HVM_PARAM_VM86_TSS_SIZED];
        break;
    case HVM_PARAM_VM86_TSS_SIZED:
        *value = d->hvm_params[HVM_PARAM_VM86_TSS_SIZED] & ~VM86_TSS_UPDATED;
        break;
    default:
        *value = d->hvm_params[index];
        break;
    }
    return 0;
}

static long hvmop_param(struct caller *c, unsigned long op, uint64_t arg)
{
    struct xen_hvm_param a;
    struct domain *d;
    int rc;

    if ( copy_from_guest_raw(c->mem, &a, arg, sizeof(a)) )
        return -EFAULT;
    if ( a.index >= HVM_NR_PARAMS )
        return -EINVAL;

    d = caller_domain_by_any_id(c, a.domid);
    if ( d == NULL )
        return -ESRCH;
    if ( !is_hvm_domain(d) )
    {
        put_domain(d);
        return -EINVAL;
    }

    /* The parameters are d's control state: domain_lock (core.h). */
    pthread_mutex_lock(&d->domain_lock);
    if ( op == HVMOP_set_param )
        rc = hvm_set_param(c, d, a.index, a.value);
    else
        rc = hvm_get_param(c, d, a.index, &a.value);
    pthread_mutex_unlock(&d->domain_lock);
    put_domain(d);
    if ( rc || op == HVMOP_set_param )
        return rc;
    return copy_to_guest_raw(c->mem, arg, &a, sizeof(a)) ? -EFAULT : 0;
}

long do_hvm_op(struct caller *c, unsigned long op, uint64_t arg)
{
    switch ( op )
    {
    case HVMOP_set_param:
    case HVMOP_get_param:
        return hvmop_param(c, op, arg);
    default:
        return -ENOSYS;
    }
}
