/*
 * What the PV domain builder needs beyond memory: XEN_DOMCTL_set/
 * get_address_size, hypercall_init, set/getvcpucontext, and
 * __HYPERVISOR_mmuext_op / mmu_update on a guest's page tables, with
 * Xen's checks and errors; and what a foreign mapping of a PV guest's
 * frames is allowed.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/memory.h>

#include "core/cpu_policy.h"
#include "core/hypercall.h"
#include "core/p2m.h"
#include "core/pv.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"
#include "domctl_test.h"

#define CTX_GADDR 0x800000ULL
#define NR_PAGES  16

static struct vcpu_guest_context ctx;
static struct garena ar;

/* A PV domain with NR_PAGES populated; mfns[pfn]. */
static struct domain *pv_guest(struct dctl *t, domid_t id, xen_pfn_t *mfns)
{
    struct domain *d = dctl_create(t, id, false, 2);
    unsigned int i;

    d->max_pages = 1024;
    for ( i = 0; i < NR_PAGES; i++ )
        mfns[i] = i;
    REQUIRE(memop_resv(&t->c, &ar, true, XENMEM_populate_physmap, id, mfns,
                       NR_PAGES, 0, 0) == NR_PAGES);
    return d;
}

static uint64_t *page_of(struct host *h, xen_pfn_t mfn)
{
    return mfn_to_virt(h, _mfn(mfn));
}

/*
 * Tables mapping va 0 - 64K: L4 (pfn 0) -> L3 (1) -> L2 (2) -> L1 (3),
 * which maps pfns 0-15, the four tables read-only unless rw_table.
 */
static void build_tables(struct host *h, const xen_pfn_t *m, bool rw_table)
{
    unsigned int i;

    for ( i = 0; i < 4; i++ )
        memset(page_of(h, m[i]), 0, 4096);
    page_of(h, m[0])[0] = (m[1] << 12) | 7;
    page_of(h, m[1])[0] = (m[2] << 12) | 7;
    page_of(h, m[2])[0] = (m[3] << 12) | 7;
    for ( i = 0; i < NR_PAGES; i++ )
        page_of(h, m[3])[i] = (m[i] << 12) | (i < 4 && !rw_table ? 5 : 7);
}

/* What dom0's foreign mapping of frame mfn of domid gets. */
static int fmap(struct dctl *t, domid_t domid, unsigned long mfn, bool write)
{
    mfn_t got;
    int rc = p2m_foreign_map_lookup(&t->c, domid, mfn, write, &got);

    if ( !rc )
        CHECK_EQ(mfn_x(got), mfn);
    return rc;
}

static long mmuext(struct dctl *t, const struct mmuext_op *ops, unsigned int nr,
                   unsigned int dom, unsigned int *done)
{
    uint64_t o = garena_alloc(&ar, nr * sizeof(*ops));
    uint64_t d = garena_alloc(&ar, sizeof(*done));
    unsigned long args[6] = { o, nr, d, dom };
    long rc;

    memcpy(garena_ptr(&ar, o), ops, nr * sizeof(*ops));
    *(unsigned int *)garena_ptr(&ar, d) = 0;
    rc = hypercall_dispatch(&t->c, __HYPERVISOR_mmuext_op, args);
    *done = *(unsigned int *)garena_ptr(&ar, d);
    return rc;
}

static long pin(struct dctl *t, unsigned int cmd, xen_pfn_t mfn, unsigned int dom)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = mfn };
    unsigned int done;

    return mmuext(t, &op, 1, dom, &done);
}

static long setctx(struct dctl *t, domid_t dom, unsigned int vcpu, bool null)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.vcpucontext.vcpu = vcpu;
    if ( !null )
        set_xen_guest_handle(t->op.u.vcpucontext.ctxt,
                             (vcpu_guest_context_t *)CTX_GADDR);
    return domctl(t, XEN_DOMCTL_setvcpucontext, dom);
}

static long getctx(struct dctl *t, domid_t dom, unsigned int vcpu)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.vcpucontext.vcpu = vcpu;
    set_xen_guest_handle(t->op.u.vcpucontext.ctxt,
                         (vcpu_guest_context_t *)CTX_GADDR);
    return domctl(t, XEN_DOMCTL_getvcpucontext, dom);
}

