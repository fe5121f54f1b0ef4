/*
 * mm_pv.c - a PV guest's page-table hypercalls (x86 mm.c):
 * __HYPERVISOR_mmuext_op and __HYPERVISOR_mmu_update.  pv.h has the
 * model; foreign_map.c refuses writable mappings of pinned page tables.
 *
 * mmuext_op, as do_mmuext_op: the target is foreigndom (DOMID_SELF: the
 * caller), which must be PV; XSM_TARGET.  Each op in turn; the first
 * failure stops the batch, *pdone counts the ops done, a preempted batch
 * continues with count | MMU_UPDATE_PREEMPTED.
 *   PIN_L1..L4_TABLE  validate and pin the tree (pv_validate_tree's
 *                     errors; -EINVAL: not the target's, already
 *                     pinned); PIN_L4 of a 32-bit guest is ignored
 *   UNPIN_TABLE       -EINVAL if not pinned
 *   CLEAR_PAGE, COPY_PAGE  on the target's non-page-table frames (-EINVAL)
 *   TLB and cache flushes, INVLPG, NEW_[USER_]BASEPTR, SET_LDT:
 *                     -EPERM for a foreign target, as Xen; on the
 *                     caller itself they would act on its running vCPU,
 *                     which the emulated host has not: the flushes
 *                     succeed, the others are -EOPNOTSUPP
 *   MARK/UNMARK_SUPER -EOPNOTSUPP; anything else -ENOSYS
 * mmu_update: MMU_MACHPHYS_UPDATE sets the M2P of a frame the target owns
 * (-EINVAL otherwise, -EPERM with a foreign page-table owner, -EINVAL for
 * a translated target).  The page-table writes (MMU_NORMAL_PT_UPDATE and
 * friends) need page types xenmm does not have: -ENOSYS
 * (docs/versions.md).  DOMID_IO and DOMID_XEN do not exist here: -ESRCH.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xen/xen.h>

#include "core.h"
#include "hypercall.h"
#include "p2m.h"
#include "pv.h"
#include "xsm.h"

#define MMU_UPDATE_PREEMPTED (~(~0U >> 1))
#define _PAGE_PRESENT   0x001ULL
#define _PAGE_RW        0x002ULL
#define _PAGE_PSE       0x080ULL
#define PTE_MFN_MASK    0x000ffffffffff000ULL
/* 64-bit PV: L4 slots 256-271 are Xen's (ROOT_PAGETABLE_*_XEN_SLOT). */
#define FIRST_XEN_L4_SLOT 256
#define LAST_XEN_L4_SLOT  271

struct pv_domain *pv_domain(struct domain *d)
{
    if ( d->pv || is_hvm_domain(d) )
        return d->pv;
    d->pv = calloc(1, sizeof(*d->pv));
    if ( d->pv && !(d->pv->ctxt = calloc(d->max_vcpus ? d->max_vcpus : 1,
                                         sizeof(*d->pv->ctxt))) )
    {
        free(d->pv);
        d->pv = NULL;
    }
    return d->pv;
}

void pv_domain_destroy(struct domain *d)
{
    unsigned int i;

    if ( !d->pv )
        return;
    for ( i = 0; i < d->pv->nr_pinned; i++ )
        free(d->pv->pinned[i].tables);
    free(d->pv->pinned);
    free(d->pv->ctxt);
    free(d->pv);
    d->pv = NULL;
}

bool pv_page_owned(struct domain *d, unsigned long mfn)
{
    struct host *h = d->host;
    struct page_info *head;
    unsigned int order;

    if ( !mfn_valid(h, _mfn(mfn)) )
        return false;
    head = inuse_block_head(h, _mfn(mfn), &order);
    return !page_state_is(head, free) && page_get_owner(h, head) == d &&
           (head->count_info & PGC_allocated);
}

static int table_cmp(const void *a, const void *b)
{
    const struct pv_table *x = a, *y = b;

    return x->mfn < y->mfn ? -1 : x->mfn > y->mfn;
}

/* The table type frame mfn has in d's pinned trees, or 0. */
static unsigned int table_level(struct domain *d, unsigned long mfn)
{
    struct pv_domain *pv = d->pv;
    const struct pv_table key = { mfn, 0 }, *t;
    unsigned int i;

    for ( i = 0; pv && i < pv->nr_pinned; i++ )
        if ( (t = bsearch(&key, pv->pinned[i].tables, pv->pinned[i].nr_tables,
                          sizeof(key), table_cmp)) )
            return t->level;
    return 0;
}

bool pv_is_pagetable(struct domain *d, unsigned long mfn)
{
    return table_level(d, mfn) != 0;
}

