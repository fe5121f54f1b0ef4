/*
 * foreign_map.c - what a PV dom0's foreign mapping resolves to: the MFN
 * behind another domain's frame, as Xen 4.17's do_mmu_update with a
 * foreign page owner (get_pg_owner, xsm_mmu_update, mod_l1_entry's
 * get_page_from_gfn(P2M_ALLOC) and get_page_from_l1e) decides it.  This is
 * privcmd's IOCTL_PRIVCMD_MMAPBATCH_V2 underneath libxenforeignmemory; the
 * process hosting the core then maps those MFNs of the RAM memfd.
 *
 * Rules and errors (per frame unless marked):
 *  -ESRCH   (domain) no such domain, or the caller's own id (Xen: "Cannot
 *           specify itself as foreign domain"); DOMID_IO and DOMID_XEN
 *           are not modelled.  DOMID_SELF is the caller, as in Xen.
 *  -EPERM   (domain) the dummy XSM policy: XSM_TARGET - the caller must be
 *           the control domain or the domain's device model.
 *  Translated (HVM) target, the gfn looked up with P2M_ALLOC:
 *    RAM (rw, logdirty, ro, ioreq_server, paging_out, paging_in with a
 *      page) owned by the target: its MFN, for reading or writing - a
 *      foreign writable mapping of p2m_ram_ro is allowed, as in Xen,
 *      where a foreign mapping of an HVM guest takes no page type;
 *    populate_on_demand: populated from the PoD cache first; if that
 *      fails (out of PoD memory: the target is crashed) -EINVAL;
 *    ram_paged, or paging_in without a page: -ENOENT (paging itself is
 *      not modelled: no populate request is sent);
 *    ram_shared: reading maps it, writing -ENOMEM (unsharing fails);
 *    grant_map_*, map_foreign: the page belongs to a third domain:
 *      -EBUSY unless the target may map that domain (its device model,
 *      or the control domain: Xen's xsm_priv_mapping hack);
 *    anything else (holes, mmio_dm, mmio_direct, broken): -EINVAL.
 *  PV target, the frame number being an MFN: a page the target owns
 *    (Xen-heap pages shared with it included): that MFN, but a page
 *    table of a pinned tree (mm_pv.c) only for reading, -EBUSY for
 *    writing; a page of another domain: as grant_map above; a free page
 *    -EBUSY; no RAM there (past the frame table) -EPERM (I/O memory the
 *    target may not map), or -EINVAL for the all-ones frame.
 *
 * No page reference is taken: Xen's PTE holds one until it is unmapped,
 * but the host process can munmap without telling the core.  A mapping
 * thus does not keep a page allocated; docs/versions.md says what that
 * means for callers.
 */
#include <errno.h>

#include "core.h"
#include "hypercall.h"
#include "p2m.h"
#include "pv.h"
#include "xsm.h"

#define PADDR_BITS_X86 52

/* The in-use owner of mfn's block (page_get_owner_and_reference). */
static struct domain *page_real_owner(const struct host *h, mfn_t mfn)
{
    unsigned int order;
    const struct page_info *head = inuse_block_head(h, mfn, &order);

    if ( page_state_is(head, free) || !(head->count_info & PGC_allocated) )
        return NULL;
    return page_get_owner(h, head);
}

/*
 * get_page_from_l1e's ownership rule: the page must be pg_owner's, unless
 * pg_owner may map the real owner (xsm_priv_mapping, XSM_TARGET) and is
 * not the caller itself.
 */
static int check_owner(struct caller *c, struct domain *pg_owner, mfn_t mfn)
{
    struct domain *real = page_real_owner(c->h, mfn);

    if ( real == pg_owner )
        return 0;
    if ( real == NULL || pg_owner == c->d ||
         xsm_default_action(XSM_TARGET, pg_owner, real) )
        return -EBUSY;
    return 0;
}

