/*
 * store_stats.c: the report counters: adding to an org and its ancestors,
 * summing a period, rebuilding from the records.
 */
#include "store/store_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "store/store_util.h"

int store_stats_add(struct db *db, int64_t org_id, const char *day, const char *kind,
                    const char *label, int64_t delta)
{
    if (delta == 0)
        return DB_OK;
    struct db_stmt *st = db_run(db, "SELECT path FROM orgs WHERE id = $1", "i", org_id);
    int rc = store_one(db_step(st));
    char path[ORG_PATH_MAX + 1] = "";
    if (rc == DB_OK)
        store_col(st, 0, path, sizeof path);
    db_done(st);
    if (rc != DB_OK)
        return rc;
    /* The path "/1/5/23/" holds the ids of the org and its ancestors. */
    int64_t ids[ORG_MAX_DEPTH] = {0};
    int n = 0;
    for (const char *p = path; *p && n < ORG_MAX_DEPTH;) {
        if (*p == '/') {
            p++;
            continue;
        }
        ids[n++] = strtoll(p, (char **)&p, 10);
    }
    /* The day's row, then the month's ("YYYY-MM"): a long period reads
     * whole months, not every day of them. */
    char month[16];
    snprintf(month, sizeof month, "%.7s", day);
    rc = DB_OK;
    for (int pass = 0; pass < 2 && rc == DB_OK; pass++)
        rc = db_exec_stmt(db,
            "INSERT INTO stats_daily (org_id, day, kind, label, n, district_id) "
            "SELECT id, $1, $2, $3, $4, district_id FROM orgs "
            "WHERE id IN ($5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "
            "$20) ON CONFLICT (district_id, org_id, day, kind, label) "
            "DO UPDATE SET n = stats_daily.n + excluded.n",
            "sssiiiiiiiiiiiiiiiii", pass ? month : day, kind, label ? label : "", delta,
            ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7], ids[8], ids[9],
            ids[10], ids[11], ids[12], ids[13], ids[14], ids[15]);
    return rc;
}

/* A period as the rows that cover it: the whole months inside it from
 * their month rows, the days before and after them from day rows. */
struct span {
    char d1_from[16], d1_to[16];        /* days before the first whole month */
    char m_from[16], m_to[16];          /* whole months ("" when none) */
    char d2_from[16], d2_to[16];        /* days after the last whole month */
};

