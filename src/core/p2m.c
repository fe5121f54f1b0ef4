/*
 * p2m.c - the host p2m of a translated domain (x86 mm/p2m.c with the
 * EPT backend's shape, p2m-ept.c): see p2m.h for the contract.
 *
 * Tables: four levels of 512 64-bit entries, as EPT.  An entry is 0 (no
 * entry: reads as p2m_mmio_dm), a pointer to the next table with
 * E_PRESENT set, or a leaf: E_PRESENT | E_LEAF | type << 2 | mfn << 12,
 * where an all-ones MFN field is INVALID_MFN.  Leaves sit at level 3 (1G),
 * 2 (2M) or 1 (4K).  Writing a 4K or 2M piece inside a larger leaf first
 * splits the leaf into a table of 512 leaves one size down (Xen's
 * ept_split_super_page); writing a leaf over a table frees the table.
 *
 * Accounting: nr_leaves[] and node_pages[] count leaves that map RAM with
 * a valid MFN, updated on every leaf write, so "where is this domain's
 * memory, and in what page sizes" is O(1) to answer.  Tables are counted
 * in p2m->tables.  A HAP domain's tables are pages of its paging pool
 * (hap_alloc_p2m_page via paging_alloc_p2m_page: d->paging.p2m_pages
 * equals p2m->tables, the root included, taken at p2m_init); the table
 * is that page's memory.  When the pool is empty the write fails with
 * -ENOMEM.  A superpage split is Xen's ept_split_super_page: the leaf is
 * split all the way down to the target level in a detached subtree
 * (a 4K write in a 1G leaf takes 1 + 512 tables), installed only when
 * complete; on failure the subtree is freed and the superpage is left as
 * it was (XSA-222).  Shadow-mode (non-HAP) HVM domains still take their
 * tables from the process (docs/versions.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "arch_domain.h"
#include "p2m.h"

#define P2M_ENTRIES   512
#define P2M_LEVELS    4
#define E_PRESENT     1ULL
#define E_LEAF        2ULL
#define E_TYPE_SHIFT  2
#define E_MFN_SHIFT   12
#define E_MFN_BITS    40
#define E_MFN_MASK    (((1ULL << E_MFN_BITS) - 1) << E_MFN_SHIFT)
#define E_MFN_INVALID ((1ULL << E_MFN_BITS) - 1)

static inline bool e_present(uint64_t e) { return e & E_PRESENT; }
static inline bool e_leaf(uint64_t e) { return e & E_LEAF; }
static inline uint64_t *e_table(uint64_t e)
{
    return (uint64_t *)(uintptr_t)(e & ~(E_PRESENT | E_LEAF));
}
static inline p2m_type_t e_type(uint64_t e)
{
    return (p2m_type_t)((e >> E_TYPE_SHIFT) & 0xf);
}
static inline mfn_t e_mfn(uint64_t e)
{
    uint64_t m = (e & E_MFN_MASK) >> E_MFN_SHIFT;

    return m == E_MFN_INVALID ? INVALID_MFN : _mfn(m);
}
static inline uint64_t make_leaf(mfn_t mfn, p2m_type_t t)
{
    uint64_t m = mfn_eq(mfn, INVALID_MFN) ? E_MFN_INVALID : mfn_x(mfn);

    return E_PRESENT | E_LEAF | ((uint64_t)t << E_TYPE_SHIFT) |
           (m << E_MFN_SHIFT);
}
/* Level 1 maps 4K, 2: 2M, 3: 1G, 4: the root (512 GiB per entry). */
static inline unsigned int level_order(unsigned int level)
{
    return (level - 1) * 9;
}
static inline unsigned int level_index(unsigned long gfn, unsigned int level)
{
    return (gfn >> level_order(level)) & (P2M_ENTRIES - 1);
}

/* A leaf's contribution to the counters: +1 or -1. */
static void account_leaf(struct p2m_domain *p2m, uint64_t e, unsigned int level,
                         int sign)
{
    struct host *h = p2m->domain->host;
    mfn_t mfn;

    if ( !e_present(e) || !e_leaf(e) )
        return;
    mfn = e_mfn(e);
    if ( !p2m_is_ram(e_type(e)) || mfn_eq(mfn, INVALID_MFN) ||
         !mfn_valid(h, mfn) )
        return;
    p2m->nr_leaves[level - 1] += sign;
    p2m->node_pages[mfn_to_nid(h, mfn)] += sign * (1L << level_order(level));
}

