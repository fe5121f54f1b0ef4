/*
 * dispatch.c - one protocol request of a session (xenmm/proto.h), for
 * whichever transport carries it: xenmmd's socket or the in-process host.
 */
#include <errno.h>
#include <string.h>

#include <xenmm/proto.h>

#include "server.h"

/* Fill a reply header answering req. */
static void reply_hdr(struct xmm_hdr *r, const struct xmm_hdr *req, size_t len)
{
    r->magic = XMM_MAGIC;
    r->version = XMM_PROTO_VERSION;
    r->type = req->type;
    r->len = (uint32_t)len;
    r->seq = req->seq;
}

int hv_session_handle(struct hv_session *s, const void *msg, size_t len,
                      void *reply, size_t *reply_len, int *fd_out)
{
    const struct xmm_hdr *h = msg;
    struct xmm_reply *r = reply;

    *fd_out = -1;
    if ( len < sizeof(*h) || h->magic != XMM_MAGIC ||
         h->version != XMM_PROTO_VERSION || h->len != len )
        return -EPROTO;

    switch ( h->type )
    {
    case XMM_HYPERCALL:
    {
        const struct xmm_hypercall *m = msg;
        unsigned long args[6];

        if ( len != sizeof(*m) )
            return -EPROTO;
        for ( unsigned int i = 0; i < 6; i++ )
            args[i] = m->args[i];
        r->result = hv_session_hypercall(s, m->op, args);
        break;
    }

    case XMM_FOREIGN_MAP:
    {
        const struct xmm_foreign_map *m = msg;

        if ( len != sizeof(*m) )
            return -EPROTO;
        r->result = hv_session_foreign_map(s, m->domid, !!m->write, m->nr,
                                           m->gfns_off, m->mfns_off,
                                           m->errs_off);
        break;
    }

    case XMM_GNTTAB_MAP:
    {
        const struct xmm_gnttab_map *m = msg;
        struct xmm_gnttab_map_reply *gr = reply;
        uint64_t mfn = 0, handle = 0;
        int32_t status = 0;

        if ( len != sizeof(*m) )
            return -EPROTO;
        memset(gr, 0, sizeof(*gr));
        gr->result = hv_gnttab_map(s, m->domid, m->ref, !!m->readonly,
                                   m->notify_flags, m->notify_offset,
                                   m->notify_port, &mfn, &handle, &status);
        gr->mfn = mfn;
        gr->handle = handle;
        gr->status = status;
        reply_hdr(&gr->hdr, h, sizeof(*gr));
        *reply_len = sizeof(*gr);
        return 0;
    }

    case XMM_GNTTAB_UNMAP:
    {
        const struct xmm_gnttab_unmap *m = msg;

        if ( len != sizeof(*m) )
            return -EPROTO;
        r->result = hv_gnttab_unmap(s, m->handle);
        break;
    }

    case XMM_EVTCHN_OPEN:
        if ( len != sizeof(*h) )
            return -EPROTO;
        r->result = hv_evtchn_open(s, fd_out);
        break;

    case XMM_EVTCHN_OP:
    {
        const struct xmm_evtchn_op *m = msg;

        if ( len != sizeof(*m) )
            return -EPROTO;
        r->result = hv_evtchn_op(s, m->handle, m->cmd, m->a, m->b);
        break;
    }

    case XMM_XENBUS_DOM0:
        if ( len != sizeof(*h) )
            return -EPROTO;
        r->result = hv_xenbus_dom0(s, fd_out);
        break;

    default:
        return -EPROTO;
    }
    reply_hdr(&r->hdr, h, sizeof(*r));
    *reply_len = sizeof(*r);
    return 0;
}
