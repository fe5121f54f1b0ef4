/*
 * xenmmd - the hypervisor process: one emulated host served to client
 * processes (the drop-in Xen libraries) over a Unix socket.
 *
 *   xenmmd [--host SPEC] [--xen OPTS] [--socket PATH] [--ready-fd N]
 *
 * One thread per client.  A client's first message is HELLO (its arena
 * memfd rides along; the reply carries the guest-RAM memfd); then one
 * request at a time (xenmm/proto.h).  A client that sends garbage, speaks
 * another protocol version or dies mid-call is dropped; its hypercall in
 * flight completes, so no page is lost, and nobody else notices.  SIGTERM,
 * SIGINT or a SHUTDOWN request stop the daemon: clients are disconnected,
 * the socket is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/server.h"
#include "wire/wire.h"

/* An arena larger than this is refused (the client library uses 1 GiB). */
#define ARENA_MAX (64ULL << 30)

struct daemon {
    struct hv_server *srv;
    char path[108];
    int listen_fd;
    int wake[2];                    /* self-pipe: signals, SHUTDOWN */
    pthread_mutex_t lock;
    pthread_cond_t idle;            /* nr_clients reached 0 */
    unsigned int nr_clients;
    struct client *clients;
    volatile sig_atomic_t stopping;
};

struct client {
    struct daemon *dm;
    struct client *next;
    int sock;
};

/* For the signal handler only: the daemon's wake pipe. */
static int signal_wake_fd = -1;

