/*
 * time.c - a domain's TSC mode (x86 time.c: tsc_set_info, tsc_get_info)
 * and XEN_DOMCTL_settscinfo / gettscinfo (arch/x86/domctl.c).
 *
 * The emulated host's TSC is invariant and runs at the host spec's
 * cpu_khz (host_tsc_is_safe() holds), counting from system time 0, and
 * its CPUs have VMX TSC scaling (hvm_tsc_scaling_supported).  So a domain
 * in the default mode runs on the native TSC (vtsc 0) at any rate an HVM
 * guest asks for, and a PV guest whose rate differs from the host's gets
 * an emulated one - Xen's decisions on such a machine.  System time
 * (get_s_time) is the host process's CLOCK_MONOTONIC.
 *
 * Errors: both -EINVAL on the caller's own domain (Xen would pause it);
 * set -EINVAL for an unknown mode.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <xen/xen.h>
#include <xen/domctl.h>

#include "core.h"
#include "arch_domain.h"
#include "domctl.h"

/* asm/time.h */
#define TSC_MODE_DEFAULT          0
#define TSC_MODE_ALWAYS_EMULATE   1
#define TSC_MODE_NEVER_EMULATE    2

static uint64_t get_s_time(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The host TSC: cpu_khz ticks per millisecond of system time. */
static uint64_t rdtsc_ns(void)
{
    return get_s_time();                /* scale_delta(rdtsc(), vtsc_to_ns) */
}

int tsc_set_info(struct domain *d, uint32_t tsc_mode, uint64_t elapsed_nsec,
                 uint32_t gtsc_khz, uint32_t incarnation)
{
    uint32_t cpu_khz = d->host->spec->cpu_khz;

    if ( is_pv_domain(d) && is_hardware_domain(d) )
    {
        d->tsc.vtsc = false;
        return 0;
    }

    switch ( tsc_mode )
    {
    case TSC_MODE_DEFAULT:
    case TSC_MODE_ALWAYS_EMULATE:
        d->tsc.vtsc_offset = (int64_t)(get_s_time() - elapsed_nsec);
        d->tsc.khz = gtsc_khz ? gtsc_khz : cpu_khz;
        /* Native when the rates match, or HVM TSC scaling makes them. */
        d->tsc.vtsc = !(tsc_mode == TSC_MODE_DEFAULT &&
                        (d->tsc.khz == cpu_khz || is_hvm_domain(d)));
        break;
    case TSC_MODE_NEVER_EMULATE:
        d->tsc.vtsc_offset = (int64_t)(get_s_time() - elapsed_nsec);
        d->tsc.khz = gtsc_khz ? gtsc_khz : cpu_khz;
        d->tsc.vtsc = false;
        break;
    default:
        return -EINVAL;
    }
    d->tsc.mode = tsc_mode;
    d->tsc.incarnation = incarnation + 1;
    return 0;
}

void tsc_get_info(struct domain *d, uint32_t *tsc_mode, uint64_t *elapsed_nsec,
                  uint32_t *gtsc_khz, uint32_t *incarnation)
{
    bool tsc_scaling = is_hvm_domain(d) && !d->tsc.vtsc;
    int64_t elapsed;

    *incarnation = d->tsc.incarnation;
    *tsc_mode = d->tsc.mode;
    switch ( *tsc_mode )
    {
    case TSC_MODE_NEVER_EMULATE:
        *elapsed_nsec = *gtsc_khz = 0;
        return;
    case TSC_MODE_DEFAULT:
        if ( !d->tsc.vtsc )
        {
            elapsed = (int64_t)rdtsc_ns();
            *gtsc_khz = tsc_scaling ? d->tsc.khz : d->host->spec->cpu_khz;
            break;
        }
        /* fallthrough */
    case TSC_MODE_ALWAYS_EMULATE:
    default:
        elapsed = (int64_t)get_s_time() - d->tsc.vtsc_offset;
        *gtsc_khz = d->tsc.khz;
        break;
    }
    *elapsed_nsec = elapsed < 0 ? 0 : (uint64_t)elapsed;
}

long tsc_domctl(struct caller *c, struct domain *d, struct xen_domctl *op,
                bool *copyback)
{
    struct xen_domctl_tsc_info *ti = &op->u.tsc_info;

    if ( d == c->d )                    /* no domain_pause() */
        return -EINVAL;
    if ( op->cmd == XEN_DOMCTL_settscinfo )
        return tsc_set_info(d, ti->tsc_mode, ti->elapsed_nsec, ti->gtsc_khz,
                            ti->incarnation);
    tsc_get_info(d, &ti->tsc_mode, &ti->elapsed_nsec, &ti->gtsc_khz,
                 &ti->incarnation);
    *copyback = true;
    return 0;
}
