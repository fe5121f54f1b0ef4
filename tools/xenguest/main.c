/*
 * main.c - xenguest's main(): log the command line, parse it, open
 * libxenctrl and xenstore, run the mode, write the result line on the
 * control fd, log "All done".
 *
 * Only the build modes are here (hvm_build, pvh_build, linux_build);
 * save, restore, resume_slow and listen (emu-manager's EMP) answer
 * "mode not supported", and test errors as it always did.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenguest.h"

static void set_cloexec(int fd)
{
    int flags;

    if ( fd < 0 )
        return;
    flags = fcntl(fd, F_GETFD);
    if ( flags == -1 )
        xg_fatal("Failed fcntl(F_GETFD) on fd %d: %d, %s\n", fd, errno,
                 strerror(errno));
    /* XenServer's passed the flags as the command; F_SETFD is meant. */
    if ( fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1 )
        xg_fatal("Failed to set FD_CLOEXEC on fd %d: %d %s\n", fd, errno,
                 strerror(errno));
}

static char *join_args(int argc, char *const argv[])
{
    size_t len = 1;
    char *s, *p;

    for ( int i = 1; i < argc; i++ )
        len += strlen(argv[i]) + 1;
    p = s = malloc(len);
    if ( !s )
        return NULL;
    *p = '\0';
    for ( int i = 1; i < argc; i++ )
        p += sprintf(p, "%s%s", i > 1 ? " " : "", argv[i]);
    return s;
}

int main(int argc, char *argv[])
{
    struct xg_opts o;
    struct xg_ctx ctx = { .o = &o };
    unsigned long store = 0, console = 0;
    char protocol[64] = "", *cmdline = join_args(argc, argv);

    xg_parse_options(&o, argc, argv);
    xg_info("Command line: %s\n", cmdline ? cmdline : "");
    free(cmdline);
    set_cloexec(o.controlinfd);
    set_cloexec(o.controloutfd);

    if ( o.mode == XG_MODE_NONE )
        xg_fatal("xenguest: no `-mode' option specified\n");
    if ( o.mode == XG_MODE_TEST )
        xg_fatal("xenguest: test mode not supported\n");
    if ( o.mode != XG_MODE_HVM_BUILD && o.mode != XG_MODE_PVH_BUILD &&
         o.mode != XG_MODE_LINUX_BUILD )
        xg_fatal("xenguest: mode '%s' not supported\n",
                 xg_mode_name(o.mode));
    if ( !xg_opts_complete(&o) )
        xg_fatal("xenguest: missing command line options\n");

    ctx.xch = xc_interface_open(xg_xtl_logger(), xg_xtl_logger(), 0);
    if ( !ctx.xch )
        xg_fatal("xenguest: Failed to open xc interface\n");
    ctx.xsh = xs_open(0);
    if ( !ctx.xsh )
        xg_fatal("xenguest: Failed to open xenstore interface\n");
    ctx.domid = o.domid;
    if ( o.domid > 0 )
    {
        ctx.dom_path = xs_get_domain_path(ctx.xsh, o.domid);
        if ( !ctx.dom_path )
            xg_fatal("Failed to obtain XenStore domain path\n");
    }
    else
        xg_fatal("xenguest: cannot build domain %d\n", o.domid);

    switch ( o.mode )
    {
    case XG_MODE_HVM_BUILD:
        xg_hvm_build(&ctx, false, &store, &console);
        xg_write_status(o.controloutfd, store, console, NULL);
        break;
    case XG_MODE_PVH_BUILD:
        xg_hvm_build(&ctx, true, &store, &console);
        xg_write_status(o.controloutfd, store, console, NULL);
        break;
    case XG_MODE_LINUX_BUILD:
        xg_linux_build(&ctx, &store, &console, protocol, sizeof(protocol));
        xg_write_status(o.controloutfd, store, console, protocol);
        break;
    default:
        break;
    }

    free(ctx.dom_path);
    xs_close(ctx.xsh);
    xc_interface_close(ctx.xch);
    xg_info("All done\n");
    return 0;
}
