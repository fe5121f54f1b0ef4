/*
 * setup.c - booting an emulated host: what Xen's x86 __start_xen, numa.c
 * and page_alloc.c's boot allocator do with RAM before the first domain.
 *
 *  1. The machine: max_page, per-node spans, the memnodemap hash
 *     (mfn >> memnode_shift -> node, as Xen's compute_hash_shift).
 *  2. The frame table, the RAM memfd and the dirty bitmap, all sparse.
 *  3. xenheap_bits when RAM extends past the direct map (unified model), or
 *     the xenheap region (split model, init_xenheap_pages with its
 *     one-page buffer).
 *  4. end_boot_allocator: first the region on CPU0's node, then every
 *     other region from the highest down, through init_heap_pages, which
 *     keeps MFN 0 out, splits runs at node boundaries, carves each later
 *     node's heap metadata (init_node_heap) and frees max-order aligned
 *     chunks, dirty if bootscrub=idle.
 *  5. dma_bitsize as arch_get_dma_bitsize() picks it on NUMA hosts.
 *  6. bootscrub=on scrubs now; idle starts the scrubber threads.
 *
 * Errors: -EINVAL for a spec the core cannot boot, -ENOMEM for mappings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static int boot_fail(char *err, size_t errlen, int rc, const char *msg)
{
    if ( err && errlen )
        snprintf(err, errlen, "%s", msg);
    return rc;
}

/* Xen's extract_lsb_from_nodes + memnodemap fill, with pdx == mfn. */
static int setup_memnodemap(struct host *h, char *err, size_t errlen)
{
    unsigned long bitfield = 0, memtop = 0, i;
    unsigned int node, nodes_used = 0, shift;

    for ( node = 0; node < h->nr_nodes; node++ )
    {
        unsigned long spdx = h->node_start_pfn[node];
        unsigned long epdx = spdx + h->node_spanned_pages[node];

        if ( spdx >= epdx )
            continue;
        bitfield |= spdx;
        nodes_used++;
        if ( epdx > memtop )
            memtop = epdx;
    }
    shift = nodes_used <= 1 ? 63 : (unsigned int)__builtin_ctzl(bitfield | (1UL << 62));
    h->memnode_shift = shift;
    h->memnodemapsize = (memtop >> shift) + 1;
    h->memnodemap = malloc(h->memnodemapsize);
    if ( !h->memnodemap )
        return boot_fail(err, errlen, -ENOMEM, "out of memory for memnodemap");
    memset(h->memnodemap, NUMA_NO_NODE, h->memnodemapsize);
    if ( nodes_used <= 1 )
    {
        for ( node = 0; node < h->nr_nodes; node++ )
            if ( h->node_spanned_pages[node] )
                h->memnodemap[0] = node;
        return 0;
    }
    for ( node = 0; node < h->nr_nodes; node++ )
    {
        unsigned long s = h->node_start_pfn[node];
        unsigned long e = s + h->node_spanned_pages[node];

        if ( s >= e )
            continue;
        for ( i = s >> shift; i <= (e - 1) >> shift; i++ )
        {
            if ( h->memnodemap[i] != NUMA_NO_NODE )
            {
                if ( err && errlen )
                    snprintf(err, errlen,
                             "node %u's memory span overlaps node %u's: "
                             "xenmm needs each node's RAM in one span",
                             node, h->memnodemap[i]);
                return -EINVAL;
            }
            h->memnodemap[i] = node;
        }
    }
    return 0;
}

/*
 * init_node_heap: the first node's heap metadata is static; later nodes
 * take it from the tail (or head) of their first range when that is in the
 * direct map, else from the Xen heap.  Returns the pages carved from the
 * range.  The metadata itself lives in malloc'd memory; the carve is kept
 * so that the emulated host loses the same pages Xen does.
 */
static unsigned long init_node_heap(struct host *h, unsigned int node,
                                    unsigned long mfn, unsigned long nr,
                                    bool *use_tail)
{
    /* sizeof(heap_by_zone_and_order_t) with Xen's 16-byte list heads. */
    unsigned long needed = (NR_ZONES * (MAX_ORDER + 1) * 16 +
                            sizeof(unsigned long) * NR_ZONES + PAGE_SIZE - 1) >>
                           PAGE_SHIFT;
    unsigned long dm_pages = h->spec->xen.heap_model == HEAP_UNIFIED &&
                             h->spec->xen.directmap_size
                             ? h->spec->xen.directmap_size >> PAGE_SHIFT
                             : ~0UL;
    unsigned int xb = h->xenheap_bits;

    h->_heap[node] = calloc(1, sizeof(heap_by_zone_and_order_t));
    if ( !h->_heap[node] )
        abort();

    if ( !h->first_node_initialised )
    {
        h->first_node_initialised = true;
        needed = 0;
    }
    else if ( *use_tail && nr >= needed && mfn + nr <= dm_pages &&
              (!xb || !((mfn + nr - 1) >> (xb - PAGE_SHIFT))) )
        ;
    else if ( nr >= needed && mfn + needed <= dm_pages &&
              (!xb || !((mfn + needed - 1) >> (xb - PAGE_SHIFT))) )
        *use_tail = false;
    else
    {
        /* Xen: alloc_xenheap_pages(order 2) from nodes already set up. */
        void *v = alloc_xenheap_pages(h, 2, 0);

        if ( v )
            h->node_metadata_pages[node] = 4;
        needed = 0;
    }
    if ( needed )
        h->node_metadata_pages[node] = needed;
    return needed;
}

