/*
 * The hypercall entry point: argument memory only inside registered
 * buffers (-EFAULT otherwise), unknown hypercalls -ENOSYS, and
 * XEN_VERSION as Xen 4.17 answers it under the default XSM policy.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/version.h>
#include <xen/features.h>

#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"

#define GADDR 0x7f0000001000ULL

static long xv(struct caller *c, int cmd, uint64_t arg)
{
    unsigned long args[6] = { (unsigned long)cmd, arg, 0, 0, 0, 0 };

    return hypercall_dispatch(c, __HYPERVISOR_xen_version, args);
}

TEST(guest_access_bounds)
{
    struct guest_access ga = { 0 };
    uint8_t buf[64], out[64];

    memset(buf, 0xab, sizeof(buf));
    CHECK_EQ(guest_access_register(&ga, GADDR, buf, sizeof(buf)), 0);
    CHECK_EQ(guest_access_register(&ga, 0, buf, 8), -EINVAL);
    CHECK_EQ(guest_access_register(&ga, ~0ULL - 4, buf, 8), -EINVAL);
    CHECK_EQ(copy_from_guest_raw(&ga, out, GADDR, 64), 0);
    CHECK_EQ(copy_from_guest_raw(&ga, out, GADDR + 60, 4), 0);
    CHECK_EQ(copy_from_guest_raw(&ga, out, GADDR + 60, 5), 5);   /* runs off */
    CHECK_EQ(copy_from_guest_raw(&ga, out, GADDR - 1, 2), 2);    /* starts before */
    CHECK_EQ(copy_from_guest_raw(&ga, out, 0, 1), 1);            /* null */
    CHECK_EQ(copy_from_guest_raw(&ga, out, ~0ULL, 2), 2);        /* wraps */
    CHECK_EQ(copy_to_guest_raw(&ga, GADDR + 64, out, 1), 1);
    CHECK_EQ(copy_to_guest_raw(&ga, GADDR + 8, "hi", 2), 0);
    CHECK_EQ(buf[8], 'h');
    guest_access_unregister(&ga, GADDR);
    CHECK_EQ(copy_from_guest_raw(&ga, out, GADDR, 1), 1);
}

TEST(dispatch_unknown_is_enosys)
{
    struct host *h = boot_tiny(1, 4ULL << 20);
    struct guest_access ga = { 0 };
    struct caller c;
    unsigned long args[6] = { 0 };

    caller_init(&c, h->hardware_domain, &ga);
    CHECK_EQ(hypercall_dispatch(&c, 999, args), -ENOSYS);
    CHECK_EQ(hypercall_dispatch(&c, ~0UL, args), -ENOSYS);
    CHECK_EQ(xv(&c, 12345, 0), -ENOSYS);
    host_destroy(h);
}

TEST(xen_version_ops)
{
    struct host *h = boot_tiny(1, 4ULL << 20);
    struct guest_access ga = { 0 };
    struct domain *hvm = new_hvm_domain(h, 1, 0);
    struct caller c;
    union {
        xen_extraversion_t extra;
        xen_capabilities_info_t caps;
        xen_compile_info_t ci;
        xen_platform_parameters_t pp;
        xen_feature_info_t fi;
        xen_commandline_t cmdline;
        uint8_t handle[16];
    } u;

    caller_init(&c, h->hardware_domain, &ga);
    REQUIRE(guest_access_register(&ga, GADDR, &u, sizeof(u)) == 0);
    CHECK_EQ(xv(&c, XENVER_version, 0), 0x40011);
    CHECK_EQ(xv(&c, XENVER_extraversion, GADDR), 0);
    CHECK_STR(u.extra, ".0");
    CHECK_EQ(xv(&c, XENVER_capabilities, GADDR), 0);
    CHECK_CONTAINS(u.caps, "xen-3.0-x86_64");
    CHECK_CONTAINS(u.caps, "hvm-3.0-x86_32");
    CHECK_EQ(xv(&c, XENVER_compile_info, GADDR), 0);
    CHECK(u.ci.compiler[0] != 0);
    CHECK_EQ(xv(&c, XENVER_platform_parameters, GADDR), 0);
    CHECK_EQ(u.pp.virt_start, 0xFFFF800000000000UL);
    CHECK_EQ(xv(&c, XENVER_pagesize, 0), 4096);
    CHECK_EQ(xv(&c, XENVER_pagesize, GADDR), -EINVAL);
    memset(&u, 0, sizeof(u));
    CHECK_EQ(xv(&c, XENVER_get_features, GADDR), 0);
    CHECK(u.fi.submap & (1U << XENFEAT_dom0));
    CHECK(u.fi.submap & (1U << XENFEAT_memory_op_vnode_supported));
    u.fi.submap_idx = 1;
    CHECK_EQ(xv(&c, XENVER_get_features, GADDR), -EINVAL);
    CHECK_EQ(xv(&c, XENVER_commandline, GADDR), 0);
    CHECK_CONTAINS(u.cmdline, "bootscrub=off");
    CHECK_EQ(xv(&c, XENVER_build_id, 0), -ENODATA);

    /* Outside the registered buffer: -EFAULT, nothing written. */
    CHECK_EQ(xv(&c, XENVER_extraversion, GADDR + sizeof(u) - 8), -EFAULT);
    CHECK_EQ(xv(&c, XENVER_capabilities, 0x1000), -EFAULT);
    CHECK_EQ(xv(&c, XENVER_get_features, 0), -EFAULT);

    /* An unprivileged HVM guest: commandline denied, build_id -EPERM. */
    caller_init(&c, hvm, &ga);
    CHECK_EQ(xv(&c, XENVER_version, 0), 0x40011);
    CHECK_EQ(xv(&c, XENVER_commandline, GADDR), 0);
    CHECK_STR(u.cmdline, "<denied>");
    CHECK_EQ(xv(&c, XENVER_build_id, 0), -EPERM);
    memset(&u, 0, sizeof(u));
    CHECK_EQ(xv(&c, XENVER_get_features, GADDR), 0);
    CHECK(!(u.fi.submap & (1U << XENFEAT_dom0)));
    CHECK(u.fi.submap & (1U << XENFEAT_hvm_callback_vector));
    host_destroy(h);
}
