/*
 * src/hostspec/xen_opts.c - the Xen boot options xenmm honours, read and
 * written in Xen command-line syntax (docs/misc/xen-command-line.pandoc):
 * "name=value", a bare "name" for true, "no-name" for false, '-' and '_'
 * interchangeable in names, sizes with K/M/G/T suffixes and a bare number
 * meaning KiB (parse_size_and_unit()).  Some options are xenmm's own
 * (heap=, directmap=, claim_policy=, scrub_threads=); docs/host-file.md
 * says which Xen behaviour each follows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostspec/internal.h"

#define OPT_KEY_MAX 32

struct hostspec_opt {
    const char *name;
    bool is_bool;        /* takes a bare "name" / "no-name" */
    bool is_size;        /* the value is a size (K/M/G/T) */
    /* val: NULL for a bare name; neg: "no-" prefix.  0 or -1 with err. */
    int (*set)(struct hostspec_xen_opts *o, const char *val, bool neg,
               char *err, size_t errlen);
    void (*get)(const struct hostspec_xen_opts *o, char *buf, size_t len);
};

/* Xen-syntax size: the largest exact unit, so it reads back exactly. */
static void hostspec_fmt_size(uint64_t v, char *buf, size_t len)
{
    static const char units[] = "TGMK";

    for ( unsigned int i = 0; i < 4; i++ )
    {
        unsigned int shift = 40 - 10 * i;

        if ( v && !(v & ((1ULL << shift) - 1)) )
        {
            snprintf(buf, len, "%" PRIu64 "%c", v >> shift, units[i]);
            return;
        }
    }
    snprintf(buf, len, "%" PRIu64 "B", v);
}

/* Value of a boolean option: bare -> true, "no-" -> false, else a word. */
static int hostspec_opt_bool(const char *name, const char *val, bool neg,
                             bool *out, char *err, size_t errlen)
{
    int b;

    if ( neg )
    {
        if ( val )
            return hostspec_err(err, errlen,
                                "no-%s=%s: \"no-\" takes no value", name, val);
        *out = false;
        return 0;
    }
    if ( !val )
    {
        *out = true;
        return 0;
    }
    b = hostspec_parse_bool(val);
    if ( b < 0 )
        return hostspec_err(err, errlen,
                            "%s: \"%s\" is not a boolean (yes/no, on/off, "
                            "true/false, enable/disable, 1/0)", name, val);
    *out = b;
    return 0;
}

static int hostspec_opt_need_val(const char *name, const char *val, bool neg,
                                 char *err, size_t errlen)
{
    if ( neg )
        return hostspec_err(err, errlen, "no-%s: %s is not a boolean option",
                            name, name);
    if ( !val || !*val )
        return hostspec_err(err, errlen, "%s: needs a value (%s=...)",
                            name, name);
    return 0;
}

static int hostspec_opt_size(const char *name, const char *val, bool neg,
                             uint64_t *out, char *err, size_t errlen)
{
    if ( hostspec_opt_need_val(name, val, neg, err, errlen) )
        return -1;
    if ( hostspec_parse_size(val, 10, out) )
        return hostspec_err(err, errlen,
                            "%s: \"%s\" is not a size (e.g. 128M; a bare "
                            "number is KiB, as in Xen)", name, val);
    return 0;
}

static int hostspec_opt_uint(const char *name, const char *val, bool neg,
                             uint64_t max, uint64_t *out, char *err,
                             size_t errlen)
{
    if ( hostspec_opt_need_val(name, val, neg, err, errlen) )
        return -1;
    if ( hostspec_parse_uint(val, max, out) )
        return hostspec_err(err, errlen,
                            "%s: \"%s\" is not an integer from 0 to %" PRIu64,
                            name, val, max);
    return 0;
}

static int hostspec_set_bootscrub(struct hostspec_xen_opts *o,
                                  const char *val, bool neg, char *err,
                                  size_t errlen)
{
    bool b = false;

    /* Xen's parse_bootscrub_param(): "idle", or a boolean. */
    if ( val && !neg && !strcmp(val, "idle") )
    {
        o->bootscrub = BOOTSCRUB_IDLE;
        return 0;
    }
    if ( val && !neg && hostspec_parse_bool(val) < 0 )
        return hostspec_err(err, errlen,
                            "bootscrub: \"%s\" is not on, off, idle or a "
                            "boolean", val);
    if ( hostspec_opt_bool("bootscrub", val, neg, &b, err, errlen) )
        return -1;
    o->bootscrub = b ? BOOTSCRUB_ON : BOOTSCRUB_OFF;
    return 0;
}

