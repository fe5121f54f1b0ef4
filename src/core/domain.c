/*
 * domain.c - domains and vCPUs (Xen's common/domain.c): creation with
 * Xen's checks and initial values, lookup by id, references, shutdown and
 * crash, and death (domain_kill cancels the claim and gives every page
 * back, dirty, so it is scrubbed before anyone else sees it).
 *
 * Lifetime, as Xen's, with references instead of RCU: a domain is created
 * holding one reference; every lookup takes another for as long as the
 * hypercall uses the domain; owning pages holds one (assign_pages takes it
 * as tot_pages leaves 0, as Xen's); a device model holds one on its
 * target.  domain_destroy kills the domain and drops the creation
 * reference; the struct is unlinked and freed when the last reference
 * goes (Xen's domain_destroy + complete_domain_destroy, without the RCU
 * grace period: nobody can reach a domain with no reference left, since
 * lookups refuse a count of 0 and only domains owning no page have one).
 * Until then a killed domain is a zombie: found by id, reported dying.
 *
 * Errors: domain_create returns NULL and sets *rc to -EINVAL (reserved id,
 * or a config sanitise_domain_config refuses), -EEXIST (id in use),
 * -ENOMEM, or what arch_domain_create returns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <xen/sched.h>

#include "core.h"
#include "arch_domain.h"
#include "event_channel.h"
#include "grant_table.h"

#define SHUTDOWN_CODE_INVALID (~0U)   /* Xen-internal: not shut down */

/* x86 limits (asm/hvm/hvm.h HVM_MAX_VCPUS, public MAX_VIRT_CPUS). */
#define HVM_MAX_VCPUS   128
#define PV_MAX_VCPUS    8192   /* MAX_VIRT_CPUS */
/* common/grant_table.c defaults (opt_max_grant_frames, ..._maptrack_frames). */
#define DEFAULT_MAX_GRANT_FRAMES    64
#define DEFAULT_MAX_MAPTRACK_FRAMES 1024

/*
 * sanitise_domain_config + arch_sanitise_domain_config (x86), as 4.17, on
 * an emulated machine with HVM and HAP but no IOMMU, vmtrace, vPMU or tboot.
 */
static int sanitise_domain_config(struct xen_domctl_createdomain *config)
{
    bool hvm = config->flags & XEN_DOMCTL_CDF_hvm;
    bool hap = config->flags & XEN_DOMCTL_CDF_hap;

    if ( config->flags &
         ~(XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap |
           XEN_DOMCTL_CDF_s3_integrity | XEN_DOMCTL_CDF_oos_off |
           XEN_DOMCTL_CDF_xs_domain | XEN_DOMCTL_CDF_iommu |
           XEN_DOMCTL_CDF_nested_virt | XEN_DOMCTL_CDF_vpmu) )
        return -EINVAL;
    if ( config->grant_opts & ~XEN_DOMCTL_GRANT_version_mask )
        return -EINVAL;
    if ( config->max_vcpus < 1 )
        return -EINVAL;
    if ( hap && !hvm )
        return -EINVAL;
    /* No IOMMU: requesting one, or options without one, is refused. */
    if ( (config->flags & XEN_DOMCTL_CDF_iommu) || config->iommu_opts )
        return -EINVAL;
    if ( config->vmtrace_size )                 /* vmtrace unavailable */
        return -EINVAL;
    if ( config->flags & XEN_DOMCTL_CDF_vpmu )  /* vpmu off by default */
        return -EINVAL;

    /* arch_sanitise_domain_config */
    if ( config->max_vcpus > (hvm ? HVM_MAX_VCPUS : PV_MAX_VCPUS) )
        return -EINVAL;
    if ( config->flags & XEN_DOMCTL_CDF_s3_integrity )  /* no CONFIG_TBOOT */
        return -EINVAL;
    if ( !hvm )
        config->flags |= XEN_DOMCTL_CDF_oos_off;
    if ( (config->flags & XEN_DOMCTL_CDF_nested_virt) && !hap )
        return -EINVAL;
    if ( config->arch.misc_flags & ~XEN_X86_MSR_RELAXED )
        return -EINVAL;
    return 0;
}

