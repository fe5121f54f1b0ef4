/*
 * guest_util.c - TAP output, libxl's domain creation steps, the p2m dump
 * and guest-memory readers shared by the builder tests (guest_util.h).
 */
#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xenctrl.h>
#include <xentoollog.h>
#include <xen/hvm/params.h>

#include "guest_util.h"

#define PAGE_SIZE       4096UL
/* libxl_internal.h: LIBXL_MAXMEM_CONSTANT, the slack setmaxmem adds. */
#define LIBXL_MAXMEM_CONSTANT_KB 1024
/* libxl's default timer_mode: no_delay_for_missed_ticks. */
#define HVMPTM_no_delay_for_missed_ticks 1
/* Large enough for debug key 'D' on the biggest guest the tests build. */
#define CONSOLE_BUF     (512UL << 10)

static unsigned int tap_n, tap_pass, tap_fail;

static bool tap_result(bool cond, const char *fmt, va_list ap)
{
    tap_n++;
    if ( cond )
        tap_pass++;
    else
        tap_fail++;
    printf("%sok %u - ", cond ? "" : "not ", tap_n);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    return cond;
}

bool gt_ok(bool cond, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tap_result(cond, fmt, ap);
    va_end(ap);
    return cond;
}

bool gt_is(unsigned long long got, unsigned long long want,
           const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tap_result(got == want, fmt, ap);
    va_end(ap);
    if ( got != want )
        printf("#   got %#llx (%llu), want %#llx (%llu)\n", got, got, want,
               want);
    return got == want;
}

void gt_diag(const char *fmt, ...)
{
    va_list ap;

    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

int gt_done(void)
{
    printf("%u passed, %u failed\n", tap_pass, tap_fail);
    return tap_fail ? 1 : 0;
}

xc_interface *gt_open(void)
{
    const char *dbg = getenv("GUEST_TEST_DEBUG");
    xentoollog_level lvl = dbg && *dbg && *dbg != '0' ? XTL_DEBUG : XTL_ERROR;
    xentoollog_logger *lg =
        (xentoollog_logger *)xtl_createlogger_stdiostream(stderr, lvl, 0);

    return xc_interface_open(lg, lg, 0);
}

int gt_domaininfo(xc_interface *xch, uint32_t domid, xc_domaininfo_t *info)
{
    int n = xc_domain_getinfolist(xch, domid, 1, info);

    if ( n < 0 )
        return -1;
    if ( n == 0 )
    {
        errno = ESRCH;                  /* no domain at or above domid */
        return -1;
    }
    if ( info->domain != domid )
    {
        errno = ESRCH;
        return -1;
    }
    return 0;
}

/* libxl__arch_domain_create's HVM params (hvm_set_conf_params). */
static bool set_conf_params(struct gt_guest *g)
{
    static const struct {
        unsigned int idx;
        uint64_t val;
        bool hvm_only;
    } params[] = {
        { HVM_PARAM_HPET_ENABLED, 1, true },
        { HVM_PARAM_VPT_ALIGN, 1, true },
        { HVM_PARAM_TIMER_MODE, HVMPTM_no_delay_for_missed_ticks, false },
        { HVM_PARAM_ALTP2M, 0, false },
    };
    bool ok = true;
    unsigned int i;

    for ( i = 0; i < sizeof(params) / sizeof(params[0]); i++ )
    {
        if ( params[i].hvm_only && g->type != GT_HVM )
            continue;
        ok &= gt_ok(!xc_hvm_param_set(g->xch, g->domid, params[i].idx,
                                      params[i].val),
                    "%s: HVMOP_set_param %u = %" PRIu64, g->name,
                    params[i].idx, params[i].val);
    }
    return ok;
}

bool gt_domain_create(struct gt_guest *g)
{
    xc_physinfo_t pi;
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = g->max_vcpus,
        .max_evtchn_port = 1023,
        .max_grant_frames = -1,
        .max_maptrack_frames = -1,
    };
    int port;

    /* libxl__domain_config_setdefault: the host's newest grant version. */
    if ( !gt_ok(!xc_physinfo(g->xch, &pi), "%s: physinfo", g->name) )
        return false;
    cfg.grant_opts = XEN_DOMCTL_GRANT_version(
        pi.capabilities & XEN_SYSCTL_PHYSCAP_gnttab_v2 ? 2 : 1);
    switch ( g->type )
    {
    case GT_HVM:
        cfg.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
        cfg.arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI;
        break;
    case GT_PVH:
        cfg.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
        cfg.arch.emulation_flags = XEN_X86_EMU_LAPIC;
        break;
    case GT_PV:
        break;
    }
    g->domid = 0;
    if ( !gt_ok(!xc_domain_create(g->xch, &g->domid, &cfg),
                "%s: xc_domain_create", g->name) )
        return false;
    gt_ok(g->domid > 0 && g->domid < DOMID_FIRST_RESERVED,
          "%s: a domid was picked (%u)", g->name, g->domid);

    /* libxl__build_pre */
    if ( !gt_ok(!xc_domain_max_vcpus(g->xch, g->domid, g->max_vcpus),
                "%s: xc_domain_max_vcpus %u", g->name, g->max_vcpus) ||
         !gt_ok(!xc_domain_setmaxmem(g->xch, g->domid,
                                     g->mem_kb + LIBXL_MAXMEM_CONSTANT_KB),
                "%s: xc_domain_setmaxmem", g->name) )
        return false;

    /* Store then console, both with backends in dom0: ports 1 and 2. */
    port = xc_evtchn_alloc_unbound(g->xch, g->domid, 0);
    if ( !gt_is(port, 1, "%s: EVTCHNOP_alloc_unbound (store)", g->name) )
        return false;
    g->store_port = port;
    port = xc_evtchn_alloc_unbound(g->xch, g->domid, 0);
    if ( !gt_is(port, 2, "%s: EVTCHNOP_alloc_unbound (console)", g->name) )
        return false;
    g->console_port = port;

    /* libxl__arch_domain_create */
    if ( g->type != GT_PV && !set_conf_params(g) )
        return false;
    if ( g->type == GT_PV &&
         !gt_ok(!xc_domain_set_memmap_limit(g->xch, g->domid, g->mem_kb),
                "%s: xc_domain_set_memmap_limit", g->name) )
        return false;
    if ( !gt_ok(!xc_domain_set_tsc_info(g->xch, g->domid, 0, 0, 0, 0),
                "%s: xc_domain_set_tsc_info (default mode)", g->name) )
        return false;
    if ( g->type != GT_PV )
    {
        /* libxl__get_required_paging_memory for HAP. */
        g->shadow_kb = 4 * (256 * g->max_vcpus + g->mem_kb / 1024);
        if ( !gt_ok(!xc_set_paging_mempool_size(g->xch, g->domid,
                                                g->shadow_kb << 10),
                    "%s: xc_set_paging_mempool_size %" PRIu64 " KiB", g->name,
                    g->shadow_kb) )
            return false;
    }

    /* libxl__cpuid_legacy: pae, no itsc, no nested virt, no overrides. */
    return gt_ok(!xc_cpuid_apply_policy(g->xch, g->domid, false, NULL, 0,
                                        true, false, false, NULL, NULL),
                 "%s: xc_cpuid_apply_policy", g->name);
}

