/*
 * sched.c - the scheduler as far as memory placement and the toolstack
 * see it (Xen 4.17's common/sched/core.c, domain_set_node_affinity() of
 * common/domain.c, and csched_dom_cntl() of sched/credit.c):
 *
 *  - initial vCPU placement (sched_init_vcpu, sched_select_initial_cpu);
 *  - hard and soft affinity, and XEN_DOMCTL_{set,get}vcpuaffinity
 *    (vcpu_affinity_domctl);
 *  - a domain's node affinity: automatic, derived from its vCPUs'
 *    affinities (xen-hypervisor.md §5), or set by the toolstack; the heap
 *    allocator reads d->node_affinity to pick nodes;
 *  - XEN_DOMCTL_scheduler_op for the credit scheduler (sched_adjust).
 *
 * The emulated host boots with sched=credit (XenServer's choice; upstream
 * 4.17 defaults to credit2).  One cpupool (0) holds every pCPU and every
 * pCPU is online.  Nothing runs, so there is no run queue: a vCPU moves to
 * another pCPU only when its hard affinity stops allowing the one it is on.
 *
 * Errors are Xen's: see core.h and domctl.h.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/domctl.h>

#include "core.h"
#include "domctl.h"
#include "xsm.h"

unsigned int cpu_to_node(const struct host *h, unsigned int cpu)
{
    return h->spec->cpu[cpu].node;
}

unsigned int nr_cpu_ids(const struct host *h)
{
    return h->spec->nr_cpus;
}

unsigned int sched_id(const struct host *h)
{
    (void)h;
    return XEN_SCHEDULER_CREDIT;
}

/* cpupool_domain_master_cpumask(): cpupool 0's CPUs, i.e. all of them. */
void host_online_cpus(const struct host *h, cpumask_t *m)
{
    cpumask_clear(m);
    for ( unsigned int c = 0; c < nr_cpu_ids(h); c++ )
        cpumask_set_cpu(c, m);
}

/* cpumask_cycle(): the next CPU of m after n, wrapping; NR_CPUS if none. */
static unsigned int cpumask_cycle(unsigned int n, const cpumask_t *m)
{
    unsigned int c = cpumask_next_from(n + 1, m);

    return c < NR_CPUS ? c : cpumask_next_from(0, m);
}

/*
 * sched_select_initial_cpu: the CPUs of the nodes in d->node_affinity
 * (all CPUs if none); vCPU 0 takes the first, every later vCPU the next
 * one after its predecessor's.
 */
static unsigned int sched_select_initial_cpu(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    const struct host *h = d->host;
    cpumask_t cpus;
    unsigned int cpu;

    cpumask_clear(&cpus);
    for ( cpu = 0; cpu < nr_cpu_ids(h); cpu++ )
        if ( d->node_affinity & (1ULL << cpu_to_node(h, cpu)) )
            cpumask_set_cpu(cpu, &cpus);
    if ( cpumask_empty(&cpus) )
        host_online_cpus(h, &cpus);

    if ( v->vcpu_id == 0 || !d->vcpu[v->vcpu_id - 1] )
        return cpumask_next_from(0, &cpus);
    return cpumask_cycle(d->vcpu[v->vcpu_id - 1]->processor, &cpus);
}

/*
 * Every domain gets hard = soft = all CPUs (4.17 uses cpumask_all; only
 * online CPUs are ever reported, so the online mask is the same thing).
 * xenmm's dom0 is not pinned (no dom0_vcpus_pin / dom0_nodes).
 */
void sched_init_vcpu(struct vcpu *v)
{
    struct host *h = v->domain->host;

    host_online_cpus(h, &v->cpu_hard_affinity);
    host_online_cpus(h, &v->cpu_soft_affinity);
    v->processor = sched_select_initial_cpu(v);
}

/*
 * domain_update_node_aff: nothing while there is no vCPU 0; in automatic
 * mode, hard = union of hard masks (∩ online), soft = union of soft masks
 * ∩ hard; the nodes of soft if it is not empty, else of hard.  A manual
 * node affinity is left alone.
 */
