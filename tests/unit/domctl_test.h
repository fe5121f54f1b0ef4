/*
 * tests/unit/domctl_test.h - driving XEN_DOMCTL_* through the dispatcher
 * as libxenctrl does: one struct xen_domctl in a registered guest buffer,
 * side buffers (bitmaps, save images) registered at their own addresses.
 */
#ifndef XENMM_DOMCTL_TEST_H
#define XENMM_DOMCTL_TEST_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>

#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"

#define DOMCTL_GADDR 0x10000ULL     /* the struct xen_domctl */
#define BUF_GADDR    0x100000ULL    /* first side buffer */
#define BUF2_GADDR   0x200000ULL    /* second side buffer */

/* A caller with its domctl buffer; must not move once set up. */
struct dctl {
    struct guest_access ga;
    struct caller c;
    struct xen_domctl op;
};

static inline void dctl_init(struct dctl *t, struct domain *as)
{
    memset(t, 0, sizeof(*t));
    caller_init(&t->c, as, &t->ga);
    REQUIRE(guest_access_register(&t->ga, DOMCTL_GADDR, &t->op,
                                  sizeof(t->op)) == 0);
}

/* Act as another domain (same buffers). */
static inline void dctl_as(struct dctl *t, struct domain *as)
{
    t->c.d = as;
}

/* Issue cmd on dom with whatever the test put in t->op.u. */
static inline long domctl(struct dctl *t, uint32_t cmd, domid_t dom)
{
    unsigned long args[6] = { DOMCTL_GADDR, 0, 0, 0, 0, 0 };

    t->op.cmd = cmd;
    t->op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    t->op.domain = dom;
    return hypercall_dispatch(&t->c, __HYPERVISOR_domctl, args);
}

/* A createdomain config as libxl builds one: HVM+HAP or PV. */
static inline void dctl_config(struct xen_domctl_createdomain *cfg, bool hvm,
                               unsigned int max_vcpus)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->flags = hvm ? XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap : 0;
    cfg->max_vcpus = max_vcpus;
    cfg->max_evtchn_port = 1023;
    cfg->max_grant_frames = 32;
    cfg->max_maptrack_frames = 1024;
    cfg->grant_opts = XEN_DOMCTL_GRANT_version(1);
    if ( hvm )
        cfg->arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI;
}

/*
 * createdomain (id 0: Xen picks), then max_vcpus: the domain as libxl
 * has it before the build.  Returns the new domain.
 */
static inline struct domain *dctl_create(struct dctl *t, domid_t want,
                                         bool hvm, unsigned int max_vcpus)
{
    dctl_config(&t->op.u.createdomain, hvm, max_vcpus);
    REQUIRE(domctl(t, XEN_DOMCTL_createdomain, want) == 0);
    domid_t id = t->op.domain;

    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.max_vcpus.max = max_vcpus;
    REQUIRE(domctl(t, XEN_DOMCTL_max_vcpus, id) == 0);
    return peek_domain(t->c.h, id);
}

#endif
