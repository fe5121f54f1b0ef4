/*
 * hvm_save.c - an HVM domain's save image: XEN_DOMCTL_gethvmcontext,
 * sethvmcontext and gethvmcontext_partial (Xen 4.17's arch/x86/domctl.c
 * on top of hvm/save.c, with the CPU record of hvm/hvm.c and the MTRR
 * record of hvm/mtrr.c), in the format of <xen/hvm/save.h>:
 *
 *   HEADER (magic, version, changeset, cpuid, gtsc_khz)
 *   CPU    one per vCPU that is up (Xen saves nothing for a vCPU that is
 *          down, and a restore leaves such a vCPU down)
 *   MTRR   one per vCPU
 *   END
 *
 * each record preceded by its struct hvm_save_descriptor.  That is what
 * libxenguest's HVM builder (vcpu_hvm) and save/restore need.  xenmm has
 * no emulated devices, so Xen's other records (PIC, IOAPIC, LAPIC, PIT,
 * RTC, HPET, PMTIMER, XSAVE, ...) are neither produced nor accepted: a
 * sethvmcontext holding one fails as Xen fails on a type it has no
 * handler for (-EINVAL).
 *
 * The CPU and MTRR records are kept as loaded (per domain, per vCPU) and
 * saved back as they are; before any load a vCPU has the reset state Xen
 * gives it (hvm_vcpu_reset_state at 0xf000:0xfff0, hvm_vcpu_cacheattr_init
 * MTRRs).  A load checks what Xen's load handlers check.  The header's
 * cpuid is a fixed CPUID.1.EAX (there is no real CPU to read), gtsc_khz
 * the domain's TSC rate (d->arch.tsc_khz: time.c; a load sets it).
 *
 * Errors (Xen's): all three -EINVAL for the caller's own domain or a PV
 * one.  get: -ENOSPC (buffer shorter than the size query said), -EFAULT,
 * -ENOMEM, -EINVAL (dying).  set: -ENODATA (no header, no END),
 * -EINVAL (bad magic/version, unknown type, bad record, no such vCPU,
 * dying), -EFAULT, -ENOMEM.  partial: -EINVAL (type without records),
 * -ENOENT (no such vCPU), -ENODATA (vCPU down), -ENOBUFS, -EFAULT.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/hvm/save.h>

#include "core.h"
#include "domctl.h"

#define HVM_CPUID_1_EAX     0x00050654U     /* Skylake-SP stepping 4 */
#define HVM_GUEST_PADDR_BITS 48             /* hap_paddr_bits, p2m.h */
#define HVM_CHANGESET_UNKNOWN (~0ULL)       /* xen_changeset() has no ':' */

/* x86 architectural bits the record checks use (asm/x86-defns.h). */
#define X86_CR0_PE  0x00000001UL
#define X86_CR0_MP  0x00000002UL
#define X86_CR0_EM  0x00000004UL
#define X86_CR0_TS  0x00000008UL
#define X86_CR0_ET  0x00000010UL
#define X86_CR0_NE  0x00000020UL
#define X86_CR0_WP  0x00010000UL
#define X86_CR0_AM  0x00040000UL
#define X86_CR0_NW  0x20000000UL
#define X86_CR0_CD  0x40000000UL
#define X86_CR0_PG  0x80000000UL
#define HVM_CR0_GUEST_RESERVED_BITS                                   \
    (~(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_ET | \
       X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | X86_CR0_NW | X86_CR0_CD | \
       X86_CR0_PG))
/*
 * hvm_cr4_guest_valid_bits() for a guest CPU policy with VME..OSXMMEXCPT,
 * UMIP, FSGSBASE, PCIDE, OSXSAVE, SMEP, SMAP and PKE, and no nested virt.
 */
#define HVM_CR4_GUEST_VALID_BITS                                      \
    (0x7ffUL | (1UL << 11) | (1UL << 16) | (1UL << 17) | (1UL << 18) | \
     (1UL << 20) | (1UL << 21) | (1UL << 22))
#define EFER_SCE    (1UL << 0)
#define EFER_LME    (1UL << 8)
#define EFER_LMA    (1UL << 10)
#define EFER_NXE    (1UL << 11)
#define X86_EFLAGS_MBS  0x00000002UL
#define X86_DR6_DEFAULT 0xffff0ff0UL
#define X86_DR7_DEFAULT 0x00000400UL
#define MTRRcap_VCNT    0xffUL

