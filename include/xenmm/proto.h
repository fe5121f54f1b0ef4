/*
 * xenmm/proto.h - the wire protocol between the drop-in Xen libraries and
 * xenmmd.
 *
 * One connection per client process (SOCK_SEQPACKET on a Unix socket: one
 * message per send, file descriptors passed with SCM_RIGHTS).  Every
 * message starts with struct xmm_hdr; a reply carries the request's seq.
 *
 * The connection starts with HELLO.  The client has made a memfd, its
 * hypercall-buffer arena, mapped it at arena_base and passes it along; the
 * daemon maps it too and registers it as the client's only guest buffer,
 * so every pointer in hypercall arguments (all of which libxenctrl places
 * in xencall_alloc_buffer memory) is translated as
 * ptr - arena_base + daemon_base, and a pointer outside the arena is
 * -EFAULT, as Xen's copy_from_guest.  The reply passes the guest-RAM memfd,
 * which foreign and grant mappings mmap at mfn << 12.
 *
 * Requests that carry arrays (foreign map) carry them as arena offsets.
 * Every reply has a result: >= 0, or a negative errno (Xen's where the op
 * is a hypercall).  A malformed request closes the connection; the daemon
 * and other clients are unaffected.
 */
#ifndef XENMM_PROTO_H
#define XENMM_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define XMM_MAGIC           0x4d4d4e58u     /* "XNMM" */
#define XMM_PROTO_VERSION   1

/* Default socket path: $XENMM_SOCKET, else $XDG_RUNTIME_DIR/xenmm/..., else /run/xenmm/... */
#define XMM_SOCKET_ENV      "XENMM_SOCKET"
#define XMM_SOCKET_NAME     "xenmmd.sock"
/* Act as this domain instead of dom0 (a guest identity). */
#define XMM_DOMID_ENV       "XENMM_DOMID"
/* Host the core inside the library: names a host spec; no daemon. */
#define XMM_INPROCESS_ENV   "XENMM_INPROCESS"

enum xmm_type {
    XMM_HELLO = 1,          /* xmm_hello -> xmm_hello_reply + RAM fd */
    XMM_HYPERCALL,          /* xmm_hypercall -> xmm_reply */
    XMM_FOREIGN_MAP,        /* xmm_foreign_map -> xmm_reply (mfns, errs in arena) */
    XMM_GNTTAB_MAP,         /* xmm_gnttab_map -> xmm_gnttab_map_reply */
    XMM_GNTTAB_UNMAP,       /* xmm_gnttab_unmap -> xmm_reply */
    XMM_EVTCHN_OPEN,        /* xmm_hdr -> xmm_reply (handle id) + notify fd */
    XMM_EVTCHN_OP,          /* xmm_evtchn_op -> xmm_reply */
    XMM_SHUTDOWN,           /* xmm_hdr -> xmm_reply; the daemon exits */
    XMM_STATUS,             /* xmm_hdr -> xmm_status_reply */
    XMM_XENBUS_DOM0,        /* xmm_hdr -> xmm_reply (port) + xsd_kva page fd */
    XMM_TYPE_MAX
};

struct xmm_hdr {
    uint32_t magic;
    uint16_t version;
    uint16_t type;
    uint32_t len;           /* whole message, header included */
    uint32_t seq;
};

struct xmm_reply {
    struct xmm_hdr hdr;
    int64_t result;
};

struct xmm_hello {
    struct xmm_hdr hdr;     /* + the arena memfd */
    uint32_t domid;         /* identity; 0 is dom0 */
    uint32_t pid;
    uint64_t arena_base;    /* where the client mapped its arena */
    uint64_t arena_size;
};

struct xmm_hello_reply {
    struct xmm_hdr hdr;     /* + the guest-RAM memfd on success */
    int64_t result;
    uint64_t ram_bytes;     /* size of the RAM memfd */
};

struct xmm_hypercall {
    struct xmm_hdr hdr;
    uint64_t op;
    uint64_t args[6];
};

