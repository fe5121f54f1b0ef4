/*
 * src/hostspec/load_json.c - the JSON host file (docs/host-file.md).
 *
 * Parsed with jansson.  The reader is strict: unknown keys are errors (they
 * are usually typos), every value is type-checked, and every error is one
 * line "FILE: PATH: what is wrong", PATH being the JSON path of the field
 * (nodes[1].ranges[0].end); syntax errors are "FILE:LINE:COLUMN: ...".
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostspec/internal.h"

#define PATH_MAX_LEN 96

struct hostspec_json {
    const char *origin;
    struct hostspec *hs;
    char *err;
    size_t errlen;
};

static int hostspec_json_fail(struct hostspec_json *c, const char *path,
                              const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int hostspec_json_fail(struct hostspec_json *c, const char *path,
                              const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return hostspec_err(c->err, c->errlen, "%s: %s: %s", c->origin, path,
                        msg);
}

/* A short rendering of a value for messages: "4X", 12, [...], {...}. */
static void hostspec_json_show(const json_t *v, char *buf, size_t len)
{
    char *s;

    if ( json_is_array(v) )
    {
        snprintf(buf, len, "an array");
        return;
    }
    if ( json_is_object(v) )
    {
        snprintf(buf, len, "an object");
        return;
    }
    s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if ( !s )
    {
        snprintf(buf, len, "?");
        return;
    }
    if ( strlen(s) > 40 )
        snprintf(buf, len, "%.37s...", s);
    else
        snprintf(buf, len, "%s", s);
    free(s);
}

/*
 * Check obj's keys against a NULL-terminated list; an unknown key is
 * reported at its own path (path is "" for the top level).
 */
static int hostspec_json_keys(struct hostspec_json *c, const char *path,
                              const json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v)
    {
        char list[160];
        size_t off = 0;
        unsigned int i;

        for ( i = 0; allowed[i]; i++ )
            if ( !strcmp(key, allowed[i]) )
                break;
        if ( allowed[i] )
            continue;
        list[0] = '\0';
        for ( i = 0; allowed[i] && off < sizeof(list); i++ )
            off += snprintf(list + off, sizeof(list) - off, "%s%s",
                            i ? ", " : "", allowed[i]);
        return hostspec_err(c->err, c->errlen,
                            "%s: %s%s%s: unknown key (expected %s)",
                            c->origin, path, *path ? "." : "", key, list);
    }
    return 0;
}

static int hostspec_json_uint(struct hostspec_json *c, const char *path,
                              const json_t *v, uint64_t min, uint64_t max,
                              uint64_t *out)
{
    char show[48];

    if ( json_is_integer(v) && json_integer_value(v) >= 0 &&
         (uint64_t)json_integer_value(v) >= min &&
         (uint64_t)json_integer_value(v) <= max )
    {
        *out = json_integer_value(v);
        return 0;
    }
    hostspec_json_show(v, show, sizeof(show));
    return hostspec_json_fail(c, path, "%s is not an integer from %" PRIu64
                              " to %" PRIu64, show, min, max);
}

/* A size: a non-negative integer (bytes) or a string "4G", "0x1000". */
static int hostspec_json_size(struct hostspec_json *c, const char *path,
                              const json_t *v, uint64_t *out)
{
    char show[48];

    if ( json_is_integer(v) && json_integer_value(v) >= 0 )
    {
        *out = json_integer_value(v);
        return 0;
    }
    if ( json_is_string(v) && !hostspec_parse_size(json_string_value(v), 0,
                                                    out) )
        return 0;
    hostspec_json_show(v, show, sizeof(show));
    return hostspec_json_fail(c, path, "%s is not a size (bytes, or a string "
                              "like \"4G\", \"512M\", \"0x100000000\")",
                              show);
}

static int hostspec_json_string(struct hostspec_json *c, const char *path,
                                const json_t *v, char *out, size_t len)
{
    char show[48];

    if ( !json_is_string(v) )
    {
        hostspec_json_show(v, show, sizeof(show));
        return hostspec_json_fail(c, path, "%s is not a string", show);
    }
    if ( strlen(json_string_value(v)) >= len )
        return hostspec_json_fail(c, path, "longer than %zu characters",
                                  len - 1);
    strcpy(out, json_string_value(v));
    return 0;
}

static int hostspec_json_array(struct hostspec_json *c, const char *path,
                               const json_t *v, size_t min, size_t max)
{
    char show[48];

    if ( !json_is_array(v) )
    {
        hostspec_json_show(v, show, sizeof(show));
        return hostspec_json_fail(c, path, "%s is not an array", show);
    }
    if ( json_array_size(v) < min || json_array_size(v) > max )
        return hostspec_json_fail(c, path, "%zu entries; expected %zu to %zu",
                                  json_array_size(v), min, max);
    return 0;
}

