/*
 * xg_inspect.c - xg-inspect: what tests/cli/xenguest.sh reads back from a
 * guest xenguest built, through Xen interfaces only (Debian's libxenctrl
 * and libxencall on the drop-ins):
 *
 *   xg-inspect e820                 the caller's own XENMEM_memory_map, as
 *                                   hvmloader reads it (run it as the guest:
 *                                   XENMM_DOMID=N); "addr size type" in hex
 *   xg-inspect hvm-info DOMID       the hvm_info table at 0x9f800
 *   xg-inspect acpi DOMID           a PVH guest's ACPI tables from the RSDP
 *   xg-inspect numa                 free pages per node
 *   xg-inspect dominfo DOMID        tot_pages, max_pages, max_vcpu_id, hvm
 *   xg-inspect affinity DOMID       each vCPU's hard affinity, the node
 *                                   affinity (hex masks, CPU/node 0 = bit 0)
 *   xg-inspect sched DOMID          credit weight and cap
 *   xg-inspect param DOMID INDEX    an HVM param
 *   xg-inspect tsc DOMID            the TSC mode
 *   xg-inspect cpuid DOMID LEAF [SUBLEAF]  the domain's CPUID policy leaf
 *
 * Prints key=value or table lines; exit status 1 on any failure.
 */
#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xencall.h>
#include <xenctrl.h>
#include <xenguest.h>
#include <xen/memory.h>
#include <xen/hvm/hvm_info_table.h>

static xc_interface *xch;

static int die(const char *what)
{
    fprintf(stderr, "xg-inspect: %s: %s\n", what, strerror(errno));
    return 1;
}

static int cmd_e820(void)
{
    xencall_handle *xc = xencall_open(NULL, 0);
    struct xen_memory_map *map;
    struct e820entry *e;
    int rc;

    if ( !xc )
        return die("xencall_open");
    map = xencall_alloc_buffer(xc, sizeof(*map));
    e = xencall_alloc_buffer(xc, E820MAX * sizeof(*e));
    if ( !map || !e )
        return die("xencall_alloc_buffer");
    map->nr_entries = E820MAX;
    set_xen_guest_handle_raw(map->buffer, e);
    rc = xencall2(xc, __HYPERVISOR_memory_op, XENMEM_memory_map,
                  (unsigned long)map);
    if ( rc < 0 )
        return die("XENMEM_memory_map");
    for ( unsigned int i = 0; i < map->nr_entries; i++ )
        printf("%" PRIx64 " %" PRIx64 " %u\n", e[i].addr, e[i].size,
               e[i].type);
    return 0;
}

static void *map_gfn(uint32_t domid, unsigned long gfn)
{
    return xc_map_foreign_range(xch, domid, XC_PAGE_SIZE, PROT_READ, gfn);
}

static int cmd_hvm_info(uint32_t domid)
{
    uint8_t *page = map_gfn(domid, HVM_INFO_PFN), sum = 0;
    const struct hvm_info_table *t;

    if ( !page )
        return die("map HVM_INFO_PFN");
    t = (const void *)(page + HVM_INFO_OFFSET);
    for ( uint32_t i = 0; i < t->length && i < 2048; i++ )
        sum += page[HVM_INFO_OFFSET + i];
    printf("signature=%.8s\nlength=%u\nchecksum_ok=%d\napic_mode=%u\n"
           "nr_vcpus=%u\nlow_mem_pgend=%#x\nreserved_mem_pgstart=%#x\n"
           "high_mem_pgend=%#x\nvcpu_online=", t->signature, t->length,
           sum == 0, t->apic_mode, t->nr_vcpus, t->low_mem_pgend,
           t->reserved_mem_pgstart, t->high_mem_pgend);
    for ( int i = sizeof(t->vcpu_online) - 1; i >= 0; i-- )
        printf("%02x", t->vcpu_online[i]);
    printf("\n");
    munmap(page, XC_PAGE_SIZE);
    return 0;
}

