/*
 * arch_memory_op through the dispatcher, as 4.17: XENMEM_set_memory_map
 * (a domain's e820, as libxl installs it), XENMEM_memory_map (a domain
 * reads its own), XENMEM_machine_memory_map (the host's RAM, control
 * domain only), and -ENOSYS for the rest.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/memory.h>

#include "core/hypercall.h"
#include "harness/test.h"
#include "testhost.h"

#define MiB        (1ULL << 20)
#define ARG_GADDR  0x10000ULL
#define MAP_GADDR  0x20000ULL

_Static_assert(sizeof(struct e820entry) == 20, "BIOS e820 entry layout");

struct env {
    struct guest_access ga;
    struct caller c;
    union {
        struct xen_foreign_memory_map fmap;
        struct xen_memory_map map;
    } u;
    struct e820entry e820[E820MAX + 1];
};

static void env_init(struct env *e, struct domain *caller)
{
    memset(e, 0, sizeof(*e));
    caller_init(&e->c, caller, &e->ga);
    REQUIRE(guest_access_register(&e->ga, ARG_GADDR, &e->u, sizeof(e->u)) == 0);
    REQUIRE(guest_access_register(&e->ga, MAP_GADDR, e->e820,
                                  sizeof(e->e820)) == 0);
}

static long memop(struct env *e, unsigned long cmd, uint64_t arg)
{
    unsigned long args[6] = { cmd, arg, 0, 0, 0, 0 };

    return hypercall_dispatch(&e->c, __HYPERVISOR_memory_op, args);
}

static long set_map(struct env *e, domid_t domid, unsigned int nr,
                    uint64_t buffer)
{
    memset(&e->u, 0, sizeof(e->u));
    e->u.fmap.domid = domid;
    e->u.fmap.map.nr_entries = nr;
    set_xen_guest_handle(e->u.fmap.map.buffer, (void *)(uintptr_t)buffer);
    return memop(e, XENMEM_set_memory_map, ARG_GADDR);
}

static long get_map(struct env *e, unsigned long cmd, unsigned int nr,
                    uint64_t buffer)
{
    memset(&e->u, 0, sizeof(e->u));
    e->u.map.nr_entries = nr;
    set_xen_guest_handle(e->u.map.buffer, (void *)(uintptr_t)buffer);
    return memop(e, cmd, ARG_GADDR);
}

static const struct e820entry guest_e820[] = {
    { 0x0, 0x9f000, 1 },
    { 0x9f000, 0x1000, 2 },
    { 0x100000, 0x3ff00000, 1 },
    { 0xfc000000, 0x4000000, 2 },
};

TEST(memory_map_set_by_toolstack_read_by_guest)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 100);
    struct env e;

    /* Nothing set yet: Xen's backwards-compatible -ENOSYS. */
    env_init(&e, g);
    CHECK_EQ(get_map(&e, XENMEM_memory_map, 8, MAP_GADDR), -ENOSYS);

    env_init(&e, h->hardware_domain);
    memcpy(e.e820, guest_e820, sizeof(guest_e820));
    CHECK_EQ(set_map(&e, 1, 4, MAP_GADDR), 0);
    CHECK_EQ(g->nr_e820, 4);
    CHECK(memcmp(g->e820, guest_e820, sizeof(guest_e820)) == 0);

    /* The guest reads it back; nr_entries is what was copied. */
    env_init(&e, g);
    CHECK_EQ(get_map(&e, XENMEM_memory_map, 8, MAP_GADDR), 0);
    CHECK_EQ(e.u.map.nr_entries, 4);
    CHECK(memcmp(e.e820, guest_e820, sizeof(guest_e820)) == 0);
    memset(e.e820, 0, sizeof(e.e820));
    CHECK_EQ(get_map(&e, XENMEM_memory_map, 2, MAP_GADDR), 0);
    CHECK_EQ(e.u.map.nr_entries, 2);
    CHECK(memcmp(e.e820, guest_e820, 2 * sizeof(guest_e820[0])) == 0);
    CHECK_EQ(e.e820[2].size, 0);
    /* Room for none: nothing copied, any buffer. */
    CHECK_EQ(get_map(&e, XENMEM_memory_map, 0, 0), 0);
    CHECK_EQ(e.u.map.nr_entries, 0);
    /* A buffer too small for what is copied. */
    CHECK_EQ(get_map(&e, XENMEM_memory_map, 4,
                     MAP_GADDR + sizeof(e.e820) - 40), -EFAULT);
    CHECK_EQ(memop(&e, XENMEM_memory_map, ARG_GADDR + sizeof(e.u) - 8), -EFAULT);

    /* A domain may replace its own map (XSM_TARGET); 0 entries clears it. */
    memcpy(e.e820, guest_e820, sizeof(guest_e820));
    CHECK_EQ(set_map(&e, DOMID_SELF, 1, MAP_GADDR), 0);
    CHECK_EQ(g->nr_e820, 1);
    CHECK_EQ(set_map(&e, 1, 0, 0), 0);
    CHECK_EQ(get_map(&e, XENMEM_memory_map, 8, MAP_GADDR), -ENOSYS);
    check_host(h);
    host_destroy(h);
}

