/*
 * store_stats.h: the counters reports read (schema 0007): per org and day,
 * kept for every org above the one a fact belongs to.
 */
#ifndef UB_STORE_STATS_H
#define UB_STORE_STATS_H

#include "store/store.h"

/* Adds delta to the counter kind/label of day at org_id and at each of its
 * ancestors, inside the caller's transaction. */
int store_stats_add(struct db *db, int64_t org_id, const char *day, const char *kind,
                    const char *label, int64_t delta);

/* One summed counter. */
struct stat_rec {
    int64_t org_id;                     /* the org it is summed for */
    char key[12];                       /* "" or the month "YYYY-MM" when grouped so */
    char kind[16];
    char label[121];
    int64_t n;
};
typedef int (*stat_cb)(void *ud, const struct stat_rec *s);

/* The counters of org within [from, to] summed by kind and label. */
int store_stats_sum(struct db *db, int64_t org_id, const char *from, const char *to,
                    stat_cb cb, void *ud);
/* The same for each direct child of org (org_id set per row). */
int store_stats_children(struct db *db, int64_t org_id, const char *from, const char *to,
                         stat_cb cb, void *ud);
/* The same for org by month (key = "YYYY-MM"). */
int store_stats_months(struct db *db, int64_t org_id, const char *from, const char *to,
                       stat_cb cb, void *ud);

/* The counters summed over the whole tree (the roots' rows), by kind and
 * label. */
int store_stats_totals(struct db *db, stat_cb cb, void *ud);

/* Recomputes every counter from the records.  Inside the caller's
 * transaction. */
int store_stats_rebuild(struct db *db);

#endif
