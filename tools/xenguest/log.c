/*
 * log.c - xenguest's messages and the control protocol's output side.
 *
 * As XenServer's xenguest: informational lines go to the -debuglog file
 * (and syslog there; here stderr instead), errors to stderr and the debug
 * log and, prefixed "error:", to the control fd; libxc's log lines come
 * through the xentoollog logger, its XTL_DEBUG lines only with -debug.
 * The success line is written by xg_write_status().
 *
 * Deviation: no syslog.  Informational lines go to stderr as well, so a
 * caller without -debuglog still sees them (xenopsd reads neither).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xentoollog.h>

#include "xenguest.h"

static FILE *debugfile;
static int controlfd = -1;
static bool debug_on;

void xg_log_set_debugfile(const char *path)
{
    if ( debugfile && fclose(debugfile) )
        xg_fatal("Unable to close existing debug file: %d %s\n", errno,
                 strerror(errno));
    debugfile = fopen(path, "a");
    if ( !debugfile )
        xg_fatal("Unable to open debug file '%s': %d %s\n", path, errno,
                 strerror(errno));
    setvbuf(debugfile, NULL, _IOLBF, 0);
}

void xg_log_set_controlfd(int fd)
{
    controlfd = fd;
}

void xg_log_set_debug(bool on)
{
    debug_on = on;
}

static void write_all(int fd, const char *buf, size_t len)
{
    while ( len )
    {
        ssize_t n = write(fd, buf, len);

        if ( n < 0 && errno == EINTR )
            continue;
        if ( n <= 0 )
            return;
        buf += n;
        len -= n;
    }
}

static void vlog(bool err, const char *fmt, va_list ap)
{
    char *buf = NULL;
    int len = vasprintf(&buf, fmt, ap);

    if ( len < 0 )
        return;
    if ( debugfile )
        fputs(buf, debugfile);
    fputs(buf, stderr);
    if ( err && controlfd >= 0 )
    {
        write_all(controlfd, "error:", 6);
        write_all(controlfd, buf, len);
    }
    free(buf);
}

void xg_info(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(false, fmt, ap);
    va_end(ap);
}

void xg_err(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(true, fmt, ap);
    va_end(ap);
}

void xg_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(true, fmt, ap);
    va_end(ap);
    exit(1);
}

void xg_failwith_xc(struct xg_ctx *ctx, const char *fn)
{
    const xc_error *e = ctx->xch ? xc_get_last_error(ctx->xch) : NULL;
    int saved = errno;

    if ( !e || e->code == XC_ERROR_NONE )
        xg_fatal("xenguest: %s: [%d] %s\n", fn, saved, strerror(saved));
    xg_fatal("xenguest: %s: [%d] %s\n", fn, e->code, e->message);
}

static void xg_xtl_vmessage(struct xentoollog_logger *lg, xentoollog_level level,
                    int errnoval, const char *context, const char *fmt,
                    va_list ap)
{
    char *buf = NULL;

    (void)lg;
    (void)errnoval;
    if ( level == XTL_DEBUG && !debug_on )
        return;
    if ( vasprintf(&buf, fmt, ap) < 0 )
        return;
    xg_info("%s: %s: %s\n", context ? context : "xc",
            xtl_level_to_string(level), buf);
    free(buf);
}

static void xg_xtl_progress(struct xentoollog_logger *lg, const char *context,
                         const char *doing_what, int percent,
                         unsigned long done, unsigned long total)
{
    (void)lg;
    (void)context;
    /* A build reports no progress worth a line per call; keep the ends. */
    if ( done == 0 || done == total )
        xg_info("progress: %s: %lu of %lu (%d%%)\n", doing_what, done,
                total, percent);
}

static void xg_xtl_destroy(struct xentoollog_logger *lg)
{
    (void)lg;
}

struct xentoollog_logger *xg_xtl_logger(void)
{
    static struct xentoollog_logger lg = {
        .vmessage = xg_xtl_vmessage,
        .progress = xg_xtl_progress,
        .destroy = xg_xtl_destroy,
    };

    return &lg;
}

void xg_write_status(int fd, unsigned long store, unsigned long console,
                     const char *protocol)
{
    char buf[64];
    int len;

    if ( fd < 0 )
    {
        xg_err("No control fd to write success to\n");
        return;
    }
    if ( protocol )
        len = snprintf(buf, sizeof(buf), "result:%lu %lu %s\n", store,
                       console, protocol);
    else
        len = snprintf(buf, sizeof(buf), "result:%lu %lu\n", store, console);
    if ( len >= (int)sizeof(buf) )
        len = sizeof(buf) - 1;
    write_all(fd, buf, len);
    xg_info("Writing to control: '%s'\n", buf);
}
