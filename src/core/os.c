/*
 * os.c - RAM backing and sparse mappings (see os.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "os.h"

int os_ram_create(struct os_ram *ram, uint64_t bytes, const char *name)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    void *p;

    ram->base = NULL;
    ram->size = 0;
    ram->fd = -1;
    if ( fd < 0 )
        return -errno;
    if ( ftruncate(fd, (off_t)bytes) )
    {
        int rc = -errno;

        close(fd);
        return rc;
    }
    p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
             fd, 0);
    if ( p == MAP_FAILED )
    {
        int rc = -errno;

        close(fd);
        return rc;
    }
    madvise(p, bytes, MADV_NOHUGEPAGE);   /* untouched neighbours stay holes */
    ram->base = p;
    ram->size = bytes;
    ram->fd = fd;
    return 0;
}

void os_ram_destroy(struct os_ram *ram)
{
    if ( ram->base )
        munmap(ram->base, ram->size);
    if ( ram->fd >= 0 )
        close(ram->fd);
    ram->base = NULL;
    ram->fd = -1;
}

/*
 * Written pages are found with mincore() over a bounded window, and
 * SEEK_DATA only when the window starts with an absent page.  (SEEK_HOLE
 * walks to the end of the whole written run, which made scrubbing resident
 * memory in pieces quadratic.)  A page mincore() calls absent but
 * SEEK_DATA calls data is swapped out: it is reported as a one-page run,
 * so it is still cleared.
 */
static uint64_t os_ram_resident_run(const struct os_ram *ram, uint64_t s,
                                    uint64_t e, bool *resident)
{
    unsigned char vec[OS_RAM_WINDOW / 4096];
    uint64_t w = s + OS_RAM_WINDOW < e ? s + OS_RAM_WINDOW : e;
    uint64_t n = (w - s + 4095) / 4096, i;

    if ( mincore(ram->base + s, w - s, vec) )
    {
        *resident = true;       /* cannot tell: treat it as written */
        return w;
    }
    *resident = vec[0] & 1;
    for ( i = 1; i < n && (vec[i] & 1) == (vec[0] & 1); i++ )
        ;
    return s + i * 4096 < w ? s + i * 4096 : w;
}

bool os_ram_next_data(const struct os_ram *ram, uint64_t *start, uint64_t end,
                      uint64_t *run_end)
{
    uint64_t s = *start & ~(uint64_t)4095, re;
    off_t d;
    bool resident;

    if ( *start >= end )
        return false;
    if ( ram->fd < 0 )
    {
        /* Anonymous RAM: assume everything may be written. */
        *run_end = end;
        return true;
    }
    re = os_ram_resident_run(ram, s, end, &resident);
    if ( !resident )
    {
        d = lseek(ram->fd, (off_t)s, SEEK_DATA);
        if ( d < 0 || (uint64_t)d >= end )
            return false;       /* ENXIO: nothing written past start */
        s = (uint64_t)d & ~(uint64_t)4095;
        re = os_ram_resident_run(ram, s, end, &resident);
        if ( !resident )
            re = s + 4096 < end ? s + 4096 : end;   /* swapped out */
    }
    *start = s > *start ? s : *start;
    *run_end = re;
    return true;
}

/*
 * Zero with cache-bypassing stores, as Xen HEAD's "cold" scrub does: the
 * pages are not about to be read, and glibc's memset only streams past a
 * size threshold, so clearing in 2 MiB pieces ran at half the bandwidth.
 */
static void clear_cold(uint8_t *p, uint64_t len)
{
#ifdef __SSE2__
    __m128i z = _mm_setzero_si128();
    uint64_t i;

    for ( i = 0; i < len; i += 64 )
    {
        _mm_stream_si128((__m128i *)(p + i), z);
        _mm_stream_si128((__m128i *)(p + i + 16), z);
        _mm_stream_si128((__m128i *)(p + i + 32), z);
        _mm_stream_si128((__m128i *)(p + i + 48), z);
    }
    _mm_sfence();
#else
    memset(p, 0, len);
#endif
}

void os_ram_fill(const struct os_ram *ram, uint64_t off, uint64_t len, int c)
{
    uint64_t s = off, e = off + len, re;

    if ( c )
    {
        memset(ram->base + off, c, len);
        return;
    }
    while ( os_ram_next_data(ram, &s, e, &re) )
    {
        clear_cold(ram->base + s, re - s);   /* whole pages: 64-byte multiples */
        s = re;
    }
}

void *os_map_sparse(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    if ( p == MAP_FAILED )
        return NULL;
    /*
     * With transparent huge pages set to "always", one write would make
     * 2 MiB resident: a frame table of scattered heads would cost GiBs.
     */
    madvise(p, bytes, MADV_NOHUGEPAGE);
    return p;
}

void os_unmap_sparse(void *p, size_t bytes)
{
    if ( p )
        munmap(p, bytes);
}

uint64_t os_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, rss = 0;

    if ( !f )
        return 0;
    if ( fscanf(f, "%lu %lu", &size, &rss) != 2 )
        rss = 0;
    fclose(f);
    return (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE);
}