void domain_update_node_affinity(struct domain *d)
{
    struct host *h = d->host;
    cpumask_t online, hard, soft, *use;
    unsigned int i, cpu;
    nodemask_t nodes = 0;

    if ( !d->vcpu || !d->max_vcpus || !d->vcpu[0] || !d->auto_node_affinity )
        return;
    host_online_cpus(h, &online);
    cpumask_clear(&hard);
    cpumask_clear(&soft);
    for ( i = 0; i < d->max_vcpus; i++ )
    {
        struct vcpu *v = d->vcpu[i];

        if ( !v )
            continue;
        cpumask_or(&hard, &hard, &v->cpu_hard_affinity);
        cpumask_or(&soft, &soft, &v->cpu_soft_affinity);
    }
    cpumask_and(&hard, &hard, &online);
    cpumask_and(&soft, &soft, &hard);
    use = cpumask_empty(&soft) ? &hard : &soft;
    for_each_cpu ( cpu, use )
        nodes |= 1ULL << cpu_to_node(h, cpu);
    d->node_affinity = nodes;
}

int domain_set_node_affinity(struct domain *d, nodemask_t affinity)
{
    /* Being disjoint with the system is just wrong. */
    if ( !(affinity & d->host->node_online_map) )
        return -EINVAL;

    /* A mask of every node (MAX_NUMNODES bits) means "back to automatic". */
    if ( affinity == NODE_MASK_ALL )
        d->auto_node_affinity = true;
    else
    {
        d->auto_node_affinity = false;
        d->node_affinity = affinity;
    }
    domain_update_node_affinity(d);
    return 0;
}

/*
 * sched_unit_migrate_*: a vCPU whose hard affinity no longer holds its
 * pCPU moves, as credit's pick would, to the next allowed CPU, preferring
 * those of its soft affinity.
 */
static void vcpu_migrate(struct vcpu *v)
{
    cpumask_t allowed, preferred;

    host_online_cpus(v->domain->host, &allowed);
    cpumask_and(&allowed, &allowed, &v->cpu_hard_affinity);
    if ( cpumask_empty(&allowed) || cpumask_test_cpu(v->processor, &allowed) )
        return;
    cpumask_and(&preferred, &allowed, &v->cpu_soft_affinity);
    v->processor = cpumask_cycle(v->processor,
                                 cpumask_empty(&preferred) ? &allowed
                                                           : &preferred);
}

/* vcpu_set_affinity: which is the vCPU's hard or soft mask. */
static int vcpu_set_affinity(struct vcpu *v, const cpumask_t *affinity,
                             cpumask_t *which)
{
    int ret = 0;

    if ( v->affinity_broken )
        ret = -EBUSY;
    else
    {
        *which = *affinity;
        vcpu_migrate(v);
    }
    /* Xen updates the node affinity whether or not the set succeeded. */
    domain_update_node_affinity(v->domain);
    return ret;
}

int vcpu_set_hard_affinity(struct vcpu *v, const cpumask_t *affinity)
{
    cpumask_t online;

    host_online_cpus(v->domain->host, &online);
    if ( !cpumask_intersects(&online, affinity) )
        return -EINVAL;
    return vcpu_set_affinity(v, affinity, &v->cpu_hard_affinity);
}

int vcpu_set_soft_affinity(struct vcpu *v, const cpumask_t *affinity)
{
    return vcpu_set_affinity(v, affinity, &v->cpu_soft_affinity);
}

static bool vcpuaffinity_params_invalid(const struct xen_domctl_vcpuaffinity *a)
{
    return a->flags == 0 ||
           ((a->flags & XEN_VCPUAFFINITY_HARD) &&
            guest_handle_is_null(handle_addr(a->cpumap_hard.bitmap.p))) ||
           ((a->flags & XEN_VCPUAFFINITY_SOFT) &&
            guest_handle_is_null(handle_addr(a->cpumap_soft.bitmap.p)));
}

