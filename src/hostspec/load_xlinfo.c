/*
 * src/hostspec/load_xlinfo.c - a host from the text `xl info -n` prints.
 *
 * The text is "key : value" lines (the key padded to 23 columns), plus
 * three tables introduced by an empty-valued key:
 *
 *   cpu_topology           :
 *   cpu:    core    socket     node
 *     0:       0        0        0
 *   device topology        :
 *   device           node
 *   0000:00:00.0      0
 *   numa_info              :
 *   node:    memsize    memfree    distances
 *      0:     67584      60672      10,21
 *
 * numa_info memsize is the node's *spanned* address space in MiB (Xen 4.17
 * reports node_spanned_pages), holes included; total_memory is RAM.  So
 * the RAM ranges are synthesized as: nodes laid out from address 0 in
 * order, each spanning memsize MiB, with one MMIO hole [4G - H, 4G) cut
 * out where H = sum(memsize) - total_memory, at most 3 GiB (1 GiB when
 * total_memory is absent).  xenmm's own `hostinfo` output reads back to
 * the same memory map.  Without numa_info (plain `xl info`) the host is
 * one node of total_memory RAM with the hole at [3G,4G); without
 * cpu_topology the CPUs come from nr_cpus, cores_per_socket and
 * threads_per_core.  xen_commandline options xenmm models are applied;
 * others are ignored.  Lines starting with '#' are comments (xl never
 * prints one; sample files use them).  Errors are "FILE:LINE: ...".
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostspec/internal.h"

#define MAX_HOLE (3ULL << 30)

enum hostspec_xl_table {
    XL_NONE,
    XL_CPU_HEADER,      /* after "cpu_topology :", expecting its header */
    XL_CPU,
    XL_NUMA_HEADER,
    XL_NUMA,
    XL_DEVICE,          /* device topology: skipped */
};

/* An optional scalar key: its value and the line it was on (0: absent). */
struct hostspec_xl_val {
    uint64_t v;
    unsigned int line;
};

struct hostspec_xl {
    const char *origin;
    struct hostspec *hs;
    char *err;
    size_t errlen;
    unsigned int line;
    enum hostspec_xl_table table;
    struct hostspec_xl_val nr_cpus, nr_nodes, cores_per_socket;
    struct hostspec_xl_val threads_per_core, total_memory;
    unsigned int cpu_table_line, numa_table_line;
    /* numa_info rows */
    unsigned int nr_numa;
    uint64_t memsize[HOSTSPEC_MAX_NODES];          /* bytes */
    unsigned int nr_dist[HOSTSPEC_MAX_NODES];
    unsigned int numa_line[HOSTSPEC_MAX_NODES];
    /* cpu_topology rows */
    unsigned int nr_cpu_rows;
    long last_cpu;
    unsigned int cpu_line[HOSTSPEC_MAX_CPUS];
};

