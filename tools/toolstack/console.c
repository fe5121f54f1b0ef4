/*
 * console.c - a debug key's output, as `xl dmesg -c; xl debug-keys K;
 * xl dmesg` gets it: XEN_SYSCTL_readconsole with clear until the ring is
 * empty, XEN_SYSCTL_debug_keys, then readconsole again, incrementally,
 * until nothing is left.  A dump larger than the console ring loses its
 * beginning; that is detected (the output must start with what the key
 * prints first) and reported with the ring size to ask for (Xen's
 * conring_size= boot option; `xenmm run` sets it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toolstack.h"

#define CHUNK (1U << 20)

/* The first bytes each key prints (an empty 'D' dump is fine too). */
static const char *first_line(char key)
{
    switch ( key )
    {
    case 'u': return "'u' pressed -> dumping numa info";
    case 'H': return "'H' pressed -> dumping heap info";
    case 'D': return "\ndomain";
    default: return "";
    }
}

char *debug_key_output(xc_interface *xch, char key, char *err, size_t errlen)
{
    char *chunk = malloc(CHUNK), *out = NULL, keys[2] = { key, '\0' };
    size_t len = 0, cap = 0;
    unsigned int nr, index = 0;
    const char *want = first_line(key);

    if ( !chunk )
        goto nomem;
    /* xl dmesg -c: read and clear until empty. */
    do {
        nr = CHUNK;
        if ( xc_readconsolering(xch, chunk, &nr, 1, 0, NULL) )
        {
            snprintf(err, errlen, "readconsole: %s", strerror(errno));
            goto fail;
        }
    } while ( nr == CHUNK );
    if ( xc_send_debug_keys(xch, keys) )
    {
        snprintf(err, errlen, "debug_keys %c: %s", key, strerror(errno));
        goto fail;
    }
    for ( bool first = true; ; first = false )
    {
        nr = CHUNK;
        if ( xc_readconsolering(xch, chunk, &nr, 0, !first, &index) )
        {
            snprintf(err, errlen, "readconsole: %s", strerror(errno));
            goto fail;
        }
        if ( len + nr + 1 > cap )
        {
            char *n = realloc(out, cap + nr + CHUNK);

            if ( !n )
                goto nomem;
            out = n;
            cap += nr + CHUNK;
        }
        memcpy(out + len, chunk, nr);
        len += nr;
        if ( nr == 0 )
            break;
    }
    if ( !out && !(out = malloc(1)) )
        goto nomem;
    out[len] = '\0';
    if ( len && strncmp(out, want, strlen(want)) )
    {
        snprintf(err, errlen, "debug key '%c' printed %zu bytes, more than "
                 "the console ring keeps (boot Xen with a larger "
                 "conring_size=)", key, len);
        goto fail;
    }
    free(chunk);
    return out;

 nomem:
    snprintf(err, errlen, "out of memory");
 fail:
    free(chunk);
    free(out);
    return NULL;
}
