/*
 * src/hostspec/hostspec.c - allocation, Xen's default options, the byte
 * helpers and hostspec_load(), which picks a loader from the SPEC string.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hostspec/internal.h"

void hostspec_default_opts(struct hostspec_xen_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->bootscrub = BOOTSCRUB_IDLE;            /* Xen >= 4.13 default */
    o->bootscrub_chunk = 128ULL << 20;        /* opt_bootscrub_chunk */
    o->dma_bits = 0;                          /* arch default */
    o->scrub_debug = false;
    o->scrub_domheap = false;
    o->heap_model = HEAP_UNIFIED;
    o->xenheap_size = 0;
    o->directmap_size = 5ULL << 40;           /* x86-64 4.17: 5 TiB */
    o->claim_policy = CLAIM_4_17;
    o->scrub_threads = 1;
}

void hostspec_reset(struct hostspec *hs)
{
    memset(hs, 0, sizeof(*hs));
    hostspec_default_opts(&hs->xen);
}

struct hostspec *hostspec_alloc(void)
{
    struct hostspec *hs = malloc(sizeof(*hs));

    if ( hs )
        hostspec_reset(hs);
    return hs;
}

void hostspec_free(struct hostspec *hs)
{
    free(hs);
}

uint64_t hostspec_node_ram_bytes(const struct hostspec *hs, unsigned int node)
{
    const struct hostspec_node *n;
    uint64_t sum = 0;

    if ( node >= hs->nr_nodes )
        return 0;
    n = &hs->node[node];
    for ( unsigned int i = 0; i < n->nr_ranges && i < HOSTSPEC_MAX_NODE_RANGES;
          i++ )
        if ( n->range[i].end > n->range[i].start )
            sum += n->range[i].end - n->range[i].start;
    return sum;
}

uint64_t hostspec_total_ram_bytes(const struct hostspec *hs)
{
    uint64_t sum = 0;

    for ( unsigned int i = 0; i < hs->nr_nodes && i < HOSTSPEC_MAX_NODES; i++ )
        sum += hostspec_node_ram_bytes(hs, i);
    return sum;
}

uint64_t hostspec_max_paddr(const struct hostspec *hs)
{
    uint64_t max = 0;

    for ( unsigned int i = 0; i < hs->nr_nodes && i < HOSTSPEC_MAX_NODES; i++ )
    {
        const struct hostspec_node *n = &hs->node[i];

        for ( unsigned int r = 0;
              r < n->nr_ranges && r < HOSTSPEC_MAX_NODE_RANGES; r++ )
            if ( n->range[r].end > max )
                max = n->range[r].end;
    }
    return max;
}

uint64_t hostspec_xenheap_bytes(const struct hostspec_xen_opts *o)
{
    if ( o->heap_model != HEAP_SPLIT )
        return 0;
    return o->xenheap_size ? o->xenheap_size : HOSTSPEC_SPLIT_XENHEAP_DEFAULT;
}

int hostspec_validate_as(const struct hostspec *hs, const char *origin,
                         char *err, size_t errlen)
{
    if ( hostspec_validate(hs, err, errlen) )
        return hostspec_err_prefix(err, errlen, origin);
    return 0;
}

/* Does the text look like `xl info` output rather than JSON? */
static bool hostspec_looks_like_xlinfo(const char *text)
{
    static const char *const keys[] = {
        "numa_info", "cpu_topology", "total_memory",
    };
    const char *line = text;

    while ( line && *line )
    {
        for ( unsigned int i = 0; i < sizeof(keys) / sizeof(keys[0]); i++ )
            if ( !strncmp(line, keys[i], strlen(keys[i])) )
                return true;
        line = strchr(line, '\n');
        if ( line )
            line++;
    }
    return false;
}

static int hostspec_load_file(const char *path, struct hostspec *hs,
                              char *err, size_t errlen)
{
    char *text;
    int rc;

    if ( hostspec_read_file(path, &text, err, errlen) )
        return -1;
    if ( hostspec_looks_like_xlinfo(text) )
        rc = hostspec_load_xlinfo_string(text, path, hs, err, errlen);
    else
        rc = hostspec_load_json_string(text, path, hs, err, errlen);
    free(text);
    return rc;
}

static bool hostspec_is_preset(const char *name)
{
    for ( unsigned int i = 0; i < hostspec_nr_presets(); i++ )
        if ( !strcmp(hostspec_preset(i)->name, name) )
            return true;
    return false;
}

int hostspec_load(const char *spec, struct hostspec *hs, char *err,
                  size_t errlen)
{
    struct stat st;

    if ( !spec || !*spec )
        return hostspec_err(err, errlen, "empty host spec (try \"%s\")",
                            HOSTSPEC_DEFAULT_PRESET);
    if ( !strncmp(spec, "preset:", 7) )
        return hostspec_load_preset(spec + 7, hs, err, errlen);
    if ( !strcmp(spec, "local") )
        return hostspec_load_local(NULL, hs, err, errlen);
    if ( !strncmp(spec, "local:", 6) )
        return hostspec_load_local(spec + 6, hs, err, errlen);
    if ( !strncmp(spec, "xlinfo:", 7) )
        return hostspec_load_xlinfo(spec + 7, hs, err, errlen);
    if ( !strncmp(spec, "json:", 5) )
        return hostspec_load_json(spec + 5, hs, err, errlen);
    if ( hostspec_is_preset(spec) )
        return hostspec_load_preset(spec, hs, err, errlen);
    if ( stat(spec, &st) )
    {
        if ( errno == ENOENT && !strchr(spec, '/') )
        {
            char names[256];

            hostspec_preset_names(names, sizeof(names));
            return hostspec_err(err, errlen,
                                "%s: no such preset or file (presets: %s)",
                                spec, names);
        }
        return hostspec_err(err, errlen, "%s: cannot open: %s", spec,
                            strerror(errno));
    }
    return hostspec_load_file(spec, hs, err, errlen);
}