int vcpu_affinity_domctl(const struct guest_access *mem, struct domain *d,
                         uint32_t cmd, struct xen_domctl_vcpuaffinity *aff)
{
    struct host *h = d->host;
    unsigned int nbits = nr_cpu_ids(h);
    cpumask_t online, new_affinity, old_affinity;
    struct vcpu *v;
    int ret = 0;

    if ( aff->vcpu >= d->max_vcpus )
        return -EINVAL;
    if ( (v = d->vcpu[aff->vcpu]) == NULL )
        return -ESRCH;
    if ( vcpuaffinity_params_invalid(aff) )
        return -EINVAL;

    if ( cmd == XEN_DOMCTL_getvcpuaffinity )
    {
        if ( aff->flags & XEN_VCPUAFFINITY_HARD )
            ret = bitmap_to_xenctl_bitmap(mem, &aff->cpumap_hard,
                                          v->cpu_hard_affinity.bits, nbits);
        if ( aff->flags & XEN_VCPUAFFINITY_SOFT )
            ret = bitmap_to_xenctl_bitmap(mem, &aff->cpumap_soft,
                                          v->cpu_soft_affinity.bits, nbits);
        return ret;
    }

    host_online_cpus(h, &online);
    /* Kept to restore hard affinity if setting soft affinity then fails. */
    old_affinity = v->cpu_hard_affinity;

    /*
     * Undo a stuck SCHEDOP_pin_override.  xenmm has no such pin (nothing
     * sets affinity_broken but a test), so there is no saved mask to put
     * back: the flag is just dropped.
     */
    if ( aff->flags & XEN_VCPUAFFINITY_FORCE )
        v->affinity_broken = false;

    /* Set, and report back what the scheduler will effectively use. */
    if ( aff->flags & XEN_VCPUAFFINITY_HARD )
    {
        ret = xenctl_bitmap_to_bitmap(mem, new_affinity.bits,
                                      ARRAY_SIZE(new_affinity.bits),
                                      &aff->cpumap_hard, nbits);
        if ( !ret )
            ret = vcpu_set_hard_affinity(v, &new_affinity);
        if ( ret )
            return ret;
        cpumask_and(&new_affinity, &online, &v->cpu_hard_affinity);
        ret = bitmap_to_xenctl_bitmap(mem, &aff->cpumap_hard,
                                      new_affinity.bits, nbits);
    }
    if ( aff->flags & XEN_VCPUAFFINITY_SOFT )
    {
        ret = xenctl_bitmap_to_bitmap(mem, new_affinity.bits,
                                      ARRAY_SIZE(new_affinity.bits),
                                      &aff->cpumap_soft, nbits);
        if ( !ret )
            ret = vcpu_set_soft_affinity(v, &new_affinity);
        if ( ret )
        {
            /* The caller expects nothing to have changed on an error. */
            if ( aff->flags & XEN_VCPUAFFINITY_HARD )
                vcpu_set_hard_affinity(v, &old_affinity);
            return ret;
        }
        cpumask_and(&new_affinity, &new_affinity, &online);
        cpumask_and(&new_affinity, &new_affinity, &v->cpu_hard_affinity);
        ret = bitmap_to_xenctl_bitmap(mem, &aff->cpumap_soft,
                                      new_affinity.bits, nbits);
    }
    return ret;
}

/* csched_dom_cntl: weight 0 and cap 0xffff mean "leave as it is". */
static int csched_dom_cntl(struct domain *d, struct xen_domctl_scheduler_op *op)
{
    switch ( op->cmd )
    {
    case XEN_DOMCTL_SCHEDOP_getinfo:
        op->u.credit.weight = d->sched_weight;
        op->u.credit.cap = d->sched_cap;
        return 0;
    case XEN_DOMCTL_SCHEDOP_putinfo:
        if ( op->u.credit.weight != 0 )
            d->sched_weight = op->u.credit.weight;
        if ( op->u.credit.cap != (uint16_t)~0U )
            d->sched_cap = op->u.credit.cap;
        return 0;
    default:                /* credit has no per-vCPU parameters */
        return -EINVAL;
    }
}

long sched_adjust(struct caller *c, struct domain *d,
                  struct xen_domctl_scheduler_op *op)
{
    long ret;

    /* xsm_domctl_scheduler_op(XSM_HOOK, ...) */
    if ( (ret = xsm_default_action(XSM_HOOK, c->d, d)) )
        return ret;
    if ( op->sched_id != sched_id(d->host) )
        return -EINVAL;
    switch ( op->cmd )
    {
    case XEN_DOMCTL_SCHEDOP_putinfo:
    case XEN_DOMCTL_SCHEDOP_getinfo:
    case XEN_DOMCTL_SCHEDOP_putvcpuinfo:
    case XEN_DOMCTL_SCHEDOP_getvcpuinfo:
        break;
    default:
        return -EINVAL;
    }
    return csched_dom_cntl(d, op);
}
