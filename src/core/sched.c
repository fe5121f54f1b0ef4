/*
 * sched.c - the scheduler's NUMA side (Xen's common/sched/core.c): initial
 * vCPU affinity and domain_update_node_affinity(), which derives a
 * domain's automatic node affinity from its vCPUs' affinities (seed 004).
 * There is one cpupool (0) holding every pCPU; all pCPUs are online.
 */
#include "core.h"

unsigned int cpu_to_node(const struct host *h, unsigned int cpu)
{
    return h->spec->cpu[cpu].node;
}

void host_online_cpus(const struct host *h, cpumask_t *m)
{
    cpumask_clear(m);
    for ( unsigned int c = 0; c < h->spec->nr_cpus; c++ )
        cpumask_set_cpu(c, m);
}

/*
 * sched_init_vcpu: every domain but dom0 starts with hard = soft = all;
 * the first pCPU comes from the CPUs of the nodes in node_affinity.
 */
void sched_init_vcpu(struct vcpu *v)
{
    struct domain *d = v->domain;
    struct host *h = d->host;
    unsigned int cpu;

    host_online_cpus(h, &v->cpu_hard_affinity);
    host_online_cpus(h, &v->cpu_soft_affinity);
    v->processor = 0;
    for ( cpu = 0; cpu < h->spec->nr_cpus; cpu++ )
        if ( d->node_affinity & (1ULL << cpu_to_node(h, cpu)) )
        {
            v->processor = cpu;
            break;
        }
}

/*
 * domain_update_node_aff: nothing while there is no vCPU 0; in automatic
 * mode, hard = union of hard masks (∩ online), soft = union of soft masks
 * ∩ hard; the nodes of soft if it is not empty, else of hard.
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