/* Copy len bytes of guest-physical memory from addr (page by page). */
static int read_guest(uint32_t domid, uint64_t addr, void *buf, size_t len)
{
    uint8_t *out = buf;

    while ( len )
    {
        size_t off = addr & (XC_PAGE_SIZE - 1);
        size_t n = XC_PAGE_SIZE - off < len ? XC_PAGE_SIZE - off : len;
        uint8_t *p = map_gfn(domid, addr >> XC_PAGE_SHIFT);

        if ( !p )
            return -1;
        memcpy(out, p + off, n);
        munmap(p, XC_PAGE_SIZE);
        out += n;
        addr += n;
        len -= n;
    }
    return 0;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while ( n-- )
        s += *p++;
    return s;
}

/* A table's signature, length, checksum; the MADT's enabled LAPICs. */
static int show_table(uint32_t domid, uint64_t addr)
{
    uint8_t hdr[36], *t;
    uint32_t len;
    int lapics = 0;

    if ( read_guest(domid, addr, hdr, sizeof(hdr)) )
        return die("read table header");
    memcpy(&len, hdr + 4, 4);
    if ( len < 36 || len > 65536 || !(t = malloc(len)) )
        return 1;
    if ( read_guest(domid, addr, t, len) )
        return die("read table");
    if ( !memcmp(t, "APIC", 4) )
        for ( uint32_t off = 44; off + 2 <= len && t[off + 1]; off += t[off + 1] )
            if ( t[off] == 0 && (t[off + 4] & 1) )
                lapics++;
    printf("table=%.4s addr=%#" PRIx64 " length=%u checksum_ok=%d", t, addr,
           len, sum8(t, len) == 0);
    if ( !memcmp(t, "APIC", 4) )
        printf(" lapics=%d", lapics);
    printf("\n");
    /* The FADT points at the DSDT (and FACS). */
    if ( !memcmp(t, "FACP", 4) && len >= 148 )
    {
        uint64_t dsdt = 0;

        memcpy(&dsdt, t + 140, 8);
        if ( !dsdt )
            memcpy(&dsdt, t + 40, 4);
        free(t);
        return dsdt ? show_table(domid, dsdt) : 0;
    }
    free(t);
    return 0;
}

static int cmd_acpi(uint32_t domid)
{
    uint8_t rsdp[36], *xsdt;
    uint64_t xsdt_addr;
    uint32_t len;
    int rc = 0;

    if ( read_guest(domid, 0xfffc0, rsdp, sizeof(rsdp)) )
        return die("read RSDP");
    memcpy(&xsdt_addr, rsdp + 24, 8);
    memcpy(&len, rsdp + 20, 4);
    printf("rsdp=%.8s revision=%u checksum_ok=%d xchecksum_ok=%d xsdt=%#"
           PRIx64 "\n", rsdp, rsdp[15], sum8(rsdp, 20) == 0,
           sum8(rsdp, len < 36 ? 36 : len) == 0, xsdt_addr);
    if ( read_guest(domid, xsdt_addr + 4, &len, 4) || len < 36 ||
         len > 4096 || !(xsdt = malloc(len)) ||
         read_guest(domid, xsdt_addr, xsdt, len) )
        return die("read XSDT");
    printf("table=%.4s addr=%#" PRIx64 " length=%u checksum_ok=%d\n", xsdt,
           xsdt_addr, len, sum8(xsdt, len) == 0);
    for ( uint32_t off = 36; off + 8 <= len; off += 8 )
    {
        uint64_t a;

        memcpy(&a, xsdt + off, 8);
        rc |= show_table(domid, a);
    }
    free(xsdt);
    return rc;
}

static int cmd_numa(void)
{
    unsigned int n = 0;
    xc_meminfo_t *mi;

    if ( xc_numainfo(xch, &n, NULL, NULL) )
        return die("xc_numainfo");
    mi = calloc(n, sizeof(*mi));
    if ( !mi || xc_numainfo(xch, &n, mi, NULL) )
        return die("xc_numainfo");
    for ( unsigned int i = 0; i < n; i++ )
        printf("node%u_free=%" PRIu64 "\n", i, mi[i].memfree >> XC_PAGE_SHIFT);
    free(mi);
    return 0;
}

