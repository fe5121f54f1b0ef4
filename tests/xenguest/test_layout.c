/*
 * test_layout.c - xenguest's memory layouts (tools/xenguest/layout.c)
 * against XenServer's hvm_build_setup_mem and pvh_setup_mem/_e820
 * arithmetic, worked by hand (xen-toolstack.md §1.8, §1.10).
 */
#include "harness/test.h"
#include "xenguest/layout.h"

#define MB(x) XG_MB(x)
#define GB(x) XG_GB(x)

static struct xg_layout l;
static char err[128];

static int hvm(uint64_t max_mib, uint64_t bars, bool vgpu, bool mxgpu,
               const struct xg_rdm *rdm, unsigned int nr_rdm)
{
    struct xg_hvm_layout_in in = {
        .max_mib = max_mib, .mmio_total = MB(256) + bars, .vgpu = vgpu,
        .mxgpu = mxgpu, .rdm = rdm, .nr_rdm = nr_rdm,
    };

    err[0] = '\0';
    return xg_hvm_layout(&in, &l, err, sizeof(err));
}

#define CHECK_E820(i, a, s, t)                                            \
    do {                                                                  \
        CHECK_EQ(l.e820[i].addr, a);                                      \
        CHECK_EQ(l.e820[i].size, s);                                      \
        CHECK_EQ(l.e820[i].type, t);                                      \
    } while ( 0 )

/* The worked example: 4 GiB, no passthrough, no vGPU. */
TEST(xenguest_layout_4g)
{
    REQUIRE(hvm(4096, 0, false, false, NULL, 0) == 0);
    CHECK_EQ(l.mmio_size, MB(256));
    CHECK_EQ(l.mmio_start, 0xf0000000);
    CHECK_EQ(l.lowmem_end, 0xf0000000);
    CHECK_EQ(l.highmem_end, 0x110000000);
    CHECK_EQ(l.nr_e820, 2);
    CHECK_E820(0, MB(1), 0xf0000000 - MB(1), E820_RAM);
    CHECK_E820(1, GB(4), MB(256), E820_RAM);
    CHECK_EQ(l.vram_addr, 0);
}

TEST(xenguest_layout_small_guest_has_no_high_ram)
{
    REQUIRE(hvm(1024, 0, false, false, NULL, 0) == 0);
    CHECK_EQ(l.lowmem_end, GB(1));
    CHECK_EQ(l.highmem_end, GB(4));
    CHECK_EQ(l.nr_e820, 1);
    CHECK_E820(0, MB(1), GB(1) - MB(1), E820_RAM);
    /* Exactly up to the hole: still no high RAM. */
    REQUIRE(hvm(3840, 0, false, false, NULL, 0) == 0);
    CHECK_EQ(l.nr_e820, 1);
    CHECK_EQ(l.highmem_end, GB(4));
}

/* BARs double the hole until it covers 256 MiB + the BARs. */
TEST(xenguest_layout_passthrough_bars)
{
    REQUIRE(hvm(4096, MB(300), false, false, NULL, 0) == 0);
    CHECK_EQ(l.mmio_size, GB(1));           /* 556 MiB -> 1 GiB */
    CHECK_EQ(l.lowmem_end, GB(3));
    CHECK_EQ(l.highmem_end, GB(5));
    CHECK_E820(1, GB(4), GB(1), E820_RAM);
    REQUIRE(hvm(4096, MB(256), false, false, NULL, 0) == 0);
    CHECK_EQ(l.mmio_size, MB(512));         /* exactly 512: no doubling */
    REQUIRE(hvm(4096, MB(257), false, false, NULL, 0) == 0);
    CHECK_EQ(l.mmio_size, GB(1));
    /* The doubling stops at 2 GiB, whatever the BARs need. */
    REQUIRE(hvm(4096, GB(5), false, false, NULL, 0) == 0);
    CHECK_EQ(l.mmio_size, GB(2));
    CHECK_EQ(l.lowmem_end, GB(2));
    CHECK_EQ(l.highmem_end, GB(6));
}

TEST(xenguest_layout_mxgpu_floor)
{
    REQUIRE(hvm(1024, MB(64), false, true, NULL, 0) == 0);
    CHECK_EQ(l.mmio_size, GB(2));
    CHECK_EQ(l.mmio_start, GB(2));
    CHECK_EQ(l.lowmem_end, GB(1));
}

TEST(xenguest_layout_vgpu)
{
    REQUIRE(hvm(4096, 0, true, false, NULL, 0) == 0);
    /* 512 MiB hole (256 + 256 needed: no doubling), VRAM at the top. */
    CHECK_EQ(l.mmio_size, MB(512));
    CHECK_EQ(l.mmio_start, 0xe0000000);
    CHECK_EQ(l.lowmem_end, 0xe0000000);
    CHECK_EQ(l.highmem_end, GB(4) + MB(512));
    CHECK_EQ(l.nr_e820, 3);
    CHECK_E820(2, 0xfb000000, MB(16), E820_RESERVED);
    CHECK_EQ(l.vram_addr, 0xfb000000);
    /* A vGPU and 300 MiB of BARs: 812 MiB -> 1 GiB. */
    REQUIRE(hvm(4096, MB(300), true, false, NULL, 0) == 0);
    CHECK_EQ(l.mmio_size, GB(1));
    CHECK_EQ(l.vram_addr, 0xfb000000);
}

