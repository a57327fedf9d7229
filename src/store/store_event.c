/*
 * store_event.c: queries on campaigns, events, tallies and their labels.
 */
#include "store/store_event.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "store/store_util.h"

/* ---- Campaigns ------------------------------------------------------------ */

#define CAMPAIGN_SELECT                                                        \
    "SELECT c.id, c.name, c.level, COALESCE(c.theme, ''), c.date_from, "       \
    "c.date_to, COALESCE(c.org_id, 0), COALESCE(o.code, ''), "                 \
    "COALESCE(o.name, ''), COALESCE(o.path, '/'), "                            \
    "(SELECT count(*) FROM events e WHERE e.campaign_id = c.id), "             \
    "COALESCE(c.created_by, 0), c.created_at, c.updated_at "                   \
    "FROM campaigns c LEFT JOIN orgs o ON o.id = c.org_id "

static void read_campaign(struct db_stmt *st, struct campaign_rec *c)
{
    c->id = db_i64(st, 0);
    store_col(st, 1, c->name, sizeof c->name);
    store_col(st, 2, c->level, sizeof c->level);
    store_col(st, 3, c->theme, sizeof c->theme);
    store_col(st, 4, c->date_from, sizeof c->date_from);
    store_col(st, 5, c->date_to, sizeof c->date_to);
    c->org_id = db_i64(st, 6);
    store_col(st, 7, c->org_code, sizeof c->org_code);
    store_col(st, 8, c->org_name, sizeof c->org_name);
    store_col(st, 9, c->org_path, sizeof c->org_path);
    c->events = db_i64(st, 10);
    c->created_by = db_i64(st, 11);
    c->created_at = db_i64(st, 12);
    c->updated_at = db_i64(st, 13);
}

int store_campaign_insert(struct db *db, struct campaign_rec *c)
{
    int64_t now = ub_now();
    struct db_stmt *st = db_run(db,
        "INSERT INTO campaigns (name, level, theme, date_from, date_to, org_id, "
        "district_id, created_by, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, "
        "COALESCE((SELECT district_id FROM orgs WHERE id = $6), 0), $7, $8, $8) "
        "RETURNING id",
        "sssssIIi", c->name, c->level, *c->theme ? c->theme : NULL, c->date_from,
        c->date_to, c->org_id, c->created_by, now);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        c->id = db_i64(st, 0);
        c->created_at = c->updated_at = now;
    }
    db_done(st);
    return rc;
}

int store_campaign_by_id(struct db *db, int64_t id, struct campaign_rec *out)
{
    struct db_stmt *st = db_run(db, CAMPAIGN_SELECT "WHERE c.id = $1", "i", id);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_campaign(st, out);
    db_done(st);
    return rc;
}

int store_campaign_list(struct db *db, const char *path, int64_t before, int limit,
                        campaign_cb cb, void *ud)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    /* Run inside the subtree, or by an org on the path down to it (a
     * path's prefix), or by no org. */
    struct db_stmt *st = db_run(db, CAMPAIGN_SELECT
        "WHERE (c.id < $3 OR $3 = 0) AND (c.org_id IS NULL "
        "OR (o.path >= $1 AND o.path < $2) OR substr($1, 1, length(o.path)) = o.path) "
        "ORDER BY c.id DESC LIMIT $4",
        "ssii", path, hi, before, (int64_t)limit);
    int rc;
    struct campaign_rec c;
    while ((rc = db_step(st)) == DB_ROW) {
        read_campaign(st, &c);
        int stop = cb(ud, &c);
        if (stop) {
            db_done(st);
            return stop;
        }
    }
    db_done(st);
    return rc == DB_DONE ? DB_OK : rc;
}

/* ---- Events ----------------------------------------------------------------- */

#define EVENT_SELECT                                                           \
    "SELECT e.id, COALESCE(e.campaign_id, 0), COALESCE(c.name, ''), e.type, "  \
    "e.org_id, o.code, o.name, o.path, e.venue, COALESCE(e.address, ''), "     \
    "e.starts_at, COALESCE(e.ends_at, 0), e.starts_on, e.partners, e.status, " \
    "COALESCE(e.notes, ''), COALESCE(t.token, ''), e.district_id, "            \
    "COALESCE(e.created_by, 0), e.created_at, e.updated_at "                   \
    "FROM events e JOIN orgs o ON o.id = e.org_id "                            \
    "LEFT JOIN campaigns c ON c.id = e.campaign_id "                           \
    "LEFT JOIN join_tokens t ON t.event_id = e.id "