/*
 * Pages waiting for the scrubbers, over all nodes: debug key 'H' (Xen's
 * dump_heap: "Node N has P unscrubbed pages"), read back from the console
 * as `xl debug-keys H; xl dmesg` would.  Only the last dump counts.
 */
static int cmd_unscrubbed(void)
{
    static char buf[1 << 20];
    unsigned int size = sizeof(buf) - 1, node;
    unsigned long pages, total = 0;
    char *line, *last = NULL, *save;

    if ( xc_send_debug_keys(xch, "H") )
        return die("xc_send_debug_keys");
    if ( xc_readconsolering(xch, buf, &size, 0, 0, NULL) )
        return die("xc_readconsolering");
    buf[size] = '\0';
    /* The last dump starts at the last "Node 0 has" line. */
    for ( line = buf; (line = strstr(line, "Node 0 has ")) != NULL; line++ )
        last = line;
    if ( !last )
        return die("no heap dump on the console");
    for ( line = strtok_r(last, "\n", &save); line;
          line = strtok_r(NULL, "\n", &save) )
        if ( sscanf(line, "Node %u has %lu unscrubbed pages", &node,
                    &pages) == 2 )
            total += pages;
    printf("unscrubbed=%lu\n", total);
    return 0;
}

static int get_info(uint32_t domid, xc_domaininfo_t *info)
{
    if ( xc_domain_getinfolist(xch, domid, 1, info) != 1 ||
         info->domain != domid )
    {
        errno = ESRCH;
        return -1;
    }
    return 0;
}

static int cmd_dominfo(uint32_t domid)
{
    xc_domaininfo_t info;

    if ( get_info(domid, &info) )
        return die("getdomaininfo");
    printf("tot_pages=%" PRIu64 "\nmax_pages=%" PRIu64 "\nmax_vcpu_id=%u\n"
           "hvm=%d\nhap=%d\n", (uint64_t)info.tot_pages,
           (uint64_t)info.max_pages, info.max_vcpu_id,
           !!(info.flags & XEN_DOMINF_hvm_guest),
           !!(info.flags & XEN_DOMINF_hap));
    return 0;
}

static void print_map(const uint8_t *m, int bytes)
{
    int top = bytes - 1;

    while ( top > 0 && !m[top] )
        top--;
    for ( int i = top; i >= 0; i-- )
        printf("%02x", m[i]);
    printf("\n");
}

static int cmd_affinity(uint32_t domid)
{
    int csize = xc_get_cpumap_size(xch), nsize = xc_get_nodemap_size(xch);
    xc_domaininfo_t info;
    xc_cpumap_t hard = xc_cpumap_alloc(xch), soft = xc_cpumap_alloc(xch);
    xc_nodemap_t nodes = xc_nodemap_alloc(xch);

    if ( get_info(domid, &info) || !hard || !soft || !nodes )
        return die("getdomaininfo");
    for ( unsigned int v = 0; v <= info.max_vcpu_id; v++ )
    {
        if ( xc_vcpu_getaffinity(xch, domid, v, hard, soft,
                                 XEN_VCPUAFFINITY_HARD) )
            return die("xc_vcpu_getaffinity");
        printf("vcpu%u_hard=", v);
        print_map(hard, csize);
    }
    if ( xc_domain_node_getaffinity(xch, domid, nodes) )
        return die("xc_domain_node_getaffinity");
    printf("node_affinity=");
    print_map(nodes, nsize);
    return 0;
}

static int cmd_sched(uint32_t domid)
{
    struct xen_domctl_sched_credit s;

    if ( xc_sched_credit_domain_get(xch, domid, &s) )
        return die("xc_sched_credit_domain_get");
    printf("weight=%u\ncap=%u\n", s.weight, s.cap);
    return 0;
}

