/*
 * console.c - Xen's console ring: printk() appends a line, as Xen's
 * conring, so tests and tools can read what the hypervisor said (the
 * "out of PoD memory" message, domain crashes) and XEN_SYSCTL_readconsole
 * can return it.  The ring keeps the newest conring_size bytes.
 *
 * Its size is console_init_ring's: the conring_size= boot option, or by
 * default num_present_cpus() << (9 + xenlog_lower_thresh), where a
 * release build's lower threshold is 2; at least the 16 KiB boot ring,
 * rounded up to a power-of-two number of pages: 128 KiB for 64 CPUs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

#define _CONRING_SIZE          16384
#define XENLOG_LOWER_THRESHOLD 2

static size_t conring_init_size(const struct host *h)
{
    size_t want = h->spec->xen.conring_size;
    size_t size = PAGE_SIZE;

    if ( !want )
        want = (size_t)h->spec->nr_cpus << (9 + XENLOG_LOWER_THRESHOLD);

    if ( want < _CONRING_SIZE )
        want = _CONRING_SIZE;
    while ( size < want )           /* PAGE_SIZE << get_order_from_bytes() */
        size <<= 1;
    return size;
}

void printk(struct host *h, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if ( n < 0 )
        return;
    if ( (size_t)n >= sizeof(line) )
        n = sizeof(line) - 1;

    pthread_mutex_lock(&h->console_lock);
    if ( !h->conring )
    {
        size_t size = conring_init_size(h);

        h->conring = calloc(1, size);
        h->conring_size = h->conring ? size : 0;
    }
    for ( int i = 0; i < n && h->conring_size; i++ )
        h->conring[h->conring_prod++ % h->conring_size] = line[i];
    pthread_mutex_unlock(&h->console_lock);
}

size_t console_read(struct host *h, size_t *pos, char *buf, size_t len)
{
    size_t n = 0;

    pthread_mutex_lock(&h->console_lock);
    /* Bytes older than the ring are gone: start at the oldest kept. */
    if ( h->conring_prod > h->conring_size &&
         *pos < h->conring_prod - h->conring_size )
        *pos = h->conring_prod - h->conring_size;
    while ( n < len && *pos < h->conring_prod )
        buf[n++] = h->conring[(*pos)++ % h->conring_size];
    pthread_mutex_unlock(&h->console_lock);
    return n;
}
