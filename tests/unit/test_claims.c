/*
 * Claims (XENMEM_claim_pages semantics, Xen 4.17) and the per-node claim.
 * Host: 2 nodes x 4 MiB; node 0 has 1023 free pages, node 1 has 1020,
 * before domains: dom0 and each domain created here take two Xen-heap pages
 * of node 0 (shared_info and the first grant-table frame).
 */
#include <errno.h>

#include "harness/test.h"
#include "testhost.h"

#define MiB (1ULL << 20)

TEST(claim_argument_checks)
{
    struct host *h = boot_tiny(2, 4 * MiB);
    struct domain *d = new_domain(h, 1, 0);

    /* max_pages 0: any claim is above max_pages. */
    CHECK_EQ(domain_set_outstanding_pages(d, 10, NUMA_NO_NODE), -EINVAL);
    d->max_pages = 5000;
    CHECK_EQ(domain_set_outstanding_pages(d, 5001, NUMA_NO_NODE), -EINVAL);
    /* 2043 free pages less dom0's and d's two Xen-heap pages each. */
    CHECK_EQ(domain_set_outstanding_pages(d, 2040, NUMA_NO_NODE), -ENOMEM);
    CHECK_EQ(domain_set_outstanding_pages(d, 2039, NUMA_NO_NODE), 0);
    CHECK_EQ(d->outstanding_pages, 2039);
    CHECK_EQ(h->outstanding_claims, 2039);
    /* Only one claim at a time; 0 cancels. */
    CHECK_EQ(domain_set_outstanding_pages(d, 100, NUMA_NO_NODE), -EINVAL);
    CHECK_EQ(domain_set_outstanding_pages(d, 0, NUMA_NO_NODE), 0);
    CHECK_EQ(h->outstanding_claims, 0);
    /* A claim must exceed what the domain already has. */
    CHECK(alloc_domheap_pages(h, d, 3, 0) != NULL);
    CHECK_EQ(domain_set_outstanding_pages(d, 8, NUMA_NO_NODE), -EINVAL);
    CHECK_EQ(domain_set_outstanding_pages(d, 9, NUMA_NO_NODE), 0);
    CHECK_EQ(d->outstanding_pages, 1);     /* the claim counts pages held */
    /* Bad node. */
    CHECK_EQ(domain_set_outstanding_pages(d, 0, NUMA_NO_NODE), 0);
    CHECK_EQ(domain_set_outstanding_pages(d, 100, 2), -EINVAL);
    CHECK_EQ(domain_set_outstanding_pages(d, 100, 63), -EINVAL);
    check_host(h);
    host_destroy(h);
}

TEST(claim_reserves_memory_for_claimant_417)
{
    struct host *h = boot_tiny(2, 4 * MiB);
    struct domain *d = new_domain(h, 1, 5000), *e = new_domain(h, 2, 5000);
    struct page_info *pg;

    CHECK_EQ(domain_set_outstanding_pages(d, 1500, NUMA_NO_NODE), 0);
    /*
     * 2037 free (2043 less the Xen-heap pages of dom0, d and e), 1500
     * claimed: e may take 537 pages, no more.
     */
    CHECK(alloc_domheap_pages(h, e, 9, 0) != NULL);         /* 512 */
    CHECK(alloc_domheap_pages(h, e, 5, 0) == NULL);         /* 32 > 25 left */
    CHECK(alloc_domheap_pages(h, e, 4, 0) != NULL);         /* 16 */
    CHECK_EQ(e->tot_pages, 528);
    check_host(h);
    /* Anonymous and MEMF_no_refcount allocations cannot use the claim. */
    CHECK(alloc_domheap_pages(h, NULL, 4, 0) == NULL);
    CHECK(alloc_domheap_pages(h, d, 4, MEMF_no_refcount) == NULL);

    /* The claimant allocates: 4.17 consumes in domain_adjust_tot_pages. */
    /* (e's two allocations broke up both order-9 blocks.) */
    CHECK(alloc_domheap_pages(h, d, 9, 0) == NULL);
    pg = alloc_domheap_pages(h, d, 8, 0);
    REQUIRE(pg != NULL);
    CHECK_EQ(d->outstanding_pages, 1500 - 256);
    CHECK_EQ(h->outstanding_claims, 1500 - 256);
    /* ... and a free makes the claim grow back (4.17 to 4.20). */
    free_domheap_pages(h, pg, 8);
    CHECK_EQ(d->outstanding_pages, 1500);
    CHECK_EQ(h->outstanding_claims, 1500);
    check_host(h);

    /* Killing the domain cancels its claim. */
    domain_kill(d);
    CHECK_EQ(h->outstanding_claims, 0);
    CHECK(alloc_domheap_pages(h, e, 5, 0) != NULL);
    check_host(h);
    host_destroy(h);
}

