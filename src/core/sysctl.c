/*
 * sysctl.c - XEN_SYSCTL (Xen 4.17's common/sysctl.c and arch/x86/sysctl.c)
 * at the ABI of Debian's <xen/sysctl.h>: the argument is copied in, the
 * interface version must be 0x15 (-EACCES), the dummy XSM policy allows
 * only the control domain (-EPERM), and on success the whole struct is
 * copied back (Xen's copyback = -1).
 *
 * Every command runs under the host's sysctl_lock, as 4.17's do_sysctl.
 *
 * Built: readconsole (the console ring, with clear and incremental
 * reads), debug_keys (keyhandler.c), get_cpu_featureset and
 * get_cpu_policy (cpu_policy.c), sched_id (credit), getdomaininfolist (the domains from
 * first_domain up, filled by domctl.c's getdomaininfo()), availheap,
 * physinfo, numainfo, cputopoinfo.  Other commands (get_pmstat, pm_op,
 * cpupool_op, page_offline_op, ...) return -ENOSYS, as Xen's
 * arch_do_sysctl() does for a command it does not have.  hw_cap is left
 * zero: there is no boot CPU to read it from.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/sysctl.h>

#include "core.h"
#include "domctl.h"
#include "hypercall.h"
#include "xsm.h"

_Static_assert(XEN_SYSCTL_INTERFACE_VERSION == 0x15, "Xen 4.17 sysctl ABI");

static void sysctl_physinfo(struct caller *c, struct xen_sysctl_physinfo *pi)
{
    struct host_physinfo hp;

    host_get_physinfo(c->h, &hp);
    memset(pi, 0, sizeof(*pi));
    pi->threads_per_core = hp.threads_per_core;
    pi->cores_per_socket = hp.cores_per_socket;
    pi->nr_cpus = hp.nr_cpus;
    pi->nr_nodes = hp.nr_nodes;
    pi->max_node_id = hp.max_node_id;
    pi->max_cpu_id = hp.max_cpu_id;
    pi->total_pages = hp.total_pages;
    pi->free_pages = hp.free_pages;
    pi->outstanding_pages = hp.outstanding_pages;
    pi->scrub_pages = 0;
    pi->cpu_khz = hp.cpu_khz;
    pi->max_mfn = hp.max_mfn;
    pi->capabilities = XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_pv |
                       XEN_SYSCTL_PHYSCAP_hap | XEN_SYSCTL_PHYSCAP_shadow |
                       XEN_SYSCTL_PHYSCAP_gnttab_v1 |
                       XEN_SYSCTL_PHYSCAP_gnttab_v2;
}

/* Returns 0 or -EFAULT; updates ni->num_nodes as Xen does. */
static long sysctl_numainfo(struct caller *c, struct xen_sysctl_numainfo *ni,
                            bool *copyback_num)
{
    struct host *h = c->h;
    unsigned int i, j, num_nodes = h->nr_nodes;
    uint64_t meminfo_addr = handle_addr(ni->meminfo.p);
    uint64_t distance_addr = handle_addr(ni->distance.p);
    bool do_meminfo = !guest_handle_is_null(meminfo_addr);
    bool do_distance = !guest_handle_is_null(distance_addr);

    if ( do_meminfo || do_distance )
    {
        if ( num_nodes > ni->num_nodes )
            num_nodes = ni->num_nodes;
        for ( i = 0; i < num_nodes; ++i )
        {
            if ( do_meminfo )
            {
                struct xen_sysctl_meminfo meminfo;
                struct host_numainfo hn;

                host_get_numainfo(h, i, &hn);
                meminfo.memsize = hn.memsize;
                meminfo.memfree = hn.memfree;
                if ( copy_to_guest_raw(c->mem, meminfo_addr + i * sizeof(meminfo),
                                       &meminfo, sizeof(meminfo)) )
                    return -EFAULT;
            }
            if ( do_distance )
            {
                uint32_t distance[MAX_NUMNODES];

                for ( j = 0; j < num_nodes; j++ )
                    distance[j] = h->spec->distance[i][j];   /* unreachable: ~0 */
                if ( copy_to_guest_raw(c->mem,
                                       distance_addr +
                                       (uint64_t)i * num_nodes * sizeof(uint32_t),
                                       distance, num_nodes * sizeof(uint32_t)) )
                    return -EFAULT;
            }
        }
    }
    else
        i = num_nodes;

    if ( ni->num_nodes != i )
    {
        ni->num_nodes = i;
        *copyback_num = true;
    }
    return 0;
}

