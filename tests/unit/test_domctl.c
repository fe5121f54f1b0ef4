/*
 * XEN_DOMCTL_* lifecycle and information commands through the dispatcher,
 * at the 4.17 ABI: interface version, lookup and privilege (dummy XSM),
 * createdomain's ids, destroy, pause counts, getdomaininfo's fields, and
 * the small setters (handle, debugging, time offset, device-model target).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sched.h>

#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"
#include "domctl_test.h"

TEST(domctl_version_lookup_privilege)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct domain *u = new_domain(h, 1, 0);
    struct dctl t;
    unsigned long args[6] = { DOMCTL_GADDR + 8, 0, 0, 0, 0, 0 };

    dctl_init(&t, h->hardware_domain);
    t.op.cmd = XEN_DOMCTL_pausedomain;
    t.op.interface_version = 0x16;              /* 4.18's */
    t.op.domain = 1;
    CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_domctl, args), -EFAULT);
    args[0] = DOMCTL_GADDR;
    CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_domctl, args), -EACCES);
    args[0] = 0;
    CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_domctl, args), -EFAULT);

    CHECK_EQ(domctl(&t, XEN_DOMCTL_pausedomain, 77), -ESRCH);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_pausedomain, DOMID_SELF), -ESRCH);
    CHECK_EQ(domctl(&t, 9999, 1), -ENOSYS);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_gdbsx_guestmemio, 1), -ENOSYS);

    /* A domU: -EPERM, but the lookup comes first (-ESRCH). */
    dctl_as(&t, u);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_pausedomain, 0), -EPERM);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_pausedomain, 1), -EPERM);   /* itself too */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_pausedomain, 77), -ESRCH);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 0), -EPERM);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 77), -EPERM);
    dctl_config(&t.op.u.createdomain, false, 1);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 0), -EPERM);
    CHECK_EQ(u->pause_count, 1);
    CHECK(peek_domain(h, 2) == NULL);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_getdomaininfo_xenstore_and_dm)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct dctl t;
    struct domain *xs, *dm, *guest, *other;

    dctl_init(&t, h->hardware_domain);
    dctl_config(&t.op.u.createdomain, false, 1);
    t.op.u.createdomain.flags |= XEN_DOMCTL_CDF_xs_domain;
    REQUIRE(domctl(&t, XEN_DOMCTL_createdomain, 5) == 0);
    xs = peek_domain(h, 5);
    dm = dctl_create(&t, 6, false, 1);
    guest = dctl_create(&t, 7, true, 1);
    other = dctl_create(&t, 8, true, 1);
    REQUIRE(xs && dm && guest && other);

    /* XSM_XS_PRIV: the xenstore domain may ask about anyone. */
    dctl_as(&t, xs);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 0), 0);
    CHECK_EQ(t.op.u.getdomaininfo.domain, 0);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 8), 0);
    CHECK_EQ(t.op.u.getdomaininfo.domain, 8);
    CHECK(!(t.op.u.getdomaininfo.flags & XEN_DOMINF_xs_domain));
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 5), 0);
    CHECK(t.op.u.getdomaininfo.flags & XEN_DOMINF_xs_domain);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_pausedomain, 7), -EPERM);

    /* set_target: dm becomes guest's device model. */
    dctl_as(&t, h->hardware_domain);
    t.op.u.set_target.target = 99;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_target, 6), -ESRCH);
    t.op.u.set_target.target = 6;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_target, 6), -EINVAL);  /* itself */
    t.op.u.set_target.target = 5;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_target, 6), -EOPNOTSUPP); /* PV */
    t.op.u.set_target.target = 7;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_target, 6), 0);
    CHECK(dm->target == guest);
    t.op.u.set_target.target = 8;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_target, 6), -EINVAL);  /* has one */
    CHECK(dm->target == guest);

    /* The device model: getdomaininfo and DM_PRIV ops on its target only. */
    dctl_as(&t, dm);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 7), 0);
    CHECK_EQ(t.op.u.getdomaininfo.domain, 7);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 8), -EPERM);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 6), -EPERM);   /* itself */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_memory_mapping, 7), -ENOSYS); /* past XSM */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_memory_mapping, 8), -EPERM);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_pausedomain, 7), -EPERM);     /* PRIV */

    /*
     * The target dies but stays a zombie while its device model holds it
     * (Xen's set_target reference): found, dying, owning nothing.
     */
    dctl_as(&t, h->hardware_domain);
    /* Creation, set_target's reference and the one its Xen-heap pages hold. */
    CHECK_EQ(guest->refcnt, 3);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 7), 0);
    CHECK(dm->target == guest);
    CHECK_EQ(guest->refcnt, 1);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 7), 0);
    CHECK(t.op.u.getdomaininfo.flags & XEN_DOMINF_dying);
    CHECK_EQ(t.op.u.getdomaininfo.tot_pages, 0);
    /* Its id is still taken; destroying it again changes nothing. */
    dctl_config(&t.op.u.createdomain, true, 1);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 7), -EEXIST);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 7), 0);
    check_host(h);
    /* The device model goes: so does the zombie, with the last reference. */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 6), 0);
    CHECK(peek_domain(h, 6) == NULL);
    CHECK(peek_domain(h, 7) == NULL);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 7), 0);
    CHECK_EQ(t.op.domain, 8);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_createdomain_ids)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct dctl t;
    struct domain *d;

    dctl_init(&t, h->hardware_domain);

    /* 0 means "pick one": the rover starts at 1. */
    dctl_config(&t.op.u.createdomain, false, 2);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 0), 0);
    CHECK_EQ(t.op.domain, 1);
    /* PV: the sanitised flags (oos_off) are copied back. */
    CHECK_EQ(t.op.u.createdomain.flags, XEN_DOMCTL_CDF_oos_off);
    dctl_config(&t.op.u.createdomain, true, 1);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 0), 0);
    CHECK_EQ(t.op.domain, 2);
    CHECK_EQ(t.op.u.createdomain.flags, XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap);
    dctl_config(&t.op.u.createdomain, false, 1);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 4), 0);
    CHECK_EQ(t.op.domain, 4);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 0), 0);
    CHECK_EQ(t.op.domain, 3);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 0), 0);
    CHECK_EQ(t.op.domain, 5);                   /* 4 is taken */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 4), -EEXIST);
    CHECK_EQ(t.op.domain, 4);                   /* no copyback */
    /* 4.17: a reserved id also means "pick one". */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, DOMID_FIRST_RESERVED), 0);
    CHECK_EQ(t.op.domain, 6);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, DOMID_SELF), 0);
    CHECK_EQ(t.op.domain, 7);

    /* The rover wraps to 1 and skips what is in use. */
    h->domid_rover = DOMID_FIRST_RESERVED - 2;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 0), 0);
    CHECK_EQ(t.op.domain, DOMID_FIRST_RESERVED - 1);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 0), 0);
    CHECK_EQ(t.op.domain, 8);
    CHECK_EQ(h->domid_rover, 8);

    /* A config domain_create refuses: -EINVAL, and no id is used up. */
    dctl_config(&t.op.u.createdomain, false, 0);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 20), -EINVAL);
    CHECK(peek_domain(h, 20) == NULL);
    dctl_config(&t.op.u.createdomain, false, 1);
    t.op.u.createdomain.flags = XEN_DOMCTL_CDF_hap;    /* HAP without HVM */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 20), -EINVAL);
    dctl_config(&t.op.u.createdomain, true, 129);      /* > HVM_MAX_VCPUS */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 20), -EINVAL);
    CHECK(peek_domain(h, 20) == NULL);

    /* What createdomain made: paused by the controller, no vCPUs yet. */
    d = peek_domain(h, 2);
    REQUIRE(d);
    CHECK(is_hvm_domain(d) && hap_enabled(d));
    CHECK_EQ(d->pause_count, 1);
    CHECK(!d->creation_finished);
    CHECK_EQ(d->max_vcpus, 1);
    CHECK(d->vcpu[0] == NULL);
    CHECK_EQ(d->max_pages, 0);
    CHECK_EQ(d->emulation_flags, XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_rover_exhausted)
{
    /* 32k domains, each with shared_info and a grant frame: 256 MiB. */
    struct host *h = boot_tiny(1, 512ULL << 20);
    struct dctl t;
    unsigned int id;
    int rc;

    dctl_init(&t, h->hardware_domain);
    /* Fill every id but 0x100 directly; the domctl must find 0x100. */
    for ( id = 1; id < DOMID_FIRST_RESERVED; id++ )
        if ( id != 0x100 )
            REQUIRE(domain_create(h, id, NULL, 0, &rc) && rc == 0);
    h->domid_rover = 0x200;
    dctl_config(&t.op.u.createdomain, false, 1);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 0), 0);
    CHECK_EQ(t.op.domain, 0x100);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 0), -ENOMEM);
    CHECK_EQ(h->domid_rover, 0x100);
    /* 4.17 never looks at the rover's own id, even once it is free. */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 0x100), 0);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 0), -ENOMEM);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_createdomain, 0x100), 0);
    CHECK_EQ(t.op.domain, 0x100);
    host_destroy(h);
}

