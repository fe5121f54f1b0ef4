/*
 * tests/unit/test_hostspec_local.c - hostspec_load_local() on fake sysfs
 * trees built in a temporary directory, and on this machine.
 */
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostspec_test.h"

static char err[512];

/* Write root/rel, creating directories on the way. */
static void put(const char *root, const char *rel, const char *text)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for ( char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++ )
    {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    f = fopen(path, "w");
    REQUIRE(f);
    fputs(text, f);
    fclose(f);
}

static char *make_root(void)
{
    const char *tmp = getenv("TMPDIR");
    char *root = malloc(512);

    REQUIRE(root);
    snprintf(root, 512, "%s/xenmm-sysfs-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    REQUIRE(mkdtemp(root));
    return root;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void drop_root(char *root)
{
    nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(root);
}

static void put_cpu(const char *root, unsigned int cpu, int core, int socket)
{
    char rel[128], v[32];

    snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%u/topology/core_id",
             cpu);
    snprintf(v, sizeof(v), "%d\n", core);
    put(root, rel, v);
    snprintf(rel, sizeof(rel),
             "sys/devices/system/cpu/cpu%u/topology/physical_package_id", cpu);
    snprintf(v, sizeof(v), "%d\n", socket);
    put(root, rel, v);
}

/* Two nodes, CPUs 0-5 interleaved, CPU 6 offline, plus distractions. */
static char *two_node_tree(void)
{
    char *root = make_root();

    put(root, "sys/devices/system/node/node0/meminfo",
        "Node 0 MemTotal:        4194304 kB\n"
        "Node 0 MemFree:         3906532 kB\n");
    put(root, "sys/devices/system/node/node0/distance", "10 21\n");
    put(root, "sys/devices/system/node/node0/cpulist", "0-1,4\n");
    put(root, "sys/devices/system/node/node1/meminfo",
        "Node 1 MemTotal:        2098176 kB\n");
    put(root, "sys/devices/system/node/node1/distance", "21 10\n");
    put(root, "sys/devices/system/node/node1/cpulist", "2-3,5\n");
    put(root, "sys/devices/system/node/online", "0-1\n");
    put(root, "sys/devices/system/node/possible", "0-1\n");
    for ( unsigned int c = 0; c < 6; c++ )
        put_cpu(root, c, c % 2, c < 2 || c == 4 ? 0 : 1);
    put(root, "sys/devices/system/cpu/cpu6/online", "0\n");
    put(root, "sys/devices/system/cpu/cpu1/online", "1\n");
    put(root, "sys/devices/system/cpu/cpufreq/boost", "1\n");
    put(root, "sys/devices/system/cpu/online", "0-5\n");
    put(root, "proc/cpuinfo", "processor\t: 0\nmodel name\t: Fake\n"
                              "cpu MHz\t\t: 2394.454\n");
    put(root, "proc/sys/kernel/hostname", "fakehost\n");
    return root;
}

TEST(hostspec_local_two_nodes)
{
    struct hostspec *hs = hostspec_alloc();
    char *root = two_node_tree();

    REQUIRE(hs);
    CHECK_EQ(hostspec_load_local(root, hs, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_STR(hs->name, "fakehost");
    CHECK_EQ(hs->cpu_khz, 2394454);
    CHECK_EQ(hs->nr_nodes, 2);
    /* 4 GiB on node 0 around the [3G,4G) hole; node 1's 2049 MiB after. */
    CHECK_RANGE(hs, 0, 0, 0, 3 * GiB);
    CHECK_RANGE(hs, 0, 1, 4 * GiB, 5 * GiB);
    CHECK_RANGE(hs, 1, 0, 5 * GiB, 5 * GiB + 2049 * MiB);
    CHECK_EQ(hs->distance[0][1], 21);
    CHECK_EQ(hs->distance[1][0], 21);
    CHECK_EQ(hs->nr_cpus, 6);
    CHECK_EQ(hs->cpu[0].node, 0);
    CHECK_EQ(hs->cpu[2].node, 1);
    CHECK_EQ(hs->cpu[4].node, 0);
    CHECK_EQ(hs->cpu[5].node, 1);
    CHECK_EQ(hs->cpu[5].socket, 1);
    CHECK_EQ(hs->cpu[5].core, 1);
    /* Through the dispatcher. */
    {
        char spec[600];

        snprintf(spec, sizeof(spec), "local:%s", root);
        CHECK_EQ(hostspec_load(spec, hs, err, sizeof(err)), 0);
        CHECK_EQ(hs->nr_cpus, 6);
    }
    drop_root(root);
    hostspec_free(hs);
}

TEST(hostspec_local_sparse_nodes_and_no_topology)
{
    struct hostspec *hs = hostspec_alloc();
    char *root = make_root();

    REQUIRE(hs);
    /* node0 and node2 only: dense nodes 0 and 1.  No distance files. */
    put(root, "sys/devices/system/node/node0/meminfo",
        "Node 0 MemTotal: 1048576 kB\n");
    put(root, "sys/devices/system/node/node0/cpulist", "0\n");
    put(root, "sys/devices/system/node/node2/meminfo",
        "Node 2 MemTotal: 0 kB\n");
    put(root, "sys/devices/system/node/node2/cpulist", "1\n");
    /* CPUs without topology directories (as in some containers). */
    put(root, "sys/devices/system/cpu/cpu0/uevent", "");
    put(root, "sys/devices/system/cpu/cpu1/uevent", "");
    CHECK_EQ(hostspec_load_local(root, hs, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_STR(hs->name, "local");
    CHECK_EQ(hs->nr_nodes, 2);
    CHECK_RANGE(hs, 0, 0, 0, GiB);
    CHECK_EQ(hs->node[1].nr_ranges, 0);      /* memory-less */
    CHECK_EQ(hs->distance[0][1], 20);
    CHECK_EQ(hs->nr_cpus, 2);
    CHECK_EQ(hs->cpu[1].node, 1);
    CHECK_EQ(hs->cpu[1].core, 1);
    CHECK_EQ(hs->cpu_khz, 0);
    drop_root(root);
    hostspec_free(hs);
}

TEST(hostspec_local_no_numa)
{
    struct hostspec *hs = hostspec_alloc();
    char *root = make_root();

    REQUIRE(hs);
    put(root, "proc/meminfo", "MemTotal:        1000000 kB\n"
                              "MemFree:          500000 kB\n");
    put_cpu(root, 0, 0, 0);
    put(root, "etc/hostname", "etc-name\n");
    CHECK_EQ(hostspec_load_local(root, hs, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_STR(hs->name, "etc-name");
    CHECK_EQ(hs->nr_nodes, 1);
    CHECK_EQ(hs->node[0].nr_ranges, 1);
    CHECK_RANGE(hs, 0, 0, 0, 976 * MiB);     /* whole MiB, rounded down */
    CHECK_EQ(hs->nr_cpus, 1);
    drop_root(root);
    hostspec_free(hs);
}

TEST(hostspec_local_errors)
{
    struct hostspec *hs = hostspec_alloc();
    char *root = two_node_tree();
    char want[600];

    REQUIRE(hs);
    put(root, "sys/devices/system/node/node1/distance", "21 10 30\n");
    CHECK_EQ(hostspec_load_local(root, hs, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s/sys/devices/system/node/node1/distance",
             root);
    CHECK_CONTAINS(err, want);
    CHECK_ONE_LINE(err);

    put(root, "sys/devices/system/node/node1/distance", "21 10\n");
    put(root, "sys/devices/system/node/node1/meminfo", "Node 1 MemFree: 1\n");
    CHECK_EQ(hostspec_load_local(root, hs, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s/sys/devices/system/node/node1/meminfo: "
             "no \"MemTotal: N kB\" line", root);
    CHECK_STR(err, want);

    put(root, "sys/devices/system/node/node1/meminfo",
        "Node 1 MemTotal: 1048576 kB\n");
    put(root, "sys/devices/system/node/node1/cpulist", "3-2\n");
    CHECK_EQ(hostspec_load_local(root, hs, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "node1/cpulist: \"3-2\" is not a CPU list");

    put(root, "sys/devices/system/node/node1/cpulist", "2-3,5\n");
    put(root, "sys/devices/system/node/node1/distance", "21 9\n");
    CHECK_EQ(hostspec_load_local(root, hs, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "local:%s: distances[1][1]: 9", root);
    CHECK(!strncmp(err, want, strlen(want)));
    drop_root(root);

    root = make_root();
    CHECK_EQ(hostspec_load_local(root, hs, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "proc/meminfo: cannot open");
    put(root, "proc/meminfo", "MemTotal: 1000000 kB\n");
    CHECK_EQ(hostspec_load_local(root, hs, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "sys/devices/system/cpu: cannot read");
    drop_root(root);
    hostspec_free(hs);
}

TEST(hostspec_local_this_machine)
{
    struct hostspec *hs = hostspec_alloc();
    struct stat st;

    REQUIRE(hs);
    if ( stat("/sys/devices/system/cpu", &st) )
    {
        printf("# no /sys here: skipped\n");
        hostspec_free(hs);
        return;
    }
    err[0] = '\0';
    CHECK_EQ(hostspec_load("local", hs, err, sizeof(err)), 0);
    if ( err[0] )
        printf("# %s\n", err);
    CHECK(hs->nr_nodes >= 1);
    CHECK(hs->nr_cpus >= 1);
    CHECK(hostspec_total_ram_bytes(hs) > 0);
    hostspec_free(hs);
}
