/*
 * xenguest_run.c - running XenServer's xenguest as xenopsd does
 * (XenguestHelper in ocaml/xenopsd/xc/xenguestHelper.ml, forkexecd): two
 * pipes passed as -controloutfd and -controlinfd first on the command
 * line, the child's stdout and stderr into a log (xenguest-<vm>.log in the
 * run's directory: forkexecd sends them to syslog), then the control
 * lines read until the child closes its end:
 *   result:<store_mfn> <console_mfn>[ <protocol>]   success
 *   error:<text>                                    failure
 * (stdout:, stderr:, info: and suspend: lines are ignored here, as the
 * build modes do not send them).  An interrupted run kills xenguest with
 * SIGTERM and reaps it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "toolstack.h"

/* The child's fds: the control pipes land on 3 (out) and 4 (in). */
#define CHILD_OUT_FD 3
#define CHILD_IN_FD  4

static void child(struct run *r, struct vm_run *v, int out, int in,
                  char *const argv[])
{
    char log[4096];
    char *args[64];
    unsigned int n = 0;
    int fd;

    snprintf(log, sizeof(log), "%s/xenguest-%s.log", r->logdir,
             v->spec->name);
    fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if ( fd >= 0 )
    {
        dup2(fd, 1);
        dup2(fd, 2);
    }
    fd = open("/dev/null", O_RDONLY);
    if ( fd >= 0 )
        dup2(fd, 0);
    /* out and in are above 4 (the parent made sure); move them down. */
    if ( dup2(out, CHILD_OUT_FD) < 0 || dup2(in, CHILD_IN_FD) < 0 )
        _exit(127);
    closefrom(CHILD_IN_FD + 1);
    /* Default signal dispositions; the parent's handlers are its own. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    args[n++] = (char *)r->xenguest;
    args[n++] = "-controloutfd";
    args[n++] = "3";
    args[n++] = "-controlinfd";
    args[n++] = "4";
    for ( unsigned int i = 0; argv[i] && n < 63; i++ )
        args[n++] = argv[i];
    args[n] = NULL;
    execv(r->xenguest, args);
    fprintf(stderr, "cannot run %s: %s\n", r->xenguest, strerror(errno));
    _exit(127);
}

/* A pipe whose ends are both above fd 4 and close-on-exec. */
static int pipe_high(int p[2])
{
    int q[2];

    if ( pipe2(q, O_CLOEXEC) )
        return -1;
    for ( int i = 0; i < 2; i++ )
    {
        p[i] = fcntl(q[i], F_DUPFD_CLOEXEC, CHILD_IN_FD + 1);
        close(q[i]);
    }
    if ( p[0] < 0 || p[1] < 0 )
    {
        if ( p[0] >= 0 )
            close(p[0]);
        if ( p[1] >= 0 )
            close(p[1]);
        return -1;
    }
    return 0;
}

int xenguest_run(struct run *r, struct vm_run *v, char *const argv[],
                 char *err, size_t errlen)
{
    int outp[2], inp[2], status, rc = -1;
    char buf[4096] = "";
    size_t len = 0;
    bool got_result = false, got_error = false, killed = false;
    pid_t pid;

    err[0] = '\0';
    if ( pipe_high(outp) )
        return snprintf(err, errlen, "pipe: %s", strerror(errno)), -1;
    if ( pipe_high(inp) )
    {
        close(outp[0]);
        close(outp[1]);
        return snprintf(err, errlen, "pipe: %s", strerror(errno)), -1;
    }
    v->xenguest_started = ts_now();
    pid = fork();
    if ( pid < 0 )
    {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        goto out_close;
    }
    if ( pid == 0 )
        child(r, v, outp[1], inp[0], argv);
    close(outp[1]);
    close(inp[0]);
    outp[1] = inp[0] = -1;

    for ( ; ; )
    {
        struct pollfd p[2] = {
            { .fd = outp[0], .events = POLLIN },
            { .fd = r->cancel_pipe[0], .events = POLLIN },
        };
        ssize_t n;

        if ( poll(p, 2, -1) < 0 )
        {
            if ( errno == EINTR )
                continue;
            break;
        }
        if ( p[1].revents && !killed )
        {
            kill(pid, SIGTERM);
            killed = true;
        }
        if ( !p[0].revents )
            continue;
        n = read(outp[0], buf + len, sizeof(buf) - 1 - len);
        if ( n < 0 && errno == EINTR )
            continue;
        if ( n <= 0 )
            break;
        len += n;
        buf[len] = '\0';
        if ( len == sizeof(buf) - 1 )
            break;
    }
    while ( waitpid(pid, &status, 0) < 0 && errno == EINTR )
        ;
    v->build_s = ts_now() - v->xenguest_started;

    /* The control lines. */
    for ( char *line = buf, *nl; *line; line = nl ? nl + 1 : line + strlen(line) )
    {
        nl = strchr(line, '\n');
        if ( nl )
            *nl = '\0';
        if ( !strncmp(line, "result:", 7) && !got_result )
        {
            got_result = sscanf(line + 7, "%lu %lu", &v->store_mfn,
                                &v->console_mfn) == 2;
            if ( !got_result )
                snprintf(err, errlen, "xenguest: invalid result \"%s\"",
                         line);
        }
        else if ( !strncmp(line, "error:", 6) && !got_error )
        {
            got_error = true;
            snprintf(err, errlen, "%s", line + 6);
        }
        if ( !nl )
            break;
    }
    if ( killed )
        snprintf(err, errlen, "interrupted (xenguest killed)");
    else if ( got_error )
        ;
    else if ( !got_result && !err[0] )
    {
        if ( WIFSIGNALED(status) )
            snprintf(err, errlen, "xenguest died of signal %d (log: "
                     "%s/xenguest-%s.log)", WTERMSIG(status), r->logdir,
                     v->spec->name);
        else
            snprintf(err, errlen, "xenguest exited %d without a result "
                     "(log: %s/xenguest-%s.log)", WEXITSTATUS(status),
                     r->logdir, v->spec->name);
    }
    else if ( got_result && !(WIFEXITED(status) && !WEXITSTATUS(status)) )
        snprintf(err, errlen, "xenguest gave a result but exited %d",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    else if ( got_result )
        rc = 0;

 out_close:
    for ( int i = 0; i < 2; i++ )
    {
        if ( outp[i] >= 0 )
            close(outp[i]);
        if ( inp[i] >= 0 )
            close(inp[i]);
    }
    return rc;
}
