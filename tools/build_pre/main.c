/*
 * main.c - xenmm-build-pre: create a domain as xenopsd does before it runs
 * xenguest (build_pre.h), and print what xenguest needs as shell
 * assignments; or destroy one.  Run on xenmm through the drop-ins
 * (`xenmm exec --`), with xenstored running.
 *
 *   xenmm-build-pre --type hvm|pvh|pv --vcpus N --memory MIB
 *                   [--target MIB] [--video MIB] [--current N]
 *                   [--claim-node N | --no-claim] [--name NAME]
 *                   [--platform KEY=VALUE]... [--unset KEY]...
 *   xenmm-build-pre --destroy DOMID
 *
 * Output: domid=, store_port=, console_port=, mem_max_mib=,
 * mem_start_mib=, xen_max_mib=, shadow_mib=, pnode= (one per line).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_pre.h"

#define MAX_KEYS 256

static void usage(FILE *f)
{
    fprintf(f,
        "usage: xenmm-build-pre --type hvm|pvh|pv --vcpus N --memory MIB\n"
        "           [--target MIB] [--video MIB] [--current N]\n"
        "           [--claim-node N | --no-claim] [--name NAME]\n"
        "           [--platform KEY=VALUE]... [--unset KEY]...\n"
        "       xenmm-build-pre --destroy DOMID\n");
}

int main(int argc, char *argv[])
{
    static const struct option opts[] = {
        { "type", required_argument, NULL, 't' },
        { "vcpus", required_argument, NULL, 'c' },
        { "current", required_argument, NULL, 'C' },
        { "memory", required_argument, NULL, 'm' },
        { "target", required_argument, NULL, 'T' },
        { "video", required_argument, NULL, 'v' },
        { "claim-node", required_argument, NULL, 'n' },
        { "no-claim", no_argument, NULL, 'N' },
        { "name", required_argument, NULL, 'a' },
        { "platform", required_argument, NULL, 'p' },
        { "unset", required_argument, NULL, 'u' },
        { "destroy", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static struct bp_key keys[MAX_KEYS];
    struct bp_config c = { .type = BP_HVM, .vcpus = 1, .claim_node = -1,
                           .platform = keys };
    struct bp_result r;
    xc_interface *xch;
    struct xs_handle *xsh;
    long destroy = -1;
    char err[512], *eq;
    int opt, rc;

    while ( (opt = getopt_long(argc, argv, "h", opts, NULL)) != -1 )
        switch ( opt )
        {
        case 't':
            if ( !strcmp(optarg, "hvm") )
                c.type = BP_HVM;
            else if ( !strcmp(optarg, "pvh") )
                c.type = BP_PVH;
            else if ( !strcmp(optarg, "pv") )
                c.type = BP_PV;
            else
            {
                usage(stderr);
                return 2;
            }
            break;
        case 'c': c.vcpus = strtoul(optarg, NULL, 0); break;
        case 'C': c.vcpus_current = strtoul(optarg, NULL, 0); break;
        case 'm': c.static_max_mib = strtoull(optarg, NULL, 0); break;
        case 'T': c.target_mib = strtoull(optarg, NULL, 0); break;
        case 'v': c.video_mib = strtoull(optarg, NULL, 0); break;
        case 'n': c.claim_node = strtol(optarg, NULL, 0); break;
        case 'N': c.no_claim = true; break;
        case 'a': c.name = optarg; break;
        case 'p':
        case 'u':
            if ( c.nr_platform == MAX_KEYS )
            {
                fprintf(stderr, "xenmm-build-pre: too many platform keys\n");
                return 2;
            }
            keys[c.nr_platform].key = optarg;
            keys[c.nr_platform].value = NULL;
            if ( opt == 'p' )
            {
                if ( !(eq = strchr(optarg, '=')) )
                {
                    usage(stderr);
                    return 2;
                }
                *eq = '\0';
                keys[c.nr_platform].value = eq + 1;
            }
            c.nr_platform++;
            break;
        case 'd': destroy = strtol(optarg, NULL, 0); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    if ( destroy < 0 && (!c.static_max_mib || !c.vcpus) )
    {
        usage(stderr);
        return 2;
    }

    xch = xc_interface_open(NULL, NULL, 0);
    xsh = xs_open(0);
    if ( !xch || !xsh )
    {
        fprintf(stderr, "xenmm-build-pre: cannot open %s\n",
                xch ? "xenstore" : "libxenctrl");
        return 1;
    }
    if ( destroy >= 0 )
    {
        rc = bp_destroy(xch, xsh, destroy);
        if ( rc )
            perror("xenmm-build-pre: xc_domain_destroy");
    }
    else if ( (rc = bp_build_pre(xch, xsh, &c, &r, err, sizeof(err))) )
        fprintf(stderr, "xenmm-build-pre: %s\n", err);
    else
        printf("domid=%u\nstore_port=%d\nconsole_port=%d\nmem_max_mib=%llu\n"
               "mem_start_mib=%llu\nxen_max_mib=%llu\nshadow_mib=%llu\n"
               "pnode=%d\n", r.domid, r.store_port, r.console_port,
               (unsigned long long)r.build_max_mib,
               (unsigned long long)r.build_start_mib,
               (unsigned long long)r.xen_max_mib,
               (unsigned long long)r.shadow_mib, r.pnode);
    xs_close(xsh);
    xc_interface_close(xch);
    return rc ? 1 : 0;
}
