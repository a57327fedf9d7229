/*
 * sqlite.h: the embedded SQLite backend of db.h.
 */
#ifndef UB_SQLITE_H
#define UB_SQLITE_H

#include "store/db.h"

/*
 * What all connections of this process to one database file share: the
 * writers' queue and, once switched on, group commit.
 *
 * The writers' queue: the process's own writers take turns on a mutex,
 * woken in order, instead of polling SQLite's lock with sleeps (other
 * processes still meet the busy timeout).
 *
 * Group commit: commits write the WAL without syncing it
 * (synchronous=NORMAL) and return only once a shared syncer thread has
 * fdatasync'd the WAL past them, so one sync makes many commits durable.
 * An acknowledged commit survives kill -9 and a power cut either way.
 */
struct sqlite_file;

struct sqlite_file *sqlite_file_new(const char *path);
/* Stops the syncer (after the last commit is durable) and frees f. */
void sqlite_file_free(struct sqlite_file *f);
/* Switches f to group commit; returns 0 or -1 (no thread). */
int sqlite_file_group_commit(struct sqlite_file *f);

/* Opens a connection to f's file (created if missing and `create`) in WAL
 * mode with synchronous=FULL (NORMAL under group commit), foreign keys on
 * and a busy timeout.  Returns it, or NULL with a message in err. */
struct db *sqlite_open(struct sqlite_file *f, bool create, char *err, size_t errlen);

/* Copies the live database to `dest` (a consistent snapshot through the
 * online backup API).  Returns 0 or -1 with a message in err. */
int sqlite_backup(struct db *db, const char *dest, char *err, size_t errlen);

#endif
