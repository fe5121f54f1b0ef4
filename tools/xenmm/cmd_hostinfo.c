/*
 * tools/xenmm/cmd_hostinfo.c - `xenmm hostinfo`: boot a host and print what
 * `xl info -n` prints on a real Xen 4.17 (same keys, same 23-column key
 * padding, same table formats), so the output reads back with
 * --host xlinfo:FILE.  --json prints the same facts as one JSON object.
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenmm.h"

/* Pages to MiB, as xl does with (1 << 20) / pagesize. */
#define PAGES_PER_MIB ((1UL << 20) >> PAGE_SHIFT)

static const char hostinfo_xen_caps[] =
    "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64";

static void hostinfo_usage(FILE *f)
{
    fprintf(f,
        "usage: xenmm hostinfo [--host SPEC] [--xen OPT=VAL ...] [--json]\n"
        "       xenmm hostinfo --presets [--json]\n\n"
        "Boot an emulated host and print it as `xl info -n` does.\n\n"
        "  -H, --host SPEC   the host (default: $XENMM_HOST, else %s):\n"
        "                      NAME or preset:NAME   a built-in preset\n"
        "                      FILE or json:FILE     a JSON host file\n"
        "                      xlinfo:FILE           `xl info -n` text\n"
        "                      local[:SYSROOT]       this machine's sysfs\n"
        "  -x, --xen OPTS    Xen boot options, e.g. bootscrub=off or\n"
        "                    \"heap=split xenheap_megabytes=64\" (repeatable)\n"
        "  -j, --json        print one JSON object instead\n"
        "  -p, --presets     list the built-in presets (* = default)\n"
        "  -h, --help        this text\n"
        "See docs/host-file.md for host files and options.\n",
        HOSTSPEC_DEFAULT_PRESET);
}