static void setup(struct dctl *t, struct host *h)
{
    dctl_init(t, h->hardware_domain);
    garena_init(&ar, 1 << 20);
    /* The domctl buffer and the arena, for one caller. */
    REQUIRE(guest_access_register(&t->ga, GARENA_BASE, ar.mem, ar.size) == 0);
    REQUIRE(guest_access_register(&t->ga, CTX_GADDR, &ctx, sizeof(ctx)) == 0);
}

TEST(pv_address_size_and_hypercall_page)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    static struct dctl t;
    xen_pfn_t m[NR_PAGES];
    struct domain *d;
    const uint8_t *p;

    setup(&t, h);
    d = pv_guest(&t, 1, m);
    dctl_create(&t, 2, true, 1);
    dctl_create(&t, 3, false, 1);

    memset(&t.op.u, 0, sizeof(t.op.u));
    t.op.u.address_size.size = 64;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_address_size, 1), 0);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_address_size, 2), -EOPNOTSUPP);
    t.op.u.address_size.size = 32;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_address_size, 1), -EACCES);  /* memory */
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_address_size, 3), 0);
    t.op.u.address_size.size = 48;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_address_size, 3), -EINVAL);
    t.op.u.address_size.size = 64;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_set_address_size, 3), -EINVAL);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_get_address_size, 3), 0);
    CHECK_EQ(t.op.u.address_size.size, 32);
    CHECK_EQ(domctl(&t, XEN_DOMCTL_get_address_size, 1), 0);
    CHECK_EQ(t.op.u.address_size.size, 64);
    /* A 32-bit guest's CPU policy has no long mode. */
    CHECK(!cpu_policy_has(get_domain_by_id(h, 3)->cpu_policy, X86_FEATURE_LM));
    CHECK(cpu_policy_has(d->cpu_policy, X86_FEATURE_LM));

    /* hypercall_init: a frame the domain owns gets Xen's stubs. */
    memset(&t.op.u, 0, sizeof(t.op.u));
    t.op.u.hypercall_init.gmfn = m[5];
    CHECK_EQ(domctl(&t, XEN_DOMCTL_hypercall_init, 1), 0);
    p = (const uint8_t *)page_of(h, m[5]);
    CHECK_EQ(p[0], 0x51);                       /* push %rcx */
    CHECK_EQ(p[3], 0xb8);                       /* mov $0, %eax */
    CHECK_EQ(p[8], 0x0f);                       /* syscall */
    CHECK_EQ(p[9], 0x05);
    CHECK_EQ(p[13], 0xc3);
    CHECK_EQ(p[14], 0xcc);                      /* int3 filler */
    CHECK_EQ(p[32 * 12 + 4], 12);
    CHECK_EQ(p[32 * __HYPERVISOR_iret + 3], 0x50);  /* push %rax */
    CHECK_EQ(p[32 * __HYPERVISOR_iret + 11], 0xcc);
    t.op.u.hypercall_init.gmfn = h->max_page + 5;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_hypercall_init, 1), -EINVAL);
    t.op.u.hypercall_init.gmfn = page_to_mfn(h, d->shared_info).mfn + 0;
    CHECK_EQ(domctl(&t, XEN_DOMCTL_hypercall_init, 3), -EINVAL);  /* not 3's */

    /* A 32-bit PV guest: int $0x82 stubs. */
    {
        xen_pfn_t pfn = 0;

        get_domain_by_id(h, 3)->max_pages = 64;
        REQUIRE(memop_resv(&t.c, &ar, true, XENMEM_populate_physmap, 3, &pfn,
                           1, 0, 0) == 1);
        memset(&t.op.u, 0, sizeof(t.op.u));
        t.op.u.hypercall_init.gmfn = pfn;       /* the MFN populate gave */
        CHECK_EQ(domctl(&t, XEN_DOMCTL_hypercall_init, 3), 0);
        p = (const uint8_t *)page_of(h, pfn);
        CHECK_EQ(p[32 + 0], 0xb8);
        CHECK_EQ(p[32 + 1], 1);
        CHECK_EQ(p[32 + 5], 0xcd);
        CHECK_EQ(p[32 + 6], 0x82);
        CHECK_EQ(p[32 + 7], 0xc3);
        CHECK_EQ(p[32 * __HYPERVISOR_iret + 0], 0x50);  /* push %eax */
        CHECK_EQ(p[32 * __HYPERVISOR_iret + 7], 0x82);
        CHECK_EQ(p[32 * __HYPERVISOR_iret + 8], 0xcc);  /* no ret */
    }

    /* HVM: vmcall stubs at a RAM gfn. */
    {
        xen_pfn_t gfn = 0x10;

        get_domain_by_id(h, 2)->max_pages = 64;
        REQUIRE(memop_resv(&t.c, &ar, true, XENMEM_populate_physmap, 2, &gfn,
                           1, 0, 0) == 1);
        memset(&t.op.u, 0, sizeof(t.op.u));
        t.op.u.hypercall_init.gmfn = 0x10;
        CHECK_EQ(domctl(&t, XEN_DOMCTL_hypercall_init, 2), 0);
        p = p2m_gfn_to_virt(get_domain_by_id(h, 2), 0x10);
        REQUIRE(p != NULL);
        CHECK_EQ(p[32 + 0], 0xb8);
        CHECK_EQ(p[32 + 1], 1);
        CHECK_EQ(p[32 + 5], 0x0f);              /* vmcall */
        CHECK_EQ(p[32 + 7], 0xc1);
        CHECK_EQ(p[32 * __HYPERVISOR_iret + 1], 0x0b);   /* ud2 */
        t.op.u.hypercall_init.gmfn = 0x11;      /* a hole */
        CHECK_EQ(domctl(&t, XEN_DOMCTL_hypercall_init, 2), -EINVAL);
    }
    garena_free(&ar);
    host_destroy(h);
}

