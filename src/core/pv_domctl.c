/*
 * pv_domctl.c - the domctls a domain builder uses to start a vCPU (Xen
 * 4.17's common/domctl.c, arch/x86/domctl.c, x86 domain.c and
 * pv/domain.c): XEN_DOMCTL_set_address_size / get_address_size,
 * hypercall_init, setvcpucontext and getvcpucontext.
 *
 * set_address_size 32 is switch_compat: only for a PV domain with no
 * memory yet (-EACCES); the CPU policy loses long mode.  64 on a 64-bit
 * domain, or 32 on a 32-bit one, is a no-op; anything else -EINVAL; an
 * HVM domain -EOPNOTSUPP.  (A 32-bit PV guest's allocations are not
 * limited to 128 GiB here, docs/versions.md.)
 *
 * hypercall_init writes Xen's hypercall page into the frame the domain
 * names (PV: an MFN it owns, HVM: a RAM gfn): int3 filler, then one
 * 32-byte stub per hypercall - syscall for a 64-bit PV guest, int $0x82
 * for a 32-bit one, vmcall for HVM (the emulated CPU is VT-x), with
 * iret's special forms.  -EINVAL (no such page), -EPERM (a page table).
 *
 * setvcpucontext, PV (arch_set_info_guest): canonical addresses, LDT and
 * GDT limits and frames, vm_assist, selectors made unprivileged, IOPL
 * virtualised and IF set; the first time, cr3 (and a 64-bit guest's user
 * cr3) must name a frame the domain owns that is, or validates as, a
 * root page table (-EINVAL); later, the page tables may not change
 * (-EOPNOTSUPP).  HVM: only vm_assist and the online state.  A null
 * context resets the vCPU (vcpu_reset).  VGCF_online brings the vCPU up.
 * getvcpucontext: -ESRCH (no such vCPU), -ENODATA (never set), then the
 * context as set, with VGCF_online from the vCPU's state.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>

#include "core.h"
#include "cpu_policy.h"
#include "domctl.h"
#include "p2m.h"
#include "pv.h"

#define X86_EFLAGS_IF   0x00000200UL
#define X86_EFLAGS_IOPL 0x00003000UL
#define HYPERCALL_VECTOR 0x82
#define NR_GDT_FRAMES   16              /* FIRST_RESERVED_GDT_PAGE */
/* arch_vm_assist_valid_mask(): native PV, compat PV, HVM. */
#define VMASST_BIT(t)   (1UL << VMASST_TYPE_##t)
#define PV_VM_ASSIST_VALID                                              \
    (VMASST_BIT(4gb_segments) | VMASST_BIT(4gb_segments_notify) |       \
     VMASST_BIT(writable_pagetables) | VMASST_BIT(pae_extended_cr3) |   \
     VMASST_BIT(architectural_iopl) | VMASST_BIT(runstate_update_flag) | \
     VMASST_BIT(m2p_strict))
#define COMPAT_VM_ASSIST_VALID (PV_VM_ASSIST_VALID & 0xffffffffUL)
#define HVM_VM_ASSIST_VALID VMASST_BIT(runstate_update_flag)

/* ---- address size ---- */

static int switch_compat(struct domain *d)
{
    if ( is_hvm_domain(d) || domain_tot_pages(d) != 0 )
        return -EACCES;
    if ( d->pv_32bit )
        return 0;
    d->pv_32bit = true;
    recalculate_cpuid_policy(d);
    return 0;
}

static long set_address_size(struct domain *d, unsigned int size)
{
    if ( is_hvm_domain(d) )
        return -EOPNOTSUPP;
    if ( (size == 64 && !d->pv_32bit) || (size == 32 && d->pv_32bit) )
        return 0;
    if ( size == 32 )
        return switch_compat(d);
    return -EINVAL;
}

/* ---- the hypercall page ---- */

/* Append n bytes of code at p. */
static uint8_t *emit(uint8_t *p, const uint8_t *code, size_t n)
{
    memcpy(p, code, n);
    return p + n;
}

/* mov $i, %eax */
static uint8_t *emit_mov_eax(uint8_t *p, uint32_t i)
{
    *p++ = 0xb8;
    memcpy(p, &i, sizeof(i));
    return p + sizeof(i);
}

