/*
 * mem_paging.c - memory paging (x86 mm/mem_paging.c).  Not built yet (a
 * later issue): no gfn is ever paged, so nothing needs telling.
 */
#include "core.h"
#include "p2m.h"

void p2m_mem_paging_drop_page(struct domain *d, unsigned long gfn,
                              p2m_type_t p2mt)
{
    (void)d;
    (void)gfn;
    (void)p2mt;
}
