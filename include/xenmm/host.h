/*
 * xenmm/host.h - what tools may ask of a booted emulated host.
 *
 * host_boot() builds the frame table and the heap from a hostspec, exactly
 * as Xen's boot allocator hands RAM to the buddy heap (end_boot_allocator:
 * max-order aligned chunks, MFN 0 kept out).  The getters report what Xen's
 * XEN_SYSCTL_physinfo and XEN_SYSCTL_numainfo report.  The core internals
 * are in src/core/; tools see only this.
 */
#ifndef XENMM_HOST_H
#define XENMM_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <xenmm/hostspec.h>

struct host;

/*
 * Boot a host.  On failure returns a negative errno (-EINVAL for a spec that
 * does not validate, -ENOMEM when the frame table or RAM cannot be mapped)
 * with one line in err.
 */
int host_boot(const struct hostspec *hs, struct host **hp, char *err, size_t errlen);
void host_destroy(struct host *h);
const struct hostspec *host_spec(const struct host *h);

/* As XEN_SYSCTL_physinfo (counts in pages). */
struct host_physinfo {
    unsigned int threads_per_core, cores_per_socket, nr_cpus, max_cpu_id;
    unsigned int nr_nodes, max_node_id;
    uint32_t cpu_khz;
    uint64_t total_pages;        /* RAM pages of the host */
    uint64_t free_pages;         /* total_avail_pages (claims not subtracted) */
    uint64_t scrub_pages;        /* Xen always reports 0 here */
    uint64_t outstanding_pages;  /* outstanding_claims */
    uint64_t max_mfn;            /* get_upper_mfn_bound(): highest RAM MFN */
    /* Not in Xen's physinfo; useful for the CLI. */
    uint64_t need_scrub_pages;   /* sum of node_need_scrub[] */
};
void host_get_physinfo(struct host *h, struct host_physinfo *pi);

/* As one entry of XEN_SYSCTL_numainfo (sizes in bytes) plus xenmm extras. */
struct host_numainfo {
    uint64_t memsize;            /* spanned bytes: node end - node start */
    uint64_t memfree;            /* free bytes (sum of avail[node][*]) */
    uint64_t need_scrub_pages;   /* node_need_scrub[node] */
    uint64_t claimed_pages;      /* per-node claims outstanding on this node */
};
void host_get_numainfo(struct host *h, unsigned int node, struct host_numainfo *ni);

/* Wait until the idle scrubbers have cleaned every free page (tests, CLI). */
void host_scrub_wait(struct host *h);

#endif /* XENMM_HOST_H */
