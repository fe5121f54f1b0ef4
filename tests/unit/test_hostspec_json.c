/*
 * tests/unit/test_hostspec_json.c - the JSON host file loader: the example
 * files under tests/hostmaps/, and one bad file per error, each message
 * checked for the file name and the JSON path of the field at fault.
 */
#include <stdlib.h>

#include "hostspec_test.h"

static char err[512];

TEST(hostspec_json_example)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    CHECK_EQ(hostspec_load_json(hostmap("example.json"), hs, err,
                                sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_STR(hs->name, "r740-lab");
    CHECK_CONTAINS(hs->description, "R740");
    CHECK_EQ(hs->cpu_khz, 2100000);
    CHECK_EQ(hs->nr_nodes, 2);
    CHECK_EQ(hs->node[0].nr_ranges, 2);
    CHECK_RANGE(hs, 0, 0, 0, 2 * GiB);
    CHECK_RANGE(hs, 0, 1, 4 * GiB, 98 * GiB);
    CHECK_RANGE(hs, 1, 0, 98 * GiB, 194 * GiB);
    CHECK_EQ(hostspec_total_ram_bytes(hs), 192 * GiB);
    CHECK_EQ(hs->nr_cpus, 64);
    CHECK_EQ(hs->cpu[33].socket, 1);
    CHECK_EQ(hs->cpu[33].node, 1);
    CHECK_EQ(hs->cpu[33].core, 0);
    CHECK_EQ(hs->distance[0][1], 21);
    CHECK_EQ(hs->xen.bootscrub, BOOTSCRUB_IDLE);
    CHECK_EQ(hs->xen.bootscrub_chunk, 64 * MiB);
    CHECK(hs->xen.scrub_domheap);
    CHECK_EQ(hs->xen.directmap_size, 5 * TiB);
    CHECK_EQ(hs->xen.scrub_threads, 2);
    /* The dispatcher sniffs it as JSON; "json:" forces it. */
    CHECK_EQ(hostspec_load(hostmap("example.json"), hs, err, sizeof(err)), 0);
    CHECK_STR(hs->name, "r740-lab");
    {
        char spec[600];

        snprintf(spec, sizeof(spec), "json:%s", hostmap("example.json"));
        CHECK_EQ(hostspec_load(spec, hs, err, sizeof(err)), 0);
        CHECK_EQ(hs->nr_cpus, 64);
    }
    hostspec_free(hs);
}

TEST(hostspec_json_memory_form)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    CHECK_EQ(hostspec_load_json(hostmap("four-node-memory.json"), hs, err,
                                sizeof(err)), 0);
    /* No "name": the file name. */
    CHECK_STR(hs->name, "four-node-memory");
    CHECK_EQ(hs->nr_nodes, 4);
    CHECK_RANGE(hs, 0, 0, 0, 2 * GiB);
    CHECK_RANGE(hs, 0, 1, 4 * GiB, 18 * GiB);
    CHECK_RANGE(hs, 1, 0, 18 * GiB, 34 * GiB);
    CHECK_RANGE(hs, 3, 0, 50 * GiB, 66 * GiB);
    CHECK_EQ(hostspec_total_ram_bytes(hs), 64 * GiB);
    /* 2 sockets on 4 nodes: 2 nodes per socket, 4 cores each. */
    CHECK_EQ(hs->nr_cpus, 16);
    CHECK_EQ(hs->cpu[3].node, 0);
    CHECK_EQ(hs->cpu[4].node, 1);
    CHECK_EQ(hs->cpu[8].node, 2);
    CHECK_EQ(hs->cpu[8].socket, 1);
    CHECK_EQ(hs->distance[2][3], 16);
    CHECK_EQ(hs->distance[0][3], 32);
    hostspec_free(hs);
}

TEST(hostspec_json_cpu_list_and_memless_node)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    CHECK_EQ(hostspec_load_json(hostmap("cpu-only-node.json"), hs, err,
                                sizeof(err)), 0);
    CHECK_EQ(hs->nr_nodes, 3);
    CHECK_EQ(hs->node[2].nr_ranges, 0);
    CHECK_EQ(hostspec_node_ram_bytes(hs, 2), 0);
    CHECK_EQ(hs->nr_cpus, 6);
    CHECK_EQ(hs->cpu[5].node, 2);
    CHECK_EQ(hs->cpu[5].socket, 2);
    CHECK_EQ(hs->cpu[5].core, 1);
    CHECK_EQ(hs->distance[0][2], 31);
    CHECK_EQ(hs->xen.bootscrub, BOOTSCRUB_OFF);
    CHECK_EQ(hs->xen.scrub_threads, 0);
    hostspec_free(hs);
}

