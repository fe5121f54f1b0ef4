/*
 * src/hostspec/presets.c - the built-in hosts.
 *
 * Each preset is a row of numbers, expanded by the same code that expands
 * `xl info` text and /sys (synth.c): RAM is laid out from address 0 in node
 * order, skipping the MMIO hole [hole_start, 4 GiB), as firmware does on
 * x86 (node 0 gets [0, hole_start) + [4 GiB, ...), later nodes follow
 * contiguously).  CPUs are sockets x cores x threads, numbered socket-major
 * with hyperthread siblings adjacent.
 */
#include <stdio.h>
#include <string.h>

#include "hostspec/internal.h"

#define MiB HOSTSPEC_MIB
#define GiB HOSTSPEC_GIB
#define TiB HOSTSPEC_TIB

/*
 * AMD Opteron 6272 (Interlagos), 4 sockets x 2 dies: the 8-node SLIT used
 * by xapi's NUMA placement tests, ocaml/xenopsd/test/test_topology.ml
 * (make_numa_amd) in xapi-project/xen-api.  Nodes 2k and 2k+1 are the two
 * dies of socket k.
 */
static const uint32_t hostspec_opteron_6272_slit[8][8] = {
    { 10, 16, 16, 22, 16, 22, 16, 22 },
    { 16, 10, 22, 16, 16, 22, 22, 16 },
    { 16, 22, 10, 16, 16, 16, 16, 16 },
    { 22, 16, 16, 10, 16, 16, 22, 22 },
    { 16, 16, 16, 16, 10, 16, 16, 22 },
    { 22, 22, 16, 16, 16, 10, 22, 16 },
    { 16, 22, 16, 22, 16, 22, 10, 16 },
    { 22, 16, 16, 22, 22, 16, 16, 10 },
};

struct hostspec_preset_def {
    struct hostspec_preset_info info;
    unsigned int nr_nodes;
    uint64_t node_ram;          /* RAM bytes of every node ... */
    uint64_t node0_ram;         /* ... but node 0 when non-zero */
    uint64_t hole_start;        /* MMIO hole [hole_start, 4 GiB) */
    unsigned int sockets, cores_per_socket, threads_per_core;
    uint32_t remote;            /* uniform remote distance ... */
    const uint32_t (*slit)[8];  /* ... or this 8x8 matrix */
    uint32_t cpu_khz;
};

static const struct hostspec_preset_def hostspec_presets[] = {
    {
        .info = { "tiny", "1 node, 256 MiB at [0,256M), 1 socket x 2 cores: "
                          "fast tests" },
        .nr_nodes = 1, .node_ram = 256 * MiB, .hole_start = 3 * GiB,
        .sockets = 1, .cores_per_socket = 2, .threads_per_core = 1,
        .remote = HOSTSPEC_DIST_REMOTE, .cpu_khz = 2000000,
    },
    {
        .info = { "laptop", "1 node, 4 GiB at [0,3G) + [4G,5G), 1 socket x "
                            "4 cores x 2 threads" },
        .nr_nodes = 1, .node_ram = 4 * GiB, .hole_start = 3 * GiB,
        .sockets = 1, .cores_per_socket = 4, .threads_per_core = 2,
        .remote = HOSTSPEC_DIST_REMOTE, .cpu_khz = 2400000,
    },
    {
        .info = { "small-2n", "2 nodes x 2 GiB: node 0 [0,2G), node 1 "
                              "[4G,6G), 2 sockets x 2 cores, distances "
                              "10/20" },
        .nr_nodes = 2, .node_ram = 2 * GiB, .hole_start = 2 * GiB,
        .sockets = 2, .cores_per_socket = 2, .threads_per_core = 1,
        .remote = HOSTSPEC_DIST_REMOTE, .cpu_khz = 2000000,
    },
    {
        .info = { HOSTSPEC_DEFAULT_PRESET,
                  "2 sockets x 256 GiB = 512 GiB, MMIO hole [2G,4G), "
                  "2 x 16 cores x 2 threads, distances 10/21" },
        .nr_nodes = 2, .node_ram = 256 * GiB, .hole_start = 2 * GiB,
        .sockets = 2, .cores_per_socket = 16, .threads_per_core = 2,
        .remote = 21, .cpu_khz = 2100000,
    },
    {
        .info = { "opteron-6272", "AMD Opteron 6272: 4 sockets x 2 dies = "
                                  "8 nodes x 16 GiB, 8 cores per node, SLIT "
                                  "from xenopsd's test_topology.ml" },
        .nr_nodes = 8, .node_ram = 16 * GiB, .hole_start = 3 * GiB,
        .sockets = 4, .cores_per_socket = 16, .threads_per_core = 1,
        .slit = hostspec_opteron_6272_slit, .cpu_khz = 2100000,
    },
    {
        .info = { "xs-12t", "12 TiB, the most Xen security-supports: "
                            "4 sockets x 3 TiB, hole [2G,4G), 4 x 28 cores "
                            "x 2 threads, distances 10/21" },
        .nr_nodes = 4, .node_ram = 3 * TiB, .hole_start = 2 * GiB,
        .sockets = 4, .cores_per_socket = 28, .threads_per_core = 2,
        .remote = 21, .cpu_khz = 2700000,
    },
    {
        .info = { "16t", "16 TiB of address space, xenmm's limit: 8 nodes x "
                         "2 TiB, node 0 loses the [2G,4G) hole, last RAM "
                         "byte at 16T-1" },
        .nr_nodes = 8, .node_ram = 2 * TiB, .node0_ram = 2 * TiB - 2 * GiB,
        .hole_start = 2 * GiB,
        .sockets = 8, .cores_per_socket = 24, .threads_per_core = 2,
        .remote = 21, .cpu_khz = 2500000,
    },
};

