/*
 * XEN_DOMCTL_gethvmcontext / sethvmcontext / gethvmcontext_partial: the
 * save image libxenguest parses (HEADER, CPU per vCPU that is up, MTRR per
 * vCPU, END), the way its HVM builder (vcpu_hvm) uses it, and Xen's
 * checks on what is loaded.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/hvm/save.h>

#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"
#include "domctl_test.h"

#define DESC sizeof(struct hvm_save_descriptor)
#define IMG_MAX 8192
/* Room past a one-record image, so over-long records are not -EFAULT. */
#define M_SIZE (sizeof(struct one_rec_img) + 64)

static long getctx(struct dctl *t, domid_t dom, uint64_t buf, uint32_t size)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.hvmcontext.size = size;
    set_xen_guest_handle(t->op.u.hvmcontext.buffer, (uint8_t *)buf);
    return domctl(t, XEN_DOMCTL_gethvmcontext, dom);
}

static long setctx(struct dctl *t, domid_t dom, uint64_t buf, uint32_t size)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.hvmcontext.size = size;
    set_xen_guest_handle(t->op.u.hvmcontext.buffer, (uint8_t *)buf);
    return domctl(t, XEN_DOMCTL_sethvmcontext, dom);
}

/* The record of type tc, instance inst in an image (libxenguest's walk). */
static const void *find_record(const uint8_t *img, uint32_t len, uint16_t tc,
                               uint16_t inst, uint32_t *rlen)
{
    uint32_t off = 0;

    while ( off + DESC <= len )
    {
        struct hvm_save_descriptor d;

        memcpy(&d, img + off, DESC);
        if ( d.typecode == tc && d.instance == inst )
        {
            *rlen = d.length;
            return img + off + DESC;
        }
        if ( d.typecode == 0 )
            break;
        off += DESC + d.length;
    }
    return NULL;
}

/* An image as vcpu_hvm builds it: HEADER, one record, END. */
struct one_rec_img {
    struct hvm_save_descriptor header_d;
    HVM_SAVE_TYPE(HEADER) header;
    struct hvm_save_descriptor rec_d;
    union {
        HVM_SAVE_TYPE(CPU) cpu;
        HVM_SAVE_TYPE(MTRR) mtrr;
    };
    struct hvm_save_descriptor end_d;
};

static uint32_t one_rec(struct one_rec_img *m, const void *hdr, uint16_t tc,
                        uint16_t inst, const void *rec, uint32_t len)
{
    uint8_t *p;

    memset(m, 0, sizeof(*m));
    memcpy(&m->header_d, hdr, DESC + HVM_SAVE_LENGTH(HEADER));
    m->rec_d = (struct hvm_save_descriptor){ tc, inst, len };
    memcpy(&m->cpu, rec, len);
    /* END right after the record, whatever its length. */
    p = (uint8_t *)&m->cpu + len;
    memset(p, 0, DESC);
    return (uint32_t)(p + DESC - (uint8_t *)m);
}