static void hostinfo_kv(const char *key, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "key<pad to 23>: value", as xl's maybe_printf lines. */
static void hostinfo_kv(const char *key, const char *fmt, ...)
{
    va_list ap;

    printf("%-23s: ", key);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static int hostinfo_presets(bool json)
{
    json_t *arr = json ? json_array() : NULL;

    for ( unsigned int i = 0; i < hostspec_nr_presets(); i++ )
    {
        const struct hostspec_preset_info *p = hostspec_preset(i);
        bool def = !strcmp(p->name, HOSTSPEC_DEFAULT_PRESET);

        if ( arr )
            json_array_append_new(arr, json_pack("{s:s, s:s, s:b}",
                                                 "name", p->name,
                                                 "description",
                                                 p->description,
                                                 "default", def));
        else
            printf("%c %-14s %s\n", def ? '*' : ' ', p->name,
                   p->description);
    }
    if ( arr )
    {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(arr);
    }
    return 0;
}

static void hostinfo_text(struct host *h)
{
    const struct hostspec *hs = host_spec(h);
    struct host_physinfo pi;
    char line[1024];

    host_get_physinfo(h, &pi);
    hostinfo_kv("host", "%s", hs->name);
    hostinfo_kv("nr_cpus", "%u", pi.nr_cpus);
    hostinfo_kv("max_cpu_id", "%u", pi.max_cpu_id);
    hostinfo_kv("nr_nodes", "%u", pi.nr_nodes);
    hostinfo_kv("cores_per_socket", "%u", pi.cores_per_socket);
    hostinfo_kv("threads_per_core", "%u", pi.threads_per_core);
    hostinfo_kv("cpu_mhz", "%u.%03u", pi.cpu_khz / 1000, pi.cpu_khz % 1000);
    hostinfo_kv("total_memory", "%" PRIu64, pi.total_pages / PAGES_PER_MIB);
    /* xl subtracts the outstanding claims from free memory. */
    hostinfo_kv("free_memory", "%" PRIu64,
                (pi.free_pages - pi.outstanding_pages) / PAGES_PER_MIB);
    hostinfo_kv("sharing_freed_memory", "0");
    hostinfo_kv("sharing_used_memory", "0");
    hostinfo_kv("outstanding_claims", "%" PRIu64,
                pi.outstanding_pages / PAGES_PER_MIB);

    printf("cpu_topology           :\n");
    printf("cpu:    core    socket     node\n");
    for ( unsigned int c = 0; c < hs->nr_cpus; c++ )
        printf("%3u:    %4u     %4u     %4u\n", c, hs->cpu[c].core,
               hs->cpu[c].socket, hs->cpu[c].node);

    printf("numa_info              :\n");
    printf("node:    memsize    memfree    distances\n");
    for ( unsigned int n = 0; n < hs->nr_nodes; n++ )
    {
        struct host_numainfo ni;

        host_get_numainfo(h, n, &ni);
        /* xl prints the uint32 distances with %d: unreachable is -1. */
        printf("%4u:    %6" PRIu64 "     %6" PRIu64 "      %d", n,
               ni.memsize >> 20, ni.memfree >> 20, (int)hs->distance[n][0]);
        for ( unsigned int j = 1; j < hs->nr_nodes; j++ )
            printf(",%d", (int)hs->distance[n][j]);
        putchar('\n');
    }

    hostinfo_kv("xen_major", "%d", XENMM_XEN_MAJOR);
    hostinfo_kv("xen_minor", "%d", XENMM_XEN_MINOR);
    hostinfo_kv("xen_extra", "%s", XENMM_XEN_EXTRA);
    hostinfo_kv("xen_version", "%d.%d%s", XENMM_XEN_MAJOR, XENMM_XEN_MINOR,
                XENMM_XEN_EXTRA);
    hostinfo_kv("xen_caps", "%s", hostinfo_xen_caps);
    hostinfo_kv("xen_pagesize", "%lu", PAGE_SIZE);
    hostspec_format_xen_opts(&hs->xen, line, sizeof(line));
    hostinfo_kv("xen_commandline", "%s", line);
}

static json_t *hostinfo_json(struct host *h)
{
    const struct hostspec *hs = host_spec(h);
    json_t *o = json_object(), *cpus = json_array(), *nodes = json_array();
    json_t *opts = json_object();
    struct host_physinfo pi;
    char line[1024];

    host_get_physinfo(h, &pi);
    json_object_set_new(o, "host", json_string(hs->name));
    json_object_set_new(o, "description", json_string(hs->description));
    json_object_set_new(o, "nr_cpus", json_integer(pi.nr_cpus));
    json_object_set_new(o, "max_cpu_id", json_integer(pi.max_cpu_id));
    json_object_set_new(o, "nr_nodes", json_integer(pi.nr_nodes));
    json_object_set_new(o, "max_node_id", json_integer(pi.max_node_id));
    json_object_set_new(o, "cores_per_socket",
                        json_integer(pi.cores_per_socket));
    json_object_set_new(o, "threads_per_core",
                        json_integer(pi.threads_per_core));
    json_object_set_new(o, "cpu_khz", json_integer(pi.cpu_khz));
    json_object_set_new(o, "total_memory",
                        json_integer(pi.total_pages / PAGES_PER_MIB));
    json_object_set_new(o, "free_memory",
                        json_integer((pi.free_pages - pi.outstanding_pages) /
                                     PAGES_PER_MIB));
    json_object_set_new(o, "outstanding_claims",
                        json_integer(pi.outstanding_pages / PAGES_PER_MIB));
    json_object_set_new(o, "total_pages", json_integer(pi.total_pages));
    json_object_set_new(o, "free_pages", json_integer(pi.free_pages));
    json_object_set_new(o, "outstanding_pages",
                        json_integer(pi.outstanding_pages));
    json_object_set_new(o, "need_scrub_pages",
                        json_integer(pi.need_scrub_pages));
    json_object_set_new(o, "max_mfn", json_integer(pi.max_mfn));

    for ( unsigned int c = 0; c < hs->nr_cpus; c++ )
        json_array_append_new(cpus, json_pack("{s:i, s:I, s:I, s:I}",
                                              "cpu", (int)c,
                                              "core",
                                              (json_int_t)hs->cpu[c].core,
                                              "socket",
                                              (json_int_t)hs->cpu[c].socket,
                                              "node",
                                              (json_int_t)hs->cpu[c].node));
    json_object_set_new(o, "cpu_topology", cpus);

    for ( unsigned int n = 0; n < hs->nr_nodes; n++ )
    {
        struct host_numainfo ni;
        json_t *dist = json_array();

        host_get_numainfo(h, n, &ni);
        for ( unsigned int j = 0; j < hs->nr_nodes; j++ )
            json_array_append_new(dist, json_integer(hs->distance[n][j]));
        json_array_append_new(nodes, json_pack(
            "{s:i, s:I, s:I, s:o, s:I, s:I, s:I}",
            "node", (int)n,
            "memsize", (json_int_t)(ni.memsize >> 20),
            "memfree", (json_int_t)(ni.memfree >> 20),
            "distances", dist,
            "ram_pages",
            (json_int_t)(hostspec_node_ram_bytes(hs, n) >> PAGE_SHIFT),
            "need_scrub_pages", (json_int_t)ni.need_scrub_pages,
            "claimed_pages", (json_int_t)ni.claimed_pages));
    }
    json_object_set_new(o, "numa_info", nodes);

    json_object_set_new(o, "xen_major", json_integer(XENMM_XEN_MAJOR));
    json_object_set_new(o, "xen_minor", json_integer(XENMM_XEN_MINOR));
    json_object_set_new(o, "xen_extra", json_string(XENMM_XEN_EXTRA));
    snprintf(line, sizeof(line), "%d.%d%s", XENMM_XEN_MAJOR, XENMM_XEN_MINOR,
             XENMM_XEN_EXTRA);
    json_object_set_new(o, "xen_version", json_string(line));
    json_object_set_new(o, "xen_caps", json_string(hostinfo_xen_caps));
    json_object_set_new(o, "xen_pagesize", json_integer(PAGE_SIZE));
    hostspec_format_xen_opts(&hs->xen, line, sizeof(line));
    json_object_set_new(o, "xen_commandline", json_string(line));
    for ( unsigned int i = 0; i < hostspec_nr_xen_opts(); i++ )
    {
        const char *name;
        char val[64];

        hostspec_xen_opt_get(&hs->xen, i, &name, val, sizeof(val));
        json_object_set_new(opts, name, json_string(val));
    }
    json_object_set_new(o, "xen", opts);
    return o;
}

int cmd_hostinfo(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "host", required_argument, NULL, 'H' },
        { "xen", required_argument, NULL, 'x' },
        { "json", no_argument, NULL, 'j' },
        { "presets", no_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct xenmm_host_args args = { 0 };
    bool json = false, presets = false;
    struct host *h;
    int opt;

    optind = 1;
    opterr = 0;
    while ( (opt = getopt_long(argc, argv, ":H:x:jph", longopts, NULL)) != -1 )
    {
        switch ( opt )
        {
        case 'H':
            args.spec = optarg;
            break;
        case 'x':
            if ( xenmm_host_args_add_xen(&args, "hostinfo", optarg) )
                return EXIT_USAGE;
            break;
        case 'j':
            json = true;
            break;
        case 'p':
            presets = true;
            break;
        case 'h':
            hostinfo_usage(stdout);
            return 0;
        case ':':
            return xenmm_usage_error("hostinfo", "%s needs a value",
                                     argv[optind - 1]);
        default:
            return xenmm_usage_error("hostinfo", "unknown option '%s'",
                                     argv[optind - 1]);
        }
    }
    if ( optind < argc )
        return xenmm_usage_error("hostinfo", "unexpected argument '%s'",
                                 argv[optind]);
    if ( presets )
        return hostinfo_presets(json);

    h = xenmm_boot_host(&args);
    if ( !h )
        return EXIT_FAILURE;
    if ( json )
    {
        json_t *o = hostinfo_json(h);

        json_dumpf(o, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(o);
    }
    else
        hostinfo_text(h);
    host_destroy(h);
    return fflush(stdout) ? xenmm_fail("write error") : 0;
}