struct hvm_save_state {
    struct hvm_hw_cpu *cpu;             /* [max_vcpus] */
    struct hvm_hw_mtrr *mtrr;           /* [max_vcpus] */
};

/* hvm_vcpu_reset_state(v, 0xf000, 0xfff0), as the save handler reports it. */
static void cpu_reset_record(struct hvm_hw_cpu *c)
{
    memset(c, 0, sizeof(*c));
    c->rip = 0xfff0;
    c->rflags = X86_EFLAGS_MBS;
    c->cr0 = X86_CR0_ET;
    c->dr6 = X86_DR6_DEFAULT;
    c->dr7 = X86_DR7_DEFAULT;
    c->cs_sel = 0xf000;
    c->cs_base = 0xf000 << 4;
    c->cs_limit = c->ds_limit = c->es_limit = c->fs_limit = 0xffff;
    c->gs_limit = c->ss_limit = c->ldtr_limit = c->tr_limit = 0xffff;
    c->cs_arbytes = 0x9b;
    c->ds_arbytes = c->es_arbytes = c->fs_arbytes = 0x93;
    c->gs_arbytes = c->ss_arbytes = 0x93;
    c->ldtr_arbytes = 0x82;             /* LDT */
    c->tr_arbytes = 0x8b;               /* 32-bit TSS (busy) */
}

/* hvm_vcpu_cacheattr_init: 8 variable ranges, fixed ranges, WC; PAT. */
static void mtrr_reset_record(struct hvm_hw_mtrr *m)
{
    memset(m, 0, sizeof(*m));
    m->msr_mtrr_cap = (1u << 10) | (1u << 8) | MTRR_VCNT;
    m->msr_pat_cr = 0x0007040600070406ULL;   /* WB WT UC- UC, twice */
}

static struct hvm_save_state *hvm_state(struct domain *d)
{
    struct hvm_save_state *s = d->hvm_save;
    unsigned int i;

    if ( s )
        return s;
    s = calloc(1, sizeof(*s));
    if ( !s )
        return NULL;
    s->cpu = calloc(d->max_vcpus ? d->max_vcpus : 1, sizeof(*s->cpu));
    s->mtrr = calloc(d->max_vcpus ? d->max_vcpus : 1, sizeof(*s->mtrr));
    if ( !s->cpu || !s->mtrr )
    {
        free(s->cpu);
        free(s->mtrr);
        free(s);
        return NULL;
    }
    for ( i = 0; i < d->max_vcpus; i++ )
    {
        cpu_reset_record(&s->cpu[i]);
        mtrr_reset_record(&s->mtrr[i]);
    }
    d->hvm_save = s;
    return s;
}

void hvm_save_destroy(struct domain *d)
{
    if ( !d->hvm_save )
        return;
    free(d->hvm_save->cpu);
    free(d->hvm_save->mtrr);
    free(d->hvm_save);
    d->hvm_save = NULL;
}

/* A save image being written or read (hvm_domain_context_t). */
struct hvm_ctx {
    uint8_t *data;
    uint32_t size, cur;
};

/* hvm_save_size: an upper bound, every vCPU counted for every record. */
static uint32_t hvm_save_size(const struct domain *d)
{
    uint32_t sz = 2 * sizeof(struct hvm_save_descriptor) +
                  HVM_SAVE_LENGTH(HEADER);
    unsigned int i;

    for ( i = 0; i < d->max_vcpus; i++ )
        if ( d->vcpu[i] )
            sz += 2 * sizeof(struct hvm_save_descriptor) +
                  HVM_SAVE_LENGTH(CPU) + HVM_SAVE_LENGTH(MTRR);
    return sz;
}

static int hvm_save_entry(struct hvm_ctx *h, uint16_t tc, uint16_t inst,
                          const void *src, uint32_t len)
{
    struct hvm_save_descriptor desc = { tc, inst, len };

    if ( h->size - h->cur < len + sizeof(desc) )
        return -1;
    memcpy(h->data + h->cur, &desc, sizeof(desc));
    h->cur += sizeof(desc);
    if ( len )                          /* END has no body */
        memcpy(h->data + h->cur, src, len);
    h->cur += len;
    return 0;
}

