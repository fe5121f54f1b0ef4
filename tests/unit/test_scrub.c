/*
 * Scrubbing: boot modes, idle scrubber workers, the abort handshake with
 * concurrent allocations, and that untouched RAM stays untouched.
 */
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/test.h"
#include "testhost.h"

#define MiB (1ULL << 20)

static unsigned long need_scrub(struct host *h)
{
    unsigned long n = 0;

    pthread_mutex_lock(&h->heap_lock);
    for ( unsigned int i = 0; i < h->nr_nodes; i++ )
        n += h->node_need_scrub[i];
    pthread_mutex_unlock(&h->heap_lock);
    return n;
}

TEST(bootscrub_idle_marks_dirty_then_workers_clean)
{
    struct hostspec *hs = tiny_spec(2, 4 * MiB);
    struct host *h;

    hs->xen.bootscrub = BOOTSCRUB_IDLE;
    hs->xen.scrub_threads = 0;
    h = boot_spec(hs);
    /* dom0's shared_info and grant frame left node 0 unscrubbed (no_scrub). */
    CHECK_EQ(h->node_need_scrub[0], 1023 - 2);
    CHECK_EQ(h->node_need_scrub[1], 1020);
    check_host(h);
    /* With no workers, the waiter scrubs (it is the idle CPU). */
    host_scrub_wait(h);
    CHECK_EQ(need_scrub(h), 0);
    CHECK_EQ(h->frame_table[512].u.free.first_dirty, INVALID_DIRTY_IDX);
    check_host(h);
    host_destroy(h);

    hs = tiny_spec(2, 4 * MiB);
    hs->xen.bootscrub = BOOTSCRUB_IDLE;
    hs->xen.scrub_threads = 2;
    h = boot_spec(hs);
    host_scrub_wait(h);
    CHECK_EQ(need_scrub(h), 0);
    check_host(h);
    host_destroy(h);
}

TEST(bootscrub_on_and_off_enter_clean)
{
    struct hostspec *hs = tiny_spec(1, 4 * MiB);
    struct host *h;

    hs->xen.bootscrub = BOOTSCRUB_ON;
    h = boot_spec(hs);
    CHECK_EQ(need_scrub(h), 0);
    check_host(h);
    host_destroy(h);
}

/* Scrubbing never makes an untouched page resident. */
TEST(scrub_leaves_untouched_ram_unallocated)
{
    struct host *h = boot_preset("laptop", "bootscrub=idle", "scrub_threads=1");
    struct stat st;
    struct page_info *pg;

    host_scrub_wait(h);
    REQUIRE(fstat(h->ram.fd, &st) == 0);
    CHECK_EQ(st.st_blocks, 0);
    /* Touch one page, free it dirty, scrub: it reads zero again. */
    pg = alloc_domheap_pages(h, NULL, 0, 0);
    REQUIRE(pg != NULL);
    memset(mfn_to_virt(h, page_to_mfn(h, pg)), 0xee, PAGE_SIZE);
    REQUIRE(fstat(h->ram.fd, &st) == 0);
    CHECK(st.st_blocks > 0);
    free_domheap_pages(h, pg, 0);       /* anonymous: always scrubbed */
    host_scrub_wait(h);
    CHECK_EQ(((unsigned char *)mfn_to_virt(h, page_to_mfn(h, pg)))[7], 0);
    check_host(h);
    host_destroy(h);
}

