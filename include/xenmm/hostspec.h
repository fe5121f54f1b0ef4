/*
 * xenmm/hostspec.h - the description of an emulated host, before it boots.
 *
 * A hostspec says what the machine is (NUMA nodes with their RAM ranges,
 * CPUs with their socket/core/node, the node distance matrix) and how its
 * Xen was booted (the command-line options that matter to memory).  It is
 * plain data: loaders fill it (built-in presets, a JSON host file, the text
 * of `xl info -n`, this machine's /sys), hostspec_validate() checks it, and
 * host_boot() (include/xenmm/host.h) turns it into a running heap.
 *
 * Errors: every loader returns 0 or -1 and, on -1, writes one line into the
 * caller's error buffer naming the file, line or field at fault.
 */
#ifndef XENMM_HOSTSPEC_H
#define XENMM_HOSTSPEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <xenmm/types.h>

#define HOSTSPEC_MAX_NODES       MAX_NUMNODES   /* 64 */
#define HOSTSPEC_MAX_NODE_RANGES 16
#define HOSTSPEC_MAX_CPUS        4096
/*
 * Highest physical address xenmm can emulate (exclusive): 16 TiB.  Page
 * list links are 32-bit frame indices, as Xen's page_list_entry is, and 0
 * (MFN 0, never in the heap) is the null link.
 */
#define HOSTSPEC_MAX_PADDR       (1ULL << 44)
#define HOSTSPEC_DISTANCE_UNREACHABLE 0xFFFFFFFFu

/* The preset used when no host is named (xenmm CLI, tests). */
#define HOSTSPEC_DEFAULT_PRESET  "server-2s"

/* A RAM range in bytes, [start, end). */
struct hostspec_range {
    uint64_t start, end;
};

struct hostspec_node {
    unsigned int nr_ranges;
    struct hostspec_range range[HOSTSPEC_MAX_NODE_RANGES];
};

/* One pCPU, as a row of `xl info -n`'s cpu_topology. */
struct hostspec_cpu {
    uint32_t core, socket, node;
};

enum hostspec_bootscrub {
    BOOTSCRUB_OFF,
    BOOTSCRUB_ON,
    BOOTSCRUB_IDLE,          /* Xen's default */
};

enum hostspec_heap_model {
    HEAP_UNIFIED,            /* x86-64: one heap, PGC_xen_heap marks Xen pages */
    HEAP_SPLIT,              /* CONFIG_SEPARATE_XENHEAP: Xen pages in zone 0 */
};

/*
 * Claim accounting policy.  CLAIM_4_17: claims are consumed (and, on free,
 * re-grown) in domain_adjust_tot_pages, as Xen 4.17 to 4.20 do.
 * CLAIM_4_21: consumed only when pages are added.  The per-node claim is
 * beyond 4.17 either way (see docs/claims.md).
 */
enum hostspec_claim_policy {
    CLAIM_4_17,
    CLAIM_4_21,
};

/* The Xen boot options xenmm honours (docs/misc/xen-command-line). */
struct hostspec_xen_opts {
    enum hostspec_bootscrub bootscrub;   /* bootscrub=, default idle */
    uint64_t bootscrub_chunk;            /* bytes, default 128 MiB */
    unsigned int dma_bits;               /* dma_bits=, 0 = Xen's default */
    bool scrub_debug;                    /* CONFIG_SCRUB_DEBUG: 0xC2 poison */
    bool scrub_domheap;                  /* scrub-domheap */
    enum hostspec_heap_model heap_model; /* default unified */
    uint64_t xenheap_size;               /* split model: bytes of xenheap */
    /*
     * Unified model: bytes of RAM the direct map covers (x86-64 Xen 4.17:
     * 5 TiB).  RAM above it makes xenheap_bits restrict Xen-heap pages.
     * 0 means "covers everything".
     */
    uint64_t directmap_size;
    enum hostspec_claim_policy claim_policy;
    unsigned int scrub_threads;          /* idle scrubber workers, 0 = none */
    uint64_t conring_size;               /* conring_size=, bytes; 0 = default */
};

struct hostspec {
    char name[64];
    char description[160];
    unsigned int nr_nodes;                       /* 1..64 */
    struct hostspec_node node[HOSTSPEC_MAX_NODES];
    uint32_t distance[HOSTSPEC_MAX_NODES][HOSTSPEC_MAX_NODES];
    unsigned int nr_cpus;                        /* 1..4096 */
    struct hostspec_cpu cpu[HOSTSPEC_MAX_CPUS];
    uint32_t cpu_khz;
    struct hostspec_xen_opts xen;
};

