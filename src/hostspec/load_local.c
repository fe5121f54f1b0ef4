/*
 * src/hostspec/load_local.c - this machine, from Linux's sysfs and procfs
 * under SYSROOT (default "/"; tests point it at a fake tree):
 *
 *   sys/devices/system/node/nodeN/meminfo    "Node N MemTotal: K kB"
 *   sys/devices/system/node/nodeN/distance   "10 21"
 *   sys/devices/system/node/nodeN/cpulist    "0-15,32-47"
 *   sys/devices/system/cpu/cpuN/topology/{core_id,physical_package_id}
 *   sys/devices/system/cpu/cpuN/online       "0" for an offline CPU
 *   proc/meminfo                             MemTotal, when there is no node
 *   proc/cpuinfo                             "cpu MHz", optional
 *   proc/sys/kernel/hostname, etc/hostname   the name, optional
 *
 * Node and CPU numbers are made dense in ascending order (node0, node2 ->
 * nodes 0, 1).  MemTotal, rounded down to whole MiB, is each node's RAM,
 * laid out as presets are: from 0 in node order around the hole [3G,4G).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostspec/internal.h"

#define LOCAL_MAX_CPU_ID 65536       /* cpu ids beyond this are refused */
#define LOCAL_FILE_MAX   65536

struct hostspec_local {
    const char *root;
    char origin[128];
    struct hostspec *hs;
    char *err;
    size_t errlen;
    unsigned int nr_node_ids;
    unsigned int node_id[HOSTSPEC_MAX_NODES];   /* dense index -> nodeN */
    int *cpu_node;                              /* cpu id -> dense node */
};

