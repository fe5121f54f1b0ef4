/*
 * client.h - what the drop-in Xen libraries share: one connection per
 * process to the hypervisor (xenmmd, or the core hosted in-process when
 * $XENMM_INPROCESS names a host spec).
 *
 * The connection is made by the first open of any drop-in library and
 * lives until the last handle closes.  It owns the hypercall-buffer arena
 * (every xencall_alloc_buffer* comes from it; the daemon sees the same
 * bytes) and the guest-RAM memfd that foreign and grant mappings map.
 *
 * Errors are negative errnos.  A daemon that is not running gives one line
 * on stderr naming the socket and how to start it, and -ENOENT or
 * -ECONNREFUSED, never a hang.
 */
#ifndef XENMM_LIBS_CLIENT_H
#define XENMM_LIBS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <xenmm/proto.h>

struct xmm_client;

/* Take a reference on the process's connection, opening it if needed. */
struct xmm_client *xmm_client_get(const char *who, int *rc);
void xmm_client_put(struct xmm_client *cl);

/* A hypercall with raw arguments: >= 0 or -errno. */
long xmm_client_hypercall(struct xmm_client *cl, unsigned long op,
                          const unsigned long args[6]);
/*
 * Send req (its header is filled here), wait for the reply.  *fd gets a
 * descriptor passed with the reply (or -1) when fd is not NULL.
 * 0 or -errno (transport failure).
 */
int xmm_client_request(struct xmm_client *cl, unsigned int type, void *req,
                       size_t req_len, void *reply, size_t reply_len, int *fd);

/* Arena pages (zeroed on first use); NULL with errno ENOMEM. */
void *xmm_arena_alloc(struct xmm_client *cl, size_t nr_pages);
/* Free a block by its start, as xencall_free_buffer (size is remembered). */
void xmm_arena_free(struct xmm_client *cl, void *p);
/* Offset of p in the arena (p must be arena memory). */
uint64_t xmm_arena_offset(struct xmm_client *cl, const void *p);

/* The guest-RAM memfd, for mmap at mfn << 12. */
int xmm_client_ram_fd(struct xmm_client *cl);
/* The connection's descriptor (xencall_fd): the socket, or the arena memfd. */
int xmm_client_fd(struct xmm_client *cl);

/*
 * Look up nr gfns of domid for mapping: mfns[] and errs[] (0 or -errno)
 * filled.  0 if every page can be mapped, else the first error.
 */
long xmm_client_foreign_lookup(struct xmm_client *cl, uint32_t domid,
                               int write, const uint64_t *gfns, size_t nr,
                               uint64_t *mfns, int *errs);

#endif /* XENMM_LIBS_CLIENT_H */
