/*
 * sysctl.c - XEN_SYSCTL (Xen 4.17's common/sysctl.c and arch/x86/sysctl.c)
 * at the ABI of Debian's <xen/sysctl.h>: the argument is copied in, the
 * interface version must be 0x15 (-EACCES), the dummy XSM policy allows
 * only the control domain (-EPERM), and the result is copied back.
 *
 * Built so far: physinfo and numainfo.  Other commands return -ENOSYS, as
 * Xen's arch_do_sysctl() does for an unknown command (issue 3 adds the
 * rest).  hw_cap is left zero: there is no boot CPU to read it from.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/sysctl.h>

#include "core.h"
#include "hypercall.h"
#include "xsm.h"

_Static_assert(XEN_SYSCTL_INTERFACE_VERSION == 0x15, "Xen 4.17 sysctl ABI");

static inline uint64_t handle_addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

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

long do_sysctl(struct caller *c, uint64_t u_sysctl)
{
    struct xen_sysctl op;
    bool copyback_num = false;
    long ret = 0;

    if ( copy_from_guest_raw(c->mem, &op, u_sysctl, sizeof(op)) )
        return -EFAULT;
    if ( op.interface_version != XEN_SYSCTL_INTERFACE_VERSION )
        return -EACCES;
    /* xsm_sysctl(XSM_PRIV, ...): the dummy policy allows the control domain. */
    if ( xsm_default_action(XSM_PRIV, c->d, NULL) )
        return -EPERM;

    switch ( op.cmd )
    {
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
        break;
    }
    return ret;
}