TEST(domctl_gethvmcontext_image)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    uint8_t *img = calloc(1, IMG_MAX);
    struct hvm_save_header hdr;
    const HVM_SAVE_TYPE(MTRR) *mtrr;
    struct dctl t;
    struct domain *d;
    uint32_t size, rlen, want;

    REQUIRE(img);
    dctl_init(&t, h->hardware_domain);
    REQUIRE(guest_access_register(&t.ga, BUF_GADDR, img, IMG_MAX) == 0);
    d = dctl_create(&t, 1, true, 2);
    REQUIRE(d);

    /* A null buffer asks the size: an upper bound, CPU counted per vCPU. */
    CHECK_EQ(getctx(&t, 1, 0, 0), 0);
    size = t.op.u.hvmcontext.size;
    CHECK_EQ(size, 2 * DESC + HVM_SAVE_LENGTH(HEADER) +
                   2 * (2 * DESC + HVM_SAVE_LENGTH(CPU) + HVM_SAVE_LENGTH(MTRR)));
    CHECK_EQ(getctx(&t, 1, BUF_GADDR, size - 1), -ENOSPC);
    CHECK_EQ(t.op.u.hvmcontext.size, size - 1);          /* copied back */

    /* Both vCPUs are down: HEADER, MTRR x2, END. */
    memset(img, 0xee, IMG_MAX);
    CHECK_EQ(getctx(&t, 1, BUF_GADDR, size), 0);
    want = 2 * DESC + HVM_SAVE_LENGTH(HEADER) + 2 * (DESC + HVM_SAVE_LENGTH(MTRR));
    CHECK_EQ(t.op.u.hvmcontext.size, want);
    CHECK_EQ(img[want], 0xee);                           /* nothing beyond */
    REQUIRE(find_record(img, want, 1, 0, &rlen));
    CHECK_EQ(rlen, sizeof(hdr));
    memcpy(&hdr, find_record(img, want, 1, 0, &rlen), sizeof(hdr));
    CHECK_EQ(hdr.magic, HVM_FILE_MAGIC);
    CHECK_EQ(hdr.version, HVM_FILE_VERSION);
    CHECK_EQ(hdr.changeset, ~0ULL);
    CHECK_EQ(hdr.cpuid, 0x00050654);
    CHECK_EQ(hdr.gtsc_khz, 2000000);
    CHECK(find_record(img, want, 2, 0, &rlen) == NULL);  /* no CPU record */
    mtrr = find_record(img, want, 14, 1, &rlen);
    REQUIRE(mtrr);
    CHECK_EQ(rlen, HVM_SAVE_LENGTH(MTRR));
    CHECK_EQ(mtrr->msr_mtrr_cap, 0x508);
    CHECK_EQ(mtrr->msr_pat_cr, 0x0007040600070406ULL);
    CHECK_EQ(mtrr->msr_mtrr_def_type, 0);
    /* The first record is the HEADER, the last END. */
    CHECK_EQ(((struct hvm_save_descriptor *)img)->typecode, 1);
    CHECK_EQ(((struct hvm_save_descriptor *)(img + want - DESC))->typecode, 0);
    CHECK_EQ(((struct hvm_save_descriptor *)(img + want - DESC))->length, 0);

    /* A buffer the caller does not own: -EFAULT, size still reported. */
    CHECK_EQ(getctx(&t, 1, 0x7000, size), -EFAULT);
    CHECK_EQ(t.op.u.hvmcontext.size, want);

    /* PV domains, and a domain asking about itself: -EINVAL. */
    CHECK_EQ(getctx(&t, 0, 0, 0), -EINVAL);
    CHECK_EQ(setctx(&t, 0, BUF_GADDR, want), -EINVAL);
    {
        struct xen_domctl_createdomain cfg;
        struct domain *self;
        int rc;

        dctl_config(&cfg, true, 1);
        self = domain_create(h, 5, &cfg, CDF_privileged, &rc);
        REQUIRE(self && vcpu_create(self, 0) == 0);
        dctl_as(&t, self);
        CHECK_EQ(getctx(&t, 5, 0, 0), -EINVAL);
        CHECK_EQ(getctx(&t, 1, 0, 0), 0);
        dctl_as(&t, d);
        CHECK_EQ(getctx(&t, 1, 0, 0), -EPERM);
    }
    free(img);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_sethvmcontext_as_libxenguest)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    uint8_t *img = calloc(1, IMG_MAX);
    struct one_rec_img *m = calloc(1, M_SIZE);
    HVM_SAVE_TYPE(CPU) cpu;
    HVM_SAVE_TYPE(MTRR) mt;
    const HVM_SAVE_TYPE(CPU) *got;
    const HVM_SAVE_TYPE(MTRR) *gotm;
    struct dctl t;
    struct domain *d;
    uint32_t size, len, rlen;

    REQUIRE(img && m);
    dctl_init(&t, h->hardware_domain);
    REQUIRE(guest_access_register(&t.ga, BUF_GADDR, img, IMG_MAX) == 0);
    REQUIRE(guest_access_register(&t.ga, BUF2_GADDR, m, M_SIZE) == 0);
    d = dctl_create(&t, 1, true, 2);
    REQUIRE(d);
    CHECK_EQ(getctx(&t, 1, 0, 0), 0);
    size = t.op.u.hvmcontext.size;
    CHECK_EQ(getctx(&t, 1, BUF_GADDR, size), 0);
    size = t.op.u.hvmcontext.size;

    /* MTRR for each vCPU: default type WB, enabled. */
    memcpy(&mt, find_record(img, size, 14, 0, &rlen), sizeof(mt));
    mt.msr_mtrr_def_type = 6 | (1 << 11);
    len = one_rec(m, img, 14, 1, &mt, sizeof(mt));
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), 0);

    /* The BSP's context, loaded last: vCPU 0 comes up. */
    memset(&cpu, 0, sizeof(cpu));
    cpu.cs_limit = cpu.ds_limit = cpu.es_limit = cpu.ss_limit = ~0u;
    cpu.tr_limit = 0x67;
    cpu.cs_arbytes = 0xc9b;
    cpu.ds_arbytes = cpu.es_arbytes = cpu.ss_arbytes = 0xc93;
    cpu.tr_arbytes = 0x8b;
    cpu.cr0 = 0x11;                              /* PE | ET */
    cpu.rip = 0x100000;
    cpu.rbx = 0x12345000;
    cpu.dr6 = 0xffff0ff0;
    cpu.dr7 = 0x400;
    len = one_rec(m, img, 2, 0, &cpu, sizeof(cpu));
    CHECK(d->vcpu[0]->pause_flags & VPF_down);
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), 0);
    CHECK(!(d->vcpu[0]->pause_flags & VPF_down));
    CHECK(d->vcpu[0]->is_initialised);
    CHECK(d->vcpu[1]->pause_flags & VPF_down);

    /* The full image now has vCPU 0's CPU record, as loaded. */
    CHECK_EQ(getctx(&t, 1, BUF_GADDR, IMG_MAX), 0);
    size = t.op.u.hvmcontext.size;
    CHECK_EQ(size, 3 * DESC + HVM_SAVE_LENGTH(HEADER) + HVM_SAVE_LENGTH(CPU) +
                   2 * (DESC + HVM_SAVE_LENGTH(MTRR)));
    got = find_record(img, size, 2, 0, &rlen);
    REQUIRE(got);
    CHECK_EQ(rlen, sizeof(cpu));
    CHECK(!memcmp(got, &cpu, sizeof(cpu)));
    CHECK(find_record(img, size, 2, 1, &rlen) == NULL);
    gotm = find_record(img, size, 14, 1, &rlen);
    REQUIRE(gotm);
    CHECK_EQ(gotm->msr_mtrr_def_type, 0x806);
    gotm = find_record(img, size, 14, 0, &rlen);
    CHECK_EQ(gotm->msr_mtrr_def_type, 0);

    /* Any setcontext downs every vCPU first: an MTRR-only image. */
    len = one_rec(m, img, 14, 0, &mt, sizeof(mt));
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), 0);
    CHECK(d->vcpu[0]->pause_flags & VPF_down);

    /* The whole image round-trips, and brings vCPU 0 back. */
    len = one_rec(m, img, 2, 0, &cpu, sizeof(cpu));
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), 0);
    CHECK_EQ(getctx(&t, 1, BUF_GADDR, IMG_MAX), 0);
    size = t.op.u.hvmcontext.size;
    CHECK_EQ(setctx(&t, 1, BUF_GADDR, size), 0);
    CHECK(!(d->vcpu[0]->pause_flags & VPF_down));

    /* A restored header's TSC rate is kept. */
    {
        struct hvm_save_header *hp = (void *)(img + DESC);

        hp->gtsc_khz = 1234567;
        CHECK_EQ(setctx(&t, 1, BUF_GADDR, size), 0);
        CHECK_EQ(getctx(&t, 1, BUF_GADDR, IMG_MAX), 0);
        CHECK_EQ(hp->gtsc_khz, 1234567);
    }

    /* Old VMCS-format segment attributes are rearranged on load. */
    cpu.cs_arbytes = 0xc09b;
    len = one_rec(m, img, 2, 0, &cpu, sizeof(cpu));
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), 0);
    CHECK_EQ(getctx(&t, 1, BUF_GADDR, IMG_MAX), 0);
    got = find_record(img, t.op.u.hvmcontext.size, 2, 0, &rlen);
    REQUIRE(got);
    CHECK_EQ(got->cs_arbytes, 0xc9b);

    /* A shorter CPU record (an older Xen's) is zero-extended. */
    cpu.cs_arbytes = 0xc9b;
    cpu.error_code = 7;
    len = one_rec(m, img, 2, 0, &cpu, sizeof(cpu) - 16);
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), 0);
    CHECK_EQ(getctx(&t, 1, BUF_GADDR, IMG_MAX), 0);
    got = find_record(img, t.op.u.hvmcontext.size, 2, 0, &rlen);
    REQUIRE(got);
    CHECK_EQ(got->rip, 0x100000);
    CHECK_EQ(got->error_code, 0);
    free(m);
    free(img);
    check_host(h);
    host_destroy(h);
}