/* init_hypercall_page: one 32-byte stub per hypercall number. */
static void init_hypercall_page(struct domain *d, uint8_t *page)
{
    static const uint8_t ud2[] = { 0x0f, 0x0b };
    static const uint8_t vmcall_ret[] = { 0x0f, 0x01, 0xc1, 0xc3 };
    static const uint8_t push_rcx_r11[] = { 0x51, 0x41, 0x53 };
    static const uint8_t syscall[] = { 0x0f, 0x05 };
    static const uint8_t pop_r11_rcx_ret[] = { 0x41, 0x5b, 0x59, 0xc3 };
    static const uint8_t int82[] = { 0xcd, HYPERCALL_VECTOR };
    static const uint8_t push_rax = 0x50, ret = 0xc3;
    unsigned int i;

    memset(page, 0xcc, PAGE_SIZE);                  /* int3 */
    for ( i = 0; i < PAGE_SIZE / 32; i++ )
    {
        uint8_t *p = page + i * 32;
        bool iret = i == __HYPERVISOR_iret;

        if ( is_hvm_domain(d) )
        {
            /* VT-x: vmcall; iret has no HVM form. */
            if ( iret )
                emit(p, ud2, sizeof(ud2));
            else
                emit(emit_mov_eax(p, i), vmcall_ret, sizeof(vmcall_ret));
        }
        else if ( !d->pv_32bit )
        {
            /* Ring 3 kernel: syscall, preserving %rcx/%r11; iret jumps. */
            p = emit(p, push_rcx_r11, sizeof(push_rcx_r11));
            if ( iret )
                p = emit(p, &push_rax, 1);
            p = emit(emit_mov_eax(p, i), syscall, sizeof(syscall));
            if ( !iret )
                emit(p, pop_r11_rcx_ret, sizeof(pop_r11_rcx_ret));
        }
        else
        {
            /* Ring 1 kernel: int $0x82; iret jumps. */
            if ( iret )
                p = emit(p, &push_rax, 1);
            p = emit(emit_mov_eax(p, i), int82, sizeof(int82));
            if ( !iret )
                emit(p, &ret, 1);
        }
    }
}

static long hypercall_init(struct domain *d, unsigned long gmfn)
{
    void *page;

    /* get_page_from_gfn(d, gmfn, NULL, P2M_ALLOC) */
    if ( paging_mode_translate(d) )
        page = p2m_gfn_to_virt(d, gmfn);
    else
        page = pv_page_owned(d, gmfn) ? mfn_to_virt(d->host, _mfn(gmfn))
                                      : NULL;
    if ( !page )
        return -EINVAL;
    if ( !paging_mode_translate(d) && pv_is_pagetable(d, gmfn) )
        return -EPERM;                  /* no PGT_writable_page */
    init_hypercall_page(d, page);
    return 0;
}

/* ---- vCPU contexts ---- */

static bool is_canonical(uint64_t a)
{
    return (int64_t)(a << 16) >> 16 == (int64_t)a;
}

/* __addr_ok: below Xen's part of the address space, or above it. */
static bool addr_ok(uint64_t a)
{
    return a < 0xffff800000000000ULL || a >= 0xffff880000000000ULL;
}

/* fixup_guest_{stack,code}_selector: ring 0 means the guest kernel's. */
static void fixup_selector(const struct domain *d, uint16_t *sel)
{
    if ( !(*sel & 3) )
        *sel |= d->pv_32bit ? 1 : 3;
}

/* The root (and a 64-bit guest's user root) page table of a first set. */
static int check_root(struct domain *d, unsigned long mfn)
{
    unsigned int level = d->pv_32bit ? 3 : 4;

    if ( !pv_page_owned(d, mfn) )
        return -EINVAL;
    return pv_is_pagetable(d, mfn) ? 0 : pv_validate_tree(d, mfn, level);
}

static int pv_set_info_guest(struct vcpu *v, union pv_vcpu_context *c,
                             union pv_vcpu_context *old)
{
    struct domain *d = v->domain;
    bool compat = d->pv_32bit;
    unsigned long flags = compat ? c->cmp.flags : c->nat.flags;
    unsigned long ldt_base = compat ? c->cmp.ldt_base : c->nat.ldt_base;
    unsigned long ldt_ents = compat ? c->cmp.ldt_ents : c->nat.ldt_ents;
    unsigned long gdt_ents = compat ? c->cmp.gdt_ents : c->nat.gdt_ents;
    unsigned long vm_assist = compat ? c->cmp.vm_assist : c->nat.vm_assist;
    unsigned long cr3, cr3u = 0, nr_gdt, i;
    int rc;

