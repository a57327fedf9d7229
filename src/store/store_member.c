/*
 * store_member.c: join tokens, applications, members and kept answers for
 * retried requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "store/store.h"
#include "store/store_util.h"

/* ---- Join tokens ------------------------------------------------------- */

int store_join_token_insert(struct db *db, const struct join_token_rec *t)
{
    return db_exec_stmt(db,
        "INSERT INTO join_tokens (token, org_id, event_id, created_at) VALUES ($1, $2, $3, $4)",
        "siIi", t->token, t->org_id, t->event_id, ub_now());
}

static int one_token(struct db_stmt *st, struct join_token_rec *out)
{
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        store_col(st, 0, out->token, sizeof out->token);
        out->org_id = db_i64(st, 1);
        out->event_id = db_i64(st, 2);
    }
    db_done(st);
    return rc;
}

int store_join_token_of_org(struct db *db, int64_t org_id, struct join_token_rec *out)
{
    return one_token(db_run(db, "SELECT token, org_id, 0 FROM join_tokens "
                                "WHERE org_id = $1 AND event_id IS NULL "
                                "ORDER BY created_at LIMIT 1", "i", org_id), out);
}

int store_employer_union(struct db *db, const char *path, const char *uscc,
                         const char *name, int64_t *employer_id, int64_t *union_org_id)
{
    *employer_id = *union_org_id = 0;
    if ((!uscc || !*uscc) && (!name || !*name))
        return DB_OK;           /* no employer named: nothing to look up */
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    struct db_stmt *st;
    if (uscc && *uscc)
        st = db_run(db, "SELECT e.id, COALESCE(e.union_org_id, 0) FROM employers e "
                        "JOIN orgs o ON o.id = e.org_id "
                        "WHERE e.uscc = $1 AND o.path >= $2 AND o.path < $3",
                    "sss", uscc, path, hi);
    else
        st = db_run(db, "SELECT e.id, COALESCE(e.union_org_id, 0) FROM employers e "
                        "JOIN orgs o ON o.id = e.org_id "
                        "WHERE e.name = $1 AND o.path >= $2 AND o.path < $3 "
                        "ORDER BY e.union_org_id IS NULL, e.id LIMIT 1",
                    "sss", name, path, hi);
    int rc = store_one(db_step(st));
    *employer_id = rc == DB_OK ? db_i64(st, 0) : 0;
    *union_org_id = rc == DB_OK ? db_i64(st, 1) : 0;
    db_done(st);
    return rc == DB_NOTFOUND ? DB_OK : rc;
}

/* ---- Shared person columns -------------------------------------------- */

/* Column list for person_rec, in read_person's order. */
#define PERSON_COLS                                                            \
    "x.name, x.id_hash, x.id_enc, x.id_mask, x.phone_hash, x.phone_enc, "      \
    "x.phone_mask, x.gender, x.birth_date, x.employer_name, "                  \
    "COALESCE(x.employer_uscc, ''), COALESCE(x.employer_id, 0), x.category, "  \
    "x.migrant"
#define PERSON_NCOLS 14

/* Copies a digest column into d (zeros unless it has the digest's size). */
static void read_digest(struct db_stmt *st, int col, unsigned char d[PERSON_DIGEST_BYTES])
{
    size_t n;
    store_blob(st, col, d, PERSON_DIGEST_BYTES, &n);
    if (n != PERSON_DIGEST_BYTES)
        memset(d, 0, PERSON_DIGEST_BYTES);
}