/* Allocate a zeroed spec with Xen's default options.  NULL on ENOMEM. */
struct hostspec *hostspec_alloc(void);
void hostspec_free(struct hostspec *hs);
void hostspec_default_opts(struct hostspec_xen_opts *o);

/*
 * Load from a SPEC string:
 *   "preset:NAME" or a bare preset NAME   built-in preset
 *   "local" or "local:SYSROOT"            this machine's sysfs (SYSROOT/sys)
 *   "xlinfo:PATH"                         text of `xl info -n` (also
 *                                         detected by content)
 *   "json:PATH"                           JSON host file, never sniffed
 *   "PATH" (a file)                       JSON host file (docs/host-file.md)
 * A bare word that names a preset is the preset; write ./NAME for a file.
 * Loading replaces everything in *hs, Xen options included (defaults, then
 * what the source says), and validates the result.
 * On failure returns -1 and writes one line into err.
 */
int hostspec_load(const char *spec, struct hostspec *hs, char *err, size_t errlen);

/* Checks ranges (aligned, ordered, non-overlapping, below 16 TiB), nodes,
 * CPUs and distances.  -1 and one line in err on failure. */
int hostspec_validate(const struct hostspec *hs, char *err, size_t errlen);

/* Built-in presets. */
struct hostspec_preset_info {
    const char *name;
    const char *description;
};
unsigned int hostspec_nr_presets(void);
const struct hostspec_preset_info *hostspec_preset(unsigned int i);
int hostspec_load_preset(const char *name, struct hostspec *hs, char *err, size_t errlen);

int hostspec_load_json(const char *path, struct hostspec *hs, char *err, size_t errlen);
int hostspec_load_json_string(const char *text, const char *origin,
                              struct hostspec *hs, char *err, size_t errlen);
int hostspec_load_xlinfo(const char *path, struct hostspec *hs, char *err, size_t errlen);
int hostspec_load_xlinfo_string(const char *text, const char *origin,
                                struct hostspec *hs, char *err, size_t errlen);
int hostspec_load_local(const char *sysroot, struct hostspec *hs, char *err, size_t errlen);

/*
 * Xen boot options in Xen command-line syntax (docs/host-file.md lists
 * them): "bootscrub=idle", "bootscrub_chunk=64M", "scrub-domheap",
 * "no-scrub-domheap", "heap=split", ...  '-' and '_' are the same in a
 * name; sizes take Xen's K/M/G/T suffixes and a bare number is KiB, as in
 * Xen.  An unknown option or a bad value: -1 and one line in err naming it.
 */
int hostspec_set_xen_opt(struct hostspec *hs, const char *opt,
                         char *err, size_t errlen);
/*
 * Apply a whole command line (options separated by blanks).  With
 * ignore_unknown, options xenmm does not model (console=, dom0_mem=, ...)
 * are skipped, as on a real Xen command line; bad values still fail.
 */
int hostspec_set_xen_cmdline(struct hostspec *hs, const char *cmdline,
                             bool ignore_unknown, char *err, size_t errlen);

/* The options xenmm models, for listing: name i (0-based) and its value in
 * command-line syntax.  -1 past the last one. */
unsigned int hostspec_nr_xen_opts(void);
int hostspec_xen_opt_get(const struct hostspec_xen_opts *o, unsigned int i,
                         const char **name, char *val, size_t vallen);
/* All options as one command line ("bootscrub=idle bootscrub_chunk=128M
 * ..."), which hostspec_set_xen_cmdline() reads back.  Returns the length
 * snprintf would have written. */
size_t hostspec_format_xen_opts(const struct hostspec_xen_opts *o,
                                char *buf, size_t len);

/* conring_size= above this is refused (the ring is ordinary memory). */
#define HOSTSPEC_CONRING_MAX (1ULL << 30)

/* Split heap model: xenheap_size 0 means this much (32 MiB). */
#define HOSTSPEC_SPLIT_XENHEAP_DEFAULT (32ULL << 20)
/* Bytes of Xen heap the split model gets (xenheap_size or the default);
 * 0 for the unified model. */
uint64_t hostspec_xenheap_bytes(const struct hostspec_xen_opts *o);

/* Helpers. */
uint64_t hostspec_node_ram_bytes(const struct hostspec *hs, unsigned int node);
uint64_t hostspec_total_ram_bytes(const struct hostspec *hs);
/* Highest RAM address + 1, i.e. max_page << PAGE_SHIFT. */
uint64_t hostspec_max_paddr(const struct hostspec *hs);

#endif /* XENMM_HOSTSPEC_H */