TEST(domctl_sethvmcontext_refusals)
{
    struct host *h = boot_tiny(1, 4ULL << 20);
    uint8_t *img = calloc(1, IMG_MAX);
    struct one_rec_img *m = calloc(1, M_SIZE);
    HVM_SAVE_TYPE(CPU) cpu;
    HVM_SAVE_TYPE(MTRR) mt;
    struct hvm_save_header *hp;
    struct dctl t;
    struct domain *d;
    uint32_t len, rlen;

    REQUIRE(img && m);
    dctl_init(&t, h->hardware_domain);
    REQUIRE(guest_access_register(&t.ga, BUF_GADDR, img, IMG_MAX) == 0);
    REQUIRE(guest_access_register(&t.ga, BUF2_GADDR, m, M_SIZE) == 0);
    d = dctl_create(&t, 1, true, 1);
    REQUIRE(d);
    CHECK_EQ(getctx(&t, 1, BUF_GADDR, IMG_MAX), 0);
    memcpy(&mt, find_record(img, IMG_MAX, 14, 0, &rlen), sizeof(mt));
    memset(&cpu, 0, sizeof(cpu));
    cpu.cr0 = 0x11;
    hp = &m->header;

    /* Header: bad magic or version -EINVAL; missing -ENODATA. */
    len = one_rec(m, img, 14, 0, &mt, sizeof(mt));
    hp->magic ^= 1;
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -EINVAL);
    hp->magic ^= 1;
    hp->version = 2;
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -EINVAL);
    hp->version = HVM_FILE_VERSION;
    m->header_d.length = sizeof(*hp) - 4;
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -ENODATA);
    m->header_d.length = sizeof(*hp);
    m->header_d.typecode = 2;
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -ENODATA);
    m->header_d.typecode = 1;
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, 4), -ENODATA);
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, 0), -ENODATA);
    /* No END: -ENODATA.  The image otherwise loads. */
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len - DESC), -ENODATA);
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), 0);

    /* Records xenmm has no handler for, or for no such vCPU. */
    len = one_rec(m, img, 3, 0, &mt, 16);               /* PIC */
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -EINVAL);
    len = one_rec(m, img, 21, 0, &mt, 16);              /* > CODE_MAX */
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -EINVAL);
    len = one_rec(m, img, 14, 1, &mt, sizeof(mt));
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -EINVAL);
    len = one_rec(m, img, 2, 3, &cpu, sizeof(cpu));
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -EINVAL);

    /* MTRR: exact length, at most 8 variable ranges. */
    len = one_rec(m, img, 14, 0, &mt, sizeof(mt) - 8);
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -EINVAL);
    mt.msr_mtrr_cap = 0x509;
    len = one_rec(m, img, 14, 0, &mt, sizeof(mt));
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -EINVAL);

    /* CPU: a record longer than Xen's, and the register checks. */
    len = one_rec(m, img, 2, 0, &cpu, sizeof(cpu));
    m->rec_d.length = sizeof(cpu) + 8;
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len + 8), -EINVAL);
#define BAD_CPU(field, value)                                     \
    do {                                                          \
        HVM_SAVE_TYPE(CPU) c_ = cpu;                              \
        c_.field = (value);                                       \
        len = one_rec(m, img, 2, 0, &c_, sizeof(c_));             \
        CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -EINVAL);        \
    } while ( 0 )
    BAD_CPU(pad0, 1);
    BAD_CPU(cr0, 0x01);                         /* no ET */
    BAD_CPU(cr0, 0x80000010);                   /* PG without PE */
    BAD_CPU(cr0, 0x11 | (1UL << 3 << 8));       /* reserved bit 11 */
    BAD_CPU(cr4, 1UL << 12);                    /* reserved */
    BAD_CPU(msr_efer, 1UL << 10);               /* LMA without LME */
    BAD_CPU(msr_efer, 1UL << 12);               /* SVME: no nested virt */
    BAD_CPU(cr3, 1ULL << 48);
    BAD_CPU(flags, 2);
    BAD_CPU(msr_tsc_aux, 1ULL << 32);