static void read_person(struct db_stmt *st, int c, struct person_rec *p)
{
    store_col(st, c + 0, p->name, sizeof p->name);
    read_digest(st, c + 1, p->id_hash);
    store_blob(st, c + 2, p->id_enc, sizeof p->id_enc, &p->id_enc_len);
    store_col(st, c + 3, p->id_mask, sizeof p->id_mask);
    read_digest(st, c + 4, p->phone_hash);
    store_blob(st, c + 5, p->phone_enc, sizeof p->phone_enc, &p->phone_enc_len);
    store_col(st, c + 6, p->phone_mask, sizeof p->phone_mask);
    store_col(st, c + 7, p->gender, sizeof p->gender);
    store_col(st, c + 8, p->birth_date, sizeof p->birth_date);
    store_col(st, c + 9, p->employer_name, sizeof p->employer_name);
    store_col(st, c + 10, p->employer_uscc, sizeof p->employer_uscc);
    p->employer_id = db_i64(st, c + 11);
    store_col(st, c + 12, p->category, sizeof p->category);
    p->migrant = db_i64(st, c + 13) != 0;
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

/* ---- Applications ------------------------------------------------------ */

#define APP_SELECT                                                             \
    "SELECT x.id, x.org_id, x.source_org_id, COALESCE(x.source_event_id, 0), " \
    "o.code, o.name, o.path, x.status, x.channel, x.consent_version, "         \
    "x.access_digest, COALESCE(x.reason, ''), COALESCE(x.member_id, 0), "      \
    "COALESCE(m.member_no, ''), x.created_at, COALESCE(x.decided_at, 0), "     \
    PERSON_COLS " "                                                            \
    "FROM applications x JOIN orgs o ON o.id = x.org_id "                      \
    "LEFT JOIN members m ON m.id = x.member_id "

static void read_application(struct db_stmt *st, struct application_rec *a)
{
    a->id = db_i64(st, 0);
    a->org_id = db_i64(st, 1);
    a->source_org_id = db_i64(st, 2);
    a->source_event_id = db_i64(st, 3);
    store_col(st, 4, a->org_code, sizeof a->org_code);
    store_col(st, 5, a->org_name, sizeof a->org_name);
    store_col(st, 6, a->org_path, sizeof a->org_path);
    store_col(st, 7, a->status, sizeof a->status);
    store_col(st, 8, a->channel, sizeof a->channel);
    store_col(st, 9, a->consent_version, sizeof a->consent_version);
    store_col(st, 10, a->access_digest, sizeof a->access_digest);
    store_col(st, 11, a->reason, sizeof a->reason);
    a->member_id = db_i64(st, 12);
    store_col(st, 13, a->member_no, sizeof a->member_no);
    a->created_at = db_i64(st, 14);
    a->decided_at = db_i64(st, 15);
    read_person(st, 16, &a->p);
}

/* An application and its place in the caller's list, sorted by ID digest
 * (see store_applications_insert). */
struct app_at {
    struct application_rec *a;
    size_t at;
};

static int cmp_id_hash(const void *x, const void *y)
{
    const struct app_at *a = x, *b = y;
    int c = memcmp(a->a->p.id_hash, b->a->p.id_hash, PERSON_DIGEST_BYTES);
    return c ? c : (a->at > b->at) - (a->at < b->at);
}

int store_applications_insert(struct db *db, struct application_rec **apps, size_t n,
                              bool *inserted)
{
    int64_t now = ub_now();
    memset(inserted, 0, n * sizeof *inserted);
    if (store_sqlite(db)) {
        for (size_t i = 0; i < n; i++) {
            struct application_rec *a = apps[i];
            const struct person_rec *p = &a->p;
            a->created_at = now;
            struct db_stmt *st = db_run(db,
                "INSERT INTO applications (org_id, source_org_id, source_event_id, status, "
                "channel, name, id_hash, id_enc, id_mask, phone_hash, phone_enc, phone_mask, "
                "gender, birth_date, employer_name, employer_uscc, employer_id, category, "
                "migrant, consent_version, access_digest, district_id, created_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
                "$17, $18, $19, $20, $21, $22, $23) "
                "ON CONFLICT (id_hash) WHERE status = 'pending' DO NOTHING",
                "iiIsssbbsbbsssssIsissii",
                a->org_id, a->source_org_id, a->source_event_id, a->status, a->channel,
                p->name, p->id_hash, sizeof p->id_hash, p->id_enc, p->id_enc_len, p->id_mask,
                p->phone_hash, sizeof p->phone_hash, p->phone_enc, p->phone_enc_len,
                p->phone_mask, p->gender, p->birth_date, p->employer_name,
                or_null(p->employer_uscc), p->employer_id, p->category, (int64_t)p->migrant,
                a->consent_version, a->access_digest, a->district_id, a->created_at);
            int rc = db_step(st);
            db_done(st);
            if (rc != DB_DONE)
                return rc == DB_ROW ? DB_ERROR : rc;
            /* Not RETURNING: SQLite keeps a RETURNING statement's rows in
             * a temporary b-tree it makes and drops for every row. */
            st = db_run(db, "SELECT changes(), last_insert_rowid()", "");
            rc = db_step(st);
            if (rc == DB_ROW && (inserted[i] = db_i64(st, 0) == 1))
                a->id = db_i64(st, 1);
            db_done(st);
            if (rc != DB_ROW)
                return rc;
        }
        return DB_OK;
    }
    /* In ID digest order: two transactions inserting the same people wait
     * for each other in one order, never in a cycle.  The same person
     * twice: the first in the caller's order is inserted, as on SQLite. */
    struct app_at *sorted = xmalloc(n * sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = (struct app_at){apps[i], i};
    qsort(sorted, n, sizeof *sorted, cmp_id_hash);
    struct db_rows rows;
    db_rows_init(&rows, "iiIsssbbsbbsssssIsissi");
    for (size_t i = 0; i < n; i++) {
        const struct application_rec *a = sorted[i].a;
        const struct person_rec *p = &a->p;
        db_rows_add(&rows, a->org_id, a->source_org_id, a->source_event_id, a->status,
                    a->channel, p->name, p->id_hash, sizeof p->id_hash, p->id_enc,
                    p->id_enc_len, p->id_mask, p->phone_hash, sizeof p->phone_hash,
                    p->phone_enc, p->phone_enc_len, p->phone_mask, p->gender, p->birth_date,
                    p->employer_name, or_null(p->employer_uscc), p->employer_id, p->category,
                    (int64_t)p->migrant, a->consent_version, a->access_digest,
                    a->district_id);
    }
    struct db_stmt *st = db_run(db,
        "INSERT INTO applications (org_id, source_org_id, source_event_id, status, channel, "
        "name, id_hash, id_enc, id_mask, phone_hash, phone_enc, phone_mask, gender, "
        "birth_date, employer_name, employer_uscc, employer_id, category, migrant, "
        "consent_version, access_digest, district_id, created_at) "
        "SELECT x.*, $23::bigint FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], "
        "$4::text[], $5::text[], $6::text[], $7::bytea[], $8::bytea[], $9::text[], "
        "$10::bytea[], $11::bytea[], $12::text[], $13::text[], $14::text[], $15::text[], "
        "$16::text[], $17::bigint[], $18::text[], $19::bigint[], $20::text[], $21::text[], "
        "$22::bigint[]) AS x "
        "ON CONFLICT (id_hash) WHERE status = 'pending' DO NOTHING "
        "RETURNING id, access_digest",
        "Ri", &rows, now);
    int rc;
    size_t at = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        /* Each row is known by its access digest (the request's own,
         * random); a cursor finds it: they come back near the order given. */
        char digest[sizeof sorted->a->access_digest];
        store_col(st, 1, digest, sizeof digest);
        for (size_t k = 0; k < n; k++, at = (at + 1) % n) {
            struct app_at *s = &sorted[at];
            if (!inserted[s->at] && strcmp(s->a->access_digest, digest) == 0) {
                inserted[s->at] = true;
                s->a->id = db_i64(st, 0);
                s->a->created_at = now;
                break;
            }
        }
    }
    db_done(st);
    free(sorted);
    db_rows_free(&rows);
    return rc == DB_DONE ? DB_OK : rc;
}

int store_application_by_id(struct db *db, int64_t id, struct application_rec *out)
{
    struct db_stmt *st = db_run(db, APP_SELECT "WHERE x.id = $1", "i", id);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_application(st, out);
    db_done(st);
    return rc;
}

int store_members_live(struct db *db, const unsigned char *const *id_hashes, size_t n,
                       bool *live)
{
    memset(live, 0, n * sizeof *live);
    if (store_sqlite(db)) {
        for (size_t i = 0; i < n; i++) {
            struct db_stmt *st = db_run(db,
                "SELECT count(*) FROM members WHERE id_hash = $1 "
                "AND status IN ('active', 'transferring')", "b", id_hashes[i],
                (size_t)PERSON_DIGEST_BYTES);
            int rc = store_one(db_step(st));
            if (rc == DB_OK)
                live[i] = db_i64(st, 0) > 0;
            db_done(st);
            if (rc != DB_OK)
                return rc;
        }
        return DB_OK;
    }
    /* Per person, an index lookup: a scalar subquery, which the planner
     * never turns into a hash of the whole table (as it did EXISTS). */
    struct db_rows rows;
    db_rows_init(&rows, "b");
    for (size_t i = 0; i < n; i++)
        db_rows_add(&rows, id_hashes[i], (size_t)PERSON_DIGEST_BYTES);
    struct db_stmt *st = db_run(db,
        "SELECT d.k, (SELECT count(*) FROM members WHERE id_hash = d.h "
        "AND status IN ('active', 'transferring')) "
        "FROM unnest($1::bytea[]) WITH ORDINALITY AS d(h, k)", "R", &rows);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t k = db_i64(st, 0) - 1;
        if (k >= 0 && (size_t)k < n)
            live[k] = db_i64(st, 1) != 0;
    }
    db_done(st);
    db_rows_free(&rows);
    return rc == DB_DONE ? DB_OK : rc;
}

