/*
 * parse.c - the string parsing of xenguest, free of I/O so that
 * tests/xenguest/ can check it: xenstore values (XenServer's
 * xenstore_get and hvmloader_flag rules), vCPU affinity strings, CPUID
 * featuresets, PCI SBDFs and sysfs resource files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pci.h"
#include "xenguest.h"

uint64_t xg_parse_value(const char *s, bool *valid)
{
    uint64_t v;

    if ( valid )
        *valid = s != NULL;
    if ( !s )
        return 0;
    if ( !strcasecmp(s, "true") )
        return 1;
    if ( !strcasecmp(s, "false") )
        return 0;
    errno = 0;
    v = strtoull(s, NULL, 0);
    if ( errno )
    {
        if ( valid )
            *valid = false;
        return 0;
    }
    return v;
}

int xg_hvmloader_value(const char *s, bool *rewrite)
{
    long v;

    *rewrite = false;
    if ( !strcmp(s, "1") )
        return 1;
    if ( !strcmp(s, "0") )
        return 0;
    *rewrite = true;
    if ( !strcasecmp(s, "true") )
        return 1;
    errno = 0;
    v = strtol(s, NULL, 0);
    return errno ? 0 : (int)v;
}

void xg_affinity_to_cpumap(const char *s, uint8_t *map, unsigned int nbits)
{
    size_t len = strlen(s);
    unsigned int n = len < nbits ? (unsigned int)len : nbits;

    for ( unsigned int j = 0; j < n; j++ )
        if ( s[j] == '1' )
            map[j / 8] |= 1U << (j % 8);
}

int xg_parse_featureset(const char *s, uint32_t *fs, unsigned int nr,
                        char *err, size_t errlen)
{
    const char *p = s;
    unsigned int i = 0;

    memset(fs, 0, nr * sizeof(*fs));
    while ( *p != '\0' )
    {
        unsigned long val;
        char *e;

        errno = 0;
        val = strtoul(p, &e, 16);
        if ( errno || val > UINT32_MAX || e == p ||
             !(*e == '\0' || *e == '-' || *e == ':') )
        {
            snprintf(err, errlen, "Bad '%s' in featureset", p);
            return -1;
        }
        if ( i < nr )
            fs[i++] = val;
        else if ( val )
        {
            snprintf(err, errlen,
                     "Requested featureset '%s' truncated on this host", s);
            return -1;
        }
        p = e;
        if ( *p == '-' || *p == ':' )
            p++;
    }
    return 0;
}

int xg_parse_sbdf(const char *s, unsigned int *seg, unsigned int *bus,
                  unsigned int *dev, unsigned int *func)
{
    char *p;
    unsigned long a = strtoul(s, &p, 16), b, c, f;

    if ( *p != ':' )
        return -1;
    b = strtoul(p + 1, &p, 16);
    if ( *p == ':' )
        c = strtoul(p + 1, &p, 16);
    else
    {
        /* "bus:dev.func": segment 0. */
        c = b;
        b = a;
        a = 0;
    }
    if ( *p != '.' )
        return -1;
    f = strtoul(p + 1, &p, 0);
    *seg = a;
    *bus = b;
    *dev = c;
    *func = f;
    return 0;
}

int xg_parse_resource(const char *text, uint64_t *total, char *err,
                      size_t errlen)
{
    const char *line = text;

    *total = 0;
    for ( unsigned int i = 0; i < 7 && *line; i++ )
    {
        unsigned long long start, end, flags;
        const char *nl = strchr(line, '\n');

        if ( sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3 )
        {
            snprintf(err, errlen, "Syntax error in resource line %u", i);
            return -1;
        }
        if ( start )
            *total += end - start + 1;
        if ( !nl )
            break;
        line = nl + 1;
    }
    return 0;
}