TEST(domctl_destroydomain)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    long avail0 = h->total_avail_pages;
    unsigned long dirty0 = h->node_need_scrub[0] + h->node_need_scrub[1];
    struct dctl t;
    struct domain *d;
    unsigned int i;

    dctl_init(&t, h->hardware_domain);
    d = dctl_create(&t, 0, true, 2);
    REQUIRE(d && d->domain_id == 1);
    /* The HAP pool (256 pages), shared_info and a grant frame at creation. */
    CHECK_EQ(h->total_avail_pages, avail0 - 256 - 2);
    t.op.u.max_mem.max_memkb = 64;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_mem, 1), 0);
    for ( i = 0; i < 16; i++ )
        REQUIRE(alloc_domheap_pages(h, d, 0, 0));
    CHECK_EQ(d->tot_pages, 16);
    CHECK_EQ(h->total_avail_pages, avail0 - 256 - 2 - 16);
    check_host(h);

    /* dom0 may not destroy itself; an unknown domain is -ESRCH. */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 0), -EINVAL);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 9), -ESRCH);

    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 1), 0);
    CHECK(peek_domain(h, 1) == NULL);
    CHECK_EQ(h->total_avail_pages, avail0);
    /* Every page came back dirty: the pool's, the Xen-heap's and the guest's. */
    CHECK_EQ(h->node_need_scrub[0] + h->node_need_scrub[1],
             dirty0 + 256 + 2 + 16);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, 1), -ESRCH);
    check_host(h);
    host_destroy(h);
}

