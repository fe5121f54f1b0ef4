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