int store_application_decide(struct db *db, int64_t id, const char *status,
                             const char *reason, int64_t by, int64_t member_id)
{
    struct db_stmt *st = db_run(db,
        "UPDATE applications SET status = $1, reason = $2, decided_by = $3, decided_at = $4, "
        "member_id = $5 WHERE id = $6 AND status = 'pending' RETURNING id",
        "ssIiIi", status, or_null(reason), by, ub_now(), member_id, id);
    int rc = store_one(db_step(st));
    db_done(st);
    return rc;
}

int store_application_list(struct db *db, const char *path, int64_t district,
                           const char *status, int64_t before, int limit,
                           application_cb cb, void *ud)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    struct db_stmt *st;
    if (district)
        st = db_run(db, APP_SELECT
                    "WHERE x.district_id = $6 AND o.path >= $1 AND o.path < $2 "
                    "AND ($3 = '' OR x.status = $3) AND ($4 = 0 OR x.id < $4) "
                    "ORDER BY x.id DESC LIMIT $5",
                    "sssiii", path, hi, status, before, (int64_t)limit, district);
    else
        st = db_run(db, APP_SELECT
                    "WHERE o.path >= $1 AND o.path < $2 "
                    "AND ($3 = '' OR x.status = $3) AND ($4 = 0 OR x.id < $4) "
                    "ORDER BY x.id DESC LIMIT $5",
                    "sssii", path, hi, status, before, (int64_t)limit);
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct application_rec *a = xmalloc(sizeof *a);
    while ((rc = db_step(st)) == DB_ROW) {
        read_application(st, a);
        if ((stop = cb(ud, a)) != 0)
            break;
    }
    free(a);
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}

