/*
 * tools/xenmm/cmd_daemon.c - `xenmm daemon start|stop|status`.
 *
 * start runs build/bin/xenmmd (next to this program) in the background and
 * returns once it listens (its --ready-fd), or fails with the daemon's last
 * log line.  stop asks it to shut down and waits until the socket is gone.
 * status asks it who it is.  Exit status: 0; 1 failure (one line); 2 usage;
 * status says 3 when no daemon runs, as `systemctl status` does.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wire/wire.h"
#include "xenmm.h"

#define EXIT_NOT_RUNNING 3
/* How long start waits for the host to boot, and stop for the exit. */
#define START_TIMEOUT_MS 120000
#define STOP_TIMEOUT_MS  30000

int xenmm_socket_path(const char *given, char *buf, size_t len)
{
    if ( given )
    {
        if ( strlen(given) >= len )
            return -1;
        strcpy(buf, given);
        return 0;
    }
    return xmm_default_socket_path(buf, len);
}

int xenmm_sibling_path(const char *dir, const char *name, char *buf,
                       size_t len)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;

    if ( n <= 0 )
        return -1;
    self[n] = '\0';
    slash = strrchr(self, '/');
    if ( !slash )
        return -1;
    *slash = '\0';
    n = snprintf(buf, len, "%s/%s%s", self, dir, name);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* One control request (STATUS, SHUTDOWN) without a session. */
