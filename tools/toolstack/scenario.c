/*
 * scenario.c - a scenario file (docs/scenarios.md), read with Debian's
 * libxlutil, the parser of xl.cfg files:
 *
 *   host = "server-2s"                # host spec for xenmmd
 *   xen = "bootscrub=off"             # extra Xen boot options (optional)
 *   parallel = 2                      # builds at a time (default 1)
 *   numa_placement = "best_effort"    # any | best_effort |
 *                                     # best_effort_hard | prio_mem_only
 *   vm = [ "name=web,type=hvm,memory=8192,vcpus=2", ... ]
 *
 * A VM entry is xl.cfg's words, comma-separated "key=value" items; an item
 * without '=' continues the previous value, so "cpus=0-3,8" works.  Keys:
 * name, type (hvm, pvh, pv; or builder=), memory, maxmem (MiB; a K/M/G/T
 * suffix is accepted), vcpus, maxvcpus, cpus (xl's syntax), videoram,
 * kernel, ramdisk, cmdline, node (xenmm: place on that NUMA node), and
 * cfg=FILE: an xl.cfg file read first (its name, type/builder, memory,
 * maxmem, vcpus, maxvcpus, cpus, videoram, kernel, ramdisk, cmdline or
 * extra), which the entry's own items then override.  Relative paths are
 * relative to the scenario's directory.
 *
 * libxlutil has no way to list a file's settings, so the top level is
 * also scanned for "word =" at the start of a line, to reject settings
 * this reader does not know (a misspelt "parralel" would otherwise be
 * silently ignored).
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxlutil.h>

#include "toolstack.h"

/* The built-in scenario: `xenmm run` with no argument.  scenarios/default.cfg
 * is the same text (tests/cli/run.sh checks). */
static const char default_scenario[] =
"# The default scenario of `xenmm run`: four HVM guests on a 2-socket host\n"
"# (two NUMA nodes of 256 GiB), started one after the other as xenopsd\n"
"# would with its default NUMA policy (best_effort):\n"
"#  - web and db each fit one node: xenopsd claims the memory on that node\n"
"#    and soft-pins the vCPUs there;\n"
"#  - analytics fits no single node any more: a host-wide claim, and its\n"
"#    memory comes from both nodes;\n"
"#  - batch needs more than is left: build_pre stops it before any page\n"
"#    is allocated (xenopsd's Not_enough_memory).\n"
"host = \"server-2s\"\n"
"parallel = 1\n"
"numa_placement = \"best_effort\"\n"
"vm = [\n"
"    \"name=web,type=hvm,memory=65536,vcpus=4\",\n"
"    \"name=db,type=hvm,memory=131072,vcpus=8\",\n"
"    \"name=analytics,type=hvm,memory=229376,vcpus=16\",\n"
"    \"name=batch,type=hvm,memory=98304,vcpus=4\",\n"
"]\n";

const char *scenario_default_text(void)
{
    return default_scenario;
}

