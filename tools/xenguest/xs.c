/*
 * xs.c - xenguest's xenstore helpers (XenServer's xenstore_get*,
 * xenstore_put*, hvmloader_flag): every key is relative to the domain's
 * home, /local/domain/<domid>.
 *
 * Values parse as XenServer's do: "true"/"false" in any case, else
 * strtoull(s, NULL, 0) (so 0x hex and 0 octal), with errors and missing
 * keys reading as 0.  XenServer's xenstore_get() forwarded its va_list as
 * a variadic argument (harmless only because no key had a conversion);
 * here the format is expanded once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xenguest.h"

static char *vgets(struct xg_ctx *ctx, const char *fmt, va_list ap)
{
    char key[1024];
    int n = snprintf(key, sizeof(key), "%s/", ctx->dom_path);

    if ( n < 0 || (size_t)n >= sizeof(key) )
        return NULL;
    if ( vsnprintf(key + n, sizeof(key) - n, fmt, ap) < 0 )
        return NULL;
    return xs_read(ctx->xsh, XBT_NULL, key, NULL);
}

char *xg_xs_gets(struct xg_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = vgets(ctx, fmt, ap);
    va_end(ap);
    return s;
}

uint64_t xg_xs_get_value(struct xg_ctx *ctx, bool *valid, const char *fmt,
                         ...)
{
    va_list ap;
    char *s;
    uint64_t v;

    va_start(ap, fmt);
    s = vgets(ctx, fmt, ap);
    va_end(ap);
    v = xg_parse_value(s, valid);
    free(s);
    return v;
}

int xg_xs_puts(struct xg_ctx *ctx, const char *key, const char *val)
{
    char path[1024];
    int n = snprintf(path, sizeof(path), "%s/%s", ctx->dom_path, key);

    if ( n < 0 || (size_t)n >= sizeof(path) )
        return -1;
    return xs_write(ctx->xsh, XBT_NULL, path, val, strlen(val)) ? 0 : -1;
}

int xg_xs_printf(struct xg_ctx *ctx, const char *key, const char *fmt, ...)
{
    char val[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    if ( n < 0 || (size_t)n >= sizeof(val) )
        return -1;
    return xg_xs_puts(ctx, key, val);
}

int xg_hvmloader_flag(struct xg_ctx *ctx, const char *key)
{
    char *val = xg_xs_gets(ctx, "%s", key);
    bool rewrite;
    int ret;

    if ( !val )
    {
        /* hvmloader cannot do without the key: write the default. */
        xg_xs_puts(ctx, key, "0");
        return -1;
    }
    ret = xg_hvmloader_value(val, &rewrite);
    if ( rewrite )
    {
        /* Older XAPI hosts stored "true", which hvmloader cannot parse. */
        xg_info("HVMLoader error: Fixing up key '%s' from '%s' to '%d'\n",
                key, val, ret);
        xg_xs_printf(ctx, key, "%d", !!ret);
    }
    free(val);
    return ret;
}
