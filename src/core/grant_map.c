/*
 * grant_map.c - mapping grants of v1 tables, as common/grant_table.c:
 * GNTTABOP_map_grant_ref and unmap_grant_ref (do_grant_table_op, in
 * grant_table.c, hands them over), the maptrack handles behind them, and
 * the teardown of mappings when a domain dies (grant_table.h has the
 * locks and the structures).
 *
 * map_grant_ref, as 4.17: flags must ask for a host and/or device mapping
 * (else GNTST_bad_gntref); an HVM mapper may not ask for device,
 * application or PTE mappings (GNTST_general_error); the granting domain
 * must exist (GNTST_bad_domain; DOMID_SELF is not accepted); a maptrack
 * handle must be free or makeable (GNTST_no_space); the ref must be below
 * the table's entries (GNTST_bad_gntref).  The first pin checks the shared
 * entry - GTF_permit_access without GTF_sub_page, domid the mapper's, not
 * GTF_readonly for a writable map (else GNTST_general_error) - and sets
 * GTF_reading (and GTF_writing) in it; the granted frame is then looked
 * up (a PV granter's frame is an MFN it must own; an HVM granter's gfn is
 * looked up with P2M_ALLOC, so PoD is populated): paging types and a
 * writable map of a shared page GNTST_eagain, anything else that is not
 * the granter's RAM GNTST_bad_page, a page owned by another domain (a
 * grant mapping in the granter's p2m) GNTST_general_error.  Later pins by
 * the same domain only add to the counts (a different domain, or a count
 * about to overflow: GNTST_general_error).  dev_bus_addr is always the
 * frame's machine address.  GNTST_permission_denied cannot happen under
 * the dummy XSM policy (xsm_grant_mapref is XSM_HOOK).
 *
 * Host mappings: an HVM mapper gets a p2m_grant_map_rw/ro entry at
 * host_addr >> 12 (x86 create_grant_p2m_mapping); a PV mapper's page
 * tables are not modelled, so host_addr is only recorded and unmap must
 * present the same address (Xen checks the PTE at the address instead).
 * No page reference is taken: see gnttab_revoke_foreign_mappings.
 *
 * unmap_grant_ref: GNTST_bad_handle for a handle never handed out, free,
 * or changed under the op; GNTST_bad_dev_addr for a device address that is
 * not the frame's; GNTST_general_error when the host mapping is not there.
 * A zero host_addr or dev_bus_addr leaves that half mapped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "grant_table.h"
#include "guest_access.h"
#include "hypercall.h"
#include "p2m.h"
#include "xsm.h"

/* active_grant_entry.pin: four byte-wide counters. */
#define GNTPIN_hstw_inc   (1U << 0)
#define GNTPIN_hstr_inc   (1U << 8)
#define GNTPIN_devw_inc   (1U << 16)
#define GNTPIN_devr_inc   (1U << 24)
#define GNTPIN_hstw_mask  (0xffU << 0)
#define GNTPIN_hstr_mask  (0xffU << 8)
#define GNTPIN_devw_mask  (0xffU << 16)
#define GNTPIN_devr_mask  (0xffU << 24)
/* The top bit of each counter being incremented: one more could wrap. */
#define GNTPIN_incr2oflow_mask(x) ((x) << 7)

#define INVALID_MAPTRACK_HANDLE (~0U)

/* The first two fields of a shared entry, updated as one word. */
union grant_combo {
    uint32_t raw;
    struct {
        uint16_t flags;
        domid_t domid;
    };
};

static unsigned int nr_grant_entries(const struct grant_table *gt)
{
    return gt->nr_grant_frames * SHGNT_PER_PAGE_V1;
}

static grant_entry_v1_t *shared_entry_v1(struct grant_table *gt,
                                         grant_ref_t ref)
{
    return (grant_entry_v1_t *)gt->shared_raw[ref / SHGNT_PER_PAGE_V1] +
           ref % SHGNT_PER_PAGE_V1;
}

static struct active_grant_entry *active_entry(struct grant_table *gt,
                                               grant_ref_t ref)
{
    return &gt->active[ref / SHGNT_PER_PAGE_V1][ref % SHGNT_PER_PAGE_V1];
}

