/* A thread that takes no signals: the mask is full while it is created (a new thread
 * inherits its creator's mask), then the creator's own mask comes back. */
#include <signal.h>

#include "sockscope/model.h"

int thread_start_quiet(pthread_t *thread, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(thread, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
