/*
 * report.c - the result of a run: a table of the VMs, each VM's placement,
 * pages per NUMA node, p2m page sizes, paging pool and e820, and the
 * host's memory per node before and after (free, claimed, to scrub); as
 * text for people or JSON for programs (`--json`; docs/scenarios.md has
 * the schema).  Page counts are 4 KiB pages; text shows MiB beside them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "toolstack.h"

static const char *result_name(enum vm_result r)
{
    switch ( r )
    {
    case VM_OK: return "ok";
    case VM_FAILED: return "failed";
    case VM_CANCELLED: return "cancelled";
    case VM_BUILDING: return "building";
    default: return "not started";
    }
}

static const char *e820_type(uint32_t t)
{
    switch ( t )
    {
    case 1: return "RAM";
    case 2: return "reserved";
    case 3: return "ACPI";
    case 4: return "NVS";
    case 5: return "unusable";
    default: return "other";
    }
}

void nodes_str(uint64_t nodes, char *buf, size_t len)
{
    size_t n = 0;

    buf[0] = '\0';
    for ( unsigned int i = 0; i < 64 && n < len; i++ )
        if ( nodes >> i & 1 )
            n += snprintf(buf + n, len - n, "%s%u", n ? "+" : "", i);
}

static void mib(char *buf, size_t len, long pages)
{
    snprintf(buf, len, "%.1f MiB", pages / 256.0);
}

static const char *size_str(char *buf, size_t len, unsigned long m)
{
    if ( m >= 1024 && !(m % 1024) )
        snprintf(buf, len, "%lu GiB", m / 1024);
    else
        snprintf(buf, len, "%lu MiB", m);
    return buf;
}

static void placement_short(const struct vm_run *v, char *buf, size_t len)
{
    char set[64];

    if ( v->domid < 0 || !v->pl.how )
        snprintf(buf, len, "-");
    else if ( v->pl.node >= 0 )
        snprintf(buf, len, "node %d", v->pl.node);
    else if ( v->pl.nodes )
    {
        nodes_str(v->pl.nodes, set, sizeof(set));
        snprintf(buf, len, "%s %.20s", v->pl.nodes & (v->pl.nodes - 1)
                 ? "nodes" : "node", set);
    }
    else
        snprintf(buf, len, "%s", v->pl.how);
}

static void text_vm(struct run *r, const struct vm_run *v, FILE *f)
{
    const struct vm_spec *s = v->spec;
    char a[32], b[32];

    fprintf(f, "\n%s: ", s->name);
    if ( v->result != VM_OK )
    {
        fprintf(f, "%s after %.2f s: %s\n", v->result == VM_FAILED ? "FAILED"
                : result_name(v->result), v->total_s,
                v->error[0] ? v->error : "-");
        if ( v->domid > 0 )
            fprintf(f, "  domain %d %s: no pages, no claim left\n", v->domid,
                    v->destroyed ? "destroyed" : "NOT destroyed");
        return;
    }
    fprintf(f, "domid %d, %s, %s", v->domid, vm_type_name(s->type),
            size_str(a, sizeof(a), s->memory));
    if ( s->maxmem != s->memory )
        fprintf(f, " (static max %s)", size_str(b, sizeof(b), s->maxmem));
    fprintf(f, ", %u vCPU%s; started in %.2f s (xenguest %.2f s)\n",
            s->maxvcpus, s->maxvcpus == 1 ? "" : "s", v->total_s,
            v->build_s);
    fprintf(f, "  placement   %s", v->pl.note);
    if ( v->pl.claim_pages )
        fprintf(f, " (%ld pages)", v->pl.claim_pages);
    fprintf(f, "\n");
    if ( v->have_node_pages )
    {
        long sum = 0;

        fprintf(f, "  memory     ");
        for ( unsigned int n = 0; n < r->after.nr_nodes; n++ )
        {
            mib(a, sizeof(a), v->node_pages[n]);
            fprintf(f, " node %u: %ld pages (%s)%s", n, v->node_pages[n], a,
                    n + 1 < r->after.nr_nodes ? "," : "");
            sum += v->node_pages[n];
        }
        if ( v->pod_cache_pages )
            fprintf(f, "; PoD cache %ld pages (off the page list 'u' walks)",
                    v->pod_cache_pages);
        fprintf(f, "; tot_pages %ld%s\n", v->tot_pages,
                sum + v->pod_cache_pages == v->tot_pages ? "" : " (differs!)");
    }
    if ( v->have_p2m )
    {
        fprintf(f, "  p2m leaves  1G: %ld, 2M: %ld, 4K: %ld", v->p2m[2],
                v->p2m[1], v->p2m[0]);
        if ( v->p2m_pod )
            fprintf(f, ", PoD: %ld", v->p2m_pod);
        fprintf(f, "\n");
    }
    else if ( s->type == VM_PV )
        fprintf(f, "  p2m leaves  - (a PV guest has no p2m in Xen)\n");
    else
        fprintf(f, "  p2m leaves  - (%s)\n", r->p2m_note[0] ? r->p2m_note
                                                             : "not seen");
    if ( v->paging_pool_mib >= 0 )
        fprintf(f, "  paging pool %ld MiB (shadow_mib %ld)\n",
                v->paging_pool_mib, v->mem.shadow_mib);
    if ( v->have_e820 )
        for ( unsigned int i = 0; i < v->nr_e820; i++ )
            fprintf(f, "  %-11s %016" PRIx64 "-%016" PRIx64 " %s\n",
                    i ? "" : "e820", v->e820[i].addr,
                    v->e820[i].addr + v->e820[i].size - 1,
                    e820_type(v->e820[i].type));
    else
        fprintf(f, "  e820        - (%s)\n", v->e820_error);
}

static void text_row(FILE *f, const char *label, const struct host_mem *hm,
                     const long *vals, long total)
{
    char a[32];

    fprintf(f, "  %-12s", label);
    for ( unsigned int n = 0; n < hm->nr_nodes; n++ )
    {
        mib(a, sizeof(a), vals[n]);
        fprintf(f, " %16s", a);
    }
    mib(a, sizeof(a), total);
    fprintf(f, " %16s\n", a);
}

static long sum(const long *v, unsigned int n)
{
    long s = 0;

    for ( unsigned int i = 0; i < n; i++ )
        s += v[i];
    return s;
}

void report_text(struct run *r, FILE *f)
{
    const struct scenario *sc = r->sc;
    struct host_mem *b = &r->before, *a = &r->after;
    long used[TS_MAX_NODES];
    unsigned int ok = 0;
    char sz[32];

    fprintf(f, "xenmm run: scenario %s%s, host %s (%u nodes, %u CPUs, %s), "
            "numa_placement %s, %u build%s at a time\n\n", sc->name,
            sc->path ? "" : " (built in)", sc->host, r->topo.nr_nodes,
            r->topo.nr_cpus, size_str(sz, sizeof(sz), b->total_pages / 256),
            numa_policy_name(sc->policy), r->parallel,
            r->parallel == 1 ? "" : "s");
    fprintf(f, "%-12s %-4s %9s %5s %5s  %-13s %8s  %s\n", "VM", "type",
            "memory", "vCPUs", "domid", "placement", "start", "result");
    for ( unsigned int i = 0; i < sc->nr_vms; i++ )
    {
        const struct vm_run *v = &r->vms[i];
        char place[32], dom[16];

        placement_short(v, place, sizeof(place));
        snprintf(dom, sizeof(dom), v->result == VM_OK ? "%d" : "-", v->domid);
        fprintf(f, "%-12s %-4s %9s %5u %5s  %-13s %6.2f s  %s\n",
                v->spec->name, vm_type_name(v->spec->type),
                size_str(sz, sizeof(sz), v->spec->memory), v->spec->maxvcpus,
                dom, place, v->total_s,
                v->result == VM_FAILED ? "FAILED (below)"
                                       : result_name(v->result));
        ok += v->result == VM_OK;
    }
    for ( unsigned int i = 0; i < sc->nr_vms; i++ )
        text_vm(r, &r->vms[i], f);

    fprintf(f, "\nhost memory  ");
    for ( unsigned int n = 0; n < a->nr_nodes; n++ )
        fprintf(f, " %11s node %u", "", n);
    fprintf(f, " %16s\n", "total");
    text_row(f, "spanned", a, a->size, sum(a->size, a->nr_nodes));
    text_row(f, "free before", b, b->free, b->free_pages);
    text_row(f, "free after", a, a->free, a->free_pages);
    for ( unsigned int n = 0; n < a->nr_nodes; n++ )
        used[n] = b->free[n] - a->free[n];
    text_row(f, "used by run", a, used, b->free_pages - a->free_pages);
    text_row(f, "claimed", a, a->claimed, a->outstanding_pages);
    if ( a->have_to_scrub )
        text_row(f, "to scrub", a, a->to_scrub, sum(a->to_scrub, a->nr_nodes));
    fprintf(f, "\n%u of %u VMs started in %.2f s.\n", ok, sc->nr_vms,
            r->elapsed);
}

static json_t *node_array(const long *v, unsigned int n)
{
    json_t *a = json_array();

    for ( unsigned int i = 0; i < n; i++ )
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static json_t *host_json(const struct host_mem *hm)
{
    json_t *o = json_object();

    json_object_set_new(o, "total_pages", json_integer(hm->total_pages));
    json_object_set_new(o, "free_pages", json_integer(hm->free_pages));
    json_object_set_new(o, "outstanding_pages",
                        json_integer(hm->outstanding_pages));
    json_object_set_new(o, "claimed_host_wide_pages",
                        json_integer(hm->claimed_host_wide));
    json_object_set_new(o, "node_size_pages", node_array(hm->size, hm->nr_nodes));
    json_object_set_new(o, "node_free_pages", node_array(hm->free, hm->nr_nodes));
    json_object_set_new(o, "node_claimed_pages",
                        node_array(hm->claimed, hm->nr_nodes));
    json_object_set_new(o, "node_to_scrub_pages", hm->have_to_scrub
                        ? node_array(hm->to_scrub, hm->nr_nodes) : json_null());
    return o;
}

static json_t *vm_json(struct run *r, const struct vm_run *v)
{
    const struct vm_spec *s = v->spec;
    json_t *o = json_object(), *pl = json_object(), *e;

    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "type", json_string(vm_type_name(s->type)));
    json_object_set_new(o, "memory_mib", json_integer(s->memory));
    json_object_set_new(o, "maxmem_mib", json_integer(s->maxmem));
    json_object_set_new(o, "vcpus", json_integer(s->vcpus));
    json_object_set_new(o, "maxvcpus", json_integer(s->maxvcpus));
    json_object_set_new(o, "cpus", s->cpus ? json_string(s->cpus) : json_null());
    json_object_set_new(o, "result", json_string(result_name(v->result)));
    json_object_set_new(o, "error", v->error[0] ? json_string(v->error)
                                                : json_null());
    json_object_set_new(o, "domid", v->domid > 0 ? json_integer(v->domid)
                                                 : json_null());
    json_object_set_new(o, "destroyed", json_boolean(v->destroyed));
    json_object_set_new(o, "start_seconds", json_real(v->total_s));
    json_object_set_new(o, "build_seconds", json_real(v->build_s));
    json_object_set_new(o, "memory_model", e = json_object());
    json_object_set_new(e, "build_max_mib", json_integer(v->mem.build_max_mib));
    json_object_set_new(e, "build_start_mib",
                        json_integer(v->mem.build_start_mib));
    json_object_set_new(e, "xen_max_mib", json_integer(v->mem.xen_max_mib));
    json_object_set_new(e, "shadow_mib", json_integer(v->mem.shadow_mib));
    json_object_set_new(e, "required_host_free_mib",
                        json_integer(v->mem.required_host_free_mib));
    json_object_set_new(e, "build_claim_pages",
                        json_integer(v->mem.build_claim_pages));
    json_object_set_new(pl, "how", v->pl.how ? json_string(v->pl.how)
                                             : json_null());
    json_object_set_new(pl, "node", v->pl.node >= 0 ? json_integer(v->pl.node)
                                                    : json_null());
    e = json_array();
    for ( unsigned int n = 0; n < 64; n++ )
        if ( v->pl.nodes >> n & 1 )
            json_array_append_new(e, json_integer(n));
    json_object_set_new(pl, "planned_nodes", e);
    json_object_set_new(pl, "claim_pages", json_integer(v->pl.claim_pages));
    json_object_set_new(pl, "claim_node", v->pl.claim_pages &&
                        v->pl.claim_node >= 0 ? json_integer(v->pl.claim_node)
                                              : json_null());
    json_object_set_new(pl, "note", json_string(v->pl.note));
    json_object_set_new(o, "placement", pl);
    if ( v->result != VM_OK )
        return o;
    json_object_set_new(o, "tot_pages", json_integer(v->tot_pages));
    json_object_set_new(o, "max_pages", json_integer(v->max_pages));
    json_object_set_new(o, "outstanding_pages",
                        json_integer(v->outstanding_pages));
    json_object_set_new(o, "pod_cache_pages", json_integer(v->pod_cache_pages));
    json_object_set_new(o, "pod_entries", json_integer(v->pod_entries));
    json_object_set_new(o, "node_pages", v->have_node_pages
                        ? node_array(v->node_pages, r->after.nr_nodes)
                        : json_null());
    if ( v->have_p2m )
    {
        e = json_object();
        json_object_set_new(e, "1G", json_integer(v->p2m[2]));
        json_object_set_new(e, "2M", json_integer(v->p2m[1]));
        json_object_set_new(e, "4K", json_integer(v->p2m[0]));
        json_object_set_new(e, "PoD", json_integer(v->p2m_pod));
        json_object_set_new(o, "p2m_leaves", e);
    }
    else
        json_object_set_new(o, "p2m_leaves", json_null());
    json_object_set_new(o, "paging_pool_mib", v->paging_pool_mib >= 0
                        ? json_integer(v->paging_pool_mib) : json_null());
    json_object_set_new(o, "store_mfn", json_integer(v->store_mfn));
    json_object_set_new(o, "console_mfn", json_integer(v->console_mfn));
    e = json_array();
    for ( unsigned int i = 0; i < v->nr_e820; i++ )
    {
        json_t *x = json_object();

        json_object_set_new(x, "addr", json_integer(v->e820[i].addr));
        json_object_set_new(x, "size", json_integer(v->e820[i].size));
        json_object_set_new(x, "type", json_string(e820_type(v->e820[i].type)));
        json_array_append_new(e, x);
    }
    json_object_set_new(o, "e820", v->have_e820 ? e : json_null());
    if ( !v->have_e820 )
        json_decref(e);
    return o;
}

int report_json(struct run *r, FILE *f)
{
    json_t *root = json_object(), *sc = json_object(), *vms = json_array();
    int rc;

    json_object_set_new(sc, "name", json_string(r->sc->name));
    json_object_set_new(sc, "path", r->sc->path ? json_string(r->sc->path)
                                                : json_null());
    json_object_set_new(sc, "host", json_string(r->sc->host));
    json_object_set_new(sc, "parallel", json_integer(r->parallel));
    json_object_set_new(sc, "numa_placement",
                        json_string(numa_policy_name(r->sc->policy)));
    json_object_set_new(root, "scenario", sc);
    json_object_set_new(root, "nr_nodes", json_integer(r->topo.nr_nodes));
    json_object_set_new(root, "nr_cpus", json_integer(r->topo.nr_cpus));
    json_object_set_new(root, "host_before", host_json(&r->before));
    json_object_set_new(root, "host_after", host_json(&r->after));
    for ( unsigned int i = 0; i < r->sc->nr_vms; i++ )
        json_array_append_new(vms, vm_json(r, &r->vms[i]));
    json_object_set_new(root, "vms", vms);
    json_object_set_new(root, "p2m_note", r->p2m_note[0]
                        ? json_string(r->p2m_note) : json_null());
    json_object_set_new(root, "elapsed_seconds", json_real(r->elapsed));
    rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(root);
    return rc;
}
