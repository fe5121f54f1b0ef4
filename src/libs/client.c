/*
 * client.c - the process's one connection to the hypervisor (client.h).
 *
 * Global state here is deliberate: this is the library side, standing in
 * for the kernel's privcmd device, of which a process also has one.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "server/server.h"
#include "wire/wire.h"
#include "client.h"

#define PAGE_SIZE       4096UL
#define ARENA_PAGES     (1UL << 18)                 /* 1 GiB, sparse */
#define BITS            (8 * sizeof(unsigned long))
#define BM_WORDS        (ARENA_PAGES / BITS)
/* Give pages back to the kernel when a block this large is freed. */
#define ARENA_TRIM_PAGES 16

struct xmm_client {
    unsigned int refs;
    int sock;                       /* -1: in-process */
    pthread_mutex_t io_lock;        /* one request in flight */
    uint32_t seq;

    int arena_fd;
    uint8_t *arena;
    pthread_mutex_t arena_lock;
    unsigned long used[BM_WORDS];   /* page in use */
    unsigned long start[BM_WORDS];  /* page starts a block */

    int ram_fd;
    uint64_t ram_bytes;

    struct hv_server *srv;          /* in-process only */
    struct hv_session *sess;
};

static pthread_mutex_t client_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xmm_client *the_client;
/* The in-process host outlives connections: its state ends with the process. */
static struct hv_server *inproc_server;

static bool test_bit_(const unsigned long *bm, size_t i)
{
    return bm[i / BITS] & (1UL << (i % BITS));
}

static void set_bit_(unsigned long *bm, size_t i, bool v)
{
    if ( v )
        bm[i / BITS] |= 1UL << (i % BITS);
    else
        bm[i / BITS] &= ~(1UL << (i % BITS));
}

static int arena_create(struct xmm_client *cl)
{
    size_t bytes = ARENA_PAGES * PAGE_SIZE;

    cl->arena_fd = memfd_create("xenmm-hypercall-buffers", MFD_CLOEXEC);
    if ( cl->arena_fd < 0 )
        return -errno;
    if ( ftruncate(cl->arena_fd, (off_t)bytes) )
        return -errno;
    cl->arena = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_NORESERVE, cl->arena_fd, 0);
    if ( cl->arena == MAP_FAILED )
    {
        cl->arena = NULL;
        return -errno;
    }
    return 0;
}

/*
 * First fit from the arena's start: the few buffers live at a time stay in
 * the same hot pages.  (Allocating onwards from the last block instead
 * walked the whole arena, faulting in a fresh page of the memfd on both
 * sides at nearly every call, until the client held 1 GiB of shared
 * memory.)  Full words of the bitmap are skipped whole.
 */
