/*
 * hvm_info.c - hvm_init_info_table: XenServer's values in an hvm_info
 * table (the HVM guest's at 0x9f800, and the one libacpi reads for PVH):
 * apic_mode from platform/apic, nr_vcpus from vcpu/number, the first
 * vcpu/current bits of vcpu_online, then the checksum that makes the
 * table's `length` bytes sum to 0.
 *
 * Deviation: vcpu/current is capped at HVM_MAX_VCPUS bits (XenServer's
 * would write past the bitmap).
 */
#include <string.h>

#include "xenguest.h"
#include <xen/hvm/hvm_info_table.h>

void xg_init_info_table(struct hvm_info_table *t, const struct xg_flags *f)
{
    unsigned int online = f->vcpus_current < HVM_MAX_VCPUS
                          ? f->vcpus_current : HVM_MAX_VCPUS;
    uint8_t sum = 0;

    t->apic_mode = f->apic;
    t->nr_vcpus = f->vcpus;
    memset(t->vcpu_online, 0, sizeof(t->vcpu_online));
    for ( unsigned int i = 0; i < online; i++ )
        t->vcpu_online[i / 8] |= 1U << (i % 8);
    t->checksum = 0;
    for ( uint32_t i = 0; i < t->length; i++ )
        sum += ((const uint8_t *)t)[i];
    t->checksum = -sum;
}