/* The VRAM search steps down past reserved ranges, within the hole. */
TEST(xenguest_layout_vgpu_vram_search)
{
    const struct xg_rdm rdm[] = {
        { 0xfb000, 0x800 },                 /* [0xfb000000, +8 MiB) */
        { 0xfa800, 0x100 },                 /* [0xfa800000, +1 MiB) */
    };
    const struct xg_rdm wall = { 0xe0000, 0x1c000 };  /* the whole hole */

    REQUIRE(hvm(2048, 0, true, false, rdm, 2) == 0);
    CHECK_EQ(l.vram_addr, 0xf9000000);
    CHECK_EQ(l.nr_e820, 4);                 /* RAM, 2 RDMs, VRAM */
    CHECK_E820(3, 0xf9000000, MB(16), E820_RESERVED);
    CHECK(hvm(512, 0, true, false, &wall, 1) == -1);
    CHECK_STR(err, "Error: failed to allocate VRAM reserved region");
}

/* An RDM inside low RAM: the RAM above it moves above 4 GiB. */
TEST(xenguest_layout_rdm_in_lowmem)
{
    const struct xg_rdm rdm = { 0x30000, 0x100 };     /* 768 MiB, 1 MiB */

    REQUIRE(hvm(1024, 0, false, false, &rdm, 1) == 0);
    CHECK_EQ(l.lowmem_end, MB(768));
    CHECK_EQ(l.highmem_end, GB(4) + MB(256));
    /* The quirk: the hole grows down by the overlap, to the RDM. */
    CHECK_EQ(l.mmio_size, MB(512));
    CHECK_EQ(l.mmio_start, 0xe0000000);
    CHECK_EQ(l.nr_e820, 3);
    CHECK_E820(0, MB(1), MB(767), E820_RAM);
    CHECK_E820(1, MB(768), MB(1), E820_RESERVED);
    CHECK_E820(2, GB(4), MB(256), E820_RAM);
    /* RAM is conserved: low + high = the guest's size. */
    CHECK_EQ(l.lowmem_end + l.highmem_end - GB(4), MB(1024));
}

TEST(xenguest_layout_rdm_above_lowmem)
{
    const struct xg_rdm rdm = { 0xfed00, 0x10 };

    REQUIRE(hvm(4096, 0, false, false, &rdm, 1) == 0);
    CHECK_EQ(l.lowmem_end, 0xf0000000);
    CHECK_EQ(l.mmio_size, MB(256));
    CHECK_EQ(l.nr_e820, 3);
    /* Unsorted: the RDM comes before high RAM. */
    CHECK_E820(1, 0xfed00000, 0x10000, E820_RESERVED);
    CHECK_E820(2, GB(4), MB(256), E820_RAM);
}

TEST(xenguest_layout_too_many_rdms)
{
    static struct xg_rdm rdm[E820MAX];

    for ( unsigned int i = 0; i < E820MAX; i++ )
        rdm[i] = (struct xg_rdm){ 0xfe000 + i, 1 };
    /* 1 RAM + 124 RDMs: 125 entries, fine. */
    CHECK(hvm(1024, 0, false, false, rdm, E820MAX - 4) == 0);
    CHECK_EQ(l.nr_e820, E820MAX - 3);
    /* 125 RDMs fill the table to E820MAX - 2: XenServer gives up. */
    CHECK(hvm(1024, 0, false, false, rdm, E820MAX - 3) == -1);
    CHECK_STR(err, "Error: too many E820 reserved entries for domain");
    CHECK(hvm(1024, 0, false, false, rdm, E820MAX) == -1);
}

TEST(xenguest_layout_pvh)
{
    const struct xg_acpi_range acpi[] = {
        { 0xfffc0, 64 }, { 0xfc000000, 4096 }, { 0xfc001000, 0x7000 },
        { 0, 0 },
    };

    xg_pvh_layout(4096, &l);
    CHECK_EQ(l.lowmem_end, 0xf0000000);
    CHECK_EQ(l.highmem_end, 0x110000000);
    CHECK_EQ(l.mmio_size, MB(256));
    xg_pvh_e820(&l, false, acpi, 4);
    CHECK_EQ(l.nr_e820, 5);
    CHECK_E820(0, 0, 0xf0000000, E820_RAM);
    /* The RSDP's entry starts at its page and grows by the offset. */
    CHECK_E820(1, 0xff000, 0x1000, E820_ACPI);
    CHECK_E820(2, 0xfc000000, 0x1000, E820_ACPI);
    CHECK_E820(3, 0xfc001000, 0x7000, E820_ACPI);
    CHECK_E820(4, GB(4), MB(256), E820_RAM);

    xg_pvh_layout(1024, &l);
    xg_pvh_e820(&l, true, acpi, 0);
    CHECK_EQ(l.nr_e820, 1);
    CHECK_E820(0, MB(1), MB(1023), E820_RAM);
}