static int lookup_pv(struct caller *c, struct domain *f, xen_pfn_t gfn,
                     bool write, mfn_t *mfn)
{
    int rc;

    *mfn = _mfn(gfn);
    if ( !mfn_valid(c->h, *mfn) )
    {
        /* I/O memory: iomem_access_permitted fails for everyone here. */
        *mfn = INVALID_MFN;
        return gfn == ((1UL << PADDR_BITS_X86) - 1) >> PAGE_SHIFT
               ? -EINVAL : -EPERM;
    }
    if ( (rc = check_owner(c, f, *mfn)) )
        return rc;
    /* get_page_type(PGT_writable_page) fails on a pinned page table. */
    return write && pv_is_pagetable(f, gfn) ? -EBUSY : 0;
}

static int lookup_hvm(struct caller *c, struct domain *f, xen_pfn_t gfn,
                      bool write, mfn_t *mfn)
{
    struct p2m_domain *p2m = p2m_get_hostp2m(f);
    unsigned int order;
    p2m_type_t t;
    int rc;

    pthread_mutex_lock(&p2m->lock);
    /* P2M_ALLOC (| P2M_UNSHARE for writes): PoD is populated for c->d. */
    *mfn = p2m_get_entry_alloc(p2m, gfn, &t, &order, c->d);
    if ( t == p2m_ram_paged ||
         (t == p2m_ram_paging_in && !mfn_valid(c->h, *mfn)) )
        rc = -ENOENT;
    else if ( t == p2m_ram_shared && write )
        rc = -ENOMEM;
    else if ( (p2m_is_ram(t) || p2m_is_grant(t) || p2m_is_foreign(t)) &&
              mfn_valid(c->h, *mfn) )
    {
        /* get_page_from_gfn: RAM must be the target's own page. */
        if ( p2m_is_ram(t) && t != p2m_ram_shared &&
             page_real_owner(c->h, *mfn) != f )
            rc = -EINVAL;
        else
            rc = check_owner(c, f, *mfn);
    }
    else
        rc = -EINVAL;
    pthread_mutex_unlock(&p2m->lock);
    if ( rc )
        *mfn = INVALID_MFN;
    return rc;
}

/* get_pg_owner and xsm_mmu_update: the domain whose frames are mapped. */
static int foreign_get_owner(struct caller *c, domid_t domid,
                             struct domain **f)
{
    if ( domid == c->d->domain_id )
        return -ESRCH;
    if ( (*f = caller_domain_by_any_id(c, domid)) == NULL )
        return -ESRCH;
    if ( xsm_default_action(XSM_TARGET, c->d, *f) )
    {
        rcu_unlock_domain(*f);
        return -EPERM;
    }
    return 0;
}

static int foreign_lookup(struct caller *c, struct domain *f, xen_pfn_t gfn,
                          bool write, mfn_t *mfn)
{
    return paging_mode_translate(f) ? lookup_hvm(c, f, gfn, write, mfn)
                                    : lookup_pv(c, f, gfn, write, mfn);
}

int p2m_foreign_map_lookup(struct caller *c, domid_t domid, xen_pfn_t gfn,
                           bool write, mfn_t *mfn)
{
    struct domain *f;
    int rc;

    *mfn = INVALID_MFN;
    if ( (rc = foreign_get_owner(c, domid, &f)) )
        return rc;
    rc = foreign_lookup(c, f, gfn, write, mfn);
    rcu_unlock_domain(f);
    return rc;
}

int p2m_foreign_map_batch(struct caller *c, domid_t domid,
                          const xen_pfn_t gfns[], unsigned int n, bool write,
                          mfn_t mfns[], int errs[])
{
    struct domain *f;
    unsigned int i, failed = 0;
    int rc;

    if ( (rc = foreign_get_owner(c, domid, &f)) )
    {
        for ( i = 0; i < n; i++ )
        {
            mfns[i] = INVALID_MFN;
            errs[i] = rc;
        }
        return rc;
    }
    for ( i = 0; i < n; i++ )
        if ( (errs[i] = foreign_lookup(c, f, gfns[i], write, &mfns[i])) )
            failed++;
    rcu_unlock_domain(f);
    return failed;
}