/* A leaf of a serialised policy, or NULL. */
static const xen_cpuid_leaf_t *find_leaf(const xen_cpuid_leaf_t *l, uint32_t nr,
                                         uint32_t leaf, uint32_t subleaf)
{
    uint32_t i;

    for ( i = 0; i < nr; i++ )
        if ( l[i].leaf == leaf && l[i].subleaf == subleaf )
            return &l[i];
    return NULL;
}

#define BIT(n) (1U << (n))

void gt_check_cpu_policy(struct gt_guest *g)
{
    xc_cpu_policy_t *pol = xc_cpu_policy_init();
    xen_cpuid_leaf_t leaves[128];
    xen_msr_entry_t msrs[4];
    uint32_t nr = 128, nr_msrs = 4;
    const xen_cpuid_leaf_t *l0, *l1, *l7, *e1, *e8;
    bool hvm = g->type != GT_PV;

    if ( !gt_ok(pol && !xc_cpu_policy_get_domain(g->xch, g->domid, pol) &&
                !xc_cpu_policy_serialise(g->xch, pol, leaves, &nr, msrs,
                                         &nr_msrs),
                "%s: XEN_DOMCTL_get_cpu_policy", g->name) )
        goto out;
    l0 = find_leaf(leaves, nr, 0, XEN_CPUID_NO_SUBLEAF);
    l1 = find_leaf(leaves, nr, 1, XEN_CPUID_NO_SUBLEAF);
    l7 = find_leaf(leaves, nr, 7, 0);
    e1 = find_leaf(leaves, nr, 0x80000001, XEN_CPUID_NO_SUBLEAF);
    e8 = find_leaf(leaves, nr, 0x80000008, XEN_CPUID_NO_SUBLEAF);
    if ( !gt_ok(l0 && l1 && l7 && e1 && e8, "%s: leaves 0, 1, 7, "
                "0x80000001 and 0x80000008 are there", g->name) )
        goto out;
    gt_is(l0->a, 0xd, "%s: max basic leaf (Xen's limit)", g->name);
    gt_ok(l0->b == 0x756e6547 && l0->d == 0x49656e69 && l0->c == 0x6c65746e,
          "%s: GenuineIntel", g->name);
    gt_is(l1->a, 0x50654, "%s: family/model/stepping", g->name);
    gt_ok(l1->c & BIT(31), "%s: the hypervisor bit", g->name);
    gt_is(l1->c & BIT(5), 0, "%s: no VMX without nested virt", g->name);
    gt_ok(l1->d & BIT(6), "%s: PAE", g->name);
    gt_ok(l1->d & BIT(28), "%s: HTT", g->name);
    /* HVM: lppp doubled for APIC IDs vcpu_id * 2 (xc_cpuid_apply_policy). */
    gt_is((l1->b >> 16) & 0xff, hvm ? 64 : 32, "%s: logical processors per "
          "package", g->name);
    gt_ok(e1->d & BIT(29), "%s: long mode", g->name);
    gt_is(!!(e1->d & BIT(26)), hvm, "%s: 1G pages for HAP guests only",
          g->name);
    gt_is(l7->b & BIT(24), 0, "%s: CLWB hidden by default (GDS)", g->name);
    gt_is(e8->a & 0xffff, 0x302e, "%s: 46-bit physical, 48-bit virtual",
          g->name);
    gt_is(nr_msrs, 2, "%s: two MSRs", g->name);
 out:
    xc_cpu_policy_destroy(pol);
}