static int cmd_param(uint32_t domid, unsigned int idx)
{
    uint64_t v;

    if ( xc_hvm_param_get(xch, domid, idx, &v) )
        return die("xc_hvm_param_get");
    printf("%" PRIu64 "\n", v);
    return 0;
}

static int cmd_tsc(uint32_t domid)
{
    uint32_t mode, khz, incarn;
    uint64_t ns;

    if ( xc_domain_get_tsc_info(xch, domid, &mode, &ns, &khz, &incarn) )
        return die("xc_domain_get_tsc_info");
    printf("tsc_mode=%u\n", mode);
    return 0;
}

static int cmd_cpuid(uint32_t domid, uint32_t leaf, uint32_t subleaf)
{
    xc_cpu_policy_t *p = xc_cpu_policy_init();
    uint32_t nr_leaves, nr_msrs;
    xen_cpuid_leaf_t *leaves;

    if ( !p || xc_cpu_policy_get_size(xch, &nr_leaves, &nr_msrs) ||
         !(leaves = calloc(nr_leaves, sizeof(*leaves))) )
        return die("xc_cpu_policy_get_size");
    nr_msrs = 0;
    if ( xc_cpu_policy_get_domain(xch, domid, p) ||
         xc_cpu_policy_serialise(xch, p, leaves, &nr_leaves, NULL, &nr_msrs) )
        return die("xc_cpu_policy_get_domain");
    for ( uint32_t i = 0; i < nr_leaves; i++ )
        if ( leaves[i].leaf == leaf &&
             (leaves[i].subleaf == subleaf ||
              leaves[i].subleaf == XEN_CPUID_NO_SUBLEAF) )
        {
            printf("eax=%08x\nebx=%08x\necx=%08x\nedx=%08x\n", leaves[i].a,
                   leaves[i].b, leaves[i].c, leaves[i].d);
            return 0;
        }
    fprintf(stderr, "xg-inspect: no CPUID leaf %#x/%#x\n", leaf, subleaf);
    return 1;
}

int main(int argc, char *argv[])
{
    const char *cmd = argc > 1 ? argv[1] : "";
    uint32_t domid = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;

    if ( !strcmp(cmd, "e820") )
        return cmd_e820();
    xch = xc_interface_open(NULL, NULL, 0);
    if ( !xch )
        return die("xc_interface_open");
    if ( !strcmp(cmd, "numa") )
        return cmd_numa();
    if ( !strcmp(cmd, "unscrubbed") )
        return cmd_unscrubbed();
    if ( argc < 3 )
    {
        fprintf(stderr, "usage: xg-inspect e820|numa|unscrubbed|hvm-info|acpi|dominfo|"
                        "affinity|sched|tsc DOMID|param DOMID INDEX|"
                        "cpuid DOMID LEAF [SUBLEAF]\n");
        return 2;
    }
    if ( !strcmp(cmd, "hvm-info") )
        return cmd_hvm_info(domid);
    if ( !strcmp(cmd, "acpi") )
        return cmd_acpi(domid);
    if ( !strcmp(cmd, "dominfo") )
        return cmd_dominfo(domid);
    if ( !strcmp(cmd, "affinity") )
        return cmd_affinity(domid);
    if ( !strcmp(cmd, "sched") )
        return cmd_sched(domid);
    if ( !strcmp(cmd, "tsc") )
        return cmd_tsc(domid);
    if ( !strcmp(cmd, "cpuid") && argc > 3 )
        return cmd_cpuid(domid, strtoul(argv[3], NULL, 0),
                         argc > 4 ? strtoul(argv[4], NULL, 0) : 0);
    if ( !strcmp(cmd, "param") && argc > 3 )
        return cmd_param(domid, strtoul(argv[3], NULL, 0));
    fprintf(stderr, "xg-inspect: unknown command '%s'\n", cmd);
    return 2;
}