static struct grant_mapping *maptrack_entry(struct grant_table *gt,
                                            grant_handle_t handle)
{
    return &gt->maptrack[handle / MAPTRACK_PER_PAGE]
                        [handle % MAPTRACK_PER_PAGE];
}

/* ---- maptrack handles (maptrack_lock held) ---- */

static grant_handle_t take_free_handle(struct grant_table *gt, unsigned int v)
{
    unsigned int head = gt->maptrack_free[v].head, next;

    if ( head == MAPTRACK_TAIL )
        return INVALID_MAPTRACK_HANDLE;
    /* One entry always stays, so frees can be linked at the tail. */
    next = maptrack_entry(gt, head)->ref;
    if ( next == MAPTRACK_TAIL )
        return INVALID_MAPTRACK_HANDLE;
    gt->maptrack_free[v].head = next;
    return head;
}

/* Xen picks a random victim; xenmm looks from the next vCPU on. */
static grant_handle_t steal_maptrack_handle(struct grant_table *gt,
                                            unsigned int curr)
{
    unsigned int i = curr;

    do {
        grant_handle_t handle;

        i = (i + 1) % gt->nr_maptrack_vcpus;
        handle = take_free_handle(gt, i);
        if ( handle != INVALID_MAPTRACK_HANDLE )
        {
            maptrack_entry(gt, handle)->vcpu = curr;
            return handle;
        }
    } while ( i != curr );
    return INVALID_MAPTRACK_HANDLE;
}

static void put_maptrack_handle(struct grant_table *gt, grant_handle_t handle)
{
    struct grant_mapping *mt = maptrack_entry(gt, handle);
    unsigned int v = mt->vcpu, tail;

    mt->ref = MAPTRACK_TAIL;
    mt->revoked = false;
    tail = gt->maptrack_free[v].tail;
    gt->maptrack_free[v].tail = handle;
    maptrack_entry(gt, tail)->ref = handle;
}

static grant_handle_t get_maptrack_handle(struct grant_table *gt,
                                          unsigned int vcpu)
{
    unsigned int v = vcpu < gt->nr_maptrack_vcpus ? vcpu : 0, i;
    struct grant_mapping *new_mt = NULL;
    grant_handle_t handle;

    pthread_mutex_lock(&gt->maptrack_lock);
    handle = take_free_handle(gt, v);
    if ( handle != INVALID_MAPTRACK_HANDLE )
        goto out;

    if ( gt->maptrack_limit / MAPTRACK_PER_PAGE < gt->max_maptrack_frames )
        new_mt = calloc(MAPTRACK_PER_PAGE, sizeof(*new_mt));
    if ( new_mt == NULL )
    {
        /* No free list yet: steal a sentinel for its tail first. */
        if ( gt->maptrack_free[v].tail == MAPTRACK_TAIL )
        {
            handle = steal_maptrack_handle(gt, v);
            if ( handle == INVALID_MAPTRACK_HANDLE )
                goto out;
            maptrack_entry(gt, handle)->ref = MAPTRACK_TAIL;
            gt->maptrack_free[v].tail = handle;
            if ( gt->maptrack_free[v].head == MAPTRACK_TAIL )
                gt->maptrack_free[v].head = handle;
        }
        handle = steal_maptrack_handle(gt, v);
        goto out;
    }

    /* Hand out the first new entry; the rest join the head of the list. */
    handle = gt->maptrack_limit;
    for ( i = 0; i < MAPTRACK_PER_PAGE; i++ )
    {
        new_mt[i].ref = handle + i + 1;
        new_mt[i].vcpu = v;
    }
    if ( gt->maptrack_free[v].tail == MAPTRACK_TAIL )
        gt->maptrack_free[v].tail = handle + MAPTRACK_PER_PAGE - 1;
    gt->maptrack[gt->maptrack_limit / MAPTRACK_PER_PAGE] = new_mt;
    gt->maptrack_limit += MAPTRACK_PER_PAGE;
    new_mt[MAPTRACK_PER_PAGE - 1].ref = gt->maptrack_free[v].head;
    gt->maptrack_free[v].head = handle + 1;

 out:
    pthread_mutex_unlock(&gt->maptrack_lock);
    return handle;
}