/*
 * A lookup holds the domain for the whole op: destroyed under it, the
 * domain dies (its pages back at once) but the struct stays, unlinked only
 * when the last reference goes.
 */
TEST(domctl_destroy_while_referenced)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    long avail0 = h->total_avail_pages;
    struct dctl t;
    struct domain *d, *held;

    dctl_init(&t, h->hardware_domain);
    d = dctl_create(&t, 0, false, 1);
    REQUIRE(d);
    d->max_pages = 16;
    REQUIRE(alloc_domheap_pages(h, d, 2, 0));
    held = get_domain_by_id(h, d->domain_id);
    REQUIRE(held == d);
    /* Creation, its pages, its Xen-heap pages (shared_info, grant), ours. */
    CHECK_EQ(d->refcnt, 4);

    CHECK_EQ(domctl(&t, XEN_DOMCTL_destroydomain, d->domain_id), 0);
    CHECK_EQ(d->is_dying, DOMDYING_dead);
    CHECK_EQ(d->tot_pages, 0);
    CHECK_EQ(d->xenheap_pages, 0);
    CHECK_EQ(d->refcnt, 1);
    /* Its pages are back; shared_info and the grant frame go with it. */
    CHECK_EQ(h->total_avail_pages, avail0 - 2);
    CHECK(peek_domain(h, d->domain_id) == d);   /* a zombie */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, d->domain_id), 0);
    CHECK(t.op.u.getdomaininfo.flags & XEN_DOMINF_dying);
    /* Nothing can be given to it, nor claimed for it. */
    CHECK(alloc_domheap_pages(h, d, 0, 0) == NULL);
    CHECK_EQ(domain_set_outstanding_pages(d, 8, NUMA_NO_NODE), -EINVAL);
    check_host(h);

    put_domain(held);
    CHECK(peek_domain(h, 1) == NULL);
    CHECK_EQ(h->total_avail_pages, avail0);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 1), -ESRCH);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_pause_unpause)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct dctl t;
    struct domain *d;
    unsigned int i;

    dctl_init(&t, h->hardware_domain);
    d = dctl_create(&t, 3, false, 1);
    REQUIRE(d);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 3), 0);
    CHECK(t.op.u.getdomaininfo.flags & XEN_DOMINF_paused);

    /* The toolstack's one unpause finishes creation. */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_unpausedomain, 3), 0);
    CHECK_EQ(d->pause_count, 0);
    CHECK(d->creation_finished);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 3), 0);
    CHECK(!(t.op.u.getdomaininfo.flags & XEN_DOMINF_paused));
    CHECK_EQ(domctl(&t, XEN_DOMCTL_unpausedomain, 3), -EINVAL);
    CHECK_EQ(d->pause_count, 0);

    /* Pause/unpause pairs nest, up to 255. */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_pausedomain, 3), 0);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_pausedomain, 3), 0);
    CHECK_EQ(d->pause_count, 2);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_unpausedomain, 3), 0);
    CHECK_EQ(d->pause_count, 1);
    for ( i = 1; i < 255; i++ )
        REQUIRE(domctl(&t, XEN_DOMCTL_pausedomain, 3) == 0);
    CHECK_EQ(d->pause_count, 255);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_pausedomain, 3), -EOVERFLOW);
    CHECK_EQ(d->pause_count, 255);

    /* Nobody pauses itself by domctl. */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_pausedomain, 0), -EINVAL);
    CHECK_EQ(h->hardware_domain->pause_count, 0);

    /* resumedomain undoes a shutdown. */
    domain_shutdown(d, SHUTDOWN_suspend);
    CHECK(d->is_shut_down);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_resumedomain, 0), -EINVAL);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_resumedomain, 3), 0);
    CHECK(!d->is_shut_down && !d->is_shutting_down);
    CHECK_EQ(d->shutdown_code, ~0U);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_getdomaininfo_fields)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct xen_domctl_getdomaininfo *gi;
    struct dctl t;
    struct domain *d;
    static const uint8_t handle[16] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4,
                                        5, 6, 7, 8, 9, 10, 11, 12 };

    dctl_init(&t, h->hardware_domain);
    gi = &t.op.u.getdomaininfo;
    dctl_config(&t.op.u.createdomain, true, 2);
    t.op.u.createdomain.ssidref = 42;
    t.op.u.createdomain.max_vcpus = 3;
    memcpy(t.op.u.createdomain.handle, handle, sizeof(handle));
    REQUIRE(domctl(&t, XEN_DOMCTL_createdomain, 2) == 0);
    d = peek_domain(h, 2);
    REQUIRE(d);
    /* Two of three vCPUs exist: max_vcpu_id is the highest created. */
    REQUIRE(vcpu_create(d, 0) == 0 && vcpu_create(d, 1) == 0);
    t.op.u.max_mem.max_memkb = 1024;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_mem, 2), 0);
    REQUIRE(alloc_domheap_pages(h, d, 1, 0));
    REQUIRE(alloc_domheap_pages(h, d, 0, 0));
    CHECK_EQ(domain_set_outstanding_pages(d, 10, NUMA_NO_NODE), 0);

    memset(&t.op.u, 0xa5, sizeof(t.op.u));
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 2), 0);
    CHECK_EQ(t.op.domain, 2);
    CHECK_EQ(gi->domain, 2);
    CHECK_EQ(gi->pad1, 0);
    /* Paused, HVM, HAP; no vCPU up so neither blocked nor running. */
    CHECK_EQ(gi->flags, XEN_DOMINF_paused | XEN_DOMINF_hvm_guest |
                        XEN_DOMINF_hap | 0xffff0000U);
    CHECK_EQ(gi->tot_pages, 3);
    CHECK_EQ(gi->max_pages, 256);
    CHECK_EQ(gi->outstanding_pages, 7);
    CHECK_EQ(gi->shr_pages, 0);
    CHECK_EQ(gi->paged_pages, 0);
    /* shared_info is not in the guest's physmap: its M2P entry is invalid. */
    CHECK_EQ(gi->shared_info_frame, ~0ULL);
    CHECK_EQ(gi->cpu_time, 0);
    CHECK_EQ(gi->nr_online_vcpus, 0);
    CHECK_EQ(gi->max_vcpu_id, 1);
    CHECK_EQ(gi->ssidref, 42);
    CHECK(!memcmp(gi->handle, handle, sizeof(handle)));
    CHECK_EQ(gi->cpupool, 0);
    CHECK_EQ(gi->gpaddr_bits, 48);
    CHECK_EQ(gi->arch_config.emulation_flags,
             XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI);

    /* Up and unpaused: running; all up vCPUs blocked: blocked. */
    d->vcpu[0]->pause_flags = 0;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_unpausedomain, 2), 0);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 2), 0);
    CHECK_EQ(gi->flags, XEN_DOMINF_running | XEN_DOMINF_hvm_guest |
                        XEN_DOMINF_hap | 0xffff0000U);
    CHECK_EQ(gi->nr_online_vcpus, 1);
    d->vcpu[0]->pause_flags = VPF_blocked;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 2), 0);
    CHECK_EQ(gi->flags, XEN_DOMINF_blocked | XEN_DOMINF_hvm_guest |
                        XEN_DOMINF_hap | 0xffff0000U);

    /* Debugged, then shut down with a code, then dying. */
    t.op.u.setdebugging.enable = 7;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setdebugging, 2), 0);
    CHECK(d->debugger_attached);
    t.op.u.setdebugging.enable = 1;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setdebugging, 0), -EINVAL);  /* itself */
    domain_shutdown(d, SHUTDOWN_reboot);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 2), 0);
    CHECK_EQ(gi->flags, XEN_DOMINF_blocked | XEN_DOMINF_shutdown |
                        XEN_DOMINF_debugged | XEN_DOMINF_hvm_guest |
                        XEN_DOMINF_hap | (SHUTDOWN_reboot << 16));
    domain_kill(d);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 2), 0);
    CHECK(gi->flags & XEN_DOMINF_dying);
    CHECK_EQ(gi->tot_pages, 0);
    CHECK_EQ(gi->outstanding_pages, 0);

    /* dom0: PV, privileged, every vCPU up and running. */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 0), 0);
    CHECK_EQ(gi->flags, XEN_DOMINF_running | 0xffff0000U);
    CHECK_EQ(gi->nr_online_vcpus, 2);
    CHECK_EQ(gi->max_vcpu_id, 1);
    CHECK_EQ(gi->arch_config.emulation_flags, XEN_X86_EMU_PIT);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_getdomaininfo_next_domain)
{
    struct host *h = boot_tiny(1, 4ULL << 20);
    struct dctl t;

    dctl_init(&t, h->hardware_domain);
    new_domain(h, 3, 0);
    new_domain(h, 9, 0);

    /* No domain 1: the first at or above it, echoed in op.domain. */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 1), 0);
    CHECK_EQ(t.op.domain, 3);
    CHECK_EQ(t.op.u.getdomaininfo.domain, 3);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 4), 0);
    CHECK_EQ(t.op.domain, 9);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 9), 0);
    CHECK_EQ(t.op.domain, 9);
    memset(&t.op.u, 0, sizeof(t.op.u));
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 10), -ESRCH);
    CHECK_EQ(t.op.domain, 10);                  /* no copyback */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, DOMID_FIRST_RESERVED - 1),
             -ESRCH);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, DOMID_FIRST_RESERVED), -EINVAL);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, DOMID_SELF), -EINVAL);
    host_destroy(h);
}

