/*
 * x86_mm.c - x86 mm.c: Xen-heap pages shared with a guest
 * (share_xen_page_with_guest) and arch_memory_op.
 * arch_memory_op is not built yet: -ENOSYS.
 */
#include <errno.h>

#include "core.h"
#include "hypercall.h"
#include "p2m.h"

void share_xen_page_with_guest(struct page_info *pg, struct domain *d)
{
    struct host *h = d->host;

    if ( pg->u.inuse.owner && page_get_owner_raw(h, pg) == d )
        return;

    set_gpfn_from_mfn(h, page_to_mfn(h, pg), 0, INVALID_M2P_ENTRY);

    pthread_mutex_lock(&d->page_alloc_lock);
    /*
     * Xen records the owner even for a dying domain but does not list the
     * page; here such a page stays unowned, so nothing looks owned that is
     * not on one of the domain's lists.
     */
    if ( !d->is_dying )
    {
        page_set_owner(pg, d);
        pg->count_info |= PGC_xen_heap | PGC_allocated | 1;
        if ( d->xenheap_pages++ == 0 )
            get_knownalive_domain(d);
        page_list_add_tail(h, pg, &d->xenpage_list);
    }
    pthread_mutex_unlock(&d->page_alloc_lock);
}

void unshare_xen_page_with_guest(struct page_info *pg, struct domain *d)
{
    struct host *h = d->host;
    bool drop_dom_ref;

    /*
     * Compare the raw owner id, not page_get_owner(): d may be a domain
     * that never got into the domain table (a failed creation).
     */
    if ( pg->u.inuse.owner != d->domain_id + 1 ||
         !(pg->count_info & PGC_allocated) )
        return;

    pthread_mutex_lock(&d->page_alloc_lock);
    page_list_del(h, pg, &d->xenpage_list);
    drop_dom_ref = --d->xenheap_pages == 0;
    pthread_mutex_unlock(&d->page_alloc_lock);
    page_set_owner(pg, NULL);
    pg->count_info &= ~(PGC_allocated | PGC_count_mask);
    if ( drop_dom_ref )
        put_domain(d);
}

long arch_memory_op(struct caller *c, unsigned long cmd, uint64_t arg)
{
    (void)c;
    (void)cmd;
    (void)arg;
    return -ENOSYS;
}