/* ---- Members ----------------------------------------------------------- */

#define MEMBER_SELECT                                                          \
    "SELECT x.id, x.org_id, COALESCE(x.source_org_id, 0), "                    \
    "COALESCE(x.source_event_id, 0), COALESCE(x.application_id, 0), "         \
    "x.member_no, o.code, o.name, o.path, x.status, x.channel, "               \
    "COALESCE(x.access_digest, ''), x.joined_at, x.joined_on, x.created_at, "  \
    "x.updated_at, " PERSON_COLS " "                                           \
    "FROM members x JOIN orgs o ON o.id = x.org_id "

static void read_member(struct db_stmt *st, struct member_rec *m)
{
    m->id = db_i64(st, 0);
    m->org_id = db_i64(st, 1);
    m->source_org_id = db_i64(st, 2);
    m->source_event_id = db_i64(st, 3);
    m->application_id = db_i64(st, 4);
    store_col(st, 5, m->member_no, sizeof m->member_no);
    store_col(st, 6, m->org_code, sizeof m->org_code);
    store_col(st, 7, m->org_name, sizeof m->org_name);
    store_col(st, 8, m->org_path, sizeof m->org_path);
    store_col(st, 9, m->status, sizeof m->status);
    store_col(st, 10, m->channel, sizeof m->channel);
    store_col(st, 11, m->access_digest, sizeof m->access_digest);
    m->joined_at = db_i64(st, 12);
    store_col(st, 13, m->joined_on, sizeof m->joined_on);
    m->created_at = db_i64(st, 14);
    m->updated_at = db_i64(st, 15);
    read_person(st, 16, &m->p);
}

