/*
 * domctl.c - XEN_DOMCTL_* at the Xen 4.17 ABI of Debian's <xen/domctl.h>
 * (common/domctl.c and the parts of arch/x86/domctl.c xenmm has), and
 * the vNUMA pair XEN_DOMCTL_setvnumainfo / XENMEM_get_vnumainfo.
 *
 * do_domctl() copies the 144-byte struct xen_domctl in, requires interface
 * version 0x15 (-EACCES), looks the domain up as 4.17 does (-ESRCH; none
 * for createdomain; getdomaininfo finds the first domain at or above the
 * id), applies the dummy XSM policy (xsm_domctl: the control domain only,
 * getdomaininfo also the xenstore domain and a device model for its
 * target; -EPERM), runs the command and copies the struct back where Xen
 * does.  Commands xenmm does not have return -ENOSYS, as Xen's
 * arch_do_domctl() does for an unknown one.
 *
 * Built: createdomain, destroydomain, pausedomain, unpausedomain,
 * resumedomain, getdomaininfo, max_vcpus, max_mem, set/getvcpuaffinity,
 * set/getnodeaffinity, scheduler_op (credit), setdomainhandle,
 * setdebugging, settimeoffset, getvcpuinfo, set_target, setvnumainfo,
 * set_virq_handler (event_channel.c), get/set_paging_mempool_size and
 * shadow_op's allocation ops (paging.c), get/sethvmcontext and
 * gethvmcontext_partial (hvm_save.c),
 * settscinfo/gettscinfo (time.c), get/set_cpu_policy (cpu_policy.c),
 * set/get_address_size, hypercall_init, set/getvcpucontext
 * (pv_domctl.c).
 *
 * Locks, as 4.17: the domain is looked up with a reference (held to the
 * end); after XSM every command runs under the host's domctl_lock and the
 * caller's hypercall_deadlock_mutex, both taken with trylock, a busy one
 * making the domctl continue (re-issue itself), as Xen's
 * domctl_lock_acquire.  xenmm also holds the target's domain_lock across
 * the command (Xen relies on domain_pause and the scheduler's locks; the
 * domain_lock makes the state these commands write safe to read from
 * getdomaininfolist and the HVM ops), except for destroydomain, whose
 * teardown takes the p2m lock, which comes before it.
 *
 * Deviations: cpu_time is always 0 (nothing runs).
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/memory.h>

#include "core.h"
#include "domctl.h"
#include "event_channel.h"
#include "p2m.h"
#include "xsm.h"

_Static_assert(XEN_DOMCTL_INTERFACE_VERSION == 0x15, "Xen 4.17 domctl ABI");
_Static_assert(sizeof(struct xen_domctl) == 16 + 128, "xen_domctl is 144 bytes");
_Static_assert(sizeof(struct xen_domctl_getdomaininfo) == 112,
               "4.17 getdomaininfo");

#define GPADDR_BITS 48          /* hap_paddr_bits: the p2m's 48-bit gfns */
#define CONTROLLER_PAUSE_MAX 255

/* ------------------------------------------------------------------ */
/* getdomaininfo (shared with XEN_SYSCTL_getdomaininfolist).           */

/*
 * v->is_running: nothing really runs, so a vCPU counts as running when it
 * is up, not blocked, and neither it nor its domain is paused or dead.
 */
static bool vcpu_running(const struct vcpu *v)
{
    const struct domain *d = v->domain;

    return !(v->pause_flags & (VPF_down | VPF_blocked)) && !v->pause_count &&
           !d->pause_count && !d->is_shut_down && !d->is_dying;
}