static void release_maptrack_handle(struct grant_table *gt,
                                    grant_handle_t handle)
{
    pthread_mutex_lock(&gt->maptrack_lock);
    put_maptrack_handle(gt, handle);
    pthread_mutex_unlock(&gt->maptrack_lock);
}

/* ---- the shared entry's flags (rgt->active_lock held) ---- */

/* _set_status_v1: pin the entry for reading (and writing). */
static int set_status_v1(grant_entry_v1_t *sha,
                         const struct active_grant_entry *act, bool readonly,
                         domid_t ldomid)
{
    uint32_t *raw = (uint32_t *)sha;
    union grant_combo scombo, new;
    unsigned int retries = 0;

    scombo.raw = __atomic_load_n(raw, __ATOMIC_SEQ_CST);
    /* The guest may race us: a few retries, then it is misbehaving. */
    for ( ; ; )
    {
        if ( !act->pin &&
             ((scombo.flags & (GTF_type_mask | GTF_sub_page)) !=
              GTF_permit_access || scombo.domid != ldomid) )
            return GNTST_general_error;
        new = scombo;
        new.flags |= GTF_reading;
        if ( !readonly )
        {
            new.flags |= GTF_writing;
            if ( scombo.flags & GTF_readonly )
                return GNTST_general_error;
        }
        if ( __atomic_compare_exchange_n(raw, &scombo.raw, new.raw, false,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) )
            return GNTST_okay;
        if ( retries++ == 4 )
            return GNTST_general_error;
    }
}

