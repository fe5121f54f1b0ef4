/*
 * cpus.c - xl.cfg's "cpus=" (xl's cpurange_parse, Xen 4.17): a
 * comma-separated list of items, each one of
 *   all              every pCPU
 *   N or N-M         pCPUs
 *   node:N, nodes:N-M   every pCPU of those NUMA nodes
 * and any item prefixed with '^' removes instead of adding.  The result
 * is a hard-affinity bitmap (bit j = pCPU j).  An empty result is an
 * error, as xl makes it.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toolstack.h"

static int bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* "N" or "N-M"; 0 or -1. */
static int range(const char *s, unsigned long *a, unsigned long *b)
{
    char *end;

    if ( !isdigit((unsigned char)*s) )
        return -1;
    *a = strtoul(s, &end, 10);
    *b = *a;
    if ( *end == '-' )
    {
        s = end + 1;
        if ( !isdigit((unsigned char)*s) )
            return -1;
        *b = strtoul(s, &end, 10);
    }
    return *end || *b < *a ? -1 : 0;
}

static void set(uint8_t *map, unsigned int cpu, bool on)
{
    if ( on )
        map[cpu / 8] |= 1U << (cpu % 8);
    else
        map[cpu / 8] &= ~(1U << (cpu % 8));
}

int cpus_parse(const char *s, const struct topology *t, uint8_t *bitmap,
               char *err, size_t errlen)
{
    char *copy = strdup(s), *item, *save = NULL;
    unsigned int cpu, nr = 0;
    int rc = 0;

    if ( !copy )
        return bad(err, errlen, "out of memory");
    memset(bitmap, 0, TS_MAX_CPUS / 8);
    for ( item = strtok_r(copy, ",", &save); item && !rc;
          item = strtok_r(NULL, ",", &save) )
    {
        bool on = true;
        unsigned long a, b;

        if ( *item == '^' )
        {
            on = false;
            item++;
        }
        if ( !strcmp(item, "all") )
        {
            for ( cpu = 0; cpu < t->nr_cpus; cpu++ )
                set(bitmap, cpu, on);
        }
        else if ( !strncmp(item, "node:", 5) || !strncmp(item, "nodes:", 6) )
        {
            if ( range(strchr(item, ':') + 1, &a, &b) || b >= t->nr_nodes )
                rc = bad(err, errlen, "cpus=\"%s\": \"%s\" names no node of "
                         "the host's %u", s, item, t->nr_nodes);
            for ( cpu = 0; !rc && cpu < t->nr_cpus; cpu++ )
                if ( t->cpu_node[cpu] >= a && t->cpu_node[cpu] <= b )
                    set(bitmap, cpu, on);
        }
        else if ( range(item, &a, &b) || b >= t->nr_cpus )
            rc = bad(err, errlen, "cpus=\"%s\": \"%s\" is not a CPU or range "
                     "of the host's %u", s, item, t->nr_cpus);
        else
            for ( cpu = a; cpu <= b; cpu++ )
                set(bitmap, cpu, on);
    }
    free(copy);
    if ( rc )
        return rc;
    for ( cpu = 0; cpu < t->nr_cpus; cpu++ )
        nr += (bitmap[cpu / 8] >> (cpu % 8)) & 1;
    if ( !nr )
        return bad(err, errlen, "cpus=\"%s\" leaves no CPU", s);
    return 0;
}
