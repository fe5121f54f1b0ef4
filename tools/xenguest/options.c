/*
 * options.c - XenServer xenguest's command line (parse_options): named
 * options only, parsed with getopt_long_only so "-x" and "--x" both work;
 * integers must be whole decimal numbers.  "-supports FEATURE" answers
 * true for migration-v2 only and exits at once.  -fake, -fork and
 * -no_incr_generationid are accepted and ignored.
 *
 * Beyond the public XS-8 source: -mem_pnode N, which current xenopsd
 * passes after a single-node NUMA claim (numa.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenguest.h"

enum {
    OPT_MODE = 256, OPT_CONTROLINFD, OPT_CONTROLOUTFD, OPT_DEBUGLOG,
    OPT_FAKE, OPT_FD, OPT_IMAGE, OPT_CMDLINE, OPT_RAMDISK, OPT_DOMID,
    OPT_LIVE, OPT_DEBUG, OPT_STORE_PORT, OPT_STORE_DOMID, OPT_CONSOLE_PORT,
    OPT_CONSOLE_DOMID, OPT_FEATURES, OPT_FLAGS, OPT_MEM_MAX_MIB,
    OPT_MEM_START_MIB, OPT_FORK, OPT_NO_INC_GENID, OPT_SUPPORTS,
    OPT_PCI_PASSTHROUGH, OPT_FORCE, OPT_VGPU, OPT_MODULE, OPT_MEM_PNODE,
};

static const char *const mode_names[XG_MODE_NR] = {
    [XG_MODE_SAVE] = "save",
    [XG_MODE_HVM_SAVE] = "hvm_save",
    [XG_MODE_RESTORE] = "restore",
    [XG_MODE_HVM_RESTORE] = "hvm_restore",
    [XG_MODE_RESUME_SLOW] = "resume_slow",
    [XG_MODE_LINUX_BUILD] = "linux_build",
    [XG_MODE_HVM_BUILD] = "hvm_build",
    [XG_MODE_TEST] = "test",
    [XG_MODE_LISTEN] = "listen",
    [XG_MODE_PVH_BUILD] = "pvh_build",
};

const char *xg_mode_name(enum xg_mode mode)
{
    return mode > XG_MODE_NONE && mode < XG_MODE_NR ? mode_names[mode]
                                                     : "none";
}

static enum xg_mode parse_mode(const char *s)
{
    for ( int i = 0; i < XG_MODE_NR; i++ )
        if ( !strcmp(s, mode_names[i]) )
            return i;
    xg_fatal("xenguest: unrecognized mode '%s'\n", s);
}

static int parse_int(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if ( *end != '\0' )
        xg_fatal("xenguest: '%s' is not a valid integer\n", s);
    return (int)v;
}

void xg_parse_options(struct xg_opts *o, int argc, char *const argv[])
{
    static const struct option opts[] = {
        { "mode", required_argument, NULL, OPT_MODE },
        { "controlinfd", required_argument, NULL, OPT_CONTROLINFD },
        { "controloutfd", required_argument, NULL, OPT_CONTROLOUTFD },
        { "debuglog", required_argument, NULL, OPT_DEBUGLOG },
        { "fake", no_argument, NULL, OPT_FAKE },
        { "fd", required_argument, NULL, OPT_FD },
        { "image", required_argument, NULL, OPT_IMAGE },
        { "cmdline", required_argument, NULL, OPT_CMDLINE },
        { "ramdisk", required_argument, NULL, OPT_RAMDISK },
        { "domid", required_argument, NULL, OPT_DOMID },
        { "live", no_argument, NULL, OPT_LIVE },
        { "debug", no_argument, NULL, OPT_DEBUG },
        { "store_port", required_argument, NULL, OPT_STORE_PORT },
        { "store_domid", required_argument, NULL, OPT_STORE_DOMID },
        { "console_port", required_argument, NULL, OPT_CONSOLE_PORT },
        { "console_domid", required_argument, NULL, OPT_CONSOLE_DOMID },
        { "features", required_argument, NULL, OPT_FEATURES },
        { "flags", required_argument, NULL, OPT_FLAGS },
        { "mem_max_mib", required_argument, NULL, OPT_MEM_MAX_MIB },
        { "mem_start_mib", required_argument, NULL, OPT_MEM_START_MIB },
        { "fork", no_argument, NULL, OPT_FORK },
        { "no_incr_generationid", no_argument, NULL, OPT_NO_INC_GENID },
        { "supports", required_argument, NULL, OPT_SUPPORTS },
        { "pci_passthrough", required_argument, NULL, OPT_PCI_PASSTHROUGH },
        { "force", no_argument, NULL, OPT_FORCE },
        { "vgpu", no_argument, NULL, OPT_VGPU },
        { "module", required_argument, NULL, OPT_MODULE },
        { "mem_pnode", required_argument, NULL, OPT_MEM_PNODE },
        { NULL, 0, NULL, 0 },
    };

    *o = (struct xg_opts){
        .mode = XG_MODE_NONE,
        .controlinfd = -1, .controloutfd = -1, .fd = -1, .domid = -1,
        .store_port = -1, .console_port = -1,
        .mem_max_mib = -1, .mem_start_mib = -1, .mem_pnode = -1,
    };
    opterr = 0;
    for ( ;; )
    {
        int c = getopt_long_only(argc, argv, "", opts, NULL);

        switch ( c )
        {
        case -1:
            return;
        case OPT_MODE: o->mode = parse_mode(optarg); break;
        case OPT_CONTROLINFD: o->controlinfd = parse_int(optarg); break;
        case OPT_CONTROLOUTFD:
            o->controloutfd = parse_int(optarg);
            xg_log_set_controlfd(o->controloutfd);
            break;
        case OPT_DEBUGLOG: xg_log_set_debugfile(optarg); break;
        case OPT_FD: o->fd = parse_int(optarg); break;
        case OPT_IMAGE: o->image = optarg; break;
        case OPT_MODULE:
            if ( o->nr_modules == XG_PVH_MODULE_MAX )
                xg_fatal("xenguest: too many modules (at most %d)\n",
                         XG_PVH_MODULE_MAX);
            o->modules[o->nr_modules++].filename = optarg;
            break;
        case OPT_CMDLINE:
            /* The first is the kernel's; later ones go to the modules. */
            if ( !o->cmdline )
                o->cmdline = optarg;
            else if ( o->nr_module_cmdlines == XG_PVH_MODULE_MAX )
                xg_fatal("xenguest: too many module command lines\n");
            else
                o->modules[o->nr_module_cmdlines++].cmdline = optarg;
            break;
        case OPT_RAMDISK: o->ramdisk = optarg; break;
        case OPT_DOMID: o->domid = parse_int(optarg); break;
        case OPT_LIVE: o->flags |= XCFLAGS_LIVE; break;
        case OPT_DEBUG:
            o->flags |= XCFLAGS_DEBUG;
            xg_log_set_debug(true);
            break;
        case OPT_STORE_PORT: o->store_port = parse_int(optarg); break;
        case OPT_STORE_DOMID: o->store_domid = parse_int(optarg); break;
        case OPT_CONSOLE_PORT: o->console_port = parse_int(optarg); break;
        case OPT_CONSOLE_DOMID: o->console_domid = parse_int(optarg); break;
        case OPT_FEATURES: o->features = optarg; break;
        case OPT_FLAGS: o->flags = parse_int(optarg); break;
        case OPT_MEM_MAX_MIB: o->mem_max_mib = parse_int(optarg); break;
        case OPT_MEM_START_MIB: o->mem_start_mib = parse_int(optarg); break;
        case OPT_MEM_PNODE: o->mem_pnode = parse_int(optarg); break;
        case OPT_SUPPORTS:
            printf("%s\n", strcmp(optarg, "migration-v2") ? "false" : "true");
            exit(0);
        case OPT_PCI_PASSTHROUGH: o->pci_passthrough = optarg; break;
        case OPT_FORCE: o->force = true; break;
        case OPT_VGPU: o->vgpu = true; break;
        case OPT_FAKE:
        case OPT_FORK:
        case OPT_NO_INC_GENID:
            break;
        default:
            xg_fatal("xenguest: invalid command line '%s'\n",
                     argv[optind - 1]);
        }
    }
}

bool xg_opts_complete(const struct xg_opts *o)
{
    bool base = o->domid != -1 && o->mem_max_mib != -1 &&
                o->mem_start_mib != -1 && o->image &&
                o->store_port != -1 && o->store_domid != -1 &&
                o->console_port != -1 && o->console_domid != -1;

    switch ( o->mode )
    {
    case XG_MODE_HVM_BUILD:
        return base;
    case XG_MODE_PVH_BUILD:
        return base && o->cmdline && o->features && o->flags != -1;
    case XG_MODE_LINUX_BUILD:
        return base && o->cmdline && o->features && o->flags != -1 &&
               o->ramdisk;
    case XG_MODE_SAVE:
    case XG_MODE_HVM_SAVE:
        return o->domid != -1 && o->fd != -1;
    case XG_MODE_RESTORE:
    case XG_MODE_HVM_RESTORE:
        return o->domid != -1 && o->fd != -1 && o->store_port != -1 &&
               o->console_port != -1;
    case XG_MODE_RESUME_SLOW:
        return o->domid != -1;
    default:
        return true;
    }
}