TEST(hostspec_json_defaults_and_values)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    CHECK_EQ(hostspec_load_json_string(
        "{\"nodes\": [{\"memory\": 1073741824}, {\"memory\": \"0x40000000\"}],"
        " \"mmio_hole\": 0,"
        " \"cpus\": {\"sockets\": 2, \"cores_per_socket\": 1},"
        " \"xen\": {\"bootscrub_chunk\": 65536, \"scrub-domheap\": true,"
        "           \"bootscrub\": false, \"dma_bits\": 32}}",
        "dir/mini.json", hs, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_STR(hs->name, "mini");
    CHECK_RANGE(hs, 0, 0, 0, GiB);
    CHECK_RANGE(hs, 1, 0, GiB, 2 * GiB);
    CHECK_EQ(hs->distance[0][1], 20);          /* default remote */
    CHECK_EQ(hs->distance[1][1], 10);
    CHECK_EQ(hs->xen.bootscrub_chunk, 65536);  /* a JSON number is bytes */
    CHECK(hs->xen.scrub_domheap);
    CHECK_EQ(hs->xen.bootscrub, BOOTSCRUB_OFF);
    CHECK_EQ(hs->xen.dma_bits, 32);
    CHECK_EQ(hs->xen.directmap_size, 5 * TiB); /* untouched default */

    /* "unreachable" and sizes with every suffix. */
    CHECK_EQ(hostspec_load_json_string(
        "{\"nodes\": [{\"ranges\": [{\"start\": \"4096\", \"end\": \"1M\"},"
        "                          {\"start\": \"1MiB\", \"end\": \"2GB\"}]},"
        "            {\"ranges\": [{\"start\": \"4G\","
        "                          \"end\": \"0x1c0000000\"}]}],"
        " \"cpus\": {\"sockets\": 1, \"cores_per_socket\": 2},"
        " \"distances\": [[10, \"unreachable\"], [4294967295, 10]]}",
        "u.json", hs, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_RANGE(hs, 0, 0, 4096, MiB);
    CHECK_RANGE(hs, 0, 1, MiB, 2 * GiB);
    CHECK_RANGE(hs, 1, 0, 4 * GiB, 7 * GiB);
    CHECK_EQ(hs->distance[0][1], HOSTSPEC_DISTANCE_UNREACHABLE);
    CHECK_EQ(hs->distance[1][0], HOSTSPEC_DISTANCE_UNREACHABLE);
    /* 1 socket, 2 nodes: a node per core. */
    CHECK_EQ(hs->cpu[1].node, 1);
    hostspec_free(hs);
}

struct bad_json {
    const char *text;
    const char *want;         /* the message, after "bad.json: " */
};

#define NODES1 "\"nodes\": [{\"ranges\": [{\"start\": 0, \"end\": \"2G\"}]}]"
#define CPUS1  "\"cpus\": {\"sockets\": 1, \"cores_per_socket\": 2}"

static const struct bad_json bad_json[] = {
    { "{" NODES1 ", " CPUS1 ", }", "bad.json:1:" },
    { "{" NODES1 ", " CPUS1 ", \"cpus\": 1}", "bad.json:1:" },  /* dup key */
    { "", "bad.json:1:" },
    { "[1, 2]", "bad.json: the top level must be an object" },
    { "{" NODES1 ", " CPUS1 ", \"node\": []}",
      "bad.json: node: unknown key (expected name, description" },
    { "{\"nodes\": [{\"rangez\": []}], " CPUS1 "}",
      "bad.json: nodes[0].rangez: unknown key (expected ranges, memory" },
    { "{" CPUS1 "}", "bad.json: nodes: missing" },
    { "{" NODES1 "}", "bad.json: cpus: missing" },
    { "{\"nodes\": [], " CPUS1 "}", "bad.json: nodes: 0 entries" },
    { "{\"nodes\": {}, " CPUS1 "}", "bad.json: nodes: an object is not an "
                                    "array" },
    { "{\"nodes\": [{}], " CPUS1 "}",
      "bad.json: nodes[0]: needs exactly one of \"ranges\" and \"memory\"" },
    { "{\"nodes\": [{\"ranges\": [{\"start\": 0, \"end\": \"2G\"}]}, "
      "{\"ranges\": [{\"start\": \"2G\", \"end\": \"4X\"}]}], " CPUS1 "}",
      "bad.json: nodes[1].ranges[0].end: \"4X\" is not a size" },
    { "{\"nodes\": [{\"ranges\": [{\"start\": -4096, \"end\": \"2G\"}]}], "
      CPUS1 "}", "bad.json: nodes[0].ranges[0].start: -4096 is not a size" },
    { "{\"nodes\": [{\"ranges\": [{\"start\": 0}]}], " CPUS1 "}",
      "bad.json: nodes[0].ranges[0]: \"end\" missing" },
    { "{\"nodes\": [{\"ranges\": [{\"start\": 0, \"end\": \"2G\", "
      "\"size\": 1}]}], " CPUS1 "}",
      "bad.json: nodes[0].ranges[0].size: unknown key" },
    { "{\"nodes\": [{\"memory\": \"1G\"}, {\"ranges\": []}], " CPUS1 "}",
      "bad.json: nodes[1]: uses \"ranges\" but nodes[0] uses \"memory\"" },
    { "{\"nodes\": [{\"memory\": \"1000\"}], " CPUS1 "}",
      "bad.json: nodes[0].memory: 1000 bytes is not a multiple of 4 KiB" },
    { "{" NODES1 ", \"mmio_hole\": \"1G\", " CPUS1 "}",
      "bad.json: mmio_hole: only goes with \"memory\" nodes" },
    { "{\"nodes\": [{\"memory\": \"1G\"}], \"mmio_hole\": \"5G\", " CPUS1 "}",
      "bad.json: mmio_hole: 5368709120 bytes" },
    { "{\"nodes\": [{\"ranges\": [{\"start\": 0, \"end\": \"2G\"}]}, "
      "{\"ranges\": [{\"start\": \"1G\", \"end\": \"3G\"}]}], " CPUS1 "}",
      "bad.json: nodes[1].ranges[0]: [0x40000000, 0xc0000000) overlaps "
      "nodes[0].ranges[0]" },
    { "{\"nodes\": [{\"ranges\": [{\"start\": \"15T\", \"end\": \"17T\"}]}], "
      CPUS1 "}", "bad.json: nodes[0].ranges[0]: [0xf0000000000, "
      "0x110000000000) ends past 16 TiB" },
    { "{\"nodes\": [{\"ranges\": [{\"start\": 0, \"end\": 1000}]}], " CPUS1 "}",
      "bad.json: nodes[0].ranges[0]: [0, 0x3e8) is not page-aligned" },
    { "{\"nodes\": [{\"ranges\": []}], " CPUS1 "}",
      "bad.json: nodes: the host has no RAM" },
    { "{" NODES1 ", \"cpus\": {\"sockets\": \"two\", "
      "\"cores_per_socket\": 2}}",
      "bad.json: cpus.sockets: \"two\" is not an integer from 1 to 4096" },
    { "{" NODES1 ", \"cpus\": {\"sockets\": 1, \"cores_per_socket\": 2, "
      "\"thread_per_core\": 2}}",
      "bad.json: cpus.thread_per_core: unknown key" },
    { "{" NODES1 ", \"cpus\": {\"sockets\": 1}}",
      "bad.json: cpus: \"cores_per_socket\" missing" },
    { "{" NODES1 ", \"cpus\": {\"sockets\": 64, \"cores_per_socket\": 64, "
      "\"threads_per_core\": 2}}",
      "bad.json: cpus: 64 x 64 x 2 = 8192 CPUs" },
    { "{\"nodes\": [{\"memory\": \"1G\"}, {\"memory\": \"1G\"}], "
      "\"cpus\": {\"sockets\": 3, \"cores_per_socket\": 2}}",
      "bad.json: cpus: 3 sockets do not divide evenly among 2 nodes" },
    { "{" NODES1 ", \"cpus\": [{\"core\": 0, \"socket\": 0, \"node\": 0}, "
      "{\"core\": 1, \"socket\": 0, \"node\": 5}]}",
      "bad.json: cpus[1].node: node 5 does not exist" },
    { "{" NODES1 ", \"cpus\": [{\"core\": 0, \"socket\": 0}]}",
      "bad.json: cpus[0]: \"node\" missing" },
    { "{" NODES1 ", \"cpus\": [{\"core\": 0.5, \"socket\": 0, \"node\": 0}]}",
      "bad.json: cpus[0].core: 0.5 is not an integer" },
    { "{" NODES1 ", \"cpus\": []}", "bad.json: cpus: 0 entries" },
    { "{" NODES1 ", " CPUS1 ", \"distances\": [[10, 20]]}",
      "bad.json: distances[0]: 2 entries; expected 1 to 1" },
    { "{\"nodes\": [{\"memory\": \"1G\"}, {\"memory\": \"1G\"}], " CPUS1 ", "
      "\"distances\": [[10, 20], [20]]}",
      "bad.json: distances[1]: 1 entries; expected 2 to 2" },
    { "{\"nodes\": [{\"memory\": \"1G\"}, {\"memory\": \"1G\"}], " CPUS1 ", "
      "\"distances\": [[10, 20], [20, 12]]}",
      "bad.json: distances[1][1]: 12; a node's distance to itself must "
      "be 10" },
    { "{\"nodes\": [{\"memory\": \"1G\"}, {\"memory\": \"1G\"}], " CPUS1 ", "
      "\"distances\": [[10, 20], [\"far\", 10]]}",
      "bad.json: distances[1][0]: \"far\" is not an integer" },
    { "{" NODES1 ", " CPUS1 ", \"xen\": {\"frob\": 1}}",
      "bad.json: xen.frob: unknown Xen option" },
    { "{" NODES1 ", " CPUS1 ", \"xen\": {\"bootscrub_chunk\": \"12X\"}}",
      "bad.json: xen.bootscrub_chunk: \"12X\" is not a size" },
    { "{" NODES1 ", " CPUS1 ", \"xen\": {\"heap\": [1]}}",
      "bad.json: xen.heap: an array is not a string" },
    { "{" NODES1 ", " CPUS1 ", \"xen\": {\"scrub_threads\": 3}}",
      "bad.json: xen.scrub_threads: 3, but the host has 2 CPUs" },
    { "{" NODES1 ", " CPUS1 ", \"xen\": []}",
      "bad.json: xen: an array is not an object" },
    { "{" NODES1 ", " CPUS1 ", \"cpu_khz\": \"fast\"}",
      "bad.json: cpu_khz: \"fast\" is not an integer" },
    { "{" NODES1 ", " CPUS1 ", \"name\": 7}",
      "bad.json: name: 7 is not a string" },
    { "{" NODES1 ", " CPUS1 ", \"name\": \"0123456789012345678901234567890"
      "123456789012345678901234567890123\"}",
      "bad.json: name: longer than 63 characters" },
};

TEST(hostspec_json_errors_name_file_and_field)
{
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    for ( unsigned int i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]);
          i++ )
    {
        const struct bad_json *b = &bad_json[i];

        err[0] = '\0';
        if ( hostspec_load_json_string(b->text, "bad.json", hs, err,
                                       sizeof(err)) != -1 )
        {
            test_fail_at(__FILE__, __LINE__, "case %u loaded: %s", i,
                         b->text);
            continue;
        }
        if ( strncmp(err, b->want, strlen(b->want)) )
            test_fail_at(__FILE__, __LINE__, "case %u: \"%s\" does not "
                         "start with \"%s\"", i, err, b->want);
        CHECK_ONE_LINE(err);
    }
    hostspec_free(hs);
}

TEST(hostspec_json_bad_files)
{
    static const struct {
        const char *file, *field;
    } cases[] = {
        { "bad/bad-size.json", "nodes[1].ranges[0].end: \"4X\" is not a size" },
        { "bad/bad-syntax.json", ":4:3: unexpected token" },
        { "bad/bad-overlap.json", "nodes[1].ranges[0]: " },
        { "bad/bad-key.json", "cpus.thread_per_core: unknown key" },
    };
    struct hostspec *hs = hostspec_alloc();

    REQUIRE(hs);
    for ( unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++ )
    {
        const char *path = hostmap(cases[i].file);

        err[0] = '\0';
        CHECK_EQ(hostspec_load(path, hs, err, sizeof(err)), -1);
        CHECK(!strncmp(err, path, strlen(path)));
        CHECK_CONTAINS(err, cases[i].field);
        CHECK_ONE_LINE(err);
    }
    CHECK_EQ(hostspec_load_json("/nonexistent.json", hs, err, sizeof(err)),
             -1);
    CHECK_CONTAINS(err, "/nonexistent.json: cannot open");
    CHECK_EQ(hostspec_load_json(hostmap("bad"), hs, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "is a directory");
    hostspec_free(hs);
}