TEST(domctl_max_vcpus_and_max_mem)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    struct dctl t;
    struct domain *d;
    unsigned int i;

    dctl_init(&t, h->hardware_domain);
    dctl_config(&t.op.u.createdomain, true, 3);
    REQUIRE(domctl(&t, XEN_DOMCTL_createdomain, 1) == 0);
    d = peek_domain(h, 1);
    REQUIRE(d);

    /* max must be what createdomain said. */
    t.op.u.max_vcpus.max = 2;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_vcpus, 1), -EINVAL);
    t.op.u.max_vcpus.max = 4;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_vcpus, 1), -EINVAL);
    CHECK(d->vcpu[0] == NULL);
    t.op.u.max_vcpus.max = 2;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_vcpus, 0), -EINVAL);    /* itself */
    t.op.u.max_vcpus.max = 3;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_vcpus, 1), 0);
    for ( i = 0; i < 3; i++ )
    {
        REQUIRE(d->vcpu[i]);
        CHECK_EQ(d->vcpu[i]->pause_flags, VPF_down);
        /* Spread over the CPUs of the node affinity, in turn. */
        CHECK_EQ(d->vcpu[i]->processor, i % 2);
    }
    CHECK_EQ(d->node_affinity, 3);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_vcpus, 1), 0);          /* again */

    /* max_mem: KiB >> 2, clamped to 32 bits, no check against tot_pages. */
    t.op.u.max_mem.max_memkb = 4096 + 3;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_mem, 1), 0);
    CHECK_EQ(d->max_pages, 1024);
    t.op.u.max_mem.max_memkb = ~0ULL;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_mem, 1), 0);
    CHECK_EQ(d->max_pages, UINT32_MAX);
    t.op.u.max_mem.max_memkb = 8;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_mem, 1), 0);
    for ( i = 0; i < 2; i++ )
        REQUIRE(alloc_domheap_pages(h, d, 0, 0));
    CHECK(alloc_domheap_pages(h, d, 0, 0) == NULL);
    t.op.u.max_mem.max_memkb = 4;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_max_mem, 1), 0);             /* ratchet */
    CHECK_EQ(d->max_pages, 1);
    CHECK_EQ(d->tot_pages, 2);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_small_setters)
{
    struct host *h = boot_tiny(1, 4ULL << 20);
    struct dctl t;
    struct domain *d;
    static const uint8_t handle[16] = { 1, 1, 2, 3, 5, 8, 13, 21, 34, 55,
                                        89, 144, 233, 121, 98, 219 };

    dctl_init(&t, h->hardware_domain);
    d = dctl_create(&t, 1, false, 1);
    REQUIRE(d);
    memcpy(t.op.u.setdomainhandle.handle, handle, sizeof(handle));
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setdomainhandle, 1), 0);
    CHECK(!memcmp(d->handle, handle, sizeof(handle)));
    memset(&t.op.u, 0, sizeof(t.op.u));
    CHECK_EQ(domctl(&t, XEN_DOMCTL_getdomaininfo, 1), 0);
    CHECK(!memcmp(t.op.u.getdomaininfo.handle, handle, sizeof(handle)));

    t.op.u.settimeoffset.time_offset_seconds = -3600;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_settimeoffset, 1), 0);
    CHECK_EQ(d->time_offset_seconds, -3600);

    t.op.u.setdebugging.enable = 1;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setdebugging, 1), 0);
    CHECK(d->debugger_attached);
    t.op.u.setdebugging.enable = 0;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_setdebugging, 1), 0);
    CHECK(!d->debugger_attached);
    check_host(h);
    host_destroy(h);
}