/* Clear GTF_reading/GTF_writing once no pin needs them. */
static void reduce_status_for_pin(const struct active_grant_entry *act,
                                  grant_entry_v1_t *sha, bool readonly)
{
    uint16_t clear = act->pin ? 0 : GTF_reading;

    if ( !readonly && !(act->pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask)) )
        clear |= GTF_writing;
    if ( clear )
        __atomic_fetch_and(&sha->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

/* ---- the granted frame ---- */

static bool page_is_owned_by(const struct host *h, mfn_t mfn,
                             const struct domain *d)
{
    unsigned int order;
    const struct page_info *head;

    if ( !mfn_valid(h, mfn) )
        return false;
    head = inuse_block_head(h, mfn, &order);
    return !page_state_is(head, free) && page_get_owner(h, head) == d &&
           (head->count_info & PGC_allocated);
}

/*
 * get_paged_frame via check_get_page_from_gfn: the MFN behind the
 * granter's frame number.  curr is the mapping domain (PoD's "current").
 */
static int get_paged_frame(struct domain *rd, unsigned long gfn, bool readonly,
                           const struct domain *curr, mfn_t *mfn)
{
    struct host *h = rd->host;
    struct p2m_domain *p2m;
    unsigned int order;
    p2m_type_t t;
    int rc = GNTST_bad_page;

    /* xenmm frees a dying domain's memory at once: nothing is left. */
    if ( rd->is_dying )
        return GNTST_bad_page;
    if ( !paging_mode_translate(rd) )
    {
        /* A PV frame number is an MFN, which rd must own (get_page). */
        *mfn = _mfn(gfn);
        return page_is_owned_by(h, *mfn, rd) ? GNTST_okay : GNTST_bad_page;
    }

    p2m = p2m_get_hostp2m(rd);
    pthread_mutex_lock(&p2m->lock);
    /* P2M_ALLOC, or P2M_UNSHARE (which implies it) for a writable map. */
    *mfn = p2m_get_entry_alloc(p2m, gfn, &t, &order, curr);
    if ( p2m_is_paging(t) || (t == p2m_ram_shared && !readonly) )
        rc = GNTST_eagain;
    else if ( !mfn_valid(h, *mfn) || p2m_is_foreign(t) )
        rc = GNTST_bad_page;
    else if ( p2m_is_grant(t) )
        rc = GNTST_okay;            /* another domain's page: refused later */
    else if ( p2m_is_ram(t) && page_is_owned_by(h, *mfn, rd) )
        rc = GNTST_okay;
    pthread_mutex_unlock(&p2m->lock);
    return rc;
}

/* x86 create_grant_host_mapping: p2m for HVM, page tables (none) for PV. */
static int create_grant_host_mapping(struct domain *ld, uint64_t addr,
                                     mfn_t mfn, unsigned int flags,
                                     unsigned int cache_flags)
{
    if ( !paging_mode_translate(ld) )
        return GNTST_okay;
    if ( cache_flags || (flags & ~GNTMAP_readonly) != GNTMAP_host_map )
        return GNTST_general_error;
    if ( guest_physmap_add_entry(ld, addr >> PAGE_SHIFT, mfn, PAGE_ORDER_4K,
                                 (flags & GNTMAP_readonly) ? p2m_grant_map_ro
                                                           : p2m_grant_map_rw) )
        return GNTST_general_error;
    return GNTST_okay;
}

/* x86 replace_grant_host_mapping with new_addr 0. */
static int replace_grant_host_mapping(struct domain *ld, uint64_t addr,
                                      mfn_t mfn, unsigned int flags,
                                      uint64_t mapped_at)
{
    struct p2m_domain *p2m;
    unsigned long gfn = addr >> PAGE_SHIFT;
    unsigned int order;
    p2m_type_t t;
    mfn_t old;
    int rc;

    if ( !paging_mode_translate(ld) )
        return addr == mapped_at ? GNTST_okay : GNTST_general_error;
    if ( flags & GNTMAP_contains_pte )
        return GNTST_general_error;
    p2m = p2m_get_hostp2m(ld);
    pthread_mutex_lock(&p2m->lock);
    old = p2m_get_entry(p2m, gfn, &t, &order);
    if ( !p2m_is_grant(t) || !mfn_eq(old, mfn) )
        rc = GNTST_general_error;
    else
        rc = p2m_remove_entry(p2m, gfn, mfn, PAGE_ORDER_4K)
             ? GNTST_general_error : GNTST_okay;
    pthread_mutex_unlock(&p2m->lock);
    return rc;
}

/* ---- map ---- */

static void map_grant_ref(struct caller *c, gnttab_map_grant_ref_t *op)
{
    struct domain *ld = c->d, *rd;
    struct grant_table *lgt = ld->grant_table, *rgt;
    struct active_grant_entry *act;
    struct grant_mapping *mt;
    grant_entry_v1_t *sha;
    grant_handle_t handle;
    bool readonly = op->flags & GNTMAP_readonly;
    unsigned int pin_incr = 0;
    mfn_t mfn;
    int rc;

    if ( op->flags & GNTMAP_device_map )
        pin_incr += readonly ? GNTPIN_devr_inc : GNTPIN_devw_inc;
    if ( op->flags & GNTMAP_host_map )
        pin_incr += readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    if ( !pin_incr )
    {
        op->status = GNTST_bad_gntref;
        return;
    }
    if ( paging_mode_translate(ld) &&
         (op->flags & (GNTMAP_device_map | GNTMAP_application_map |
                       GNTMAP_contains_pte)) )
    {
        op->status = GNTST_general_error;       /* no device mapping in HVM */
        return;
    }
    if ( (rd = caller_domain_by_id(c, op->dom)) == NULL )
    {
        op->status = GNTST_bad_domain;
        return;
    }
    /* xsm_grant_mapref is XSM_HOOK: everyone may try. */

    handle = get_maptrack_handle(lgt, c->vcpu_id);
    if ( handle == INVALID_MAPTRACK_HANDLE )
    {
        rcu_unlock_domain(rd);
        op->status = GNTST_no_space;
        return;
    }

    rgt = rd->grant_table;
    pthread_rwlock_rdlock(&rgt->lock);
    if ( op->ref >= nr_grant_entries(rgt) )
    {
        rc = GNTST_bad_gntref;
        goto unlock_out;
    }
    sha = shared_entry_v1(rgt, op->ref);
    pthread_mutex_lock(&rgt->active_lock);
    act = active_entry(rgt, op->ref);

    if ( act->pin && (act->domid != ld->domain_id ||
                      (act->pin & GNTPIN_incr2oflow_mask(pin_incr))) )
    {
        rc = GNTST_general_error;
        goto act_release_out;
    }
    if ( !act->pin ||
         (!readonly && !(act->pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask))) )
    {
        if ( (rc = set_status_v1(sha, act, readonly, ld->domain_id)) )
            goto act_release_out;
        if ( !act->pin )
        {
            rc = get_paged_frame(rd, __atomic_load_n(&sha->frame,
                                                     __ATOMIC_SEQ_CST),
                                 readonly, ld, &mfn);
            if ( rc != GNTST_okay )
                goto unlock_out_clear;
            act->domid = ld->domain_id;
            act->mfn = mfn;
        }
    }
    act->pin += pin_incr;
    mfn = act->mfn;
    pthread_mutex_unlock(&rgt->active_lock);
    pthread_rwlock_unlock(&rgt->lock);

    /* The page must be the granter's (not one it has mapped itself). */
    if ( !page_is_owned_by(rd->host, mfn, rd) )
    {
        rc = GNTST_general_error;
        goto undo_out;
    }
    /* Cache attributes (GTF_PAT...) only apply to I/O memory: none here. */
    if ( op->flags & GNTMAP_host_map &&
         (rc = create_grant_host_mapping(ld, op->host_addr, mfn, op->flags,
                                         0)) != GNTST_okay )
        goto undo_out;

    pthread_mutex_lock(&lgt->maptrack_lock);
    mt = maptrack_entry(lgt, handle);
    mt->domid = op->dom;
    mt->ref = op->ref;
    mt->host_addr = op->host_addr;
    mt->revoked = false;
    mt->flags = op->flags;
    pthread_mutex_unlock(&lgt->maptrack_lock);

    op->dev_bus_addr = (uint64_t)mfn_x(mfn) << PAGE_SHIFT;
    op->handle = handle;
    op->status = GNTST_okay;
    rcu_unlock_domain(rd);
    return;

 undo_out:
    pthread_rwlock_rdlock(&rgt->lock);
    pthread_mutex_lock(&rgt->active_lock);
    act = active_entry(rgt, op->ref);
    sha = shared_entry_v1(rgt, op->ref);
    act->pin -= pin_incr;
 unlock_out_clear:
    reduce_status_for_pin(act, sha, readonly);
 act_release_out:
    pthread_mutex_unlock(&rgt->active_lock);
 unlock_out:
    pthread_rwlock_unlock(&rgt->lock);
    op->status = rc;
    release_maptrack_handle(lgt, handle);
    rcu_unlock_domain(rd);
}