/* The records of one type, as its save handler writes them. */
static int hvm_save_type(struct domain *d, struct hvm_save_state *s,
                         unsigned int tc, unsigned int only_vcpu,
                         struct hvm_ctx *h)
{
    unsigned int i;

    for ( i = 0; i < d->max_vcpus; i++ )
    {
        const struct vcpu *v = d->vcpu[i];

        if ( !v || (only_vcpu != ~0U && i != only_vcpu) )
            continue;
        if ( tc == HVM_SAVE_CODE(CPU) )
        {
            if ( v->pause_flags & VPF_down )
                continue;       /* the restore leaves it down */
            if ( hvm_save_entry(h, tc, i, &s->cpu[i], HVM_SAVE_LENGTH(CPU)) )
                return -ENODATA;
        }
        else if ( hvm_save_entry(h, tc, i, &s->mtrr[i], HVM_SAVE_LENGTH(MTRR)) )
            return -ENODATA;
    }
    return 0;
}

static int hvm_save(struct domain *d, struct hvm_save_state *s,
                    struct hvm_ctx *h)
{
    struct hvm_save_header hdr = {
        .magic = HVM_FILE_MAGIC,
        .version = HVM_FILE_VERSION,
        .changeset = HVM_CHANGESET_UNKNOWN,
        .cpuid = HVM_CPUID_1_EAX,
        .gtsc_khz = d->tsc.khz,
    };
    int rc;

    if ( d->is_dying )
        return -EINVAL;
    if ( hvm_save_entry(h, HVM_SAVE_CODE(HEADER), 0, &hdr, sizeof(hdr)) )
        return -EFAULT;
    if ( (rc = hvm_save_type(d, s, HVM_SAVE_CODE(CPU), ~0U, h)) ||
         (rc = hvm_save_type(d, s, HVM_SAVE_CODE(MTRR), ~0U, h)) )
        return rc;
    if ( hvm_save_entry(h, HVM_SAVE_CODE(END), 0, NULL, 0) )
        return -EFAULT;
    return 0;
}

/*
 * _hvm_check_entry + _hvm_read_entry: the next record must be of type tc,
 * exactly len long (strict) or at most len (zero-extended), and inside
 * the image.  Copies it to dst.  -1 if not.
 */
static int hvm_load_entry(struct hvm_ctx *h, uint16_t tc, void *dst,
                          uint32_t len, bool strict)
{
    struct hvm_save_descriptor desc;

    if ( sizeof(desc) > h->size - h->cur )
        return -1;
    memcpy(&desc, h->data + h->cur, sizeof(desc));
    if ( desc.typecode != tc ||
         (strict ? desc.length != len : desc.length > len) ||
         desc.length > h->size - h->cur - sizeof(desc) )
        return -1;
    h->cur += sizeof(desc);
    memcpy(dst, h->data + h->cur, desc.length);
    memset((uint8_t *)dst + desc.length, 0, len - desc.length);
    h->cur += desc.length;
    return 0;
}

static uint16_t hvm_load_instance(const struct hvm_ctx *h)
{
    struct hvm_save_descriptor desc;

    memcpy(&desc, h->data + h->cur, sizeof(desc));
    return desc.instance;
}

/* Older Xen saved VMCS-format segment attributes; rearrange them. */
static void unfold_arbytes(uint32_t *r)
{
    if ( (*r & 0xf000) && !(*r & 0x0f00) )
        *r = (*r & 0xff) | ((*r >> 4) & 0xf00);
}

/* hvm_load_cpu_ctxt's checks; the vCPU comes up with the record. */
static int hvm_load_cpu(struct domain *d, struct hvm_save_state *s,
                        struct hvm_ctx *h)
{
    unsigned int vcpuid = hvm_load_instance(h);
    struct hvm_hw_cpu ctxt;
    struct vcpu *v;

