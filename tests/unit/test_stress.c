/*
 * Randomized stress: mixed alloc/free/claim/scrub/kill operations with a
 * fixed seed, host_check() after every step, every MFN handed out recorded
 * so a page handed out twice fails at once, and a cookie (owner, block) in
 * each block checked when it is freed.   XENMM_TEST_SCALE scales the
 * number of operations (a percentage); XENMM_TEST_SEED changes the seed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness/test.h"
#include "testhost.h"

#define MiB (1ULL << 20)
#define NR_DOMS 4
#define MAX_LIVE 4096

struct live {
    unsigned long mfn;
    unsigned int order;
    int dom;            /* -1: anonymous heap block */
    uint64_t cookie;
};

struct stress {
    struct host *h;
    struct domain *dom[NR_DOMS];
    struct live live[MAX_LIVE];
    unsigned int nr_live;
    unsigned char *inuse;       /* one byte per MFN: handed out */
    uint64_t rng;
    unsigned long ops, allocs, fails, frees, claims;
};

static uint64_t rnd(struct stress *s)
{
    /* xorshift64* */
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return s->rng * 2685821657736338717ULL;
}

static void note_alloc(struct stress *s, struct page_info *pg, unsigned int order,
                       int dom)
{
    unsigned long mfn = mfn_x(page_to_mfn(s->h, pg)), i;
    struct live *l;
    uint64_t *cookie;

    for ( i = 0; i < (1UL << order); i++ )
    {
        if ( s->inuse[mfn + i] )
            test_fail_at(__FILE__, __LINE__, "mfn %#lx handed out twice", mfn + i);
        s->inuse[mfn + i] = 1;
    }
    REQUIRE(s->nr_live < MAX_LIVE);
    l = &s->live[s->nr_live++];
    l->mfn = mfn;
    l->order = order;
    l->dom = dom;
    l->cookie = rnd(s);
    cookie = mfn_to_virt(s->h, _mfn(mfn));
    *cookie = l->cookie;
    s->allocs++;
}

static void free_live(struct stress *s, unsigned int idx, bool dirty)
{
    struct live l = s->live[idx];
    struct page_info *pg = mfn_to_page(s->h, _mfn(l.mfn));

    if ( *(uint64_t *)mfn_to_virt(s->h, _mfn(l.mfn)) != l.cookie )
        test_fail_at(__FILE__, __LINE__, "mfn %#lx: cookie overwritten", l.mfn);
    memset(s->inuse + l.mfn, 0, 1UL << l.order);
    s->live[idx] = s->live[--s->nr_live];
    if ( l.dom < 0 )
        free_heap_pages(s->h, pg, l.order, dirty);
    else
        free_domheap_pages(s->h, pg, l.order);
    s->frees++;
}

static unsigned int rnd_order(struct stress *s)
{
    unsigned int r = rnd(s) % 100;

    /* Mostly small, sometimes 2M, rarely past it. */
    if ( r < 55 )
        return 0;
    if ( r < 80 )
        return 1 + rnd(s) % 4;
    if ( r < 95 )
        return 5 + rnd(s) % 5;
    return 9 + rnd(s) % 4;
}

static unsigned int rnd_memflags(struct stress *s)
{
    unsigned int f = 0, r = rnd(s) % 16;

    if ( r == 0 )
        f |= MEMF_no_scrub;
    if ( r == 1 || r == 2 )
        f |= MEMF_node(rnd(s) % s->h->nr_nodes);
    if ( r == 2 )
        f |= MEMF_exact_node;
    if ( r == 3 )
        f |= MEMF_no_dma;
    return f;
}

/* Free a domain's live blocks from our records, then kill and recreate it. */
static void kill_domain(struct stress *s, int dn)
{
    struct domain *d = s->dom[dn];
    int rc;

    for ( unsigned int i = 0; i < s->nr_live; )
        if ( s->live[i].dom == dn )
        {
            memset(s->inuse + s->live[i].mfn, 0, 1UL << s->live[i].order);
            s->live[i] = s->live[--s->nr_live];
        }
        else
            i++;
    domain_destroy(d);
    s->dom[dn] = domain_create(s->h, (domid_t)(dn + 1), NULL, 0, &rc);
    REQUIRE(s->dom[dn]);
    s->dom[dn]->max_pages = (unsigned int)(rnd(s) % (s->h->total_pages + 1));
}

