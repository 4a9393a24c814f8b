/* The demo's workload for a session (timeline/session.c): one scenario of net/ on a thread of
 * its own, its socket calls reported through a probe of its own per run. The session knows
 * nothing of scenarios; this file is the wiring between the two. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* ---- net's probe as the read side the live feed takes ---- */

static bool calls_pop(void *ctx, struct api_event *ev)
{
    return probe_pop(ctx, ev);
}

static int calls_wake_fd(void *ctx)
{
    return probe_wake_fd(ctx);
}

static uint64_t calls_dropped(void *ctx)
{
    return probe_dropped(ctx);
}

static uint64_t calls_oldest_held(void *ctx)
{
    return probe_oldest_held(ctx);
}

void cli_probe_calls(struct probe *p, struct timeline_calls *out)
{
    *out = (struct timeline_calls){.ctx = p,
                                   .pop = calls_pop,
                                   .wake_fd = calls_wake_fd,
                                   .dropped = calls_dropped,
                                   .oldest_held = calls_oldest_held};
}

/* ---- the scenario ---- */

static int prepare(void *ctx, struct timeline_store *store, struct timeline_calls *calls,
                   char *err, size_t errlen)
{
    struct cli_scenario_workload *w = ctx;
    w->probe = probe_new(8192);
    if (!w->probe) {
        snprintf(err, errlen, "out of memory");
        return STATUS_E_RUNTIME;
    }
    /* clients on the left, the server on the right, as textbooks draw them */
    if (store) {
        for (int i = 0; i < w->scenario->clients; i++)
            timeline_store_reserve_lane(store, ROLE_CLIENT);
        timeline_store_reserve_lane(store, ROLE_SERVER);
    }
    cli_probe_calls(w->probe, calls);
    return STATUS_OK;
}

/* The scenario's thread: when it returns, the feed takes the tail and the run is over. A
 * scenario cut short by stop (q, r, Ctrl-C) has not failed on its own. */
static void *scenario_thread(void *arg)
{
    struct cli_scenario_workload *w = arg;
    char failed[400] = "";
    w->result = w->scenario->run(&w->ctx);
    if (w->result != 0 && !atomic_load(w->stop))
        snprintf(failed, sizeof failed, "scenario '%s' failed: %s", w->scenario->name,
                 w->ctx.err);
    session_run_over(w->run, failed);
    return NULL;
}

static int start(void *ctx, struct session_run *run, char *err, size_t errlen)
{
    struct cli_scenario_workload *w = ctx;
    atomic_store(w->stop, false);
    w->run = run;
    w->result = 0;
    memset(&w->ctx, 0, sizeof w->ctx);
    w->ctx.probe = w->probe;
    w->ctx.port = NET_DEFAULT_PORT;
    w->ctx.stop = w->stop;
    /* the screen (or the streaming loop) takes SIGINT and SIGTERM; the scenario takes none */
    int rc = thread_start_quiet(&w->thread, scenario_thread, w);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the scenario thread: %s", strerror(rc));
        return STATUS_E_RUNTIME;
    }
    return STATUS_OK;
}

static void stop_workload(void *ctx)
{
    struct cli_scenario_workload *w = ctx;
    atomic_store(w->stop, true);
    pthread_join(w->thread, NULL);
}

static void release(void *ctx)
{
    struct cli_scenario_workload *w = ctx;
    probe_free(w->probe);
    w->probe = NULL;
}

void cli_scenario_workload_init(struct cli_scenario_workload *w, const struct scenario *sc,
                                atomic_bool *stop, struct session_workload *out)
{
    memset(w, 0, sizeof *w);
    w->scenario = sc;
    w->stop = stop ? stop : &w->own_stop;
    *out = (struct session_workload){
        .ctx = w, .prepare = prepare, .start = start, .stop = stop_workload, .release = release};
}
