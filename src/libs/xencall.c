/*
 * xencall.c - the drop-in libxencall.so.1: hypercalls go to xenmm's
 * hypervisor (client.h) instead of /dev/xen/privcmd.
 *
 * As the Linux library: xencallN returns the hypercall's value, or -1 with
 * errno set to the Xen error; buffers come from memory the hypervisor can
 * always reach (the arena), so xencall_buffers_never_fault() says 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <xencall.h>

#include "client.h"

struct xencall_handle {
    struct xmm_client *cl;
};

xencall_handle *xencall_open(struct xentoollog_logger *logger,
                             unsigned open_flags)
{
    xencall_handle *xcall = calloc(1, sizeof(*xcall));
    int rc;

    (void)logger;
    (void)open_flags;
    if ( !xcall )
        return NULL;
    xcall->cl = xmm_client_get("xencall", &rc);
    if ( !xcall->cl )
    {
        free(xcall);
        errno = -rc;
        return NULL;
    }
    return xcall;
}

int xencall_close(xencall_handle *xcall)
{
    if ( !xcall )
        return 0;
    xmm_client_put(xcall->cl);
    free(xcall);
    return 0;
}

int xencall_fd(xencall_handle *xcall)
{
    return xmm_client_fd(xcall->cl);
}

static long call(xencall_handle *xcall, unsigned int op, uint64_t a1,
                 uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    const unsigned long args[6] = { a1, a2, a3, a4, a5, 0 };
    long rc = xmm_client_hypercall(xcall->cl, op, args);

    if ( rc < 0 )
    {
        errno = (int)-rc;
        return -1;
    }
    return rc;
}

int xencall0(xencall_handle *xcall, unsigned int op)
{
    return (int)call(xcall, op, 0, 0, 0, 0, 0);
}

int xencall1(xencall_handle *xcall, unsigned int op, uint64_t arg1)
{
    return (int)call(xcall, op, arg1, 0, 0, 0, 0);
}

int xencall2(xencall_handle *xcall, unsigned int op, uint64_t arg1,
             uint64_t arg2)
{
    return (int)call(xcall, op, arg1, arg2, 0, 0, 0);
}

int xencall3(xencall_handle *xcall, unsigned int op, uint64_t arg1,
             uint64_t arg2, uint64_t arg3)
{
    return (int)call(xcall, op, arg1, arg2, arg3, 0, 0);
}

int xencall4(xencall_handle *xcall, unsigned int op, uint64_t arg1,
             uint64_t arg2, uint64_t arg3, uint64_t arg4)
{
    return (int)call(xcall, op, arg1, arg2, arg3, arg4, 0);
}

int xencall5(xencall_handle *xcall, unsigned int op, uint64_t arg1,
             uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5)
{
    return (int)call(xcall, op, arg1, arg2, arg3, arg4, arg5);
}

long xencall2L(xencall_handle *xcall, unsigned int op, uint64_t arg1,
               uint64_t arg2)
{
    return call(xcall, op, arg1, arg2, 0, 0, 0);
}

void *xencall_alloc_buffer_pages(xencall_handle *xcall, size_t nr_pages)
{
    return xmm_arena_alloc(xcall->cl, nr_pages);
}

void xencall_free_buffer_pages(xencall_handle *xcall, void *p, size_t nr_pages)
{
    (void)nr_pages;
    xmm_arena_free(xcall->cl, p);
}

void *xencall_alloc_buffer(xencall_handle *xcall, size_t size)
{
    return xmm_arena_alloc(xcall->cl, size ? (size + 4095) / 4096 : 1);
}

void xencall_free_buffer(xencall_handle *xcall, void *p)
{
    xmm_arena_free(xcall->cl, p);
}

int xencall_buffers_never_fault(xencall_handle *xcall)
{
    (void)xcall;
    return 1;
}