static void hostspec_local_path(const struct hostspec_local *l, char *buf,
                                size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void hostspec_local_path(const struct hostspec_local *l, char *buf,
                                size_t len, const char *fmt, ...)
{
    size_t n = strlen(l->root);
    va_list ap;
    int off;

    while ( n > 1 && l->root[n - 1] == '/' )
        n--;
    off = snprintf(buf, len, "%.*s%s", (int)n, l->root,
                   n == 1 && l->root[0] == '/' ? "" : "/");
    if ( off < 0 || (size_t)off >= len )
        return;
    va_start(ap, fmt);
    vsnprintf(buf + off, len - off, fmt, ap);
    va_end(ap);
}

/* Read a small file; -1 (errno set) when it cannot be opened. */
static int hostspec_local_read(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if ( !f )
        return -1;
    n = fread(buf, 1, len - 1, f);
    fclose(f);
    buf[n] = '\0';
    return 0;
}

/* The numbers N of the entries PREFIX<N> of a directory, sorted. */
static int hostspec_local_ids(const char *dir, const char *prefix,
                              unsigned int **ids, unsigned int *nr)
{
    DIR *d = opendir(dir);
    size_t plen = strlen(prefix), cap = 0;
    struct dirent *e;

    *ids = NULL;
    *nr = 0;
    if ( !d )
        return -1;
    while ( (e = readdir(d)) )
    {
        const char *num = e->d_name + plen;
        uint64_t v;

        if ( strncmp(e->d_name, prefix, plen) ||
             hostspec_parse_uint(num, LOCAL_MAX_CPU_ID, &v) ||
             !isdigit((unsigned char)*num) || (num[0] == '0' && num[1]) )
            continue;
        if ( *nr == cap )
        {
            unsigned int *n;

            cap = cap ? cap * 2 : 64;
            n = realloc(*ids, cap * sizeof(**ids));
            if ( !n )
            {
                closedir(d);
                free(*ids);
                *ids = NULL;
                errno = ENOMEM;
                return -1;
            }
            *ids = n;
        }
        (*ids)[(*nr)++] = v;
    }
    closedir(d);
    for ( unsigned int i = 1; i < *nr; i++ )
        for ( unsigned int j = i; j && (*ids)[j - 1] > (*ids)[j]; j-- )
        {
            unsigned int t = (*ids)[j];

            (*ids)[j] = (*ids)[j - 1];
            (*ids)[j - 1] = t;
        }
    return 0;
}

/* "... MemTotal:  4024524 kB" somewhere in text -> bytes, whole MiB. */
static int hostspec_local_memtotal(const char *text, uint64_t *bytes)
{
    const char *p = strstr(text, "MemTotal:");
    uint64_t kb = 0;

    if ( !p )
        return -1;
    p += strlen("MemTotal:");
    while ( *p == ' ' || *p == '\t' )
        p++;
    if ( !isdigit((unsigned char)*p) )
        return -1;
    for ( ; isdigit((unsigned char)*p); p++ )
    {
        if ( kb > (1ULL << 50) )
            return -1;
        kb = kb * 10 + (*p - '0');
    }
    while ( *p == ' ' )
        p++;
    if ( strncmp(p, "kB", 2) )
        return -1;
    *bytes = (kb << 10) & ~(HOSTSPEC_MIB - 1);
    return 0;
}

/* "0-3,8,10-11\n": mark each CPU as on node. */
static int hostspec_local_cpulist(struct hostspec_local *l, const char *path,
                                  char *text, unsigned int node)
{
    char *save = NULL;

    for ( char *t = strtok_r(text, ",\n", &save); t;
          t = strtok_r(NULL, ",\n", &save) )
    {
        char tok[64], *dash;
        uint64_t lo, hi;

        snprintf(tok, sizeof(tok), "%s", t);
        dash = strchr(t, '-');
        if ( dash )
            *dash = '\0';
        if ( hostspec_parse_uint(t, LOCAL_MAX_CPU_ID - 1, &lo) ||
             hostspec_parse_uint(dash ? dash + 1 : t, LOCAL_MAX_CPU_ID - 1,
                                 &hi) || hi < lo )
            return hostspec_err(l->err, l->errlen, "%s: \"%s\" is not a CPU "
                                "list like 0-3,8", path, tok);
        for ( uint64_t c = lo; c <= hi; c++ )
            l->cpu_node[c] = node;
    }
    return 0;
}

static int hostspec_local_node(struct hostspec_local *l, unsigned int i,
                               uint64_t *ram)
{
    unsigned int id = l->node_id[i], nr = l->nr_node_ids, n = 0;
    char path[512], *text = malloc(LOCAL_FILE_MAX), *save = NULL;
    int rc = -1;

    if ( !text )
        return hostspec_err(l->err, l->errlen, "out of memory");
    hostspec_local_path(l, path, sizeof(path),
                        "sys/devices/system/node/node%u/meminfo", id);
    if ( hostspec_local_read(path, text, LOCAL_FILE_MAX) )
    {
        hostspec_err(l->err, l->errlen, "%s: cannot open: %s", path,
                     strerror(errno));
        goto out;
    }
    if ( hostspec_local_memtotal(text, ram) )
    {
        hostspec_err(l->err, l->errlen, "%s: no \"MemTotal: N kB\" line",
                     path);
        goto out;
    }

    hostspec_local_path(l, path, sizeof(path),
                        "sys/devices/system/node/node%u/distance", id);
    if ( !hostspec_local_read(path, text, LOCAL_FILE_MAX) )
    {
        for ( char *t = strtok_r(text, " \t\n", &save); t;
              t = strtok_r(NULL, " \t\n", &save) )
        {
            uint64_t d;

            if ( n == nr || hostspec_parse_uint(t, UINT32_MAX, &d) )
            {
                hostspec_err(l->err, l->errlen, "%s: expected %u distances",
                             path, nr);
                goto out;
            }
            l->hs->distance[i][n++] = d;
        }
        if ( n != nr )
        {
            hostspec_err(l->err, l->errlen, "%s: %u distances for %u nodes",
                         path, n, nr);
            goto out;
        }
    }

    hostspec_local_path(l, path, sizeof(path),
                        "sys/devices/system/node/node%u/cpulist", id);
    if ( !hostspec_local_read(path, text, LOCAL_FILE_MAX) &&
         hostspec_local_cpulist(l, path, text, i) )
        goto out;
    rc = 0;
 out:
    free(text);
    return rc;
}

static int hostspec_local_nodes(struct hostspec_local *l)
{
    uint64_t ram[HOSTSPEC_MAX_NODES];
    unsigned int *ids, nr;
    char path[512], text[8192];

    hostspec_uniform_distances(l->hs, HOSTSPEC_DIST_REMOTE);
    hostspec_local_path(l, path, sizeof(path), "sys/devices/system/node");
    if ( hostspec_local_ids(path, "node", &ids, &nr) && errno == ENOMEM )
        return hostspec_err(l->err, l->errlen, "out of memory");
    if ( nr > HOSTSPEC_MAX_NODES )
    {
        free(ids);
        return hostspec_err(l->err, l->errlen, "%s: %u nodes; xenmm models "
                            "at most %u", path, nr, HOSTSPEC_MAX_NODES);
    }
    l->nr_node_ids = nr;
    for ( unsigned int i = 0; i < nr; i++ )
        l->node_id[i] = ids[i];
    free(ids);

    if ( !nr )
    {
        /* No NUMA in sysfs: one node with all of /proc/meminfo. */
        hostspec_local_path(l, path, sizeof(path), "proc/meminfo");
        if ( hostspec_local_read(path, text, sizeof(text)) )
            return hostspec_err(l->err, l->errlen, "%s: cannot open: %s "
                                "(and no sys/devices/system/node)", path,
                                strerror(errno));
        if ( hostspec_local_memtotal(text, &ram[0]) )
            return hostspec_err(l->err, l->errlen, "%s: no \"MemTotal: N "
                                "kB\" line", path);
        nr = 1;
    }
    else
        for ( unsigned int i = 0; i < nr; i++ )
            if ( hostspec_local_node(l, i, &ram[i]) )
                return -1;
    if ( hostspec_synth_ranges(l->hs, ram, nr, false, 3 * HOSTSPEC_GIB,
                               l->err, l->errlen) )
        return hostspec_err_prefix(l->err, l->errlen, l->origin);
    return 0;
}

/* A sysfs integer file; -1 if absent or not a number. */
static int hostspec_local_int(const char *path, long *out)
{
    char buf[64], *end;

    if ( hostspec_local_read(path, buf, sizeof(buf)) )
        return -1;
    errno = 0;
    *out = strtol(buf, &end, 10);
    if ( errno || end == buf || (*end && *end != '\n') )
        return -1;
    return 0;
}

static int hostspec_local_cpus(struct hostspec_local *l)
{
    struct hostspec *hs = l->hs;
    unsigned int *ids, nr, n = 0;
    char path[512];

    hostspec_local_path(l, path, sizeof(path), "sys/devices/system/cpu");
    if ( hostspec_local_ids(path, "cpu", &ids, &nr) )
        return hostspec_err(l->err, l->errlen, "%s: cannot read: %s", path,
                            strerror(errno));
    for ( unsigned int i = 0; i < nr; i++ )
    {
        long online, core, socket;

        hostspec_local_path(l, path, sizeof(path),
                            "sys/devices/system/cpu/cpu%u/online", ids[i]);
        if ( !hostspec_local_int(path, &online) && !online )
            continue;
        if ( n == HOSTSPEC_MAX_CPUS )
        {
            free(ids);
            return hostspec_err(l->err, l->errlen, "%s: more than %u CPUs "
                                "online", l->origin, HOSTSPEC_MAX_CPUS);
        }
        hostspec_local_path(l, path, sizeof(path),
                            "sys/devices/system/cpu/cpu%u/topology/core_id",
                            ids[i]);
        if ( hostspec_local_int(path, &core) || core < 0 )
            core = n;
        hostspec_local_path(l, path, sizeof(path),
                            "sys/devices/system/cpu/cpu%u/topology/"
                            "physical_package_id", ids[i]);
        if ( hostspec_local_int(path, &socket) || socket < 0 )
            socket = 0;
        hs->cpu[n].core = core;
        hs->cpu[n].socket = socket;
        hs->cpu[n].node = l->cpu_node[ids[i]] >= 0 ? l->cpu_node[ids[i]] : 0;
        n++;
    }
    free(ids);
    if ( !n )
    {
        hostspec_local_path(l, path, sizeof(path), "sys/devices/system/cpu");
        return hostspec_err(l->err, l->errlen, "%s: no online cpuN "
                            "directories", path);
    }
    hs->nr_cpus = n;
    return 0;
}

/* Optional facts: the name and the clock. */
static void hostspec_local_extras(struct hostspec_local *l)
{
    struct hostspec *hs = l->hs;
    char path[512], buf[256];
    FILE *f;

    snprintf(hs->name, sizeof(hs->name), "local");
    hostspec_local_path(l, path, sizeof(path), "proc/sys/kernel/hostname");
    if ( hostspec_local_read(path, buf, sizeof(buf)) )
        hostspec_local_path(l, path, sizeof(path), "etc/hostname");
    if ( !hostspec_local_read(path, buf, sizeof(buf)) )
    {
        buf[strcspn(buf, " \t\n")] = '\0';
        if ( buf[0] )
            snprintf(hs->name, sizeof(hs->name), "%.63s", buf);
    }
    snprintf(hs->description, sizeof(hs->description),
             "this machine, from sysfs under %s", l->root);

    hostspec_local_path(l, path, sizeof(path), "proc/cpuinfo");
    f = fopen(path, "r");
    if ( !f )
        return;
    while ( fgets(buf, sizeof(buf), f) )
    {
        char *colon = strchr(buf, ':');
        double mhz;

        if ( strncmp(buf, "cpu MHz", 7) || !colon )
            continue;
        if ( sscanf(colon + 1, "%lf", &mhz) == 1 && mhz > 0 &&
             mhz < 4.0e6 )
            hs->cpu_khz = (uint32_t)(mhz * 1000.0 + 0.5);
        break;
    }
    fclose(f);
}

int hostspec_load_local(const char *sysroot, struct hostspec *hs, char *err,
                        size_t errlen)
{
    struct hostspec_local l = {
        .root = sysroot && *sysroot ? sysroot : "/",
        .hs = hs, .err = err, .errlen = errlen,
    };
    int rc = -1;

    hostspec_reset(hs);
    if ( sysroot && *sysroot )
        snprintf(l.origin, sizeof(l.origin), "local:%s", sysroot);
    else
        snprintf(l.origin, sizeof(l.origin), "local");
    l.cpu_node = malloc(LOCAL_MAX_CPU_ID * sizeof(*l.cpu_node));
    if ( !l.cpu_node )
        return hostspec_err(err, errlen, "out of memory");
    for ( unsigned int i = 0; i < LOCAL_MAX_CPU_ID; i++ )
        l.cpu_node[i] = -1;
    if ( hostspec_local_nodes(&l) || hostspec_local_cpus(&l) )
        goto out;
    hostspec_local_extras(&l);
    rc = hostspec_validate_as(hs, l.origin, err, errlen);
 out:
    free(l.cpu_node);
    return rc;
}