TEST(claim_policy_421_does_not_regrow)
{
    struct hostspec *hs = tiny_spec(2, 4 * MiB);
    struct host *h;
    struct domain *d;
    struct page_info *pg;

    hs->xen.claim_policy = CLAIM_4_21;
    h = boot_spec(hs);
    d = new_domain(h, 1, 5000);
    CHECK_EQ(domain_set_outstanding_pages(d, 1000, NUMA_NO_NODE), 0);
    pg = alloc_domheap_pages(h, d, 8, 0);
    REQUIRE(pg != NULL);
    CHECK_EQ(d->outstanding_pages, 744);
    free_domheap_pages(h, pg, 8);
    CHECK_EQ(d->outstanding_pages, 744);
    CHECK_EQ(h->outstanding_claims, 744);
    check_host(h);
    host_destroy(h);
}

/* Beyond 4.17: a claim bound to a node is kept free on that node. */
TEST(node_claim_reserves_one_node)
{
    struct host *h = boot_tiny(2, 4 * MiB);
    struct domain *d = new_domain(h, 1, 5000), *e = new_domain(h, 2, 5000);
    struct page_info *pg;
    unsigned long n = 0;

    /* Node 1 has 1020 free pages. */
    CHECK_EQ(domain_set_outstanding_pages(d, 1021, 1), -ENOMEM);
    CHECK_EQ(domain_set_outstanding_pages(d, 1000, 1), 0);
    CHECK_EQ(h->node_outstanding_claims[1], 1000);
    CHECK_EQ(h->outstanding_claims, 1000);

    /* e asks for node 1 exactly: only the 20 unclaimed pages are there. */
    while ( alloc_domheap_pages(h, e, 0, MEMF_node(1) | MEMF_exact_node) )
        n++;
    CHECK_EQ(n, 20);
    /* Without exact_node, e is sent to node 0. */
    pg = alloc_domheap_pages(h, e, 0, MEMF_node(1));
    REQUIRE(pg != NULL);
    CHECK_EQ(page_to_nid(h, pg), 0);
    check_host(h);

    /* d's allocations on node 1 use its claim up as they leave the heap. */
    pg = alloc_domheap_pages(h, d, 9, MEMF_node(1) | MEMF_exact_node);
    REQUIRE(pg != NULL);
    CHECK_EQ(page_to_nid(h, pg), 1);
    CHECK_EQ(d->outstanding_pages, 1000 - 512);
    CHECK_EQ(h->node_outstanding_claims[1], 1000 - 512);
    CHECK_EQ(h->outstanding_claims, 1000 - 512);
    check_host(h);
    /* Cancelling releases the node's reservation. */
    CHECK_EQ(domain_set_outstanding_pages(d, 0, NUMA_NO_NODE), 0);
    CHECK_EQ(h->node_outstanding_claims[1], 0);
    CHECK(alloc_domheap_pages(h, e, 0, MEMF_node(1) | MEMF_exact_node) != NULL);
    check_host(h);
    host_destroy(h);
}