TEST(set_memory_map_checks)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct domain *g = new_hvm_domain(h, 1, 100), *other = new_domain(h, 2, 10);
    struct env e;

    env_init(&e, h->hardware_domain);
    memcpy(e.e820, guest_e820, sizeof(guest_e820));
    CHECK_EQ(set_map(&e, 1, E820MAX + 1, MAP_GADDR), -EINVAL);
    CHECK_EQ(set_map(&e, 9, 4, MAP_GADDR), -ESRCH);
    CHECK_EQ(set_map(&e, 1, 4, MAP_GADDR + sizeof(e.e820) - 40), -EFAULT);
    CHECK_EQ(set_map(&e, 1, 4, 0), -EFAULT);
    CHECK_EQ(memop(&e, XENMEM_set_memory_map, ARG_GADDR + 4), -EFAULT);
    CHECK_EQ(g->nr_e820, 0);
    /* E820MAX entries are fine. */
    CHECK_EQ(set_map(&e, 1, E820MAX, MAP_GADDR), 0);
    CHECK_EQ(g->nr_e820, E820MAX);
    /* Another unprivileged domain may not. */
    env_init(&e, other);
    CHECK_EQ(set_map(&e, 1, 1, MAP_GADDR), -EPERM);
    CHECK_EQ(g->nr_e820, E820MAX);
    check_host(h);
    host_destroy(h);
}

TEST(machine_memory_map_is_host_ram)
{
    struct hostspec *hs = tiny_spec(3, 4 * MiB);
    struct host *h;
    struct env e;

    /* Nodes 0 and 1 touch, node 2 is 4 MiB further up. */
    hs->node[2].range[0].start = 12 * MiB;
    hs->node[2].range[0].end = 16 * MiB;
    h = boot_spec(hs);
    env_init(&e, h->hardware_domain);

    /* Null buffer: the count. */
    CHECK_EQ(get_map(&e, XENMEM_machine_memory_map, 0, 0), 0);
    CHECK_EQ(e.u.map.nr_entries, 2);
    /* Room must be left for one more entry than the map has. */
    CHECK_EQ(get_map(&e, XENMEM_machine_memory_map, 2, MAP_GADDR), -EINVAL);
    CHECK_EQ(get_map(&e, XENMEM_machine_memory_map, 3, MAP_GADDR), 0);
    CHECK_EQ(e.u.map.nr_entries, 2);
    CHECK_EQ(e.e820[0].addr, 0);
    CHECK_EQ(e.e820[0].size, 8 * MiB);
    CHECK_EQ(e.e820[0].type, 1);
    CHECK_EQ(e.e820[1].addr, 12 * MiB);
    CHECK_EQ(e.e820[1].size, 4 * MiB);
    CHECK_EQ(e.e820[1].type, 1);
    /* The whole buffer the caller claims must be reachable. */
    CHECK_EQ(get_map(&e, XENMEM_machine_memory_map, E820MAX + 2, MAP_GADDR),
             -EFAULT);
    CHECK_EQ(memop(&e, XENMEM_machine_memory_map, ARG_GADDR + sizeof(e.u) - 8),
             -EFAULT);

    /* Only the control domain. */
    env_init(&e, new_domain(h, 1, 10));
    CHECK_EQ(get_map(&e, XENMEM_machine_memory_map, 0, 0), -EPERM);
    check_host(h);
    host_destroy(h);
}

TEST(arch_memory_op_others_enosys)
{
    struct host *h = boot_tiny(1, 4 * MiB);
    struct env e;

    new_hvm_domain(h, 1, 100);
    env_init(&e, h->hardware_domain);
    /* arch_memory_op matches the whole cmd: continuation bits mean -ENOSYS. */
    CHECK_EQ(memop(&e, XENMEM_machine_memory_map | (1UL << 6), ARG_GADDR),
             -ENOSYS);
    CHECK_EQ(memop(&e, XENMEM_machphys_mapping, ARG_GADDR), -ENOSYS);
    CHECK_EQ(memop(&e, XENMEM_machphys_mfn_list, ARG_GADDR), -ENOSYS);
    CHECK_EQ(memop(&e, 63, ARG_GADDR), -ENOSYS);
    host_destroy(h);
}