/* p2m_alloc_ptp: a zeroed table, from the paging pool for HAP. */
static uint64_t *alloc_table(struct p2m_domain *p2m)
{
    struct domain *d = p2m->domain;
    uint64_t *t;

    if ( hap_enabled(d) )
    {
        struct page_info *pg = paging_alloc_p2m_page(d);   /* zeroed */

        if ( !pg )
            return NULL;
        t = mfn_to_virt(d->host, page_to_mfn(d->host, pg));
    }
    else
    {
        t = aligned_alloc(4096, P2M_ENTRIES * sizeof(uint64_t));
        if ( !t )
            return NULL;
        memset(t, 0, P2M_ENTRIES * sizeof(uint64_t));
    }
    p2m->tables++;
    return t;
}

/* p2m_free_ptp: one table (not what is under it). */
static void free_table_page(struct p2m_domain *p2m, uint64_t *t)
{
    struct domain *d = p2m->domain;

    if ( hap_enabled(d) )
        paging_free_p2m_page(d, mfn_to_page(d->host, virt_to_mfn(d->host, t)));
    else
        free(t);
    p2m->tables--;
}

/* Free a table and everything under it, taking its leaves out of the counts. */
static void free_table(struct p2m_domain *p2m, uint64_t *t, unsigned int level)
{
    for ( unsigned int i = 0; i < P2M_ENTRIES; i++ )
    {
        uint64_t e = t[i];

        if ( !e_present(e) )
            continue;
        if ( e_leaf(e) )
            account_leaf(p2m, e, level, -1);
        else
            free_table(p2m, e_table(e), level - 1);
    }
    free_table_page(p2m, t);
}

/*
 * ept_split_super_page: the leaf e at level, split down to target into a
 * detached subtree (*out; leaves not yet counted).  Every table allocated
 * so far is in *out even on failure (-ENOMEM), for free_split() to free.
 */
static int split_leaf(struct p2m_domain *p2m, uint64_t e, unsigned int level,
                      unsigned int target, uint64_t *out)
{
    mfn_t mfn = e_mfn(e);
    p2m_type_t type = e_type(e);
    unsigned long step = 1UL << level_order(level - 1);
    uint64_t *t = alloc_table(p2m);

    *out = 0;
    if ( !t )
        return -ENOMEM;
    *out = (uint64_t)(uintptr_t)t | E_PRESENT;
    for ( unsigned int i = 0; i < P2M_ENTRIES; i++ )
    {
        mfn_t m = mfn_eq(mfn, INVALID_MFN) ? mfn : _mfn(mfn_x(mfn) + i * step);

        t[i] = make_leaf(m, type);
        if ( level - 1 > target && split_leaf(p2m, t[i], level - 1, target,
                                              &t[i]) )
            return -ENOMEM;
    }
    return 0;
}

/* ept_free_entry for a detached split subtree: its leaves were never counted. */
static void free_split(struct p2m_domain *p2m, uint64_t e)
{
    uint64_t *t;

    if ( !e_present(e) || e_leaf(e) )
        return;
    t = e_table(e);
    for ( unsigned int i = 0; i < P2M_ENTRIES; i++ )
        free_split(p2m, t[i]);
    free_table_page(p2m, t);
}

/* Count (sign +1) or uncount the leaves of a subtree whose top is at level. */
static void account_tree(struct p2m_domain *p2m, uint64_t e,
                         unsigned int level, int sign)
{
    if ( !e_present(e) )
        return;
    if ( e_leaf(e) )
    {
        account_leaf(p2m, e, level, sign);
        return;
    }
    for ( unsigned int i = 0; i < P2M_ENTRIES; i++ )
        account_tree(p2m, e_table(e)[i], level - 1, sign);
}

/* ept_set_entry: one naturally aligned piece of order 0, 9 or 18. */
static int set_piece(struct p2m_domain *p2m, unsigned long gfn, mfn_t mfn,
                     unsigned int order, p2m_type_t t)
{
    unsigned int target = order / 9 + 1, level;
    uint64_t *table = p2m->root, *slot;

    if ( (gfn >> P2M_GFN_BITS) || (gfn & ((1UL << order) - 1)) ||
         (!mfn_eq(mfn, INVALID_MFN) && (mfn_x(mfn) & ((1UL << order) - 1))) )
        return -EINVAL;

    for ( level = P2M_LEVELS; level > target; level-- )
    {
        slot = &table[level_index(gfn, level)];
        if ( !e_present(*slot) )
        {
            uint64_t *nt = alloc_table(p2m);

            if ( !nt )
                return -ENOMEM;
            *slot = (uint64_t)(uintptr_t)nt | E_PRESENT;
        }
        else if ( e_leaf(*slot) )
        {
            uint64_t split;

            if ( split_leaf(p2m, *slot, level, target, &split) )
            {
                free_split(p2m, split);
                return -ENOMEM;         /* the superpage stays (XSA-222) */
            }
            account_leaf(p2m, *slot, level, -1);
            account_tree(p2m, split, level, +1);
            *slot = split;
        }
        table = e_table(*slot);
    }

    slot = &table[level_index(gfn, target)];
    if ( e_present(*slot) )
    {
        if ( e_leaf(*slot) )
            account_leaf(p2m, *slot, target, -1);
        else
            free_table(p2m, e_table(*slot), target - 1);
    }
    *slot = make_leaf(mfn, t);
    account_leaf(p2m, *slot, target, +1);

    if ( t != p2m_invalid && gfn + (1UL << order) - 1 > p2m->max_mapped_pfn )
        p2m->max_mapped_pfn = gfn + (1UL << order) - 1;
    return 0;
}