/*
 * read_console_ring: from the consumer index (or, incremental, from index
 * if it lies in the ring), up to count bytes.  clear moves the consumer
 * index past what was read.  Indices are 32-bit and wrap, as Xen's.
 */
static long sysctl_readconsole(struct caller *c,
                               struct xen_sysctl_readconsole *rc)
{
    struct host *h = c->h;
    uint64_t buf = handle_addr(rc->buffer.p);
    size_t prod, cons;
    uint32_t sofar = 0, c32, p32;
    char tmp[1024];

    pthread_mutex_lock(&h->console_lock);
    prod = h->conring_prod;
    cons = h->conring_cons;
    if ( prod - cons > h->conring_size )
        cons = prod - h->conring_size;  /* overwritten: the oldest kept */
    pthread_mutex_unlock(&h->console_lock);

    c32 = (uint32_t)cons;
    p32 = (uint32_t)prod;
    if ( rc->incremental &&
         (c32 <= p32 ? c32 < rc->index && rc->index <= p32
                     : c32 < rc->index || rc->index <= p32) )
        cons = prod - (uint32_t)(p32 - rc->index);

    while ( cons != prod && sofar < rc->count )
    {
        size_t want = rc->count - sofar, n;

        if ( want > sizeof(tmp) )
            want = sizeof(tmp);
        n = console_read(h, &cons, tmp, want);
        if ( !n )
            break;
        if ( copy_to_guest_raw(c->mem, buf + sofar, tmp, n) )
            return -EFAULT;
        sofar += n;
    }

    if ( rc->clear )
    {
        pthread_mutex_lock(&h->console_lock);
        h->conring_cons = prod - cons > h->conring_size
                          ? prod - h->conring_size : cons;
        pthread_mutex_unlock(&h->console_lock);
    }
    rc->count = sofar;
    rc->index = (uint32_t)cons;
    return 0;
}

static long sysctl_getdomaininfolist(struct caller *c,
                                     struct xen_sysctl_getdomaininfolist *dl)
{
    struct host *h = c->h;
    struct xen_domctl_getdomaininfo info;
    uint64_t buf = handle_addr(dl->buffer.p);
    uint32_t num_domains = 0;
    unsigned int id = dl->first_domain;
    struct domain *d;
    long ret = 0;

    /*
     * Xen walks the list under the RCU read lock; here each domain is held
     * by a reference while it is reported, the list lock only while the
     * next one is found.
     */
    for ( ; (d = get_domain_from(h, id)) != NULL; put_domain(d) )
    {
        id = d->domain_id + 1;
        /* Full: stop here rather than walk every free id after the last. */
        if ( num_domains == dl->max_domains )
            break;
        if ( !d )
            continue;
        /* xsm_getdomaininfo(XSM_HOOK): anyone past xsm_sysctl. */
        if ( xsm_default_action(XSM_HOOK, c->d, d) )
            continue;
        getdomaininfo(d, &info);
        if ( copy_to_guest_raw(c->mem, buf + (uint64_t)num_domains * sizeof(info),
                               &info, sizeof(info)) )
        {
            ret = -EFAULT;
            break;
        }
        num_domains++;
    }
    if ( d )
        put_domain(d);
    if ( !ret )
        dl->num_domains = num_domains;
    return ret;
}

/* A null cputopo handle asks for num_cpus; a short array gets that many. */
static long sysctl_cputopoinfo(struct caller *c,
                               struct xen_sysctl_cputopoinfo *ti,
                               uint64_t u_sysctl)
{
    const struct hostspec *hs = c->h->spec;
    uint64_t topo = handle_addr(ti->cputopo.p);
    unsigned int i, num_cpus = hs->nr_cpus;     /* all present */

    if ( !guest_handle_is_null(topo) )
    {
        if ( num_cpus > ti->num_cpus )
            num_cpus = ti->num_cpus;
        for ( i = 0; i < num_cpus; i++ )
        {
            struct xen_sysctl_cputopo t = {
                .core = hs->cpu[i].core,
                .socket = hs->cpu[i].socket,
                .node = hs->cpu[i].node,
            };

            if ( copy_to_guest_raw(c->mem, topo + i * sizeof(t), &t, sizeof(t)) )
                return -EFAULT;
        }
    }
    else
        i = num_cpus;

    if ( ti->num_cpus != i )
    {
        ti->num_cpus = i;
        if ( copy_to_guest_raw(c->mem,
                               u_sysctl + offsetof(struct xen_sysctl,
                                                   u.cputopoinfo.num_cpus),
                               &ti->num_cpus, sizeof(ti->num_cpus)) )
            return -EFAULT;
    }
    return 0;
}