/* Clearing pieces of a resident region clears exactly those pages. */
TEST(scrub_pieces_of_resident_memory_exactly)
{
    struct host *h = boot_tiny(1, 16 * MiB);
    struct page_info *pg = alloc_domheap_pages(h, NULL, 10, 0);
    unsigned char *va;
    struct stat st;

    REQUIRE(pg != NULL);
    va = mfn_to_virt(h, page_to_mfn(h, pg));
    memset(va, 1, 4 * MiB);
    scrub_pages(h, mfn_add(page_to_mfn(h, pg), 3), 2);
    CHECK_EQ(va[2 * PAGE_SIZE + PAGE_SIZE - 1], 1);
    CHECK_EQ(va[3 * PAGE_SIZE], 0);
    CHECK_EQ(va[4 * PAGE_SIZE + PAGE_SIZE - 1], 0);
    CHECK_EQ(va[5 * PAGE_SIZE], 1);
    /* A range longer than the os_ram window, starting mid-run. */
    scrub_pages(h, mfn_add(page_to_mfn(h, pg), 100), 700);
    CHECK_EQ(va[99 * PAGE_SIZE + 5], 1);
    CHECK_EQ(va[100 * PAGE_SIZE], 0);
    CHECK_EQ(va[799 * PAGE_SIZE + PAGE_SIZE - 1], 0);
    CHECK_EQ(va[800 * PAGE_SIZE], 1);
    free_heap_pages(h, pg, 10, false);
    host_destroy(h);

    /* Written and never-written pages mixed: the holes stay holes. */
    h = boot_tiny(1, 16 * MiB);
    pg = alloc_domheap_pages(h, NULL, 4, 0);
    REQUIRE(pg != NULL);
    va = mfn_to_virt(h, page_to_mfn(h, pg));
    for ( unsigned int i = 0; i < 16; i += 3 )
        va[i * PAGE_SIZE] = 9;              /* pages 0, 3, 6, 9, 12, 15 */
    scrub_pages(h, page_to_mfn(h, pg), 16);
    REQUIRE(fstat(h->ram.fd, &st) == 0);
    CHECK_EQ(st.st_blocks, 6 * (PAGE_SIZE / 512));
    for ( unsigned int i = 0; i < 16; i++ )
        CHECK_EQ(va[i * PAGE_SIZE], 0);
    free_heap_pages(h, pg, 4, false);
    host_destroy(h);
}

struct churn {
    struct host *h;
    unsigned long iters, bad;
    unsigned int seed;
};

/* Allocate, check zeroes, dirty, free dirty: races the scrubber workers. */
static void *churn_main(void *arg)
{
    struct churn *c = arg;
    struct host *h = c->h;
    unsigned int s = c->seed;

    for ( unsigned long i = 0; i < c->iters; i++ )
    {
        unsigned int order;
        struct page_info *pg;
        unsigned char *va;

        s = s * 1103515245u + 12345u;
        order = (s >> 16) % 10;
        pg = alloc_heap_pages(h, 1, NR_ZONES - 1, order, 0, NULL);
        if ( !pg )
            continue;
        va = mfn_to_virt(h, page_to_mfn(h, pg));
        for ( unsigned long p = 0; p < (1UL << order); p++ )
            if ( va[p * PAGE_SIZE] || va[p * PAGE_SIZE + PAGE_SIZE - 1] )
                c->bad++;
        for ( unsigned long p = 0; p < (1UL << order); p++ )
            memset(va + p * PAGE_SIZE, 0x3c, PAGE_SIZE);
        free_heap_pages(h, pg, order, true);
    }
    return NULL;
}

TEST(scrubber_abort_handshake_under_churn)
{
    struct hostspec *hs = tiny_spec(2, 32 * MiB);
    struct churn c[2];
    pthread_t t[2];
    struct host *h;

    hs->xen.bootscrub = BOOTSCRUB_IDLE;
    hs->xen.scrub_threads = 2;
    h = boot_spec(hs);
    for ( int i = 0; i < 2; i++ )
    {
        c[i] = (struct churn){ h, test_ops(3000), 0, 7u + i };
        REQUIRE(pthread_create(&t[i], NULL, churn_main, &c[i]) == 0);
    }
    for ( int i = 0; i < 2; i++ )
        pthread_join(t[i], NULL);
    CHECK_EQ(c[0].bad + c[1].bad, 0);
    host_scrub_wait(h);
    CHECK_EQ(need_scrub(h), 0);
    check_host(h);
    host_destroy(h);
}
