/*
 * server.h - the hypervisor process: one emulated host and its clients.
 *
 * The layer between a transport (xenmmd's socket, or the drop-in libraries
 * hosting the core in-process) and the core.  A server owns one booted
 * host; a session is one client process: its identity (the domain it acts
 * as, dom0 by default), its hypercall-buffer arena registered as its only
 * guest memory, and its event-channel handles.  Sessions of one server may
 * run on different threads at once; one session is used by one thread at a
 * time (the transport serialises a client's requests).
 *
 * Errors are negative errnos: Xen's where the op is a hypercall.
 */
#ifndef XENMM_SERVER_H
#define XENMM_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct host;
struct hv_server;
struct hv_session;

/*
 * Boot a host from a spec (`xenmm hostinfo --host` syntax) and Xen boot
 * options (command-line syntax, may be NULL).  NULL with one line in err.
 */
struct hv_server *hv_server_create(const char *spec, const char *xen_cmdline,
                                   char *err, size_t errlen);
/* Every session must be closed first. */
void hv_server_destroy(struct hv_server *srv);
struct host *hv_server_host(struct hv_server *srv);
const char *hv_server_spec(const struct hv_server *srv);
/* The guest-RAM memfd (foreign mappings mmap it at mfn << 12) and its size. */
int hv_server_ram_fd(const struct hv_server *srv, uint64_t *bytes);
unsigned int hv_server_nr_sessions(struct hv_server *srv);

/*
 * A client acting as domain domid, whose hypercall buffers are the arena:
 * arena_base is the address the client uses, arena the same bytes here.
 * -ESRCH: no such domain.
 */
struct hv_session *hv_session_open(struct hv_server *srv, uint32_t domid,
                                   uint64_t arena_base, void *arena,
                                   size_t arena_size, int *rc);
/* Closes the session's event channels and grant mappings. */
void hv_session_close(struct hv_session *s);

/* A hypercall with libxencall's raw arguments: >= 0 or -errno. */
long hv_session_hypercall(struct hv_session *s, unsigned long op,
                          const unsigned long args[6]);

/*
 * privcmd's mmapbatch: look up nr gfns of domid for mapping (write or
 * read-only).  gfns, mfns and errs are arena offsets; errs get 0 or -errno
 * per page.  Returns 0 if all mapped, else the first error; -EFAULT for an
 * array outside the arena.
 */
long hv_session_foreign_map(struct hv_session *s, uint32_t domid, int write,
                            uint64_t nr, uint64_t gfns_off, uint64_t mfns_off,
                            uint64_t errs_off);

/*
 * evtchn_dev.c: /dev/xen/evtchn, one handle per open.
 * hv_evtchn_open: a new handle of s: its id (>= 0) or -errno; *fd gets its
 *   notification descriptor (each pending port is read from it as a
 *   uint32_t; pollable), which the caller then owns.
 * hv_evtchn_op: enum xmm_evtchn_cmd on handle id of s, with the device's
 *   semantics and errnos (the bound port, or 0, or -errno; -EBADF for a
 *   handle s does not have).
 */
long hv_evtchn_open(struct hv_session *s, int *fd);
long hv_evtchn_op(struct hv_session *s, uint32_t id, uint32_t cmd,
                  uint64_t a, uint64_t b);

/*
 * gntdev.c: map grant ref of domid as s's domain (GNTTABOP_map_grant_ref,
 * host and device map).  0 with *mfn and *handle, or -EINVAL with *status
 * the GNTST_* error, or another -errno.  The notify_* arguments are
 * struct xmm_gnttab_map's.  hv_gnttab_unmap: -EINVAL for a handle s does
 * not hold.
 */
long hv_gnttab_map(struct hv_session *s, uint32_t domid, uint32_t ref,
                   bool readonly, uint32_t notify_flags,
                   uint32_t notify_offset, uint32_t notify_port,
                   uint64_t *mfn, uint64_t *handle, int32_t *status);
long hv_gnttab_unmap(struct hv_session *s, uint64_t handle);

/*
 * xenbus.c: dom0's xenstore port (allocated on first use: an unbound port
 * of dom0 towards dom0, as the kernel's xenbus makes for a local xenstored)
 * and *fd a descriptor of its ring page (4096 bytes, mmap-able), which the
 * caller owns.  -ENOENT for a session that is not the hardware domain.
 */
long hv_xenbus_dom0(struct hv_session *s, int *fd);

/*
 * dispatch.c: one request of xenmm/proto.h (not HELLO, STATUS or SHUTDOWN,
 * which belong to the transport).  Fills reply (XMM_MSG_MAX bytes) and
 * *reply_len; *fd_out is a descriptor to pass along with the reply, or -1.
 * 0, or -EPROTO for a malformed or unknown request (drop the client).
 */
int hv_session_handle(struct hv_session *s, const void *msg, size_t len,
                      void *reply, size_t *reply_len, int *fd_out);

#endif /* XENMM_SERVER_H */