/*
 * Map nr gfns of domid: the daemon reads gfns[] at arena offset gfns_off
 * and writes mfns[] (uint64) and errs[] (int32, 0 or -errno) at theirs.
 * result: 0 if every page mapped, else the first error.
 */
struct xmm_foreign_map {
    struct xmm_hdr hdr;
    uint32_t domid;
    uint32_t write;
    uint64_t nr;
    uint64_t gfns_off, mfns_off, errs_off;
};

/*
 * Map grant ref of domid, as gntdev does: GNTTABOP_map_grant_ref by the
 * client's domain.  notify_flags (UNMAP_NOTIFY_CLEAR_BYTE,
 * UNMAP_NOTIFY_SEND_EVENT of Linux's gntdev.h) are carried out when the
 * mapping goes, by XMM_GNTTAB_UNMAP or the client's end: clear the byte at
 * notify_offset of the page, send an event on the client's notify_port.
 */
struct xmm_gnttab_map {
    struct xmm_hdr hdr;
    uint32_t domid;
    uint32_t ref;
    uint32_t readonly;
    uint32_t notify_flags;
    uint32_t notify_offset;
    uint32_t notify_port;
};

struct xmm_gnttab_map_reply {
    struct xmm_hdr hdr;
    int64_t result;         /* 0, or -errno (-EINVAL: status not okay) */
    uint64_t mfn;           /* of the granted page: mmap the RAM fd here */
    uint64_t handle;        /* for XMM_GNTTAB_UNMAP */
    int32_t status;         /* Xen's GNTST_* */
    uint32_t pad;
};

struct xmm_gnttab_unmap {
    struct xmm_hdr hdr;
    uint64_t handle;
};

/*
 * Event channel device ops, as /dev/xen/evtchn's ioctls.  XMM_EVTCHN_OPEN's
 * reply passes the handle's notification descriptor: a stream socket from
 * which each pending port is read as a uint32_t, pollable as the device.
 */
enum xmm_evtchn_cmd {
    XMM_EVTCHN_BIND_UNBOUND = 1,    /* a = remote domid */
    XMM_EVTCHN_BIND_INTERDOMAIN,    /* a = remote domid, b = remote port */
    XMM_EVTCHN_BIND_VIRQ,           /* a = virq */
    XMM_EVTCHN_NOTIFY,              /* a = local port */
    XMM_EVTCHN_UNBIND,              /* a = local port */
    XMM_EVTCHN_UNMASK,              /* a = local port */
    XMM_EVTCHN_CLOSE,               /* the handle goes */
    XMM_EVTCHN_RESTRICT,            /* a = domid */
};

struct xmm_evtchn_op {
    struct xmm_hdr hdr;
    uint32_t handle;
    uint32_t cmd;
    uint64_t a, b;
};

struct xmm_status_reply {
    struct xmm_hdr hdr;
    int64_t result;
    uint32_t pid;
    uint32_t nr_clients;
    char host[64];          /* the host spec the daemon booted */
};

/* The largest message either side sends. */
#define XMM_MSG_MAX 256

/*
 * The socket path clients and the daemon agree on when none is given:
 * $XENMM_SOCKET, else $XDG_RUNTIME_DIR/xenmm/xenmmd.sock, else
 * /run/xenmm/xenmmd.sock.  -1 if it does not fit.
 */
static inline int xmm_default_socket_path(char *buf, size_t len)
{
    const char *env = getenv(XMM_SOCKET_ENV);
    const char *run = getenv("XDG_RUNTIME_DIR");
    int n;

    if ( env && *env )
        n = snprintf(buf, len, "%s", env);
    else if ( run && *run )
        n = snprintf(buf, len, "%s/xenmm/" XMM_SOCKET_NAME, run);
    else
        n = snprintf(buf, len, "/run/xenmm/" XMM_SOCKET_NAME);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

#endif /* XENMM_PROTO_H */