    if ( vcpuid >= d->max_vcpus || (v = d->vcpu[vcpuid]) == NULL )
        return -EINVAL;
    if ( hvm_load_entry(h, HVM_SAVE_CODE(CPU), &ctxt, sizeof(ctxt), false) )
        return -EINVAL;
    if ( ctxt.pad0 != 0 )
        return -EINVAL;
    if ( (ctxt.cr0 & HVM_CR0_GUEST_RESERVED_BITS) ||
         !(ctxt.cr0 & X86_CR0_ET) ||
         (ctxt.cr0 & (X86_CR0_PE | X86_CR0_PG)) == X86_CR0_PG )
        return -EINVAL;
    if ( ctxt.cr4 & ~HVM_CR4_GUEST_VALID_BITS )
        return -EINVAL;
    /* hvm_efer_valid: known bits only; LMA needs LME and paging. */
    if ( (ctxt.msr_efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) ||
         ((ctxt.msr_efer & EFER_LMA) &&
          (!(ctxt.msr_efer & EFER_LME) || !(ctxt.cr0 & X86_CR0_PG))) )
        return -EINVAL;
    if ( ctxt.cr3 >> HVM_GUEST_PADDR_BITS )
        return -EINVAL;
    if ( ctxt.flags & ~XEN_X86_FPU_INITIALISED )
        return -EINVAL;
    if ( ctxt.msr_tsc_aux != (uint32_t)ctxt.msr_tsc_aux )
        return -EINVAL;
    unfold_arbytes(&ctxt.cs_arbytes);
    unfold_arbytes(&ctxt.ds_arbytes);
    unfold_arbytes(&ctxt.es_arbytes);
    unfold_arbytes(&ctxt.fs_arbytes);
    unfold_arbytes(&ctxt.gs_arbytes);
    unfold_arbytes(&ctxt.ss_arbytes);
    unfold_arbytes(&ctxt.tr_arbytes);
    unfold_arbytes(&ctxt.ldtr_arbytes);

    s->cpu[vcpuid] = ctxt;
    v->is_initialised = true;
    v->pause_flags &= ~VPF_down;
    return 0;
}

/* hvm_load_mtrr_msr's checks. */
static int hvm_load_mtrr(struct domain *d, struct hvm_save_state *s,
                         struct hvm_ctx *h)
{
    unsigned int vcpuid = hvm_load_instance(h);
    struct hvm_hw_mtrr m;

    if ( vcpuid >= d->max_vcpus || d->vcpu[vcpuid] == NULL )
        return -EINVAL;
    if ( hvm_load_entry(h, HVM_SAVE_CODE(MTRR), &m, sizeof(m), true) )
        return -EINVAL;
    if ( (m.msr_mtrr_cap & MTRRcap_VCNT) > MTRR_VCNT )
        return -EINVAL;
    s->mtrr[vcpuid] = m;
    return 0;
}

static int hvm_load(struct domain *d, struct hvm_save_state *s,
                    struct hvm_ctx *h)
{
    struct hvm_save_header hdr;
    struct hvm_save_descriptor desc;
    unsigned int i;
    int rc;

    if ( d->is_dying )
        return -EINVAL;
    if ( hvm_load_entry(h, HVM_SAVE_CODE(HEADER), &hdr, sizeof(hdr), true) )
        return -ENODATA;
    /* arch_hvm_load: a different CPU is only worth a message in Xen. */
    if ( hdr.magic != HVM_FILE_MAGIC || hdr.version != HVM_FILE_VERSION )
        return -EINVAL;
    /* Restore the guest's preferred TSC rate. */
    if ( hdr.gtsc_khz )
        d->tsc.khz = hdr.gtsc_khz;

    /* Down every vCPU: only those with a CPU record come back up. */
    for ( i = 0; i < d->max_vcpus; i++ )
        if ( d->vcpu[i] )
            d->vcpu[i]->pause_flags |= VPF_down;

    for ( ; ; )
    {
        if ( h->size - h->cur < sizeof(desc) )
            return -ENODATA;            /* did not end with END */
        memcpy(&desc, h->data + h->cur, sizeof(desc));
        if ( desc.typecode == HVM_SAVE_CODE(END) )
            return 0;
        if ( desc.typecode == HVM_SAVE_CODE(CPU) )
            rc = hvm_load_cpu(d, s, h);
        else if ( desc.typecode == HVM_SAVE_CODE(MTRR) )
            rc = hvm_load_mtrr(d, s, h);
        else
            rc = -EINVAL;               /* no handler for that type */
        if ( rc )
        {
            printk(d->host, "HVM%d restore: failed to load entry %u/%u rc %d\n",
                   d->domain_id, desc.typecode, desc.instance, rc);
            return rc;
        }
    }
}