struct tree_walk {
    struct domain *d;
    bool pae;                       /* a 32-bit guest's PAE tables */
    struct pv_table *tables;        /* found so far */
    unsigned int nr, cap;
    unsigned long *rw;              /* frames L1s map writable */
    unsigned int nr_rw, cap_rw;
};

static int grow(void **v, unsigned int *cap, unsigned int nr, size_t size)
{
    unsigned int ncap;
    void *nv;

    if ( nr < *cap )
        return 0;
    ncap = *cap ? 2 * *cap : 64;
    if ( (nv = realloc(*v, ncap * size)) == NULL )
        return -ENOMEM;
    *v = nv;
    *cap = ncap;
    return 0;
}

/* alloc_l<level>_table on mfn and, recursively, what it points to. */
static int walk_table(struct tree_walk *w, unsigned long mfn, unsigned int level)
{
    struct domain *d = w->d;
    const uint64_t *e;
    unsigned int i, n, have;
    int rc;

    if ( !pv_page_owned(d, mfn) )
        return -EINVAL;
    /* Already a table: of this level, fine (shared); of another, not. */
    for ( i = 0; i < w->nr; i++ )
        if ( w->tables[i].mfn == mfn )
            return w->tables[i].level == level ? 0 : -EINVAL;
    if ( (have = table_level(d, mfn)) && have != level )
        return -EINVAL;
    if ( (rc = grow((void **)&w->tables, &w->cap, w->nr, sizeof(*w->tables))) )
        return rc;
    w->tables[w->nr++] = (struct pv_table){ mfn, level };

    e = mfn_to_virt(d->host, _mfn(mfn));
    n = w->pae && level == 3 ? 4 : 512;
    for ( i = 0; i < n; i++ )
    {
        unsigned long target = (e[i] & PTE_MFN_MASK) >> PAGE_SHIFT;

        if ( !(e[i] & _PAGE_PRESENT) )
            continue;
        if ( level == 4 && i >= FIRST_XEN_L4_SLOT && i <= LAST_XEN_L4_SLOT )
            continue;                   /* Xen fills these in */
        if ( level > 1 )
        {
            /* PV guests have no superpages (l2/l3/l4_disallow_mask). */
            if ( e[i] & _PAGE_PSE )
                return -EINVAL;
            if ( (rc = walk_table(w, target, level - 1)) )
                return rc;
            continue;
        }
        /* get_page_from_l1e: RAM, d's own; writable ones recorded. */
        if ( !mfn_valid(d->host, _mfn(target)) )
            return -EPERM;
        if ( !pv_page_owned(d, target) )
            return -EBUSY;
        if ( e[i] & _PAGE_RW )
        {
            if ( (rc = grow((void **)&w->rw, &w->cap_rw, w->nr_rw,
                            sizeof(*w->rw))) )
                return rc;
            w->rw[w->nr_rw++] = target;
        }
    }
    return 0;
}

/* The walk, then: no page table of this tree or a pinned one writable. */
static int walk_tree(struct tree_walk *w, unsigned long mfn, unsigned int level)
{
    unsigned int i, j;
    int rc = walk_table(w, mfn, level);

    for ( i = 0; !rc && i < w->nr_rw; i++ )
    {
        if ( pv_is_pagetable(w->d, w->rw[i]) )
            rc = -EBUSY;
        for ( j = 0; !rc && j < w->nr; j++ )
            if ( w->tables[j].mfn == w->rw[i] )
                rc = -EBUSY;
    }
    return rc;
}

int pv_validate_tree(struct domain *d, unsigned long mfn, unsigned int level)
{
    struct tree_walk w = { .d = d, .pae = d->pv_32bit };
    int rc = walk_tree(&w, mfn, level);

    free(w.tables);
    free(w.rw);
    return rc;
}

/* Validate and pin; the tables are kept sorted for lookups. */
static int pin_table(struct domain *d, unsigned long mfn, unsigned int level)
{
    struct pv_domain *pv = pv_domain(d);
    struct tree_walk w = { .d = d, .pae = d->pv_32bit };
    struct pv_pinned *p;
    unsigned int i;
    int rc;

    if ( !pv )
        return -ENOMEM;
    if ( !pv_page_owned(d, mfn) )
        return -EINVAL;
    for ( i = 0; i < pv->nr_pinned; i++ )
        if ( pv->pinned[i].root == mfn )
            return -EINVAL;             /* already pinned */
    if ( (rc = walk_tree(&w, mfn, level)) )
        goto out;
    rc = -ENOMEM;
    if ( (p = realloc(pv->pinned, (pv->nr_pinned + 1) * sizeof(*p))) == NULL )
        goto out;
    pv->pinned = p;
    p = &pv->pinned[pv->nr_pinned++];
    p->root = mfn;
    qsort(w.tables, w.nr, sizeof(*w.tables), table_cmp);
    p->tables = w.tables;
    p->nr_tables = w.nr;
    w.tables = NULL;
    rc = 0;
 out:
    free(w.tables);
    free(w.rw);
    return rc;
}