int store_member_rows(struct db_stmt *st, void (*read)(struct db_stmt *, struct member_rec *),
                      int (*cb)(void *ud, const struct member_rec *m), void *ud)
{
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct member_rec *m = xmalloc(sizeof *m);
    while ((rc = db_step(st)) == DB_ROW) {
        memset(m, 0, sizeof *m);
        read(st, m);
        if ((stop = cb(ud, m)) != 0)
            break;
    }
    free(m);
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}

int store_member_insert(struct db *db, struct member_rec *m)
{
    const struct person_rec *p = &m->p;
    int64_t now = ub_now();
    if (!m->joined_at)
        m->joined_at = now;
    time_t t = (time_t)m->joined_at;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(m->joined_on, sizeof m->joined_on, "%Y-%m-%d", &tm);
    struct db_stmt *st = db_run(db,
        "INSERT INTO members (org_id, status, channel, source_org_id, source_event_id, "
        "application_id, name, id_hash, id_enc, id_mask, phone_hash, phone_enc, phone_mask, "
        "gender, birth_date, employer_name, employer_uscc, employer_id, category, migrant, "
        "access_digest, joined_at, joined_on, district_id, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
        "$18, $19, $20, $21, $22, $23, (SELECT district_id FROM orgs WHERE id = $1), $24, $24) "
        "RETURNING id",
        "issIIIsbbsbbsssssIsisisi",
        m->org_id, *m->status ? m->status : "active", m->channel, m->source_org_id,
        m->source_event_id, m->application_id, p->name, p->id_hash, sizeof p->id_hash,
        p->id_enc, p->id_enc_len, p->id_mask, p->phone_hash, sizeof p->phone_hash,
        p->phone_enc, p->phone_enc_len,
        p->phone_mask, p->gender, p->birth_date, p->employer_name, or_null(p->employer_uscc),
        p->employer_id, p->category, (int64_t)p->migrant, or_null(m->access_digest),
        m->joined_at, m->joined_on, now);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        m->id = db_i64(st, 0);
        rc = DB_OK;
    } else if (rc == DB_DONE) {
        rc = DB_ERROR;
    }
    db_done(st);
    if (rc != DB_OK)
        return rc;
    /* Member numbers: the joining year and the row id, unique across the
     * system because the id is. */
    snprintf(m->member_no, sizeof m->member_no, "%04d%08lld", tm.tm_year + 1900,
             (long long)m->id);
    m->created_at = m->updated_at = now;
    return db_exec_stmt(db, "UPDATE members SET member_no = $1 WHERE id = $2", "si",
                        m->member_no, m->id);
}

static int one_member(struct db_stmt *st, struct member_rec *out)
{
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_member(st, out);
    db_done(st);
    return rc;
}

int store_member_by_no(struct db *db, const char *member_no, struct member_rec *out)
{
    return one_member(db_run(db, MEMBER_SELECT "WHERE x.member_no = $1", "s", member_no), out);
}

int store_member_by_access(struct db *db, const char *access_digest, struct member_rec *out)
{
    return one_member(db_run(db, MEMBER_SELECT "WHERE x.access_digest = $1 "
                                               "ORDER BY x.id DESC LIMIT 1",
                             "s", access_digest), out);
}

int store_member_search(struct db *db, const char *path, int64_t district, const char *q,
                        const unsigned char *phone_hash, int64_t before, int limit,
                        member_cb cb, void *ud)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    char like[3 * 120 + 3] = "%";
    if (q && *q)
        store_like_pattern(q, like, sizeof like);
    struct db_stmt *st;
    if (district)
        st = db_run(db, MEMBER_SELECT
                    "WHERE x.district_id = $8 AND o.path >= $1 AND o.path < $2 "
                    "AND ($3 = 0 OR x.id < $3) AND (x.member_no = $4 OR x.phone_hash = $5 "
                    "OR x.name LIKE $6 ESCAPE '\\') ORDER BY x.id DESC LIMIT $7",
                    "ssisbsii", path, hi, before, q ? q : "", phone_hash,
                    (size_t)PERSON_DIGEST_BYTES, like, (int64_t)limit, district);
    else
        st = db_run(db, MEMBER_SELECT
                    "WHERE o.path >= $1 AND o.path < $2 "
                    "AND ($3 = 0 OR x.id < $3) AND (x.member_no = $4 OR x.phone_hash = $5 "
                    "OR x.name LIKE $6 ESCAPE '\\') ORDER BY x.id DESC LIMIT $7",
                    "ssisbsi", path, hi, before, q ? q : "", phone_hash,
                    (size_t)PERSON_DIGEST_BYTES, like, (int64_t)limit);
    return store_member_rows(st, read_member, cb, ud);
}

