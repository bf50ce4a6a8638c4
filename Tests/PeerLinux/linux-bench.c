/*
 * The Linux side of `./sing bench --peer linux`: runs as /init of an initramfs on Debian's kernel
 * in the same QEMU (-icount shift=0,sleep=off, so rdtsc counts executed instructions, the kernel's
 * included) and prints one line per row, "peer NAME: N instructions", then "peer done" and powers
 * off. Built by Tests/bench-peer-linux with the machine's gcc (-static -O2). Every figure is the
 * median of several batches' averages (a timer tick lands in some batches, not in all; the first
 * batches of a round trip run cheaper than the steady state).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>

#define BATCHES 5

static const char *exit0 = "/exit0";   /* the tiny static program for process create + exit */
extern char **environ;

static void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0) { if (n > (int)sizeof line - 1) n = sizeof line - 1; (void)!write(1, line, (size_t)n); }
}

static void fail(const char *what)
{
    say("peer error: %s: %s\n", what, strerror(errno));
}

static inline uint64_t tsc(void) { return __rdtsc(); }

/* The median of BATCHES per-batch averages. */
static uint64_t median(uint64_t *v)
{
    for (int i = 1; i < BATCHES; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) { uint64_t t = v[j]; v[j] = v[j - 1]; v[j - 1] = t; }
    return v[BATCHES / 2];
}

/* The cost of the measuring loop itself, per iteration. */
static uint64_t empty_loop(long n)
{
    uint64_t v[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t0 = tsc();
        for (long i = 0; i < n; i++) __asm__ volatile("" ::: "memory");
        v[b] = (tsc() - t0) / (uint64_t)n;
    }
    return median(v);
}

static void syscall_row(void)
{
    const long n = 2000;
    uint64_t v[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t0 = tsc();
        for (long i = 0; i < n; i++) syscall(SYS_getppid);   /* glibc does not cache getppid */
        v[b] = (tsc() - t0) / (uint64_t)n;
    }
    uint64_t mid = median(v);
    uint64_t loop = empty_loop(n);
    say("peer syscall-getppid: %llu instructions\n", (unsigned long long)(mid > loop ? mid - loop : 0));
}

/* Yield round trip: two threads on one CPU hand it back and forth with sched_yield. A round
 * trip is counted when the other thread ran before this one's yield returned (CFS may return
 * from a yield without a switch: such yields are part of the cost, not round trips). */
static volatile int yield_stop;
static volatile long yield_turns;
static void *yielder(void *arg)
{
    (void)arg;
    while (!yield_stop) { yield_turns++; sched_yield(); }
    return NULL;
}

static void yield_row(void)
{
    pthread_t t;
    yield_stop = 0;
    if (pthread_create(&t, NULL, yielder, NULL) != 0) { say("peer error: pthread_create failed\n"); return; }
    const long n = 2000;
    for (int i = 0; i < 100; i++) sched_yield();
    uint64_t v[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        uint64_t trips = 0;
        uint64_t t0 = tsc();
        for (long i = 0; i < n; i++) {
            long before = yield_turns;
            sched_yield();
            if (yield_turns != before) trips++;
        }
        v[b] = (tsc() - t0) / (trips ? trips : 1);
    }
    uint64_t mid = median(v);
    yield_stop = 1;
    pthread_join(t, NULL);
    say("peer yield-round-trip: %llu instructions\n", (unsigned long long)mid);
}

/* Message round trip through two pipes between two processes: 1 byte there, 1 byte back. */
static void pipe_round_trip_row(void)
{
    int there[2], back[2];
    if (pipe(there) != 0 || pipe(back) != 0) { fail("pipe"); return; }
    const long n = 1000;
    pid_t child = fork();
    if (child < 0) { fail("fork"); return; }
    if (child == 0) {
        /* Only the parent may hold the write end it reads EOF from: else waitpid waits for ever. */
        close(there[1]); close(back[0]);
        char c;
        for (;;) {
            if (read(there[0], &c, 1) != 1) _exit(0);
            if (write(back[1], &c, 1) != 1) _exit(1);
        }
    }
    close(there[0]); close(back[1]);
    char c = 'x';
    for (int i = 0; i < 50; i++) { (void)!write(there[1], &c, 1); (void)!read(back[0], &c, 1); }
    uint64_t v[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t0 = tsc();
        for (long i = 0; i < n; i++) {
            if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1) { fail("pipe round trip"); return; }
        }
        v[b] = (tsc() - t0) / (uint64_t)n;
    }
    uint64_t mid = median(v);
    close(there[1]); close(back[0]);
    waitpid(child, NULL, 0);
    say("peer pipe-round-trip: %llu instructions\n", (unsigned long long)mid);
}