struct domain *domain_create(struct host *h, domid_t domid,
                             const struct xen_domctl_createdomain *cfg,
                             unsigned int flags, int *rc)
{
    struct xen_domctl_createdomain config;
    struct domain *d;
    pthread_mutexattr_t ma;
    int err;

    *rc = 0;
    if ( domid >= DOMID_FIRST_RESERVED )
    {
        *rc = -EINVAL;
        return NULL;
    }
    if ( cfg )
    {
        config = *cfg;
        if ( (err = sanitise_domain_config(&config)) )
        {
            *rc = err;
            return NULL;
        }
    }
    else
    {
        /* Core tests: a PV domain with no vCPUs and default limits. */
        memset(&config, 0, sizeof(config));
        config.flags = XEN_DOMCTL_CDF_oos_off;
        config.max_evtchn_port = -1;
        config.max_grant_frames = -1;
        config.max_maptrack_frames = -1;
        /* Grant versions up to the host's gnttab=max-ver (2), as dom0's. */
        config.grant_opts = XEN_DOMCTL_GRANT_version(2);
    }

    d = calloc(1, sizeof(*d));
    if ( !d )
    {
        *rc = -ENOMEM;
        return NULL;
    }
    d->domain_id = domid;
    d->host = h;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&d->page_alloc_lock, &ma);
    pthread_mutex_init(&d->domain_lock, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_mutex_init(&d->hypercall_deadlock_mutex, NULL);
    pthread_rwlock_init(&d->vnuma_rwlock, NULL);
    pthread_mutex_init(&d->e820_lock, NULL);
    page_list_init(&d->page_list);
    page_list_init(&d->extra_page_list);
    page_list_init(&d->xenpage_list);
    page_list_init(&d->paging.freelist);
    d->max_pages = 0;                    /* the toolstack sets max_mem */
    d->claim_node = NUMA_NO_NODE;
    d->node_affinity = NODE_MASK_ALL;    /* even offline nodes, as Xen */
    d->auto_node_affinity = true;
    d->last_alloc_node = 0;
    d->refcnt = 1;                       /* the creation reference */
    d->shutdown_code = SHUTDOWN_CODE_INVALID;

    d->createflags = config.flags;
    d->emulation_flags = config.arch.emulation_flags;
    if ( (flags & CDF_hardware) && !(config.flags & XEN_DOMCTL_CDF_hvm) )
        d->emulation_flags |= XEN_X86_EMU_PIT;   /* as arch_domain_create */
    d->ssidref = config.ssidref;
    memcpy(d->handle, config.handle, sizeof(d->handle));
    d->is_privileged = flags & CDF_privileged;
    d->is_hardware = flags & CDF_hardware;
    d->max_evtchn_port = config.max_evtchn_port;
    d->max_grant_frames = config.max_grant_frames < 0
                          ? DEFAULT_MAX_GRANT_FRAMES : config.max_grant_frames;
    d->max_maptrack_frames = config.max_maptrack_frames < 0
                             ? DEFAULT_MAX_MAPTRACK_FRAMES
                             : config.max_maptrack_frames;
    d->cpupool_id = config.cpupool_id;
    d->sched_weight = 256;
    d->sched_cap = 0;
    /* Domains are created paused by the controller (controller_pause_count). */
    d->pause_count = 1;

    if ( config.max_vcpus )
    {
        d->vcpu = calloc(config.max_vcpus, sizeof(*d->vcpu));
        if ( !d->vcpu )
        {
            err = -ENOMEM;
            goto fail;
        }
        d->max_vcpus = config.max_vcpus;
    }

    /* Xen sets the ports up after the arch part; only memory either way. */
    if ( (err = evtchn_init(d, config.max_evtchn_port)) )
        goto fail;
    if ( (err = arch_domain_create(d, &config)) )
        goto fail;

    pthread_mutex_lock(&h->domlist_lock);
    if ( h->domains[domid] )
    {
        pthread_mutex_unlock(&h->domlist_lock);
        arch_domain_relinquish(d);
        arch_domain_destroy(d);
        err = -EEXIST;
        goto fail;
    }
    h->domains[domid] = d;
    if ( d->is_hardware )
        h->hardware_domain = d;
    pthread_mutex_unlock(&h->domlist_lock);
    return d;

 fail:
    evtchn_destroy_final(d);
    free(d->vcpu);
    pthread_mutex_destroy(&d->e820_lock);
    pthread_rwlock_destroy(&d->vnuma_rwlock);
    pthread_mutex_destroy(&d->hypercall_deadlock_mutex);
    pthread_mutex_destroy(&d->domain_lock);
    pthread_mutex_destroy(&d->page_alloc_lock);
    free(d);
    *rc = err;
    return NULL;
}

