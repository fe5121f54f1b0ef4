/*
 * tests/unit/test_hostspec_xlinfo.c - the `xl info -n` text loader: the two
 * sample machines under tests/hostmaps/, plain `xl info`, and errors that
 * name the line.
 */
#include <stdlib.h>

#include "hostspec_test.h"

static char err[512];

TEST(hostspec_xlinfo_dell_r740)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    CHECK_EQ(hostspec_load_xlinfo(hostmap("dell-r740.txt"), hs, err,
                                  sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_STR(hs->name, "r740-lab");
    CHECK_EQ(hs->cpu_khz, 2095078);
    CHECK_EQ(hs->nr_nodes, 2);
    /* memsize is spanned: 100352 + 98304 - 196503 = 2153 MiB of hole. */
    CHECK_EQ(hs->node[0].nr_ranges, 2);
    CHECK_RANGE(hs, 0, 0, 0, (4096 - 2153) * MiB);
    CHECK_RANGE(hs, 0, 1, 4 * GiB, 100352 * MiB);
    CHECK_EQ(hs->node[1].nr_ranges, 1);
    CHECK_RANGE(hs, 1, 0, 100352 * MiB, (100352 + 98304) * MiB);
    CHECK_EQ(hostspec_total_ram_bytes(hs), 196503 * MiB);
    CHECK_EQ(hs->distance[0][0], 10);
    CHECK_EQ(hs->distance[0][1], 21);
    CHECK_EQ(hs->distance[1][0], 21);
    /* Round-robin numbering: odd CPUs on socket/node 1, siblings 32 on. */
    CHECK_EQ(hs->nr_cpus, 64);
    CHECK_EQ(hs->cpu[1].socket, 1);
    CHECK_EQ(hs->cpu[1].node, 1);
    CHECK_EQ(hs->cpu[1].core, 0);
    CHECK_EQ(hs->cpu[30].core, 15);
    CHECK_EQ(hs->cpu[32].core, 0);
    CHECK_EQ(hs->cpu[32].socket, 0);
    CHECK_EQ(hs->cpu[63].core, 15);
    CHECK_EQ(hs->cpu[63].node, 1);
    /* xen_commandline: bootscrub=false applied, the rest ignored. */
    CHECK_EQ(hs->xen.bootscrub, BOOTSCRUB_OFF);
    CHECK_EQ(hs->xen.bootscrub_chunk, 128 * MiB);
    /* hostspec_load() recognises it by content. */
    CHECK_EQ(hostspec_load(hostmap("dell-r740.txt"), hs, err, sizeof(err)),
             0);
    CHECK_EQ(hs->nr_cpus, 64);
    hostspec_free(hs);
}

TEST(hostspec_xlinfo_supermicro)
{
    struct hostspec *hs = hostspec_alloc();
    char spec[600];

    REQUIRE(hs);
    snprintf(spec, sizeof(spec), "xlinfo:%s",
             hostmap("supermicro-x11ssh.txt"));
    CHECK_EQ(hostspec_load(spec, hs, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_STR(hs->name, "x11ssh");
    CHECK_EQ(hs->cpu_khz, 3696014);
    CHECK_EQ(hs->nr_nodes, 1);
    CHECK_RANGE(hs, 0, 0, 0, (4096 - 1675) * MiB);
    CHECK_RANGE(hs, 0, 1, 4 * GiB, 34304 * MiB);
    CHECK_EQ(hostspec_total_ram_bytes(hs), 32629 * MiB);
    CHECK_EQ(hs->nr_cpus, 8);
    CHECK_EQ(hs->cpu[5].core, 1);
    CHECK_EQ(hs->cpu[5].node, 0);
    CHECK(hs->xen.scrub_domheap);
    hostspec_free(hs);
}

TEST(hostspec_xlinfo_plain_xl_info)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    /* `xl info` without -n: one node, CPUs from the counts. */
    CHECK_EQ(hostspec_load_xlinfo_string(
        "host                   : box\r\n"
        "nr_cpus                : 12\n"
        "nr_nodes               : 1\n"
        "cores_per_socket       : 6\n"
        "threads_per_core       : 2\n"
        "cpu_mhz                : 3000\n"
        "total_memory           : 8192\n"
        "xen_commandline        : \n",
        "plain.txt", hs, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_STR(hs->name, "box");
    CHECK_EQ(hs->cpu_khz, 3000000);
    CHECK_EQ(hs->nr_nodes, 1);
    CHECK_RANGE(hs, 0, 0, 0, 3 * GiB);
    CHECK_RANGE(hs, 0, 1, 4 * GiB, 9 * GiB);
    CHECK_EQ(hs->nr_cpus, 12);
    CHECK_EQ(hs->cpu[1].core, 0);
    CHECK_EQ(hs->cpu[11].core, 5);

    /* No total_memory with numa_info: a 1 GiB hole is assumed. */
    CHECK_EQ(hostspec_load_xlinfo_string(
        "numa_info              :\n"
        "node:    memsize    memfree    distances\n"
        "   0:      8192       8000      10,-1\n"
        "   1:      4096       4000      -1,10\n"
        "nr_cpus : 2\n",
        "n.txt", hs, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_RANGE(hs, 0, 0, 0, 3 * GiB);
    CHECK_RANGE(hs, 0, 1, 4 * GiB, 8 * GiB);
    CHECK_RANGE(hs, 1, 0, 8 * GiB, 12 * GiB);
    CHECK_EQ(hs->distance[0][1], HOSTSPEC_DISTANCE_UNREACHABLE);
    CHECK_EQ(hs->nr_cpus, 2);
    CHECK_EQ(hs->cpu[1].node, 1);

    /* A small box: spans below the hole, no hole cut. */
    CHECK_EQ(hostspec_load_xlinfo_string(
        "total_memory : 2048\n"
        "cpu_topology           :\n"
        "cpu:    core    socket     node\n"
        "  0:       0        0        0\n"
        "  2:       1        0        1\n"
        "numa_info              :\n"
        "node:    memsize    memfree    distances\n"
        "   0:      1024       1000      10,20\n"
        "   1:      1024       1000      20,10\n",
        "s.txt", hs, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_RANGE(hs, 0, 0, 0, GiB);
    CHECK_RANGE(hs, 1, 0, GiB, 2 * GiB);
    CHECK_EQ(hs->nr_cpus, 2);                 /* cpu 1 offline: dense */
    CHECK_EQ(hs->cpu[1].node, 1);
    CHECK_STR(hs->name, "s");
    hostspec_free(hs);
}

struct bad_xl {
    const char *text;
    const char *want;
};

#define TOPO "cpu_topology           :\ncpu:    core    socket     node\n"
#define NUMA "numa_info              :\n" \
             "node:    memsize    memfree    distances\n"

static const struct bad_xl bad_xl[] = {
    { "total_memory : 1024\n" NUMA "   0:  abc  10  10\n",
      "x.txt:4: memsize \"abc\" is not a number of MiB" },
    { NUMA "   0:  1024  10\n", "x.txt:3: numa_info row has 3 fields" },
    { NUMA "   0:  1024  10  10,20\n   1:  1024  10  20,10,30\n",
      "x.txt:4: node 1 has 3 distances but there are 2 nodes" },
    { NUMA "   0:  1024  10  10,20\n   1:  1024  10  20\n",
      "x.txt:4: node 1 has 1 distance but there are 2 nodes" },
    { NUMA "   1:  1024  10  10\n",
      "x.txt:3: node 1 where node 0 was expected" },
    { NUMA "   0:  1024  10  10,x\n", "x.txt:3: distance \"x\"" },
    { "numa_info : \n", "x.txt:1: the text ends before the table header" },
    { "numa_info : \nnode: size free dist\n",
      "x.txt:2: expected the numa_info header" },
    { "cpu_topology : x\n", "x.txt:1: cpu_topology: expected nothing" },
    { TOPO "  0:  0  0\n", "x.txt:3: cpu_topology row has 3 fields" },
    { TOPO "  1:  0  0  0\n  0:  1  0  0\n", "x.txt:4: cpu 0 after cpu 1" },
    { "total_memory : 1024\n" TOPO "  0:  0  0  1\n",
      "x.txt:4: node 1 is not in numa_info (1 node)" },
    { "nr_cpus : 4\ntotal_memory : 1024\n" TOPO "  0:  0  0  0\n",
      "x.txt:1: nr_cpus is 4 but cpu_topology lists 1 CPUs" },
    { "nr_nodes : 2\ntotal_memory : 1024\nnr_cpus : 1\n",
      "x.txt:1: nr_nodes is 2 but there is no numa_info table" },
    { "nr_nodes : 3\n" NUMA "   0:  1024  10  10\nnr_cpus : 1\n",
      "x.txt:1: nr_nodes is 3 but numa_info lists 1 nodes" },
    { "nr_cpus : 6\ncores_per_socket : 4\ntotal_memory : 1024\n",
      "x.txt:1: nr_cpus 6 is not a multiple of cores_per_socket 4" },
    { "total_memory : lots\n", "x.txt:1: total_memory: \"lots\"" },
    { "total_memory : 1\ntotal_memory : 2\n",
      "x.txt:2: total_memory given twice (first on line 1)" },
    { "cpu_mhz : 2.4GHz\n", "x.txt:1: cpu_mhz: \"2.4GHz\"" },
    { "total_memory : 1024\nnr_cpus : 1\n"
      "xen_commandline : console=vga bootscrub_chunk=12X\n",
      "x.txt:3: xen_commandline: bootscrub_chunk: \"12X\" is not a size" },
    { "total_memory : 1024\nhello world\n",
      "x.txt:2: \"hello world\" is not a \"key : value\" line" },
    { "host : h\n", "x.txt: no numa_info table and no total_memory" },
    { "total_memory : 1024\n", "x.txt: no cpu_topology table and no nr_cpus" },
    { NUMA "nr_cpus : 1\n", "x.txt:1: numa_info table has no rows" },
    { "total_memory : 1024\n" TOPO "nr_cpus : 1\n",
      "x.txt:2: cpu_topology table has no rows" },
    { "total_memory : 1024\nnr_cpus : 1\n" NUMA "   0:  1024  10  10\n"
      "numa_info : \n", "x.txt:6: a second numa_info table (first on line 3)" },
    /* Parsed fine, then fails validation: still names the file. */
    { NUMA "   0:  1024  10  12\nnr_cpus : 1\n",
      "x.txt: distances[0][0]: 12" },
    { NUMA "   0:  32000000  10  10\nnr_cpus : 1\n",
      "x.txt: nodes[0].ranges[1]: " },
};

TEST(hostspec_xlinfo_errors_name_the_line)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    for ( unsigned int i = 0; i < sizeof(bad_xl) / sizeof(bad_xl[0]); i++ )
    {
        err[0] = '\0';
        if ( hostspec_load_xlinfo_string(bad_xl[i].text, "x.txt", hs, err,
                                         sizeof(err)) != -1 )
        {
            test_fail_at(__FILE__, __LINE__, "case %u loaded", i);
            continue;
        }
        if ( strncmp(err, bad_xl[i].want, strlen(bad_xl[i].want)) )
            test_fail_at(__FILE__, __LINE__, "case %u: \"%s\" does not "
                         "start with \"%s\"", i, err, bad_xl[i].want);
        CHECK_ONE_LINE(err);
    }
    CHECK_EQ(hostspec_load_xlinfo("/nonexistent.txt", hs, err, sizeof(err)),
             -1);
    CHECK_CONTAINS(err, "/nonexistent.txt: cannot open");
    hostspec_free(hs);
}
