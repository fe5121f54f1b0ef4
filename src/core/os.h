/*
 * os.h - the only place the core touches the operating system (as
 * mimalloc's prim.h): the RAM backing, sparse anonymous mappings.
 *
 * Guest RAM lives in one memfd of max_page pages, mapped shared and
 * MAP_NORESERVE: pages nobody wrote are holes and cost nothing, so a 16 TiB
 * host runs on a laptop.  os_ram_next_data() finds the pages that were
 * written (mincore, SEEK_DATA), which is how scrubbing avoids making
 * untouched pages resident.
 */
#ifndef XENMM_CORE_OS_H
#define XENMM_CORE_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct os_ram {
    uint8_t *base;      /* mapping of the whole RAM */
    uint64_t size;      /* bytes */
    int fd;             /* the memfd, -1 if anonymous */
};

/* 0 or -errno. */
int os_ram_create(struct os_ram *ram, uint64_t bytes, const char *name);
void os_ram_destroy(struct os_ram *ram);
/*
 * Find the first written run in [*start, end): true with [*start, *run_end)
 * set, or false if the rest of the range was never written.  The run is
 * bounded (a window of at most OS_RAM_WINDOW bytes is examined), so the
 * cost does not grow with how much RAM is resident.
 */
#define OS_RAM_WINDOW (8UL << 20)
bool os_ram_next_data(const struct os_ram *ram, uint64_t *start, uint64_t end,
                      uint64_t *run_end);
/* Clear [off, off + len) to byte c, touching only written pages unless c != 0. */
void os_ram_fill(const struct os_ram *ram, uint64_t off, uint64_t len, int c);

/* Zero-filled, lazily backed memory.  NULL on failure. */
void *os_map_sparse(size_t bytes);
void os_unmap_sparse(void *p, size_t bytes);
/* Resident set size of this process in bytes (benchmarks). */
uint64_t os_rss_bytes(void);

#endif /* XENMM_CORE_OS_H */