static void step(struct stress *s)
{
    struct host *h = s->h;
    unsigned int r = rnd(s) % 100, order;
    int dn = (int)(rnd(s) % NR_DOMS);
    struct domain *d = s->dom[dn];
    struct page_info *pg;

    if ( r < 40 && s->nr_live < MAX_LIVE )
    {
        /* A domain allocation, with its affinity sometimes narrowed. */
        order = rnd_order(s);
        if ( rnd(s) % 8 == 0 )
            d->node_affinity = 1ULL << (rnd(s) % h->nr_nodes);
        pg = alloc_domheap_pages(h, d, order, rnd_memflags(s));
        if ( pg )
            note_alloc(s, pg, order, dn);
        else
            s->fails++;
    }
    else if ( r < 55 && s->nr_live < MAX_LIVE )
    {
        order = rnd_order(s);
        pg = alloc_heap_pages(h, 1, NR_ZONES - 1, order, rnd_memflags(s), NULL);
        if ( pg )
            note_alloc(s, pg, order, -1);
        else
            s->fails++;
    }
    else if ( r < 90 && s->nr_live )
        free_live(s, (unsigned int)(rnd(s) % s->nr_live), rnd(s) & 1);
    else if ( r < 95 )
    {
        unsigned long want = rnd(s) % (h->total_pages / 2 + 1);
        nodeid_t node = rnd(s) % 3 ? NUMA_NO_NODE
                                   : (nodeid_t)(rnd(s) % h->nr_nodes);
        int rc;

        rc = domain_set_outstanding_pages(d, rnd(s) % 4 ? want : 0, node);
        if ( rc && rc != -EINVAL && rc != -ENOMEM )
            test_fail_at(__FILE__, __LINE__, "claim: unexpected %d", rc);
        s->claims++;
    }
    else if ( r < 97 )
        host_scrub_wait(h);
    else if ( r < 98 )
        kill_domain(s, dn);
    else
        d->max_pages = (unsigned int)(rnd(s) % (h->total_pages + 1));
    s->ops++;
}

static void run_stress(struct host *h, unsigned long nr_ops, unsigned long check_every,
                       bool expect_fails)
{
    struct stress *s = calloc(1, sizeof(*s));
    char buf[2048];
    int rc;

    REQUIRE(s);
    s->h = h;
    s->rng = test_seed() ^ h->max_page;
    s->inuse = calloc(h->max_page, 1);
    REQUIRE(s->inuse);
    for ( int i = 0; i < NR_DOMS; i++ )
    {
        s->dom[i] = domain_create(h, (domid_t)(i + 1), NULL, 0, &rc);
        REQUIRE(s->dom[i]);
        s->dom[i]->max_pages = (unsigned int)(h->total_pages / 2);
    }
    for ( unsigned long i = 0; i < nr_ops; i++ )
    {
        step(s);
        if ( (i % check_every) == 0 || i + 1 == nr_ops )
        {
            unsigned long n = host_check(h, buf, sizeof(buf));

            if ( n )
            {
                test_fail_at(__FILE__, __LINE__, "after op %lu: %lu violations\n%s",
                             i, n, buf);
                break;
            }
        }
    }
    /* Everything back: free all, scrub, and the heap is whole again. */
    while ( s->nr_live )
        free_live(s, s->nr_live - 1, true);
    for ( int i = 0; i < NR_DOMS; i++ )
        domain_destroy(s->dom[i]);
    host_scrub_wait(h);
    check_host(h);
    CHECK(s->allocs > nr_ops / 10);
    CHECK(s->frees > nr_ops / 10);
    if ( expect_fails )
        CHECK(s->fails > 0);
    free(s->inuse);
    free(s);
}

TEST(stress_tiny_one_node)
{
    struct host *h = boot_tiny(1, 16 * MiB);

    run_stress(h, test_ops(300000UL), 1, true);
    CHECK_EQ(h->total_avail_pages, 4095 - 2);   /* dom0's Xen-heap pages */
    host_destroy(h);
}

TEST(stress_tiny_three_nodes_idle_scrub)
{
    struct hostspec *hs = tiny_spec(3, 8 * MiB);
    struct host *h;

    hs->xen.bootscrub = BOOTSCRUB_IDLE;
    hs->xen.scrub_threads = 1;
    h = boot_spec(hs);
    run_stress(h, test_ops(300000UL), 1, true);
    host_destroy(h);
}

TEST(stress_split_heap_4_21_claims)
{
    struct hostspec *hs = tiny_spec(2, 8 * MiB);
    struct host *h;

    hs->xen.heap_model = HEAP_SPLIT;
    hs->xen.xenheap_size = 1 * MiB;
    hs->xen.claim_policy = CLAIM_4_21;
    h = boot_spec(hs);
    run_stress(h, test_ops(200000UL), 1, true);
    host_destroy(h);
}

TEST(stress_presets)
{
    static const char *presets[] = { "laptop", "small-2n", "opteron-6272" };

    for ( unsigned int i = 0; i < 3; i++ )
    {
        struct host *h = boot_preset(presets[i], "bootscrub=idle", "scrub_threads=1");

        run_stress(h, test_ops(100000UL), 1, false);
        host_destroy(h);
    }
}