/* hvm_save_one: one record of a type, for one vCPU. */
static int hvm_save_one(struct caller *c, struct domain *d,
                        struct hvm_save_state *s,
                        struct xen_domctl_hvmcontext_partial *p)
{
    uint8_t buf[sizeof(struct hvm_save_descriptor) + sizeof(struct hvm_hw_cpu)];
    struct hvm_ctx h = { buf, sizeof(buf), 0 };
    struct hvm_save_descriptor desc;
    uint64_t handle = handle_addr(p->buffer.p);
    int rc;

    if ( d->is_dying ||
         (p->type != HVM_SAVE_CODE(CPU) && p->type != HVM_SAVE_CODE(MTRR)) )
        return -EINVAL;
    if ( p->instance >= d->max_vcpus || !d->vcpu[p->instance] )
        return -ENOENT;
    if ( (rc = hvm_save_type(d, s, p->type, p->instance, &h)) )
        return rc;
    if ( h.cur < sizeof(desc) )
        return -ENODATA;                /* a down vCPU has no CPU record */
    memcpy(&desc, buf, sizeof(desc));
    if ( guest_handle_is_null(handle) )
        p->bufsz = desc.length;
    else if ( p->bufsz < desc.length )
        return -ENOBUFS;
    else if ( copy_to_guest_raw(c->mem, handle, buf + sizeof(desc), desc.length) )
        return -EFAULT;
    else
        p->bufsz = desc.length;
    return 0;
}

static long gethvmcontext(struct caller *c, struct domain *d,
                          struct hvm_save_state *s,
                          struct xen_domctl_hvmcontext *hc)
{
    struct hvm_ctx h = { NULL, hvm_save_size(d), 0 };
    uint64_t handle = handle_addr(hc->buffer.p);
    long ret;

    if ( guest_handle_is_null(handle) )
    {
        /* The client asks how big a buffer it needs. */
        hc->size = h.size;
        return 0;
    }
    if ( hc->size < h.size )
        return -ENOSPC;
    if ( (h.data = malloc(h.size)) == NULL )
        return -ENOMEM;
    ret = hvm_save(d, s, &h);
    hc->size = h.cur;
    if ( copy_to_guest_raw(c->mem, handle, h.data, h.cur) )
        ret = -EFAULT;
    free(h.data);
    return ret;
}

static long sethvmcontext(struct caller *c, struct domain *d,
                          struct hvm_save_state *s,
                          const struct xen_domctl_hvmcontext *hc)
{
    struct hvm_ctx h = { NULL, hc->size, 0 };
    uint64_t handle = handle_addr(hc->buffer.p);
    long ret;

    /*
     * Xen allocates before it copies; a size no buffer can hold fails the
     * copy anyway, so look first rather than allocate up to 4 GiB.
     */
    if ( !guest_access_okay(c->mem, handle, h.size) )
        return -EFAULT;
    if ( (h.data = malloc(h.size ? h.size : 1)) == NULL )
        return -ENOMEM;
    if ( copy_from_guest_raw(c->mem, h.data, handle, h.size) )
        ret = -EFAULT;
    else
        ret = hvm_load(d, s, &h);
    free(h.data);
    return ret;
}

long hvm_domctl(struct caller *c, struct domain *d, struct xen_domctl *op,
                bool *copyback)
{
    struct hvm_save_state *s;
    long ret = -EINVAL;

    if ( op->cmd == XEN_DOMCTL_gethvmcontext )
        *copyback = true;               /* even on failure, as Xen */
    if ( d == c->d || !is_hvm_domain(d) )   /* no domain_pause() */
        return ret;
    if ( (s = hvm_state(d)) == NULL )
        return -ENOMEM;

    switch ( op->cmd )
    {
    case XEN_DOMCTL_gethvmcontext:
        ret = gethvmcontext(c, d, s, &op->u.hvmcontext);
        break;
    case XEN_DOMCTL_sethvmcontext:
        ret = sethvmcontext(c, d, s, &op->u.hvmcontext);
        break;
    case XEN_DOMCTL_gethvmcontext_partial:
        ret = hvm_save_one(c, d, s, &op->u.hvmcontext_partial);
        if ( !ret )
            *copyback = true;
        break;
    }
    return ret;
}