TEST(pv_mmuext_pin_and_foreign_maps)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    static struct dctl t;
    xen_pfn_t m[NR_PAGES], o[NR_PAGES];
    struct mmuext_op ops[3];
    unsigned int done;
    struct domain *d;

    setup(&t, h);
    d = pv_guest(&t, 1, m);
    pv_guest(&t, 2, o);
    dctl_create(&t, 3, true, 1);
    build_tables(h, m, false);

    /* Foreign maps before pinning: all of d's frames, even writable. */
    CHECK_EQ(fmap(&t, 1, m[0], true), 0);
    CHECK_EQ(fmap(&t, 1, o[0], false), -EBUSY);     /* not d's */
    CHECK_EQ(fmap(&t, 1, h->max_page + 1, false), -EPERM);

    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[0], 1), 0);
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[0], 1), -EINVAL);   /* again */
    CHECK(pv_is_pagetable(d, m[3]));
    CHECK(!pv_is_pagetable(d, m[4]));
    CHECK_EQ(fmap(&t, 1, m[0], true), -EBUSY);
    CHECK_EQ(fmap(&t, 1, m[3], true), -EBUSY);
    CHECK_EQ(fmap(&t, 1, m[3], false), 0);
    CHECK_EQ(fmap(&t, 1, m[4], true), 0);
    /* The L3 of a pinned L4 tree cannot be pinned as an L4. */
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[1], 1), -EINVAL);
    CHECK_EQ(pin(&t, MMUEXT_PIN_L1_TABLE, m[3], 1), 0);  /* same level: fine */
    /* CLEAR_PAGE: not on a page table. */
    ops[0] = (struct mmuext_op){ .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = m[3] };
    CHECK_EQ(mmuext(&t, ops, 1, 1, &done), -EINVAL);
    CHECK_EQ(done, 0);
    CHECK_EQ(pin(&t, MMUEXT_UNPIN_TABLE, m[3], 1), 0);
    CHECK_EQ(pin(&t, MMUEXT_UNPIN_TABLE, m[0], 1), 0);
    CHECK_EQ(pin(&t, MMUEXT_UNPIN_TABLE, m[0], 1), -EINVAL);    /* not pinned */
    CHECK(!pv_is_pagetable(d, m[3]));

    /* Trees that are not valid. */
    build_tables(h, m, true);                       /* tables mapped RW */
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[0], 1), -EBUSY);
    build_tables(h, m, false);
    page_of(h, m[3])[20] = (o[0] << 12) | 5;        /* another's frame */
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[0], 1), -EBUSY);
    page_of(h, m[3])[20] = ((h->max_page + 1) << 12) | 5;   /* not RAM */
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[0], 1), -EPERM);
    build_tables(h, m, false);
    page_of(h, m[1])[1] = (o[1] << 12) | 7;         /* another's L2 */
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[0], 1), -EINVAL);
    build_tables(h, m, false);
    page_of(h, m[2])[1] = (m[8] << 12) | 0x87;      /* a 2M superpage */
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[0], 1), -EINVAL);
    build_tables(h, m, false);
    page_of(h, m[0])[256] = (o[0] << 12) | 7;       /* Xen's slot: ignored */
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[0], 1), 0);
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, o[0], 1), -EINVAL);   /* not d's */

    /* The target: an unknown domain, oneself by id, HVM, or by a domU. */
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[0], 9), -ESRCH);
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[0], 0), -ESRCH);
    CHECK_EQ(pin(&t, MMUEXT_PIN_L4_TABLE, m[0], 3), -EINVAL);
    dctl_as(&t, get_domain_by_id(h, 2));
    CHECK_EQ(pin(&t, MMUEXT_UNPIN_TABLE, m[0], 1), -EPERM);
    dctl_as(&t, h->hardware_domain);

    /* Other ops: Xen's errors for a foreign target. */
    ops[0] = (struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_ALL };
    CHECK_EQ(mmuext(&t, ops, 1, 1, &done), -EPERM);
    ops[0] = (struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    CHECK_EQ(mmuext(&t, ops, 1, DOMID_SELF, &done), 0);
    ops[0] = (struct mmuext_op){ .cmd = MMUEXT_MARK_SUPER };
    CHECK_EQ(mmuext(&t, ops, 1, 1, &done), -EOPNOTSUPP);
    ops[0] = (struct mmuext_op){ .cmd = 99 };
    CHECK_EQ(mmuext(&t, ops, 1, 1, &done), -ENOSYS);

    /* A batch stops at the first failure; pdone counts what was done. */
    memset(page_of(h, m[9]), 0xaa, 4096);
    ops[0] = (struct mmuext_op){ .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = m[9] };
    ops[1] = (struct mmuext_op){ .cmd = MMUEXT_COPY_PAGE, .arg1.mfn = m[10],
                                 .arg2.src_mfn = m[3] };
    ops[2] = (struct mmuext_op){ .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = m[0] };
    CHECK_EQ(mmuext(&t, ops, 3, 1, &done), -EINVAL);
    CHECK_EQ(done, 2);
    CHECK_EQ(page_of(h, m[9])[7], 0);
    CHECK_EQ(page_of(h, m[10])[0], page_of(h, m[3])[0]);

    /* Preempted after every op: continued to the end. */
    t.c.preempt_every = 1;
    ops[2] = (struct mmuext_op){ .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = m[11] };
    CHECK_EQ(mmuext(&t, ops, 3, 1, &done), 0);
    CHECK_EQ(done, 3);
    CHECK_EQ(t.c.nr_continuations, 2);
    t.c.preempt_every = 0;
    check_host(h);
    garena_free(&ar);
    host_destroy(h);
}

