/*
 * tests/unit/test_hostspec.c - presets, hostspec_validate(), the Xen
 * option setter and hostspec_load()'s dispatch.  The loaders' own tests
 * are in test_hostspec_{json,xlinfo,local}.c.
 */
#include <stdlib.h>

#include "hostspec_test.h"

static char err[512];

/* Load a preset, require success. */
static struct hostspec *preset(const char *name)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    err[0] = '\0';
    if ( hostspec_load_preset(name, hs, err, sizeof(err)) )
        printf("#   %s: %s\n", name, err);
    return hs;
}

TEST(hostspec_presets_all_validate)
{
    struct hostspec *hs = hostspec_alloc();
    bool have_default = false;

    REQUIRE(hs);
    CHECK(hostspec_nr_presets() >= 7);
    CHECK(hostspec_preset(hostspec_nr_presets()) == NULL);
    for ( unsigned int i = 0; i < hostspec_nr_presets(); i++ )
    {
        const struct hostspec_preset_info *p = hostspec_preset(i);

        CHECK_EQ(hostspec_load_preset(p->name, hs, err, sizeof(err)), 0);
        CHECK_EQ(hostspec_validate(hs, err, sizeof(err)), 0);
        CHECK_STR(hs->name, p->name);
        CHECK_STR(hs->description, p->description);
        CHECK(strlen(p->description) > 10);
        CHECK(strlen(p->description) < sizeof(hs->description));
        CHECK(hs->cpu_khz > 0);
        if ( !strcmp(p->name, HOSTSPEC_DEFAULT_PRESET) )
            have_default = true;
        /* Loading through the dispatcher gives the same spec. */
        {
            struct hostspec *hs2 = hostspec_alloc();
            char spec[80];

            REQUIRE(hs2);
            snprintf(spec, sizeof(spec), "preset:%s", p->name);
            CHECK_EQ(hostspec_load(spec, hs2, err, sizeof(err)), 0);
            CHECK(!memcmp(hs, hs2, sizeof(*hs)));
            CHECK_EQ(hostspec_load(p->name, hs2, err, sizeof(err)), 0);
            CHECK(!memcmp(hs, hs2, sizeof(*hs)));
            hostspec_free(hs2);
        }
    }
    CHECK(have_default);
    hostspec_free(hs);
}

TEST(hostspec_preset_laptop)
{
    struct hostspec *hs = preset("laptop");

    CHECK_EQ(hs->nr_nodes, 1);
    CHECK_EQ(hs->node[0].nr_ranges, 2);
    CHECK_RANGE(hs, 0, 0, 0, 3 * GiB);
    CHECK_RANGE(hs, 0, 1, 4 * GiB, 5 * GiB);
    CHECK_EQ(hostspec_total_ram_bytes(hs), 4 * GiB);
    CHECK_EQ(hostspec_max_paddr(hs), 5 * GiB);
    CHECK_EQ(hs->nr_cpus, 8);
    /* 1 socket x 4 cores x 2 threads, siblings adjacent. */
    CHECK_EQ(hs->cpu[0].core, 0);
    CHECK_EQ(hs->cpu[1].core, 0);
    CHECK_EQ(hs->cpu[2].core, 1);
    CHECK_EQ(hs->cpu[7].core, 3);
    CHECK_EQ(hs->cpu[7].socket, 0);
    CHECK_EQ(hs->distance[0][0], 10);
    hostspec_free(hs);
}

TEST(hostspec_preset_server_2s_is_default)
{
    struct hostspec *hs = preset(HOSTSPEC_DEFAULT_PRESET);

    CHECK_STR(HOSTSPEC_DEFAULT_PRESET, "server-2s");
    CHECK_EQ(hs->nr_nodes, 2);
    CHECK_EQ(hostspec_total_ram_bytes(hs), 512 * GiB);
    CHECK_EQ(hostspec_node_ram_bytes(hs, 0), 256 * GiB);
    CHECK_EQ(hostspec_node_ram_bytes(hs, 1), 256 * GiB);
    CHECK_EQ(hostspec_node_ram_bytes(hs, 2), 0);
    CHECK_RANGE(hs, 0, 0, 0, 2 * GiB);
    CHECK_RANGE(hs, 0, 1, 4 * GiB, 258 * GiB);
    CHECK_RANGE(hs, 1, 0, 258 * GiB, 514 * GiB);
    CHECK_EQ(hs->nr_cpus, 64);
    CHECK_EQ(hs->cpu[31].node, 0);
    CHECK_EQ(hs->cpu[31].socket, 0);
    CHECK_EQ(hs->cpu[31].core, 15);
    CHECK_EQ(hs->cpu[32].node, 1);
    CHECK_EQ(hs->cpu[32].socket, 1);
    CHECK_EQ(hs->cpu[32].core, 0);
    CHECK_EQ(hs->distance[0][1], 21);
    CHECK_EQ(hs->distance[1][0], 21);
    CHECK_EQ(hs->distance[1][1], 10);
    hostspec_free(hs);
}