/* Feed a run of pages all on one node (and zone) into the heap. */
static void _init_heap_pages(struct host *h, unsigned long s,
                             unsigned long nr_pages, bool need_scrub)
{
    unsigned long e = s + nr_pages;
    unsigned int nid = mfn_to_nid(h, _mfn(s));

    if ( !h->_heap[nid] )
    {
        bool use_tail = !(s & ((1UL << MAX_ORDER) - 1)) &&
                        (__builtin_ctzl(e | (1UL << 63)) <=
                         __builtin_ctzl(s | (1UL << 63)));
        unsigned long n = init_node_heap(h, nid, s, nr_pages, &use_tail);

        if ( use_tail )
            e -= n;
        else
            s += n;
    }

    while ( s < e )
    {
        /*
         * Largest naturally aligned chunk that fits, bounded by MAX_ORDER:
         * this is what makes booting a 12 TiB host cheap.
         */
        unsigned int inc_order = flsl(e - s) - 1;

        if ( inc_order > MAX_ORDER )
            inc_order = MAX_ORDER;
        if ( s && ffsl_(s) - 1U < inc_order )
            inc_order = ffsl_(s) - 1U;
        /* free_heap_pages expects an in-use head. */
        h->frame_table[s].count_info = PGC_state_inuse;
        free_heap_pages(h, mfn_to_page(h, _mfn(s)), inc_order, need_scrub);
        s += 1UL << inc_order;
    }
}

void init_heap_pages(struct host *h, struct page_info *pg, unsigned long nr_pages)
{
    unsigned long i, mfn = mfn_x(page_to_mfn(h, pg));
    bool need_scrub = h->spec->xen.scrub_debug;

    /* Keep MFN 0 away from the buddy allocator (zone boundary). */
    if ( !mfn )
    {
        if ( nr_pages-- <= 1 )
            return;
        mfn++;
    }
    if ( mfn < h->first_valid_mfn )
        h->first_valid_mfn = mfn;

    if ( h->booting && h->spec->xen.bootscrub == BOOTSCRUB_IDLE )
        need_scrub = true;

    for ( i = 0; i < nr_pages; )
    {
        unsigned long cur = mfn + i, end = mfn + nr_pages, next = cur;
        unsigned int nid = mfn_to_nid(h, _mfn(cur));

        /*
         * Split at node boundaries (and the xenheap boundary, split model).
         * Xen tests every page; the node is constant within a memnodemap
         * entry, so step by entries: same runs, O(entries) not O(pages).
         */
        while ( next < end && mfn_to_nid(h, _mfn(next)) == nid )
        {
            unsigned long chunk_end = h->memnode_shift >= 63 ? end
                : ((next >> h->memnode_shift) + 1) << h->memnode_shift;

            next = chunk_end < end ? chunk_end : end;
        }
        if ( in_xenheap_region(h, _mfn(cur)) && next > h->xenheap_mfn_end )
            next = h->xenheap_mfn_end;
        else if ( cur < h->xenheap_mfn_start && next > h->xenheap_mfn_start )
            next = h->xenheap_mfn_start;
        _init_heap_pages(h, cur, next - cur, need_scrub);
        i += next - cur;
    }
}

/* Split model: the one-page buffer keeps Xen and domain pools apart. */
static void init_xenheap_pages(struct host *h, unsigned long ps, unsigned long pe)
{
    if ( pe <= ps )
        return;
    if ( ps && !in_xenheap_region(h, _mfn(ps - 1)) )
        ps++;
    if ( !in_xenheap_region(h, _mfn(pe)) )
        pe--;
    if ( pe > ps )
        init_heap_pages(h, mfn_to_page(h, _mfn(ps)), pe - ps);
}

/* A boot memory region, [s, e) in MFNs. */
struct bootmem_region {
    unsigned long s, e;
};