bool gt_domain_destroy(struct gt_guest *g)
{
    xc_domaininfo_t info;

    if ( !gt_ok(!xc_domain_destroy(g->xch, g->domid), "%s: xc_domain_destroy",
                g->name) )
        return false;
    return gt_ok(gt_domaininfo(g->xch, g->domid, &info) && errno == ESRCH,
                 "%s: the domain is gone", g->name);
}

/* Parse one "gfn: ... order: ..." line of the 'D' dump. */
static bool parse_leaf(const char *line, struct gt_leaf *l)
{
    char rest[64] = "";

    memset(l, 0, sizeof(*l));
    if ( sscanf(line, "gfn: %" SCNx64 " order: %u %63[^\n]", &l->gfn,
                &l->order, rest) < 2 )
        return false;
    if ( !strncmp(rest, "PoD", 3) )
    {
        l->mfn = ~0ULL;
        strcpy(l->rwx, "PoD");
        return true;
    }
    /* "mfn: <hex> rwx EMT" with r/w/x as letters or blanks. */
    if ( strncmp(rest, "mfn: ", 5) )
        return false;
    {
        char *end;
        const char *p;

        l->mfn = strtoull(rest + 5, &end, 16);
        p = end;
        if ( strlen(p) < 8 || p[0] != ' ' || p[4] != ' ' )
            return false;
        memcpy(l->rwx, p + 1, 3);
        memcpy(l->emt, p + 5, 3);
    }
    return true;
}

long gt_p2m_leaves(xc_interface *xch, uint32_t domid, struct gt_leaf **out)
{
    char *buf = malloc(CONSOLE_BUF + 1), *line, *save = NULL, hdr[64];
    unsigned int nr = CONSOLE_BUF;
    size_t cap = 1024;
    long n = -1;
    bool in = false;

    *out = malloc(cap * sizeof(**out));
    if ( !buf || !*out )
        goto out;
    /* xl dmesg -c, then xl debug-keys D, then xl dmesg. */
    if ( xc_readconsolering(xch, buf, &nr, 1, 0, NULL) )
        goto out;
    if ( xc_send_debug_keys(xch, "D") )
        goto out;
    nr = CONSOLE_BUF;
    if ( xc_readconsolering(xch, buf, &nr, 0, 0, NULL) )
        goto out;
    if ( nr == CONSOLE_BUF )
        goto out;                       /* the dump may be cut short */
    buf[nr] = '\0';

    snprintf(hdr, sizeof(hdr), "domain%u EPT p2m table:", domid);
    n = 0;
    for ( line = strtok_r(buf, "\n", &save); line;
          line = strtok_r(NULL, "\n", &save) )
    {
        if ( !strncmp(line, "domain", 6) )
        {
            in = !strcmp(line, hdr);
            continue;
        }
        if ( !in )
            continue;
        if ( (size_t)n == cap )
        {
            struct gt_leaf *p = realloc(*out, 2 * cap * sizeof(**out));

            if ( !p )
            {
                n = -1;
                goto out;
            }
            *out = p;
            cap *= 2;
        }
        if ( !parse_leaf(line, &(*out)[n]) )
        {
            gt_diag("unparsable p2m dump line: %s", line);
            n = -1;
            goto out;
        }
        n++;
    }
 out:
    free(buf);
    if ( n < 0 )
    {
        free(*out);
        *out = NULL;
    }
    return n;
}