TEST(pv_mmu_update_machphys)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    static struct dctl t;
    xen_pfn_t m[NR_PAGES], o[NR_PAGES];
    struct mmu_update req;
    unsigned long args[6];
    uint64_t r, dn;

    setup(&t, h);
    pv_guest(&t, 1, m);
    pv_guest(&t, 2, o);
    dctl_create(&t, 3, true, 1);
    r = garena_alloc(&ar, sizeof(req));
    dn = garena_alloc(&ar, sizeof(unsigned int));
    args[0] = r;
    args[1] = 1;
    args[2] = dn;

    CHECK_EQ(get_gpfn_from_mfn(h, _mfn(m[4])), 4);   /* populate set it */
    req = (struct mmu_update){ (m[4] << 12) | MMU_MACHPHYS_UPDATE, 0x1234 };
    memcpy(garena_ptr(&ar, r), &req, sizeof(req));
    args[3] = 1;
    CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_mmu_update, args), 0);
    CHECK_EQ(get_gpfn_from_mfn(h, _mfn(m[4])), 0x1234);
    CHECK_EQ(*(unsigned int *)garena_ptr(&ar, dn), 1);
    args[3] = 2;                                /* m[4] is not 2's */
    CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_mmu_update, args), -EINVAL);
    args[3] = 3;                                /* translated */
    CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_mmu_update, args), -EINVAL);
    args[3] = 1 | (3 << 16);                    /* pt owner 2, not us */
    CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_mmu_update, args), -EPERM);
    req.ptr = m[4] << 12 | MMU_NORMAL_PT_UPDATE;
    memcpy(garena_ptr(&ar, r), &req, sizeof(req));
    args[3] = 1;
    CHECK_EQ(hypercall_dispatch(&t.c, __HYPERVISOR_mmu_update, args), -ENOSYS);
    garena_free(&ar);
    host_destroy(h);
}

