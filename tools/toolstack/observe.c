/*
 * observe.c - what the builds left, seen only through Xen's interfaces:
 *
 * host, per node:  size and free from XEN_SYSCTL_numainfo; claims from
 *                  getdomaininfo's outstanding_pages of the domains this
 *                  toolstack claimed on each node (placement.c) and the
 *                  rest of physinfo's outstanding_pages as host-wide;
 *                  pages still to scrub from debug key 'H' (dump_heap's
 *                  "Node N has P unscrubbed pages"; physinfo's scrub_pages
 *                  is always 0 in Xen 4.17).
 * VM:              tot_pages, max_pages, outstanding_pages from
 *                  getdomaininfo; pages per node from debug key 'u'
 *                  (dump_numa's "Domain D (total: T):" and "Node N: P"
 *                  lines); 4K/2M/1G p2m leaves from debug key 'D'
 *                  (ept_dump_p2m_table's "gfn: .. order: O" lines, HVM and
 *                  PVH only: PV guests have no p2m in Xen); the paging
 *                  pool from XEN_DOMCTL_shadow_op GET_ALLOCATION; the PoD
 *                  cache and entries from XENMEM_get_pod_target (dump_numa
 *                  does not see the PoD cache: Xen takes those pages off
 *                  the domain's page list, though tot_pages counts them); the
 *                  e820 with XENMEM_memory_map issued as the guest itself
 *                  (as hvmloader or a PV kernel reads it: the hypercall
 *                  returns the caller's own map, so this toolstack runs
 *                  itself as the guest, XENMM_DOMID=<domid>, for it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xencall.h>
#include <xen/memory.h>

#include "toolstack.h"

static struct vm_run *vm_of_domid(struct run *r, long domid)
{
    for ( unsigned int i = 0; i < r->sc->nr_vms; i++ )
        if ( r->vms[i].domid == domid && !r->vms[i].destroyed &&
             r->vms[i].result == VM_OK )
            return &r->vms[i];
    return NULL;
}

static void parse_to_scrub(struct run *r, xc_interface *xch,
                           struct host_mem *hm)
{
    char err[TS_ERR], *out = debug_key_output(xch, 'H', err, sizeof(err));
    char *line, *save = NULL;

    hm->have_to_scrub = out != NULL;
    if ( !out )
    {
        fprintf(stderr, "xenmm-toolstack: %s\n", err);
        return;
    }
    for ( line = strtok_r(out, "\n", &save); line;
          line = strtok_r(NULL, "\n", &save) )
    {
        unsigned int node;
        unsigned long pages;

        if ( sscanf(line, "Node %u has %lu unscrubbed pages", &node,
                    &pages) == 2 && node < hm->nr_nodes )
            hm->to_scrub[node] = pages;
    }
    free(out);
    (void)r;
}

void observe_host(struct run *r, xc_interface *xch, struct host_mem *hm)
{
    unsigned int nodes = TS_MAX_NODES;
    xc_meminfo_t mi[TS_MAX_NODES];
    xc_physinfo_t pi;

    memset(hm, 0, sizeof(*hm));
    if ( !xc_physinfo(xch, &pi) )
    {
        hm->total_pages = pi.total_pages;
        hm->free_pages = pi.free_pages;
        hm->outstanding_pages = pi.outstanding_pages;
    }
    if ( !xc_numainfo(xch, &nodes, mi, NULL) )
    {
        hm->nr_nodes = nodes;
        for ( unsigned int n = 0; n < nodes; n++ )
        {
            hm->size[n] = mi[n].memsize >> XC_PAGE_SHIFT;
            hm->free[n] = mi[n].memfree >> XC_PAGE_SHIFT;
        }
    }
    placement_node_claims(r, xch, hm->claimed, &hm->claimed_host_wide);
    parse_to_scrub(r, xch, hm);
}

/* 'u': "Domain D (total: T):" then "    Node N: P" lines. */
static void parse_numa(struct run *r, xc_interface *xch)
{
    char err[TS_ERR], *out = debug_key_output(xch, 'u', err, sizeof(err));
    char *line, *save = NULL;
    struct vm_run *cur = NULL;

    if ( !out )
    {
        fprintf(stderr, "xenmm-toolstack: %s\n", err);
        return;
    }
    for ( line = strtok_r(out, "\n", &save); line;
          line = strtok_r(NULL, "\n", &save) )
    {
        unsigned long domid, total, node, pages;

        if ( sscanf(line, "Domain %lu (total: %lu):", &domid, &total) == 2 )
        {
            cur = vm_of_domid(r, domid);
            if ( cur )
            {
                cur->have_node_pages = true;
                memset(cur->node_pages, 0, sizeof(cur->node_pages));
            }
        }
        else if ( cur && sscanf(line, " Node %lu: %lu", &node, &pages) == 2 &&
                  node < TS_MAX_NODES )
            cur->node_pages[node] = pages;
        else if ( strncmp(line, "    ", 4) )
            cur = NULL;
    }
    free(out);
}