static void read_event(struct db_stmt *st, struct event_rec *e)
{
    e->id = db_i64(st, 0);
    e->campaign_id = db_i64(st, 1);
    store_col(st, 2, e->campaign_name, sizeof e->campaign_name);
    store_col(st, 3, e->type, sizeof e->type);
    e->org_id = db_i64(st, 4);
    store_col(st, 5, e->org_code, sizeof e->org_code);
    store_col(st, 6, e->org_name, sizeof e->org_name);
    store_col(st, 7, e->org_path, sizeof e->org_path);
    store_col(st, 8, e->venue, sizeof e->venue);
    store_col(st, 9, e->address, sizeof e->address);
    e->starts_at = db_i64(st, 10);
    e->ends_at = db_i64(st, 11);
    store_col(st, 12, e->starts_on, sizeof e->starts_on);
    store_col(st, 13, e->partners, sizeof e->partners);
    store_col(st, 14, e->status, sizeof e->status);
    store_col(st, 15, e->notes, sizeof e->notes);
    store_col(st, 16, e->token, sizeof e->token);
    e->district_id = db_i64(st, 17);
    e->created_by = db_i64(st, 18);
    e->created_at = db_i64(st, 19);
    e->updated_at = db_i64(st, 20);
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

int store_event_insert(struct db *db, struct event_rec *e)
{
    int64_t now = ub_now();
    struct db_stmt *st = db_run(db,
        "INSERT INTO events (campaign_id, type, org_id, venue, address, starts_at, "
        "starts_on, ends_at, partners, status, notes, district_id, created_by, "
        "created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
        "(SELECT district_id FROM orgs WHERE id = $3), $12, $13, $13) RETURNING id",
        "IsissisIsssIi",
        e->campaign_id, e->type, e->org_id, e->venue, or_null(e->address), e->starts_at,
        e->starts_on, e->ends_at, e->partners, e->status, or_null(e->notes),
        e->created_by, now);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        e->id = db_i64(st, 0);
        e->created_at = e->updated_at = now;
    }
    db_done(st);
    return rc;
}

int store_event_by_id(struct db *db, int64_t id, struct event_rec *out)
{
    struct db_stmt *st = db_run(db, EVENT_SELECT "WHERE e.id = $1", "i", id);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_event(st, out);
    db_done(st);
    return rc;
}

int store_event_update(struct db *db, const struct event_rec *e)
{
    return db_exec_stmt(db,
        "UPDATE events SET venue = $2, address = $3, starts_at = $4, starts_on = $5, "
        "ends_at = $6, partners = $7, status = $8, notes = $9, updated_at = $10 "
        "WHERE id = $1",
        "issisIsssi",
        e->id, e->venue, or_null(e->address), e->starts_at, e->starts_on, e->ends_at,
        e->partners, e->status, or_null(e->notes), ub_now());
}

int store_event_mark_held(struct db *db, int64_t id, int64_t now)
{
    return db_exec_stmt(db,
        "UPDATE events SET status = 'held', updated_at = $2 "
        "WHERE id = $1 AND status = 'planned'", "ii", id, now);
}