TEST(pv_vcpu_context)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    static struct dctl t;
    xen_pfn_t m[NR_PAGES];
    struct domain *d;

    setup(&t, h);
    d = pv_guest(&t, 1, m);
    build_tables(h, m, false);

    memset(&ctx, 0, sizeof(ctx));
    ctx.user_regs.rip = 0xffffffff80100000ULL;
    ctx.user_regs.rsp = 0xffffffff80104000ULL;
    ctx.user_regs.rflags = 0x3000;              /* IOPL 3 */
    ctx.user_regs.cs = 0xe030;                  /* ring 0 */
    ctx.flags = VGCF_in_kernel | VGCF_online;
    ctx.ctrlreg[3] = m[0] << 12;

    /* Not on the caller, a vCPU that is not there. */
    CHECK_EQ(setctx(&t, 0, 0, false), -EINVAL);
    CHECK_EQ(setctx(&t, 1, 5, false), -EINVAL);
    CHECK_EQ(getctx(&t, 1, 5), -ESRCH);
    CHECK_EQ(getctx(&t, 1, 0), -ENODATA);       /* never set */

    /* Xen's checks on what is loaded. */
    ctx.user_regs.rip = 0x0000800000000000ULL;  /* not canonical */
    CHECK_EQ(setctx(&t, 1, 0, false), -EINVAL);
    ctx.user_regs.rip = 0xffffffff80100000ULL;
    ctx.ldt_base = 0x1001;
    CHECK_EQ(setctx(&t, 1, 0, false), -EINVAL);
    ctx.ldt_base = 0;
    ctx.gdt_ents = 17 * 512;
    CHECK_EQ(setctx(&t, 1, 0, false), -EINVAL);
    ctx.gdt_ents = 0;
    ctx.vm_assist = 1UL << 40;
    CHECK_EQ(setctx(&t, 1, 0, false), -EINVAL);
    ctx.vm_assist = 0;
    ctx.ctrlreg[3] = (h->max_page + 1) << 12;   /* no such frame */
    CHECK_EQ(setctx(&t, 1, 0, false), -EINVAL);
    ctx.ctrlreg[3] = m[0] << 12;
    page_of(h, m[3])[0] = (m[0] << 12) | 7;     /* the L4 mapped RW */
    CHECK_EQ(setctx(&t, 1, 0, false), -EBUSY);
    build_tables(h, m, false);

    /* A valid tree, not pinned: validated as a root table. */
    CHECK_EQ(setctx(&t, 1, 0, false), 0);
    CHECK(d->vcpu[0]->is_initialised);
    CHECK(!(d->vcpu[0]->pause_flags & VPF_down));
    memset(&ctx, 0, sizeof(ctx));
    CHECK_EQ(getctx(&t, 1, 0), 0);
    CHECK_EQ(ctx.user_regs.rip, 0xffffffff80100000ULL);
    CHECK_EQ(ctx.user_regs.rflags, 0x200);      /* IOPL virtualised, IF */
    CHECK_EQ(ctx.user_regs.cs, 0xe033);         /* made ring 3 */
    CHECK_EQ(ctx.flags, VGCF_in_kernel | VGCF_online);
    CHECK_EQ(ctx.ctrlreg[3], m[0] << 12);

    /* Registers may change later, page tables not. */
    ctx.user_regs.rax = 42;
    CHECK_EQ(setctx(&t, 1, 0, false), 0);
    ctx.ctrlreg[3] = m[1] << 12;
    CHECK_EQ(setctx(&t, 1, 0, false), -EOPNOTSUPP);
    ctx.ctrlreg[3] = m[0] << 12;

    /* Offline, then a reset: no context. */
    ctx.flags = VGCF_in_kernel;
    CHECK_EQ(setctx(&t, 1, 0, false), 0);
    CHECK(d->vcpu[0]->pause_flags & VPF_down);
    CHECK_EQ(getctx(&t, 1, 0), 0);
    CHECK_EQ(ctx.flags, VGCF_in_kernel);
    CHECK_EQ(setctx(&t, 1, 0, true), 0);
    CHECK_EQ(getctx(&t, 1, 0), -ENODATA);
    check_host(h);
    garena_free(&ar);
    host_destroy(h);
}