/* d's control state is read under its domain_lock; the counts are atomic. */
void getdomaininfo(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    uint32_t flags = XEN_DOMINF_blocked;
    unsigned int i;

    pthread_mutex_lock(&d->domain_lock);
    memset(info, 0, sizeof(*info));
    info->domain = d->domain_id;
    info->max_vcpu_id = XEN_INVALID_MAX_VCPU_ID;

    /* Blocked only if every vCPU is; running if any is. */
    for ( i = 0; i < d->max_vcpus; i++ )
    {
        const struct vcpu *v = d->vcpu[i];

        if ( !v )
            continue;
        info->max_vcpu_id = v->vcpu_id;
        if ( v->pause_flags & VPF_down )
            continue;
        if ( !(v->pause_flags & VPF_blocked) )
            flags &= ~XEN_DOMINF_blocked;
        if ( vcpu_running(v) )
            flags |= XEN_DOMINF_running;
        info->nr_online_vcpus++;
    }
    info->cpu_time = 0;

    /*
     * As 4.17: the shutdown code is shifted in even when the domain is
     * not shut down (then it is SHUTDOWN_CODE_INVALID, all ones).
     */
    info->flags = (info->nr_online_vcpus ? flags : 0) |
                  (d->is_dying ? XEN_DOMINF_dying : 0) |
                  (d->is_shut_down ? XEN_DOMINF_shutdown : 0) |
                  (d->pause_count > 0 ? XEN_DOMINF_paused : 0) |
                  (d->debugger_attached ? XEN_DOMINF_debugged : 0) |
                  (is_xenstore_domain(d) ? XEN_DOMINF_xs_domain : 0) |
                  (is_hvm_domain(d) ? XEN_DOMINF_hvm_guest : 0) |
                  d->shutdown_code << XEN_DOMINF_shutdownshift;

    info->tot_pages = domain_tot_pages(d);
    info->max_pages = d->max_pages;
    info->outstanding_pages = d->outstanding_pages;
    info->shr_pages = 0;                /* no CONFIG_MEM_SHARING */
    info->paged_pages = d->p2m ? d->p2m->paged_pages : 0;
    if ( d->shared_info )
    {
        mfn_t mfn = page_to_mfn(d->host, d->shared_info);

        /* mfn_to_gfn(): a PV domain sees MFNs, an HVM one the M2P. */
        info->shared_info_frame = paging_mode_translate(d)
                                  ? get_gpfn_from_mfn(d->host, mfn)
                                  : mfn_x(mfn);
    }
    info->ssidref = d->ssidref;
    info->cpupool = d->cpupool_id;
    memcpy(info->handle, d->handle, sizeof(info->handle));

    /* arch_get_domain_info */
    if ( is_hvm_domain(d) && hap_enabled(d) )
        info->flags |= XEN_DOMINF_hap;
    info->arch_config.emulation_flags = d->emulation_flags;
    info->gpaddr_bits = GPADDR_BITS;
    pthread_mutex_unlock(&d->domain_lock);
}

/* ------------------------------------------------------------------ */
/* vNUMA.                                                              */

/* vnuma_alloc: each array within a page (XSA-77). */
static struct vnuma_info *vnuma_alloc(unsigned int nr_vnodes,
                                      unsigned int nr_ranges,
                                      unsigned int nr_vcpus, int *rc)
{
    struct vnuma_info *v;

    *rc = -EINVAL;
    if ( nr_vnodes == 0 ||
         nr_vnodes > PAGE_SIZE / sizeof(*v->vdistance) / nr_vnodes ||
         nr_ranges > PAGE_SIZE / sizeof(*v->vmemrange) )
        return NULL;
    *rc = -ENOMEM;
    if ( (v = calloc(1, sizeof(*v))) == NULL )
        return NULL;
    v->vdistance = calloc(nr_vnodes * nr_vnodes, sizeof(*v->vdistance));
    v->vcpu_to_vnode = calloc(nr_vcpus ? nr_vcpus : 1, sizeof(*v->vcpu_to_vnode));
    v->vnode_to_pnode = calloc(nr_vnodes, sizeof(*v->vnode_to_pnode));
    v->vmemrange = calloc(nr_ranges ? nr_ranges : 1, sizeof(*v->vmemrange));
    if ( !v->vdistance || !v->vcpu_to_vnode || !v->vnode_to_pnode ||
         !v->vmemrange )
    {
        vnuma_destroy(v);
        return NULL;
    }
    return v;
}

/*
 * vnuma_init: -EINVAL (nr_vcpus is not max_vcpus, pad, sizes, vmemrange
 * flags), -E2BIG (a vCPU's vnode or a pnode out of range), -EFAULT,
 * -ENOMEM.
 */