int store_event_list(struct db *db, const struct event_filter *f, event_cb cb, void *ud)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(f->path, hi, sizeof hi);
    /* Absent filters are '' or 0 and switch themselves off; the district
     * key keeps a distributed database on one shard.  A campaign's events
     * (the board) have a statement of their own, so that it uses the
     * campaign's index whatever else the table holds. */
    struct db_stmt *st;
    if (f->campaign_id)
        st = db_run(db, EVENT_SELECT
            "WHERE e.campaign_id = $6 AND o.path >= $1 AND o.path < $2 "
            "AND (e.district_id = $3 OR $3 = 0) "
            "AND (e.starts_on >= $4 OR $4 = '') AND (e.starts_on <= $5 OR $5 = '') "
            "AND (e.starts_on > $7 OR (e.starts_on = $7 AND e.id > $8) OR $7 = '') "
            "ORDER BY e.starts_on, e.id LIMIT $9",
            "ssissisii",
            f->path, hi, f->district, f->from ? f->from : "", f->to ? f->to : "",
            f->campaign_id, f->after_on ? f->after_on : "", f->after_id, (int64_t)f->limit);
    else
        st = db_run(db, EVENT_SELECT
            "WHERE o.path >= $1 AND o.path < $2 "
            "AND (e.district_id = $3 OR $3 = 0) "
            "AND (e.starts_on >= $4 OR $4 = '') AND (e.starts_on <= $5 OR $5 = '') "
            "AND (e.starts_on > $6 OR (e.starts_on = $6 AND e.id > $7) OR $6 = '') "
            "ORDER BY e.starts_on, e.id LIMIT $8",
            "ssisssii",
            f->path, hi, f->district, f->from ? f->from : "", f->to ? f->to : "",
            f->after_on ? f->after_on : "", f->after_id, (int64_t)f->limit);
    int rc;
    struct event_rec *e = xmalloc(sizeof *e);
    while ((rc = db_step(st)) == DB_ROW) {
        read_event(st, e);
        int stop = cb(ud, e);
        if (stop) {
            rc = stop;
            break;
        }
    }
    db_done(st);
    free(e);
    return rc == DB_DONE ? DB_OK : rc;
}

int store_event_employer_add(struct db *db, int64_t event_id, int64_t employer_id)
{
    return db_exec_stmt(db,
        "INSERT INTO event_employers (event_id, employer_id, district_id) "
        "VALUES ($1, $2, (SELECT district_id FROM events WHERE id = $1)) "
        "ON CONFLICT (event_id, employer_id) DO NOTHING",
        "ii", event_id, employer_id);
}

int store_event_employers(struct db *db, int64_t event_id, employer_cb cb, void *ud)
{
    struct db_stmt *st = db_run(db,
        "SELECT employer_id FROM event_employers WHERE event_id = $1 ORDER BY employer_id",
        "i", event_id);
    /* Collect the ids first: the callback's lookups reuse statements. */
    int64_t ids[EVENT_EMPLOYERS_MAX];
    size_t n = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW && n < EVENT_EMPLOYERS_MAX)
        ids[n++] = db_i64(st, 0);
    db_done(st);
    if (rc != DB_DONE && rc != DB_ROW)
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct employer_rec e;
        rc = store_employer_by_id(db, ids[i], &e);
        if (rc != DB_OK)
            return rc;
        int stop = cb(ud, &e);
        if (stop)
            return stop;
    }
    return DB_OK;
}

int store_event_has_employer(struct db *db, int64_t event_id, int64_t employer_id,
                             bool *linked)
{
    struct db_stmt *st = db_run(db, "SELECT 1 FROM event_employers WHERE event_id = $1 "
                                    "AND employer_id = $2", "ii", event_id, employer_id);
    int rc = db_step(st);
    db_done(st);
    *linked = rc == DB_ROW;
    return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* ---- Tallies ---------------------------------------------------------------- */

int store_tap_insert(struct db *db, int64_t event_id, const char *tap_id, int64_t now)
{
    struct db_stmt *st = db_run(db,
        "INSERT INTO event_taps (event_id, tap_id, created_at, district_id) "
        "VALUES ($1, $2, $3, (SELECT district_id FROM events WHERE id = $1)) "
        "ON CONFLICT (event_id, tap_id) DO NOTHING RETURNING 1",
        "isi", event_id, tap_id, now);
    int rc = db_step(st);
    db_done(st);
    if (rc == DB_ROW)
        return DB_OK;
    return rc == DB_DONE ? DB_CONFLICT : rc;
}

int store_tally_add(struct db *db, int64_t event_id, const char *kind, const char *label,
                    int64_t delta, int64_t *n)
{
    struct db_stmt *st;
    if (delta >= 0)
        st = db_run(db,
            "INSERT INTO event_tallies (event_id, kind, label, n, district_id) "
            "VALUES ($1, $2, $3, $4, (SELECT district_id FROM events WHERE id = $1)) "
            "ON CONFLICT (event_id, kind, label) DO UPDATE SET n = event_tallies.n + $4 "
            "RETURNING n",
            "issi", event_id, kind, label, delta);
    else
        st = db_run(db,
            "UPDATE event_tallies SET n = n + $4 "
            "WHERE event_id = $1 AND kind = $2 AND label = $3 AND n + $4 >= 0 RETURNING n",
            "issi", event_id, kind, label, delta);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        *n = db_i64(st, 0);
    db_done(st);
    return rc;
}

static int tally_rows(struct db_stmt *st, tally_cb cb, void *ud)
{
    int rc;
    struct tally_rec t;
    while ((rc = db_step(st)) == DB_ROW) {
        t.event_id = db_i64(st, 0);
        store_col(st, 1, t.kind, sizeof t.kind);
        store_col(st, 2, t.label, sizeof t.label);
        t.n = db_i64(st, 3);
        int stop = cb(ud, &t);
        if (stop) {
            db_done(st);
            return stop;
        }
    }
    db_done(st);
    return rc == DB_DONE ? DB_OK : rc;
}

int store_event_tallies(struct db *db, int64_t event_id, tally_cb cb, void *ud)
{
    return tally_rows(db_run(db,
        "SELECT event_id, kind, label, n FROM event_tallies WHERE event_id = $1 "
        "ORDER BY kind, label", "i", event_id), cb, ud);
}

int store_campaign_tallies(struct db *db, int64_t campaign_id, tally_cb cb, void *ud)
{
    return tally_rows(db_run(db,
        "SELECT t.event_id, t.kind, t.label, t.n FROM event_tallies t "
        "JOIN events e ON e.id = t.event_id WHERE e.campaign_id = $1 "
        "ORDER BY t.event_id, t.kind, t.label", "i", campaign_id), cb, ud);
}

int store_event_joins(struct db *db, int64_t event_id, struct event_joins *out)
{
    struct db_stmt *st = db_run(db,
        "SELECT count(*), COALESCE(sum(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), 0) "
        "FROM applications WHERE source_event_id = $1", "i", event_id);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        out->event_id = event_id;
        out->submitted = db_i64(st, 0);
        out->approved = db_i64(st, 1);
    }
    db_done(st);
    return rc;
}

