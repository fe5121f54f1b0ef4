/*
 * p2m.c - the host p2m.  Not built yet.
 */
#include "core.h"
#include "arch_domain.h"

int p2m_init(struct domain *d)
{
    (void)d;
    return 0;
}

void p2m_teardown(struct domain *d)
{
    (void)d;
}

void p2m_final_teardown(struct domain *d)
{
    (void)d;
}

/* Not built yet (interface in p2m.h). */
#include <errno.h>
#include "p2m.h"

mfn_t p2m_get_entry(struct p2m_domain *p2m, unsigned long gfn, p2m_type_t *t,
                    unsigned int *page_order)
{
    (void)p2m;
    (void)gfn;
    *t = p2m_mmio_dm;
    *page_order = 0;
    return INVALID_MFN;
}

int p2m_set_entry(struct p2m_domain *p2m, unsigned long gfn, mfn_t mfn,
                  unsigned int page_order, p2m_type_t t)
{
    (void)p2m; (void)gfn; (void)mfn; (void)page_order; (void)t;
    return -ENOSYS;
}

int guest_physmap_add_entry(struct domain *d, unsigned long gfn, mfn_t mfn,
                            unsigned int page_order, p2m_type_t t)
{
    (void)d; (void)gfn; (void)mfn; (void)page_order; (void)t;
    return -ENOSYS;
}

int guest_physmap_remove_page(struct domain *d, unsigned long gfn, mfn_t mfn,
                              unsigned int page_order)
{
    (void)d; (void)gfn; (void)mfn; (void)page_order;
    return -ENOSYS;
}

unsigned long domain_get_maximum_gpfn(struct domain *d)
{
    (void)d;
    return 0;
}

unsigned long get_gpfn_from_mfn(struct host *h, mfn_t mfn)
{
    (void)h; (void)mfn;
    return INVALID_M2P_ENTRY;
}

void set_gpfn_from_mfn(struct host *h, mfn_t mfn, unsigned int order,
                       unsigned long gfn)
{
    (void)h; (void)mfn; (void)order; (void)gfn;
}

void *p2m_gfn_to_virt(struct domain *d, unsigned long gfn)
{
    (void)d; (void)gfn;
    return NULL;
}
