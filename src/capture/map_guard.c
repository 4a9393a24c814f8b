/* A mapped capture that shrinks while it is read (a `tcpdump -w` restarted on the same file,
 * a copy cut short) makes the kernel send SIGBUS on the first touch of a page past the new
 * end, which would kill sockscope with no word. This guard catches SIGBUS for the mappings it
 * knows: the faulting page is replaced by a page of zeros, so the read in progress finishes,
 * and the mapping is marked changed, so its reader stops at the next record and says why.
 * A SIGBUS anywhere else keeps its default action (the process dies as it would have). */
#define _GNU_SOURCE
#include "map_internal.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUARDS 64 /* mappings open at once: trace has one, the TUI three */

struct guard {
    _Atomic(uintptr_t) base; /* 0: a free slot */
    _Atomic(size_t) size;
    atomic_bool *changed;
};

static struct guard guards[GUARDS];
static pthread_once_t installed = PTHREAD_ONCE_INIT;
static struct sigaction previous;

static void on_sigbus(int sig, siginfo_t *info, void *uctx)
{
    uintptr_t addr = (uintptr_t)info->si_addr;
    for (int i = 0; i < GUARDS; i++) {
        uintptr_t base = atomic_load(&guards[i].base);
        size_t size = atomic_load(&guards[i].size);
        if (!base || addr < base || addr >= base + size) continue;
        uintptr_t page = addr & ~((uintptr_t)sysconf(_SC_PAGESIZE) - 1);
        /* mmap is a plain system call on Linux, safe here: the page reads as zeros now */
        if (mmap((void *)page, (size_t)sysconf(_SC_PAGESIZE), PROT_READ,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
            break;
        atomic_store(guards[i].changed, true);
        return;
    }
    /* not ours: what would have happened without the guard */
    if (previous.sa_flags & SA_SIGINFO && previous.sa_sigaction) {
        previous.sa_sigaction(sig, info, uctx);
        return;
    }
    if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler) {
        previous.sa_handler(sig);
        return;
    }
    signal(SIGBUS, SIG_DFL);
    raise(SIGBUS);
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &previous);
}

bool capture_guard_add(const void *base, size_t size, atomic_bool *changed)
{
    pthread_once(&installed, install);
    for (int i = 0; i < GUARDS; i++) {
        uintptr_t expected = 0;
        if (atomic_load(&guards[i].base)) continue;
        guards[i].changed = changed;
        atomic_store(&guards[i].size, size);
        if (atomic_compare_exchange_strong(&guards[i].base, &expected, (uintptr_t)base))
            return true;
    }
    return false;
}

void capture_guard_remove(const void *base)
{
    for (int i = 0; i < GUARDS; i++) {
        uintptr_t b = (uintptr_t)base;
        if (atomic_compare_exchange_strong(&guards[i].base, &b, 0)) return;
    }
}
