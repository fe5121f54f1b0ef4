/*
 * p2m-pod.c - populate-on-demand (arch/x86/mm/p2m-pod.c).  Not built yet.
 */
#include <errno.h>

#include "core.h"
#include "hypercall.h"
#include "p2m.h"

long xenmem_pod_target_op(struct caller *c, unsigned int op, uint64_t arg)
{
    (void)c;
    (void)op;
    (void)arg;
    return -ENOSYS;
}

void p2m_pod_empty_cache(struct domain *d)
{
    (void)d;
}

int guest_physmap_mark_populate_on_demand(struct domain *d, unsigned long gfn,
                                          unsigned int order)
{
    (void)d; (void)gfn; (void)order;
    return -ENOSYS;
}

unsigned long p2m_pod_decrease_reservation(struct domain *d, unsigned long gfn,
                                           unsigned int order)
{
    (void)d; (void)gfn; (void)order;
    return 0;
}
