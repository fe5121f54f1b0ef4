/*
 * PoD under concurrency: one thread is the guest's vCPU touching PoD
 * gfns (some written, most read and so reclaimable), the other is dom0
 * raising the target and the balloon driver giving ranges back.  The
 * lock order (p2m, PoD, page_alloc, heap) must hold and every count must
 * add up afterwards.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "core/p2m.h"
#include "harness/test.h"
#include "testguest.h"
#include "testhost.h"
#include "testpod.h"

#define STRESS_GFNS 0x4000UL            /* 64 MiB of PoD gfns */

struct vcpu_run {
    struct domain *d;
    unsigned long long rng;
    unsigned long ops, ok, fault, nomem;
};

static unsigned long next_rand(unsigned long long *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (unsigned long)((*s * 0x2545f4914f6cdd1dULL) >> 11);
}

static void *vcpu_thread(void *arg)
{
    struct vcpu_run *r = arg;

    for ( unsigned long i = 0; i < r->ops; i++ )
    {
        unsigned long x = next_rand(&r->rng), gfn = x % STRESS_GFNS;
        uint64_t v = gfn;
        int rc = (x >> 40) % 8 ? touch_read(r->d, gfn, &v)
                               : touch_write(r->d, gfn, v);

        if ( rc == 0 )
            r->ok++;
        else if ( rc == -EFAULT )
            r->fault++;                 /* given back by the balloon */
        else if ( rc == -ENOMEM || rc == -ESRCH )
        {
            r->nomem++;                 /* overcommitted: crashed */
            break;
        }
    }
    return NULL;
}

TEST(pod_stress_vcpu_against_balloon)
{
    struct host *h = boot_tiny(2, 256 * MiB);
    struct domain *d = new_hvm_domain(h, 1, 1U << 16);
    struct caller c;
    struct garena a;
    struct vcpu_run r = { .d = d, .ops = test_ops(20000) };
    unsigned long long rng = test_seed();
    long free_pages = h->total_avail_pages;
    unsigned long extra;
    pthread_t t;

    garena_init(&a, 1 << 20);
    caller_init(&c, h->hardware_domain, &a.ga);
    c.preempt_every = 3;
    r.rng = rng ^ 0x9e3779b97f4a7c15ULL;
    CHECK_EQ(set_pod_target(&c, &a, 1, STRESS_GFNS / 2), 0);
    CHECK_EQ(pod_mark(&c, &a, 1, 0, 16, 9), 16);                /* 2M */
    CHECK_EQ(pod_mark(&c, &a, 1, 0x2000, 64, 7), 64);           /* 512K */
    CHECK_EQ(d->p2m->pod.entry_count, STRESS_GFNS);
    check_host(h);

    REQUIRE(pthread_create(&t, NULL, vcpu_thread, &r) == 0);
    for ( unsigned int i = 0; i < test_ops(200); i++ )
    {
        unsigned long x = next_rand(&rng);
        unsigned int order = x % 3 == 0 ? 9 : x % 3 == 1 ? 4 : 0;
        unsigned long gfn = ((x >> 8) % STRESS_GFNS) & ~((1UL << order) - 1);

        if ( (x >> 50) % 4 == 0 )
            set_pod_target(&c, &a, 1, STRESS_GFNS / 2 + (x >> 20) % 2048);
        else
            resv1(&c, &a, XENMEM_decrease_reservation, 1, gfn, order, 0);
    }
    pthread_join(t, NULL);
    CHECK(r.ok > 0);
    check_host(h);
    CHECK_EQ(domain_tot_pages(d), populated(d) + d->p2m->pod.count);

    /* Its HAP pool and Xen-heap pages (shared_info, grant frames) go back too. */
    extra = d->paging.total_pages + d->paging.p2m_pages + d->xenheap_pages;
    CHECK_EQ(extra, 256 + 2);
    domain_destroy(d);
    CHECK_EQ(h->total_avail_pages, free_pages + (long)extra);
    check_host(h);
    garena_free(&a);
    host_destroy(h);
}