/* ---- unmap ---- */

/* The pins a mapping with these flags holds go; then the status flags. */
static void unpin(struct active_grant_entry *act, grant_entry_v1_t *sha,
                  unsigned int done)
{
    bool readonly = done & GNTMAP_readonly;

    if ( done & GNTMAP_device_map )
        act->pin -= readonly ? GNTPIN_devr_inc : GNTPIN_devw_inc;
    if ( done & GNTMAP_host_map )
        act->pin -= readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    reduce_status_for_pin(act, sha, readonly);
}

static void unmap_grant_ref(struct caller *c, gnttab_unmap_grant_ref_t *op)
{
    struct domain *ld = c->d, *rd;
    struct grant_table *lgt = ld->grant_table, *rgt;
    struct active_grant_entry *act;
    struct grant_mapping *map, snap;
    unsigned int flags, done = 0;
    bool put_handle = false;
    int rc = GNTST_okay;

    pthread_mutex_lock(&lgt->maptrack_lock);
    if ( op->handle >= lgt->maptrack_limit ||
         !(map = maptrack_entry(lgt, op->handle))->flags )
    {
        pthread_mutex_unlock(&lgt->maptrack_lock);
        op->status = GNTST_bad_handle;
        return;
    }
    snap = *map;
    if ( snap.revoked )
    {
        /* xenmm: the granter died and took the mapping with it. */
        map->flags = 0;
        put_maptrack_handle(lgt, op->handle);
        pthread_mutex_unlock(&lgt->maptrack_lock);
        op->status = GNTST_okay;
        return;
    }
    pthread_mutex_unlock(&lgt->maptrack_lock);

    if ( (rd = caller_domain_by_id(c, snap.domid)) == NULL )
    {
        /* Xen crashes the caller here; a revoked entry stands for it. */
        op->status = GNTST_bad_handle;
        return;
    }
    rgt = rd->grant_table;
    pthread_rwlock_rdlock(&rgt->lock);
    if ( snap.ref >= nr_grant_entries(rgt) )
    {
        pthread_rwlock_unlock(&rgt->lock);
        rcu_unlock_domain(rd);
        op->status = GNTST_bad_handle;
        return;
    }
    pthread_mutex_lock(&rgt->active_lock);
    act = active_entry(rgt, snap.ref);

    /* The active lock serialises unmaps: is the handle still that map? */
    pthread_mutex_lock(&lgt->maptrack_lock);
    flags = map->flags;
    if ( map->domid != snap.domid || map->ref != snap.ref || map->revoked )
        flags = 0;
    pthread_mutex_unlock(&lgt->maptrack_lock);
    if ( !flags )
    {
        rc = GNTST_bad_handle;
        goto out;
    }
    if ( op->dev_bus_addr && (flags & GNTMAP_device_map) &&
         op->dev_bus_addr != (uint64_t)mfn_x(act->mfn) << PAGE_SHIFT )
    {
        rc = GNTST_bad_dev_addr;
        goto out;
    }
    if ( op->host_addr && (flags & GNTMAP_host_map) )
    {
        rc = replace_grant_host_mapping(ld, op->host_addr, act->mfn, flags,
                                        snap.host_addr);
        if ( rc != GNTST_okay )
            goto out;
        done |= GNTMAP_host_map | (flags & GNTMAP_readonly);
    }
    if ( op->dev_bus_addr && (flags & GNTMAP_device_map) )
        done |= GNTMAP_device_map | (flags & GNTMAP_readonly);
    flags &= ~(done & (GNTMAP_host_map | GNTMAP_device_map));
    if ( !(flags & (GNTMAP_device_map | GNTMAP_host_map)) )
    {
        flags = 0;
        put_handle = true;
    }
    pthread_mutex_lock(&lgt->maptrack_lock);
    map->flags = flags;
    pthread_mutex_unlock(&lgt->maptrack_lock);
    if ( done )
        unpin(act, shared_entry_v1(rgt, snap.ref), done);

 out:
    pthread_mutex_unlock(&rgt->active_lock);
    pthread_rwlock_unlock(&rgt->lock);
    if ( put_handle )
        release_maptrack_handle(lgt, op->handle);
    rcu_unlock_domain(rd);
    op->status = rc;
}