int p2m_set_entry(struct p2m_domain *p2m, unsigned long gfn, mfn_t mfn,
                  unsigned int page_order, p2m_type_t t)
{
    unsigned long todo = 1UL << page_order;
    bool hap = hap_enabled(p2m->domain);
    int rc = 0, set_rc;

    while ( todo )
    {
        unsigned long fn_mask = (mfn_eq(mfn, INVALID_MFN) ? 0 : mfn_x(mfn)) |
                                gfn | todo;
        unsigned int order =
            (!(fn_mask & ((1UL << PAGE_ORDER_1G) - 1)) && hap) ? PAGE_ORDER_1G
            : !(fn_mask & ((1UL << PAGE_ORDER_2M) - 1)) ? PAGE_ORDER_2M
            : PAGE_ORDER_4K;

        set_rc = set_piece(p2m, gfn, mfn, order, t);
        if ( set_rc )
            rc = set_rc;
        gfn += 1UL << order;
        if ( !mfn_eq(mfn, INVALID_MFN) )
            mfn = _mfn(mfn_x(mfn) + (1UL << order));
        todo -= 1UL << order;
    }
    return rc;
}

mfn_t p2m_get_entry(struct p2m_domain *p2m, unsigned long gfn, p2m_type_t *t,
                    unsigned int *page_order)
{
    uint64_t *table = p2m->root;
    unsigned int level;

    if ( gfn >> P2M_GFN_BITS )
    {
        *t = p2m_mmio_dm;
        *page_order = PAGE_ORDER_1G;
        return INVALID_MFN;
    }
    for ( level = P2M_LEVELS; level >= 1; level-- )
    {
        uint64_t e = table[level_index(gfn, level)];

        if ( !e_present(e) )
        {
            unsigned int o = level_order(level);

            *t = p2m_mmio_dm;
            *page_order = o > PAGE_ORDER_1G ? PAGE_ORDER_1G : o;
            return INVALID_MFN;
        }
        if ( e_leaf(e) )
        {
            mfn_t mfn = e_mfn(e);
            unsigned int o = level_order(level);

            *t = e_type(e);
            *page_order = o;
            if ( mfn_eq(mfn, INVALID_MFN) )
                return mfn;
            return _mfn(mfn_x(mfn) + (gfn & ((1UL << o) - 1)));
        }
        table = e_table(e);
    }
    /* Level-1 entries are always leaves. */
    *t = p2m_mmio_dm;
    *page_order = 0;
    return INVALID_MFN;
}

static int walk_table(struct p2m_domain *p2m, const uint64_t *t,
                      unsigned int level, unsigned long base,
                      p2m_leaf_fn fn, void *ctx)
{
    for ( unsigned int i = 0; i < P2M_ENTRIES; i++ )
    {
        uint64_t e = t[i];
        unsigned long gfn = base + ((unsigned long)i << level_order(level));
        int rc;

        if ( !e_present(e) )
            continue;
        if ( e_leaf(e) )
            rc = fn(ctx, gfn, level_order(level), e_mfn(e), e_type(e));
        else
            rc = walk_table(p2m, e_table(e), level - 1, gfn, fn, ctx);
        if ( rc )
            return rc;
    }
    return 0;
}

int p2m_walk_leaves(struct p2m_domain *p2m, p2m_leaf_fn fn, void *ctx)
{
    return walk_table(p2m, p2m->root, P2M_LEVELS, 0, fn, ctx);
}

int p2m_init(struct domain *d)
{
    struct p2m_domain *p2m;
    pthread_mutexattr_t ma;

    if ( !paging_mode_translate(d) )
        return 0;                       /* PV: the guest keeps its p2m */
    p2m = calloc(1, sizeof(*p2m));
    if ( !p2m )
        return -ENOMEM;
    p2m->domain = d;
    d->p2m = p2m;
    p2m->root = alloc_table(p2m);
    if ( !p2m->root )
    {
        free(p2m);
        d->p2m = NULL;
        return -ENOMEM;
    }
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&p2m->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    p2m_pod_init(p2m);
    return 0;
}

