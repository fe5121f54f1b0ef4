/*
 * wire.h - sending and receiving one xenmm/proto.h message on a
 * SOCK_SEQPACKET Unix socket, with at most one file descriptor passed
 * alongside (SCM_RIGHTS).  Shared by xenmmd, the drop-in libraries and the
 * xenmm command.
 */
#ifndef XENMM_WIRE_H
#define XENMM_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <xenmm/proto.h>

/* 0, or -errno (-EIO for a short send).  fd < 0: none passed.  EINTR retried. */
int xmm_send(int sock, const void *buf, size_t len, int fd);
/*
 * One message into buf: its length (0: the peer closed), or -errno.
 * *fd gets a descriptor passed along (close-on-exec) or -1.  A message
 * longer than len is truncated and reported as -EMSGSIZE.
 */
ssize_t xmm_recv(int sock, void *buf, size_t len, int *fd);
/*
 * xmm_recv, but first poll for up to poll_us microseconds (non-blocking
 * receives, yielding the CPU in between) before sleeping in recvmsg.  A
 * request or reply usually arrives within a few microseconds; a thread
 * that sleeps instead has to be woken on another CPU, which on an idle
 * VM costs tens of microseconds per message (docs/benchmarks.md).
 */
ssize_t xmm_recv_poll(int sock, void *buf, size_t len, int *fd,
                      unsigned int poll_us);
/*
 * How long both ends poll: $XENMM_POLL_US (0 = never, sleep at once),
 * else XMM_POLL_DEFAULT_US.  Read once.
 */
#define XMM_POLL_ENV        "XENMM_POLL_US"
#define XMM_POLL_DEFAULT_US 50
unsigned int xmm_poll_us(void);
/* Fill a header for a message of the given type and length. */
void xmm_fill_hdr(struct xmm_hdr *h, unsigned int type, size_t len,
                  uint32_t seq);
/* Connect to the daemon's socket at path: the socket, or -errno. */
int xmm_connect(const char *path);

#endif /* XENMM_WIRE_H */
