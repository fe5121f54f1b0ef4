/*
 * src/hostspec/internal.h - helpers shared by the hostspec loaders.
 *
 * Not an API: only the files of src/hostspec/ include it.  Every function
 * here that can fail returns 0 or -1 and writes one line into (err, errlen),
 * without the origin prefix (file name, line) the caller adds.
 */
#ifndef XENMM_HOSTSPEC_INTERNAL_H
#define XENMM_HOSTSPEC_INTERNAL_H

#include <stdarg.h>
#include <xenmm/hostspec.h>

#define HOSTSPEC_MIB  (1ULL << 20)
#define HOSTSPEC_GIB  (1ULL << 30)
#define HOSTSPEC_TIB  (1ULL << 40)
#define HOSTSPEC_4GIB (4ULL << 30)

/* Default distances when a source gives none (ACPI SLIT convention). */
#define HOSTSPEC_DIST_LOCAL   10
#define HOSTSPEC_DIST_REMOTE  20

/* Host files bigger than this are refused (they are not host files). */
#define HOSTSPEC_MAX_FILE     (16u << 20)

/* Zero the spec and put Xen's default boot options in it. */
void hostspec_reset(struct hostspec *hs);

/* snprintf into err; always returns -1 so callers can "return ...". */
int hostspec_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Prepend "origin: " to the message already in err (used when a helper
 * wrote an unprefixed message).  Returns -1.
 */
int hostspec_err_prefix(char *err, size_t errlen, const char *origin);

/*
 * Parse an unsigned size: decimal or 0x-hex digits, then an optional unit
 * K/M/G/T (any case, optionally followed by "iB" or "B") or B (bytes).
 * A bare number is shifted left by default_shift (0: bytes, 10: KiB as
 * Xen's parse_size_and_unit does).  -1 on junk or overflow.
 */
int hostspec_parse_size(const char *s, unsigned int default_shift,
                        uint64_t *out);

/* Decimal (or 0x-hex) unsigned integer no bigger than max.  -1 if not. */
int hostspec_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* Xen's parse_bool(): 1, 0, or -1 when s is not a boolean word. */
int hostspec_parse_bool(const char *s);

/*
 * Read a whole file into a NUL-terminated malloc'd buffer.  On failure
 * writes "PATH: <reason>" (prefixed) into err.
 */
int hostspec_read_file(const char *path, char **text, char *err,
                       size_t errlen);

/* The last path component, without a trailing ".json"/".txt" (for names). */
void hostspec_name_from_path(const char *path, char *name, size_t len);

/* "laptop, server-2s, ..." for error messages. */
void hostspec_preset_names(char *buf, size_t len);

/* Fill the distance matrix: 10 on the diagonal, remote elsewhere. */
void hostspec_uniform_distances(struct hostspec *hs, uint32_t remote);

/*
 * Lay out CPUs as sockets x cores_per_socket x threads_per_core, CPU ids
 * socket-major then core then thread (so hyperthread siblings are
 * adjacent, as Xen numbers them from the MADT on most machines).  Sockets
 * map to hs->nr_nodes nodes: one node per socket, several sockets per node
 * (sockets divisible by nodes), or several nodes (dies) per socket (nodes
 * divisible by sockets, cores split evenly).
 */
int hostspec_place_cpus(struct hostspec *hs, unsigned int sockets,
                        unsigned int cores_per_socket,
                        unsigned int threads_per_core,
                        char *err, size_t errlen);

/*
 * Synthesize RAM ranges for nodes 0..nr-1 laid out from address 0 in node
 * order, skipping the MMIO hole [hole_start, 4 GiB) (no hole when
 * hole_start >= 4 GiB).
 *   spans == false: size[i] is node i's RAM; the node gets size[i] bytes
 *                   of RAM, split around the hole if it straddles it.
 *   spans == true:  size[i] is node i's spanned address space (as Xen's
 *                   numainfo memsize); the node covers that much address
 *                   space and the hole is cut out of it.
 * Sizes must be page multiples.  Sets nr_nodes; -1 if a node would need
 * more than HOSTSPEC_MAX_NODE_RANGES ranges (cannot happen) or the layout
 * passes 2^64.
 */
int hostspec_synth_ranges(struct hostspec *hs, const uint64_t *size,
                          unsigned int nr, bool spans, uint64_t hole_start,
                          char *err, size_t errlen);

/*
 * Set one Xen option: key in Xen's spelling ('-' and '_' are the same,
 * "no-" prefix negates a boolean), val NULL when the option had no "=".
 * Writes e.g. "bootscrub_chunk: \"12X\" is not a size" into err.
 * Returns 0, -1 on a bad value, -2 when the key is not an option xenmm
 * knows (err then says so).
 */
int hostspec_xen_opt_kv(struct hostspec_xen_opts *o, const char *key,
                        const char *val, char *err, size_t errlen);

/* Is this Xen option's value a size (so a JSON integer means bytes)? */
bool hostspec_xen_opt_is_size(const char *key);

/* hostspec_validate(), its message prefixed with "origin: ". */
int hostspec_validate_as(const struct hostspec *hs, const char *origin,
                         char *err, size_t errlen);

#endif /* XENMM_HOSTSPEC_INTERNAL_H */
