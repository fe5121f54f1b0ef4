/*
 * libxendevicemodel: every call a dm_op through the arena; what the core
 * implements (nr_vcpus, remote_shutdown), its errors, restrict as privcmd's,
 * and the library's own argument checks.
 */
#include <errno.h>
#include <xendevicemodel.h>
#include <xen/sched.h>

#include "dropins.h"

TEST(dropin_dm_nr_vcpus_and_shutdown)
{
    xendevicemodel_handle *dmod = xendevicemodel_open(NULL, 0);
    uint32_t domid = dt_new_guest(3, NULL, 0);
    unsigned int vcpus = 0;
    xc_dominfo_t info;

    REQUIRE(dmod);
    CHECK_EQ(xendevicemodel_nr_vcpus(dmod, domid, &vcpus), 0);
    CHECK_EQ(vcpus, 3);
    /* Not remote, and no such domain. */
    errno = 0;
    CHECK_EQ(xendevicemodel_nr_vcpus(dmod, 0, &vcpus), -1);
    CHECK_EQ(errno, EPERM);
    CHECK_EQ(xendevicemodel_nr_vcpus(dmod, 4321, &vcpus), -1);
    CHECK_EQ(errno, ESRCH);

    CHECK_EQ(xendevicemodel_shutdown(dmod, domid, SHUTDOWN_reboot), 0);
    REQUIRE(xc_domain_getinfo(dt_xch(), domid, 1, &info) == 1);
    CHECK_EQ(info.domid, domid);
    CHECK_EQ(info.shutdown, 1);
    CHECK_EQ(info.shutdown_reason, SHUTDOWN_reboot);

    CHECK_EQ(xendevicemodel_close(dmod), 0);
    dt_destroy(domid);
}

TEST(dropin_dm_unimplemented_ops)
{
    xendevicemodel_handle *dmod = xendevicemodel_open(NULL, 0);
    uint32_t domid = dt_new_guest(1, NULL, 0);
    unsigned long bitmap[2] = { 0 };
    ioservid_t id;

    REQUIRE(dmod);
    errno = 0;
    CHECK_EQ(xendevicemodel_create_ioreq_server(dmod, domid, 1, &id), -1);
    CHECK_EQ(errno, EOPNOTSUPP);
    CHECK_EQ(xendevicemodel_set_pci_intx_level(dmod, domid, 0, 0, 3, 0, 1), -1);
    CHECK_EQ(errno, EOPNOTSUPP);
    /* The two-buffer calls. */
    CHECK_EQ(xendevicemodel_track_dirty_vram(dmod, domid, 0xa0, 64, bitmap), -1);
    CHECK_EQ(errno, EOPNOTSUPP);
    CHECK_EQ(xendevicemodel_modified_memory(dmod, domid, 0x100, 4), -1);
    CHECK_EQ(errno, EOPNOTSUPP);
    CHECK_EQ(xendevicemodel_set_mem_type(dmod, domid, HVMMEM_ram_ro, 0x100, 1),
             -1);
    CHECK_EQ(errno, EOPNOTSUPP);
    CHECK_EQ(xendevicemodel_set_irq_level(dmod, domid, 5, 1), -1);
    CHECK_EQ(errno, EOPNOTSUPP);

    /* The library's own checks come first. */
    errno = 0;
    CHECK_EQ(xendevicemodel_map_pcidev_to_ioreq_server(dmod, domid, 1, 0, 0,
                                                       0x20, 0), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xendevicemodel_unmap_pcidev_from_ioreq_server(dmod, domid, 1, 0,
                                                           0, 1, 8), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xendevicemodel_map_mem_type_to_ioreq_server(dmod, domid, 1,
                                                         HVMMEM_ram_rw, 0),
             -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xendevicemodel_map_mem_type_to_ioreq_server(
                 dmod, domid, 1, HVMMEM_ioreq_server,
                 XEN_DMOP_IOREQ_MEM_ACCESS_READ), -1);
    CHECK_EQ(errno, EINVAL);

    xendevicemodel_close(dmod);
    dt_destroy(domid);
}

TEST(dropin_dm_restrict)
{
    xendevicemodel_handle *dmod = xendevicemodel_open(NULL, 0);
    uint32_t d1 = dt_new_guest(2, NULL, 0), d2 = dt_new_guest(1, NULL, 0);
    unsigned int vcpus = 0;

    REQUIRE(dmod);
    CHECK_EQ(xendevicemodel_restrict(dmod, d1), 0);
    CHECK_EQ(xendevicemodel_restrict(dmod, d1), 0);     /* the same: fine */
    errno = 0;
    CHECK_EQ(xendevicemodel_restrict(dmod, d2), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(xendevicemodel_nr_vcpus(dmod, d1, &vcpus), 0);
    CHECK_EQ(vcpus, 2);
    vcpus = 77;
    CHECK_EQ(xendevicemodel_nr_vcpus(dmod, d2, &vcpus), -1);
    CHECK_EQ(errno, EPERM);
    CHECK_EQ(vcpus, 77);
    xendevicemodel_close(dmod);

    /* A new handle is unrestricted. */
    dmod = xendevicemodel_open(NULL, 0);
    REQUIRE(dmod);
    CHECK_EQ(xendevicemodel_nr_vcpus(dmod, d2, &vcpus), 0);
    CHECK_EQ(vcpus, 1);
    xendevicemodel_close(dmod);
    dt_destroy(d1);
    dt_destroy(d2);
}
