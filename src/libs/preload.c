/*
 * preload.c - libxenmm-preload.so, an LD_PRELOAD shim giving unmodified
 * programs dom0's /proc/xen files, which xenstored opens by hard-coded
 * paths (xenbus_evtchn(), xenbus_map()):
 *
 *   /proc/xen/xsd_port      dom0's xenstore event channel, as text ("%d")
 *   /proc/xen/xsd_kva       the xenstore ring page, for mmap (read gives
 *                           its bytes, not the kernel address Linux prints)
 *   /proc/xen/capabilities  "control_d\n" for dom0, else empty
 *
 * The port and page are the hypervisor's (XMM_XENBUS_DOM0, src/server/
 * xenbus.c), reached through the process's xenmm connection like the
 * drop-in libraries: $XENMM_SOCKET, or $XENMM_INPROCESS.  Every open of
 * another path goes to libc untouched.
 *
 * With $XENMM_PROC_XEN_DIR set, /proc/xen/NAME is opened as
 * $XENMM_PROC_XEN_DIR/NAME instead, for any NAME (files prepared by hand).
 *
 * Intercepted: open, open64, openat, openat64, their _FORTIFY_SOURCE
 * variants (__open_2, ...), fopen and fopen64 - glibc's own calls between
 * them are internal and never reach the shim.
 */
#undef _FORTIFY_SOURCE              /* we define open() itself */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "client.h"

#define PROC_XEN        "/proc/xen/"
#define PROC_XEN_DIR_ENV "XENMM_PROC_XEN_DIR"

