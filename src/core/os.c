/*
 * os.c - RAM backing and sparse mappings (see os.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

bool os_ram_next_data(const struct os_ram *ram, uint64_t *start, uint64_t end,
                      uint64_t *run_end)
{
    off_t d, e;

    if ( *start >= end )
        return false;
    if ( ram->fd < 0 )
    {
        /* Anonymous RAM: assume everything may be written. */
        *run_end = end;
        return true;
    }
    d = lseek(ram->fd, (off_t)*start, SEEK_DATA);
    if ( d < 0 || (uint64_t)d >= end )
        return false;   /* ENXIO: no data past start */
    e = lseek(ram->fd, d, SEEK_HOLE);
    if ( e < 0 || (uint64_t)e > end )
        e = (off_t)end;
    *start = (uint64_t)d;
    *run_end = (uint64_t)e;
    return true;
}

void *os_map_sparse(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    return p == MAP_FAILED ? NULL : p;
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