static struct vnuma_info *vnuma_init(struct caller *c,
                                     const struct xen_domctl_vnuma *u,
                                     const struct domain *d, int *rc)
{
    unsigned int i, nr_vnodes = u->nr_vnodes;
    struct vnuma_info *info;

    *rc = -EINVAL;
    if ( u->nr_vcpus != d->max_vcpus || u->pad != 0 )
        return NULL;
    if ( (info = vnuma_alloc(nr_vnodes, u->nr_vmemranges, d->max_vcpus,
                             rc)) == NULL )
        return NULL;

    *rc = -EFAULT;
    if ( copy_from_guest_raw(c->mem, info->vdistance, handle_addr(u->vdistance.p),
                             nr_vnodes * nr_vnodes * sizeof(*info->vdistance)) ||
         copy_from_guest_raw(c->mem, info->vmemrange, handle_addr(u->vmemrange.p),
                             u->nr_vmemranges * sizeof(*info->vmemrange)) ||
         copy_from_guest_raw(c->mem, info->vcpu_to_vnode,
                             handle_addr(u->vcpu_to_vnode.p),
                             d->max_vcpus * sizeof(*info->vcpu_to_vnode)) )
        goto fail;

    *rc = -E2BIG;
    for ( i = 0; i < d->max_vcpus; i++ )
        if ( info->vcpu_to_vnode[i] >= nr_vnodes )
            goto fail;
    for ( i = 0; i < nr_vnodes; i++ )
    {
        unsigned int pnode;

        *rc = -EFAULT;
        if ( copy_from_guest_raw(c->mem, &pnode,
                                 handle_addr(u->vnode_to_pnode.p) +
                                 i * sizeof(pnode), sizeof(pnode)) )
            goto fail;
        *rc = -E2BIG;
        if ( pnode >= MAX_NUMNODES )
            goto fail;
        info->vnode_to_pnode[i] = pnode;
    }
    info->nr_vnodes = nr_vnodes;
    info->nr_vmemranges = u->nr_vmemranges;

    *rc = -EINVAL;
    for ( i = 0; i < info->nr_vmemranges; i++ )
        if ( info->vmemrange[i].flags != 0 )
            goto fail;
    *rc = 0;
    return info;

 fail:
    vnuma_destroy(info);
    return NULL;
}

static long vnuma_domctl(struct caller *c, struct domain *d,
                         const struct xen_domctl_vnuma *uinfo)
{
    struct vnuma_info *vnuma;
    int rc;

    if ( (vnuma = vnuma_init(c, uinfo, d, &rc)) == NULL )
        return rc;
    /* Overwrite the domain's vNUMA topology. */
    pthread_rwlock_wrlock(&d->vnuma_rwlock);
    vnuma_destroy(d->vnuma);
    d->vnuma = vnuma;
    pthread_rwlock_unlock(&d->vnuma_rwlock);
    return 0;
}

/*
 * XENMEM_get_vnumainfo (common/memory.c): the caller says how big its
 * arrays are; too small gets the sizes back and -ENOBUFS.  -EINVAL (pad),
 * -ESRCH, -EPERM (XSM_TARGET), -EOPNOTSUPP (no vNUMA), -EFAULT.
 * memory.c does not pass start_extent, so 4.17's check that it is 0 is
 * not made here.
 */
