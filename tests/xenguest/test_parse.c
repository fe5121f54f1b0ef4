/*
 * test_parse.c - xenguest's string parsing (tools/xenguest/parse.c) and
 * hvm_info table (hvm_info.c) against XenServer's rules.
 */
#include <xenctrl.h>
#include <xen/hvm/hvm_info_table.h>

#include "harness/test.h"
#include "xenguest/pci.h"
#include "xenguest/xenguest.h"

TEST(xenguest_parse_value)
{
    bool valid;

    CHECK_EQ(xg_parse_value("true", &valid), 1);
    CHECK(valid);
    CHECK_EQ(xg_parse_value("TRUE", NULL), 1);
    CHECK_EQ(xg_parse_value("False", &valid), 0);
    CHECK(valid);
    CHECK_EQ(xg_parse_value("0x10", NULL), 16);
    CHECK_EQ(xg_parse_value("010", NULL), 8);      /* strtoull base 0 */
    CHECK_EQ(xg_parse_value("42junk", NULL), 42);
    CHECK_EQ(xg_parse_value("junk", &valid), 0);
    CHECK(valid);                                   /* no errno: "valid" */
    CHECK_EQ(xg_parse_value("99999999999999999999999", &valid), 0);
    CHECK(!valid);
    CHECK_EQ(xg_parse_value(NULL, &valid), 0);
    CHECK(!valid);
}

TEST(xenguest_hvmloader_value)
{
    bool rw;

    CHECK_EQ(xg_hvmloader_value("1", &rw), 1);
    CHECK(!rw);
    CHECK_EQ(xg_hvmloader_value("0", &rw), 0);
    CHECK(!rw);
    CHECK_EQ(xg_hvmloader_value("true", &rw), 1);
    CHECK(rw);
    CHECK_EQ(xg_hvmloader_value("TRUE", &rw), 1);
    CHECK_EQ(xg_hvmloader_value("5", &rw), 5);
    CHECK(rw);
    CHECK_EQ(xg_hvmloader_value("false", &rw), 0);  /* strtol: 0 */
    CHECK(rw);
    CHECK_EQ(xg_hvmloader_value("junk", &rw), 0);
    CHECK(rw);
}

TEST(xenguest_affinity_string)
{
    uint8_t map[4] = { 0 };

    xg_affinity_to_cpumap("0011", map, 32);
    CHECK_EQ(map[0], 0x0c);
    memset(map, 0, sizeof(map));
    xg_affinity_to_cpumap("1x1y00001", map, 32);   /* only '1' counts */
    CHECK_EQ(map[0], 0x05);
    CHECK_EQ(map[1], 0x01);
    memset(map, 0, sizeof(map));
    /* Characters past the map are ignored. */
    xg_affinity_to_cpumap("111111111111", map, 8);
    CHECK_EQ(map[0], 0xff);
    CHECK_EQ(map[1], 0);
    memset(map, 0, sizeof(map));
    xg_affinity_to_cpumap("", map, 32);
    CHECK_EQ(map[0], 0);
}

TEST(xenguest_featureset)
{
    uint32_t fs[4];
    char err[128];

    CHECK_EQ(xg_parse_featureset("1-2:fFfFfFfF", fs, 4, err, sizeof(err)), 0);
    CHECK_EQ(fs[0], 1);
    CHECK_EQ(fs[1], 2);
    CHECK_EQ(fs[2], 0xffffffff);
    CHECK_EQ(fs[3], 0);
    /* Longer than the host's: only zero words. */
    CHECK_EQ(xg_parse_featureset("1-2-3-4-0-0", fs, 4, err, sizeof(err)), 0);
    CHECK_EQ(xg_parse_featureset("1-2-3-4-5", fs, 4, err, sizeof(err)), -1);
    CHECK_CONTAINS(err, "truncated on this host");
    CHECK_EQ(xg_parse_featureset("1-xyz", fs, 4, err, sizeof(err)), -1);
    CHECK_STR(err, "Bad 'xyz' in featureset");
    CHECK_EQ(xg_parse_featureset("1 2", fs, 4, err, sizeof(err)), -1);
    CHECK_EQ(xg_parse_featureset("100000000", fs, 4, err, sizeof(err)), -1);
    CHECK_EQ(xg_parse_featureset("", fs, 4, err, sizeof(err)), 0);
    CHECK_EQ(fs[0], 0);
}

