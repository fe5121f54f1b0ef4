/*
 * testhost.h - hosts for core tests: tiny hand-made machines (so every MFN
 * is predictable) and the presets.
 */
#ifndef XENMM_TESTHOST_H
#define XENMM_TESTHOST_H

#include <xenmm/host.h>
#include <xenmm/hostspec.h>

#include "core/core.h"

/*
 * nr_nodes nodes of node_bytes each, laid out back to back from 0, one CPU
 * per node, distances 10/20, bootscrub off, no scrubber threads.
 */
struct hostspec *tiny_spec(unsigned int nr_nodes, uint64_t node_bytes);
/* Boot (REQUIREs success) and free the spec. */
struct host *boot_spec(struct hostspec *hs);
struct host *boot_tiny(unsigned int nr_nodes, uint64_t node_bytes);
/*
 * boot_tiny, then dom0 destroyed and its pages scrubbed: the heap exactly
 * as the boot allocator left it, for tests of the buddy heap alone (dom0's
 * shared_info and grant-table frame would hold the top two MFNs).
 */
struct host *boot_tiny_bare(unsigned int nr_nodes, uint64_t node_bytes);
struct host *boot_preset(const char *name, const char *opt1, const char *opt2);
/*
 * The domain with this id (NULL if none), without taking a reference:
 * for single-threaded tests, which know nobody frees it under them.
 */
struct domain *peek_domain(struct host *h, domid_t id);
/* host_check() must find nothing; prints the findings otherwise. */
void check_host(struct host *h);
/* A domain with max_pages set. */
struct domain *new_domain(struct host *h, domid_t id, unsigned int max_pages);
/* An HVM (HAP) domain with one vCPU, created as the createdomain domctl does. */
struct domain *new_hvm_domain(struct host *h, domid_t id, unsigned int max_pages);

#endif
