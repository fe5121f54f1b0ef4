/*
 * XENMEM_exchange as 4.17: a PV guest trades 4K pages for a contiguous
 * extent; range checks from the current index (XSA-212), size and order
 * checks, and failures that give every stolen page back.
 */
#include <errno.h>
#include <string.h>

#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"

struct exch_bufs {
    uint64_t exch_g, in_g, out_g;
    struct xen_memory_exchange *exch;
    xen_pfn_t *in, *out;
};

static void exch_setup(struct garena *a, struct exch_bufs *b, domid_t domid,
                       unsigned int nr_in, unsigned int in_order,
                       unsigned int nr_out, unsigned int out_order)
{
    garena_reset(a);
    b->exch_g = garena_alloc(a, sizeof(*b->exch));
    b->in_g = garena_alloc(a, 8 * 8);
    b->out_g = garena_alloc(a, 8 * 8);
    b->exch = garena_ptr(a, b->exch_g);
    b->in = garena_ptr(a, b->in_g);
    b->out = garena_ptr(a, b->out_g);
    memset(b->exch, 0, sizeof(*b->exch));
    set_xen_guest_handle(b->exch->in.extent_start,
                         (xen_pfn_t *)(uintptr_t)b->in_g);
    set_xen_guest_handle(b->exch->out.extent_start,
                         (xen_pfn_t *)(uintptr_t)b->out_g);
    b->exch->in.nr_extents = nr_in;
    b->exch->in.extent_order = in_order;
    b->exch->in.domid = domid;
    b->exch->out.nr_extents = nr_out;
    b->exch->out.extent_order = out_order;
    b->exch->out.domid = domid;
}

TEST(exchange_pv_pages_for_an_extent)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    struct domain *d = new_domain(h, 1, 100);
    struct caller c, g;
    struct garena a;
    struct exch_bufs b;
    xen_pfn_t l[4];
    unsigned int order;

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    caller_init(&g, d, &a.ga);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_increase_reservation, 1, l, 4, 0, 0), 4);
    exch_setup(&a, &b, DOMID_SELF, 4, 0, 1, 2);
    memcpy(b.in, l, sizeof(l));
    b.out[0] = 0x40;
    CHECK_EQ(memop_raw(&g, XENMEM_exchange, b.exch_g), 0);
    CHECK_EQ(b.exch->nr_exchanged, 4);
    CHECK_EQ(d->tot_pages, 4);
    CHECK_EQ(mfn_x(page_to_mfn(h, inuse_block_head(h, _mfn(b.out[0]), &order))),
             b.out[0]);
    CHECK_EQ(order, 2);
    CHECK_EQ(page_owner(h, _mfn(b.out[0] + 3)), d);
    CHECK_EQ(get_gpfn_from_mfn(h, _mfn(b.out[0] + 1)), 0x41);
    for ( unsigned int i = 0; i < 4; i++ )
        CHECK(page_owner(h, _mfn(l[i])) == NULL);
    /* Already done: 0 at once. */
    CHECK_EQ(memop_raw(&g, XENMEM_exchange, b.exch_g), 0);
    /* A continuation index is not allowed. */
    CHECK_EQ(memop_raw(&g, XENMEM_exchange | (1 << 6), b.exch_g), -EINVAL);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}

TEST(exchange_checks_and_failures_lose_nothing)
{
    struct host *h = boot_tiny(1, 64ULL << 20);
    struct domain *d = new_domain(h, 1, 100);
    struct domain *hvm = new_hvm_domain(h, 2, 100);
    struct caller c, g;
    struct garena a;
    struct exch_bufs b;
    xen_pfn_t l[4];

    garena_init(&a, 1 << 16);
    caller_init(&c, h->hardware_domain, &a.ga);
    caller_init(&g, d, &a.ga);
    CHECK_EQ(memop_resv(&c, &a, true, XENMEM_increase_reservation, 1, l, 4, 0, 0), 4);

    /* A guest's max_order is 9. */
    exch_setup(&a, &b, DOMID_SELF, 1, 10, 1, 10);
    CHECK_EQ(memop_raw(&g, XENMEM_exchange, b.exch_g), -EPERM);
    /* Sizes differ; domids differ; nr_exchanged beyond nr_extents. */
    exch_setup(&a, &b, DOMID_SELF, 4, 0, 1, 1);
    CHECK_EQ(memop_raw(&g, XENMEM_exchange, b.exch_g), -EINVAL);
    exch_setup(&a, &b, DOMID_SELF, 4, 0, 1, 2);
    b.exch->out.domid = 1;
    CHECK_EQ(memop_raw(&g, XENMEM_exchange, b.exch_g), -EINVAL);
    exch_setup(&a, &b, DOMID_SELF, 4, 0, 1, 2);
    b.exch->nr_exchanged = 5;
    CHECK_EQ(memop_raw(&g, XENMEM_exchange, b.exch_g), -EINVAL);
    /* XSA-212: the range is checked from the current index on. */
    exch_setup(&a, &b, DOMID_SELF, 1U << 20, 0, 1U << 18, 2);
    b.exch->nr_exchanged = (1U << 20) - 4;
    CHECK_EQ(memop_raw(&g, XENMEM_exchange, b.exch_g), -EFAULT);
    CHECK_EQ(b.exch->nr_exchanged, (1U << 20) - 4);
    /* A page the guest does not own: -EINVAL, nothing stolen kept. */
    exch_setup(&a, &b, DOMID_SELF, 4, 0, 1, 2);
    memcpy(b.in, l, sizeof(l));
    b.in[2] = 1;                        /* MFN 1: not d's */
    CHECK_EQ(memop_raw(&g, XENMEM_exchange, b.exch_g), -EINVAL);
    CHECK_EQ(b.exch->nr_exchanged, 0);
    CHECK_EQ(page_owner(h, _mfn(l[0])), d);
    CHECK_EQ(page_owner(h, _mfn(l[1])), d);
    CHECK_EQ(d->tot_pages, 4);
    check_host(h);
    /* A translated domain cannot have pages stolen. */
    exch_setup(&a, &b, 2, 1, 0, 1, 0);
    CHECK_EQ(memop_raw(&c, XENMEM_exchange, b.exch_g), -EOPNOTSUPP);
    CHECK_EQ(hvm->tot_pages, 0);
    /* Another guest's pages: XSM_TARGET. */
    exch_setup(&a, &b, 2, 1, 0, 1, 0);
    CHECK_EQ(memop_raw(&g, XENMEM_exchange, b.exch_g), -EPERM);
    exch_setup(&a, &b, 9, 1, 0, 1, 0);
    CHECK_EQ(memop_raw(&c, XENMEM_exchange, b.exch_g), -ESRCH);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}
