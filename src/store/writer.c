/*
 * writer.c: group commit across requests.  One thread with a connection of
 * its own takes every job queued since its last batch, runs them one after
 * another in a single transaction, each inside a savepoint of its own (so
 * one job's failure undoes only its own writes) or, for jobs that can, as
 * one set with a few statements for all, commits once, and only
 * when that commit is durable tells each job so.  Requests that write this
 * way share one commit and one fsync, and no request thread waits for a
 * disk.
 */
#include "store/writer.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/log.h"
#include "lib/util.h"

/* Jobs in one batch, at most, whatever their kind. */
#define BATCH_JOBS_MAX 1024

/* A committed batch waiting to be durable. */
struct batch {
    struct db *db;                  /* whose commit it was */
    struct store_job *jobs;
    int rc;                         /* the commit's */
    uint64_t ticket;                /* for wait_durable */
    struct batch *next;
};

/*
 * The writer threads run and commit batches, each on its connection (one
 * for SQLite, whose writes are serial anyway; several for PostgreSQL, so
 * that round trips overlap); the completer waits for each committed batch
 * to be durable and tells its jobs.  So the next batch runs while the disk
 * syncs the last one.  A batch whose commit is durable on return (ticket
 * 0) is told at once by its writer.
 */
struct writer_thread {
    struct writer *w;
    struct db *db;
    pthread_t thread;
};

struct writer {
    pthread_mutex_t lock;
    pthread_cond_t work;            /* writers: a job was queued, or stop */
    pthread_cond_t committed;       /* completer: a batch, or all writers left */
    struct store_job *head, **tail; /* jobs, oldest first */
    struct batch *bhead, **btail;   /* committed batches, oldest first */
    bool stop;
    size_t running;                 /* writer threads still running */
    size_t n;
    size_t batch_max;               /* jobs run one by one in a batch, at most */
    writer_reopen reopen;
    void *reopen_ud;
    struct writer_thread *threads;
    pthread_t completer;
};

/* Runs one job inside the batch on db; returns what the job's done will be
 * told unless the commit fails. */
static int run_job(struct db *db, struct store_job *j)
{
    if (!db_in_transaction(db))
        return DB_ERROR;                /* the batch was lost under us */
    int rc = db->ops->exec_literal(db, "SAVEPOINT job");
    if (rc != DB_OK)
        return rc;
    rc = j->run(j, db);
    db_rollback(db);                    /* a savepoint the job left open */
    if (rc != DB_OK)
        db->ops->exec_literal(db, "ROLLBACK TO job");
    if (db->ops->exec_literal(db, "RELEASE job") != DB_OK && rc == DB_OK)
        rc = DB_ERROR;
    return rc;
}

/* Runs the n jobs of set (sharing run_set) inside one savepoint; sets
 * each job's rc. */
static void run_set(struct db *db, struct store_job **set, size_t n)
{
    int rc = db_in_transaction(db) ? db->ops->exec_literal(db, "SAVEPOINT job") : DB_ERROR;
    if (rc == DB_OK) {
        for (size_t i = 0; i < n; i++)
            set[i]->rc = DB_OK;
        rc = set[0]->run_set(set, n, db);
        db_rollback(db);                /* a savepoint the set left open */
        /* A statement that failed (PostgreSQL then refuses the rest of the
         * transaction) fails the whole set, whatever it answered. */
        if (rc == DB_OK && !db_in_transaction(db))
            rc = DB_ERROR;
        if (rc != DB_OK)
            db->ops->exec_literal(db, "ROLLBACK TO job");
        if (db->ops->exec_literal(db, "RELEASE job") != DB_OK && rc == DB_OK)
            rc = DB_ERROR;
    }
    if (rc != DB_OK)
        for (size_t i = 0; i < n; i++)
            set[i]->rc = rc;
}

/* Runs the jobs of list in db's open transaction: those with a run of
 * their own one by one, in order, then those with a run_set, one set per
 * function. */
static void run_jobs(struct db *db, struct store_job *list)
{
    size_t m = 0;
    for (struct store_job *j = list; j; j = j->next)
        if (j->run_set)
            m++;
    struct store_job **pending = m ? xmalloc(2 * m * sizeof *pending) : NULL;
    struct store_job **group = pending + m;
    m = 0;
    for (struct store_job *j = list; j; j = j->next) {
        if (j->run_set)
            pending[m++] = j;
        else
            j->rc = run_job(db, j);
    }
    /* The sets one kind after another in one fixed order (the functions'
     * addresses), so that two batches take their kinds' locks in one
     * order. */
    while (m) {
        int (*fn)(struct store_job **, size_t, struct db *) = pending[0]->run_set;
        for (size_t i = 1; i < m; i++)
            if ((uintptr_t)pending[i]->run_set < (uintptr_t)fn)
                fn = pending[i]->run_set;
        size_t g = 0, rest = 0;
        for (size_t i = 0; i < m; i++) {
            if (pending[i]->run_set == fn)
                group[g++] = pending[i];
            else
                pending[rest++] = pending[i];
        }
        run_set(db, group, g);
        m = rest;
    }
    free(pending);
}

/* Runs list as one transaction and commits it without waiting for it to
 * be durable (*ticket, see db_ops.commit_nowait).  Returns the commit's
 * DB_ code. */
