/*
 * guest_access.c - see guest_access.h.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "guest_access.h"

int guest_access_register(struct guest_access *ga, uint64_t gaddr, void *host,
                          size_t len)
{
    if ( !len || !host || !gaddr || gaddr + len < gaddr )
        return -EINVAL;
    if ( ga->nr >= GUEST_ACCESS_MAX_BUFS )
        return -ENOSPC;
    ga->buf[ga->nr++] = (struct guest_buf){ gaddr, host, len };
    return 0;
}

void guest_access_unregister(struct guest_access *ga, uint64_t gaddr)
{
    for ( unsigned int i = 0; i < ga->nr; i++ )
        if ( ga->buf[i].gaddr == gaddr )
        {
            ga->buf[i] = ga->buf[--ga->nr];
            return;
        }
}

/* The bytes behind [gaddr, gaddr + len), if one buffer holds them all. */
static void *guest_range(const struct guest_access *ga, uint64_t gaddr,
                         size_t len)
{
    if ( !len )
        return NULL;
    if ( !gaddr || gaddr + len < gaddr )
        return NULL;
    for ( unsigned int i = 0; i < ga->nr; i++ )
    {
        const struct guest_buf *b = &ga->buf[i];

        if ( gaddr >= b->gaddr && gaddr - b->gaddr <= b->len &&
             len <= b->len - (gaddr - b->gaddr) )
            return (uint8_t *)b->host + (gaddr - b->gaddr);
    }
    return NULL;
}

size_t copy_from_guest_raw(const struct guest_access *ga, void *dst,
                           uint64_t gaddr, size_t len)
{
    void *p;

    if ( !len )
        return 0;
    p = guest_range(ga, gaddr, len);
    if ( !p )
        return len;
    memcpy(dst, p, len);
    return 0;
}

size_t copy_to_guest_raw(const struct guest_access *ga, uint64_t gaddr,
                         const void *src, size_t len)
{
    void *p;

    if ( !len )
        return 0;
    p = guest_range(ga, gaddr, len);
    if ( !p )
        return len;
    memcpy(p, src, len);
    return 0;
}

bool guest_access_okay(const struct guest_access *ga, uint64_t gaddr,
                       uint64_t len)
{
    /* access_ok() of nothing is fine, wherever it points. */
    if ( !len )
        return true;
    if ( len > SIZE_MAX )
        return false;
    return guest_range(ga, gaddr, (size_t)len) != NULL;
}
