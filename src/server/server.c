/*
 * server.c - one emulated host and the sessions of its clients.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/hypercall.h"
#include "core/p2m.h"
#include "private.h"

struct hv_server *hv_server_create(const char *spec, const char *xen_cmdline,
                                   char *err, size_t errlen)
{
    struct hv_server *srv;
    struct hostspec *hs = hostspec_alloc();

    if ( !hs )
    {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if ( hostspec_load(spec, hs, err, errlen) ||
         (xen_cmdline && *xen_cmdline &&
          hostspec_set_xen_cmdline(hs, xen_cmdline, false, err, errlen)) )
    {
        hostspec_free(hs);
        return NULL;
    }
    srv = calloc(1, sizeof(*srv));
    if ( !srv )
    {
        hostspec_free(hs);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if ( host_boot(hs, &srv->h, err, errlen) )
    {
        hostspec_free(hs);
        free(srv);
        return NULL;
    }
    hostspec_free(hs);          /* host_boot keeps its own copy */
    snprintf(srv->spec, sizeof(srv->spec), "%s", spec);
    pthread_mutex_init(&srv->lock, NULL);
    evtchn_dev_init(srv);
    xenbus_init(srv);
    return srv;
}

void hv_server_destroy(struct hv_server *srv)
{
    if ( !srv )
        return;
    xenbus_fini(srv);
    evtchn_dev_fini(srv);
    host_destroy(srv->h);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

struct host *hv_server_host(struct hv_server *srv)
{
    return srv->h;
}

const char *hv_server_spec(const struct hv_server *srv)
{
    return srv->spec;
}

int hv_server_ram_fd(const struct hv_server *srv, uint64_t *bytes)
{
    *bytes = srv->h->ram.size;
    return srv->h->ram.fd;
}

unsigned int hv_server_nr_sessions(struct hv_server *srv)
{
    unsigned int n;

    pthread_mutex_lock(&srv->lock);
    n = srv->nr_sessions;
    pthread_mutex_unlock(&srv->lock);
    return n;
}

struct hv_session *hv_session_open(struct hv_server *srv, uint32_t domid,
                                   uint64_t arena_base, void *arena,
                                   size_t arena_size, int *rc)
{
    struct hv_session *s;
    struct domain *d;

    if ( domid >= DOMID_FIRST_RESERVED )
    {
        *rc = -EINVAL;
        return NULL;
    }
    d = get_domain_by_id(srv->h, (domid_t)domid);
    if ( !d )
    {
        *rc = -ESRCH;
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if ( !s )
    {
        put_domain(d);
        *rc = -ENOMEM;
        return NULL;
    }
    s->srv = srv;
    s->d = d;
    s->arena_base = arena_base;
    s->arena = arena;
    s->arena_size = arena_size;
    *rc = guest_access_register(&s->ga, arena_base, arena, arena_size);
    if ( *rc )
    {
        put_domain(d);
        free(s);
        return NULL;
    }
    pthread_mutex_lock(&srv->lock);
    srv->nr_sessions++;
    pthread_mutex_unlock(&srv->lock);
    *rc = 0;
    return s;
}

void hv_session_close(struct hv_session *s)
{
    if ( !s )
        return;
    /* What a dying process's kernel does: its devices let go first. */
    evtchn_dev_session_close(s);
    gntdev_session_close(s);
    pthread_mutex_lock(&s->srv->lock);
    s->srv->nr_sessions--;
    pthread_mutex_unlock(&s->srv->lock);
    put_domain(s->d);
    free(s);
}

long hv_session_hypercall(struct hv_session *s, unsigned long op,
                          const unsigned long args[6])
{
    struct caller c;
    long rc;

    caller_init(&c, s->d, &s->ga);
    /* The core takes Xen's locks itself: sessions run side by side. */
    rc = hypercall_dispatch(&c, op, args);
    return rc;
}

long hv_session_kernel_op(struct hv_session *s, unsigned long nr,
                          unsigned long a0, void *arg, size_t len,
                          unsigned long a2)
{
    struct guest_access ga = { 0 };
    const unsigned long args[6] = { a0, (unsigned long)(uintptr_t)arg, a2 };
    struct caller c;
    long rc;

    /* The kernel's own memory is the only guest buffer. */
    rc = guest_access_register(&ga, (uint64_t)(uintptr_t)arg, arg, len);
    if ( rc )
        return rc;
    caller_init(&c, s->d, &ga);
    rc = hypercall_dispatch(&c, nr, args);
    return rc;
}

/*
 * The core's p2m_foreign_map_batch over the arena's arrays, in chunks (its
 * count is an unsigned int and its MFNs are mfn_t).  The first error.
 */
static long foreign_map_batch(struct caller *c, domid_t domid,
                              const uint64_t *gfns, uint64_t nr, int write,
                              uint64_t *mfns, int32_t *errs)
{
    enum { CHUNK = 4096 };
    mfn_t m[CHUNK];
    int e[CHUNK];
    long first = 0;

    for ( uint64_t done = 0; done < nr; )
    {
        unsigned int n = nr - done < CHUNK ? (unsigned int)(nr - done) : CHUNK;

        p2m_foreign_map_batch(c, domid, (const xen_pfn_t *)gfns + done, n,
                              write, m, e);
        for ( unsigned int i = 0; i < n; i++ )
        {
            errs[done + i] = e[i];
            mfns[done + i] = e[i] ? ~0ULL : mfn_x(m[i]);
            if ( e[i] && !first )
                first = e[i];
        }
        done += n;
    }
    return first;
}

/* A pointer to n elements of size sz at arena offset off, or NULL. */
static void *arena_array(struct hv_session *s, uint64_t off, uint64_t n,
                         size_t sz)
{
    if ( off > s->arena_size || n > (s->arena_size - off) / sz )
        return NULL;
    return s->arena + off;
}

long hv_session_foreign_map(struct hv_session *s, uint32_t domid, int write,
                            uint64_t nr, uint64_t gfns_off, uint64_t mfns_off,
                            uint64_t errs_off)
{
    const uint64_t *gfns = arena_array(s, gfns_off, nr, sizeof(uint64_t));
    uint64_t *mfns = arena_array(s, mfns_off, nr, sizeof(uint64_t));
    int32_t *errs = arena_array(s, errs_off, nr, sizeof(int32_t));
    struct caller c;

    if ( !gfns || !mfns || !errs )
        return -EFAULT;
    if ( domid >= DOMID_FIRST_RESERVED )
        return -EINVAL;
    long rc;

    caller_init(&c, s->d, &s->ga);
    rc = foreign_map_batch(&c, (domid_t)domid, gfns, nr, write, mfns, errs);
    return rc;
}