int store_member_joined(struct db *db, const struct joined_filter *f, member_cb cb, void *ud,
                        int64_t *total)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(f->path, hi, sizeof hi);
    /* Literal SQL (the statement cache knows statements by their text's
     * address). */
#define JOINED_WHERE                                                           \
    "WHERE x.joined_on >= $3 AND x.joined_on <= $4 AND (x.channel = $5 OR $5 = '') " \
    "AND (x.district_id = $6 OR $6 = 0) "                                     \
    "AND " STORE_JOINED_ORG("x") " IN (SELECT g.id FROM orgs g WHERE g.path >= $1 AND g.path < $2) "
    struct db_stmt *st = db_run(db, "SELECT count(*) FROM members x " JOINED_WHERE, "sssssi",
                                f->path, hi, f->from, f->to, f->channel ? f->channel : "",
                                f->district);
    int rc = store_one(db_step(st));
    *total = rc == DB_OK ? db_i64(st, 0) : 0;
    db_done(st);
    if (rc != DB_OK)
        return rc;
    st = db_run(db, MEMBER_SELECT JOINED_WHERE "AND (x.id < $7 OR $7 = 0) "
                "ORDER BY x.id DESC LIMIT $8",
                "sssssiii", f->path, hi, f->from, f->to, f->channel ? f->channel : "",
                f->district, f->before, (int64_t)f->limit);
#undef JOINED_WHERE
    return store_member_rows(st, read_member, cb, ud);
}

int store_application_by_access(struct db *db, const char *access_digest,
                                struct application_rec *out)
{
    struct db_stmt *st = db_run(db, APP_SELECT "WHERE x.access_digest = $1 "
                                               "ORDER BY x.id DESC LIMIT 1", "s", access_digest);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_application(st, out);
    db_done(st);
    return rc;
}

int store_member_set_access(struct db *db, int64_t member_id, const char *access_digest)
{
    return db_exec_stmt(db, "UPDATE members SET access_digest = $1, updated_at = $2 "
                            "WHERE id = $3", "sii", access_digest, ub_now(), member_id);
}

int store_member_set_status(struct db *db, int64_t member_id, const char *status,
                            int64_t org_id)
{
    if (org_id)
        return db_exec_stmt(db, "UPDATE members SET status = $1, org_id = $2, updated_at = $3, "
                                "district_id = (SELECT district_id FROM orgs WHERE id = $2) "
                                "WHERE id = $4", "siii", status, org_id, ub_now(), member_id);
    return db_exec_stmt(db, "UPDATE members SET status = $1, updated_at = $2 WHERE id = $3",
                        "sii", status, ub_now(), member_id);
}

/* ---- Transfers --------------------------------------------------------- */

#define TRANSFER_SELECT                                                        \
    "SELECT t.id, t.member_id, t.from_org_id, t.to_org_id, m.member_no, m.name, " \
    "f.code, f.name, o.code, o.name, o.path, t.status, COALESCE(t.note, ''), "   \
    "t.requested_at, COALESCE(t.decided_at, 0) "                               \
    "FROM transfers t JOIN members m ON m.id = t.member_id "                   \
    "JOIN orgs f ON f.id = t.from_org_id JOIN orgs o ON o.id = t.to_org_id "

static void read_transfer(struct db_stmt *st, struct transfer_rec *t)
{
    t->id = db_i64(st, 0);
    t->member_id = db_i64(st, 1);
    t->from_org_id = db_i64(st, 2);
    t->to_org_id = db_i64(st, 3);
    store_col(st, 4, t->member_no, sizeof t->member_no);
    store_col(st, 5, t->member_name, sizeof t->member_name);
    store_col(st, 6, t->from_code, sizeof t->from_code);
    store_col(st, 7, t->from_name, sizeof t->from_name);
    store_col(st, 8, t->to_code, sizeof t->to_code);
    store_col(st, 9, t->to_name, sizeof t->to_name);
    store_col(st, 10, t->to_path, sizeof t->to_path);
    store_col(st, 11, t->status, sizeof t->status);
    store_col(st, 12, t->note, sizeof t->note);
    t->requested_at = db_i64(st, 13);
    t->decided_at = db_i64(st, 14);
}