static int hostspec_json_object(struct hostspec_json *c, const char *path,
                                const json_t *v)
{
    char show[48];

    if ( json_is_object(v) )
        return 0;
    hostspec_json_show(v, show, sizeof(show));
    return hostspec_json_fail(c, path, "%s is not an object", show);
}

static int hostspec_json_range(struct hostspec_json *c, const char *path,
                               const json_t *v, struct hostspec_range *r)
{
    static const char *const keys[] = { "start", "end", NULL };
    char p[PATH_MAX_LEN + 8];

    if ( hostspec_json_object(c, path, v) ||
         hostspec_json_keys(c, path, v, keys) )
        return -1;
    for ( unsigned int i = 0; i < 2; i++ )
    {
        json_t *f = json_object_get(v, keys[i]);

        snprintf(p, sizeof(p), "%s.%s", path, keys[i]);
        if ( !f )
            return hostspec_json_fail(c, path, "\"%s\" missing", keys[i]);
        if ( hostspec_json_size(c, p, f, i ? &r->end : &r->start) )
            return -1;
    }
    return 0;
}

/*
 * "nodes": every node has "ranges" (explicit RAM), or every node has
 * "memory" (RAM bytes, laid out with "mmio_hole" as presets are).
 */
static int hostspec_json_nodes(struct hostspec_json *c, const json_t *root)
{
    static const char *const keys[] = { "ranges", "memory", "comment", NULL };
    const json_t *nodes = json_object_get(root, "nodes");
    const json_t *hole = json_object_get(root, "mmio_hole");
    uint64_t ram[HOSTSPEC_MAX_NODES], hole_size = HOSTSPEC_GIB;
    struct hostspec *hs = c->hs;
    bool by_memory = false;
    char p[PATH_MAX_LEN];
    size_t i;
    json_t *n;

    if ( !nodes )
        return hostspec_json_fail(c, "nodes", "missing (an array of "
                                  "{\"ranges\": [...]} or {\"memory\": "
                                  "SIZE})");
    if ( hostspec_json_array(c, "nodes", nodes, 1, HOSTSPEC_MAX_NODES) )
        return -1;
    json_array_foreach(nodes, i, n)
    {
        const json_t *ranges, *mem;

        snprintf(p, sizeof(p), "nodes[%zu]", i);
        if ( hostspec_json_object(c, p, n) ||
             hostspec_json_keys(c, p, n, keys) )
            return -1;
        ranges = json_object_get(n, "ranges");
        mem = json_object_get(n, "memory");
        if ( !ranges == !mem )
            return hostspec_json_fail(c, p, "needs exactly one of \"ranges\" "
                                      "and \"memory\"");
        if ( i && by_memory != !!mem )
            return hostspec_json_fail(c, p, "uses \"%s\" but nodes[0] uses "
                                      "\"%s\"; all nodes must use the same",
                                      mem ? "memory" : "ranges",
                                      by_memory ? "memory" : "ranges");
        by_memory = !!mem;
        if ( mem )
        {
            snprintf(p, sizeof(p), "nodes[%zu].memory", i);
            if ( hostspec_json_size(c, p, mem, &ram[i]) )
                return -1;
            if ( ram[i] & (PAGE_SIZE - 1) )
                return hostspec_json_fail(c, p, "%" PRIu64 " bytes is not a "
                                          "multiple of 4 KiB", ram[i]);
            continue;
        }
        snprintf(p, sizeof(p), "nodes[%zu].ranges", i);
        if ( hostspec_json_array(c, p, ranges, 0, HOSTSPEC_MAX_NODE_RANGES) )
            return -1;
        hs->node[i].nr_ranges = json_array_size(ranges);
        for ( size_t r = 0; r < json_array_size(ranges); r++ )
        {
            snprintf(p, sizeof(p), "nodes[%zu].ranges[%zu]", i, r);
            if ( hostspec_json_range(c, p, json_array_get(ranges, r),
                                     &hs->node[i].range[r]) )
                return -1;
        }
    }
    hs->nr_nodes = json_array_size(nodes);
    if ( hole && !by_memory )
        return hostspec_json_fail(c, "mmio_hole", "only goes with \"memory\" "
                                  "nodes (\"ranges\" say where RAM is)");
    if ( !by_memory )
        return 0;
    if ( hole && hostspec_json_size(c, "mmio_hole", hole, &hole_size) )
        return -1;
    if ( hole_size > HOSTSPEC_4GIB || (hole_size & (PAGE_SIZE - 1)) )
        return hostspec_json_fail(c, "mmio_hole", "%" PRIu64 " bytes; must be "
                                  "a multiple of 4 KiB up to 4G", hole_size);
    if ( hostspec_synth_ranges(hs, ram, hs->nr_nodes, false,
                               HOSTSPEC_4GIB - hole_size, c->err, c->errlen) )
        return hostspec_err_prefix(c->err, c->errlen, c->origin);
    return 0;
}

