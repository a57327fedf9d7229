/*
 * sqlite.h: the embedded SQLite backend of db.h.
 */
#ifndef UB_SQLITE_H
#define UB_SQLITE_H

#include <pthread.h>

#include "store/db.h"

/* Opens `path` (created if missing and `create`) in WAL mode with
 * synchronous=FULL, foreign keys on and a busy timeout.  write_lock, shared
 * by every connection of the process to this file, queues the process's own
 * writers in order instead of leaving them to SQLite's sleeping busy
 * handler (which other processes still meet).  Returns the connection, or
 * NULL with a message in err. */
struct db *sqlite_open(const char *path, bool create, pthread_mutex_t *write_lock,
                       char *err, size_t errlen);

/* Copies the live database to `dest` (a consistent snapshot through the
 * online backup API).  Returns 0 or -1 with a message in err. */
int sqlite_backup(struct db *db, const char *dest, char *err, size_t errlen);

#endif
