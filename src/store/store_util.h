/*
 * store_util.h: helpers shared by the store_*.c query modules (not part of
 * the store's public API).
 */
#ifndef UB_STORE_UTIL_H
#define UB_STORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include "store/db.h"

/* Copies column col of st into dst (size n), "" for NULL. */
void store_col(struct db_stmt *st, int col, char *dst, size_t n);

/* Writes the exclusive upper bound for the subtree of `path` into hi:
 * every path p in the subtree satisfies path <= p < hi (byte order). */
void store_subtree_hi(const char *path, char *hi, size_t n);

/* Writes s as a LIKE pattern "%s%" with %, _ and \ escaped by \ into out. */
void store_like_pattern(const char *s, char *out, size_t n);

/* True on SQLite, where a statement is a call in process (one per row
 * costs little); PostgreSQL's round trips want a set per statement. */
bool store_sqlite(struct db *db);

/* Copies blob column col of st into dst (room for cap bytes): *len its
 * size, 0 for NULL or a blob that does not fit. */
void store_blob(struct db_stmt *st, int col, unsigned char *dst, size_t cap, size_t *len);

/* Steps st, reading each row with read into one record (zeroed first) and
 * handing it to cb until cb returns non-zero (that value is returned);
 * resets st.  NULL st: DB_ERROR. */
struct member_rec;
int store_member_rows(struct db_stmt *st, void (*read)(struct db_stmt *, struct member_rec *),
                      int (*cb)(void *ud, const struct member_rec *m), void *ud);

/* Maps a db_step result for a single-row lookup: DB_ROW -> DB_OK,
 * DB_DONE -> DB_NOTFOUND, errors unchanged. */
int store_one(int step_rc);

/* SQL for the org member row M (an alias) joined: before any accepted
 * transfer, the first one's origin.  The report counters count a member
 * there, and the lists behind a report's figures list it there. */
#define STORE_JOINED_ORG(m)                                                    \
    "COALESCE((SELECT t.from_org_id FROM transfers t WHERE t.member_id = " m ".id " \
    "AND t.status = 'accepted' ORDER BY t.id LIMIT 1), " m ".org_id)"

#endif
