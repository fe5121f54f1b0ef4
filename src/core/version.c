/*
 * version.c - XEN_VERSION, as Xen 4.17's do_xen_version (common/kernel.c)
 * under the default (dummy) XSM policy: version, platform_parameters and
 * get_features answer anyone; extraversion, compile_info, capabilities,
 * changeset, pagesize and guest_handle answer any guest by default; the
 * rest (commandline, build_id) only the control domain.  A denied string
 * reads "<denied>", as Xen's xen_deny().
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/version.h>
#include <xen/features.h>

#include "core.h"
#include "hypercall.h"

#define XEN_MAJOR 4
#define XEN_MINOR 17
#define XEN_EXTRA ".0"
/*
 * arch_get_xen_caps() appends "<cap> " per capability, so the string ends
 * in a space (as `xl info` shows it).  No xen-3.0-x86_32p: pv32 is off by
 * default on CET-capable hardware.
 */
#define XEN_CAPS "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 "
#define HYPERVISOR_VIRT_START_X86_64 0xFFFF800000000000UL

static const char *xen_deny(void)
{
    return "<denied>";
}

/* xsm_xen_version() of the dummy policy: nonzero means deny. */
static bool xen_version_denied(const struct caller *c, int cmd)
{
    switch ( cmd )
    {
    case XENVER_version:
    case XENVER_platform_parameters:
    case XENVER_get_features:
    case XENVER_extraversion:
    case XENVER_compile_info:
    case XENVER_capabilities:
    case XENVER_changeset:
    case XENVER_pagesize:
    case XENVER_guest_handle:
        return false;
    default:
        return !is_control_domain(c->d);
    }
}

static long copy_string(struct caller *c, uint64_t arg, const char *s, size_t size)
{
    char buf[1024];

    memset(buf, 0, sizeof(buf));
    strncpy(buf, s, size - 1);
    return copy_to_guest_raw(c->mem, arg, buf, size) ? -EFAULT : 0;
}

long do_xen_version(struct caller *c, int cmd, uint64_t arg)
{
    bool deny = xen_version_denied(c, cmd);

    switch ( cmd )
    {
    case XENVER_version:
        return (XEN_MAJOR << 16) | XEN_MINOR;

    case XENVER_extraversion:
        return copy_string(c, arg, deny ? xen_deny() : XEN_EXTRA,
                           sizeof(xen_extraversion_t));

    case XENVER_compile_info:
    {
        xen_compile_info_t info;

        memset(&info, 0, sizeof(info));
        strncpy(info.compiler, deny ? xen_deny() : "xenmm (gcc)",
                sizeof(info.compiler) - 1);
        strncpy(info.compile_by, deny ? xen_deny() : "xenmm",
                sizeof(info.compile_by) - 1);
        strncpy(info.compile_domain, deny ? xen_deny() : "xenmm",
                sizeof(info.compile_domain) - 1);
        strncpy(info.compile_date, deny ? xen_deny() : __DATE__,
                sizeof(info.compile_date) - 1);
        return copy_to_guest_raw(c->mem, arg, &info, sizeof(info)) ? -EFAULT : 0;
    }

    case XENVER_capabilities:
        return copy_string(c, arg, deny ? "" : XEN_CAPS,
                           sizeof(xen_capabilities_info_t));

    case XENVER_platform_parameters:
    {
        xen_platform_parameters_t params = {
            .virt_start = HYPERVISOR_VIRT_START_X86_64,
        };

        return copy_to_guest_raw(c->mem, arg, &params, sizeof(params)) ? -EFAULT : 0;
    }

    case XENVER_changeset:
        return copy_string(c, arg, deny ? xen_deny() : "xenmm",
                           sizeof(xen_changeset_info_t));

    case XENVER_get_features:
    {
        xen_feature_info_t fi;

        if ( copy_from_guest_raw(c->mem, &fi, arg, sizeof(fi)) )
            return -EFAULT;
        if ( fi.submap_idx != 0 )
            return -EINVAL;
        fi.submap = 1U << XENFEAT_memory_op_vnode_supported;
        if ( !is_pv_domain(c->d) )
            fi.submap |= (1U << XENFEAT_writable_page_tables) |
                         (1U << XENFEAT_auto_translated_physmap) |
                         (1U << XENFEAT_hvm_safe_pvclock) |
                         (1U << XENFEAT_hvm_callback_vector) |
                         (1U << XENFEAT_not_direct_mapped);
        else
            fi.submap |= (1U << XENFEAT_mmu_pt_update_preserve_ad) |
                         (1U << XENFEAT_highmem_assist) |
                         (1U << XENFEAT_gnttab_map_avail_bits) |
                         (1U << XENFEAT_direct_mapped);
        if ( is_hardware_domain(c->d) )
            fi.submap |= 1U << XENFEAT_dom0;
        return copy_to_guest_raw(c->mem, arg, &fi, sizeof(fi)) ? -EFAULT : 0;
    }

    case XENVER_pagesize:
        if ( deny )
            return 0;
        return !guest_handle_is_null(arg) ? -EINVAL : (long)PAGE_SIZE;

    case XENVER_guest_handle:
    {
        uint8_t hdl[16];

        memcpy(hdl, c->d->handle, sizeof(hdl));
        return copy_to_guest_raw(c->mem, arg, hdl, sizeof(hdl)) ? -EFAULT : 0;
    }

    case XENVER_commandline:
    {
        char line[1024];

        if ( deny )
            return copy_to_guest_raw(c->mem, arg, xen_deny(),
                                     strlen(xen_deny()) + 1) ? -EFAULT : 0;
        memset(line, 0, sizeof(line));
        hostspec_format_xen_opts(&c->h->spec->xen, line, sizeof(line));
        return copy_to_guest_raw(c->mem, arg, line, sizeof(line)) ? -EFAULT : 0;
    }

    case XENVER_build_id:
        if ( deny )
            return -EPERM;
        return -ENODATA;    /* built without a build id */

    default:
        return -ENOSYS;
    }
}