static int hostspec_json_cpu_list(struct hostspec_json *c, const json_t *cpus)
{
    static const char *const keys[] = { "core", "socket", "node", NULL };
    struct hostspec *hs = c->hs;
    char p[PATH_MAX_LEN];
    size_t i;
    json_t *v;

    if ( hostspec_json_array(c, "cpus", cpus, 1, HOSTSPEC_MAX_CPUS) )
        return -1;
    json_array_foreach(cpus, i, v)
    {
        uint32_t *field[] = { &hs->cpu[i].core, &hs->cpu[i].socket,
                              &hs->cpu[i].node };

        snprintf(p, sizeof(p), "cpus[%zu]", i);
        if ( hostspec_json_object(c, p, v) ||
             hostspec_json_keys(c, p, v, keys) )
            return -1;
        for ( unsigned int k = 0; keys[k]; k++ )
        {
            const json_t *f = json_object_get(v, keys[k]);
            uint64_t x;

            if ( !f )
                return hostspec_json_fail(c, p, "\"%s\" missing", keys[k]);
            snprintf(p, sizeof(p), "cpus[%zu].%s", i, keys[k]);
            if ( hostspec_json_uint(c, p, f, 0, UINT32_MAX - 1, &x) )
                return -1;
            *field[k] = x;
            snprintf(p, sizeof(p), "cpus[%zu]", i);
        }
    }
    hs->nr_cpus = json_array_size(cpus);
    return 0;
}

static int hostspec_json_cpus(struct hostspec_json *c, const json_t *root)
{
    static const char *const keys[] = {
        "sockets", "cores_per_socket", "threads_per_core", NULL
    };
    const json_t *cpus = json_object_get(root, "cpus");
    uint64_t n[3] = { 0, 0, 1 };
    char p[PATH_MAX_LEN];

    if ( !cpus )
        return hostspec_json_fail(c, "cpus", "missing ({\"sockets\": S, "
                                  "\"cores_per_socket\": C, "
                                  "\"threads_per_core\": T} or a list)");
    if ( json_is_array(cpus) )
        return hostspec_json_cpu_list(c, cpus);
    if ( hostspec_json_object(c, "cpus", cpus) ||
         hostspec_json_keys(c, "cpus", cpus, keys) )
        return -1;
    for ( unsigned int k = 0; keys[k]; k++ )
    {
        const json_t *f = json_object_get(cpus, keys[k]);

        snprintf(p, sizeof(p), "cpus.%s", keys[k]);
        if ( !f && k < 2 )
            return hostspec_json_fail(c, "cpus", "\"%s\" missing", keys[k]);
        if ( f && hostspec_json_uint(c, p, f, 1, HOSTSPEC_MAX_CPUS, &n[k]) )
            return -1;
    }
    if ( hostspec_place_cpus(c->hs, n[0], n[1], n[2], c->err, c->errlen) )
    {
        char origin[PATH_MAX_LEN + 16];

        snprintf(origin, sizeof(origin), "%s: cpus", c->origin);
        return hostspec_err_prefix(c->err, c->errlen, origin);
    }
    return 0;
}

static int hostspec_json_distances(struct hostspec_json *c,
                                   const json_t *root)
{
    const json_t *d = json_object_get(root, "distances");
    unsigned int nr = c->hs->nr_nodes;
    char p[PATH_MAX_LEN];

    hostspec_uniform_distances(c->hs, HOSTSPEC_DIST_REMOTE);
    if ( !d )
        return 0;
    if ( hostspec_json_array(c, "distances", d, nr, nr) )
        return -1;
    for ( unsigned int i = 0; i < nr; i++ )
    {
        const json_t *row = json_array_get(d, i);

        snprintf(p, sizeof(p), "distances[%u]", i);
        if ( hostspec_json_array(c, p, row, nr, nr) )
            return -1;
        for ( unsigned int j = 0; j < nr; j++ )
        {
            const json_t *v = json_array_get(row, j);
            uint64_t x;

            snprintf(p, sizeof(p), "distances[%u][%u]", i, j);
            if ( json_is_string(v) &&
                 !strcmp(json_string_value(v), "unreachable") )
                x = HOSTSPEC_DISTANCE_UNREACHABLE;
            else if ( hostspec_json_uint(c, p, v, 0, UINT32_MAX, &x) )
                return -1;
            c->hs->distance[i][j] = x;
        }
    }
    return 0;
}