static int hostspec_xl_fail(struct hostspec_xl *x, unsigned int line,
                            const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int hostspec_xl_fail(struct hostspec_xl *x, unsigned int line,
                            const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if ( line )
        return hostspec_err(x->err, x->errlen, "%s:%u: %s", x->origin, line,
                            msg);
    return hostspec_err(x->err, x->errlen, "%s: %s", x->origin, msg);
}

static char *hostspec_xl_trim(char *s)
{
    char *e;

    while ( isspace((unsigned char)*s) )
        s++;
    e = s + strlen(s);
    while ( e > s && isspace((unsigned char)e[-1]) )
        *--e = '\0';
    return s;
}

/* Split s into blank-separated words; returns how many (at most max). */
static unsigned int hostspec_xl_words(char *s, char **w, unsigned int max)
{
    unsigned int n = 0;
    char *save = NULL;

    for ( char *t = strtok_r(s, " \t", &save); t;
          t = strtok_r(NULL, " \t", &save) )
    {
        if ( n == max )
            return max + 1;
        w[n++] = t;
    }
    return n;
}

/* "  12:" -> 12: a table row starts with a number and a colon. */
static bool hostspec_xl_is_row(const char *s)
{
    while ( *s == ' ' || *s == '\t' )
        s++;
    if ( !isdigit((unsigned char)*s) )
        return false;
    while ( isdigit((unsigned char)*s) )
        s++;
    return *s == ':';
}

/* "2394.454" (MHz, as xl prints cpu_khz) -> 2394454 kHz. */
static int hostspec_xl_mhz(const char *s, uint32_t *khz)
{
    char ip[24];
    const char *dot = strchr(s, '.');
    uint64_t mhz, frac = 0;
    size_t n = dot ? (size_t)(dot - s) : strlen(s);

    if ( n == 0 || n >= sizeof(ip) )
        return -1;
    memcpy(ip, s, n);
    ip[n] = '\0';
    if ( hostspec_parse_uint(ip, UINT32_MAX / 1000, &mhz) )
        return -1;
    if ( dot )
    {
        unsigned int digits = 0;

        for ( const char *p = dot + 1; *p; p++, digits++ )
        {
            if ( !isdigit((unsigned char)*p) )
                return -1;
            if ( digits < 3 )
                frac = frac * 10 + (*p - '0');
        }
        if ( !digits )
            return -1;
        for ( ; digits < 3; digits++ )
            frac *= 10;
    }
    if ( mhz * 1000 + frac > UINT32_MAX )
        return -1;
    *khz = mhz * 1000 + frac;
    return 0;
}

static int hostspec_xl_numa_row(struct hostspec_xl *x, char *s)
{
    char *w[5], *save = NULL;
    unsigned int n = hostspec_xl_words(s, w, 4), node;
    uint64_t idx, memsize, memfree;

    if ( n != 4 )
        return hostspec_xl_fail(x, x->line, "numa_info row has %s%u fields; "
                                "expected \"node: memsize memfree "
                                "distances\"", n > 4 ? "more than " : "",
                                n > 4 ? 4 : n);
    w[0][strlen(w[0]) - 1] = '\0';               /* the ':' */
    if ( hostspec_parse_uint(w[0], UINT32_MAX, &idx) )
        return hostspec_xl_fail(x, x->line, "\"%s\" is not a node number",
                                w[0]);
    if ( idx != x->nr_numa )
        return hostspec_xl_fail(x, x->line, "node %" PRIu64 " where node %u "
                                "was expected (rows must be 0, 1, 2, ...)",
                                idx, x->nr_numa);
    if ( x->nr_numa >= HOSTSPEC_MAX_NODES )
        return hostspec_xl_fail(x, x->line, "more than %u nodes",
                                HOSTSPEC_MAX_NODES);
    if ( hostspec_parse_uint(w[1], 1ULL << 40, &memsize) )
        return hostspec_xl_fail(x, x->line, "memsize \"%s\" is not a number "
                                "of MiB", w[1]);
    if ( hostspec_parse_uint(w[2], 1ULL << 40, &memfree) )
        return hostspec_xl_fail(x, x->line, "memfree \"%s\" is not a number "
                                "of MiB", w[2]);
    node = x->nr_numa++;
    x->memsize[node] = memsize << 20;
    x->numa_line[node] = x->line;
    for ( char *t = strtok_r(w[3], ",", &save); t;
          t = strtok_r(NULL, ",", &save) )
    {
        uint64_t d;

        if ( x->nr_dist[node] >= HOSTSPEC_MAX_NODES )
            return hostspec_xl_fail(x, x->line, "more than %u distances",
                                    HOSTSPEC_MAX_NODES);
        /* xl prints the uint32 with %d: unreachable is -1. */
        if ( !strcmp(t, "-1") )
            d = HOSTSPEC_DISTANCE_UNREACHABLE;
        else if ( hostspec_parse_uint(t, UINT32_MAX, &d) )
            return hostspec_xl_fail(x, x->line, "distance \"%s\" is not a "
                                    "number", t);
        x->hs->distance[node][x->nr_dist[node]++] = d;
    }
    return 0;
}

static int hostspec_xl_cpu_row(struct hostspec_xl *x, char *s)
{
    char *w[5];
    unsigned int n = hostspec_xl_words(s, w, 4);
    uint64_t v[4];
    struct hostspec_cpu *c;

    if ( n != 4 )
        return hostspec_xl_fail(x, x->line, "cpu_topology row has %s%u "
                                "fields; expected \"cpu: core socket node\"",
                                n > 4 ? "more than " : "", n > 4 ? 4 : n);
    w[0][strlen(w[0]) - 1] = '\0';
    for ( unsigned int i = 0; i < 4; i++ )
        if ( hostspec_parse_uint(w[i], UINT32_MAX - 1, &v[i]) )
            return hostspec_xl_fail(x, x->line, "\"%s\" is not a number",
                                    w[i]);
    if ( (long)v[0] <= x->last_cpu )
        return hostspec_xl_fail(x, x->line, "cpu %" PRIu64 " after cpu %ld "
                                "(rows must ascend)", v[0], x->last_cpu);
    if ( x->nr_cpu_rows >= HOSTSPEC_MAX_CPUS )
        return hostspec_xl_fail(x, x->line, "more than %u CPUs",
                                HOSTSPEC_MAX_CPUS);
    x->last_cpu = v[0];
    x->cpu_line[x->nr_cpu_rows] = x->line;
    c = &x->hs->cpu[x->nr_cpu_rows++];
    c->core = v[1];
    c->socket = v[2];
    c->node = v[3];
    return 0;
}

/* The header line of a table: its words must be exactly these. */
static int hostspec_xl_header(struct hostspec_xl *x, char *s,
                              const char *const *want, const char *table)
{
    char *w[5];
    unsigned int n = hostspec_xl_words(s, w, 4);

    for ( unsigned int i = 0; i < 4; i++ )
        if ( n != 4 || strcmp(w[i], want[i]) )
            return hostspec_xl_fail(x, x->line, "expected the %s header "
                                    "\"%s %s %s %s\"", table, want[0],
                                    want[1], want[2], want[3]);
    return 0;
}

static int hostspec_xl_scalar(struct hostspec_xl *x, const char *key,
                              const char *val, struct hostspec_xl_val *out,
                              uint64_t max)
{
    if ( out->line )
        return hostspec_xl_fail(x, x->line, "%s given twice (first on line "
                                "%u)", key, out->line);
    if ( hostspec_parse_uint(val, max, &out->v) )
        return hostspec_xl_fail(x, x->line, "%s: \"%s\" is not a number",
                                key, val);
    out->line = x->line;
    return 0;
}

static int hostspec_xl_table_start(struct hostspec_xl *x, const char *key,
                                   const char *val, unsigned int *seen,
                                   enum hostspec_xl_table next)
{
    if ( *val )
        return hostspec_xl_fail(x, x->line, "%s: expected nothing after the "
                                "colon, found \"%s\"", key, val);
    if ( *seen )
        return hostspec_xl_fail(x, x->line, "a second %s table (first on "
                                "line %u)", key, *seen);
    *seen = x->line;
    x->table = next;
    return 0;
}

/* One "key : value" line outside the tables. */
static int hostspec_xl_keyval(struct hostspec_xl *x, char *s)
{
    char *colon = strchr(s, ':'), *key, *val;
    struct hostspec *hs = x->hs;

    if ( !colon )
        return hostspec_xl_fail(x, x->line, "\"%.40s\" is not a \"key : "
                                "value\" line of `xl info`", s);
    *colon = '\0';
    key = hostspec_xl_trim(s);
    val = hostspec_xl_trim(colon + 1);

    if ( !strcmp(key, "cpu_topology") )
        return hostspec_xl_table_start(x, key, val, &x->cpu_table_line,
                                       XL_CPU_HEADER);
    if ( !strcmp(key, "numa_info") )
        return hostspec_xl_table_start(x, key, val, &x->numa_table_line,
                                       XL_NUMA_HEADER);
    if ( !strcmp(key, "device topology") )
    {
        x->table = XL_DEVICE;
        return 0;
    }
    if ( !strcmp(key, "host") )
    {
        snprintf(hs->name, sizeof(hs->name), "%s", val);
        return 0;
    }
    if ( !strcmp(key, "nr_cpus") )
        return hostspec_xl_scalar(x, key, val, &x->nr_cpus,
                                  HOSTSPEC_MAX_CPUS);
    if ( !strcmp(key, "nr_nodes") )
        return hostspec_xl_scalar(x, key, val, &x->nr_nodes,
                                  HOSTSPEC_MAX_NODES);
    if ( !strcmp(key, "cores_per_socket") )
        return hostspec_xl_scalar(x, key, val, &x->cores_per_socket,
                                  HOSTSPEC_MAX_CPUS);
    if ( !strcmp(key, "threads_per_core") )
        return hostspec_xl_scalar(x, key, val, &x->threads_per_core,
                                  HOSTSPEC_MAX_CPUS);
    if ( !strcmp(key, "total_memory") )
        return hostspec_xl_scalar(x, key, val, &x->total_memory, 1ULL << 40);
    if ( !strcmp(key, "cpu_mhz") )
    {
        if ( hostspec_xl_mhz(val, &hs->cpu_khz) )
            return hostspec_xl_fail(x, x->line, "cpu_mhz: \"%s\" is not "
                                    "MHz like 2394.454", val);
        return 0;
    }
    if ( !strcmp(key, "xen_commandline") )
    {
        if ( hostspec_set_xen_cmdline(hs, val, true, x->err, x->errlen) )
        {
            char msg[256];

            snprintf(msg, sizeof(msg), "%s", x->err);
            return hostspec_xl_fail(x, x->line, "xen_commandline: %s", msg);
        }
        return 0;
    }
    /* Everything else (release, hw_caps, free_memory, ...) is not ours. */
    return 0;
}

static int hostspec_xl_line(struct hostspec_xl *x, char *s)
{
    static const char *const cpu_hdr[] = { "cpu:", "core", "socket", "node" };
    static const char *const numa_hdr[] = {
        "node:", "memsize", "memfree", "distances"
    };

    switch ( x->table )
    {
    case XL_CPU_HEADER:
        x->table = XL_CPU;
        return hostspec_xl_header(x, s, cpu_hdr, "cpu_topology");
    case XL_NUMA_HEADER:
        x->table = XL_NUMA;
        return hostspec_xl_header(x, s, numa_hdr, "numa_info");
    case XL_CPU:
        if ( hostspec_xl_is_row(s) )
            return hostspec_xl_cpu_row(x, s);
        break;
    case XL_NUMA:
        if ( hostspec_xl_is_row(s) )
            return hostspec_xl_numa_row(x, s);
        break;
    case XL_DEVICE:
    {
        /* Rows ("0000:00:1f.0  0"), header, "No device topology ..." */
        const char *p = s;

        while ( islower((unsigned char)*p) || *p == '_' )
            p++;
        while ( *p == ' ' )
            p++;
        if ( p == s || *p != ':' )
            return 0;
        break;
    }
    case XL_NONE:
        break;
    }
    x->table = XL_NONE;
    return hostspec_xl_keyval(x, s);
}

/* After the text: RAM ranges and distances from numa_info/total_memory. */
static int hostspec_xl_nodes(struct hostspec_xl *x)
{
    struct hostspec *hs = x->hs;
    uint64_t span = 0, hole = HOSTSPEC_GIB;

    if ( !x->nr_numa )
    {
        uint64_t ram;

        if ( x->numa_table_line )
            return hostspec_xl_fail(x, x->numa_table_line, "numa_info table "
                                    "has no rows");
        if ( !x->total_memory.line )
            return hostspec_xl_fail(x, 0, "no numa_info table and no "
                                    "total_memory: is this `xl info -n` "
                                    "output?");
        if ( x->nr_nodes.line && x->nr_nodes.v != 1 )
            return hostspec_xl_fail(x, x->nr_nodes.line, "nr_nodes is %"
                                    PRIu64 " but there is no numa_info table "
                                    "(use `xl info -n`)", x->nr_nodes.v);
        ram = x->total_memory.v << 20;
        hostspec_uniform_distances(hs, HOSTSPEC_DIST_REMOTE);
        return hostspec_synth_ranges(hs, &ram, 1, false, 3 * HOSTSPEC_GIB,
                                     x->err, x->errlen)
               ? hostspec_err_prefix(x->err, x->errlen, x->origin) : 0;
    }

    if ( x->nr_nodes.line && x->nr_nodes.v != x->nr_numa )
        return hostspec_xl_fail(x, x->nr_nodes.line, "nr_nodes is %" PRIu64
                                " but numa_info lists %u nodes",
                                x->nr_nodes.v, x->nr_numa);
    for ( unsigned int i = 0; i < x->nr_numa; i++ )
    {
        if ( x->nr_dist[i] != x->nr_numa )
            return hostspec_xl_fail(x, x->numa_line[i], "node %u has %u "
                                    "distance%s but there are %u nodes", i,
                                    x->nr_dist[i],
                                    x->nr_dist[i] == 1 ? "" : "s",
                                    x->nr_numa);
        span += x->memsize[i];
    }
    if ( x->total_memory.line )
    {
        uint64_t ram = x->total_memory.v << 20;

        hole = span > ram ? span - ram : 0;
        if ( hole > MAX_HOLE )
            hole = MAX_HOLE;
    }
    if ( hostspec_synth_ranges(hs, x->memsize, x->nr_numa, true,
                               HOSTSPEC_4GIB - hole, x->err, x->errlen) )
        return hostspec_err_prefix(x->err, x->errlen, x->origin);
    return 0;
}

static int hostspec_xl_cpus(struct hostspec_xl *x)
{
    struct hostspec *hs = x->hs;
    uint64_t nr, threads, cores;

    if ( x->nr_cpu_rows )
    {
        if ( x->nr_cpus.line && x->nr_cpus.v != x->nr_cpu_rows )
            return hostspec_xl_fail(x, x->nr_cpus.line, "nr_cpus is %" PRIu64
                                    " but cpu_topology lists %u CPUs",
                                    x->nr_cpus.v, x->nr_cpu_rows);
        for ( unsigned int i = 0; i < x->nr_cpu_rows; i++ )
            if ( hs->cpu[i].node >= hs->nr_nodes )
                return hostspec_xl_fail(x, x->cpu_line[i], "node %u is not "
                                        "in numa_info (%u node%s)",
                                        hs->cpu[i].node, hs->nr_nodes,
                                        hs->nr_nodes == 1 ? "" : "s");
        hs->nr_cpus = x->nr_cpu_rows;
        return 0;
    }
    if ( x->cpu_table_line )
        return hostspec_xl_fail(x, x->cpu_table_line, "cpu_topology table "
                                "has no rows");
    if ( !x->nr_cpus.line || !x->nr_cpus.v )
        return hostspec_xl_fail(x, 0, "no cpu_topology table and no "
                                "nr_cpus");
    nr = x->nr_cpus.v;
    threads = x->threads_per_core.line ? x->threads_per_core.v : 1;
    cores = x->cores_per_socket.line ? x->cores_per_socket.v : nr / threads;
    if ( !threads || !cores || nr % (threads * cores) )
        return hostspec_xl_fail(x, x->nr_cpus.line, "nr_cpus %" PRIu64 " is "
                                "not a multiple of cores_per_socket %" PRIu64
                                " x threads_per_core %" PRIu64, nr, cores,
                                threads);
    if ( hostspec_place_cpus(hs, nr / (threads * cores), cores, threads,
                             x->err, x->errlen) )
        return hostspec_err_prefix(x->err, x->errlen, x->origin);
    return 0;
}

int hostspec_load_xlinfo_string(const char *text, const char *origin,
                                struct hostspec *hs, char *err,
                                size_t errlen)
{
    struct hostspec_xl *x = calloc(1, sizeof(*x));
    char *copy = strdup(text), *p, *nl;
    int rc = -1;

    hostspec_reset(hs);
    if ( !x || !copy )
    {
        hostspec_err(err, errlen, "%s: out of memory", origin);
        goto out;
    }
    *x = (struct hostspec_xl){ .origin = origin, .hs = hs, .err = err,
                               .errlen = errlen, .last_cpu = -1 };
    for ( p = copy; p; p = nl )
    {
        size_t n;

        nl = strchr(p, '\n');
        if ( nl )
            *nl++ = '\0';
        x->line++;
        n = strlen(p);
        if ( n && p[n - 1] == '\r' )
            p[n - 1] = '\0';
        /* Blank lines, and '#' comments (xl never prints one). */
        if ( !*hostspec_xl_trim(p) || *hostspec_xl_trim(p) == '#' )
            continue;
        if ( hostspec_xl_line(x, p) )
            goto out;
    }
    if ( x->table == XL_CPU_HEADER || x->table == XL_NUMA_HEADER )
    {
        hostspec_xl_fail(x, x->table == XL_CPU_HEADER ? x->cpu_table_line
                                                      : x->numa_table_line,
                         "the text ends before the table header");
        goto out;
    }
    if ( !hs->name[0] )
        hostspec_name_from_path(origin, hs->name, sizeof(hs->name));
    snprintf(hs->description, sizeof(hs->description),
             "from `xl info -n` text (%s)", origin);
    if ( hostspec_xl_nodes(x) || hostspec_xl_cpus(x) )
        goto out;
    rc = hostspec_validate_as(hs, origin, err, errlen);
 out:
    free(copy);
    free(x);
    return rc;
}

int hostspec_load_xlinfo(const char *path, struct hostspec *hs, char *err,
                         size_t errlen)
{
    char *text;
    int rc;

    if ( hostspec_read_file(path, &text, err, errlen) )
        return -1;
    rc = hostspec_load_xlinfo_string(text, path, hs, err, errlen);
    free(text);
    return rc;
}