/* A memfd holding text, at offset 0. */
static int text_fd(const char *text, int flags)
{
    int fd = memfd_create("xenmm-proc-xen",
                          flags & O_CLOEXEC ? MFD_CLOEXEC : 0);
    size_t len = strlen(text);

    if ( fd < 0 )
        return -1;
    if ( (len && write(fd, text, len) != (ssize_t)len) ||
         lseek(fd, 0, SEEK_SET) )
    {
        int err = errno;

        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* dom0's xenstore port, and *page_fd its ring page: >= 0, or -errno. */
static long xenbus_dom0(int *page_fd)
{
    struct xmm_client *cl;
    struct xmm_hdr m;
    struct xmm_reply r;
    int rc;

    *page_fd = -1;
    cl = xmm_client_get("xenmm-preload", &rc);
    if ( !cl )
        return rc;
    rc = xmm_client_request(cl, XMM_XENBUS_DOM0, &m, sizeof(m), &r,
                            sizeof(r), page_fd);
    xmm_client_put(cl);
    if ( rc )
        return rc;
    if ( r.result < 0 && *page_fd >= 0 )
    {
        close(*page_fd);
        *page_fd = -1;
    }
    return r.result;
}

/* Open the emulated /proc/xen/name: a descriptor, or -1 with errno. */
static int proc_xen_open(const char *name, int flags)
{
    const char *dom = getenv(XMM_DOMID_ENV);
    bool dom0 = !dom || !*dom || !strtoul(dom, NULL, 0);
    int page_fd;
    long port;

    if ( !strcmp(name, "capabilities") )
        return text_fd(dom0 ? "control_d\n" : "", flags);
    if ( strcmp(name, "xsd_port") && strcmp(name, "xsd_kva") )
    {
        errno = ENOENT;
        return -1;
    }
    port = xenbus_dom0(&page_fd);
    if ( port < 0 )
    {
        errno = (int)-port;
        return -1;
    }
    if ( !strcmp(name, "xsd_kva") )
    {
        /* It arrives close-on-exec. */
        if ( !(flags & O_CLOEXEC) )
            fcntl(page_fd, F_SETFD, 0);
        return page_fd;
    }
    close(page_fd);
    {
        char text[24];

        snprintf(text, sizeof(text), "%ld", port);
        return text_fd(text, flags);
    }
}

/*
 * If path is one of ours: the descriptor (or -1 with errno) in *fd, and
 * true.  *redirect gets the path to open instead under XENMM_PROC_XEN_DIR.
 */
static bool intercept(const char *path, int flags, int *fd,
                      char *redirect, size_t len)
{
    const char *dir = getenv(PROC_XEN_DIR_ENV);
    const char *name;

    redirect[0] = '\0';
    if ( !path || strncmp(path, PROC_XEN, strlen(PROC_XEN)) )
        return false;
    name = path + strlen(PROC_XEN);
    if ( !*name || strchr(name, '/') )
        return false;
    if ( dir && *dir )
    {
        if ( snprintf(redirect, len, "%s/%s", dir, name) >= (int)len )
            redirect[0] = '\0';
        return false;
    }
    *fd = proc_xen_open(name, flags);
    return true;
}

#define NEXT(type, name) ((type)dlsym(RTLD_NEXT, name))

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*open2_fn)(const char *, int);
typedef int (*openat2_fn)(int, const char *, int);
typedef FILE *(*fopen_fn)(const char *, const char *);

/* O_CREAT and O_TMPFILE take a mode. */
static mode_t open_mode(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
           ? (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_WRAPPER(fname)                                             \
int fname(const char *path, int flags, ...)                             \
{                                                                       \
    char redir[PATH_MAX];                                               \
    mode_t mode;                                                        \
    va_list ap;                                                         \
    int fd;                                                             \
                                                                        \
    va_start(ap, flags);                                                \
    mode = open_mode(flags, ap);                                        \
    va_end(ap);                                                         \
    if ( intercept(path, flags, &fd, redir, sizeof(redir)) )            \
        return fd;                                                      \
    return NEXT(open_fn, #fname)(redir[0] ? redir : path, flags, mode); \
}

#define OPENAT_WRAPPER(fname)                                           \
int fname(int dirfd, const char *path, int flags, ...)                  \
{                                                                       \
    char redir[PATH_MAX];                                               \
    mode_t mode;                                                        \
    va_list ap;                                                         \
    int fd;                                                             \
                                                                        \
    va_start(ap, flags);                                                \
    mode = open_mode(flags, ap);                                        \
    va_end(ap);                                                         \
    if ( intercept(path, flags, &fd, redir, sizeof(redir)) )            \
        return fd;                                                      \
    return NEXT(openat_fn, #fname)(dirfd, redir[0] ? redir : path,      \
                                   flags, mode);                        \
}

#define OPEN2_WRAPPER(fname)                                            \
int fname(const char *path, int flags)                                  \
{                                                                       \
    char redir[PATH_MAX];                                               \
    int fd;                                                             \
                                                                        \
    if ( intercept(path, flags, &fd, redir, sizeof(redir)) )            \
        return fd;                                                      \
    return NEXT(open2_fn, #fname)(redir[0] ? redir : path, flags);      \
}

#define OPENAT2_WRAPPER(fname)                                          \
int fname(int dirfd, const char *path, int flags)                       \
{                                                                       \
    char redir[PATH_MAX];                                               \
    int fd;                                                             \
                                                                        \
    if ( intercept(path, flags, &fd, redir, sizeof(redir)) )            \
        return fd;                                                      \
    return NEXT(openat2_fn, #fname)(dirfd, redir[0] ? redir : path,     \
                                    flags);                             \
}

/* The open flags fopen's mode stands for, as far as intercept cares. */
static int fopen_flags(const char *mode)
{
    int flags = strchr(mode, '+') ? O_RDWR
                : mode[0] == 'r' ? O_RDONLY : O_WRONLY;

    return strchr(mode, 'e') ? flags | O_CLOEXEC : flags;
}

#define FOPEN_WRAPPER(fname)                                            \
FILE *fname(const char *path, const char *mode)                         \
{                                                                       \
    char redir[PATH_MAX];                                               \
    int fd;                                                             \
                                                                        \
    if ( intercept(path, fopen_flags(mode), &fd, redir, sizeof(redir)) ) \
    {                                                                   \
        FILE *f = fd < 0 ? NULL : fdopen(fd, mode);                     \
                                                                        \
        if ( !f && fd >= 0 )                                            \
            close(fd);                                                  \
        return f;                                                       \
    }                                                                   \
    return NEXT(fopen_fn, #fname)(redir[0] ? redir : path, mode);       \
}

OPEN_WRAPPER(open)
OPEN_WRAPPER(open64)
OPENAT_WRAPPER(openat)
OPENAT_WRAPPER(openat64)
OPEN2_WRAPPER(__open_2)
OPEN2_WRAPPER(__open64_2)
OPENAT2_WRAPPER(__openat_2)
OPENAT2_WRAPPER(__openat64_2)
FOPEN_WRAPPER(fopen)
FOPEN_WRAPPER(fopen64)