/* ---- map/unmap batches: 0, -EFAULT, or how many were done (preempted) */

long gnttab_map_grant_ref(struct caller *c, uint64_t uop, unsigned int count)
{
    gnttab_map_grant_ref_t op;
    unsigned int i;

    for ( i = 0; i < count; i++ )
    {
        uint64_t at = uop + (uint64_t)i * sizeof(op);

        if ( i && hypercall_preempt_check(c) )
            return i;
        if ( copy_from_guest_raw(c->mem, &op, at, sizeof(op)) )
            return -EFAULT;
        map_grant_ref(c, &op);
        if ( copy_to_guest_raw(c->mem, at, &op, sizeof(op)) )
            return -EFAULT;
    }
    return 0;
}

long gnttab_unmap_grant_ref(struct caller *c, uint64_t uop,
                            unsigned int count)
{
    gnttab_unmap_grant_ref_t op;
    unsigned int i;

    for ( i = 0; i < count; i++ )
    {
        uint64_t at = uop + (uint64_t)i * sizeof(op);

        if ( i && hypercall_preempt_check(c) )
            return i;
        if ( copy_from_guest_raw(c->mem, &op, at, sizeof(op)) )
            return -EFAULT;
        unmap_grant_ref(c, &op);
        /* Only the status goes back, as Xen's __copy_field_to_guest. */
        if ( copy_to_guest_raw(c->mem,
                               at + offsetof(gnttab_unmap_grant_ref_t, status),
                               &op.status, sizeof(op.status)) )
            return -EFAULT;
    }
    return 0;
}

/* ---- a dying domain's mappings ---- */

