/*
 * testhost.c - see testhost.h.
 */
#include <stdlib.h>

#include "harness/test.h"
#include "testhost.h"

struct hostspec *tiny_spec(unsigned int nr_nodes, uint64_t node_bytes)
{
    struct hostspec *hs = hostspec_alloc();
    unsigned int i, j;

    if ( !hs )
        abort();
    snprintf(hs->name, sizeof(hs->name), "tiny-%un", nr_nodes);
    hs->nr_nodes = nr_nodes;
    for ( i = 0; i < nr_nodes; i++ )
    {
        hs->node[i].nr_ranges = 1;
        hs->node[i].range[0].start = i * node_bytes;
        hs->node[i].range[0].end = (i + 1) * node_bytes;
        hs->cpu[i].node = i;
        hs->cpu[i].socket = i;
        hs->cpu[i].core = 0;
        for ( j = 0; j < nr_nodes; j++ )
            hs->distance[i][j] = i == j ? 10 : 20;
    }
    hs->nr_cpus = nr_nodes;
    hs->cpu_khz = 2000000;
    hs->xen.bootscrub = BOOTSCRUB_OFF;
    hs->xen.scrub_threads = 0;
    return hs;
}

struct host *boot_spec(struct hostspec *hs)
{
    struct host *h = NULL;
    char err[256];
    int rc = host_boot(hs, &h, err, sizeof(err));

    if ( rc )
        printf("#   host_boot: %d %s\n", rc, err);
    hostspec_free(hs);
    REQUIRE(rc == 0 && h);
    return h;
}

struct host *boot_tiny(unsigned int nr_nodes, uint64_t node_bytes)
{
    return boot_spec(tiny_spec(nr_nodes, node_bytes));
}

struct host *boot_tiny_bare(unsigned int nr_nodes, uint64_t node_bytes)
{
    struct host *h = boot_tiny(nr_nodes, node_bytes);

    domain_destroy(h->hardware_domain);
    host_scrub_wait(h);
    return h;
}

struct host *boot_preset(const char *name, const char *opt1, const char *opt2)
{
    struct hostspec *hs = hostspec_alloc();
    char err[256];

    REQUIRE(hs);
    if ( hostspec_load_preset(name, hs, err, sizeof(err)) )
    {
        printf("#   preset %s: %s\n", name, err);
        hostspec_free(hs);
        REQUIRE(0);
    }
    if ( opt1 )
        REQUIRE(hostspec_set_xen_opt(hs, opt1, err, sizeof(err)) == 0);
    if ( opt2 )
        REQUIRE(hostspec_set_xen_opt(hs, opt2, err, sizeof(err)) == 0);
    return boot_spec(hs);
}

struct domain *peek_domain(struct host *h, domid_t id)
{
    struct domain *d = get_domain_by_id(h, id);

    if ( d )
        put_domain(d);
    return d;
}

void check_host(struct host *h)
{
    char buf[2048];
    unsigned long n = host_check(h, buf, sizeof(buf));

    if ( n )
        test_fail_at(__FILE__, __LINE__, "host_check: %lu violations:\n%s", n, buf);
}

struct domain *new_domain(struct host *h, domid_t id, unsigned int max_pages)
{
    int rc;
    struct domain *d = domain_create(h, id, NULL, 0, &rc);

    REQUIRE(d && rc == 0);
    d->max_pages = max_pages;
    return d;
}

struct domain *new_hvm_domain(struct host *h, domid_t id, unsigned int max_pages)
{
    struct xen_domctl_createdomain cfg = {
        .flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap,
        .max_vcpus = 1,
        .max_grant_frames = -1,
        .max_maptrack_frames = -1,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
        .arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI,
    };
    int rc;
    struct domain *d = domain_create(h, id, &cfg, 0, &rc);

    REQUIRE(d && rc == 0);
    REQUIRE(vcpu_create(d, 0) == 0);
    d->max_pages = max_pages;
    return d;
}