    if ( !compat )
    {
        struct vcpu_guest_context *n = &c->nat;

        if ( !is_canonical(n->user_regs.rip) || !is_canonical(n->user_regs.rsp) ||
             !is_canonical(n->kernel_sp) ||
             (n->ldt_ents && !is_canonical(n->ldt_base)) ||
             !is_canonical(n->fs_base) || !is_canonical(n->gs_base_kernel) ||
             !is_canonical(n->gs_base_user) ||
             !is_canonical(n->event_callback_eip) ||
             !is_canonical(n->syscall_callback_eip) ||
             !is_canonical(n->failsafe_callback_eip) )
            return -EINVAL;
        uint16_t kss = n->kernel_ss;

        fixup_selector(d, &n->user_regs.ss);
        fixup_selector(d, &kss);
        n->kernel_ss = kss;
        fixup_selector(d, &n->user_regs.cs);
        for ( i = 0; i < ARRAY_SIZE(n->trap_ctxt); i++ )
        {
            if ( !is_canonical(n->trap_ctxt[i].address) )
                return -EINVAL;
            fixup_selector(d, &n->trap_ctxt[i].cs);
        }
        if ( !addr_ok(n->ldt_base) )
            return -EINVAL;
        cr3 = xen_cr3_to_pfn(n->ctrlreg[3]);
        cr3u = xen_cr3_to_pfn(n->ctrlreg[1]);
        n->user_regs.rflags = (n->user_regs.rflags & ~X86_EFLAGS_IOPL) |
                              X86_EFLAGS_IF;
    }
    else
    {
        vcpu_guest_context_x86_32_t *m = &c->cmp;
        uint16_t sel[3] = {
            m->kernel_ss, m->event_callback_cs, m->failsafe_callback_cs,
        };

        fixup_selector(d, &m->user_regs.ss);
        fixup_selector(d, &m->user_regs.cs);
        for ( i = 0; i < ARRAY_SIZE(sel); i++ )
            fixup_selector(d, &sel[i]);
        m->kernel_ss = sel[0];
        m->event_callback_cs = sel[1];
        m->failsafe_callback_cs = sel[2];
        for ( i = 0; i < ARRAY_SIZE(m->trap_ctxt); i++ )
            fixup_selector(d, &m->trap_ctxt[i].cs);
        /* compat_cr3_to_pfn: the PFN folded into a 32-bit cr3. */
        cr3 = (uint32_t)((m->ctrlreg[3] >> 12) | (m->ctrlreg[3] << 20));
        m->user_regs.eflags = (m->user_regs.eflags & ~X86_EFLAGS_IOPL) |
                              X86_EFLAGS_IF;
    }
    if ( (ldt_base & (PAGE_SIZE - 1)) || ldt_ents > 8192 )
        return -EINVAL;
    if ( v->vcpu_id == 0 &&
         (vm_assist & ~(compat ? COMPAT_VM_ASSIST_VALID : PV_VM_ASSIST_VALID)) )
        return -EINVAL;
    nr_gdt = DIV_ROUND_UP(gdt_ents, 512);
    if ( nr_gdt > NR_GDT_FRAMES )
        return -EINVAL;

    if ( v->is_initialised )
    {
        /* Only registers may change: not the page tables, GDT or LDT. */
        unsigned long old_cr3 = compat ? old->cmp.ctrlreg[3]
                                       : old->nat.ctrlreg[3];
        unsigned long new_cr3 = compat ? c->cmp.ctrlreg[3]
                                       : c->nat.ctrlreg[3];

        if ( old_cr3 != new_cr3 ||
             (!compat && old->nat.ctrlreg[1] != c->nat.ctrlreg[1]) ||
             (compat ? old->cmp.gdt_ents : old->nat.gdt_ents) != gdt_ents ||
             (compat ? old->cmp.ldt_ents : old->nat.ldt_ents) != ldt_ents )
            return -EOPNOTSUPP;
        return 0;
    }
    if ( !compat && !(flags & VGCF_in_kernel) && !c->nat.ctrlreg[1] )
        return -EINVAL;
    /* pv_set_gdt: every frame the domain's. */
    for ( i = 0; i < nr_gdt; i++ )
        if ( !pv_page_owned(d, compat ? c->cmp.gdt_frames[i]
                                      : c->nat.gdt_frames[i]) )
            return -EINVAL;
    if ( (rc = check_root(d, cr3)) )
        return rc;
    if ( !compat && c->nat.ctrlreg[1] && (rc = check_root(d, cr3u)) )
        return rc;
    if ( v->vcpu_id == 0 )
        d->pv->vm_assist = vm_assist;
    return 0;
}