static void hostspec_get_bootscrub(const struct hostspec_xen_opts *o,
                                   char *buf, size_t len)
{
    snprintf(buf, len, "%s", o->bootscrub == BOOTSCRUB_IDLE ? "idle" :
                             o->bootscrub == BOOTSCRUB_ON ? "on" : "off");
}

static int hostspec_set_bootscrub_chunk(struct hostspec_xen_opts *o,
                                        const char *val, bool neg, char *err,
                                        size_t errlen)
{
    uint64_t v;

    if ( hostspec_opt_size("bootscrub_chunk", val, neg, &v, err, errlen) )
        return -1;
    if ( !v || (v & (PAGE_SIZE - 1)) )
        return hostspec_err(err, errlen,
                            "bootscrub_chunk: \"%s\" is not a non-zero "
                            "multiple of 4K", val);
    o->bootscrub_chunk = v;
    return 0;
}

static void hostspec_get_bootscrub_chunk(const struct hostspec_xen_opts *o,
                                         char *buf, size_t len)
{
    hostspec_fmt_size(o->bootscrub_chunk, buf, len);
}

static int hostspec_set_dma_bits(struct hostspec_xen_opts *o, const char *val,
                                 bool neg, char *err, size_t errlen)
{
    uint64_t v;

    if ( hostspec_opt_uint("dma_bits", val, neg, 64, &v, err, errlen) )
        return -1;
    o->dma_bits = v;
    return 0;
}

static void hostspec_get_dma_bits(const struct hostspec_xen_opts *o,
                                  char *buf, size_t len)
{
    snprintf(buf, len, "%u", o->dma_bits);
}

static int hostspec_set_scrub_domheap(struct hostspec_xen_opts *o,
                                      const char *val, bool neg, char *err,
                                      size_t errlen)
{
    return hostspec_opt_bool("scrub_domheap", val, neg, &o->scrub_domheap,
                             err, errlen);
}

static void hostspec_get_scrub_domheap(const struct hostspec_xen_opts *o,
                                       char *buf, size_t len)
{
    snprintf(buf, len, "%s", o->scrub_domheap ? "true" : "false");
}

static int hostspec_set_scrub_debug(struct hostspec_xen_opts *o,
                                    const char *val, bool neg, char *err,
                                    size_t errlen)
{
    return hostspec_opt_bool("scrub_debug", val, neg, &o->scrub_debug,
                             err, errlen);
}

static void hostspec_get_scrub_debug(const struct hostspec_xen_opts *o,
                                     char *buf, size_t len)
{
    snprintf(buf, len, "%s", o->scrub_debug ? "true" : "false");
}

static int hostspec_set_heap(struct hostspec_xen_opts *o, const char *val,
                             bool neg, char *err, size_t errlen)
{
    if ( hostspec_opt_need_val("heap", val, neg, err, errlen) )
        return -1;
    if ( !strcmp(val, "unified") )
        o->heap_model = HEAP_UNIFIED;
    else if ( !strcmp(val, "split") )
        o->heap_model = HEAP_SPLIT;
    else
        return hostspec_err(err, errlen,
                            "heap: \"%s\" is not unified or split", val);
    return 0;
}

static void hostspec_get_heap(const struct hostspec_xen_opts *o, char *buf,
                              size_t len)
{
    snprintf(buf, len, "%s",
             o->heap_model == HEAP_SPLIT ? "split" : "unified");
}

static int hostspec_set_xenheap_megabytes(struct hostspec_xen_opts *o,
                                          const char *val, bool neg,
                                          char *err, size_t errlen)
{
    uint64_t v;

    if ( hostspec_opt_uint("xenheap_megabytes", val, neg,
                           HOSTSPEC_MAX_PADDR >> 20, &v, err, errlen) )
        return -1;
    o->xenheap_size = v << 20;
    return 0;
}

static void hostspec_get_xenheap_megabytes(const struct hostspec_xen_opts *o,
                                           char *buf, size_t len)
{
    snprintf(buf, len, "%" PRIu64, o->xenheap_size >> 20);
}

