/*
 * multicall.c - __HYPERVISOR_multicall (common/multicall.c), as 4.17:
 * entries run in order, each entry's result is written back, preemption
 * between entries continues the multicall from the next entry, and an
 * entry that itself made a continuation has its rewritten arguments
 * copied back into the list and the multicall continues from it.
 * Re-entering multicall from an entry gives that entry -EINVAL.
 * libxenctrl sends every XENMEM_* call this way, as one-entry lists.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>

#include "core.h"
#include "hypercall.h"

_Static_assert(sizeof(multicall_entry_t) == 64, "multicall_entry_t layout");

/* arch_do_multicall_call: one entry through the hypercall table. */
static void do_multicall_call(struct caller *c, multicall_entry_t *call)
{
    unsigned long args[6];

    for ( unsigned int i = 0; i < 6; i++ )
        args[i] = call->args[i];
    switch ( call->op )
    {
    case __HYPERVISOR_multicall:
        /* _MCSF_in_multicall is set: "Multicall reentry is disallowed." */
        call->result = (xen_ulong_t)(long)-EINVAL;
        return;
    case __HYPERVISOR_xen_version:
        call->result = do_xen_version(c, (int)args[0], args[1]);
        return;
    case __HYPERVISOR_sysctl:
        call->result = do_sysctl(c, args[0]);
        return;
    case __HYPERVISOR_domctl:
        call->result = do_domctl(c, args[0]);
        return;
    case __HYPERVISOR_memory_op:
        call->result = do_memory_op(c, args[0], args[1]);
        return;
    case __HYPERVISOR_hvm_op:
        call->result = do_hvm_op(c, args[0], args[1]);
        return;
    case __HYPERVISOR_mmu_update:
        call->result = do_mmu_update(c, args[0], (unsigned int)args[1],
                                     args[2], (unsigned int)args[3]);
        return;
    case __HYPERVISOR_mmuext_op:
        call->result = do_mmuext_op(c, args[0], (unsigned int)args[1],
                                    args[2], (unsigned int)args[3]);
        return;
    default:
        call->result = (xen_ulong_t)(long)-ENOSYS;
        return;
    }
}

long do_multicall(struct caller *c, uint64_t call_list, unsigned int nr_calls)
{
    multicall_entry_t call;
    unsigned int i;
    long rc = 0;

    if ( !guest_access_okay(c->mem, call_list,
                            (uint64_t)nr_calls * sizeof(call)) )
        rc = -EFAULT;

    for ( i = 0; !rc && i < nr_calls; i++ )
    {
        if ( i && hypercall_preempt_check(c) )
            goto preempted;
        if ( copy_from_guest_raw(c->mem, &call, call_list, sizeof(call)) )
        {
            rc = -EFAULT;
            break;
        }

        c->cont_pending = false;
        do_multicall_call(c, &call);

        if ( copy_to_guest_raw(c->mem, call_list + offsetof(multicall_entry_t,
                                                            result),
                               &call.result, sizeof(call.result)) )
        {
            c->cont_pending = false;
            rc = -EFAULT;
        }
        else if ( c->cont_pending )
        {
            /* Copy the sub-call continuation into the entry. */
            call.op = c->cont_nr;
            for ( unsigned int a = 0; a < 6; a++ )
                call.args[a] = c->cont_args[a];
            c->cont_pending = false;
            if ( !copy_to_guest_raw(c->mem, call_list, &call, sizeof(call)) )
                goto preempted;
            rc = -EFAULT;
        }
        else
            call_list += sizeof(call);
    }
    return rc;

 preempted:
    {
        unsigned long args[2] = { call_list, nr_calls - i };

        return hypercall_create_continuation(c, __HYPERVISOR_multicall, 2,
                                             args);
    }
}
