/*
 * x86_mm.c - x86 mm.c: Xen-heap pages shared with a guest
 * (share_xen_page_with_guest) and arch_memory_op.
 *
 * arch_memory_op, as 4.17 (it switches on the whole cmd, so any op here
 * with continuation bits set is -ENOSYS):
 *  XENMEM_set_memory_map      a domain's e820 (struct xen_foreign_memory_map),
 *                             XSM_TARGET on it.  -EFAULT, -EINVAL (more
 *                             than E820MAX entries), -ESRCH, -EPERM, -ENOMEM.
 *  XENMEM_memory_map          the calling domain's own e820; nr_entries in,
 *                             the number copied out.  -ENOSYS when none was
 *                             set (Xen's "backwards compatibility"), -EFAULT.
 *  XENMEM_machine_memory_map  the host's e820 (control domain only, -EPERM):
 *                             the hostspec's RAM ranges, merged where they
 *                             touch, as E820_RAM.  A null buffer asks for the
 *                             count; otherwise nr_entries must leave room for
 *                             one more entry than the map has (-EINVAL), and
 *                             the buffer must be accessible (-EFAULT).
 *  XENMEM_set/get_pod_target  handed to p2m-pod.c.
 *  anything else              -ENOSYS (Xen's subarch_memory_op ops such as
 *                             machphys_mapping are not modelled).
 *
 * Deviation: Xen reports the gaps between RAM ranges that the caller has no
 * iomem access to as E820_RESERVED (e.g. the local APIC and IO-APIC pages);
 * xenmm models no MMIO, so its machine map is RAM only.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/memory.h>

#include "core.h"
#include "hypercall.h"
#include "p2m.h"
#include "xsm.h"

#define E820_RAM 1

static inline uint64_t handle_addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

void share_xen_page_with_guest(struct page_info *pg, struct domain *d)
{
    struct host *h = d->host;

    /* The caller holds pg (a Xen-heap page): its head is read as is. */
    if ( pg->u.inuse.owner == d->domain_id + 1 )
        return;

    set_gpfn_from_mfn(h, page_to_mfn(h, pg), 0, INVALID_M2P_ENTRY);

    pthread_mutex_lock(&d->page_alloc_lock);
    /*
     * Xen records the owner even for a dying domain but does not list the
     * page; here such a page stays unowned, so nothing looks owned that is
     * not on one of the domain's lists.
     */
    if ( !d->is_dying )
    {
        page_head_set(h, pg, d,
                      pg->count_info | PGC_xen_heap | PGC_allocated | 1);
        if ( d->xenheap_pages++ == 0 )
            get_knownalive_domain(d);
        page_list_add_tail(h, pg, &d->xenpage_list);
    }
    pthread_mutex_unlock(&d->page_alloc_lock);
}

void unshare_xen_page_with_guest(struct page_info *pg, struct domain *d)
{
    struct host *h = d->host;
    bool drop_dom_ref;

    /*
     * Compare the raw owner id, not page_get_owner(): d may be a domain
     * that never got into the domain table (a failed creation).  Under
     * d's page_alloc_lock: domain_kill may be unsharing it too.
     */
    pthread_mutex_lock(&d->page_alloc_lock);
    if ( pg->u.inuse.owner != d->domain_id + 1 ||
         !(pg->count_info & PGC_allocated) )
    {
        pthread_mutex_unlock(&d->page_alloc_lock);
        return;
    }
    page_list_del(h, pg, &d->xenpage_list);
    drop_dom_ref = --d->xenheap_pages == 0;
    page_head_set(h, pg, NULL,
                  pg->count_info & ~(PGC_allocated | PGC_count_mask));
    pthread_mutex_unlock(&d->page_alloc_lock);
    if ( drop_dom_ref )
        put_domain(d);
}

static long set_memory_map(struct caller *c, uint64_t arg)
{
    struct xen_foreign_memory_map fmap;
    struct e820entry *e820 = NULL, *old;
    struct domain *d;
    int rc;

    if ( copy_from_guest_raw(c->mem, &fmap, arg, sizeof(fmap)) )
        return -EFAULT;
    if ( fmap.map.nr_entries > E820MAX )
        return -EINVAL;

    d = caller_domain_by_any_id(c, fmap.domid);
    if ( d == NULL )
        return -ESRCH;
    if ( (rc = xsm_default_action(XSM_TARGET, c->d, d)) )
        goto out;

    if ( fmap.map.nr_entries )
    {
        rc = -ENOMEM;
        e820 = malloc(fmap.map.nr_entries * sizeof(*e820));
        if ( e820 == NULL )
            goto out;
        rc = -EFAULT;
        if ( copy_from_guest_raw(c->mem, e820, handle_addr(fmap.map.buffer.p),
                                 fmap.map.nr_entries * sizeof(*e820)) )
        {
            free(e820);
            goto out;
        }
    }

    pthread_mutex_lock(&d->e820_lock);
    old = d->e820;
    d->e820 = e820;
    d->nr_e820 = fmap.map.nr_entries;
    pthread_mutex_unlock(&d->e820_lock);
    free(old);
    rc = 0;
 out:
    put_domain(d);
    return rc;
}