#define NR_PRESETS (sizeof(hostspec_presets) / sizeof(hostspec_presets[0]))

unsigned int hostspec_nr_presets(void)
{
    return NR_PRESETS;
}

const struct hostspec_preset_info *hostspec_preset(unsigned int i)
{
    return i < NR_PRESETS ? &hostspec_presets[i].info : NULL;
}

void hostspec_preset_names(char *buf, size_t len)
{
    size_t off = 0;

    if ( !len )
        return;
    buf[0] = '\0';
    for ( unsigned int i = 0; i < NR_PRESETS && off < len; i++ )
        off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
                        hostspec_presets[i].info.name);
}

static int hostspec_expand_preset(const struct hostspec_preset_def *p,
                                  struct hostspec *hs, char *err,
                                  size_t errlen)
{
    uint64_t ram[HOSTSPEC_MAX_NODES];
    char origin[96];

    hostspec_reset(hs);
    snprintf(hs->name, sizeof(hs->name), "%s", p->info.name);
    snprintf(hs->description, sizeof(hs->description), "%s",
             p->info.description);
    for ( unsigned int i = 0; i < p->nr_nodes; i++ )
        ram[i] = i == 0 && p->node0_ram ? p->node0_ram : p->node_ram;
    snprintf(origin, sizeof(origin), "preset %s", p->info.name);
    if ( hostspec_synth_ranges(hs, ram, p->nr_nodes, false, p->hole_start,
                               err, errlen) ||
         hostspec_place_cpus(hs, p->sockets, p->cores_per_socket,
                             p->threads_per_core, err, errlen) )
        return hostspec_err_prefix(err, errlen, origin);
    hostspec_uniform_distances(hs, p->remote);
    if ( p->slit )
        for ( unsigned int i = 0; i < 8; i++ )
            for ( unsigned int j = 0; j < 8; j++ )
                hs->distance[i][j] = p->slit[i][j];
    hs->cpu_khz = p->cpu_khz;
    return hostspec_validate_as(hs, origin, err, errlen);
}

int hostspec_load_preset(const char *name, struct hostspec *hs, char *err,
                         size_t errlen)
{
    char names[256];

    for ( unsigned int i = 0; i < NR_PRESETS; i++ )
        if ( !strcmp(hostspec_presets[i].info.name, name) )
            return hostspec_expand_preset(&hostspec_presets[i], hs, err,
                                          errlen);
    hostspec_preset_names(names, sizeof(names));
    return hostspec_err(err, errlen, "no preset \"%s\" (presets: %s)", name,
                        names);
}