int vcpu_create(struct domain *d, unsigned int vcpu_id)
{
    struct vcpu *v;

    if ( vcpu_id >= d->max_vcpus )
        return -EINVAL;
    if ( d->vcpu[vcpu_id] )
        return -EEXIST;
    v = calloc(1, sizeof(*v));
    if ( !v )
        return -ENOMEM;
    v->vcpu_id = vcpu_id;
    v->domain = d;
    v->pause_flags = VPF_down;          /* until brought up, as Xen */
    sched_init_vcpu(v);
    d->vcpu[vcpu_id] = v;
    return 0;
}

bool get_domain(struct domain *d)
{
    unsigned int old = atomic_load(&d->refcnt);

    do {
        if ( old == 0 )
            return false;           /* being freed: never revived */
    } while ( !atomic_compare_exchange_weak(&d->refcnt, &old, old + 1) );
    return true;
}

struct domain *get_domain_by_id(struct host *h, domid_t domid)
{
    struct domain *d;

    if ( domid >= DOMID_FIRST_RESERVED )
        return NULL;
    pthread_mutex_lock(&h->domlist_lock);
    d = h->domains[domid];
    if ( d && !get_domain(d) )
        d = NULL;
    pthread_mutex_unlock(&h->domlist_lock);
    return d;
}

/*
 * The first domain at or above id that still has a reference, with one
 * taken (Xen walks the domain list under the RCU read lock), or NULL.
 */
struct domain *get_domain_from(struct host *h, unsigned int id)
{
    struct domain *d = NULL;

    pthread_mutex_lock(&h->domlist_lock);
    for ( ; id < DOMID_FIRST_RESERVED && !d; id++ )
        if ( (d = h->domains[id]) != NULL && !get_domain(d) )
            d = NULL;
    pthread_mutex_unlock(&h->domlist_lock);
    return d;
}

void get_knownalive_domain(struct domain *d)
{
    /* The caller holds a reference, so the count cannot be 0 here. */
    atomic_fetch_add(&d->refcnt, 1);
}

static void complete_domain_destroy(struct domain *d);

void put_domain(struct domain *d)
{
    int old = atomic_fetch_sub(&d->refcnt, 1);

    if ( old <= 0 )
        __builtin_trap();               /* a reference nobody held */
    if ( old == 1 )
        complete_domain_destroy(d);
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    bool first = false;

    pthread_mutex_lock(&d->domain_lock);
    if ( !d->is_shutting_down )
    {
        d->is_shutting_down = true;
        d->is_shut_down = true;         /* no vCPUs run: at once */
        d->shutdown_code = reason;
        first = true;
    }
    pthread_mutex_unlock(&d->domain_lock);
    /* __domain_finalise_shutdown (no suspend event channel here). */
    if ( first )
        send_global_virq(d->host, VIRQ_DOM_EXC);
}

void domain_crash(struct domain *d, const char *why)
{
    printk(d->host, "d%u: domain_crash: %s\n", d->domain_id, why);
    domain_shutdown(d, SHUTDOWN_crash);
}

/*
 * Give back every block on a list (relinquish_memory).  page_alloc_lock is
 * held across each free (it is recursive), so a PV guest_remove_page,
 * which checks and frees under it too, never frees the same block.
 */
static void relinquish_list(struct domain *d, struct page_list_head *list)
{
    struct host *h = d->host;
    struct page_info *pg;

    pthread_mutex_lock(&d->page_alloc_lock);
    while ( (pg = page_list_first(h, list)) != NULL )
        free_domheap_pages(h, pg, pg->u.inuse.order);
    pthread_mutex_unlock(&d->page_alloc_lock);
}

void domain_kill(struct domain *d)
{
    int alive = DOMDYING_alive;
    bool first;

    /*
     * Under page_alloc_lock: an assign_pages() either ran before (its
     * pages are on the lists emptied below) or sees the domain dying.
     */
    pthread_mutex_lock(&d->page_alloc_lock);
    first = atomic_compare_exchange_strong(&d->is_dying, &alive,
                                           DOMDYING_dying);
    pthread_mutex_unlock(&d->page_alloc_lock);
    if ( !first )
        return;
    /* The claim goes as the domain starts dying (test-mem-claim relies on it). */
    domain_set_outstanding_pages(d, 0, NUMA_NO_NODE);
    /* domain_teardown, then the ports, as 4.17's domain_kill. */
    gnttab_release_mappings(d);
    /* xenmm: d's pages are freed below, so nobody may keep them mapped. */
    gnttab_revoke_foreign_mappings(d);
    evtchn_destroy(d);
    /* domain_relinquish_resources: the paging pool, p2m, grant frames. */
    arch_domain_relinquish(d);
    relinquish_list(d, &d->page_list);
    relinquish_list(d, &d->extra_page_list);
    relinquish_list(d, &d->xenpage_list);
    send_global_virq(d->host, VIRQ_DOM_EXC);
}

