/*
 * store_roster.c: the queries behind roster import and export: adding
 * imported members unless the person already has a live membership (in
 * batches, the one place where the backends take different paths, for
 * speed), a bigger page cache while a large import runs, and walking a
 * subtree's members in id order, a page at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "store/store.h"
#include "store/store_util.h"

/* An imported member, its id and number given: nothing is written when
 * the person already has a live membership (the partial unique index
 * members_person is the conflict target). */
#define ROSTER_INSERT                                                          \
    "INSERT INTO members (id, member_no, org_id, status, channel, source_org_id, "   \
    "source_event_id, application_id, name, id_hash, id_enc, id_mask, phone_hash, "  \
    "phone_enc, phone_mask, gender, birth_date, employer_name, employer_uscc, "      \
    "employer_id, category, migrant, access_digest, joined_at, joined_on, "          \
    "district_id, created_at, updated_at) "                                          \
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "\
    "$17, $18, $19, $20, $21, $22, NULL, $23, $24, $25, $26, $26) "                  \
    "ON CONFLICT (id_hash) WHERE status IN ('active', 'transferring') DO NOTHING"
#define ROSTER_INSERT_TYPES "isissIIIsbbsbbsssssIsiisii"
#define ROSTER_INSERT_ARGS(id, no, t, p, district_id, now)                      \
    id, no, t->org_id, *t->status ? t->status : "active", t->channel,           \
        t->source_org_id, t->source_event_id, t->application_id, p->name,       \
        p->id_hash, sizeof p->id_hash, p->id_enc, p->id_enc_len, p->id_mask,    \
        p->phone_hash, sizeof p->phone_hash, p->phone_enc, p->phone_enc_len,    \
        p->phone_mask, p->gender, p->birth_date,                                \
        p->employer_name, *p->employer_uscc ? p->employer_uscc : NULL,          \
        p->employer_id, p->category, (int64_t)p->migrant, t->joined_at,         \
        t->joined_on, district_id, now

/*
 * The ids of the new rows are chosen before the inserts, so that the
 * member number (the joining year and the id, as store_member_insert
 * makes it) goes in with the row instead of in a second statement.
 *
 * SQLite: inside the write transaction (BEGIN IMMEDIATE holds the only
 * write lock) the next ids are max(id) + 1 on, and one count afterwards
 * says how many rows went in, because RETURNING costs SQLite about as much
 * as the insert itself; only when some were skipped (a file imported
 * again) are the ids read back to tell which.  PostgreSQL: the ids come
 * from the identity's sequence in one round trip, and RETURNING (cheap
 * there) tells each insert from a skip.  A person who is a member already
 * leaves an unused id behind, as a rolled-back insert does.
 */
int store_roster_add(struct db *db, const struct member_rec *tmpl, int64_t district_id,
                     const struct person_rec *const *people, size_t n, bool *inserted,
                     int64_t *added)
{
    *added = 0;
    if (n == 0)
        return DB_OK;
    memset(inserted, 0, n * sizeof *inserted);
    struct member_rec *t = xmalloc(sizeof *t);
    *t = *tmpl;
    int64_t now = ub_now();
    if (!t->joined_at)
        t->joined_at = now;
    time_t jt = (time_t)t->joined_at;
    struct tm tm;
    localtime_r(&jt, &tm);
    strftime(t->joined_on, sizeof t->joined_on, "%Y-%m-%d", &tm);
    int year = tm.tm_year + 1900;
    bool sqlite = store_sqlite(db);
    int64_t *ids = xmalloc(n * sizeof *ids);
    int rc;
    struct db_stmt *st;
    if (sqlite) {
        st = db_run(db, "SELECT COALESCE(max(id), 0) FROM members", "");
        rc = store_one(db_step(st));
        for (size_t k = 0; rc == DB_OK && k < n; k++)
            ids[k] = db_i64(st, 0) + 1 + (int64_t)k;
    } else {
        st = db_run(db, "SELECT nextval(pg_get_serial_sequence('members', 'id')) "
                        "FROM generate_series(1, $1)", "i", (int64_t)n);
        size_t k = 0;
        while ((rc = db_step(st)) == DB_ROW && k < n)
            ids[k++] = db_i64(st, 0);
        rc = rc == DB_DONE && k == n ? DB_OK : rc < 0 ? rc : DB_ERROR;
    }
    db_done(st);
    for (size_t k = 0; k < n && rc == DB_OK; k++) {
        const struct person_rec *p = people[k];
        char no[24];
        snprintf(no, sizeof no, "%04d%08lld", year, (long long)ids[k]);
        if (sqlite) {
            rc = db_exec_stmt(db, ROSTER_INSERT, ROSTER_INSERT_TYPES,
                              ROSTER_INSERT_ARGS(ids[k], no, t, p, district_id, now));
            continue;
        }
        st = db_run(db, ROSTER_INSERT " RETURNING id", ROSTER_INSERT_TYPES,
                    ROSTER_INSERT_ARGS(ids[k], no, t, p, district_id, now));
        rc = db_step(st);
        if (rc == DB_ROW) {
            ++*added;
            inserted[k] = true;
        }
        rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
        db_done(st);
    }
    if (rc == DB_OK && sqlite) {
        st = db_run(db, "SELECT count(*) FROM members WHERE id >= $1 AND id <= $2", "ii",
                    ids[0], ids[n - 1]);
        rc = store_one(db_step(st));
        *added = rc == DB_OK ? db_i64(st, 0) : 0;
        db_done(st);
        for (size_t k = 0; rc == DB_OK && *added == (int64_t)n && k < n; k++)
            inserted[k] = true;
    }
    if (rc == DB_OK && sqlite && *added < (int64_t)n) {
        /* The ids are ascending: one pass over those that went in. */
        st = db_run(db, "SELECT id FROM members WHERE id >= $1 AND id <= $2 ORDER BY id", "ii",
                    ids[0], ids[n - 1]);
        size_t k = 0;
        while ((rc = db_step(st)) == DB_ROW) {
            int64_t id = db_i64(st, 0);
            while (k < n && ids[k] < id)
                k++;
            if (k < n && ids[k] == id)
                inserted[k++] = true;
        }
        rc = rc == DB_DONE ? DB_OK : rc;
        db_done(st);
    }
    free(ids);
    free(t);
    return rc;
}