int store_transfer_insert(struct db *db, struct transfer_rec *t, int64_t by)
{
    t->requested_at = ub_now();
    struct db_stmt *st = db_run(db,
        "INSERT INTO transfers (member_id, from_org_id, to_org_id, status, note, requested_by, "
        "requested_at, district_id) VALUES ($1, $2, $3, 'pending', $4, $5, $6, "
        "(SELECT district_id FROM orgs WHERE id = $3)) RETURNING id",
        "iiisIi", t->member_id, t->from_org_id, t->to_org_id, or_null(t->note), by,
        t->requested_at);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        t->id = db_i64(st, 0);
        rc = DB_OK;
    } else if (rc == DB_DONE) {
        rc = DB_ERROR;
    }
    db_done(st);
    return rc;
}

int store_transfer_by_id(struct db *db, int64_t id, struct transfer_rec *out)
{
    struct db_stmt *st = db_run(db, TRANSFER_SELECT "WHERE t.id = $1", "i", id);
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_transfer(st, out);
    db_done(st);
    return rc;
}

int store_transfer_decide(struct db *db, int64_t id, const char *status, int64_t by)
{
    struct db_stmt *st = db_run(db,
        "UPDATE transfers SET status = $1, decided_by = $2, decided_at = $3 "
        "WHERE id = $4 AND status = 'pending' RETURNING id", "sIii", status, by, ub_now(), id);
    int rc = store_one(db_step(st));
    db_done(st);
    return rc;
}

int store_transfer_list(struct db *db, int64_t member_id, transfer_cb cb, void *ud)
{
    struct db_stmt *st = db_run(db, TRANSFER_SELECT "WHERE t.member_id = $1 ORDER BY t.id",
                                "i", member_id);
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct transfer_rec t;
    while ((rc = db_step(st)) == DB_ROW) {
        read_transfer(st, &t);
        if ((stop = cb(ud, &t)) != 0)
            break;
    }
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}

int store_transfer_incoming(struct db *db, const char *path, int limit, transfer_cb cb,
                            void *ud)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    struct db_stmt *st = db_run(db, TRANSFER_SELECT
                                "WHERE t.status = 'pending' AND o.path >= $1 AND o.path < $2 "
                                "ORDER BY t.id LIMIT $3", "ssi", path, hi, (int64_t)limit);
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct transfer_rec t;
    while ((rc = db_step(st)) == DB_ROW) {
        read_transfer(st, &t);
        if ((stop = cb(ud, &t)) != 0)
            break;
    }
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}

/* ---- Kept answers ------------------------------------------------------ */

int store_idempotency_get(struct db *db, const char *key, int *status,
                          unsigned char *body, size_t cap, size_t *len)
{
    struct db_stmt *st = db_run(db, "SELECT status, body FROM idempotency WHERE key = $1",
                                "s", key);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        *status = (int)db_i64(st, 0);
        store_blob(st, 1, body, cap, len);
    }
    db_done(st);
    return rc;
}

int store_idempotency_put(struct db *db, const char *key, int status,
                          const unsigned char *body, size_t len)
{
    return db_exec_stmt(db,
        "INSERT INTO idempotency (key, status, body, created_at) VALUES ($1, $2, $3, $4)",
        "sibi", key, (int64_t)status, body, len, ub_now());
}

int store_member_backdate(struct db *db, int64_t member_id, int64_t joined_at)
{
    char day[11];
    ub_local_date(joined_at, day);
    int rc = db_exec_stmt(db,
        "UPDATE members SET joined_at = $2, joined_on = $3, created_at = $2, updated_at = $2 "
        "WHERE id = $1", "iis", member_id, joined_at, day);
    if (rc == DB_OK)
        rc = db_exec_stmt(db,
            "UPDATE applications SET created_at = $2, decided_at = $2 WHERE member_id = $1",
            "ii", member_id, joined_at);
    return rc;
}