static void end_boot_allocator(struct host *h, struct bootmem_region *r,
                               unsigned int nr)
{
    unsigned int i;

    /* First the region on CPU0's node, so its metadata can be static. */
    for ( i = 0; i < nr; i++ )
    {
        if ( r[i].s < r[i].e && mfn_to_nid(h, _mfn(r[i].s)) == h->cpu0_node )
        {
            init_heap_pages(h, mfn_to_page(h, _mfn(r[i].s)), r[i].e - r[i].s);
            r[i].e = r[i].s;
            break;
        }
    }
    for ( i = nr; i-- > 0; )
        if ( r[i].s < r[i].e )
            init_heap_pages(h, mfn_to_page(h, _mfn(r[i].s)), r[i].e - r[i].s);
}

/* x86 arch_get_dma_bitsize(). */
static unsigned int arch_get_dma_bitsize(const struct host *h)
{
    unsigned int node;

    for ( node = 0; node < h->nr_nodes; node++ )
        if ( h->node_spanned_pages[node] &&
             !(h->node_start_pfn[node] >> (32 - PAGE_SHIFT)) )
            break;
    if ( node >= h->nr_nodes )
        return 0;
    node = flsl(h->node_start_pfn[node] + h->node_spanned_pages[node] / 4 - 1) +
           PAGE_SHIFT;
    return node < 32 ? node : 32;
}

static int setup_machine(struct host *h, char *err, size_t errlen)
{
    const struct hostspec *hs = h->spec;
    unsigned int node, r, c;

    h->nr_nodes = hs->nr_nodes;
    for ( node = 0; node < hs->nr_nodes; node++ )
    {
        const struct hostspec_node *n = &hs->node[node];
        unsigned long s = ~0UL, e = 0;

        h->node_online_map |= 1ULL << node;
        for ( r = 0; r < n->nr_ranges; r++ )
        {
            unsigned long rs = n->range[r].start >> PAGE_SHIFT;
            unsigned long re = n->range[r].end >> PAGE_SHIFT;

            if ( rs < s )
                s = rs;
            if ( re > e )
                e = re;
            h->node_present_pages[node] += re - rs;
            h->total_pages += re - rs;
            if ( re > h->max_page )
                h->max_page = re;
        }
        h->node_start_pfn[node] = n->nr_ranges ? s : 0;
        h->node_spanned_pages[node] = n->nr_ranges ? e - s : 0;
    }
    h->cpu0_node = hs->nr_cpus ? hs->cpu[0].node : 0;
    for ( c = 0; c < hs->nr_cpus && !h->node_spanned_pages[h->cpu0_node]; c++ )
        h->cpu0_node = hs->cpu[c].node;
    if ( !h->max_page )
        return boot_fail(err, errlen, -EINVAL, "host has no RAM");
    return setup_memnodemap(h, err, errlen);
}

static int setup_mappings(struct host *h, char *err, size_t errlen)
{
    int rc;

    h->frame_table_bytes = h->max_page * sizeof(struct page_info);
    h->frame_table = os_map_sparse(h->frame_table_bytes);
    h->dirty_bitmap_bytes = ((h->max_page + 63) / 64) * sizeof(unsigned long);
    h->dirty_bitmap = os_map_sparse(h->dirty_bitmap_bytes);
    h->m2p_bytes = h->max_page * sizeof(*h->m2p);
    h->m2p = os_map_sparse(h->m2p_bytes);
    if ( !h->frame_table || !h->dirty_bitmap || !h->m2p )
        return boot_fail(err, errlen, -ENOMEM,
                         "cannot map the frame table (sparse mapping refused)");
    rc = os_ram_create(&h->ram, (uint64_t)h->max_page << PAGE_SHIFT, "xenmm-ram");
    if ( rc )
    {
        if ( err && errlen )
            snprintf(err, errlen, "cannot create the RAM memfd: %s",
                     strerror(-rc));
        return rc;
    }
    return 0;
}

/* Split model: the xenheap is the top of node 0's first range. */
static void setup_split_xenheap(struct host *h)
{
    const struct hostspec_node *n0 = &h->spec->node[h->cpu0_node];
    unsigned long pages = h->spec->xen.xenheap_size >> PAGE_SHIFT;
    unsigned long rs, re;

    if ( !pages )
        pages = (32UL << 20) >> PAGE_SHIFT;
    rs = n0->range[0].start >> PAGE_SHIFT;
    re = n0->range[0].end >> PAGE_SHIFT;
    if ( pages > (re - rs) / 2 )
        pages = (re - rs) / 2;
    h->xenheap_mfn_start = re - pages;
    h->xenheap_mfn_end = re;
}