void gnttab_release_mappings(struct domain *d)
{
    struct grant_table *gt = d->grant_table, *rgt;
    struct host *h = d->host;
    struct grant_mapping *map, snap;
    struct domain *rd;
    grant_handle_t handle;
    unsigned int i;

    if ( gt == NULL )
        return;
    for ( handle = gt->maptrack_limit; handle-- > 0; )
    {
        pthread_mutex_lock(&gt->maptrack_lock);
        map = maptrack_entry(gt, handle);
        snap = *map;
        pthread_mutex_unlock(&gt->maptrack_lock);
        if ( !(snap.flags & (GNTMAP_device_map | GNTMAP_host_map)) )
            continue;
        /* rcu_lock_domain_by_id */
        if ( snap.revoked || (rd = get_domain_by_id(h, snap.domid)) == NULL )
        {
            pthread_mutex_lock(&gt->maptrack_lock);
            map->flags = 0;             /* nothing to clear up */
            pthread_mutex_unlock(&gt->maptrack_lock);
            continue;
        }
        rgt = rd->grant_table;
        pthread_rwlock_rdlock(&rgt->lock);
        pthread_mutex_lock(&rgt->active_lock);
        /* A concurrent unmap or revoke may have won; the lock says who. */
        pthread_mutex_lock(&gt->maptrack_lock);
        snap = *map;
        map->flags = 0;
        pthread_mutex_unlock(&gt->maptrack_lock);
        if ( snap.flags && !snap.revoked )
            unpin(active_entry(rgt, snap.ref), shared_entry_v1(rgt, snap.ref),
                  snap.flags);
        pthread_mutex_unlock(&rgt->active_lock);
        pthread_rwlock_unlock(&rgt->lock);
        rcu_unlock_domain(rd);
    }

    /* As Xen: no handle is valid any more. */
    pthread_mutex_lock(&gt->maptrack_lock);
    for ( i = 0; i < gt->maptrack_limit / MAPTRACK_PER_PAGE; i++ )
    {
        free(gt->maptrack[i]);
        gt->maptrack[i] = NULL;
    }
    gt->maptrack_limit = 0;
    for ( i = 0; i < gt->nr_maptrack_vcpus; i++ )
        gt->maptrack_free[i].head = gt->maptrack_free[i].tail = MAPTRACK_TAIL;
    pthread_mutex_unlock(&gt->maptrack_lock);
}

/* Drop every mapping ld holds of rd's grants. */
static void revoke_in(struct domain *ld, struct domain *rd)
{
    struct grant_table *lgt = ld->grant_table, *rgt = rd->grant_table;
    struct grant_mapping *map;
    grant_handle_t handle, limit;
    unsigned int flags;
    uint64_t host_addr = 0;
    grant_ref_t ref = 0;

    pthread_mutex_lock(&lgt->maptrack_lock);
    limit = lgt->maptrack_limit;
    pthread_mutex_unlock(&lgt->maptrack_lock);

    for ( handle = 0; handle < limit; handle++ )
    {
        pthread_rwlock_rdlock(&rgt->lock);
        pthread_mutex_lock(&rgt->active_lock);
        pthread_mutex_lock(&lgt->maptrack_lock);
        map = handle < lgt->maptrack_limit ? maptrack_entry(lgt, handle) : NULL;
        flags = 0;
        if ( map && map->flags && !map->revoked &&
             map->domid == rd->domain_id && map->ref < nr_grant_entries(rgt) )
        {
            flags = map->flags;
            host_addr = map->host_addr;
            ref = map->ref;
            map->revoked = true;
        }
        pthread_mutex_unlock(&lgt->maptrack_lock);
        if ( flags )
        {
            struct active_grant_entry *act = active_entry(rgt, ref);

            /* The mapper's p2m must not keep a page about to be freed. */
            if ( (flags & GNTMAP_host_map) && paging_mode_translate(ld) )
                replace_grant_host_mapping(ld, host_addr, act->mfn, flags, 0);
            unpin(act, shared_entry_v1(rgt, ref), flags);
        }
        pthread_mutex_unlock(&rgt->active_lock);
        pthread_rwlock_unlock(&rgt->lock);
    }
}

void gnttab_revoke_foreign_mappings(struct domain *d)
{
    struct host *h = d->host;
    struct domain *ld;
    unsigned int id;

    if ( d->grant_table == NULL )
        return;
    /*
     * Every other domain, each held by a reference taken only while it is
     * still alive (a slot may hold a domain whose last reference already
     * went: it is being freed).
     */
    for ( id = 0; (ld = get_domain_from(h, id)) != NULL; put_domain(ld) )
    {
        id = ld->domain_id + 1;
        if ( ld != d && ld->grant_table != NULL )
            revoke_in(ld, d);
    }
}