static int run_batch(struct db *db, struct store_job *list, uint64_t *ticket)
{
    *ticket = 0;
    int rc = db_begin(db);
    if (rc != DB_OK)
        return rc;
    db->nested = true;
    run_jobs(db, list);
    db->nested = false;
    /* A transaction that failed whole (an I/O error, or PostgreSQL's
     * aborted state, where COMMIT only rolls back) is not committed. */
    rc = db_in_transaction(db) ? db->ops->commit_nowait(db, ticket) : DB_ERROR;
    if (rc == DB_OK)
        db_committed(db);
    if (rc != DB_OK) {
        log_error("writer: a batch of jobs failed to commit: %s", db_errmsg(db));
        db_rollback(db);
        *ticket = 0;
    }
    return rc;
}

/* Tells each job of list how its batch ended. */
static void finish(struct store_job *list, int rc)
{
    while (list) {
        struct store_job *j = list;
        list = j->next;                 /* done may free or requeue j */
        j->next = NULL;
        j->done(j, rc != DB_OK ? rc : j->rc);
    }
}

void writer_run_batch(struct db *db, struct store_job *list)
{
    uint64_t ticket;
    int rc = run_batch(db, list, &ticket);
    db->ops->wait_durable(db, ticket);
    finish(list, rc);
}

static void *writer_main(void *arg)
{
    struct writer_thread *t = arg;
    struct writer *w = t->w;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->work, &w->lock);
        if (!w->head)
            break;                      /* stopping, nothing left */
        /* Jobs run one by one count against batch_max; those run as
         * sets take a savepoint per set, not per job. */
        struct store_job *jobs = w->head, *last = jobs;
        size_t singles = !last->run_set;
        for (size_t n = 1; n < BATCH_JOBS_MAX && last->next; n++) {
            if (!last->next->run_set && singles == w->batch_max)
                break;
            last = last->next;
            singles += !last->run_set;
        }
        w->head = last->next;
        if (!w->head)
            w->tail = &w->head;
        last->next = NULL;
        pthread_mutex_unlock(&w->lock);
        if (!t->db->ops->healthy(t->db)) {
            /* Only PostgreSQL connections break, and their commits are
             * durable on return: no batch of the completer's holds it. */
            struct db *fresh = w->reopen(w->reopen_ud);
            if (fresh) {
                t->db->ops->close(t->db);
                t->db = fresh;
            }
        }
        uint64_t ticket;
        int rc = run_batch(t->db, jobs, &ticket);
        if (!ticket) {
            finish(jobs, rc);           /* durable already */
            pthread_mutex_lock(&w->lock);
            continue;
        }
        struct batch *b = xmalloc(sizeof *b);
        b->db = t->db;
        b->jobs = jobs;
        b->rc = rc;
        b->ticket = ticket;
        b->next = NULL;
        pthread_mutex_lock(&w->lock);
        *w->btail = b;
        w->btail = &b->next;
        pthread_cond_signal(&w->committed);
    }
    if (--w->running == 0)
        pthread_cond_signal(&w->committed);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static void *completer_main(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->bhead && w->running)
            pthread_cond_wait(&w->committed, &w->lock);
        struct batch *b = w->bhead;
        if (!b)
            break;                      /* the writers left, all told */
        w->bhead = b->next;
        if (!w->bhead)
            w->btail = &w->bhead;
        pthread_mutex_unlock(&w->lock);
        /* Only the file's shared state is touched: safe beside the writer. */
        b->db->ops->wait_durable(b->db, b->ticket);
        finish(b->jobs, b->rc);
        free(b);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static void writer_free(struct writer *w)
{
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->committed);
    free(w->threads);
    free(w);
}

/* Stops and joins the writer threads started so far, then the completer. */
static void join_threads(struct writer *w, size_t started)
{
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    w->running -= w->n - started;       /* those that never started */
    pthread_cond_broadcast(&w->work);
    pthread_cond_signal(&w->committed);
    pthread_mutex_unlock(&w->lock);
    for (size_t i = 0; i < started; i++)
        pthread_join(w->threads[i].thread, NULL);
    pthread_join(w->completer, NULL);
}

struct writer *writer_start(struct db *const *dbs, size_t n, size_t batch_max,
                            writer_reopen reopen, void *ud)
{
    struct writer *w = xcalloc(1, sizeof *w);
    w->batch_max = batch_max;
    w->reopen = reopen;
    w->reopen_ud = ud;
    w->tail = &w->head;
    w->btail = &w->bhead;
    w->n = n;
    w->running = n;
    w->threads = xcalloc(n, sizeof *w->threads);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->committed, NULL);
    if (pthread_create(&w->completer, NULL, completer_main, w) != 0) {
        writer_free(w);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        w->threads[i].w = w;
        w->threads[i].db = dbs[i];
        if (pthread_create(&w->threads[i].thread, NULL, writer_main, &w->threads[i]) != 0) {
            join_threads(w, i);
            writer_free(w);
            return NULL;
        }
    }
    return w;
}

void writer_submit(struct writer *w, struct store_job *j)
{
    j->next = NULL;
    pthread_mutex_lock(&w->lock);
    *w->tail = j;
    w->tail = &j->next;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
}

void writer_stop(struct writer *w)
{
    if (!w)
        return;
    join_threads(w, w->n);
    for (size_t i = 0; i < w->n; i++)
        w->threads[i].db->ops->close(w->threads[i].db);
    writer_free(w);
}