static int unpin_table(struct domain *d, unsigned long mfn)
{
    struct pv_domain *pv = d->pv;
    unsigned int i;

    if ( !pv_page_owned(d, mfn) )
        return -EINVAL;
    for ( i = 0; pv && i < pv->nr_pinned; i++ )
        if ( pv->pinned[i].root == mfn )
        {
            free(pv->pinned[i].tables);
            pv->pinned[i] = pv->pinned[--pv->nr_pinned];
            return 0;
        }
    return -EINVAL;                     /* not pinned */
}

/*
 * get_pg_owner(): NULL for itself named by id, or an unknown domain.  The
 * owner comes with a reference: put_pg_owner() gives it back.
 */
static struct domain *get_pg_owner(struct caller *c, unsigned int domid)
{
    if ( (domid_t)domid == DOMID_SELF )
    {
        get_knownalive_domain(c->d);
        return c->d;
    }
    if ( (domid_t)domid == c->d->domain_id )
        return NULL;                    /* "Cannot specify itself" */
    return caller_domain_by_id(c, (domid_t)domid);
}

static void put_pg_owner(struct domain *d)
{
    put_domain(d);
}

static int mmuext_one(struct caller *c, struct domain *pg_owner,
                      const struct mmuext_op *op)
{
    struct domain *currd = c->d;
    struct host *h = c->h;

    switch ( op->cmd )
    {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        if ( op->cmd == MMUEXT_PIN_L4_TABLE && pg_owner->pv_32bit )
            return 0;
        return pin_table(pg_owner, op->arg1.mfn, op->cmd + 1);

    case MMUEXT_UNPIN_TABLE:
        return unpin_table(pg_owner, op->arg1.mfn);

    case MMUEXT_CLEAR_PAGE:
        if ( !pv_page_owned(pg_owner, op->arg1.mfn) ||
             pv_is_pagetable(pg_owner, op->arg1.mfn) )
            return -EINVAL;
        os_ram_fill(&h->ram, (uint64_t)op->arg1.mfn << PAGE_SHIFT, PAGE_SIZE, 0);
        return 0;

    case MMUEXT_COPY_PAGE:
        if ( !pv_page_owned(pg_owner, op->arg2.src_mfn) ||
             !pv_page_owned(pg_owner, op->arg1.mfn) ||
             pv_is_pagetable(pg_owner, op->arg1.mfn) )
            return -EINVAL;
        memcpy(mfn_to_virt(h, _mfn(op->arg1.mfn)),
               mfn_to_virt(h, _mfn(op->arg2.src_mfn)), PAGE_SIZE);
        return 0;

    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_TLB_FLUSH_ALL:
    case MMUEXT_INVLPG_ALL:
        return currd != pg_owner ? -EPERM : 0;   /* nothing is cached */

    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        /* No domain here may flush caches (cache_flush_permitted). */
        return currd != pg_owner ? -EPERM
               : op->cmd == MMUEXT_FLUSH_CACHE ? -EACCES : -EINVAL;

    case MMUEXT_NEW_BASEPTR:
    case MMUEXT_NEW_USER_BASEPTR:
    case MMUEXT_SET_LDT:
        return currd != pg_owner ? -EPERM : -EOPNOTSUPP;

    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        return -EOPNOTSUPP;

    default:
        return -ENOSYS;
    }
}

/* The common head of both: continuation count, pdone, the page owner. */
static long pv_op_prologue(struct caller *c, uint64_t list, size_t esize,
                           unsigned int *count, uint64_t pdone,
                           unsigned int *done)
{
    if ( *count & MMU_UPDATE_PREEMPTED )
    {
        *count &= ~MMU_UPDATE_PREEMPTED;
        if ( !guest_handle_is_null(pdone) )
            copy_from_guest_raw(c->mem, done, pdone, sizeof(*done));
    }
    if ( *count && !guest_access_okay(c->mem, list, (uint64_t)*count * esize) )
        return -EFAULT;
    return 0;
}

