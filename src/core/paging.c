/*
 * paging.c - the paging mempool (x86 hap.c/paging.c).  Not built yet:
 * the pool is empty.
 */
#include "core.h"
#include "arch_domain.h"

int paging_enable(struct domain *d)
{
    (void)d;
    return 0;
}

void paging_teardown(struct domain *d)
{
    (void)d;
}