int store_campaign_joins(struct db *db, int64_t campaign_id, event_joins_cb cb, void *ud)
{
    struct db_stmt *st = db_run(db,
        "SELECT a.source_event_id, count(*), "
        "COALESCE(sum(CASE WHEN a.status = 'approved' THEN 1 ELSE 0 END), 0) "
        "FROM events e JOIN applications a ON a.source_event_id = e.id "
        "WHERE e.campaign_id = $1 GROUP BY a.source_event_id", "i", campaign_id);
    int rc;
    struct event_joins j;
    while ((rc = db_step(st)) == DB_ROW) {
        j.event_id = db_i64(st, 0);
        j.submitted = db_i64(st, 1);
        j.approved = db_i64(st, 2);
        int stop = cb(ud, &j);
        if (stop) {
            db_done(st);
            return stop;
        }
    }
    db_done(st);
    return rc == DB_DONE ? DB_OK : rc;
}

/* ---- Tally labels ------------------------------------------------------------ */

int store_tally_labels(struct db *db, const char *path, const char *kind, label_cb cb,
                       void *ud)
{
    /* The orgs on the path are its prefixes; the deepest that has labels
     * of this kind wins. */
    struct db_stmt *st = db_run(db,
        "SELECT t.label FROM tally_labels t WHERE t.kind = $2 AND t.org_id = ("
        "SELECT l.org_id FROM tally_labels l JOIN orgs o ON o.id = l.org_id "
        "WHERE l.kind = $2 AND substr($1, 1, length(o.path)) = o.path "
        "ORDER BY o.depth DESC LIMIT 1) ORDER BY t.position",
        "ss", path, kind);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int stop = cb(ud, db_text(st, 0));
        if (stop) {
            db_done(st);
            return stop;
        }
    }
    db_done(st);
    return rc == DB_DONE ? DB_OK : rc;
}

int store_tally_labels_set(struct db *db, int64_t org_id, const char *kind,
                           const char *const *labels, size_t n)
{
    int rc = db_exec_stmt(db, "DELETE FROM tally_labels WHERE org_id = $1 AND kind = $2",
                          "is", org_id, kind);
    for (size_t i = 0; i < n && rc == DB_OK; i++)
        rc = db_exec_stmt(db,
            "INSERT INTO tally_labels (org_id, kind, position, label) VALUES ($1, $2, $3, $4)",
            "isis", org_id, kind, (int64_t)i, labels[i]);
    return rc;
}