#undef BAD_CPU
    CHECK(d->vcpu[0]->pause_flags & VPF_down);
    len = one_rec(m, img, 2, 0, &cpu, sizeof(cpu));
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), 0);
    CHECK(!(d->vcpu[0]->pause_flags & VPF_down));

    /* A buffer not the caller's: -EFAULT; a dying domain: -EINVAL. */
    CHECK_EQ(setctx(&t, 1, 0x7000, len), -EFAULT);
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, M_SIZE + 1), -EFAULT);
    domain_kill(d);
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), -EINVAL);
    CHECK_EQ(getctx(&t, 1, BUF_GADDR, IMG_MAX), -EINVAL);
    CHECK_EQ(t.op.u.hvmcontext.size, 0);
    free(m);
    free(img);
    check_host(h);
    host_destroy(h);
}

static long partial(struct dctl *t, domid_t dom, uint32_t type, uint32_t inst,
                    uint64_t buf, uint64_t bufsz)
{
    memset(&t->op.u, 0, sizeof(t->op.u));
    t->op.u.hvmcontext_partial.type = type;
    t->op.u.hvmcontext_partial.instance = inst;
    t->op.u.hvmcontext_partial.bufsz = bufsz;
    set_xen_guest_handle(t->op.u.hvmcontext_partial.buffer, (uint8_t *)buf);
    return domctl(t, XEN_DOMCTL_gethvmcontext_partial, dom);
}