static long memory_map(struct caller *c, uint64_t arg)
{
    struct xen_memory_map map;
    struct domain *d = c->d;
    long rc = 0;

    if ( copy_from_guest_raw(c->mem, &map, arg, sizeof(map)) )
        return -EFAULT;

    pthread_mutex_lock(&d->e820_lock);
    if ( d->nr_e820 == 0 || d->e820 == NULL )
        rc = -ENOSYS;
    else
    {
        if ( map.nr_entries > d->nr_e820 )
            map.nr_entries = d->nr_e820;
        if ( copy_to_guest_raw(c->mem, handle_addr(map.buffer.p), d->e820,
                               map.nr_entries * sizeof(*d->e820)) ||
             copy_to_guest_raw(c->mem, arg, &map, sizeof(map)) )
            rc = -EFAULT;
    }
    pthread_mutex_unlock(&d->e820_lock);
    return rc;
}

static int cmp_range(const void *a, const void *b)
{
    const struct e820entry *x = a, *y = b;

    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The host's e820: every RAM range of the hostspec, sorted and merged. */
static struct e820entry *host_e820(const struct host *h, unsigned int *nr)
{
    const struct hostspec *hs = h->spec;
    struct e820entry *map;
    unsigned int node, r, n = 0, i, out;

    for ( node = 0; node < hs->nr_nodes; node++ )
        n += hs->node[node].nr_ranges;
    map = calloc(n ? n : 1, sizeof(*map));
    if ( map == NULL )
        return NULL;
    n = 0;
    for ( node = 0; node < hs->nr_nodes; node++ )
        for ( r = 0; r < hs->node[node].nr_ranges; r++ )
        {
            map[n].addr = hs->node[node].range[r].start;
            map[n].size = hs->node[node].range[r].end -
                          hs->node[node].range[r].start;
            map[n].type = E820_RAM;
            n++;
        }
    qsort(map, n, sizeof(*map), cmp_range);

    /* A firmware map has one entry per contiguous run, not per node. */
    for ( i = 0, out = 0; i < n; i++ )
    {
        if ( out && map[out - 1].addr + map[out - 1].size == map[i].addr )
            map[out - 1].size += map[i].size;
        else
            map[out++] = map[i];
    }
    *nr = out;
    return map;
}

static long machine_memory_map(struct caller *c, uint64_t arg)
{
    struct xen_memory_map map;
    struct e820entry *e820;
    unsigned int nr_map, i;
    uint64_t buffer;
    bool store;
    long rc = 0;

    if ( (rc = xsm_default_action(XSM_PRIV, c->d, NULL)) )
        return rc;
    if ( copy_from_guest_raw(c->mem, &map, arg, sizeof(map)) )
        return -EFAULT;

    e820 = host_e820(c->h, &nr_map);
    if ( e820 == NULL )
        return -ENOMEM;

    buffer = handle_addr(map.buffer.p);
    store = !guest_handle_is_null(buffer);
    if ( store && map.nr_entries < nr_map + 1 )
    {
        rc = -EINVAL;
        goto out;
    }
    if ( store && !guest_access_okay(c->mem, buffer,
                                     (uint64_t)map.nr_entries * sizeof(*e820)) )
    {
        rc = -EFAULT;
        goto out;
    }

    /* No MMIO is modelled: the map is the RAM entries, one by one. */
    for ( i = 0; store && i < nr_map; i++ )
        if ( copy_to_guest_raw(c->mem, buffer + i * sizeof(*e820), &e820[i],
                               sizeof(*e820)) )
        {
            rc = -EFAULT;
            goto out;
        }

    map.nr_entries = nr_map;
    if ( copy_to_guest_raw(c->mem, arg, &map, sizeof(map)) )
        rc = -EFAULT;

 out:
    free(e820);
    return rc;
}

long arch_memory_op(struct caller *c, unsigned long cmd, uint64_t arg)
{
    switch ( cmd )
    {
    case XENMEM_set_memory_map:
        return set_memory_map(c, arg);
    case XENMEM_memory_map:
        return memory_map(c, arg);
    case XENMEM_machine_memory_map:
        return machine_memory_map(c, arg);
    case XENMEM_set_pod_target:
    case XENMEM_get_pod_target:
        return xenmem_pod_target_op(c, cmd, arg);
    default:
        return -ENOSYS;
    }
}
