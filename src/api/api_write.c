/*
 * api_write.c: a handler's write done by the store's batch writer.  The
 * request is parked while the writer runs it with others in one
 * transaction, and answered once that batch is durable (joins, taps,
 * giveaway claims).
 */
#include <string.h>

#include "api/api.h"
#include "http/server.h"

void api_write_settled(struct api_write *w, int status, const struct ub_err *err)
{
    w->status = status;
    if (err != &w->err)
        w->err = *err;
    /* A storage failure undoes the job's writes; a refusal keeps what it
     * wrote (a join's rate-limit hit). */
    w->job.rc = status && err->kind == UB_ESTORE ? DB_ERROR : DB_OK;
}

static int write_run(struct store_job *job, struct db *db)
{
    struct api_write *w = (struct api_write *)job;
    api_write_settled(w, w->write(w, db), &w->err);
    return w->job.rc;
}

static void write_start(struct req *r)
{
    struct api_write *w = r->ud;
    store_submit(w->store, &w->job);
}

static void write_done(struct store_job *job, int rc)
{
    struct api_write *w = (struct api_write *)job;
    /* When the batch did not commit, nothing decided in it stands. */
    if (rc != DB_OK && (w->status == 0 || w->err.kind != UB_ESTORE))
        w->status = ub_fail_store(&w->err, rc);
    /* A lost race (deadlock, serialization): the whole write again, as the
     * server retries a handler, in a later batch. */
    if (w->status && ub_err_busy(&w->err) && w->attempts < 2) {
        w->attempts++;
        store_submit(w->store, &w->job);
        return;
    }
    http_resume(w->r);
}

static void write_answer(struct req *r)
{
    struct api_write *w = r->ud;
    if (w->settled)
        w->settled(w);
    if (w->status)
        reply_err(r, &w->err);
    else
        w->answer(w, r);
}

void api_write_park(struct req *r, struct api_write *w)
{
    if (!w->job.run_set)
        w->job.run = write_run;
    w->job.done = write_done;
    w->r = r;
    w->store = http_config_of(r)->store;
    r->ud = w;
    http_park(r, write_start, write_answer);
}