static void heap_populate(struct host *h)
{
    const struct hostspec *hs = h->spec;
    struct bootmem_region *regions;
    unsigned int nr = 0, node, r, i, j;

    for ( node = 0; node < hs->nr_nodes; node++ )
        nr += hs->node[node].nr_ranges;
    regions = calloc(nr + 1, sizeof(*regions));
    if ( !regions )
        abort();
    nr = 0;
    for ( node = 0; node < hs->nr_nodes; node++ )
        for ( r = 0; r < hs->node[node].nr_ranges; r++ )
        {
            unsigned long s = hs->node[node].range[r].start >> PAGE_SHIFT;
            unsigned long e = hs->node[node].range[r].end >> PAGE_SHIFT;

            /* The split model's xenheap goes in through init_xenheap_pages. */
            if ( h->xenheap_mfn_end > h->xenheap_mfn_start &&
                 s < h->xenheap_mfn_end && e > h->xenheap_mfn_start )
            {
                if ( s < h->xenheap_mfn_start )
                    regions[nr++] = (struct bootmem_region){ s, h->xenheap_mfn_start };
                if ( e > h->xenheap_mfn_end )
                    regions[nr++] = (struct bootmem_region){ h->xenheap_mfn_end, e };
                continue;
            }
            regions[nr++] = (struct bootmem_region){ s, e };
        }
    /* The boot allocator keeps its regions sorted. */
    for ( i = 1; i < nr; i++ )
        for ( j = i; j > 0 && regions[j - 1].s > regions[j].s; j-- )
        {
            struct bootmem_region t = regions[j];

            regions[j] = regions[j - 1];
            regions[j - 1] = t;
        }

    if ( h->xenheap_mfn_end > h->xenheap_mfn_start )
        init_xenheap_pages(h, h->xenheap_mfn_start, h->xenheap_mfn_end);
    end_boot_allocator(h, regions, nr);
    free(regions);
}

int host_boot(const struct hostspec *hs, struct host **hp, char *err, size_t errlen)
{
    struct host *h;
    pthread_mutexattr_t ma;
    int rc;

    *hp = NULL;
    if ( hostspec_validate(hs, err, errlen) )
        return -EINVAL;
    h = calloc(1, sizeof(*h));
    if ( !h )
        return boot_fail(err, errlen, -ENOMEM, "out of memory");
    h->spec = malloc(sizeof(*hs));
    h->domains = calloc(DOMID_FIRST_RESERVED, sizeof(*h->domains));
    h->ram.fd = -1;
    if ( !h->spec || !h->domains )
    {
        host_destroy(h);
        return boot_fail(err, errlen, -ENOMEM, "out of memory");
    }
    memcpy(h->spec, hs, sizeof(*hs));
    pthread_mutexattr_init(&ma);
    pthread_mutex_init(&h->heap_lock, &ma);
    pthread_mutex_init(&h->domlist_lock, &ma);
    pthread_mutex_init(&h->domctl_lock, &ma);
    pthread_mutex_init(&h->sysctl_lock, &ma);
    pthread_mutex_init(&h->console_lock, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_cond_init(&h->scrub_cv, NULL);
    pthread_cond_init(&h->scrub_done_cv, NULL);
    h->first_valid_mfn = ~0UL;

    rc = setup_machine(h, err, errlen);
    if ( !rc )
        rc = setup_mappings(h, err, errlen);
    if ( rc )
    {
        host_destroy(h);
        return rc;
    }

    if ( hs->xen.heap_model == HEAP_SPLIT )
        setup_split_xenheap(h);
    else if ( hs->xen.directmap_size &&
              h->max_page > (hs->xen.directmap_size >> PAGE_SHIFT) )
    {
        /* xenheap_max_mfn(): Xen-heap pages must be direct-mapped. */
        unsigned long mfn = (hs->xen.directmap_size >> PAGE_SHIFT) - 1;
        unsigned int bits = flsl(mfn + 1) - 1 + PAGE_SHIFT;

        h->xenheap_bits = bits < PADDR_BITS ? bits : PADDR_BITS;
    }

    h->booting = true;
    heap_populate(h);
    h->dma_bitsize = hs->xen.dma_bits;
    if ( !h->dma_bitsize && __builtin_popcountll(h->node_online_map) > 1 )
        h->dma_bitsize = arch_get_dma_bitsize(h);
    if ( hs->xen.bootscrub == BOOTSCRUB_ON )
        scrub_heap_pages(h);
    h->booting = false;

    rc = scrub_start(h, hs->xen.scrub_threads);
    if ( rc )
    {
        host_destroy(h);
        return boot_fail(err, errlen, rc, "cannot start the scrubber threads");
    }
    if ( !domain_create_dom0(h, &rc) )
    {
        host_destroy(h);
        return boot_fail(err, errlen, rc, "cannot create dom0");
    }
    *hp = h;
    return 0;
}
