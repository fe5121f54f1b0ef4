/*
 * hypercall.c - hypercall dispatch, preemption and continuations (see
 * hypercall.h).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>

#include "core.h"
#include "hypercall.h"

void caller_init(struct caller *c, struct domain *d,
                 const struct guest_access *mem)
{
    memset(c, 0, sizeof(*c));
    c->h = d->host;
    c->d = d;
    c->mem = mem;
}

bool hypercall_preempt_check(struct caller *c)
{
    if ( !c->preempt_every )
        return false;
    if ( ++c->preempt_ticks < c->preempt_every )
        return false;
    c->preempt_ticks = 0;
    return true;
}

long hypercall_create_continuation(struct caller *c, unsigned long nr,
                                   unsigned int nargs,
                                   const unsigned long *args)
{
    unsigned int i;

    c->cont_pending = true;
    c->cont_nr = nr;
    for ( i = 0; i < 6; i++ )
        c->cont_args[i] = i < nargs ? args[i] : 0;
    c->nr_continuations++;
    /* Xen returns the (rewritten) first argument; the guest never sees it. */
    return (long)c->cont_args[0];
}

struct domain *caller_domain_by_any_id(struct caller *c, domid_t domid)
{
    if ( domid == DOMID_SELF )
    {
        /* The caller's own domain is alive while it calls: just count it. */
        get_knownalive_domain(c->d);
        return c->d;
    }
    return get_domain_by_id(c->h, domid);
}

struct domain *caller_domain_by_id(struct caller *c, domid_t domid)
{
    return get_domain_by_id(c->h, domid);
}

/* One hypercall, as a guest's trap into Xen runs it. */
static long dispatch_one(struct caller *c, unsigned long nr,
                         const unsigned long *args)
{
    switch ( nr )
    {
    case __HYPERVISOR_xen_version:
        return do_xen_version(c, (int)args[0], args[1]);
    case __HYPERVISOR_sysctl:
        return do_sysctl(c, args[0]);
    case __HYPERVISOR_domctl:
        return do_domctl(c, args[0]);
    case __HYPERVISOR_memory_op:
        return do_memory_op(c, args[0], args[1]);
    case __HYPERVISOR_hvm_op:
        return do_hvm_op(c, args[0], args[1]);
    case __HYPERVISOR_mmu_update:
        return do_mmu_update(c, args[0], (unsigned int)args[1], args[2],
                             (unsigned int)args[3]);
    case __HYPERVISOR_mmuext_op:
        return do_mmuext_op(c, args[0], (unsigned int)args[1], args[2],
                            (unsigned int)args[3]);
    case __HYPERVISOR_multicall:
        return do_multicall(c, args[0], (unsigned int)args[1]);
    case __HYPERVISOR_event_channel_op:
        return do_event_channel_op(c, (int)args[0], args[1]);
    case __HYPERVISOR_grant_table_op:
        return do_grant_table_op(c, (unsigned int)args[0], args[1],
                                 (unsigned int)args[2]);
    case __HYPERVISOR_dm_op:
        return do_dm_op(c, (domid_t)args[0], (unsigned int)args[1], args[2]);
    default:
        return -ENOSYS;
    }
}

long hypercall_dispatch(struct caller *c, unsigned long nr,
                        const unsigned long args[6])
{
    unsigned long a[6];
    long rc;

    memcpy(a, args, sizeof(a));
    for ( ; ; )
    {
        c->cont_pending = false;
        rc = dispatch_one(c, nr, a);
        if ( !c->cont_pending )
            return rc;
        /* The guest re-executes the hypercall with the rewritten args. */
        nr = c->cont_nr;
        memcpy(a, c->cont_args, sizeof(a));
    }
}