static long setvcpucontext(struct caller *c, struct domain *d,
                           struct xen_domctl_vcpucontext *vc)
{
    uint64_t ctxt = handle_addr(vc->ctxt.p);
    union pv_vcpu_context u;
    struct pv_domain *pv;
    struct vcpu *v;
    unsigned long flags;
    int rc = 0;

    if ( d == c->d || vc->vcpu >= d->max_vcpus ||
         (v = d->vcpu[vc->vcpu]) == NULL )
        return -EINVAL;
    if ( guest_handle_is_null(ctxt) )
    {
        /* vcpu_reset */
        if ( (pv = d->pv) != NULL )
            memset(&pv->ctxt[v->vcpu_id], 0, sizeof(pv->ctxt[0]));
        v->is_initialised = false;
        v->pause_flags |= VPF_down;
        return 0;
    }
    memset(&u, 0, sizeof(u));
    if ( copy_from_guest_raw(c->mem, &u, ctxt,
                             d->pv_32bit ? sizeof(u.cmp) : sizeof(u.nat)) )
        return -EFAULT;

    if ( is_hvm_domain(d) )
    {
        /* Debug registers and (vCPU 0) vm_assist; the state is the save image's. */
        if ( v->vcpu_id == 0 && (u.nat.vm_assist & ~HVM_VM_ASSIST_VALID) )
            return -EINVAL;
        flags = u.nat.flags;
    }
    else
    {
        if ( (pv = pv_domain(d)) == NULL )
            return -ENOMEM;
        if ( (rc = pv_set_info_guest(v, &u, &pv->ctxt[v->vcpu_id])) )
            return rc;
        pv->ctxt[v->vcpu_id] = u;
        v->is_initialised = true;
        flags = d->pv_32bit ? u.cmp.flags : u.nat.flags;
    }
    if ( flags & VGCF_online )
        v->pause_flags &= ~VPF_down;
    else
        v->pause_flags |= VPF_down;
    return 0;
}

static long getvcpucontext(struct caller *c, struct domain *d,
                           struct xen_domctl_vcpucontext *vc)
{
    union pv_vcpu_context u;
    struct vcpu *v;
    size_t size = d->pv_32bit ? sizeof(u.cmp) : sizeof(u.nat);

    if ( vc->vcpu >= d->max_vcpus || (v = d->vcpu[vc->vcpu]) == NULL ||
         (d == c->d && vc->vcpu == c->vcpu_id) )
        return -ESRCH;
    if ( !v->is_initialised )
        return -ENODATA;
    memset(&u, 0, sizeof(u));
    if ( is_pv_domain(d) && d->pv )
        u = d->pv->ctxt[v->vcpu_id];
    /* arch_get_info_guest: online from the vCPU, not from what was set. */
    if ( d->pv_32bit )
        u.cmp.flags = (u.cmp.flags & ~VGCF_online) |
                      (v->pause_flags & VPF_down ? 0 : VGCF_online);
    else
        u.nat.flags = (u.nat.flags & ~VGCF_online) |
                      (v->pause_flags & VPF_down ? 0 : VGCF_online);
    if ( copy_to_guest_raw(c->mem, handle_addr(vc->ctxt.p), &u, size) )
        return -EFAULT;
    return 0;
}

long pv_domctl(struct caller *c, struct domain *d, struct xen_domctl *op,
               bool *copyback)
{
    switch ( op->cmd )
    {
    case XEN_DOMCTL_set_address_size:
        return set_address_size(d, op->u.address_size.size);
    case XEN_DOMCTL_get_address_size:
        op->u.address_size.size = d->pv_32bit ? 32 : 64;
        *copyback = true;
        return 0;
    case XEN_DOMCTL_hypercall_init:
        return hypercall_init(d, op->u.hypercall_init.gmfn);
    case XEN_DOMCTL_setvcpucontext:
        return setvcpucontext(c, d, &op->u.vcpucontext);
    case XEN_DOMCTL_getvcpucontext:
    {
        long ret = getvcpucontext(c, d, &op->u.vcpucontext);

        *copyback = !ret;
        return ret;
    }
    default:
        return -ENOSYS;
    }
}
