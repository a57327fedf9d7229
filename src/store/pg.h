/*
 * pg.h: the PostgreSQL backend of db.h (libpq).
 */
#ifndef UB_PG_H
#define UB_PG_H

#include "store/db.h"

/* Connects to a postgresql:// URL.  Returns the connection, or NULL with a
 * message in err. */
struct db *pg_open(const char *url, char *err, size_t errlen);

#endif
