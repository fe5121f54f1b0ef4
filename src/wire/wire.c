/*
 * wire.c - one message on a SOCK_SEQPACKET socket (wire.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "wire.h"

int xmm_send(int sock, const void *buf, size_t len, int fd)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n;

    if ( fd >= 0 )
    {
        struct cmsghdr *cm;

        memset(&u, 0, sizeof(u));
        mh.msg_control = u.buf;
        mh.msg_controllen = sizeof(u.buf);
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    }
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while ( n < 0 && errno == EINTR );
    if ( n < 0 )
        return -errno;
    return (size_t)n == len ? 0 : -EIO;
}

static ssize_t recv_flags(int sock, void *buf, size_t len, int *fd, int flags)
{
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = u.buf, .msg_controllen = sizeof(u.buf),
    };
    struct cmsghdr *cm;
    ssize_t n;

    *fd = -1;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
    while ( n < 0 && errno == EINTR );
    if ( n < 0 )
        return -errno;
    for ( cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm) )
        if ( cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
             cm->cmsg_len >= CMSG_LEN(sizeof(int)) )
        {
            /* Keep the first; close any others a peer crammed in. */
            int extra = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));

            for ( int i = 0; i < extra; i++ )
            {
                int f;

                memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                if ( *fd < 0 )
                    *fd = f;
                else
                    close(f);
            }
        }
    if ( mh.msg_flags & MSG_TRUNC )
        return -EMSGSIZE;
    return n;
}

void xmm_fill_hdr(struct xmm_hdr *h, unsigned int type, size_t len,
                  uint32_t seq)
{
    h->magic = XMM_MAGIC;
    h->version = XMM_PROTO_VERSION;
    h->type = (uint16_t)type;
    h->len = (uint32_t)len;
    h->seq = seq;
}

int xmm_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int sock, rc;

    if ( strlen(path) >= sizeof(sa.sun_path) )
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if ( sock < 0 )
        return -errno;
    if ( connect(sock, (struct sockaddr *)&sa, sizeof(sa)) )
    {
        rc = -errno;
        close(sock);
        return rc;
    }
    return sock;
}

ssize_t xmm_recv(int sock, void *buf, size_t len, int *fd)
{
    return recv_flags(sock, buf, len, fd, 0);
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

ssize_t xmm_recv_poll(int sock, void *buf, size_t len, int *fd,
                      unsigned int poll_us)
{
    uint64_t end = 0;
    ssize_t n;

    for ( ; ; )
    {
        if ( !poll_us )
            return recv_flags(sock, buf, len, fd, 0);
        n = recv_flags(sock, buf, len, fd, MSG_DONTWAIT);
        if ( n != -EAGAIN && n != -EWOULDBLOCK )
            return n;
        if ( !end )
            end = now_ns() + (uint64_t)poll_us * 1000;
        else if ( now_ns() >= end )
            poll_us = 0;
        /* Let a thread waiting for this CPU (the peer, maybe) run. */
        sched_yield();
    }
}

unsigned int xmm_poll_us(void)
{
    static int cached = -1;
    const char *env;

    if ( cached < 0 )
    {
        env = getenv(XMM_POLL_ENV);
        cached = env && *env ? atoi(env) : XMM_POLL_DEFAULT_US;
        if ( cached < 0 || cached > 100000 )
            cached = XMM_POLL_DEFAULT_US;
    }
    return (unsigned int)cached;
}