void vnuma_destroy(struct vnuma_info *v)
{
    if ( !v )
        return;
    free(v->vdistance);
    free(v->vcpu_to_vnode);
    free(v->vnode_to_pnode);
    free(v->vmemrange);
    free(v);
}

/* Free the structure and what hangs off it; pages are not touched. */
static void free_domain_struct(struct domain *d)
{
    unsigned int i;

    evtchn_destroy_final(d);
    for ( i = 0; i < d->max_vcpus; i++ )
        free(d->vcpu[i]);
    free(d->vcpu);
    free(d->e820);
    pthread_mutex_destroy(&d->e820_lock);
    hvm_save_destroy(d);
    vnuma_destroy(d->vnuma);
    pthread_rwlock_destroy(&d->vnuma_rwlock);
    pthread_mutex_destroy(&d->hypercall_deadlock_mutex);
    pthread_mutex_destroy(&d->domain_lock);
    pthread_mutex_destroy(&d->page_alloc_lock);
    free(d);
}

void domain_destroy(struct domain *d)
{
    int dying = DOMDYING_dying;

    domain_kill(d);
    /* Xen's DOMDYING_dying -> dead: the creation reference goes, once. */
    if ( atomic_compare_exchange_strong(&d->is_dying, &dying, DOMDYING_dead) )
        put_domain(d);
}

/*
 * The last reference went (Xen's domain_destroy, then what its RCU
 * callback complete_domain_destroy does): unlink d, so no lookup finds it,
 * and free it.  No page is d's any more: owning one holds a reference.
 */
static void complete_domain_destroy(struct domain *d)
{
    struct host *h = d->host;
    struct domain *target;

    if ( !d->is_dying )
        __builtin_trap();               /* Xen: BUG_ON(!d->is_dying) */
    pthread_mutex_lock(&h->domlist_lock);
    if ( h->domains[d->domain_id] == d )
        h->domains[d->domain_id] = NULL;
    if ( h->hardware_domain == d )
        h->hardware_domain = NULL;
    pthread_mutex_unlock(&h->domlist_lock);

    arch_domain_destroy(d);
    /* XEN_DOMCTL_set_target's reference on the target goes with d. */
    target = d->target;
    d->target = NULL;
    free_domain_struct(d);
    if ( target )
        put_domain(target);
    /* complete_domain_destroy: xenstored's @releaseDomain. */
    send_global_virq(h, VIRQ_DOM_EXC);
}

void domain_free_at_teardown(struct domain *d)
{
    d->is_dying = DOMDYING_dead;
    arch_domain_relinquish(d);
    arch_domain_destroy(d);
    free_domain_struct(d);
}

struct domain *domain_create_dom0(struct host *h, int *rc)
{
    struct xen_domctl_createdomain config = {
        .max_vcpus = h->spec->nr_cpus,
        .max_evtchn_port = -1,
        .max_grant_frames = -1,
        .max_maptrack_frames = -1,
        /* x86 setup.c: XEN_DOMCTL_GRANT_version(opt_gnttab_max_version). */
        .grant_opts = XEN_DOMCTL_GRANT_version(2),
    };
    struct domain *d;
    unsigned int i;

    d = domain_create(h, 0, &config, CDF_privileged | CDF_hardware, rc);
    if ( !d )
        return NULL;
    for ( i = 0; i < d->max_vcpus && !*rc; i++ )
        *rc = vcpu_create(d, i);
    if ( *rc )
    {
        domain_destroy(d);
        return NULL;
    }
    /* dom0's vCPUs are up and running (construct_dom0, then the guest). */
    for ( i = 0; i < d->max_vcpus; i++ )
    {
        d->vcpu[i]->pause_flags &= ~VPF_down;
        d->vcpu[i]->is_initialised = true;
    }
    domain_update_node_affinity(d);
    d->creation_finished = true;
    d->pause_count = 0;                 /* dom0 runs */
    return d;
}