/* The page cache an SQLite connection gets for a bulk import: the random
 * keys of the members' ID digest touch pages all over its index, and a
 * cache that holds it (and the table's last pages) saves rereading them
 * from the file on every batch. */
#define BULK_CACHE_KIB 262144

int store_roster_bulk(struct db *db, bool on, int64_t *saved)
{
    if (!store_sqlite(db))
        return DB_OK;
    char sql[64];
    if (on) {
        struct db_stmt *st = db_run(db, "PRAGMA cache_size", "");
        int rc = store_one(db_step(st));
        *saved = rc == DB_OK ? db_i64(st, 0) : 0;
        db_done(st);
        if (rc != DB_OK)
            return rc;
        snprintf(sql, sizeof sql, "PRAGMA cache_size=-%d", BULK_CACHE_KIB);
    } else {
        if (!*saved)
            return DB_OK;
        snprintf(sql, sizeof sql, "PRAGMA cache_size=%lld", (long long)*saved);
    }
    return db_exec_script(db, sql);
}

/* The columns store_roster_members reads, in read_row's order. */
#define ROSTER_SELECT                                                          \
    "SELECT x.id, x.member_no, x.org_id, o.code, o.name, x.status, x.channel, " \
    "x.name, x.id_mask, x.id_enc, x.phone_mask, x.phone_enc, x.gender, "        \
    "x.birth_date, x.employer_name, x.category, x.migrant, x.joined_at, "       \
    "x.joined_on FROM members x JOIN orgs o ON o.id = x.org_id "

/* Fills m from a row of ROSTER_SELECT (the fields store.h lists). */
static void read_row(struct db_stmt *st, struct member_rec *m)
{
    m->id = db_i64(st, 0);
    store_col(st, 1, m->member_no, sizeof m->member_no);
    m->org_id = db_i64(st, 2);
    store_col(st, 3, m->org_code, sizeof m->org_code);
    store_col(st, 4, m->org_name, sizeof m->org_name);
    store_col(st, 5, m->status, sizeof m->status);
    store_col(st, 6, m->channel, sizeof m->channel);
    store_col(st, 7, m->p.name, sizeof m->p.name);
    store_col(st, 8, m->p.id_mask, sizeof m->p.id_mask);
    store_blob(st, 9, m->p.id_enc, sizeof m->p.id_enc, &m->p.id_enc_len);
    store_col(st, 10, m->p.phone_mask, sizeof m->p.phone_mask);
    store_blob(st, 11, m->p.phone_enc, sizeof m->p.phone_enc, &m->p.phone_enc_len);
    store_col(st, 12, m->p.gender, sizeof m->p.gender);
    store_col(st, 13, m->p.birth_date, sizeof m->p.birth_date);
    store_col(st, 14, m->p.employer_name, sizeof m->p.employer_name);
    store_col(st, 15, m->p.category, sizeof m->p.category);
    m->p.migrant = db_i64(st, 16) != 0;
    m->joined_at = db_i64(st, 17);
    store_col(st, 18, m->joined_on, sizeof m->joined_on);
}

int store_roster_members(struct db *db, const char *path, int64_t district, int64_t after,
                         int limit, member_cb cb, void *ud)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    struct db_stmt *st;
    if (district)
        st = db_run(db, ROSTER_SELECT
                    "WHERE x.district_id = $5 AND o.path >= $1 AND o.path < $2 "
                    "AND x.id > $3 ORDER BY x.id LIMIT $4",
                    "ssiii", path, hi, after, (int64_t)limit, district);
    else
        st = db_run(db, ROSTER_SELECT
                    "WHERE o.path >= $1 AND o.path < $2 AND x.id > $3 "
                    "ORDER BY x.id LIMIT $4",
                    "ssii", path, hi, after, (int64_t)limit);
    return store_member_rows(st, read_row, cb, ud);
}