static int hostspec_set_directmap(struct hostspec_xen_opts *o,
                                  const char *val, bool neg, char *err,
                                  size_t errlen)
{
    uint64_t v;

    if ( hostspec_opt_size("directmap", val, neg, &v, err, errlen) )
        return -1;
    if ( v & (PAGE_SIZE - 1) )
        return hostspec_err(err, errlen,
                            "directmap: \"%s\" is not a multiple of 4K", val);
    o->directmap_size = v;
    return 0;
}

static void hostspec_get_directmap(const struct hostspec_xen_opts *o,
                                   char *buf, size_t len)
{
    if ( !o->directmap_size )
        snprintf(buf, len, "0");
    else
        hostspec_fmt_size(o->directmap_size, buf, len);
}

static int hostspec_set_claim_policy(struct hostspec_xen_opts *o,
                                     const char *val, bool neg, char *err,
                                     size_t errlen)
{
    if ( hostspec_opt_need_val("claim_policy", val, neg, err, errlen) )
        return -1;
    if ( !strcmp(val, "4.17") )
        o->claim_policy = CLAIM_4_17;
    else if ( !strcmp(val, "4.21") )
        o->claim_policy = CLAIM_4_21;
    else
        return hostspec_err(err, errlen,
                            "claim_policy: \"%s\" is not 4.17 or 4.21", val);
    return 0;
}

static void hostspec_get_claim_policy(const struct hostspec_xen_opts *o,
                                      char *buf, size_t len)
{
    snprintf(buf, len, "%s", o->claim_policy == CLAIM_4_21 ? "4.21" : "4.17");
}

static int hostspec_set_scrub_threads(struct hostspec_xen_opts *o,
                                      const char *val, bool neg, char *err,
                                      size_t errlen)
{
    uint64_t v;

    if ( hostspec_opt_uint("scrub_threads", val, neg, HOSTSPEC_MAX_CPUS, &v,
                           err, errlen) )
        return -1;
    o->scrub_threads = v;
    return 0;
}

static void hostspec_get_scrub_threads(const struct hostspec_xen_opts *o,
                                       char *buf, size_t len)
{
    snprintf(buf, len, "%u", o->scrub_threads);
}

/* Xen's conring_size=: 0 keeps the default (console.c sizes it by CPUs). */
static int hostspec_set_conring_size(struct hostspec_xen_opts *o,
                                     const char *val, bool neg, char *err,
                                     size_t errlen)
{
    uint64_t v;

    if ( hostspec_opt_size("conring_size", val, neg, &v, err, errlen) )
        return -1;
    if ( v > HOSTSPEC_CONRING_MAX )
        return hostspec_err(err, errlen,
                            "conring_size: \"%s\" is above xenmm's limit "
                            "of 1G", val);
    o->conring_size = v;
    return 0;
}

static void hostspec_get_conring_size(const struct hostspec_xen_opts *o,
                                      char *buf, size_t len)
{
    if ( !o->conring_size )
        snprintf(buf, len, "0");
    else
        hostspec_fmt_size(o->conring_size, buf, len);
}

static const struct hostspec_opt hostspec_opts[] = {
    { "bootscrub", true, false, hostspec_set_bootscrub,
      hostspec_get_bootscrub },
    { "bootscrub_chunk", false, true, hostspec_set_bootscrub_chunk,
      hostspec_get_bootscrub_chunk },
    { "dma_bits", false, false, hostspec_set_dma_bits,
      hostspec_get_dma_bits },
    { "scrub_domheap", true, false, hostspec_set_scrub_domheap,
      hostspec_get_scrub_domheap },
    { "scrub_debug", true, false, hostspec_set_scrub_debug,
      hostspec_get_scrub_debug },
    { "heap", false, false, hostspec_set_heap, hostspec_get_heap },
    { "xenheap_megabytes", false, false, hostspec_set_xenheap_megabytes,
      hostspec_get_xenheap_megabytes },
    { "directmap", false, true, hostspec_set_directmap,
      hostspec_get_directmap },
    { "claim_policy", false, false, hostspec_set_claim_policy,
      hostspec_get_claim_policy },
    { "scrub_threads", false, false, hostspec_set_scrub_threads,
      hostspec_get_scrub_threads },
    { "conring_size", false, true, hostspec_set_conring_size,
      hostspec_get_conring_size },
};

#define NR_OPTS (sizeof(hostspec_opts) / sizeof(hostspec_opts[0]))

unsigned int hostspec_nr_xen_opts(void)
{
    return NR_OPTS;
}

