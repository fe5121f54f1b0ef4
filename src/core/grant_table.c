/*
 * grant_table.c - grant table v1 (common/grant_table.c).  Not built yet.
 */
#include "core.h"
#include "arch_domain.h"

int grant_table_init(struct domain *d)
{
    (void)d;
    return 0;
}

void grant_table_destroy(struct domain *d)
{
    (void)d;
}