void *xmm_arena_alloc(struct xmm_client *cl, size_t nr)
{
    size_t i, run = 0;

    if ( !nr || nr > ARENA_PAGES )
    {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_lock(&cl->arena_lock);
    for ( i = 0; i < ARENA_PAGES; )
    {
        if ( !(i % BITS) && cl->used[i / BITS] == ~0UL )
        {
            run = 0;
            i += BITS;
            continue;
        }
        if ( test_bit_(cl->used, i) )
        {
            run = 0;
            i++;
            continue;
        }
        if ( ++run == nr )
        {
            size_t first = i + 1 - nr, j;

            for ( j = first; j <= i; j++ )
            {
                set_bit_(cl->used, j, true);
                set_bit_(cl->start, j, j == first);
            }
            pthread_mutex_unlock(&cl->arena_lock);
            return cl->arena + first * PAGE_SIZE;
        }
        i++;
    }
    pthread_mutex_unlock(&cl->arena_lock);
    errno = ENOMEM;
    return NULL;
}

void xmm_arena_free(struct xmm_client *cl, void *p)
{
    size_t first, i;

    if ( !p )
        return;
    first = ((uint8_t *)p - cl->arena) / PAGE_SIZE;
    if ( (uint8_t *)p < cl->arena || first >= ARENA_PAGES )
        return;
    pthread_mutex_lock(&cl->arena_lock);
    if ( !test_bit_(cl->start, first) )
    {
        pthread_mutex_unlock(&cl->arena_lock);
        return;                     /* not a block we handed out */
    }
    for ( i = first; i < ARENA_PAGES && test_bit_(cl->used, i) &&
                     (i == first || !test_bit_(cl->start, i)); i++ )
    {
        set_bit_(cl->used, i, false);
        set_bit_(cl->start, i, false);
    }
    /* Hypercall buffers must read as zero when handed out again. */
    if ( i - first >= ARENA_TRIM_PAGES )
        fallocate(cl->arena_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  (off_t)(first * PAGE_SIZE), (off_t)((i - first) * PAGE_SIZE));
    else
        memset(cl->arena + first * PAGE_SIZE, 0, (i - first) * PAGE_SIZE);
    pthread_mutex_unlock(&cl->arena_lock);
}

uint64_t xmm_arena_offset(struct xmm_client *cl, const void *p)
{
    return (uint64_t)((const uint8_t *)p - cl->arena);
}

int xmm_client_ram_fd(struct xmm_client *cl)
{
    return cl->ram_fd;
}

int xmm_client_fd(struct xmm_client *cl)
{
    return cl->sock >= 0 ? cl->sock : cl->arena_fd;
}

/* ---- requests ---- */

static void fill_hdr(struct xmm_client *cl, struct xmm_hdr *h,
                     unsigned int type, size_t len)
{
    xmm_fill_hdr(h, type, len, ++cl->seq);
}

int xmm_client_request(struct xmm_client *cl, unsigned int type, void *req,
                       size_t req_len, void *reply, size_t reply_len, int *fd)
{
    struct xmm_hdr *rh = reply;
    uint8_t buf[XMM_MSG_MAX];
    int rc, rfd = -1;
    ssize_t n;

    pthread_mutex_lock(&cl->io_lock);
    fill_hdr(cl, req, type, req_len);
    if ( cl->sock < 0 )
    {
        size_t len = 0;

        rc = hv_session_handle(cl->sess, req, req_len, buf, &len, &rfd);
        if ( !rc && len > reply_len )
            rc = -EPROTO;
        if ( !rc )
            memcpy(reply, buf, len);
        n = (ssize_t)len;
    }
    else
    {
        rc = xmm_send(cl->sock, req, req_len, -1);
        if ( !rc )
        {
            n = xmm_recv_poll(cl->sock, buf, sizeof(buf), &rfd,
                              xmm_poll_us());
            if ( n < 0 )
                rc = (int)n;
            else if ( n == 0 )
                rc = -EPIPE;          /* the daemon went away */
            else if ( (size_t)n > reply_len )
                rc = -EPROTO;
            else
                memcpy(reply, buf, (size_t)n);
        }
    }
    if ( !rc && ((size_t)n < sizeof(*rh) || rh->magic != XMM_MAGIC ||
                 rh->seq != ((struct xmm_hdr *)req)->seq) )
        rc = -EPROTO;
    pthread_mutex_unlock(&cl->io_lock);
    if ( rc == -EPIPE || rc == -ECONNRESET )
        fprintf(stderr, "xenmm: lost the connection to xenmmd\n");
    if ( fd )
        *fd = rfd;
    else if ( rfd >= 0 )
        close(rfd);
    return rc;
}

long xmm_client_hypercall(struct xmm_client *cl, unsigned long op,
                          const unsigned long args[6])
{
    struct xmm_hypercall m;
    struct xmm_reply r;
    int rc;

    if ( cl->sock < 0 )
        return hv_session_hypercall(cl->sess, op, args);
    memset(&m, 0, sizeof(m));
    m.op = op;
    for ( unsigned int i = 0; i < 6; i++ )
        m.args[i] = args[i];
    rc = xmm_client_request(cl, XMM_HYPERCALL, &m, sizeof(m), &r, sizeof(r),
                            NULL);
    return rc ? rc : r.result;
}

/* Pages per lookup request: bounds the arena scratch to 1.5 MiB. */
#define FOREIGN_BATCH 65536

long xmm_client_foreign_lookup(struct xmm_client *cl, uint32_t domid,
                               int write, const uint64_t *gfns, size_t nr,
                               uint64_t *mfns, int *errs)
{
    size_t done, pages;
    uint64_t *ag, *am;
    int32_t *ae;
    uint8_t *scratch;
    long first = 0;

    pages = (FOREIGN_BATCH * (8 + 8 + 4) + PAGE_SIZE - 1) / PAGE_SIZE;
    scratch = xmm_arena_alloc(cl, pages);
    if ( !scratch )
        return -ENOMEM;
    ag = (uint64_t *)scratch;
    am = ag + FOREIGN_BATCH;
    ae = (int32_t *)(am + FOREIGN_BATCH);
    for ( done = 0; done < nr; )
    {
        size_t n = nr - done < FOREIGN_BATCH ? nr - done : FOREIGN_BATCH;
        struct xmm_foreign_map m = {
            .domid = domid, .write = !!write, .nr = n,
            .gfns_off = xmm_arena_offset(cl, ag),
            .mfns_off = xmm_arena_offset(cl, am),
            .errs_off = xmm_arena_offset(cl, ae),
        };
        struct xmm_reply r;
        long rc;

        memcpy(ag, gfns + done, n * sizeof(*ag));
        rc = xmm_client_request(cl, XMM_FOREIGN_MAP, &m, sizeof(m), &r,
                                sizeof(r), NULL);
        if ( rc || r.result == -EFAULT )
        {
            /* Nothing was looked up: every page fails. */
            rc = rc ? rc : r.result;
            for ( size_t i = done; i < nr; i++ )
                errs[i] = (int)rc;
            if ( !first )
                first = rc;
            break;
        }
        for ( size_t i = 0; i < n; i++ )
        {
            mfns[done + i] = am[i];
            errs[done + i] = ae[i];
        }
        if ( r.result && !first )
            first = r.result;
        done += n;
    }
    xmm_arena_free(cl, scratch);
    return first;
}

/* ---- opening ---- */

static int connect_daemon(struct xmm_client *cl, const char *who)
{
    char path[108];
    struct xmm_hello m;
    struct xmm_hello_reply r;
    const char *dom = getenv(XMM_DOMID_ENV);
    int rc, fd;
    ssize_t n;

    if ( xmm_default_socket_path(path, sizeof(path)) )
    {
        fprintf(stderr, "%s: xenmm: socket path too long\n", who);
        return -ENAMETOOLONG;
    }
    cl->sock = xmm_connect(path);
    if ( cl->sock < 0 )
    {
        rc = cl->sock;
        fprintf(stderr, "%s: xenmm: no xenmmd at %s (%s); start one with "
                "`xenmm daemon start`, or set " XMM_INPROCESS_ENV
                "=<host spec>\n", who, path, strerror(-rc));
        return rc;
    }
    memset(&m, 0, sizeof(m));
    m.domid = dom && *dom ? (uint32_t)strtoul(dom, NULL, 0) : 0;
    m.pid = (uint32_t)getpid();
    m.arena_base = (uint64_t)(uintptr_t)cl->arena;
    m.arena_size = ARENA_PAGES * PAGE_SIZE;
    fill_hdr(cl, &m.hdr, XMM_HELLO, sizeof(m));
    rc = xmm_send(cl->sock, &m, sizeof(m), cl->arena_fd);
    if ( rc )
        return rc;
    n = xmm_recv(cl->sock, &r, sizeof(r), &fd);
    if ( n != (ssize_t)sizeof(r) || r.hdr.magic != XMM_MAGIC )
    {
        if ( fd >= 0 )
            close(fd);
        fprintf(stderr, "%s: xenmm: xenmmd at %s did not answer the hello "
                "(protocol version %u)\n", who, path,
                XMM_PROTO_VERSION);
        return -EPROTO;
    }
    if ( r.result < 0 )
    {
        if ( fd >= 0 )
            close(fd);
        if ( r.result == -EPROTONOSUPPORT )
            fprintf(stderr, "%s: xenmm: xenmmd at %s speaks protocol "
                    "version %u, this library %u: use matching builds\n",
                    who, path, r.hdr.version, XMM_PROTO_VERSION);
        else
            fprintf(stderr, "%s: xenmm: xenmmd refused the connection: %s\n",
                    who, strerror((int)-r.result));
        return (int)r.result;
    }
    if ( fd < 0 )
        return -EPROTO;
    cl->ram_fd = fd;
    cl->ram_bytes = r.ram_bytes;
    return 0;
}

static int host_inprocess(struct xmm_client *cl, const char *who,
                          const char *spec)
{
    const char *dom = getenv(XMM_DOMID_ENV);
    char err[512];
    int rc;

    if ( !inproc_server )
    {
        inproc_server = hv_server_create(spec, getenv("XENMM_XEN_OPTS"), err,
                                         sizeof(err));
        if ( !inproc_server )
        {
            fprintf(stderr, "%s: xenmm: in-process host '%s': %s\n", who,
                    spec, err);
            return -EINVAL;
        }
    }
    cl->srv = inproc_server;
    cl->ram_fd = hv_server_ram_fd(cl->srv, &cl->ram_bytes);
    /* The arena's guest addresses are its addresses here. */
    cl->sess = hv_session_open(cl->srv, dom && *dom ?
                               (uint32_t)strtoul(dom, NULL, 0) : 0,
                               (uint64_t)(uintptr_t)cl->arena, cl->arena,
                               ARENA_PAGES * PAGE_SIZE, &rc);
    return cl->sess ? 0 : rc;
}

static void client_free(struct xmm_client *cl)
{
    if ( cl->sess )
        hv_session_close(cl->sess);
    if ( cl->sock >= 0 )
    {
        close(cl->sock);
        if ( cl->ram_fd >= 0 )
            close(cl->ram_fd);
    }
    if ( cl->arena )
        munmap(cl->arena, ARENA_PAGES * PAGE_SIZE);
    if ( cl->arena_fd >= 0 )
        close(cl->arena_fd);
    pthread_mutex_destroy(&cl->io_lock);
    pthread_mutex_destroy(&cl->arena_lock);
    free(cl);
}

struct xmm_client *xmm_client_get(const char *who, int *rc)
{
    const char *spec = getenv(XMM_INPROCESS_ENV);
    struct xmm_client *cl;

    pthread_mutex_lock(&client_lock);
    if ( the_client )
    {
        the_client->refs++;
        pthread_mutex_unlock(&client_lock);
        *rc = 0;
        return the_client;
    }
    cl = calloc(1, sizeof(*cl));
    if ( !cl )
    {
        pthread_mutex_unlock(&client_lock);
        *rc = -ENOMEM;
        return NULL;
    }
    cl->sock = cl->arena_fd = cl->ram_fd = -1;
    pthread_mutex_init(&cl->io_lock, NULL);
    pthread_mutex_init(&cl->arena_lock, NULL);
    *rc = arena_create(cl);
    if ( !*rc )
        *rc = spec && *spec ? host_inprocess(cl, who, spec)
                            : connect_daemon(cl, who);
    if ( *rc )
    {
        client_free(cl);
        pthread_mutex_unlock(&client_lock);
        return NULL;
    }
    cl->refs = 1;
    the_client = cl;
    pthread_mutex_unlock(&client_lock);
    return cl;
}

void xmm_client_put(struct xmm_client *cl)
{
    pthread_mutex_lock(&client_lock);
    if ( --cl->refs == 0 )
    {
        the_client = NULL;
        client_free(cl);
    }
    pthread_mutex_unlock(&client_lock);
}
