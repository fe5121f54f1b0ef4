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
#include "core/pv.h"
#include "core/xsm.h"
#include "server.h"

struct hv_server {
    struct host *h;
    char spec[64];
    pthread_mutex_t lock;           /* nr_sessions */
    unsigned int nr_sessions;
    /*
     * One hypercall at a time until the core's SMP work (domain
     * references, domctl_lock) lands; see docs/daemon.md.
     */
    pthread_mutex_t big_lock;
};

struct hv_session {
    struct hv_server *srv;
    struct domain *d;               /* identity; a reference is held */
    struct guest_access ga;         /* the arena only */
    uint64_t arena_base;
    uint8_t *arena;
    size_t arena_size;
};

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
    pthread_mutex_init(&srv->big_lock, NULL);
    return srv;
}

void hv_server_destroy(struct hv_server *srv)
{
    if ( !srv )
        return;
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
    pthread_mutex_lock(&s->srv->big_lock);
    rc = hypercall_dispatch(&c, op, args);
    pthread_mutex_unlock(&s->srv->big_lock);
    return rc;
}

/*
 * TEMPORARY until the core's p2m_foreign_map_batch lands: RAM gfns only,
 * PoD populated, privileged callers or the device model.
 */
static long foreign_map_batch(struct caller *c, domid_t domid,
                              const uint64_t *gfns, uint64_t nr, int write,
                              uint64_t *mfns, int32_t *errs)
{
    struct domain *d = get_domain_by_id(c->h, domid);
    struct p2m_domain *p2m;
    long first = 0;
    uint64_t i;

    if ( !d || xsm_default_action(XSM_TARGET, c->d, d) )
    {
        long rc = d ? -EPERM : -ESRCH;

        for ( i = 0; i < nr; i++ )
            errs[i] = (int32_t)rc;
        if ( d )
            put_domain(d);
        return rc;
    }
    if ( !paging_mode_translate(d) )
    {
        /* A PV guest's frames are MFNs (privcmd's mmu_update). */
        for ( i = 0; i < nr; i++ )
        {
            int rc = pv_foreign_frame(d, gfns[i], write);

            errs[i] = rc;
            mfns[i] = rc ? ~0ULL : gfns[i];
            if ( rc && !first )
                first = rc;
        }
        put_domain(d);
        return first;
    }
    p2m = p2m_get_hostp2m(d);
    for ( i = 0; i < nr; i++ )
    {
        p2m_type_t t;
        unsigned int order;
        mfn_t mfn;
        int rc = 0;

        pthread_mutex_lock(&p2m->lock);
        mfn = p2m_get_entry_alloc(p2m, gfns[i], &t, &order, c->d);
        pthread_mutex_unlock(&p2m->lock);
        if ( !p2m_is_ram(t) || mfn_eq(mfn, INVALID_MFN) )
            rc = -EINVAL;
        else if ( write && t == p2m_ram_ro )
            rc = -EPERM;
        errs[i] = rc;
        mfns[i] = rc ? ~0ULL : mfn_x(mfn);
        if ( rc && !first )
            first = rc;
    }
    put_domain(d);
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
    pthread_mutex_lock(&s->srv->big_lock);
    rc = foreign_map_batch(&c, (domid_t)domid, gfns, nr, write, mfns, errs);
    pthread_mutex_unlock(&s->srv->big_lock);
    return rc;
}