int gt_read_page(xc_interface *xch, uint32_t domid, uint64_t gfn, void *buf)
{
    void *p = xc_map_foreign_range(xch, domid, PAGE_SIZE, PROT_READ, gfn);

    if ( !p )
        return -1;
    memcpy(buf, p, PAGE_SIZE);
    munmap(p, PAGE_SIZE);
    return 0;
}

void *gt_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    void *buf = NULL;
    long sz;

    if ( !f )
        return NULL;
    if ( !fseek(f, 0, SEEK_END) && (sz = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET) &&
         (buf = malloc(sz)) && fread(buf, 1, sz, f) != (size_t)sz )
    {
        free(buf);
        buf = NULL;
    }
    else if ( buf )
        *len = sz;
    fclose(f);
    return buf;
}

/* Compare guest memory from paddr for len bytes with src (NULL: zeros). */
static bool guest_bytes_equal(xc_interface *xch, uint32_t domid,
                              uint64_t paddr, const uint8_t *src, size_t len,
                              uint64_t paddr_base, const xen_pfn_t *p2m)
{
    uint8_t page[PAGE_SIZE];

    while ( len )
    {
        uint64_t pfn = (paddr - paddr_base) / PAGE_SIZE;
        size_t off = paddr % PAGE_SIZE, n = PAGE_SIZE - off;

        if ( n > len )
            n = len;
        if ( gt_read_page(xch, domid, p2m ? p2m[pfn] : pfn, page) )
            return false;
        if ( src && memcmp(page + off, src, n) )
            return false;
        for ( size_t i = 0; !src && i < n; i++ )
            if ( page[off + i] )
                return false;
        paddr += n;
        len -= n;
        if ( src )
            src += n;
    }
    return true;
}

void gt_check_elf_loaded(xc_interface *xch, uint32_t domid, const char *what,
                         const uint8_t *elf, size_t len, uint64_t paddr_base,
                         const xen_pfn_t *p2m)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
    unsigned int i, loads = 0;

    if ( !gt_ok(len >= sizeof(Elf32_Ehdr) && !memcmp(eh->e_ident, ELFMAG, SELFMAG),
                "%s: an ELF image", what) )
        return;
    for ( i = 0; ; i++ )
    {
        uint64_t off, paddr, filesz, memsz;
        uint32_t type;

        if ( eh->e_ident[EI_CLASS] == ELFCLASS64 )
        {
            const Elf64_Phdr *ph;

            if ( i >= eh->e_phnum )
                break;
            ph = (const Elf64_Phdr *)(elf + eh->e_phoff) + i;
            type = ph->p_type;
            off = ph->p_offset;
            paddr = ph->p_paddr;
            filesz = ph->p_filesz;
            memsz = ph->p_memsz;
        }
        else
        {
            const Elf32_Ehdr *eh32 = (const Elf32_Ehdr *)elf;
            const Elf32_Phdr *ph;

            if ( i >= eh32->e_phnum )
                break;
            ph = (const Elf32_Phdr *)(elf + eh32->e_phoff) + i;
            type = ph->p_type;
            off = ph->p_offset;
            paddr = ph->p_paddr;
            filesz = ph->p_filesz;
            memsz = ph->p_memsz;
        }
        if ( type != PT_LOAD )
            continue;
        loads++;
        gt_ok(off + filesz <= len &&
              guest_bytes_equal(xch, domid, paddr, elf + off, filesz,
                                paddr_base, p2m) &&
              guest_bytes_equal(xch, domid, paddr + filesz, NULL,
                                memsz - filesz, paddr_base, p2m),
              "%s: PT_LOAD at %#" PRIx64 " (%#" PRIx64 " file bytes, %#"
              PRIx64 " in memory) is in the guest", what, paddr, filesz,
              memsz);
    }
    gt_ok(loads > 0, "%s: %u loadable segment(s)", what, loads);
}