static long pv_op_epilogue(struct caller *c, unsigned long nr, uint64_t list,
                           size_t esize, unsigned int count, unsigned int i,
                           uint64_t pdone, unsigned int foreigndom,
                           unsigned int done, long rc)
{
    if ( rc == -ERESTART )
    {
        unsigned long args[4] = {
            list + i * esize, (count - i) | MMU_UPDATE_PREEMPTED, pdone,
            foreigndom,
        };

        done += i;
        if ( !guest_handle_is_null(pdone) )
            copy_to_guest_raw(c->mem, pdone, &done, sizeof(done));
        return hypercall_create_continuation(c, nr, 4, args);
    }
    done += i;
    if ( !guest_handle_is_null(pdone) &&
         copy_to_guest_raw(c->mem, pdone, &done, sizeof(done)) )
        rc = -EFAULT;
    return rc;
}

long do_mmuext_op(struct caller *c, uint64_t uops, unsigned int count,
                  uint64_t pdone, unsigned int foreigndom)
{
    struct domain *pg_owner;
    struct mmuext_op op;
    unsigned int i, done = 0;
    long rc;

    if ( (rc = pv_op_prologue(c, uops, sizeof(op), &count, pdone, &done)) )
        return rc;
    if ( (pg_owner = get_pg_owner(c, foreigndom)) == NULL )
        return -ESRCH;
    if ( !is_pv_domain(pg_owner) )
        rc = -EINVAL;
    else
        rc = xsm_default_action(XSM_TARGET, c->d, pg_owner);
    if ( rc )
    {
        put_pg_owner(pg_owner);
        return rc;
    }

    for ( i = 0; i < count; i++ )
    {
        if ( i && hypercall_preempt_check(c) )
        {
            rc = -ERESTART;
            break;
        }
        if ( copy_from_guest_raw(c->mem, &op, uops + i * sizeof(op),
                                 sizeof(op)) )
        {
            rc = -EFAULT;
            break;
        }
        /* An HVM caller may only pin and unpin. */
        if ( is_hvm_domain(c->d) && op.cmd > MMUEXT_UNPIN_TABLE )
            rc = -EOPNOTSUPP;
        else
            rc = mmuext_one(c, pg_owner, &op);
        if ( rc )
            break;
    }
    put_pg_owner(pg_owner);
    return pv_op_epilogue(c, __HYPERVISOR_mmuext_op, uops, sizeof(op), count,
                          i, pdone, foreigndom, done, rc);
}

long do_mmu_update(struct caller *c, uint64_t ureqs, unsigned int count,
                   uint64_t pdone, unsigned int foreigndom)
{
    struct domain *pt_owner = NULL, *pg_owner;
    struct mmu_update req;
    unsigned int i, done = 0, pt_dom;
    long rc;

    if ( (rc = pv_op_prologue(c, ureqs, sizeof(req), &count, pdone, &done)) )
        return rc;
    /* Page tables of a foreign domain (PFD): its id + 1 in bits 16-31. */
    if ( (pt_dom = foreigndom >> 16) != 0 )
    {
        if ( (pt_owner = caller_domain_by_id(c, pt_dom - 1)) == NULL )
            return -ESRCH;
        if ( pt_owner != c->d && !pt_owner->vcpu[0] )
        {
            put_domain(pt_owner);
            return -EINVAL;
        }
    }
    else
    {
        pt_owner = c->d;
        get_knownalive_domain(pt_owner);
    }
    if ( (pg_owner = get_pg_owner(c, (uint16_t)foreigndom)) == NULL )
    {
        put_domain(pt_owner);
        return -ESRCH;
    }

    for ( i = 0; i < count; i++ )
    {
        if ( i && hypercall_preempt_check(c) )
        {
            rc = -ERESTART;
            break;
        }
        if ( copy_from_guest_raw(c->mem, &req, ureqs + i * sizeof(req),
                                 sizeof(req)) )
        {
            rc = -EFAULT;
            break;
        }
        switch ( req.ptr & (sizeof(uint64_t) - 1) )
        {
        case MMU_MACHPHYS_UPDATE:
        {
            unsigned long mfn = req.ptr >> PAGE_SHIFT;

            if ( c->d != pt_owner )
                rc = -EPERM;
            else if ( paging_mode_translate(pg_owner) )
                rc = -EINVAL;
            else if ( (rc = xsm_default_action(XSM_TARGET, c->d, pg_owner)) )
                break;
            else if ( !pv_page_owned(pg_owner, mfn) )
                rc = -EINVAL;
            else
                set_gpfn_from_mfn(c->h, _mfn(mfn), 0, req.val);
            break;
        }
        default:
            /* Page-table writes: no page types to check them against. */
            rc = -ENOSYS;
            break;
        }
        if ( rc )
            break;
    }
    put_pg_owner(pg_owner);
    put_domain(pt_owner);
    return pv_op_epilogue(c, __HYPERVISOR_mmu_update, ureqs, sizeof(req),
                          count, i, pdone, foreigndom, done, rc);
}