static const char *const top_keys[] = {
    "host", "xen", "parallel", "numa_placement", "vm", NULL,
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

const char *vm_type_name(enum vm_type t)
{
    return t == VM_HVM ? "hvm" : t == VM_PVH ? "pvh" : "pv";
}

static const char *const policy_names[] = {
    [NUMA_ANY] = "any",
    [NUMA_BEST_EFFORT] = "best_effort",
    [NUMA_BEST_EFFORT_HARD] = "best_effort_hard",
    [NUMA_PRIO_MEM_ONLY] = "prio_mem_only",
};

const char *numa_policy_name(enum numa_policy p)
{
    return policy_names[p];
}

/* MiB, with an optional K/M/G/T suffix (K rounds up). */
static int parse_mib(const char *s, unsigned long *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if ( errno || end == s )
        return -1;
    switch ( toupper((unsigned char)*end) )
    {
    case '\0': break;
    case 'K': v = (v + 1023) / 1024; end++; break;
    case 'M': end++; break;
    case 'G': v <<= 10; end++; break;
    case 'T': v <<= 20; end++; break;
    default: return -1;
    }
    if ( *end && strcasecmp(end, "B") && strcasecmp(end, "iB") )
        return -1;
    *out = v;
    return 0;
}

static int parse_uint(const char *s, unsigned int max, unsigned int *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if ( errno || end == s || *end || v > max )
        return -1;
    *out = v;
    return 0;
}

static int parse_type(const char *s, enum vm_type *t)
{
    if ( !strcmp(s, "hvm") )
        *t = VM_HVM;
    else if ( !strcmp(s, "pvh") )
        *t = VM_PVH;
    else if ( !strcmp(s, "pv") || !strcmp(s, "generic") )
        *t = VM_PV;
    else
        return -1;
    return 0;
}

/* A path relative to the scenario's directory (dir NULL: as given). */
static char *resolve(const char *dir, const char *p)
{
    char *out;

    if ( !dir || p[0] == '/' || !*p )
        return strdup(p);
    if ( asprintf(&out, "%s/%s", dir, p) < 0 )
        return NULL;
    return out;
}

static void set_str(char **dst, const char *val)
{
    free(*dst);
    *dst = val ? strdup(val) : NULL;
}

/* Which of the spec's fields were given (defaults come after). */
struct given {
    bool memory, maxmem, vcpus, maxvcpus, videoram, type;
};

/* One key of a VM, from an entry or an xl.cfg file. */
static int vm_set(struct vm_spec *vm, struct given *g, const char *dir,
                  const char *key, const char *val, char *err, size_t errlen)
{
    unsigned int u;

    if ( !strcmp(key, "name") )
    {
        if ( !*val || strlen(val) >= sizeof(vm->name) )
            return fail(err, errlen, "name \"%s\": 1 to %zu characters", val,
                        sizeof(vm->name) - 1);
        strcpy(vm->name, val);
    }
    else if ( !strcmp(key, "type") || !strcmp(key, "builder") )
    {
        if ( parse_type(val, &vm->type) )
            return fail(err, errlen, "%s \"%s\": hvm, pvh or pv", key, val);
        g->type = true;
    }
    else if ( !strcmp(key, "memory") || !strcmp(key, "maxmem") )
    {
        unsigned long mib;

        if ( parse_mib(val, &mib) || !mib )
            return fail(err, errlen, "%s \"%s\": a size in MiB", key, val);
        if ( key[1] == 'e' )
        {
            vm->memory = mib;
            g->memory = true;
        }
        else
        {
            vm->maxmem = mib;
            g->maxmem = true;
        }
    }
    else if ( !strcmp(key, "vcpus") || !strcmp(key, "maxvcpus") )
    {
        if ( parse_uint(val, 128, &u) || !u )
            return fail(err, errlen, "%s \"%s\": 1 to 128", key, val);
        if ( key[0] == 'v' )
        {
            vm->vcpus = u;
            g->vcpus = true;
        }
        else
        {
            vm->maxvcpus = u;
            g->maxvcpus = true;
        }
    }
    else if ( !strcmp(key, "videoram") )
    {
        if ( parse_uint(val, 1024, &u) )
            return fail(err, errlen, "videoram \"%s\": MiB, 0 to 1024", val);
        vm->videoram = u;
        g->videoram = true;
    }
    else if ( !strcmp(key, "node") )
    {
        if ( parse_uint(val, TS_MAX_NODES - 1, &u) )
            return fail(err, errlen, "node \"%s\": a NUMA node number", val);
        vm->node = u;
    }
    else if ( !strcmp(key, "cpus") )
        set_str(&vm->cpus, *val && strcmp(val, "all") ? val : NULL);
    else if ( !strcmp(key, "kernel") || !strcmp(key, "ramdisk") )
    {
        char **dst = key[0] == 'k' ? &vm->kernel : &vm->ramdisk;

        free(*dst);
        *dst = resolve(dir, val);
    }
    else if ( !strcmp(key, "cmdline") || !strcmp(key, "extra") )
        set_str(&vm->cmdline, val);
    else
        return fail(err, errlen, "unknown key \"%s\"", key);
    return 0;
}

/* The keys of an xl.cfg file this reader uses; the rest are left alone. */
static int vm_read_xlcfg(struct vm_spec *vm, struct given *g, const char *dir,
                         const char *file, char *err, size_t errlen)
{
    static const char *const keys[] = {
        "name", "builder", "type", "memory", "maxmem", "vcpus", "maxvcpus",
        "videoram", "cpus", "kernel", "ramdisk", "cmdline", "extra", NULL,
    };
    char *path = resolve(dir, file), *fdir, *tmp;
    XLU_Config *cfg;
    int rc = 0;

    if ( !path )
        return fail(err, errlen, "out of memory");
    cfg = xlu_cfg_init(stderr, path);
    if ( !cfg || xlu_cfg_readfile(cfg, path) )
    {
        fail(err, errlen, "cfg=%s: cannot read %s", file, path);
        if ( cfg )
            xlu_cfg_destroy(cfg);
        free(path);
        return -1;
    }
    tmp = strdup(path);
    fdir = tmp ? dirname(tmp) : NULL;
    for ( unsigned int i = 0; keys[i] && !rc; i++ )
    {
        const char *s;
        long l;
        char num[32];

        if ( !xlu_cfg_get_string(cfg, keys[i], &s, 1) )
            rc = vm_set(vm, g, fdir, keys[i], s, err, errlen);
        else if ( !xlu_cfg_get_long(cfg, keys[i], &l, 1) )
        {
            snprintf(num, sizeof(num), "%ld", l);
            rc = vm_set(vm, g, fdir, keys[i], num, err, errlen);
        }
    }
    if ( rc )
    {
        size_t n = strlen(err);

        snprintf(err + n, errlen - n, " (in %s)", path);
    }
    free(tmp);
    free(path);
    xlu_cfg_destroy(cfg);
    return rc;
}

/* "k=v,k=v,...": an item without '=' continues the previous value. */
static int vm_parse(struct vm_spec *vm, const char *dir, const char *entry,
                    char *err, size_t errlen)
{
    char *copy = strdup(entry), *item, *save = NULL;
    char *keys[32], *vals[32];
    bool owned[32] = { false };         /* vals[i] malloc'ed (joined) */
    unsigned int n = 0, i;
    struct given g = { 0 };
    int rc = 0;

    memset(vm, 0, sizeof(*vm));
    vm->node = -1;
    if ( !copy )
        return fail(err, errlen, "out of memory");
    for ( item = strtok_r(copy, ",", &save); item;
          item = strtok_r(NULL, ",", &save) )
    {
        char *eq = strchr(item, '=');

        while ( isspace((unsigned char)*item) )
            item++;
        if ( !eq )
        {
            char *joined;

            if ( !n )
            {
                rc = fail(err, errlen, "\"%s\" is not key=value", item);
                goto out;
            }
            if ( asprintf(&joined, "%s,%s", vals[n - 1], item) < 0 )
            {
                rc = fail(err, errlen, "out of memory");
                goto out;
            }
            if ( owned[n - 1] )
                free(vals[n - 1]);
            vals[n - 1] = joined;
            owned[n - 1] = true;
            continue;
        }
        if ( n == 32 )
        {
            rc = fail(err, errlen, "too many items");
            goto out;
        }
        *eq = '\0';
        keys[n] = item;
        vals[n++] = eq + 1;
    }
    /* cfg= first: the entry's own keys override the file's. */
    for ( i = 0; i < n && !rc; i++ )
        if ( !strcmp(keys[i], "cfg") )
            rc = vm_read_xlcfg(vm, &g, dir, vals[i], err, errlen);
    for ( i = 0; i < n && !rc; i++ )
        if ( strcmp(keys[i], "cfg") )
            rc = vm_set(vm, &g, dir, keys[i], vals[i], err, errlen);
    if ( rc )
        goto out;

    if ( !vm->name[0] )
        rc = fail(err, errlen, "no name=");
    else if ( !g.memory && !g.maxmem )
        rc = fail(err, errlen, "%s: no memory=", vm->name);
    if ( rc )
        goto out;
    if ( !g.memory )
        vm->memory = vm->maxmem;
    if ( !g.maxmem )
        vm->maxmem = vm->memory;
    if ( !g.vcpus )
        vm->vcpus = g.maxvcpus ? vm->maxvcpus : 1;
    if ( !g.maxvcpus )
        vm->maxvcpus = vm->vcpus;
    if ( !g.videoram )
        vm->videoram = vm->type == VM_HVM ? 4 : 0;   /* XAPI's default */
    if ( vm->maxmem < vm->memory )
        rc = fail(err, errlen, "%s: maxmem %lu is below memory %lu",
                  vm->name, vm->maxmem, vm->memory);
    else if ( vm->maxvcpus < vm->vcpus )
        rc = fail(err, errlen, "%s: maxvcpus %u is below vcpus %u", vm->name,
                  vm->maxvcpus, vm->vcpus);
    else if ( vm->type != VM_HVM && !vm->kernel )
        rc = fail(err, errlen, "%s: a %s guest needs kernel=", vm->name,
                  vm_type_name(vm->type));
    else if ( vm->type != VM_HVM && vm->videoram )
        rc = fail(err, errlen, "%s: videoram is for HVM guests", vm->name);
    else if ( vm->memory <= vm->videoram + 2 )
        rc = fail(err, errlen, "%s: memory %lu MiB is too small", vm->name,
                  vm->memory);
 out:
    for ( i = 0; i < n; i++ )
        if ( owned[i] )
            free(vals[i]);
    free(copy);
    return rc;
}

/* "word =" at the start of a line, for settings libxlutil cannot list. */
static int check_top_keys(const char *text, char *err, size_t errlen)
{
    const char *line = text;

    for ( ; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1
                                                       : NULL )
    {
        const char *p = line, *start;
        unsigned int i;
        size_t len;

        while ( *p == ' ' || *p == '\t' )
            p++;
        if ( !isalpha((unsigned char)*p) && *p != '_' )
            continue;
        start = p;
        while ( isalnum((unsigned char)*p) || *p == '_' || *p == '.' )
            p++;
        len = p - start;
        while ( *p == ' ' || *p == '\t' )
            p++;
        if ( *p != '=' && !(p[0] == '+' && p[1] == '=') )
            continue;
        for ( i = 0; top_keys[i]; i++ )
            if ( strlen(top_keys[i]) == len && !strncmp(start, top_keys[i], len) )
                break;
        if ( !top_keys[i] )
            return fail(err, errlen, "unknown setting \"%.*s\" (known: host, "
                        "xen, parallel, numa_placement, vm)", (int)len, start);
    }
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t len = 0, cap = 0, n;

    if ( !f )
        return NULL;
    do {
        if ( cap - len < 4096 )
        {
            char *nb = realloc(buf, cap + 65536);

            if ( !nb )
            {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap += 65536;
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
    } while ( n > 0 );
    fclose(f);
    buf[len] = '\0';
    return buf;
}

struct scenario *scenario_load(const char *path, char *err, size_t errlen)
{
    struct scenario *sc = calloc(1, sizeof(*sc));
    char *text = NULL, *dirbuf = NULL, *dir = NULL;
    const char *s, *origin = path ? path : "<built-in default>";
    XLU_ConfigList *list;
    XLU_Config *cfg = NULL;
    int n = 0;
    long l;

    if ( !sc )
    {
        fail(err, errlen, "out of memory");
        return NULL;
    }
    sc->parallel = 1;
    sc->policy = NUMA_BEST_EFFORT;
    text = path ? slurp(path) : strdup(default_scenario);
    if ( !text )
    {
        fail(err, errlen, "%s: %s", origin, strerror(errno));
        goto bad;
    }
    if ( path )
    {
        char *base = strdup(path), *b, *dot;

        sc->path = realpath(path, NULL);
        dirbuf = strdup(sc->path ? sc->path : path);
        dir = dirbuf ? dirname(dirbuf) : NULL;
        b = base ? basename(base) : NULL;
        if ( b && (dot = strrchr(b, '.')) && !strcmp(dot, ".cfg") )
            *dot = '\0';
        sc->name = strdup(b ? b : path);
        free(base);
    }
    else
        sc->name = strdup("default");
    if ( check_top_keys(text, err, errlen) )
        goto bad_where;
    cfg = xlu_cfg_init(stderr, origin);
    if ( !cfg || xlu_cfg_readdata(cfg, text, strlen(text)) )
    {
        fail(err, errlen, "%s: not in xl.cfg syntax (see the message above)",
             origin);
        goto bad;
    }
    sc->host = strdup(xlu_cfg_get_string(cfg, "host", &s, 1) ? "server-2s"
                                                              : s);
    if ( !xlu_cfg_get_string(cfg, "xen", &s, 1) && *s )
        sc->xen = strdup(s);
    if ( !xlu_cfg_get_long(cfg, "parallel", &l, 1) )
    {
        if ( l < 1 || l > TS_MAX_VMS )
        {
            fail(err, errlen, "parallel = %ld: 1 to %d", l, TS_MAX_VMS);
            goto bad_where;
        }
        sc->parallel = l;
    }
    if ( !xlu_cfg_get_string(cfg, "numa_placement", &s, 1) )
    {
        unsigned int i;

        for ( i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++ )
            if ( !strcmp(s, policy_names[i]) )
                break;
        if ( i == sizeof(policy_names) / sizeof(policy_names[0]) )
        {
            fail(err, errlen, "numa_placement \"%s\": any, best_effort, "
                 "best_effort_hard or prio_mem_only", s);
            goto bad_where;
        }
        sc->policy = i;
    }
    if ( xlu_cfg_get_list(cfg, "vm", &list, &n, 1) || n == 0 )
    {
        fail(err, errlen, "no vm = [ ... ] list");
        goto bad_where;
    }
    if ( n > TS_MAX_VMS )
    {
        fail(err, errlen, "%d VMs: at most %d", n, TS_MAX_VMS);
        goto bad_where;
    }
    for ( int i = 0; i < n; i++ )
    {
        const char *entry = xlu_cfg_get_listitem(list, i);
        char why[TS_ERR];

        if ( !entry || vm_parse(&sc->vms[i], dir, entry, why, sizeof(why)) )
        {
            fail(err, errlen, "vm %d: %s", i + 1,
                 entry ? why : "not a string");
            sc->nr_vms = i + 1;
            goto bad_where;
        }
        sc->nr_vms = i + 1;
        for ( int j = 0; j < i; j++ )
            if ( !strcmp(sc->vms[j].name, sc->vms[i].name) )
            {
                fail(err, errlen, "vm %d: a second VM named %s", i + 1,
                     sc->vms[i].name);
                goto bad_where;
            }
    }
    xlu_cfg_destroy(cfg);
    free(text);
    free(dirbuf);
    return sc;

 bad_where:
    {
        char tmp[TS_ERR];

        snprintf(tmp, sizeof(tmp), "%s", err);
        snprintf(err, errlen, "%s: %s", origin, tmp);
    }
 bad:
    if ( cfg )
        xlu_cfg_destroy(cfg);
    free(text);
    free(dirbuf);
    scenario_free(sc);
    return NULL;
}

void scenario_free(struct scenario *sc)
{
    if ( !sc )
        return;
    for ( unsigned int i = 0; i < sc->nr_vms; i++ )
    {
        free(sc->vms[i].cpus);
        free(sc->vms[i].kernel);
        free(sc->vms[i].ramdisk);
        free(sc->vms[i].cmdline);
    }
    free(sc->name);
    free(sc->path);
    free(sc->host);
    free(sc->xen);
    free(sc);
}