void p2m_teardown(struct domain *d)
{
    struct p2m_domain *p2m = d->p2m;

    if ( !p2m )
        return;
    /* PoD cache pages go back on page_list for the normal teardown. */
    p2m_pod_empty_cache(d);
    pthread_mutex_lock(&p2m->lock);
    for ( unsigned int i = 0; i < P2M_ENTRIES; i++ )
    {
        uint64_t e = p2m->root[i];

        if ( e_present(e) && !e_leaf(e) )
            free_table(p2m, e_table(e), P2M_LEVELS - 1);
        p2m->root[i] = 0;
    }
    pthread_mutex_unlock(&p2m->lock);
}

void p2m_final_teardown(struct domain *d)
{
    struct p2m_domain *p2m = d->p2m;

    if ( !p2m )
        return;
    p2m_teardown(d);
    free_table_page(p2m, p2m->root);    /* the root, kept until now */
    pthread_mutex_destroy(&p2m->lock);
    pthread_mutex_destroy(&p2m->pod.lock);
    free(p2m);
    d->p2m = NULL;
}

void *p2m_gfn_to_virt(struct domain *d, unsigned long gfn)
{
    p2m_type_t t;
    unsigned int order;
    mfn_t mfn;

    if ( !d->p2m )
        return NULL;
    pthread_mutex_lock(&d->p2m->lock);
    mfn = p2m_get_entry(d->p2m, gfn, &t, &order);
    pthread_mutex_unlock(&d->p2m->lock);
    if ( mfn_eq(mfn, INVALID_MFN) || !p2m_is_ram(t) )
        return NULL;
    return mfn_to_virt(d->host, mfn);
}

/*
 * ept_p2m_type_to_flags' r/w/x for a type, as 4.17 sets them for a domain
 * with no passthrough (no read-only MMIO ranges, no log-dirty VRAM, no
 * ioreq server claiming writes).
 */
static const char *ept_type_rwx(p2m_type_t t)
{
    switch ( t )
    {
    case p2m_ram_rw:
    case p2m_ram_paging_out:
    case p2m_mmio_direct:
        return "rwx";
    case p2m_ram_logdirty:
    case p2m_ram_ro:
    case p2m_ram_shared:
    case p2m_ioreq_server:
        return "r x";
    case p2m_grant_map_rw:
    case p2m_map_foreign:
        return "rw ";
    case p2m_grant_map_ro:
        return "r  ";
    default:
        return "   ";
    }
}

/*
 * One domain of ept_dump_p2m_table: each valid leaf from gfn 0 to
 * max_mapped_pfn, as "gfn: <gfn> order: <order> mfn: <mfn> <rwx> <emt><ipat>"
 * or "... PoD".  A missing table skips the whole range it would map.  The
 * memory type is epte_get_entry_emt's for a domain without an IOMMU and
 * without cache-flush permission: write-back with the guest's PAT ignored
 * ("WB!"), UC for direct MMIO.
 */
static void ept_dump_domain(struct p2m_domain *p2m)
{
    struct host *h = p2m->domain->host;
    unsigned long gfn;
    unsigned int order;

    printk(h, "\ndomain%d EPT p2m table:\n", p2m->domain->domain_id);
    pthread_mutex_lock(&p2m->lock);
    for ( gfn = 0; gfn <= p2m->max_mapped_pfn; gfn += 1UL << order )
    {
        uint64_t *table = p2m->root, e = 0;
        unsigned int level;

        for ( level = P2M_LEVELS; level >= 1; level-- )
        {
            e = table[level_index(gfn, level)];
            if ( !e_present(e) || e_leaf(e) )
                break;
            table = e_table(e);
        }
        order = level_order(level);
        if ( !e_present(e) || e_type(e) == p2m_invalid )
            continue;
        if ( p2m_is_pod(e_type(e)) )
            printk(h, "gfn: %13lx order: %2u PoD\n", gfn, order);
        else
            printk(h, "gfn: %13lx order: %2u mfn: %13lx %s %s\n", gfn, order,
                   (unsigned long)((e & E_MFN_MASK) >> E_MFN_SHIFT),
                   ept_type_rwx(e_type(e)),
                   e_type(e) == p2m_mmio_direct ? "UC!" : "WB!");
    }
    pthread_mutex_unlock(&p2m->lock);
}

void ept_dump_p2m_table(struct host *h, unsigned char key)
{
    unsigned int id;

    (void)key;
    struct domain *d;

    /* Each domain held by a reference; domlist_lock is a leaf lock. */
    for ( id = 0; (d = get_domain_from(h, id)) != NULL; put_domain(d) )
    {
        id = d->domain_id + 1;
        if ( hap_enabled(d) && d->p2m )
            ept_dump_domain(d->p2m);
    }
}