TEST(xenguest_sbdf)
{
    unsigned int s, b, d, f;

    CHECK_EQ(xg_parse_sbdf("0000:03:00.0", &s, &b, &d, &f), 0);
    CHECK_EQ(s, 0);
    CHECK_EQ(b, 3);
    CHECK_EQ(d, 0);
    CHECK_EQ(f, 0);
    CHECK_EQ(xg_parse_sbdf("0001:ff:1f.7", &s, &b, &d, &f), 0);
    CHECK_EQ(s, 1);
    CHECK_EQ(b, 0xff);
    CHECK_EQ(d, 0x1f);
    CHECK_EQ(f, 7);
    /* bus:dev.func means segment 0. */
    CHECK_EQ(xg_parse_sbdf("0a:01.1", &s, &b, &d, &f), 0);
    CHECK_EQ(s, 0);
    CHECK_EQ(b, 0xa);
    CHECK_EQ(d, 1);
    CHECK_EQ(f, 1);
    CHECK_EQ(xg_parse_sbdf("03:00", &s, &b, &d, &f), -1);
    CHECK_EQ(xg_parse_sbdf("junk", &s, &b, &d, &f), -1);
}

TEST(xenguest_sysfs_resource)
{
    const char *res =
        "0x00000000f0000000 0x00000000f0ffffff 0x0000000000040200\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x00000000e0000000 0x00000000efffffff 0x000000000014220c\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x000000000000e000 0x000000000000e07f 0x0000000000040101\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x00000000f1000000 0x00000000f107ffff 0x000000000004e200\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x00000000c0000000 0x00000000c0000fff 0x0000000000000200\n";
    uint64_t total;
    char err[64];

    /* BAR0 16 MiB, BAR2 256 MiB, BAR4 128 bytes (I/O counts too), ROM
     * 512 KiB; the lines after the 7th (bridge windows) do not count. */
    CHECK_EQ(xg_parse_resource(res, &total, err, sizeof(err)), 0);
    CHECK_EQ(total, (16ULL << 20) + (256ULL << 20) + 128 + (512ULL << 10));
    CHECK_EQ(xg_parse_resource("0x1000 0x1fff\n", &total, err, sizeof(err)),
             -1);
    CHECK_EQ(xg_parse_resource("", &total, err, sizeof(err)), 0);
    CHECK_EQ(total, 0);
}

TEST(xenguest_hvm_info_table)
{
    uint8_t page[64] = { 0 }, sum = 0;
    struct hvm_info_table *t = (void *)page;
    struct xg_flags f = { .apic = 1, .vcpus = 12, .vcpus_current = 10 };

    memcpy(t->signature, "HVM INFO", 8);
    t->length = sizeof(*t);
    t->low_mem_pgend = 0x40000;
    xg_init_info_table(t, &f);
    CHECK_EQ(t->apic_mode, 1);
    CHECK_EQ(t->nr_vcpus, 12);
    CHECK_EQ(t->vcpu_online[0], 0xff);
    CHECK_EQ(t->vcpu_online[1], 0x03);
    CHECK_EQ(t->vcpu_online[2], 0);
    CHECK_EQ(t->low_mem_pgend, 0x40000);
    for ( unsigned int i = 0; i < t->length; i++ )
        sum += page[i];
    CHECK_EQ(sum, 0);
    /* vcpu/current beyond the bitmap is capped. */
    f.vcpus_current = 1000;
    xg_init_info_table(t, &f);
    CHECK_EQ(t->vcpu_online[15], 0xff);
}