/* Message round trip with a futex: two threads alternate a shared word, each waking the other. */
static volatile int turn;   /* 0: the main thread's turn, 1: the echo thread's, 2: stop */
static long futex(volatile int *addr, int op, int val)
{
    return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static void *futex_echo(void *arg)
{
    (void)arg;
    for (;;) {
        while (turn == 0) futex(&turn, FUTEX_WAIT_PRIVATE, 0);
        if (turn == 2) return NULL;
        turn = 0;
        futex(&turn, FUTEX_WAKE_PRIVATE, 1);
    }
}

static void futex_round_trip_row(void)
{
    pthread_t t;
    turn = 0;
    if (pthread_create(&t, NULL, futex_echo, NULL) != 0) { say("peer error: pthread_create failed\n"); return; }
    const long n = 1000;
    uint64_t v[BATCHES + 1];
    for (int b = 0; b <= BATCHES; b++) {       /* batch 0 warms up */
        uint64_t t0 = tsc();
        for (long i = 0; i < n; i++) {
            turn = 1;
            futex(&turn, FUTEX_WAKE_PRIVATE, 1);
            while (turn == 1) futex(&turn, FUTEX_WAIT_PRIVATE, 1);
        }
        v[b] = (tsc() - t0) / (uint64_t)n;
    }
    uint64_t mid = median(v + 1);
    turn = 2;
    futex(&turn, FUTEX_WAKE_PRIVATE, 1);
    pthread_join(t, NULL);
    say("peer futex-round-trip: %llu instructions\n", (unsigned long long)mid);
}

/* 4 KiB through a pipe: one process writes 4 KiB and reads them back (no thread switch). */
static void pipe_4k_row(void)
{
    int p[2];
    if (pipe(p) != 0) { fail("pipe"); return; }
    static char out[4096], in[4096];
    memset(out, 0x5a, sizeof out);
    const long n = 500;
    uint64_t v[BATCHES + 1];
    for (int b = 0; b <= BATCHES; b++) {       /* batch 0 warms up */
        uint64_t t0 = tsc();
        for (long i = 0; i < n; i++) {
            if (write(p[1], out, sizeof out) != (ssize_t)sizeof out || read(p[0], in, sizeof in) != (ssize_t)sizeof in) {
                fail("pipe 4 KiB"); return;
            }
        }
        v[b] = (tsc() - t0) / (uint64_t)n;
    }
    uint64_t mid = median(v + 1);
    close(p[0]); close(p[1]);
    if (memcmp(in, out, sizeof in) != 0) { say("peer error: pipe 4 KiB: wrong bytes\n"); return; }
    say("peer pipe-4k: %llu instructions\n", (unsigned long long)mid);
}

/* Process create + exit: start the tiny static program and wait for its exit, three ways. */
static int wait_ok(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid) return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* vfork in a function of its own: the parent's loop variables stay out of the shared frame. */
static pid_t __attribute__((noinline)) vfork_exec(char **argv)
{
    pid_t pid = vfork();
    if (pid == 0) { execve(exit0, argv, environ); _exit(127); }
    return pid;
}

static void spawn_rows(void)
{
    char *argv[] = { (char *)exit0, NULL };
    const long n = 20;
    const char *names[] = { "fork-exec-wait", "vfork-exec-wait", "posix-spawn-wait" };
    for (int way = 0; way < 3; way++) {
        uint64_t v[BATCHES + 1];
        for (int b = 0; b <= BATCHES; b++) {       /* batch 0 warms up */
            uint64_t t0 = tsc();
            for (long i = 0; i < n; i++) {
                pid_t pid;
                if (way == 0) {
                    pid = fork();
                    if (pid == 0) { execve(exit0, argv, environ); _exit(127); }
                } else if (way == 1) {
                    pid = vfork_exec(argv);
                } else {
                    if (posix_spawn(&pid, exit0, NULL, NULL, argv, environ) != 0) pid = -1;
                }
                if (pid < 0 || !wait_ok(pid)) { say("peer error: %s: the child did not exit with 0\n", names[way]); return; }
            }
            v[b] = (tsc() - t0) / (uint64_t)n;
        }
        say("peer %s: %llu instructions\n", names[way], (unsigned long long)median(v + 1));
    }
}

/* The kernel gives /init the console when the initramfs has /dev/console; else mount devtmpfs. */
static void open_console(void)
{
    if (fcntl(1, F_GETFD) != -1) return;
    mkdir("/dev", 0755);
    if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY) return;
    int fd = open("/dev/console", O_RDWR);
    if (fd < 0) fd = open("/dev/ttyS0", O_RDWR);
    if (fd < 0) return;
    dup2(fd, 0); dup2(fd, 1); dup2(fd, 2);
    if (fd > 2) close(fd);
}

int main(void)
{
    open_console();
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    sched_setaffinity(0, sizeof one, &one);     /* every thread and child inherits CPU 0 */
    say("peer start\n");
    syscall_row();
    yield_row();
    pipe_round_trip_row();
    futex_round_trip_row();
    pipe_4k_row();
    spawn_rows();
    say("peer done\n");
    sync();
    reboot(RB_POWER_OFF);
    for (;;) pause();
}