TEST(hostspec_preset_opteron_6272)
{
    /* xapi-project/xen-api ocaml/xenopsd/test/test_topology.ml */
    static const uint32_t slit[8][8] = {
        { 10, 16, 16, 22, 16, 22, 16, 22 },
        { 16, 10, 22, 16, 16, 22, 22, 16 },
        { 16, 22, 10, 16, 16, 16, 16, 16 },
        { 22, 16, 16, 10, 16, 16, 22, 22 },
        { 16, 16, 16, 16, 10, 16, 16, 22 },
        { 22, 22, 16, 16, 16, 10, 22, 16 },
        { 16, 22, 16, 22, 16, 22, 10, 16 },
        { 22, 16, 16, 22, 22, 16, 16, 10 },
    };
    struct hostspec *hs = preset("opteron-6272");

    CHECK_EQ(hs->nr_nodes, 8);
    CHECK_EQ(hs->nr_cpus, 64);
    for ( unsigned int i = 0; i < 8; i++ )
    {
        CHECK_EQ(hostspec_node_ram_bytes(hs, i), 16 * GiB);
        for ( unsigned int j = 0; j < 8; j++ )
        {
            CHECK_EQ(hs->distance[i][j], slit[i][j]);
            CHECK_EQ(hs->distance[i][j], hs->distance[j][i]);
        }
    }
    CHECK_RANGE(hs, 0, 0, 0, 3 * GiB);
    CHECK_RANGE(hs, 0, 1, 4 * GiB, 17 * GiB);
    CHECK_RANGE(hs, 1, 0, 17 * GiB, 33 * GiB);
    /* 8 cores per node, 2 nodes (dies) per socket, 1 thread. */
    for ( unsigned int c = 0; c < 64; c++ )
    {
        CHECK_EQ(hs->cpu[c].node, c / 8);
        CHECK_EQ(hs->cpu[c].socket, c / 16);
        CHECK_EQ(hs->cpu[c].core, c % 16);
    }
    hostspec_free(hs);
}

TEST(hostspec_preset_xs_12t)
{
    struct hostspec *hs = preset("xs-12t");

    CHECK_EQ(hs->nr_nodes, 4);
    CHECK_EQ(hostspec_total_ram_bytes(hs), 12 * TiB);
    for ( unsigned int i = 0; i < 4; i++ )
        CHECK_EQ(hostspec_node_ram_bytes(hs, i), 3 * TiB);
    CHECK_EQ(hs->nr_cpus, 4 * 28 * 2);
    CHECK_EQ(hs->cpu[56].socket, 1);
    CHECK_EQ(hs->cpu[56].node, 1);
    CHECK_EQ(hs->distance[0][3], 21);
    CHECK(hostspec_max_paddr(hs) < HOSTSPEC_MAX_PADDR);
    hostspec_free(hs);
}

TEST(hostspec_preset_16t_reaches_the_limit)
{
    struct hostspec *hs = preset("16t");

    CHECK_EQ(hs->nr_nodes, 8);
    CHECK_EQ(hostspec_max_paddr(hs), HOSTSPEC_MAX_PADDR);
    CHECK_EQ(hostspec_max_paddr(hs), 16 * TiB);
    CHECK_EQ(hostspec_total_ram_bytes(hs), 16 * TiB - 2 * GiB);
    CHECK_RANGE(hs, 0, 0, 0, 2 * GiB);
    CHECK_RANGE(hs, 0, 1, 4 * GiB, 2 * TiB);
    for ( unsigned int i = 1; i < 8; i++ )
    {
        CHECK_EQ(hs->node[i].nr_ranges, 1);
        CHECK_RANGE(hs, i, 0, i * 2 * TiB, (i + 1) * 2 * TiB);
    }
    CHECK_CONTAINS(hs->description, "16 TiB");
    hostspec_free(hs);
}