long do_sysctl(struct caller *c, uint64_t u_sysctl)
{
    struct xen_sysctl op;
    bool copyback_num = false;
    int copyback = -1;      /* Xen's: >0 always, <0 on success, 0 never */
    long ret = 0;

    if ( copy_from_guest_raw(c->mem, &op, u_sysctl, sizeof(op)) )
        return -EFAULT;
    if ( op.interface_version != XEN_SYSCTL_INTERFACE_VERSION )
        return -EACCES;
    /* xsm_sysctl(XSM_PRIV, ...): the dummy policy allows the control domain. */
    if ( xsm_default_action(XSM_PRIV, c->d, NULL) )
        return -EPERM;

    /*
     * As 4.17: every sysctl runs under sysctl_lock, taken with a trylock
     * (a sysctl critical section might want to synchronise with this
     * vCPU), spinning until preemption is due, then continuing.
     */
    while ( pthread_mutex_trylock(&c->h->sysctl_lock) )
    {
        if ( hypercall_preempt_check(c) )
        {
            unsigned long arg = u_sysctl;

            return hypercall_create_continuation(c, __HYPERVISOR_sysctl, 1,
                                                 &arg);
        }
        sched_yield();
    }

    switch ( op.cmd )
    {
    case XEN_SYSCTL_readconsole:
        /* xsm_readconsole(XSM_HOOK): anyone past xsm_sysctl. */
        ret = sysctl_readconsole(c, &op.u.readconsole);
        break;

    case XEN_SYSCTL_sched_id:
        op.u.sched_id.sched_id = sched_id(c->h);
        break;

    case XEN_SYSCTL_get_cpu_featureset:
    case XEN_SYSCTL_get_cpu_policy:
        ret = cpu_policy_sysctl(c, &op, u_sysctl);
        break;

    case XEN_SYSCTL_debug_keys:
    {
        uint64_t keys = handle_addr(op.u.debug_keys.keys.p);
        uint32_t i;
        char k;

        /* xsm_debug_keys(XSM_HOOK); keys are copied one at a time. */
        copyback = 0;
        for ( i = 0; i < op.u.debug_keys.nr_keys; i++ )
        {
            if ( copy_from_guest_raw(c->mem, &k, keys + i, 1) )
            {
                ret = -EFAULT;
                break;
            }
            handle_keypress(c->h, (unsigned char)k);
        }
        break;
    }

    case XEN_SYSCTL_getdomaininfolist:
        ret = sysctl_getdomaininfolist(c, &op.u.getdomaininfolist);
        break;

    case XEN_SYSCTL_availheap:
        op.u.availheap.avail_bytes =
            (uint64_t)avail_domheap_pages_region(c->h,
                                                 (unsigned int)op.u.availheap.node,
                                                 op.u.availheap.min_bitwidth,
                                                 op.u.availheap.max_bitwidth)
            << PAGE_SHIFT;
        break;

    case XEN_SYSCTL_cputopoinfo:
        ret = sysctl_cputopoinfo(c, &op.u.cputopoinfo, u_sysctl);
        break;

    case XEN_SYSCTL_physinfo:
        sysctl_physinfo(c, &op.u.physinfo);
        if ( copy_to_guest_raw(c->mem, u_sysctl, &op, sizeof(op)) )
            ret = -EFAULT;
        break;

    case XEN_SYSCTL_numainfo:
        ret = sysctl_numainfo(c, &op.u.numainfo, &copyback_num);
        if ( !ret && copyback_num &&
             copy_to_guest_raw(c->mem,
                               u_sysctl + offsetof(struct xen_sysctl,
                                                   u.numainfo.num_nodes),
                               &op.u.numainfo.num_nodes,
                               sizeof(op.u.numainfo.num_nodes)) )
            ret = -EFAULT;
        break;

    default:
        ret = -ENOSYS;
        copyback = 0;
        break;
    }
    pthread_mutex_unlock(&c->h->sysctl_lock);

    if ( copyback && (!ret || copyback > 0) &&
         copy_to_guest_raw(c->mem, u_sysctl, &op, sizeof(op)) )
        ret = -EFAULT;
    return ret;
}
