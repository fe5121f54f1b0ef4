/*
 * testguest.c - see testguest.h.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/test.h"
#include "testguest.h"

void garena_init(struct garena *a, size_t size)
{
    memset(a, 0, sizeof(*a));
    a->mem = calloc(1, size);
    REQUIRE(a->mem != NULL);
    a->size = size;
    REQUIRE(guest_access_register(&a->ga, GARENA_BASE, a->mem, size) == 0);
}

void garena_free(struct garena *a)
{
    free(a->mem);
    a->mem = NULL;
}

void garena_reset(struct garena *a)
{
    a->used = 0;
}

uint64_t garena_alloc(struct garena *a, size_t size)
{
    uint64_t g;

    size = (size + 7) & ~(size_t)7;
    REQUIRE(a->used + size <= a->size);
    g = GARENA_BASE + a->used;
    a->used += size;
    return g;
}

void *garena_ptr(struct garena *a, uint64_t gaddr)
{
    return a->mem + (gaddr - GARENA_BASE);
}

long memop_raw(struct caller *c, unsigned long cmd, uint64_t arg)
{
    unsigned long args[6] = { cmd, arg, 0, 0, 0, 0 };

    return hypercall_dispatch(c, __HYPERVISOR_memory_op, args);
}

long memop_resv(struct caller *c, struct garena *a, bool mc, unsigned int op,
                domid_t domid, xen_pfn_t *list, unsigned int nr,
                unsigned int order, unsigned int mem_flags)
{
    size_t used = a->used;
    uint64_t r_g = garena_alloc(a, sizeof(struct xen_memory_reservation));
    uint64_t l_g = list ? garena_alloc(a, nr * sizeof(xen_pfn_t)) : 0;
    struct xen_memory_reservation *r = garena_ptr(a, r_g);
    long rc;

    memset(r, 0, sizeof(*r));
    set_xen_guest_handle(r->extent_start, (xen_pfn_t *)(uintptr_t)l_g);
    r->nr_extents = nr;
    r->extent_order = order;
    r->mem_flags = mem_flags;
    r->domid = domid;
    if ( list )
        memcpy(garena_ptr(a, l_g), list, nr * sizeof(xen_pfn_t));

    if ( mc )
    {
        uint64_t m_g = garena_alloc(a, sizeof(multicall_entry_t));
        multicall_entry_t *m = garena_ptr(a, m_g);
        unsigned long args[6] = { m_g, 1, 0, 0, 0, 0 };

        memset(m, 0, sizeof(*m));
        m->op = __HYPERVISOR_memory_op;
        m->args[0] = op;
        m->args[1] = r_g;
        rc = hypercall_dispatch(c, __HYPERVISOR_multicall, args);
        if ( rc == 0 )
            rc = (long)m->result;
    }
    else
        rc = memop_raw(c, op, r_g);

    if ( list )
        memcpy(list, garena_ptr(a, l_g), nr * sizeof(xen_pfn_t));
    a->used = used;
    return rc;
}

long memop_domid(struct caller *c, struct garena *a, unsigned int op,
                 domid_t domid)
{
    size_t used = a->used;
    uint64_t g = garena_alloc(a, sizeof(struct xen_memory_domain));
    struct xen_memory_domain *md = garena_ptr(a, g);
    long rc;

    md->domid = domid;
    rc = memop_raw(c, op, g);
    a->used = used;
    return rc;
}
