/*
 * arch_domain.c - x86 per-domain setup and teardown (see arch_domain.h):
 * the order Xen uses, with each resource owned by its own file.
 */
#include "core.h"
#include "arch_domain.h"

int arch_domain_create(struct domain *d,
                       const struct xen_domctl_createdomain *config)
{
    int rc;

    (void)config;
    if ( (rc = paging_enable(d)) )
        return rc;
    if ( (rc = p2m_init(d)) )
    {
        paging_teardown(d);
        return rc;
    }
    if ( (rc = grant_table_init(d)) )
    {
        p2m_final_teardown(d);
        paging_teardown(d);
        return rc;
    }
    return 0;
}

void arch_domain_relinquish(struct domain *d)
{
    grant_table_destroy(d);
    p2m_teardown(d);
    paging_teardown(d);
}

void arch_domain_destroy(struct domain *d)
{
    p2m_final_teardown(d);
}
