/*
 * writer.h: the store's batch writer (private to store/; the public half
 * is store_job and store_submit in store.h).
 */
#ifndef UB_WRITER_H
#define UB_WRITER_H

#include "store/store.h"

struct writer;

/* Opens a fresh connection for a writer whose own broke (NULL: cannot). */
typedef struct db *(*writer_reopen)(void *ud);

/* Starts n writer threads, one on each of dbs[0..n-1], which the writer
 * then owns (closed by writer_stop), running at most batch_max jobs one
 * by one (each in a savepoint) in one transaction; jobs run as sets
 * (store_job.run_set) do not count.  A writer whose connection is no
 * longer healthy (the database server restarted) replaces it through
 * reopen(ud) before its next batch.  Returns NULL if a thread cannot start
 * (the connections are then still the caller's). */
struct writer *writer_start(struct db *const *dbs, size_t n, size_t batch_max,
                            writer_reopen reopen, void *ud);
/* Queues j for the next batch. */
void writer_submit(struct writer *w, struct store_job *j);
/* Runs what is queued, stops the thread, closes its connection, frees w. */
void writer_stop(struct writer *w);

/* Runs the jobs of list (linked by next) as one batch on db, in the
 * calling thread, and calls each one's done. */
void writer_run_batch(struct db *db, struct store_job *list);

#endif
