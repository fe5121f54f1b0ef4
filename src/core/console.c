/*
 * console.c - Xen's console ring: printk() appends a line, as Xen's
 * conring, so tests and tools can read what the hypervisor said (the
 * "out of PoD memory" message, domain crashes) and XEN_SYSCTL_readconsole
 * can return it.  The ring keeps the newest conring_size bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

#define CONRING_SIZE (64 * 1024)

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
        h->conring = calloc(1, CONRING_SIZE);
        h->conring_size = h->conring ? CONRING_SIZE : 0;
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