long xenmem_get_vnumainfo(struct caller *c, uint64_t arg)
{
    struct xen_vnuma_topology_info topo;
    unsigned int nodes, ranges, vcpus;
    struct domain *d;
    long rc;

    if ( copy_from_guest_raw(c->mem, &topo, arg, sizeof(topo)) )
        return -EFAULT;
    if ( topo.pad != 0 )
        return -EINVAL;
    if ( (d = caller_domain_by_any_id(c, topo.domid)) == NULL )
        return -ESRCH;
    if ( (rc = xsm_default_action(XSM_TARGET, c->d, d)) )
        goto out_put;

    pthread_rwlock_rdlock(&d->vnuma_rwlock);
    if ( d->vnuma == NULL )
    {
        rc = -EOPNOTSUPP;
        goto out;
    }
    nodes = d->vnuma->nr_vnodes;
    ranges = d->vnuma->nr_vmemranges;
    vcpus = d->max_vcpus;
    if ( topo.nr_vnodes < nodes || topo.nr_vcpus < vcpus ||
         topo.nr_vmemranges < ranges )
    {
        pthread_rwlock_unlock(&d->vnuma_rwlock);
        topo.nr_vnodes = nodes;
        topo.nr_vcpus = vcpus;
        topo.nr_vmemranges = ranges;
        rc = copy_to_guest_raw(c->mem, arg, &topo, sizeof(topo))
             ? -EFAULT : -ENOBUFS;
        goto out_put;
    }

    /* Xen copies under the lock into bounce buffers; the effect is this. */
    rc = -EFAULT;
    if ( copy_to_guest_raw(c->mem, handle_addr(topo.vmemrange.h.p),
                           d->vnuma->vmemrange,
                           ranges * sizeof(*d->vnuma->vmemrange)) ||
         copy_to_guest_raw(c->mem, handle_addr(topo.vdistance.h.p),
                           d->vnuma->vdistance,
                           nodes * nodes * sizeof(*d->vnuma->vdistance)) ||
         copy_to_guest_raw(c->mem, handle_addr(topo.vcpu_to_vnode.h.p),
                           d->vnuma->vcpu_to_vnode,
                           vcpus * sizeof(*d->vnuma->vcpu_to_vnode)) )
        goto out;
    topo.nr_vnodes = nodes;
    topo.nr_vcpus = vcpus;
    topo.nr_vmemranges = ranges;
    rc = copy_to_guest_raw(c->mem, arg, &topo, sizeof(topo)) ? -EFAULT : 0;
 out:
    pthread_rwlock_unlock(&d->vnuma_rwlock);
 out_put:
    put_domain(d);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Domain lifecycle.                                                   */

/*
 * createdomain's id: an explicit free one, or (0 or a reserved id) the
 * next free one after the last picked, from 1 up, wrapping.  -EEXIST,
 * -ENOMEM (none free).  4.17 never re-checks the rover's own id.
 */
/* is_free_domid: nobody (not even a zombie) has the id. */
static bool is_free_domid(struct host *h, domid_t dom)
{
    struct domain *d;

    if ( dom >= DOMID_FIRST_RESERVED )
        return false;
    if ( (d = get_domain_by_id(h, dom)) == NULL )
        return true;
    put_domain(d);
    return false;
}

/* domctl_lock held: it serialises the rover and the ids it hands out. */
static long createdomain_pick_id(struct host *h, domid_t want, domid_t *dom)
{
    unsigned int n, id = h->domid_rover;

    if ( want > 0 && want < DOMID_FIRST_RESERVED )
    {
        if ( !is_free_domid(h, want) )
            return -EEXIST;
        *dom = want;
        return 0;
    }
    for ( n = 0; n < DOMID_FIRST_RESERVED - 1; n++ )
    {
        if ( ++id == DOMID_FIRST_RESERVED )
            id = 1;
        if ( id == h->domid_rover )
            break;
        if ( is_free_domid(h, id) )
        {
            h->domid_rover = id;
            *dom = id;
            return 0;
        }
    }
    return -ENOMEM;
}

static long domctl_createdomain(struct caller *c, struct xen_domctl *op)
{
    struct domain *d;
    domid_t dom;
    long ret;
    int rc;

    if ( (ret = createdomain_pick_id(c->h, op->domain, &dom)) )
        return ret;
    d = domain_create(c->h, dom, &op->u.createdomain, 0, &rc);
    if ( !d )
        return rc;
    op->domain = d->domain_id;
    /* Xen sanitises the config in place and copies it back. */
    op->u.createdomain.flags = d->createflags;
    return 0;
}

/* domain_pause_by_systemcontroller: at most 255 deep. */
static long domain_pause_by_systemcontroller(struct domain *d)
{
    if ( d->pause_count + 1 > CONTROLLER_PAUSE_MAX )
        return -EOVERFLOW;
    d->pause_count++;
    return 0;
}

/* The toolstack's first unpause finishes creation; an extra one: -EINVAL. */
static long domain_unpause_by_systemcontroller(struct domain *d)
{
    if ( d->pause_count == 0 )
        return -EINVAL;
    if ( --d->pause_count == 0 && !d->creation_finished )
        d->creation_finished = true;
    return 0;
}

/* domain_resume: undo a shutdown (the guest's suspend, typically). */
static void domain_resume(struct domain *d)
{
    d->is_shutting_down = false;
    d->is_shut_down = false;
    d->shutdown_code = ~0U;             /* SHUTDOWN_CODE_INVALID */
}

static long domctl_max_vcpus(struct caller *c, struct domain *d,
                             unsigned int max)
{
    unsigned int i;

    /* max_vcpus was fixed by createdomain; this creates the vCPUs. */
    if ( d == c->d || max != d->max_vcpus )
        return -EINVAL;
    for ( i = 0; i < max; i++ )
        if ( !d->vcpu[i] && vcpu_create(d, i) )
            return -ENOMEM;
    domain_update_node_affinity(d);
    return 0;
}

static long domctl_getvcpuinfo(struct domain *d,
                               struct xen_domctl_getvcpuinfo *vi)
{
    const struct vcpu *v;

    if ( vi->vcpu >= d->max_vcpus )
        return -EINVAL;
    if ( (v = d->vcpu[vi->vcpu]) == NULL )
        return -ESRCH;
    vi->online = !(v->pause_flags & VPF_down);
    vi->blocked = !!(v->pause_flags & VPF_blocked);
    vi->running = vcpu_running(v);
    vi->cpu_time = 0;
    vi->cpu = v->processor;
    return 0;
}

/* d becomes the device model of the HVM domain target (XSM_DM_PRIV). */
static long domctl_set_target(struct caller *c, struct domain *d,
                              domid_t target)
{
    struct domain *e = get_domain_by_id(c->h, target);
    long rc = 0;

    if ( e == NULL )
        return -ESRCH;
    if ( d == e || d->target != NULL )
        rc = -EINVAL;
    else if ( !is_hvm_domain(e) )
        rc = -EOPNOTSUPP;
    if ( rc )
    {
        put_domain(e);
        return rc;
    }
    /*
     * The lookup's reference is kept until d goes (complete_domain_destroy
     * drops it): a destroyed target stays a zombie while d lives, as Xen's.
     */
    d->target = e;
    return 0;
}

/* Without a domain named exactly: the first one at or above the id. */
static long domctl_getdomaininfo(struct caller *c, struct domain *d,
                                 struct xen_domctl *op)
{
    struct domain *found = NULL;
    long ret;

    if ( !d )
    {
        if ( op->domain >= DOMID_FIRST_RESERVED )
            return -EINVAL;
        d = found = get_domain_from(c->h, op->domain);
    }
    if ( !d )
        return -ESRCH;
    /* xsm_getdomaininfo(XSM_HOOK) allows anyone xsm_domctl let in. */
    if ( !(ret = xsm_default_action(XSM_HOOK, c->d, d)) )
    {
        getdomaininfo(d, &op->u.getdomaininfo);
        op->domain = op->u.getdomaininfo.domain;
    }
    if ( found )
        put_domain(found);
    return ret;
}

/*
 * domctl_lock_acquire: the caller's hypercall_deadlock_mutex, then the
 * global domctl_lock, both by trylock (Xen: a domctl may pause the
 * caller's own vCPUs, so it must never wait for a lock another domctl
 * could hold).  False: try again later.
 */
static bool domctl_lock_acquire(struct caller *c)
{
    if ( pthread_mutex_trylock(&c->d->hypercall_deadlock_mutex) )
        return false;
    if ( !pthread_mutex_trylock(&c->h->domctl_lock) )
        return true;
    pthread_mutex_unlock(&c->d->hypercall_deadlock_mutex);
    return false;
}

static void domctl_lock_release(struct caller *c)
{
    pthread_mutex_unlock(&c->h->domctl_lock);
    pthread_mutex_unlock(&c->d->hypercall_deadlock_mutex);
}

/* xsm_domctl() of the dummy policy. */
static int xsm_domctl(struct caller *c, struct domain *d, uint32_t cmd)
{
    switch ( cmd )
    {
    case XEN_DOMCTL_ioport_mapping:
    case XEN_DOMCTL_memory_mapping:
    case XEN_DOMCTL_bind_pt_irq:
    case XEN_DOMCTL_unbind_pt_irq:
        return xsm_default_action(XSM_DM_PRIV, c->d, d);
    case XEN_DOMCTL_getdomaininfo:
        return xsm_default_action(XSM_XS_PRIV, c->d, d);
    default:
        return xsm_default_action(XSM_PRIV, c->d, d);
    }
}

long do_domctl(struct caller *c, uint64_t u_domctl)
{
    struct xen_domctl op;
    struct domain *d = NULL;
    bool copyback = false, dom_locked;
    long ret = 0;

    if ( copy_from_guest_raw(c->mem, &op, u_domctl, sizeof(op)) )
        return -EFAULT;
    if ( op.interface_version != XEN_DOMCTL_INTERFACE_VERSION )
        return -EACCES;

    switch ( op.cmd )
    {
    case XEN_DOMCTL_test_assign_device:
    case XEN_DOMCTL_vm_event_op:
        if ( op.domain == DOMID_INVALID )
            break;
        /* fallthrough */
    default:
        if ( op.cmd == XEN_DOMCTL_createdomain )
            break;
        d = get_domain_by_id(c->h, op.domain);
        if ( !d && op.cmd != XEN_DOMCTL_getdomaininfo )
            return -ESRCH;
        break;
    }

    if ( (ret = xsm_domctl(c, d, op.cmd)) )
        goto out;

    if ( !domctl_lock_acquire(c) )
    {
        unsigned long arg = u_domctl;

        /* The dispatcher re-issues at once: let the holder run first. */
        sched_yield();
        ret = hypercall_create_continuation(c, __HYPERVISOR_domctl, 1, &arg);
        goto out;
    }
    dom_locked = d && op.cmd != XEN_DOMCTL_destroydomain;
    if ( dom_locked )
        pthread_mutex_lock(&d->domain_lock);

    switch ( op.cmd )
    {
    case XEN_DOMCTL_createdomain:
        ret = domctl_createdomain(c, &op);
        copyback = !ret;
        break;

    case XEN_DOMCTL_destroydomain:
        /*
         * The domain dies now; the struct goes with the last reference
         * (ours, below, unless someone else still holds one).
         */
        if ( d == c->d )
            ret = -EINVAL;
        else
            domain_destroy(d);
        break;

    case XEN_DOMCTL_pausedomain:
        ret = d == c->d ? -EINVAL : domain_pause_by_systemcontroller(d);
        break;

    case XEN_DOMCTL_unpausedomain:
        ret = domain_unpause_by_systemcontroller(d);
        break;

    case XEN_DOMCTL_resumedomain:
        if ( d == c->d )                /* no domain_pause() */
            ret = -EINVAL;
        else
            domain_resume(d);
        break;

    case XEN_DOMCTL_getdomaininfo:
        ret = domctl_getdomaininfo(c, d, &op);
        copyback = !ret;
        break;

    case XEN_DOMCTL_max_vcpus:
        ret = domctl_max_vcpus(c, d, op.u.max_vcpus.max);
        break;

    case XEN_DOMCTL_max_mem:
    {
        uint64_t new_max = op.u.max_mem.max_memkb >> (PAGE_SHIFT - 10);

        /*
         * No check against tot_pages: the domain may "ratchet" down to the
         * new maximum, and while tot > max it gets nothing more.
         */
        pthread_mutex_lock(&d->page_alloc_lock);
        d->max_pages = new_max < UINT32_MAX ? new_max : UINT32_MAX;
        pthread_mutex_unlock(&d->page_alloc_lock);
        break;
    }

    case XEN_DOMCTL_setvcpuaffinity:
    case XEN_DOMCTL_getvcpuaffinity:
        ret = vcpu_affinity_domctl(c->mem, d, op.cmd, &op.u.vcpuaffinity);
        break;

    case XEN_DOMCTL_setnodeaffinity:
    {
        unsigned long mask;

        ret = xenctl_bitmap_to_bitmap(c->mem, &mask, 1,
                                      &op.u.nodeaffinity.nodemap, MAX_NUMNODES);
        if ( !ret )
            ret = domain_set_node_affinity(d, mask);
        break;
    }

    case XEN_DOMCTL_getnodeaffinity:
    {
        unsigned long mask = d->node_affinity;

        ret = bitmap_to_xenctl_bitmap(c->mem, &op.u.nodeaffinity.nodemap,
                                      &mask, MAX_NUMNODES);
        break;
    }

    case XEN_DOMCTL_scheduler_op:
        ret = sched_adjust(c, d, &op.u.scheduler_op);
        copyback = true;
        break;

    case XEN_DOMCTL_getvcpuinfo:
        ret = domctl_getvcpuinfo(d, &op.u.getvcpuinfo);
        copyback = !ret;
        break;

    case XEN_DOMCTL_setdomainhandle:
        memcpy(d->handle, op.u.setdomainhandle.handle, sizeof(d->handle));
        break;

    case XEN_DOMCTL_setdebugging:
        if ( d == c->d )                /* no domain_pause() */
            ret = -EINVAL;
        else
            d->debugger_attached = !!op.u.setdebugging.enable;
        break;

    case XEN_DOMCTL_settimeoffset:
        d->time_offset_seconds = op.u.settimeoffset.time_offset_seconds;
        break;

    case XEN_DOMCTL_set_target:
        ret = domctl_set_target(c, d, op.u.set_target.target);
        break;

    case XEN_DOMCTL_set_virq_handler:
        ret = set_global_virq_handler(d, op.u.set_virq_handler.virq);
        break;

    case XEN_DOMCTL_setvnumainfo:
        ret = vnuma_domctl(c, d, &op.u.vnuma);
        break;

    case XEN_DOMCTL_get_paging_mempool_size:
        ret = arch_get_paging_mempool_size(d, &op.u.paging_mempool.size);
        copyback = !ret;
        break;

    case XEN_DOMCTL_set_paging_mempool_size:
        ret = arch_set_paging_mempool_size(c, d, op.u.paging_mempool.size);
        if ( ret == -ERESTART )
        {
            unsigned long arg = u_domctl;

            ret = hypercall_create_continuation(c, __HYPERVISOR_domctl, 1, &arg);
        }
        break;

    case XEN_DOMCTL_shadow_op:
        ret = paging_domctl(c, d, &op.u.shadow_op);
        if ( ret == -ERESTART )
        {
            unsigned long arg = u_domctl;

            ret = hypercall_create_continuation(c, __HYPERVISOR_domctl, 1, &arg);
        }
        copyback = !ret;
        break;

    case XEN_DOMCTL_set_address_size:
    case XEN_DOMCTL_get_address_size:
    case XEN_DOMCTL_hypercall_init:
    case XEN_DOMCTL_setvcpucontext:
    case XEN_DOMCTL_getvcpucontext:
        ret = pv_domctl(c, d, &op, &copyback);
        break;

    case XEN_DOMCTL_get_cpu_policy:
    case XEN_DOMCTL_set_cpu_policy:
        ret = cpu_policy_domctl(c, d, &op, &copyback);
        break;

    case XEN_DOMCTL_settscinfo:
    case XEN_DOMCTL_gettscinfo:
        ret = tsc_domctl(c, d, &op, &copyback);
        break;

    case XEN_DOMCTL_gethvmcontext:
    case XEN_DOMCTL_sethvmcontext:
    case XEN_DOMCTL_gethvmcontext_partial:
        ret = hvm_domctl(c, d, &op, &copyback);
        break;

    default:
        ret = -ENOSYS;
        break;
    }

    if ( dom_locked )
        pthread_mutex_unlock(&d->domain_lock);
    domctl_lock_release(c);

    if ( copyback && copy_to_guest_raw(c->mem, u_domctl, &op, sizeof(op)) )
        ret = -EFAULT;
 out:
    if ( d )
        put_domain(d);
    return ret;
}
