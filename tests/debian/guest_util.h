/*
 * guest_util.h - what the Debian-linked domain-builder tests share
 * (tests/debian/build_{hvm,pvh,pv}.c).
 *
 * The tests are ordinary programs linked with Debian's -lxenguest
 * -lxenctrl; run with LD_LIBRARY_PATH=build/lib they reach xenmm through
 * the drop-in libxencall/libxenforeignmemory, in-process
 * (XENMM_INPROCESS=<host spec>) or through xenmmd (XENMM_SOCKET).  They
 * drive libxenguest as libxl 4.17 does (libxl__domain_make,
 * libxl__build_pre, libxl__build_{hvm,pv}, libxl__build_post's unpause)
 * and look at the result only through Xen interfaces: domctls, HVM
 * params, foreign mappings, and the p2m dump of debug key 'D' read back
 * from the console ring (`xl debug-keys D; xl dmesg`).
 *
 * Output is TAP ("ok N - name" / "not ok N - name"), ending with one
 * "N passed, N failed" line; gt_done() returns the exit status.
 */
#ifndef GUEST_UTIL_H
#define GUEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenctrl.h>
#include <xenguest.h>

/* ---- TAP ---- */
bool gt_ok(bool cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Passes when got == want; prints both otherwise. */
bool gt_is(unsigned long long got, unsigned long long want,
           const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void gt_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int gt_done(void);

/* ---- the guest being built ---- */
enum gt_type { GT_HVM, GT_PVH, GT_PV };

struct gt_guest {
    xc_interface *xch;
    enum gt_type type;
    const char *name;           /* prefix of every TAP line */
    unsigned int max_vcpus;
    uint64_t mem_kb;            /* max_memkb = target_memkb, no video RAM */
    uint32_t domid;
    uint32_t store_port, console_port;
    uint64_t shadow_kb;         /* paging mempool, libxl's default */
};

/*
 * xc_interface_open with a logger on stderr: errors only, everything with
 * GUEST_TEST_DEBUG=1 in the environment.
 */
xc_interface *gt_open(void);

/*
 * libxl__domain_make + libxl__build_pre: createdomain (libxl's 4.17
 * config for the type), max_vcpus, setmaxmem (target + 1 MiB), two
 * EVTCHNOP_alloc_unbound (store, console: a new domain's ports 1 and 2)
 * for backends in dom0, the HVM
 * params libxl__arch_domain_create sets, tsc_info, the paging mempool,
 * and libxl__cpuid_legacy's xc_cpuid_apply_policy.  One TAP line per
 * step; false if a step failed.
 */
bool gt_domain_create(struct gt_guest *g);
/*
 * The domain's CPUID policy after xc_cpuid_apply_policy: the emulated
 * Intel CPU, as libxl's legacy policy shapes it for the guest type.
 */
void gt_check_cpu_policy(struct gt_guest *g);

/* libxl's destroy: the domain goes, its memory goes back to the heap. */
bool gt_domain_destroy(struct gt_guest *g);

/* One p2m leaf, as debug key 'D' prints it. */
struct gt_leaf {
    uint64_t gfn;
    unsigned int order;
    uint64_t mfn;               /* ~0 for PoD */
    char rwx[4], emt[4];
};

/*
 * The leaves of domid's p2m: debug key 'D' with the console ring cleared
 * first, then the ring read back and this domain's section parsed.
 * Returns the number of leaves (malloc'ed in *out), or -1.
 */
long gt_p2m_leaves(xc_interface *xch, uint32_t domid, struct gt_leaf **out);

/* Copy a guest page out through a read-only foreign mapping (0 or -1). */
int gt_read_page(xc_interface *xch, uint32_t domid, uint64_t gfn, void *buf);

/* The whole of a file (malloc'ed), or NULL. */
void *gt_slurp(const char *path, size_t *len);

/*
 * Every PT_LOAD segment of the ELF image elf[len] must be in the guest at
 * frame (p_paddr - paddr_base) >> 12 onwards (translated through p2m[],
 * if given: a PV guest's pfn -> mfn): its file bytes, then zeros up to
 * p_memsz.  One TAP line per segment.
 */
void gt_check_elf_loaded(xc_interface *xch, uint32_t domid, const char *what,
                         const uint8_t *elf, size_t len, uint64_t paddr_base,
                         const xen_pfn_t *p2m);

/* XEN_DOMCTL_getdomaininfo for domid (0, or -1 with errno). */
int gt_domaininfo(xc_interface *xch, uint32_t domid, xc_domaininfo_t *info);

#endif /* GUEST_UTIL_H */