/* 'D': "domainD EPT p2m table:" then "gfn: G order: O ..." leaves. */
static void parse_p2m(struct run *r, xc_interface *xch)
{
    char err[TS_ERR], *out = debug_key_output(xch, 'D', err, sizeof(err));
    char *line, *save = NULL;
    struct vm_run *cur = NULL;

    if ( !out )
    {
        snprintf(r->p2m_note, sizeof(r->p2m_note), "%.250s", err);
        return;
    }
    for ( line = strtok_r(out, "\n", &save); line;
          line = strtok_r(NULL, "\n", &save) )
    {
        unsigned long domid, gfn;
        unsigned int order;

        if ( sscanf(line, "domain%lu EPT p2m table:", &domid) == 1 )
        {
            cur = vm_of_domid(r, domid);
            if ( cur )
            {
                cur->have_p2m = true;
                memset(cur->p2m, 0, sizeof(cur->p2m));
                cur->p2m_pod = 0;
            }
        }
        else if ( cur &&
                  sscanf(line, "gfn: %lx order: %u", &gfn, &order) == 2 )
        {
            if ( strstr(line, " PoD") )
                cur->p2m_pod++;
            else if ( order == 0 || order == 9 || order == 18 )
                cur->p2m[order / 9]++;
        }
    }
    free(out);
}

/* Run as the guest: print its e820, "addr size type" per line. */
int guest_e820_main(int domid)
{
    xencall_handle *xcall = xencall_open(NULL, 0);
    struct xen_memory_map *map;
    struct e820entry { uint64_t addr, size; uint32_t type; }
        __attribute__((packed)) *e;
    long rc;

    (void)domid;                /* the identity is XENMM_DOMID's */
    if ( !xcall )
    {
        fprintf(stderr, "xencall_open: %s\n", strerror(errno));
        return 1;
    }
    map = xencall_alloc_buffer(xcall, 4096);
    if ( !map )
    {
        fprintf(stderr, "xencall_alloc_buffer: %s\n", strerror(errno));
        return 1;
    }
    e = (void *)(map + 1);
    map->nr_entries = (4096 - sizeof(*map)) / sizeof(*e);
    set_xen_guest_handle_raw(map->buffer, (void *)e);
    rc = xencall2(xcall, __HYPERVISOR_memory_op, XENMEM_memory_map,
                  (uint64_t)(uintptr_t)map);
    if ( rc < 0 )
    {
        printf("error %d\n", errno);
        return 0;
    }
    for ( unsigned int i = 0; i < map->nr_entries; i++ )
        printf("%llx %llx %u\n", (unsigned long long)e[i].addr,
               (unsigned long long)e[i].size, e[i].type);
    xencall_free_buffer(xcall, map);
    xencall_close(xcall);
    return 0;
}

static void observe_e820(struct run *r, struct vm_run *v)
{
    char domid[16], line[256];
    int p[2], status;
    FILE *f;
    pid_t pid;

    snprintf(domid, sizeof(domid), "%d", v->domid);
    if ( pipe(p) )
        return;
    pid = fork();
    if ( pid == 0 )
    {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        setenv("XENMM_DOMID", domid, 1);
        execl(r->self, r->self, "--guest-e820", domid, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    f = fdopen(p[0], "r");
    while ( f && fgets(line, sizeof(line), f) )
    {
        unsigned long long addr, size;
        unsigned int type;
        int e;

        if ( sscanf(line, "error %d", &e) == 1 )
        {
            snprintf(v->e820_error, sizeof(v->e820_error),
                     "XENMEM_memory_map: %s", strerror(e));
            continue;
        }
        if ( sscanf(line, "%llx %llx %u", &addr, &size, &type) == 3 &&
             v->nr_e820 < TS_MAX_E820 )
        {
            v->e820[v->nr_e820].addr = addr;
            v->e820[v->nr_e820].size = size;
            v->e820[v->nr_e820++].type = type;
        }
    }
    if ( f )
        fclose(f);
    else
        close(p[0]);
    if ( pid > 0 )
        waitpid(pid, &status, 0);
    v->have_e820 = v->nr_e820 > 0;
    if ( !v->have_e820 && !v->e820_error[0] )
        snprintf(v->e820_error, sizeof(v->e820_error),
                 "could not ask as the guest");
}

void observe_vms(struct run *r, xc_interface *xch)
{
    for ( unsigned int i = 0; i < r->sc->nr_vms; i++ )
    {
        struct vm_run *v = &r->vms[i];
        xc_domaininfo_t info;
        unsigned int mb = 0;

        v->paging_pool_mib = -1;
        if ( v->result != VM_OK )
            continue;
        if ( xc_domain_getinfolist(xch, v->domid, 1, &info) == 1 &&
             info.domain == (domid_t)v->domid )
        {
            v->tot_pages = info.tot_pages;
            v->max_pages = info.max_pages;
            v->outstanding_pages = info.outstanding_pages;
        }
        if ( v->spec->type != VM_PV &&
             !xc_shadow_control(xch, v->domid,
                                XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION, &mb, 0) )
            v->paging_pool_mib = mb;
        if ( v->spec->type != VM_PV )
        {
            uint64_t tot, cache, entries;

            if ( !xc_domain_get_pod_target(xch, v->domid, &tot, &cache,
                                           &entries) )
            {
                v->pod_cache_pages = cache;
                v->pod_entries = entries;
            }
        }
        observe_e820(r, v);
    }
    parse_numa(r, xch);
    parse_p2m(r, xch);
}