TEST(hostspec_preset_small_2n)
{
    struct hostspec *hs = preset("small-2n");

    CHECK_EQ(hs->nr_nodes, 2);
    CHECK_RANGE(hs, 0, 0, 0, 2 * GiB);
    CHECK_RANGE(hs, 1, 0, 4 * GiB, 6 * GiB);
    CHECK_EQ(hs->node[0].nr_ranges, 1);
    CHECK_EQ(hs->node[1].nr_ranges, 1);
    CHECK_EQ(hs->nr_cpus, 4);
    CHECK_EQ(hs->cpu[2].node, 1);
    hostspec_free(hs);
}

TEST(hostspec_preset_unknown)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    CHECK_EQ(hostspec_load_preset("laptopp", hs, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "\"laptopp\"");
    CHECK_CONTAINS(err, "server-2s");
    CHECK_ONE_LINE(err);
    CHECK_EQ(hostspec_load("preset:nope", hs, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "nope");
    CHECK_EQ(hostspec_load("nope", hs, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "nope: no such preset or file");
    CHECK_EQ(hostspec_load("", hs, err, sizeof(err)), -1);
    CHECK_EQ(hostspec_load("/nonexistent/host.json", hs, err, sizeof(err)),
             -1);
    CHECK_CONTAINS(err, "/nonexistent/host.json: cannot open");
    hostspec_free(hs);
}

/* --- validation ---------------------------------------------------- */

/* A valid 2-node host to break in one way per test. */
static struct hostspec *two_nodes(void)
{
    struct hostspec *hs = preset("small-2n");

    REQUIRE(hostspec_validate(hs, err, sizeof(err)) == 0);
    return hs;
}

static void expect_invalid(struct hostspec *hs, const char *what1,
                           const char *what2)
{
    err[0] = '\0';
    CHECK_EQ(hostspec_validate(hs, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, what1);
    if ( what2 )
        CHECK_CONTAINS(err, what2);
    CHECK_ONE_LINE(err);
}

TEST(hostspec_validate_ranges)
{
    struct hostspec *hs = two_nodes();

    hs->node[1].range[0].start = 1 * GiB;           /* into node 0's */
    expect_invalid(hs, "nodes[1].ranges[0]", "overlaps nodes[0].ranges[0]");

    hs = (hostspec_free(hs), two_nodes());
    hs->node[0].range[0] = (struct hostspec_range){ 8 * GiB, 9 * GiB };
    expect_invalid(hs, "nodes[1].ranges[0]", "ascend");

    hs = (hostspec_free(hs), two_nodes());
    hs->node[1].range[0].end = 6 * GiB + 100;
    expect_invalid(hs, "nodes[1].ranges[0]", "page-aligned");

    hs = (hostspec_free(hs), two_nodes());
    hs->node[1].range[0].end = hs->node[1].range[0].start;
    expect_invalid(hs, "nodes[1].ranges[0]", "not below end");

    hs = (hostspec_free(hs), two_nodes());
    hs->node[1].range[0] = (struct hostspec_range){ 16 * TiB - GiB,
                                                    16 * TiB + GiB };
    expect_invalid(hs, "nodes[1].ranges[0]", "16 TiB");
    CHECK_CONTAINS(err, "32-bit");

    /* Exactly 16 TiB is fine. */
    hs->node[1].range[0].end = 16 * TiB;
    CHECK_EQ(hostspec_validate(hs, err, sizeof(err)), 0);

    hs = (hostspec_free(hs), two_nodes());
    hs->node[0].range[1] = (struct hostspec_range){ GiB, 2 * GiB };
    hs->node[0].range[0].end = GiB;
    hs->node[0].nr_ranges = 2;
    CHECK_EQ(hostspec_validate(hs, err, sizeof(err)), 0);   /* touching */
    hs->node[0].range[1].start = GiB - PAGE_SIZE;
    expect_invalid(hs, "nodes[0].ranges[1]", "overlaps nodes[0].ranges[0]");

    hs = (hostspec_free(hs), two_nodes());
    hs->node[0].nr_ranges = HOSTSPEC_MAX_NODE_RANGES + 1;
    expect_invalid(hs, "nodes[0].ranges", "at most 16");
    hostspec_free(hs);
}

TEST(hostspec_validate_nodes_and_cpus)
{
    struct hostspec *hs = two_nodes();

    hs->nr_nodes = 0;
    expect_invalid(hs, "nodes: 0 nodes", NULL);
    hs->nr_nodes = 65;
    expect_invalid(hs, "nodes: 65 nodes", "1 to 64");

    /* A memory-less node is allowed; a RAM-less host is not. */
    hs = (hostspec_free(hs), two_nodes());
    hs->node[1].nr_ranges = 0;
    CHECK_EQ(hostspec_validate(hs, err, sizeof(err)), 0);
    hs->node[0].nr_ranges = 0;
    expect_invalid(hs, "no RAM", NULL);

    hs = (hostspec_free(hs), two_nodes());
    hs->cpu[3].node = 2;
    expect_invalid(hs, "cpus[3].node", "node 2 does not exist");

    hs = (hostspec_free(hs), two_nodes());
    hs->nr_cpus = 0;
    expect_invalid(hs, "cpus: 0 CPUs", NULL);
    hs->nr_cpus = HOSTSPEC_MAX_CPUS + 1;
    expect_invalid(hs, "cpus: 4097 CPUs", NULL);
    hostspec_free(hs);
}

TEST(hostspec_validate_distances)
{
    struct hostspec *hs = two_nodes();

    hs->distance[1][1] = 11;
    expect_invalid(hs, "distances[1][1]", "must be 10");

    hs = (hostspec_free(hs), two_nodes());
    hs->distance[0][1] = 10;
    expect_invalid(hs, "distances[0][1]", "above 10");
    hs->distance[0][1] = 0;
    expect_invalid(hs, "distances[0][1]", "unreachable");
    hs->distance[0][1] = HOSTSPEC_DISTANCE_UNREACHABLE;
    CHECK_EQ(hostspec_validate(hs, err, sizeof(err)), 0);
    hs->distance[0][1] = 255;
    CHECK_EQ(hostspec_validate(hs, err, sizeof(err)), 0);
    hostspec_free(hs);
}

TEST(hostspec_validate_xen_opts)
{
    struct hostspec *hs = two_nodes();

    hs->xen.bootscrub_chunk = 0;
    expect_invalid(hs, "xen.bootscrub_chunk", NULL);
    hs->xen.bootscrub_chunk = 4097;
    expect_invalid(hs, "xen.bootscrub_chunk", NULL);

    hs = (hostspec_free(hs), two_nodes());
    hs->xen.scrub_threads = 5;
    expect_invalid(hs, "xen.scrub_threads", "4 CPUs");

    hs = (hostspec_free(hs), two_nodes());
    hs->xen.heap_model = HEAP_SPLIT;
    CHECK_EQ(hostspec_validate(hs, err, sizeof(err)), 0);
    hs->xen.xenheap_size = 4 * GiB;
    expect_invalid(hs, "xen.xenheap_megabytes", "no RAM for domains");

    hs = (hostspec_free(hs), two_nodes());
    hs->xen.directmap_size = 12345;
    expect_invalid(hs, "xen.directmap", NULL);
    hostspec_free(hs);
}

/* --- Xen options --------------------------------------------------- */

TEST(hostspec_xen_defaults)
{
    struct hostspec_xen_opts o;
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    hostspec_default_opts(&o);
    CHECK_EQ(o.bootscrub, BOOTSCRUB_IDLE);
    CHECK_EQ(o.bootscrub_chunk, 128 * MiB);
    CHECK_EQ(o.dma_bits, 0);
    CHECK(!o.scrub_debug);
    CHECK(!o.scrub_domheap);
    CHECK_EQ(o.heap_model, HEAP_UNIFIED);
    CHECK_EQ(o.xenheap_size, 0);
    CHECK_EQ(o.directmap_size, 5 * TiB);
    CHECK_EQ(o.claim_policy, CLAIM_4_17);
    CHECK_EQ(o.scrub_threads, 1);
    /* hostspec_alloc() starts from the same defaults. */
    CHECK_EQ(hs->xen.bootscrub_chunk, 128 * MiB);
    CHECK_EQ(hs->xen.directmap_size, 5 * TiB);
    CHECK_EQ(hs->nr_nodes, 0);
    CHECK_EQ(hostspec_xenheap_bytes(&o), 0);
    o.heap_model = HEAP_SPLIT;
    CHECK_EQ(hostspec_xenheap_bytes(&o), HOSTSPEC_SPLIT_XENHEAP_DEFAULT);
    o.xenheap_size = 64 * MiB;
    CHECK_EQ(hostspec_xenheap_bytes(&o), 64 * MiB);
    hostspec_free(hs);
}

static int set(struct hostspec *hs, const char *opt)
{
    err[0] = '\0';
    return hostspec_set_xen_opt(hs, opt, err, sizeof(err));
}

TEST(hostspec_xen_opt_setter)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    CHECK_EQ(set(hs, "bootscrub=off"), 0);
    CHECK_EQ(hs->xen.bootscrub, BOOTSCRUB_OFF);
    CHECK_EQ(set(hs, "bootscrub=idle"), 0);
    CHECK_EQ(hs->xen.bootscrub, BOOTSCRUB_IDLE);
    CHECK_EQ(set(hs, "bootscrub=yes"), 0);
    CHECK_EQ(hs->xen.bootscrub, BOOTSCRUB_ON);
    CHECK_EQ(set(hs, "bootscrub=0"), 0);
    CHECK_EQ(hs->xen.bootscrub, BOOTSCRUB_OFF);
    CHECK_EQ(set(hs, "bootscrub"), 0);
    CHECK_EQ(hs->xen.bootscrub, BOOTSCRUB_ON);
    CHECK_EQ(set(hs, "no-bootscrub"), 0);
    CHECK_EQ(hs->xen.bootscrub, BOOTSCRUB_OFF);
    CHECK_EQ(set(hs, "bootscrub=sometimes"), -1);
    CHECK_CONTAINS(err, "bootscrub: \"sometimes\"");

    CHECK_EQ(set(hs, "bootscrub_chunk=64M"), 0);
    CHECK_EQ(hs->xen.bootscrub_chunk, 64 * MiB);
    CHECK_EQ(set(hs, "bootscrub-chunk=1g"), 0);
    CHECK_EQ(hs->xen.bootscrub_chunk, GiB);
    CHECK_EQ(set(hs, "bootscrub_chunk=512"), 0);       /* KiB, as Xen */
    CHECK_EQ(hs->xen.bootscrub_chunk, 512 * 1024);
    CHECK_EQ(set(hs, "bootscrub_chunk=8192B"), 0);
    CHECK_EQ(hs->xen.bootscrub_chunk, 8192);
    CHECK_EQ(set(hs, "bootscrub_chunk=12X"), -1);
    CHECK_CONTAINS(err, "bootscrub_chunk: \"12X\" is not a size");
    CHECK_EQ(set(hs, "bootscrub_chunk=100B"), -1);
    CHECK_CONTAINS(err, "multiple of 4K");
    CHECK_EQ(set(hs, "bootscrub_chunk"), -1);
    CHECK_CONTAINS(err, "needs a value");

    CHECK_EQ(set(hs, "dma_bits=32"), 0);
    CHECK_EQ(hs->xen.dma_bits, 32);
    CHECK_EQ(set(hs, "dma_bits=65"), -1);
    CHECK_CONTAINS(err, "dma_bits");
    CHECK_EQ(set(hs, "no-dma_bits"), -1);
    CHECK_CONTAINS(err, "not a boolean option");

    CHECK_EQ(set(hs, "scrub-domheap"), 0);
    CHECK(hs->xen.scrub_domheap);
    CHECK_EQ(set(hs, "no-scrub-domheap"), 0);
    CHECK(!hs->xen.scrub_domheap);
    CHECK_EQ(set(hs, "scrub_domheap=on"), 0);
    CHECK(hs->xen.scrub_domheap);
    CHECK_EQ(set(hs, "scrub_domheap=maybe"), -1);
    CHECK_CONTAINS(err, "scrub_domheap: \"maybe\" is not a boolean");
    CHECK_EQ(set(hs, "scrub_debug=true"), 0);
    CHECK(hs->xen.scrub_debug);

    CHECK_EQ(set(hs, "heap=split"), 0);
    CHECK_EQ(hs->xen.heap_model, HEAP_SPLIT);
    CHECK_EQ(set(hs, "heap=both"), -1);
    CHECK_CONTAINS(err, "heap: \"both\"");
    CHECK_EQ(set(hs, "xenheap_megabytes=64"), 0);
    CHECK_EQ(hs->xen.xenheap_size, 64 * MiB);
    CHECK_EQ(set(hs, "directmap=4T"), 0);
    CHECK_EQ(hs->xen.directmap_size, 4 * TiB);
    CHECK_EQ(set(hs, "directmap=0"), 0);
    CHECK_EQ(hs->xen.directmap_size, 0);
    CHECK_EQ(set(hs, "claim_policy=4.21"), 0);
    CHECK_EQ(hs->xen.claim_policy, CLAIM_4_21);
    CHECK_EQ(set(hs, "claim_policy=4.18"), -1);
    CHECK_CONTAINS(err, "claim_policy");
    CHECK_EQ(set(hs, "scrub_threads=4"), 0);
    CHECK_EQ(hs->xen.scrub_threads, 4);
    CHECK_EQ(set(hs, "scrub_threads=-1"), -1);
    CHECK_CONTAINS(err, "scrub_threads");

    CHECK_EQ(set(hs, "frobnicate=1"), -1);
    CHECK_CONTAINS(err, "frobnicate: unknown Xen option");
    CHECK_CONTAINS(err, "bootscrub_chunk");
    CHECK_ONE_LINE(err);
    CHECK_EQ(set(hs, "=3"), -1);
    CHECK_EQ(set(hs, ""), -1);
    hostspec_free(hs);
}

TEST(hostspec_xen_opts_format_round_trip)
{
    struct hostspec *a = hostspec_alloc(), *b = hostspec_alloc();
    char line[512];
    const char *name;
    char val[64];

    REQUIRE(a && b);
    hostspec_format_xen_opts(&a->xen, line, sizeof(line));
    CHECK_CONTAINS(line, "bootscrub=idle");
    CHECK_CONTAINS(line, "bootscrub_chunk=128M");
    CHECK_CONTAINS(line, "directmap=5T");
    CHECK_CONTAINS(line, "claim_policy=4.17");

    CHECK_EQ(hostspec_set_xen_cmdline(a, "bootscrub=on bootscrub_chunk=3M "
                                      "dma_bits=30 scrub-domheap "
                                      "scrub_debug heap=split "
                                      "xenheap_megabytes=48 "
                                      "directmap=1048580K "
                                      "claim_policy=4.21 scrub_threads=3",
                                      false, err, sizeof(err)), 0);
    CHECK(hostspec_format_xen_opts(&a->xen, line, sizeof(line)) <
          sizeof(line));
    CHECK_EQ(hostspec_set_xen_cmdline(b, line, false, err, sizeof(err)), 0);
    CHECK_EQ(b->xen.bootscrub, BOOTSCRUB_ON);
    CHECK_EQ(b->xen.bootscrub_chunk, 3 * MiB);
    CHECK_EQ(b->xen.dma_bits, 30);
    CHECK(b->xen.scrub_domheap);
    CHECK(b->xen.scrub_debug);
    CHECK_EQ(b->xen.heap_model, HEAP_SPLIT);
    CHECK_EQ(b->xen.xenheap_size, 48 * MiB);
    CHECK_EQ(b->xen.directmap_size, 1048580ULL * 1024);
    CHECK_EQ(b->xen.claim_policy, CLAIM_4_21);
    CHECK_EQ(b->xen.scrub_threads, 3);

    CHECK_EQ(hostspec_xen_opt_get(&b->xen, 0, &name, val, sizeof(val)), 0);
    CHECK_STR(name, "bootscrub");
    CHECK_STR(val, "on");
    CHECK_EQ(hostspec_xen_opt_get(&b->xen, hostspec_nr_xen_opts(), &name,
                                  val, sizeof(val)), -1);
    /* Truncation still reports the full length. */
    CHECK(hostspec_format_xen_opts(&b->xen, line, 8) > 8);
    CHECK_EQ(strlen(line), 7);
    hostspec_free(a);
    hostspec_free(b);
}

TEST(hostspec_xen_cmdline_unknown)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    CHECK_EQ(hostspec_set_xen_cmdline(hs, "  console=com1  bootscrub=off "
                                      "dom0_mem=4G,max:4G no-real-mode\t",
                                      true, err, sizeof(err)), 0);
    CHECK_EQ(hs->xen.bootscrub, BOOTSCRUB_OFF);
    CHECK_EQ(hostspec_set_xen_cmdline(hs, "console=com1", false, err,
                                      sizeof(err)), -1);
    CHECK_CONTAINS(err, "console: unknown Xen option");
    /* A known option with a bad value fails even when ignoring unknown. */
    CHECK_EQ(hostspec_set_xen_cmdline(hs, "console=com1 dma_bits=x", true,
                                      err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "dma_bits: \"x\"");
    hostspec_free(hs);
}