static int control(const char *path, unsigned int type, void *reply,
                   size_t reply_len, int *sock_out)
{
    struct xmm_hdr h;
    int sock = xmm_connect(path), rc, fd;
    ssize_t n;

    if ( sock < 0 )
        return sock;
    xmm_fill_hdr(&h, type, sizeof(h), 1);
    rc = xmm_send(sock, &h, sizeof(h), -1);
    if ( !rc )
    {
        n = xmm_recv(sock, reply, reply_len, &fd);
        if ( fd >= 0 )
            close(fd);
        rc = n < 0 ? (int)n : (size_t)n < sizeof(struct xmm_reply) ? -EPROTO : 0;
    }
    if ( sock_out && !rc )
        *sock_out = sock;
    else
        close(sock);
    return rc;
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The last non-empty line of a file, for start's error message. */
static void last_line(const char *file, char *buf, size_t len)
{
    FILE *f = fopen(file, "r");
    char line[512];

    snprintf(buf, len, "no output (see %.400s)", file);
    if ( !f )
        return;
    while ( fgets(line, sizeof(line), f) )
    {
        line[strcspn(line, "\n")] = '\0';
        if ( *line )
            snprintf(buf, len, "%s", line);
    }
    fclose(f);
}

static int daemon_start(const char *path, const char *log,
                        const struct xenmm_host_args *ha)
{
    char xenmmd[PATH_MAX], logbuf[PATH_MAX], why[512], fdarg[16];
    char *argv[8 + 2 * 64];
    int pfd[2], argc = 0, sock, status;
    char ready[8] = "";
    struct pollfd p;
    pid_t pid;
    ssize_t n;

    sock = xmm_connect(path);
    if ( sock >= 0 )
    {
        close(sock);
        return xenmm_fail("xenmmd is already running on %s", path);
    }
    if ( xenmm_sibling_path("", "xenmmd", xenmmd, sizeof(xenmmd)) ||
         access(xenmmd, X_OK) )
        return xenmm_fail("cannot find xenmmd next to this program");
    if ( !log )
    {
        /* Beside the socket: <dir>/xenmmd.log. */
        const char *slash = strrchr(path, '/');
        int len = slash ? (int)(slash - path) : 1;

        snprintf(logbuf, sizeof(logbuf), "%.*s/xenmmd.log", len,
                 slash ? path : ".");
        log = logbuf;
    }
    if ( pipe2(pfd, O_CLOEXEC) )
        return xenmm_fail("pipe: %s", strerror(errno));
    snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
    argv[argc++] = xenmmd;
    argv[argc++] = "--socket";
    argv[argc++] = (char *)path;
    argv[argc++] = "--host";
    argv[argc++] = (char *)xenmm_host_args_spec(ha);
    for ( unsigned int i = 0; i < ha->nr_xen; i++ )
    {
        argv[argc++] = "--xen";
        argv[argc++] = (char *)ha->xen[i];
    }
    argv[argc++] = "--ready-fd";
    argv[argc++] = fdarg;
    argv[argc] = NULL;

    pid = fork();
    if ( pid < 0 )
        return xenmm_fail("fork: %s", strerror(errno));
    if ( pid == 0 )
    {
        int null = open("/dev/null", O_RDONLY);
        int out;

        /* The directory of the log (and socket) may not exist yet. */
        char dir[PATH_MAX], *s;

        snprintf(dir, sizeof(dir), "%s", log);
        s = strrchr(dir, '/');
        if ( s && s != dir )
        {
            *s = '\0';
            mkdir(dir, 0700);
        }
        out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        setsid();
        if ( null >= 0 )
            dup2(null, 0);
        if ( out >= 0 )
        {
            dup2(out, 1);
            dup2(out, 2);
        }
        fcntl(pfd[1], F_SETFD, 0);      /* keep the ready fd across exec */
        execv(xenmmd, argv);
        _exit(127);
    }
    close(pfd[1]);
    p.fd = pfd[0];
    p.events = POLLIN;
    n = poll(&p, 1, START_TIMEOUT_MS) > 0 ? read(pfd[0], ready, 6) : -1;
    close(pfd[0]);
    if ( n == 6 && !memcmp(ready, "ready\n", 6) )
    {
        printf("xenmmd running (pid %d), host %s, socket %s, log %s\n",
               (int)pid, xenmm_host_args_spec(ha), path, log);
        return 0;
    }
    if ( n < 0 )
        kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    last_line(log, why, sizeof(why));
    return xenmm_fail("xenmmd did not start: %s", why);
}

static int daemon_stop(const char *path)
{
    struct xmm_reply r;
    struct timespec t0;
    int sock, rc, fd;
    char buf[XMM_MSG_MAX];

    rc = control(path, XMM_SHUTDOWN, &r, sizeof(r), &sock);
    if ( rc == -ENOENT || rc == -ECONNREFUSED )
        return xenmm_fail("no xenmmd running on %s", path);
    if ( rc )
        return xenmm_fail("xenmmd on %s did not answer: %s", path,
                          strerror(-rc));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* The daemon closes every connection, ours last, as it exits. */
    for ( ; ; )
    {
        struct pollfd p = { .fd = sock, .events = POLLIN };

        if ( poll(&p, 1, 100) > 0 && xmm_recv(sock, buf, sizeof(buf), &fd) <= 0 )
            break;
        if ( elapsed_ms(&t0) > STOP_TIMEOUT_MS )
        {
            close(sock);
            return xenmm_fail("xenmmd on %s did not stop within %d s", path,
                              STOP_TIMEOUT_MS / 1000);
        }
    }
    close(sock);
    while ( access(path, F_OK) == 0 && elapsed_ms(&t0) < STOP_TIMEOUT_MS )
        usleep(10000);
    printf("xenmmd stopped\n");
    return 0;
}

static int daemon_status(const char *path, bool json)
{
    struct xmm_status_reply r;

    if ( control(path, XMM_STATUS, &r, sizeof(r), NULL) )
    {
        if ( json )
            printf("{\"running\": false, \"socket\": \"%s\"}\n", path);
        else
            printf("xenmmd: not running (socket %s)\n", path);
        return EXIT_NOT_RUNNING;
    }
    r.host[sizeof(r.host) - 1] = '\0';
    if ( json )
        printf("{\"running\": true, \"pid\": %u, \"host\": \"%s\", "
               "\"clients\": %u, \"socket\": \"%s\"}\n",
               r.pid, r.host, r.nr_clients, path);
    else
        printf("xenmmd: running (pid %u), host %s, %u client%s, socket %s\n",
               r.pid, r.host, r.nr_clients, r.nr_clients == 1 ? "" : "s",
               path);
    return 0;
}

static void daemon_usage(FILE *f)
{
    fprintf(f,
        "usage: xenmm daemon start [--host SPEC] [--xen OPTS]... "
        "[--socket PATH] [--log FILE]\n"
        "       xenmm daemon stop [--socket PATH]\n"
        "       xenmm daemon status [--socket PATH] [--json]\n\n"
        "Run xenmmd, the process holding one emulated host that the drop-in\n"
        "Xen libraries (`xenmm exec`) talk to.\n"
        "  -H, --host SPEC    host to boot (default: $XENMM_HOST, else %s)\n"
        "  -x, --xen OPTS     Xen boot options, repeatable\n"
        "  -s, --socket PATH  (default: $" XMM_SOCKET_ENV
        ", else $XDG_RUNTIME_DIR/xenmm/" XMM_SOCKET_NAME
        ", else /run/xenmm/" XMM_SOCKET_NAME ")\n"
        "  -l, --log FILE     daemon log (default: xenmmd.log beside the socket)\n"
        "  -j, --json         status as JSON\n"
        "status exits 3 when no daemon runs.\n", HOSTSPEC_DEFAULT_PRESET);
}

struct daemon_args {
    struct xenmm_host_args ha;
    const char *sock, *log;
    bool json;
};

/* getopt over argv from optind: 0, or the exit status to return now. */
static int daemon_parse(int argc, char **argv, const char *optstring,
                        struct daemon_args *a)
{
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'H' },
        { "xen", required_argument, NULL, 'x' },
        { "socket", required_argument, NULL, 's' },
        { "log", required_argument, NULL, 'l' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ( (c = getopt_long(argc, argv, optstring, opts, NULL)) != -1 )
        switch ( c )
        {
        case 'H': a->ha.spec = optarg; break;
        case 'x':
            if ( xenmm_host_args_add_xen(&a->ha, "daemon", optarg) )
                return EXIT_USAGE;
            break;
        case 's': a->sock = optarg; break;
        case 'l': a->log = optarg; break;
        case 'j': a->json = true; break;
        case 'h': daemon_usage(stdout); return -1;
        default: daemon_usage(stderr); return EXIT_USAGE;
        }
    return 0;
}

int cmd_daemon(int argc, char **argv)
{
    struct daemon_args a = { 0 };
    const char *verb;
    char path[108];
    int rc;

    /* Options may come before the verb ("+": stop there) or after it. */
    optind = 1;
    rc = daemon_parse(argc, argv, "+H:x:s:l:jh", &a);
    if ( rc )
        return rc < 0 ? 0 : rc;
    if ( optind >= argc )
        return xenmm_usage_error("daemon", "say start, stop or status");
    verb = argv[optind++];
    rc = daemon_parse(argc, argv, "H:x:s:l:jh", &a);
    if ( rc )
        return rc < 0 ? 0 : rc;
    if ( optind != argc )
        return xenmm_usage_error("daemon", "unexpected '%s'", argv[optind]);
    if ( xenmm_socket_path(a.sock, path, sizeof(path)) )
        return xenmm_fail("socket path too long");
    if ( !strcmp(verb, "start") )
    {
        struct hostspec *hs = xenmm_load_host(&a.ha);

        /* Check the spec here, so a bad one is this command's error. */
        if ( !hs )
            return EXIT_FAILURE;
        hostspec_free(hs);
        return daemon_start(path, a.log, &a.ha);
    }
    if ( !strcmp(verb, "stop") )
        return daemon_stop(path);
    if ( !strcmp(verb, "status") )
        return daemon_status(path, a.json);
    return xenmm_usage_error("daemon", "unknown verb '%s' (start, stop, status)",
                             verb);
}