static void on_signal(int sig)
{
    char c = (char)sig;
    ssize_t rc = write(signal_wake_fd, &c, 1);

    (void)rc;
}

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
    va_list ap;

    fputs("xenmmd: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void request_stop(struct daemon *dm)
{
    char c = 0;
    ssize_t rc;

    dm->stopping = 1;
    rc = write(dm->wake[1], &c, 1);
    (void)rc;
}

static void reply_result(struct xmm_reply *r, const struct xmm_hdr *req,
                         int64_t result)
{
    memset(r, 0, sizeof(*r));
    xmm_fill_hdr(&r->hdr, req->type, sizeof(*r), req->seq);
    r->result = result;
}

/* HELLO: map the arena, open the session, pass the RAM memfd. */
static struct hv_session *client_hello(struct client *cl, const void *msg,
                                       ssize_t n, int fd, void **arena,
                                       size_t *arena_size)
{
    struct xmm_hello m;
    struct xmm_hello_reply r;
    struct hv_session *s = NULL;
    int rc = 0, ram_fd = -1;
    uint64_t ram_bytes = 0;

    *arena = NULL;
    /* A hello of another protocol version may differ in size: answer it. */
    if ( n >= (ssize_t)sizeof(struct xmm_hdr) &&
         ((const struct xmm_hdr *)msg)->magic == XMM_MAGIC &&
         ((const struct xmm_hdr *)msg)->version != XMM_PROTO_VERSION )
    {
        struct xmm_hdr h;

        memcpy(&h, msg, sizeof(h));
        memset(&r, 0, sizeof(r));
        xmm_fill_hdr(&r.hdr, XMM_HELLO, sizeof(r), h.seq);
        r.result = -EPROTONOSUPPORT;
        xmm_send(cl->sock, &r, sizeof(r), -1);
        log_line("refused a client speaking protocol version %u (mine: %u)",
                 h.version, XMM_PROTO_VERSION);
        goto out;
    }
    if ( n != (ssize_t)sizeof(m) )
    {
        log_line("dropping a client: malformed hello");
        goto out;
    }
    memcpy(&m, msg, sizeof(m));
    if ( m.hdr.magic != XMM_MAGIC || m.hdr.type != XMM_HELLO )
    {
        log_line("dropping a client: no hello");
        goto out;
    }
    if ( m.hdr.version != XMM_PROTO_VERSION )
        rc = -EPROTONOSUPPORT;
    else if ( fd < 0 || !m.arena_size || m.arena_size > ARENA_MAX ||
              (m.arena_size & 4095) )
        rc = -EINVAL;
    if ( !rc )
    {
        *arena = mmap(NULL, m.arena_size, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_NORESERVE, fd, 0);
        if ( *arena == MAP_FAILED )
        {
            *arena = NULL;
            rc = -errno;
        }
    }
    if ( !rc )
    {
        *arena_size = m.arena_size;
        s = hv_session_open(cl->dm->srv, m.domid, m.arena_base, *arena,
                            m.arena_size, &rc);
    }
    memset(&r, 0, sizeof(r));
    xmm_fill_hdr(&r.hdr, XMM_HELLO, sizeof(r), m.hdr.seq);
    r.result = rc;
    if ( s )
        ram_fd = hv_server_ram_fd(cl->dm->srv, &ram_bytes);
    r.ram_bytes = ram_bytes;
    if ( xmm_send(cl->sock, &r, sizeof(r), ram_fd) && s )
    {
        hv_session_close(s);
        s = NULL;
    }
    if ( rc )
        log_line("refused a client (pid %u): %s", m.pid, strerror(-rc));
 out:
    if ( fd >= 0 )
        close(fd);
    if ( !s && *arena )
    {
        munmap(*arena, *arena_size);
        *arena = NULL;
    }
    return s;
}

/*
 * STATUS and SHUTDOWN: need no session.  True if msg was one; the caller
 * sends the reply, then calls request_stop if *stop (the reply must go out
 * before the shutdown disconnects everyone).
 */
static bool control_request(struct daemon *dm, const struct xmm_hdr *h,
                            size_t n, void *reply, size_t *reply_len,
                            bool *stop)
{
    if ( n < sizeof(*h) || h->magic != XMM_MAGIC ||
         h->version != XMM_PROTO_VERSION || h->len != n ||
         (h->type != XMM_STATUS && h->type != XMM_SHUTDOWN) )
        return false;
    if ( h->type == XMM_STATUS )
    {
        struct xmm_status_reply *r = reply;

        memset(r, 0, sizeof(*r));
        xmm_fill_hdr(&r->hdr, h->type, sizeof(*r), h->seq);
        r->pid = (uint32_t)getpid();
        r->nr_clients = hv_server_nr_sessions(dm->srv);
        snprintf(r->host, sizeof(r->host), "%s", hv_server_spec(dm->srv));
        *reply_len = sizeof(*r);
    }
    else
    {
        reply_result(reply, h, 0);
        *reply_len = sizeof(struct xmm_reply);
        *stop = true;
    }
    return true;
}

static void client_serve(struct client *cl, struct hv_session *s)
{
    struct daemon *dm = cl->dm;
    uint8_t msg[XMM_MSG_MAX], reply[XMM_MSG_MAX];

    for ( ; ; )
    {
        const struct xmm_hdr *h = (const void *)msg;
        size_t reply_len = 0;
        int fd, out_fd = -1, rc;
        bool stop = false;
        /* Poll a while first: clients send bursts of calls. */
        ssize_t n = xmm_recv_poll(cl->sock, msg, sizeof(msg), &fd,
                                  xmm_poll_us());

        if ( fd >= 0 )
            close(fd);              /* no request carries a descriptor */
        if ( n <= 0 )
            break;                  /* gone, or garbage too long */
        if ( control_request(dm, h, (size_t)n, reply, &reply_len, &stop) )
            rc = 0;
        else
            rc = hv_session_handle(s, msg, (size_t)n, reply, &reply_len,
                                   &out_fd);
        if ( rc )
        {
            log_line("dropping a client: malformed request");
            break;
        }
        rc = xmm_send(cl->sock, reply, reply_len, out_fd);
        if ( out_fd >= 0 )
            close(out_fd);
        if ( stop )
            request_stop(dm);
        if ( rc )
            break;
    }
}

static void *client_thread(void *arg)
{
    struct client *cl = arg, **pp;
    struct daemon *dm = cl->dm;
    struct hv_session *s = NULL;
    uint8_t msg[XMM_MSG_MAX], reply[XMM_MSG_MAX];
    size_t arena_size = 0, reply_len;
    void *arena = NULL;
    bool stop = false;
    int fd;
    ssize_t n = xmm_recv(cl->sock, msg, sizeof(msg), &fd);

    /* The first message: HELLO, or a control request needing no session. */
    if ( n > 0 && control_request(dm, (void *)msg, (size_t)n, reply,
                                  &reply_len, &stop) )
    {
        if ( fd >= 0 )
            close(fd);
        xmm_send(cl->sock, reply, reply_len, -1);
        if ( stop )
            request_stop(dm);
    }
    else if ( n > 0 )
        s = client_hello(cl, msg, n, fd, &arena, &arena_size);
    else if ( fd >= 0 )
        close(fd);
    if ( s )
    {
        client_serve(cl, s);
        hv_session_close(s);
        munmap(arena, arena_size);
    }
    pthread_mutex_lock(&dm->lock);
    for ( pp = &dm->clients; *pp; pp = &(*pp)->next )
        if ( *pp == cl )
        {
            *pp = cl->next;
            break;
        }
    close(cl->sock);
    free(cl);
    if ( --dm->nr_clients == 0 )
        pthread_cond_broadcast(&dm->idle);
    pthread_mutex_unlock(&dm->lock);
    return NULL;
}

static int accept_client(struct daemon *dm)
{
    struct client *cl;
    pthread_attr_t attr;
    pthread_t t;
    int sock = accept4(dm->listen_fd, NULL, NULL, SOCK_CLOEXEC);

    if ( sock < 0 )
        return errno == EINTR || errno == ECONNABORTED ? 0 : -errno;
    cl = calloc(1, sizeof(*cl));
    if ( !cl )
    {
        close(sock);
        return 0;
    }
    cl->dm = dm;
    cl->sock = sock;
    pthread_mutex_lock(&dm->lock);
    cl->next = dm->clients;
    dm->clients = cl;
    dm->nr_clients++;
    pthread_mutex_unlock(&dm->lock);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if ( pthread_create(&t, &attr, client_thread, cl) )
    {
        /* No thread: undo as client_thread's tail would. */
        pthread_mutex_lock(&dm->lock);
        dm->clients = cl->next;
        dm->nr_clients--;
        pthread_mutex_unlock(&dm->lock);
        close(sock);
        free(cl);
    }
    pthread_attr_destroy(&attr);
    return 0;
}

/* mkdir -p the socket's directory (0700 for the parts we make). */
static int make_parent(const char *path)
{
    char dir[PATH_MAX];
    char *p;

    snprintf(dir, sizeof(dir), "%s", path);
    p = strrchr(dir, '/');
    if ( !p || p == dir )
        return 0;
    *p = '\0';
    for ( p = dir + 1; *p; p++ )
        if ( *p == '/' )
        {
            *p = '\0';
            if ( mkdir(dir, 0700) && errno != EEXIST )
                return -errno;
            *p = '/';
        }
    if ( mkdir(dir, 0700) && errno != EEXIST )
        return -errno;
    return 0;
}

static int listen_on(struct daemon *dm)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int rc, probe;

    rc = make_parent(dm->path);
    if ( rc )
    {
        log_line("cannot create the directory of %s: %s", dm->path,
                 strerror(-rc));
        return rc;
    }
    probe = xmm_connect(dm->path);
    if ( probe >= 0 )
    {
        close(probe);
        log_line("another xenmmd is already listening on %s", dm->path);
        return -EADDRINUSE;
    }
    unlink(dm->path);               /* a stale socket of a dead daemon */
    strcpy(sa.sun_path, dm->path);
    dm->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if ( dm->listen_fd < 0 ||
         bind(dm->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
         listen(dm->listen_fd, 64) )
    {
        rc = -errno;
        log_line("cannot listen on %s: %s", dm->path, strerror(-rc));
        return rc;
    }
    return 0;
}

static void serve(struct daemon *dm)
{
    struct pollfd pfd[2] = {
        { .fd = dm->listen_fd, .events = POLLIN },
        { .fd = dm->wake[0], .events = POLLIN },
    };

    while ( !dm->stopping )
    {
        if ( poll(pfd, 2, -1) < 0 )
        {
            if ( errno == EINTR )
                continue;
            log_line("poll: %s", strerror(errno));
            break;
        }
        if ( pfd[1].revents )
            break;
        if ( (pfd[0].revents & POLLIN) && accept_client(dm) )
            break;
    }
}

/* Disconnect every client and wait for their threads to finish. */
static void drain(struct daemon *dm)
{
    struct client *cl;

    pthread_mutex_lock(&dm->lock);
    for ( cl = dm->clients; cl; cl = cl->next )
        shutdown(cl->sock, SHUT_RDWR);
    while ( dm->nr_clients )
        pthread_cond_wait(&dm->idle, &dm->lock);
    pthread_mutex_unlock(&dm->lock);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: xenmmd [--host SPEC] [--xen OPTS] [--socket PATH] "
               "[--ready-fd N]\n"
               "Serve one emulated Xen host to the drop-in Xen libraries.\n"
               "  --host SPEC    host spec as `xenmm hostinfo --host` "
               "(default: $XENMM_HOST, else server-2s)\n"
               "  --xen OPTS     Xen boot options (command-line syntax)\n"
               "  --socket PATH  listen here (default: $" XMM_SOCKET_ENV
               ", $XDG_RUNTIME_DIR/xenmm/" XMM_SOCKET_NAME ", /run/xenmm/"
               XMM_SOCKET_NAME ")\n"
               "  --ready-fd N   write \"ready\\n\" to fd N once listening\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'H' },
        { "xen", required_argument, NULL, 'x' },
        { "socket", required_argument, NULL, 's' },
        { "ready-fd", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct daemon dm = { .listen_fd = -1 };
    const char *spec = getenv("XENMM_HOST"), *xen = NULL, *sock = NULL;
    char err[512];
    int c, ready_fd = -1;
    struct sigaction sa = { .sa_handler = on_signal };

    while ( (c = getopt_long(argc, argv, "H:x:s:r:h", opts, NULL)) != -1 )
        switch ( c )
        {
        case 'H': spec = optarg; break;
        case 'x': xen = optarg; break;
        case 's': sock = optarg; break;
        case 'r': ready_fd = atoi(optarg); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    if ( optind != argc )
    {
        usage(stderr);
        return 2;
    }
    if ( !spec || !*spec )
        spec = "server-2s";
    if ( sock )
    {
        if ( strlen(sock) >= sizeof(dm.path) )
        {
            log_line("socket path too long: %s", sock);
            return 1;
        }
        strcpy(dm.path, sock);
    }
    else if ( xmm_default_socket_path(dm.path, sizeof(dm.path)) )
    {
        log_line("socket path too long");
        return 1;
    }

    if ( pipe2(dm.wake, O_CLOEXEC) )
        return 1;
    signal_wake_fd = dm.wake[1];
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_mutex_init(&dm.lock, NULL);
    pthread_cond_init(&dm.idle, NULL);

    dm.srv = hv_server_create(spec, xen, err, sizeof(err));
    if ( !dm.srv )
    {
        log_line("host '%s': %s", spec, err);
        return 1;
    }
    if ( listen_on(&dm) )
    {
        hv_server_destroy(dm.srv);
        return 1;
    }
    log_line("serving host '%s' on %s (pid %d)", spec, dm.path, getpid());
    if ( ready_fd >= 0 )
    {
        ssize_t rc = write(ready_fd, "ready\n", 6);

        (void)rc;
        close(ready_fd);
    }

    serve(&dm);

    close(dm.listen_fd);
    unlink(dm.path);
    drain(&dm);
    hv_server_destroy(dm.srv);
    log_line("stopped");
    return 0;
}
