/*
 * src/hostspec/util.c - error lines, number and size parsing, file reading.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hostspec/internal.h"

int hostspec_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if ( err && errlen )
    {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int hostspec_err_prefix(char *err, size_t errlen, const char *origin)
{
    char *msg;

    if ( !err || !errlen )
        return -1;
    msg = strdup(err);
    if ( !msg )
        return -1;
    snprintf(err, errlen, "%s: %s", origin, msg);
    free(msg);
    return -1;
}

/*
 * Digits of an unsigned number in base 10, or base 16 after "0x".  Unlike
 * strtoull this takes no sign, no blanks and no octal.  *end is set past
 * the digits.  -1 when there are no digits or the value overflows.
 */
static int hostspec_parse_digits(const char *s, const char **end,
                                 uint64_t *out)
{
    unsigned int base = 10;
    uint64_t v = 0;
    const char *p = s;

    if ( p[0] == '0' && (p[1] == 'x' || p[1] == 'X') )
    {
        base = 16;
        p += 2;
    }
    if ( base == 10 ? !isdigit((unsigned char)*p)
                    : !isxdigit((unsigned char)*p) )
        return -1;
    for ( ; *p; p++ )
    {
        unsigned int d;

        if ( *p >= '0' && *p <= '9' )
            d = *p - '0';
        else if ( base == 16 && isxdigit((unsigned char)*p) )
            d = (tolower((unsigned char)*p) - 'a') + 10;
        else
            break;
        if ( v > (UINT64_MAX - d) / base )
            return -1;
        v = v * base + d;
    }
    *end = p;
    *out = v;
    return 0;
}

int hostspec_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    const char *end;
    uint64_t v;

    if ( !s || hostspec_parse_digits(s, &end, &v) || *end || v > max )
        return -1;
    *out = v;
    return 0;
}

int hostspec_parse_size(const char *s, unsigned int default_shift,
                        uint64_t *out)
{
    const char *end;
    unsigned int shift;
    uint64_t v;

    if ( !s || hostspec_parse_digits(s, &end, &v) )
        return -1;
    switch ( toupper((unsigned char)*end) )
    {
    case '\0': shift = default_shift; break;
    case 'B':  shift = 0;  break;
    case 'K':  shift = 10; break;
    case 'M':  shift = 20; break;
    case 'G':  shift = 30; break;
    case 'T':  shift = 40; break;
    default:   return -1;
    }
    if ( *end )
    {
        end++;
        /* "64G", "64GB" and "64GiB" all mean 64 << 30. */
        if ( shift && !strcmp(end, "iB") )
            end += 2;
        else if ( shift && (*end == 'B' || *end == 'b') )
            end++;
        if ( *end )
            return -1;
    }
    if ( shift && v > (UINT64_MAX >> shift) )
        return -1;
    *out = v << shift;
    return 0;
}

int hostspec_parse_bool(const char *s)
{
    static const char *const no[] = { "no", "off", "false", "disable", "0" };
    static const char *const yes[] = { "yes", "on", "true", "enable", "1" };

    for ( unsigned int i = 0; i < sizeof(no) / sizeof(no[0]); i++ )
    {
        if ( !strcmp(s, no[i]) )
            return 0;
        if ( !strcmp(s, yes[i]) )
            return 1;
    }
    return -1;
}

int hostspec_read_file(const char *path, char **text, char *err,
                       size_t errlen)
{
    FILE *f = fopen(path, "r");
    struct stat st;
    size_t n;
    char *buf;

    if ( !f )
        return hostspec_err(err, errlen, "%s: cannot open: %s", path,
                            strerror(errno));
    if ( fstat(fileno(f), &st) )
    {
        int e = errno;

        fclose(f);
        return hostspec_err(err, errlen, "%s: cannot stat: %s", path,
                            strerror(e));
    }
    if ( S_ISDIR(st.st_mode) )
    {
        fclose(f);
        return hostspec_err(err, errlen,
                            "%s: is a directory, not a host file", path);
    }
    buf = malloc(HOSTSPEC_MAX_FILE + 1);
    if ( !buf )
    {
        fclose(f);
        return hostspec_err(err, errlen, "%s: out of memory", path);
    }
    n = fread(buf, 1, HOSTSPEC_MAX_FILE + 1, f);
    if ( ferror(f) )
    {
        int e = errno;

        fclose(f);
        free(buf);
        return hostspec_err(err, errlen, "%s: read error: %s", path,
                            strerror(e));
    }
    fclose(f);
    if ( n > HOSTSPEC_MAX_FILE )
    {
        free(buf);
        return hostspec_err(err, errlen,
                            "%s: bigger than %u MiB, not a host file", path,
                            HOSTSPEC_MAX_FILE >> 20);
    }
    if ( memchr(buf, '\0', n) )
    {
        free(buf);
        return hostspec_err(err, errlen,
                            "%s: binary data (NUL byte), not a host file",
                            path);
    }
    buf[n] = '\0';
    *text = buf;
    return 0;
}

void hostspec_name_from_path(const char *path, char *name, size_t len)
{
    const char *base = strrchr(path, '/');
    size_t n;

    base = base ? base + 1 : path;
    n = strlen(base);
    if ( n > 5 && !strcmp(base + n - 5, ".json") )
        n -= 5;
    else if ( n > 4 && !strcmp(base + n - 4, ".txt") )
        n -= 4;
    if ( !len )
        return;
    if ( n >= len )
        n = len - 1;
    memcpy(name, base, n);
    name[n] = '\0';
}