static int month_days(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

static void span_of(const char *from, const char *to, struct span *sp)
{
    memset(sp, 0, sizeof *sp);
    int fy = atoi(from), fm = atoi(from + 5), fd = atoi(from + 8);
    int ty = atoi(to), tm = atoi(to + 5), td = atoi(to + 8);
    /* The first whole month starts on or after from; the last ends on or
     * before to. */
    int ay = fy, am = fm;
    if (fd != 1 && ++am == 13) {
        am = 1;
        ay++;
    }
    int by = ty, bm = tm;
    if (td != month_days(ty, tm) && --bm == 0) {
        bm = 12;
        by--;
    }
    if (ay * 12 + am > by * 12 + bm) {             /* no whole month */
        snprintf(sp->d1_from, sizeof sp->d1_from, "%s", from);
        snprintf(sp->d1_to, sizeof sp->d1_to, "%s", to);
        return;
    }
    snprintf(sp->m_from, sizeof sp->m_from, "%04d-%02d", ay % 10000, am % 100);
    snprintf(sp->m_to, sizeof sp->m_to, "%04d-%02d", by % 10000, bm % 100);
    if (fd != 1) {                                  /* from .. end of from's month */
        snprintf(sp->d1_from, sizeof sp->d1_from, "%s", from);
        snprintf(sp->d1_to, sizeof sp->d1_to, "%04d-%02d-%02d", fy % 10000, fm % 100,
                 month_days(fy, fm) % 100);
    }
    if (td != month_days(ty, tm))                   /* start of to's month .. to */
        snprintf(sp->d2_from, sizeof sp->d2_from, "%04d-%02d-01", ty % 10000, tm % 100);
    if (*sp->d2_from)
        snprintf(sp->d2_to, sizeof sp->d2_to, "%s", to);
}

/* The rows of a span, as three index ranges of (org_id, length(day),
 * day): $2..$3 and $6..$7 of day rows, $4..$5 of month rows (an empty
 * range reads nothing).  SEL selects from stats_daily aliased s, FROM
 * and WHERE say which orgs. */
#define SPAN_ARM(sel, from, where, len, lo, hi)                                \
    "SELECT " sel " FROM " from " WHERE " where " AND length(s.day) = " len     \
    " AND s.day >= " lo " AND s.day <= " hi
#define SPAN_ROWS(sel, from, where)                                            \
    SPAN_ARM(sel, from, where, "10", "$2", "$3") " UNION ALL "                 \
    SPAN_ARM(sel, from, where, "7", "$4", "$5") " UNION ALL "                  \
    SPAN_ARM(sel, from, where, "10", "$6", "$7")

static int stat_rows(struct db_stmt *st, bool with_org, stat_cb cb, void *ud)
{
    int rc;
    struct stat_rec s;
    while ((rc = db_step(st)) == DB_ROW) {
        memset(&s, 0, sizeof s);
        int c = 0;
        if (with_org)
            s.org_id = db_i64(st, c++);
        store_col(st, c++, s.key, sizeof s.key);
        store_col(st, c++, s.kind, sizeof s.kind);
        store_col(st, c++, s.label, sizeof s.label);
        s.n = db_i64(st, c);
        int stop = cb(ud, &s);
        if (stop) {
            db_done(st);
            return stop;
        }
    }
    db_done(st);
    return rc == DB_DONE ? DB_OK : rc;
}

int store_stats_sum(struct db *db, int64_t org_id, const char *from, const char *to,
                    stat_cb cb, void *ud)
{
    struct span sp;
    span_of(from, to, &sp);
    return stat_rows(db_run(db,
        "SELECT '', kind, label, sum(n) FROM ("
        SPAN_ROWS("s.kind, s.label, s.n", "stats_daily s", "s.org_id = $1")
        ") x GROUP BY kind, label",
        "issssss", org_id, sp.d1_from, sp.d1_to, sp.m_from, sp.m_to, sp.d2_from, sp.d2_to),
        false, cb, ud);
}

int store_stats_children(struct db *db, int64_t org_id, const char *from, const char *to,
                         stat_cb cb, void *ud)
{
    struct span sp;
    span_of(from, to, &sp);
    return stat_rows(db_run(db,
        "SELECT org_id, '', kind, label, sum(n) FROM ("
        SPAN_ROWS("s.org_id, s.kind, s.label, s.n",
                  "orgs c JOIN stats_daily s ON s.org_id = c.id", "c.parent_id = $1")
        ") x GROUP BY org_id, kind, label",
        "issssss", org_id, sp.d1_from, sp.d1_to, sp.m_from, sp.m_to, sp.d2_from, sp.d2_to),
        true, cb, ud);
}

int store_stats_months(struct db *db, int64_t org_id, const char *from, const char *to,
                       stat_cb cb, void *ud)
{
    return stat_rows(db_run(db,
        "SELECT substr(day, 1, 7), kind, label, sum(n) FROM stats_daily s "
        "WHERE org_id = $1 AND length(s.day) = 10 AND day >= $2 AND day <= $3 "
        "GROUP BY substr(day, 1, 7), kind, label ORDER BY substr(day, 1, 7)",
        "iss", org_id, from, to), false, cb, ud);
}

int store_stats_totals(struct db *db, stat_cb cb, void *ud)
{
    return stat_rows(db_run(db,
        "SELECT '', s.kind, s.label, sum(s.n) FROM stats_daily s "
        "JOIN orgs o ON o.id = s.org_id WHERE o.parent_id IS NULL AND length(s.day) = 10 "
        "GROUP BY s.kind, s.label ORDER BY s.kind, s.label", ""), false, cb, ud);
}

/* What the counters are made of: every source, as (org, day, kind, label,
 * n).  A member counts for the org it joined: before any accepted
 * transfer, the first one's origin.  A mutual-aid card handed out at an
 * event is on that event's tally; one without an event counts by itself. */
#define REBUILD_SOURCES                                                                  \
    "SELECT " STORE_JOINED_ORG("m") " AS org, "                                           \
    "m.joined_on AS day, 'joined' AS kind, m.channel AS label, 1 AS n FROM members m "     \
    "UNION ALL "                                                                          \
    "SELECT " STORE_JOINED_ORG("m") ", "                                                  \
    "m.joined_on, 'joined_cat', m.category, 1 FROM members m "                            \
    "UNION ALL "                                                                          \
    "SELECT org_id, starts_on, 'activity', type, 1 FROM events WHERE status <> 'cancelled' " \
    "UNION ALL "                                                                          \
    "SELECT guide_org_id, founded_on, 'founded', '', 1 FROM founding_cases "              \
    "WHERE founded_on IS NOT NULL "                                                       \
    "UNION ALL "                                                                          \
    "SELECT guide_org_id, founded_on, 'founded_100', '', 1 FROM founding_cases "          \
    "WHERE founded_on IS NOT NULL AND founded_headcount >= 100 "                          \
    "UNION ALL "                                                                          \
    "SELECT org_id, issued_on, 'cards', '', 1 FROM cards WHERE event_id IS NULL "         \
    "UNION ALL "                                                                          \
    "SELECT e.org_id, e.starts_on, t.kind, t.label, t.n FROM event_tallies t "            \
    "JOIN events e ON e.id = t.event_id"

/*
 * Rebuilt set-wise, whatever the number of records: each org's own day
 * rows from the records; then, from the deepest level up, every level's
 * rows added to its parents' (so an org's rows hold its whole subtree);
 * then the month rows from the day rows.  A few statements, each a scan.
 */
int store_stats_rebuild(struct db *db)
{
    int rc = db_exec_stmt(db, "DELETE FROM stats_daily", "");
    if (rc == DB_OK)
        rc = db_exec_stmt(db,
            "INSERT INTO stats_daily (org_id, day, kind, label, n, district_id) "
            "SELECT x.org, x.day, x.kind, x.label, sum(x.n), o.district_id "
            "FROM (" REBUILD_SOURCES ") x JOIN orgs o ON o.id = x.org "
            "WHERE x.day IS NOT NULL "
            "GROUP BY x.org, x.day, x.kind, x.label, o.district_id HAVING sum(x.n) <> 0", "");
    int64_t depth = 0;
    if (rc == DB_OK) {
        struct db_stmt *st = db_run(db, "SELECT COALESCE(max(depth), 0) FROM orgs", "");
        rc = store_one(db_step(st));
        if (rc == DB_OK)
            depth = db_i64(st, 0);
        db_done(st);
    }
    for (; depth > 0 && rc == DB_OK; depth--)
        rc = db_exec_stmt(db,
            "INSERT INTO stats_daily (org_id, day, kind, label, n, district_id) "
            "SELECT p.id, s.day, s.kind, s.label, sum(s.n), p.district_id "
            "FROM stats_daily s JOIN orgs o ON o.id = s.org_id JOIN orgs p ON p.id = o.parent_id "
            "WHERE o.depth = $1 GROUP BY p.id, s.day, s.kind, s.label, p.district_id "
            "ON CONFLICT (district_id, org_id, day, kind, label) "
            "DO UPDATE SET n = stats_daily.n + excluded.n", "i", depth);
    if (rc == DB_OK)
        rc = db_exec_stmt(db,
            "INSERT INTO stats_daily (org_id, day, kind, label, n, district_id) "
            "SELECT org_id, substr(day, 1, 7), kind, label, sum(n), district_id "
            "FROM stats_daily WHERE length(day) = 10 "
            "GROUP BY org_id, substr(day, 1, 7), kind, label, district_id", "");
    return rc;
}
