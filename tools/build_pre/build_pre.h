/*
 * build_pre.h - what xenopsd does to a VM before it forks xenguest
 * (Domain.make + Domain.build_pre, xen-toolstack.md §1.6 and §4.1), as a
 * small library over Debian's libxenctrl, libxencall and libxenstore, so
 * that tests and a later `xenmm run` can put a domain in the state
 * xenguest expects:
 *
 * - createdomain with the 4.17 config for the type, its xenstore home
 *   (/local/domain/<domid>, readable by the guest) with the platform keys;
 * - max_vcpus, Xen's maxmem (static_max + 1 MiB for HVM/PVH), the paging
 *   pool (xenopsd's shadow_mib), the PV memmap limit;
 * - the claim: on one NUMA node when asked (XENMEM_claim_pages with the
 *   node in mem_flags, which xenmm accepts as XenServer's patched Xen
 *   does; ENOMEM falls back as xenopsd does), else host-wide, for the
 *   build's start size;
 * - the store and console event channels, unbound towards dom0;
 * - the sizes to pass as -mem_max_mib and -mem_start_mib.
 */
#ifndef BUILD_PRE_H
#define BUILD_PRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenctrl.h>
#include <xenstore.h>

enum bp_type { BP_HVM, BP_PVH, BP_PV };

/* One platform key: written as platform/<key> = <value>. */
struct bp_key {
    const char *key, *value;
};

struct bp_config {
    enum bp_type type;
    unsigned int vcpus;             /* vcpu/number and max_vcpus */
    unsigned int vcpus_current;     /* 0: all */
    uint64_t static_max_mib;
    uint64_t target_mib;            /* 0: static_max (no PoD) */
    uint64_t video_mib;             /* HVM only: VGA RAM, not built */
    double shadow_multiplier;       /* 0: 1.0 */
    int claim_node;                 /* -1: a host-wide claim */
    bool no_claim;
    const char *name;
    /* Replace (value) or drop (value NULL) the default platform keys. */
    const struct bp_key *platform;
    unsigned int nr_platform;
};

struct bp_result {
    uint32_t domid;
    int store_port, console_port;
    uint64_t build_max_mib, build_start_mib, xen_max_mib, shadow_mib;
    int pnode;                      /* the node claimed, or -1 */
};

/* xenopsd's Memory model for the type (no shim). */
void bp_memory(const struct bp_config *c, struct bp_result *r);

/* Everything above; 0, or -1 with err set (the domain is destroyed). */
int bp_build_pre(xc_interface *xch, struct xs_handle *xsh,
                 const struct bp_config *c, struct bp_result *r,
                 char *err, size_t errlen);

/* Destroy the domain and remove its xenstore home. */
int bp_destroy(xc_interface *xch, struct xs_handle *xsh, uint32_t domid);

#endif /* BUILD_PRE_H */
