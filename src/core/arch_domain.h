/*
 * arch_domain.h - the per-domain resources domain_create() sets up and
 * domain_kill()/domain_destroy() tear down (Xen's arch_domain_create,
 * domain_relinquish_resources and arch_domain_destroy on x86), and the
 * hooks of the files that own them.
 *
 * arch_domain_create: 0 or -errno; on failure nothing is left allocated.
 * arch_domain_relinquish: run once by domain_kill, before the page lists
 *   are emptied; gives pool and p2m memory back.
 * arch_domain_destroy: frees what is left (tables, and the Xen-heap pages
 *   of the grant table and shared_info, which domain_kill unshared).
 */
#ifndef XENMM_CORE_ARCH_DOMAIN_H
#define XENMM_CORE_ARCH_DOMAIN_H

#include <stdint.h>

struct host;
struct domain;
struct xen_domctl_createdomain;

int arch_domain_create(struct domain *d,
                       const struct xen_domctl_createdomain *config);
void arch_domain_relinquish(struct domain *d);
void arch_domain_destroy(struct domain *d);

/* p2m.c: the host p2m of a translated (HVM) domain. */
int p2m_init(struct domain *d);
void p2m_teardown(struct domain *d);        /* empty the p2m */
void p2m_final_teardown(struct domain *d);  /* free the structure */

/* paging.c: the paging mempool (hap.c's pool; 256 pages at HAP enable). */
int paging_enable(struct domain *d);
void paging_teardown(struct domain *d);     /* pool pages back to the heap */
/*
 * For the p2m's table pages: a zeroed page from the pool (NULL when it is
 * empty or d is dying), counted in d->paging.p2m_pages; and its return.
 */
struct page_info *paging_alloc_p2m_page(struct domain *d);
void paging_free_p2m_page(struct domain *d, struct page_info *pg);

/*
 * grant_table.c: grant_table_init (options: createdomain's grant_opts) and
 * grant_table_destroy (frees the frames; run by arch_domain_destroy).
 */
int grant_table_init(struct domain *d, unsigned int options);
void grant_table_destroy(struct domain *d);

/*
 * time.c: the domain's TSC mode and rate (arch_domain_create sets the
 * default mode; hvm_save.c's HEADER carries the rate).  tsc_set_info:
 * 0 or -EINVAL (unknown mode).
 */
int tsc_set_info(struct domain *d, uint32_t tsc_mode, uint64_t elapsed_nsec,
                 uint32_t gtsc_khz, uint32_t incarnation);
void tsc_get_info(struct domain *d, uint32_t *tsc_mode, uint64_t *elapsed_nsec,
                  uint32_t *gtsc_khz, uint32_t *incarnation);

/*
 * cpu_policy.c: the domain's policy, its type's default (init_domain_
 * cpu_policy: 0 or -ENOMEM; the first call computes the host's system
 * policies); cpu_policies_destroy frees those at host teardown.
 */
int init_domain_cpu_policy(struct domain *d);
void cpu_policies_destroy(struct host *h);

/* hvm.c: HVM parameters' initial values (hvm_domain_initialise). */
void hvm_domain_initialise(struct domain *d);

#endif /* XENMM_CORE_ARCH_DOMAIN_H */