int hostspec_xen_opt_get(const struct hostspec_xen_opts *o, unsigned int i,
                         const char **name, char *val, size_t vallen)
{
    if ( i >= NR_OPTS )
        return -1;
    *name = hostspec_opts[i].name;
    hostspec_opts[i].get(o, val, vallen);
    return 0;
}

static void hostspec_opt_names(char *buf, size_t len)
{
    size_t off = 0;

    buf[0] = '\0';
    for ( unsigned int i = 0; i < NR_OPTS && off < len; i++ )
        off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
                        hostspec_opts[i].name);
}

/* The option a name means ('-' == '_'), or NULL. */
static const struct hostspec_opt *hostspec_find_opt(const char *key)
{
    char name[OPT_KEY_MAX];
    size_t n = strlen(key);

    if ( !n || n >= sizeof(name) )
        return NULL;
    for ( size_t i = 0; i <= n; i++ )
        name[i] = key[i] == '-' ? '_' : key[i];
    for ( unsigned int i = 0; i < NR_OPTS; i++ )
        if ( !strcmp(name, hostspec_opts[i].name) )
            return &hostspec_opts[i];
    return NULL;
}

bool hostspec_xen_opt_is_size(const char *key)
{
    const struct hostspec_opt *opt = hostspec_find_opt(key);

    return opt && opt->is_size;
}

int hostspec_xen_opt_kv(struct hostspec_xen_opts *o, const char *key,
                        const char *val, char *err, size_t errlen)
{
    const struct hostspec_opt *opt;
    bool neg = false;

    if ( !strncmp(key, "no-", 3) || !strncmp(key, "no_", 3) )
    {
        neg = true;
        key += 3;
    }
    opt = hostspec_find_opt(key);
    if ( opt )
    {
        if ( neg && !opt->is_bool )
            return hostspec_err(err, errlen,
                                "no-%s: %s is not a boolean option",
                                opt->name, opt->name);
        return opt->set(o, val, neg, err, errlen);
    }
    {
        char names[256];

        hostspec_opt_names(names, sizeof(names));
        hostspec_err(err, errlen, "%s%s: unknown Xen option (xenmm knows %s)",
                     neg ? "no-" : "", key, names);
    }
    return -2;
}

/* Split "name=value" (a copy) and set it. */
static int hostspec_xen_opt_token(struct hostspec_xen_opts *o,
                                  const char *tok, size_t len, char *err,
                                  size_t errlen)
{
    char *copy = strndup(tok, len), *eq;
    int rc;

    if ( !copy )
        return hostspec_err(err, errlen, "out of memory");
    eq = strchr(copy, '=');
    if ( eq )
        *eq++ = '\0';
    if ( !*copy )
        rc = hostspec_err(err, errlen, "\"%s\": option name missing", tok);
    else
        rc = hostspec_xen_opt_kv(o, copy, eq, err, errlen);
    free(copy);
    return rc;
}

int hostspec_set_xen_opt(struct hostspec *hs, const char *opt, char *err,
                         size_t errlen)
{
    if ( !opt || !*opt )
        return hostspec_err(err, errlen, "empty Xen option");
    return hostspec_xen_opt_token(&hs->xen, opt, strlen(opt), err, errlen)
           ? -1 : 0;
}

int hostspec_set_xen_cmdline(struct hostspec *hs, const char *cmdline,
                             bool ignore_unknown, char *err, size_t errlen)
{
    const char *p = cmdline;
    char msg[512];

    while ( *p )
    {
        size_t len;
        int rc;

        p += strspn(p, " \t\r\n");
        len = strcspn(p, " \t\r\n");
        if ( !len )
            break;
        /* msg, not err: an ignored option leaves err untouched. */
        rc = hostspec_xen_opt_token(&hs->xen, p, len, msg, sizeof(msg));
        if ( rc == -1 || (rc == -2 && !ignore_unknown) )
            return hostspec_err(err, errlen, "%s", msg);
        p += len;
    }
    return 0;
}

size_t hostspec_format_xen_opts(const struct hostspec_xen_opts *o, char *buf,
                                size_t len)
{
    size_t off = 0;

    if ( len )
        buf[0] = '\0';
    for ( unsigned int i = 0; i < NR_OPTS; i++ )
    {
        char val[64];
        int n;

        hostspec_opts[i].get(o, val, sizeof(val));
        n = snprintf(off < len ? buf + off : NULL, off < len ? len - off : 0,
                     "%s%s=%s", i ? " " : "", hostspec_opts[i].name, val);
        off += n;
    }
    return off;
}