/* "xen": {"bootscrub": "idle", "scrub_domheap": true, ...} */
static int hostspec_json_xen(struct hostspec_json *c, const json_t *root)
{
    const json_t *xen = json_object_get(root, "xen");
    const char *key;
    json_t *v;

    if ( !xen )
        return 0;
    if ( hostspec_json_object(c, "xen", xen) )
        return -1;
    json_object_foreach((json_t *)xen, key, v)
    {
        char val[64], p[PATH_MAX_LEN], msg[256];

        snprintf(p, sizeof(p), "xen.%s", key);
        if ( json_is_string(v) )
        {
            if ( strlen(json_string_value(v)) >= sizeof(val) )
                return hostspec_json_fail(c, p, "value too long");
            strcpy(val, json_string_value(v));
        }
        else if ( json_is_boolean(v) )
            snprintf(val, sizeof(val), "%s",
                     json_is_true(v) ? "true" : "false");
        else if ( json_is_integer(v) && json_integer_value(v) >= 0 )
            /* A JSON number is bytes for a size, as elsewhere in the file. */
            snprintf(val, sizeof(val), "%" JSON_INTEGER_FORMAT "%s",
                     json_integer_value(v),
                     hostspec_xen_opt_is_size(key) ? "B" : "");
        else
        {
            hostspec_json_show(v, val, sizeof(val));
            return hostspec_json_fail(c, p, "%s is not a string, boolean or "
                                      "non-negative integer", val);
        }
        if ( hostspec_xen_opt_kv(&c->hs->xen, key, val, c->err, c->errlen) )
        {
            /* The option's message starts with its name: add "xen.". */
            snprintf(msg, sizeof(msg), "%s", c->err);
            return hostspec_err(c->err, c->errlen, "%s: xen.%s", c->origin,
                                msg);
        }
    }
    return 0;
}

static int hostspec_json_root(struct hostspec_json *c, const json_t *root)
{
    static const char *const keys[] = {
        "name", "description", "comment", "cpu_khz", "nodes", "mmio_hole",
        "cpus", "distances", "xen", NULL
    };
    struct hostspec *hs = c->hs;
    const json_t *v;
    uint64_t khz;

    if ( !json_is_object(root) )
        return hostspec_err(c->err, c->errlen, "%s: the top level must be an "
                            "object {\"nodes\": ..., \"cpus\": ...}",
                            c->origin);
    if ( hostspec_json_keys(c, "", root, keys) )
        return -1;
    hostspec_name_from_path(c->origin, hs->name, sizeof(hs->name));
    if ( (v = json_object_get(root, "name")) &&
         hostspec_json_string(c, "name", v, hs->name, sizeof(hs->name)) )
        return -1;
    if ( (v = json_object_get(root, "description")) &&
         hostspec_json_string(c, "description", v, hs->description,
                              sizeof(hs->description)) )
        return -1;
    if ( (v = json_object_get(root, "comment")) && !json_is_string(v) )
        return hostspec_json_fail(c, "comment", "is not a string");
    if ( (v = json_object_get(root, "cpu_khz")) )
    {
        if ( hostspec_json_uint(c, "cpu_khz", v, 0, UINT32_MAX, &khz) )
            return -1;
        hs->cpu_khz = khz;
    }
    if ( hostspec_json_nodes(c, root) || hostspec_json_cpus(c, root) ||
         hostspec_json_distances(c, root) || hostspec_json_xen(c, root) )
        return -1;
    return hostspec_validate_as(hs, c->origin, c->err, c->errlen);
}

int hostspec_load_json_string(const char *text, const char *origin,
                              struct hostspec *hs, char *err, size_t errlen)
{
    struct hostspec_json c = { origin, hs, err, errlen };
    json_error_t jerr;
    json_t *root;
    int rc;

    hostspec_reset(hs);
    root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if ( !root )
        return hostspec_err(err, errlen, "%s:%d:%d: %s", origin, jerr.line,
                            jerr.column, jerr.text);
    rc = hostspec_json_root(&c, root);
    json_decref(root);
    return rc;
}

int hostspec_load_json(const char *path, struct hostspec *hs, char *err,
                       size_t errlen)
{
    char *text;
    int rc;

    if ( hostspec_read_file(path, &text, err, errlen) )
        return -1;
    rc = hostspec_load_json_string(text, path, hs, err, errlen);
    free(text);
    return rc;
}
