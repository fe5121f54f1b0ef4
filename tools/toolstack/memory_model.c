/*
 * memory_model.c - xenopsd's memory model (xapi-idl memory/memory.ml,
 * Memory_model; xen-toolstack.md §1.6): from a VM's static max, target,
 * video RAM and vCPUs, the sizes build_pre and xenguest use.
 *
 *   build_max_mib   static_max - video        (xenguest -mem_max_mib)
 *   build_start_mib target - video            (xenguest -mem_start_mib)
 *   xen_max_mib     static_max + extra_internal       (Xen's maxmem)
 *   shadow_mib      max(1, MiB(256 * vcpus + 2 * static_max pages)
 *                   * shadow multiplier 1.0)
 *   overhead_mib    extra_internal + extra_external + shadow
 *                   + MiB(38 * vcpus pages)   (CA-423172)
 *   required_host_free_mib = target + overhead
 *   build_claim_pages = pages of build_start_mib
 *
 * HVM and PVH (without the PV shim) use the HVM model: extra_internal 1,
 * extra_external 1; PVH has no video RAM (xenopsd passes video_mib 0).
 * PV uses the Linux model: extra_internal 0, extra_external 1.  Every
 * model can start ballooned down (target < static max: populate on
 * demand for HVM, a smaller initial reservation for PV).  MiB(pages)
 * rounds up, as mib_of_pages_used.
 */
#include "toolstack.h"

static long mib_of_pages_used(long pages)
{
    return (pages + 255) / 256;
}

void memory_model(const struct vm_spec *vm, struct mem_config *m)
{
    long static_max = vm->maxmem, target = vm->memory;
    long video = vm->type == VM_HVM ? vm->videoram : 0;
    long vcpus = vm->maxvcpus;
    long extra_internal = vm->type == VM_PV ? 0 : 1, extra_external = 1;
    double multiplier = 1.0;            /* shadow_multiplier_default */
    long shadow;

    m->build_max_mib = static_max - video;
    m->build_start_mib = target - video;
    m->xen_max_mib = static_max + extra_internal;
    shadow = mib_of_pages_used(256 * vcpus + static_max + static_max);
    shadow = (long)((double)shadow * multiplier);
    m->shadow_mib = shadow > 1 ? shadow : 1;
    m->overhead_mib = extra_internal + extra_external + m->shadow_mib +
                      mib_of_pages_used(38 * vcpus);
    m->required_host_free_mib = target + m->overhead_mib;
    m->build_claim_pages = m->build_start_mib * 256;
}
