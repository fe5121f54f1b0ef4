/*
 * domain.c - the parts of struct domain the allocator needs (Xen's
 * common/domain.c): creation with Xen's initial values, lookup by id,
 * references, and death (domain_kill cancels the claim and gives every
 * page back, dirty, so it is scrubbed before anyone else sees it).
 *
 * Errors: domain_create sets -EINVAL (reserved id), -EEXIST (id in use),
 * -ENOMEM.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

struct domain *domain_create(struct host *h, domid_t domid, int *rc)
{
    struct domain *d;
    pthread_mutexattr_t ma;

    *rc = 0;
    if ( domid >= DOMID_FIRST_RESERVED )
    {
        *rc = -EINVAL;
        return NULL;
    }
    d = calloc(1, sizeof(*d));
    if ( !d )
    {
        *rc = -ENOMEM;
        return NULL;
    }
    d->domain_id = domid;
    d->host = h;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&d->page_alloc_lock, &ma);
    pthread_mutexattr_destroy(&ma);
    page_list_init(&d->page_list);
    page_list_init(&d->extra_page_list);
    page_list_init(&d->xenpage_list);
    d->max_pages = 0;                    /* the toolstack sets max_mem */
    d->claim_node = NUMA_NO_NODE;
    d->node_affinity = NODE_MASK_ALL;    /* even offline nodes, as Xen */
    d->auto_node_affinity = true;
    d->last_alloc_node = 0;
    d->refcnt = 1;

    pthread_mutex_lock(&h->domlist_lock);
    if ( h->domains[domid] )
    {
        pthread_mutex_unlock(&h->domlist_lock);
        pthread_mutex_destroy(&d->page_alloc_lock);
        free(d);
        *rc = -EEXIST;
        return NULL;
    }
    h->domains[domid] = d;
    pthread_mutex_unlock(&h->domlist_lock);
    return d;
}

struct domain *get_domain_by_id(struct host *h, domid_t domid)
{
    struct domain *d;

    if ( domid >= DOMID_FIRST_RESERVED )
        return NULL;
    pthread_mutex_lock(&h->domlist_lock);
    d = h->domains[domid];
    pthread_mutex_unlock(&h->domlist_lock);
    return d;
}

void get_knownalive_domain(struct domain *d)
{
    __atomic_add_fetch(&d->refcnt, 1, __ATOMIC_RELAXED);
}

void put_domain(struct domain *d)
{
    __atomic_sub_fetch(&d->refcnt, 1, __ATOMIC_RELAXED);
}

/* Give back every block on a list (relinquish_memory). */
static void relinquish_list(struct domain *d, struct page_list_head *list)
{
    struct host *h = d->host;
    struct page_info *pg;

    for ( ; ; )
    {
        pthread_mutex_lock(&d->page_alloc_lock);
        pg = page_list_first(h, list);
        pthread_mutex_unlock(&d->page_alloc_lock);
        if ( !pg )
            break;
        free_domheap_pages(h, pg, pg->u.inuse.order);
    }
}

void domain_kill(struct domain *d)
{
    if ( d->is_dying )
        return;
    d->is_dying = true;
    /* The claim goes as the domain starts dying (test-mem-claim relies on it). */
    domain_set_outstanding_pages(d, 0, NUMA_NO_NODE);
    relinquish_list(d, &d->page_list);
    relinquish_list(d, &d->extra_page_list);
    relinquish_list(d, &d->xenpage_list);
}

void domain_destroy(struct domain *d)
{
    struct host *h = d->host;

    domain_kill(d);
    pthread_mutex_lock(&h->domlist_lock);
    h->domains[d->domain_id] = NULL;
    pthread_mutex_unlock(&h->domlist_lock);
    pthread_mutex_destroy(&d->page_alloc_lock);
    free(d);
}