TEST(domctl_gethvmcontext_partial)
{
    struct host *h = boot_tiny(2, 4ULL << 20);
    uint8_t *img = calloc(1, IMG_MAX);
    struct one_rec_img *m = calloc(1, M_SIZE);
    HVM_SAVE_TYPE(CPU) cpu;
    const HVM_SAVE_TYPE(MTRR) *mt;
    struct dctl t;
    struct domain *d;
    uint32_t len;

    REQUIRE(img && m);
    dctl_init(&t, h->hardware_domain);
    REQUIRE(guest_access_register(&t.ga, BUF_GADDR, img, IMG_MAX) == 0);
    REQUIRE(guest_access_register(&t.ga, BUF2_GADDR, m, M_SIZE) == 0);
    d = dctl_create(&t, 1, true, 2);
    REQUIRE(d);

    /* A down vCPU has no CPU record; its MTRR is there. */
    CHECK_EQ(partial(&t, 1, 2, 0, BUF_GADDR, IMG_MAX), -ENODATA);
    CHECK_EQ(partial(&t, 1, 14, 1, 0, 0), 0);
    CHECK_EQ(t.op.u.hvmcontext_partial.bufsz, HVM_SAVE_LENGTH(MTRR));
    CHECK_EQ(partial(&t, 1, 14, 1, BUF_GADDR, HVM_SAVE_LENGTH(MTRR) - 1),
             -ENOBUFS);
    CHECK_EQ(partial(&t, 1, 14, 1, BUF_GADDR, IMG_MAX), 0);
    CHECK_EQ(t.op.u.hvmcontext_partial.bufsz, HVM_SAVE_LENGTH(MTRR));
    mt = (const void *)img;
    CHECK_EQ(mt->msr_mtrr_cap, 0x508);

    /* Bring vCPU 0 up; then its CPU record is there, data only. */
    CHECK_EQ(getctx(&t, 1, BUF_GADDR, IMG_MAX), 0);
    memset(&cpu, 0, sizeof(cpu));
    cpu.cr0 = 0x11;
    cpu.rip = 0xabcdef;
    len = one_rec(m, img, 2, 0, &cpu, sizeof(cpu));
    CHECK_EQ(setctx(&t, 1, BUF2_GADDR, len), 0);
    memset(img, 0, IMG_MAX);
    CHECK_EQ(partial(&t, 1, 2, 0, BUF_GADDR, IMG_MAX), 0);
    CHECK_EQ(t.op.u.hvmcontext_partial.bufsz, HVM_SAVE_LENGTH(CPU));
    CHECK(!memcmp(img, &cpu, sizeof(cpu)));
    CHECK_EQ(partial(&t, 1, 2, 1, BUF_GADDR, IMG_MAX), -ENODATA);

    /* No such vCPU -ENOENT; types without a handler -EINVAL. */
    CHECK_EQ(partial(&t, 1, 2, 2, BUF_GADDR, IMG_MAX), -ENOENT);
    CHECK_EQ(partial(&t, 1, 1, 0, BUF_GADDR, IMG_MAX), -EINVAL);   /* HEADER */
    CHECK_EQ(partial(&t, 1, 0, 0, BUF_GADDR, IMG_MAX), -EINVAL);   /* END */
    CHECK_EQ(partial(&t, 1, 99, 0, BUF_GADDR, IMG_MAX), -EINVAL);
    CHECK_EQ(partial(&t, 1, 2, 0, 0x7000, IMG_MAX), -EFAULT);
    CHECK_EQ(partial(&t, 0, 2, 0, BUF_GADDR, IMG_MAX), -EINVAL);   /* PV */
    free(m);
    free(img);
    check_host(h);
    host_destroy(h);
}
