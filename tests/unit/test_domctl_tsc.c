/*
 * XEN_DOMCTL_settscinfo / gettscinfo (xc_domain_set_tsc_info, which libxl
 * calls for every new domain, and xc_domain_get_tsc_info): the mode, the
 * rate the HVM save header carries, the incarnation count, Xen's errors.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/hvm/save.h>

#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"
#include "domctl_test.h"

static long settsc(struct dctl *t, domid_t dom, uint32_t mode, uint32_t khz,
                   uint32_t incarnation)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.tsc_info.tsc_mode = mode;
    t->op.u.tsc_info.gtsc_khz = khz;
    t->op.u.tsc_info.incarnation = incarnation;
    return domctl(t, XEN_DOMCTL_settscinfo, dom);
}

static long gettsc(struct dctl *t, domid_t dom)
{
    memset(&t->op.u, 0xa5, sizeof(t->op.u));
    return domctl(t, XEN_DOMCTL_gettscinfo, dom);
}

/* The gtsc_khz of d's HVM save header. */
static uint32_t header_khz(struct dctl *t, domid_t dom)
{
    static uint8_t img[8192];
    struct hvm_save_header hdr;

    memset(&t->op.u, 0, sizeof(t->op.u));
    REQUIRE(guest_access_register(&t->ga, BUF_GADDR, img, sizeof(img)) == 0);
    t->op.u.hvmcontext.size = sizeof(img);
    set_xen_guest_handle(t->op.u.hvmcontext.buffer, (uint8_t *)BUF_GADDR);
    REQUIRE(domctl(t, XEN_DOMCTL_gethvmcontext, dom) == 0);
    memcpy(&hdr, img + sizeof(struct hvm_save_descriptor), sizeof(hdr));
    return hdr.gtsc_khz;
}

TEST(domctl_tsc_info)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    uint32_t cpu_khz = h->spec->cpu_khz;
    static struct dctl t;
    struct domain *hvm, *pv;

    dctl_init(&t, h->hardware_domain);
    hvm = dctl_create(&t, 1, true, 2);
    pv = dctl_create(&t, 2, false, 1);

    /* arch_domain_create set the default mode: incarnation 1, host rate. */
    CHECK_EQ(gettsc(&t, 1), 0);
    CHECK_EQ(t.op.u.tsc_info.tsc_mode, 0);
    CHECK_EQ(t.op.u.tsc_info.gtsc_khz, cpu_khz);
    CHECK_EQ(t.op.u.tsc_info.incarnation, 1);
    CHECK(t.op.u.tsc_info.elapsed_nsec != 0xa5a5a5a5a5a5a5a5ULL);
    CHECK_EQ(header_khz(&t, 1), cpu_khz);

    /* libxl: default mode, no rate: native TSC. */
    CHECK_EQ(settsc(&t, 1, 0, 0, 0), 0);
    CHECK_EQ(hvm->tsc.vtsc, false);
    CHECK_EQ(gettsc(&t, 1), 0);
    CHECK_EQ(t.op.u.tsc_info.incarnation, 1);

    /* An HVM guest at another rate keeps the native TSC (TSC scaling). */
    CHECK_EQ(settsc(&t, 1, 0, 1000000, 5), 0);
    CHECK_EQ(hvm->tsc.vtsc, false);
    CHECK_EQ(gettsc(&t, 1), 0);
    CHECK_EQ(t.op.u.tsc_info.gtsc_khz, 1000000);
    CHECK_EQ(t.op.u.tsc_info.incarnation, 6);
    CHECK_EQ(header_khz(&t, 1), 1000000);

    /* A PV guest at another rate gets an emulated TSC. */
    CHECK_EQ(settsc(&t, 2, 0, 1000000, 0), 0);
    CHECK_EQ(pv->tsc.vtsc, true);
    CHECK_EQ(gettsc(&t, 2), 0);
    CHECK_EQ(t.op.u.tsc_info.gtsc_khz, 1000000);
    CHECK_EQ(settsc(&t, 2, 0, cpu_khz, 0), 0);
    CHECK_EQ(pv->tsc.vtsc, false);
    CHECK_EQ(gettsc(&t, 2), 0);
    CHECK_EQ(t.op.u.tsc_info.gtsc_khz, cpu_khz);     /* no scaling for PV */

    /* always_emulate, never_emulate. */
    CHECK_EQ(settsc(&t, 1, 1, 0, 0), 0);
    CHECK_EQ(hvm->tsc.vtsc, true);
    CHECK_EQ(gettsc(&t, 1), 0);
    CHECK_EQ(t.op.u.tsc_info.tsc_mode, 1);
    CHECK_EQ(t.op.u.tsc_info.gtsc_khz, cpu_khz);
    CHECK_EQ(settsc(&t, 1, 2, 0, 0), 0);
    CHECK_EQ(gettsc(&t, 1), 0);
    CHECK_EQ(t.op.u.tsc_info.tsc_mode, 2);
    CHECK_EQ(t.op.u.tsc_info.gtsc_khz, 0);
    CHECK_EQ(t.op.u.tsc_info.elapsed_nsec, 0);

    /* Xen's errors: an unknown mode (3 was native_paravirt), no domain. */
    CHECK_EQ(settsc(&t, 1, 3, 0, 0), -EINVAL);
    CHECK_EQ(gettsc(&t, 1), 0);
    CHECK_EQ(t.op.u.tsc_info.tsc_mode, 2);           /* unchanged */
    CHECK_EQ(settsc(&t, 9, 0, 0, 0), -ESRCH);
    CHECK_EQ(gettsc(&t, 9), -ESRCH);

    /* Not on oneself (Xen would pause the caller), not from a domU. */
    CHECK_EQ(settsc(&t, 0, 0, 0, 0), -EINVAL);
    CHECK_EQ(gettsc(&t, 0), -EINVAL);
    dctl_as(&t, hvm);
    CHECK_EQ(settsc(&t, 2, 0, 0, 0), -EPERM);
    host_destroy(h);
}
