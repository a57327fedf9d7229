/*
 * store_employer.c: queries on employers.
 */
#include <string.h>

#include "lib/util.h"
#include "store/store.h"
#include "store/store_util.h"

#define EMPLOYER_SELECT                                                        \
    "SELECT e.id, e.name, COALESCE(e.uscc, ''), COALESCE(e.uscc_override, ''), " \
    "e.headcount, e.org_id, o.code, o.path, e.union_status, "                  \
    "COALESCE(e.union_org_id, 0), COALESCE(u.code, ''), "                      \
    "COALESCE(e.address, ''), COALESCE(e.legal_rep, ''), "                     \
    "e.created_at, e.updated_at "                                              \
    "FROM employers e JOIN orgs o ON o.id = e.org_id "                         \
    "LEFT JOIN orgs u ON u.id = e.union_org_id "

static void read_employer(struct db_stmt *st, struct employer_rec *e)
{
    e->id = db_i64(st, 0);
    store_col(st, 1, e->name, sizeof e->name);
    store_col(st, 2, e->uscc, sizeof e->uscc);
    store_col(st, 3, e->uscc_override, sizeof e->uscc_override);
    e->headcount = db_i64(st, 4);
    e->org_id = db_i64(st, 5);
    store_col(st, 6, e->org_code, sizeof e->org_code);
    store_col(st, 7, e->org_path, sizeof e->org_path);
    store_col(st, 8, e->union_status, sizeof e->union_status);
    e->union_org_id = db_i64(st, 9);
    store_col(st, 10, e->union_org_code, sizeof e->union_org_code);
    store_col(st, 11, e->address, sizeof e->address);
    store_col(st, 12, e->legal_rep, sizeof e->legal_rep);
    e->created_at = db_i64(st, 13);
    e->updated_at = db_i64(st, 14);
}

static int one_employer(struct db_stmt *st, struct employer_rec *out)
{
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_employer(st, out);
    db_done(st);
    return rc;
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

int store_employer_insert(struct db *db, struct employer_rec *e)
{
    int64_t now = ub_now();
    struct db_stmt *st = db_run(db,
        "INSERT INTO employers (name, uscc, uscc_override, headcount, org_id, "
        "union_status, union_org_id, address, legal_rep, created_at, updated_at, "
        "district_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, "
        "(SELECT district_id FROM orgs WHERE id = $5)) RETURNING id",
        "sssiisIssi", e->name, or_null(e->uscc), or_null(e->uscc_override),
        e->headcount, e->org_id, *e->union_status ? e->union_status : "none",
        e->union_org_id, or_null(e->address), or_null(e->legal_rep), now);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        e->id = db_i64(st, 0);
        e->created_at = e->updated_at = now;
        rc = DB_OK;
    } else if (rc == DB_DONE) {
        rc = DB_ERROR;
    }
    db_done(st);
    return rc;
}

int store_employer_by_id(struct db *db, int64_t id, struct employer_rec *out)
{
    return one_employer(db_run(db, EMPLOYER_SELECT "WHERE e.id = $1", "i", id), out);
}

int store_employer_by_uscc(struct db *db, const char *uscc, struct employer_rec *out)
{
    return one_employer(db_run(db, EMPLOYER_SELECT "WHERE e.uscc = $1", "s", uscc), out);
}

int store_employer_update(struct db *db, const struct employer_rec *e)
{
    return db_exec_stmt(db,
        "UPDATE employers SET name = $1, uscc = $2, uscc_override = $3, headcount = $4, "
        "address = $5, legal_rep = $6, updated_at = $7 WHERE id = $8",
        "sssissii", e->name, or_null(e->uscc), or_null(e->uscc_override), e->headcount,
        or_null(e->address), or_null(e->legal_rep), ub_now(), e->id);
}

int store_employer_list(struct db *db, const char *path, int64_t district, const char *q,
                        int64_t after, int limit, employer_cb cb, void *ud)
{
    char hi[ORG_PATH_MAX + 2];
    store_subtree_hi(path, hi, sizeof hi);
    char like[3 * EMPLOYER_NAME_MAX + 3] = "%";
    if (q && *q)
        store_like_pattern(q, like, sizeof like);
    /* One statement per shape, each a literal: with and without the
     * district key. */
    struct db_stmt *st;
    if (district)
        st = db_run(db, EMPLOYER_SELECT
                    "WHERE e.district_id = $6 AND o.path >= $1 AND o.path < $2 "
                    "AND e.id > $3 AND (e.name LIKE $4 ESCAPE '\\' "
                    "OR e.uscc LIKE $4 ESCAPE '\\') ORDER BY e.id LIMIT $5",
                    "ssisii", path, hi, after, like, (int64_t)limit, district);
    else
        st = db_run(db, EMPLOYER_SELECT
                    "WHERE o.path >= $1 AND o.path < $2 "
                    "AND e.id > $3 AND (e.name LIKE $4 ESCAPE '\\' "
                    "OR e.uscc LIKE $4 ESCAPE '\\') ORDER BY e.id LIMIT $5",
                    "ssisi", path, hi, after, like, (int64_t)limit);
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct employer_rec e;
    while ((rc = db_step(st)) == DB_ROW) {
        read_employer(st, &e);
        if ((stop = cb(ud, &e)) != 0)
            break;
    }
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}

int store_employer_set_union(struct db *db, int64_t id, const char *status,
                             int64_t union_org_id)
{
    return db_exec_stmt(db,
        "UPDATE employers SET union_status = $2, union_org_id = $3, updated_at = $4 "
        "WHERE id = $1", "isIi", id, status, union_org_id, ub_now());
}
