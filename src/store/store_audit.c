/*
 * store_audit.c: the append-only audit log.  The schema's triggers refuse
 * UPDATE and DELETE; this module only ever inserts and reads.
 */
#include <stdlib.h>

#include "lib/util.h"
#include "store/store.h"
#include "store/store_util.h"

int store_audit_insert(struct db *db, const struct audit_rec *a)
{
    return db_exec_stmt(db,
        "INSERT INTO audit_log (at, user_id, login, addr, action, object_type, "
        "object_id, org_id, detail, district_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
        "COALESCE($10, (SELECT district_id FROM orgs WHERE id = $8), 0))",
        "iIsssssIsI", a->at, a->user_id, a->login, a->addr, a->action, a->object_type,
        a->object_id, a->org_id, a->detail ? a->detail : "{}", a->district_id);
}

int store_audit_insert_many(struct db *db, const struct audit_rec *a, size_t n)
{
    if (store_sqlite(db) || n == 1) {
        for (size_t i = 0; i < n; i++) {
            int rc = store_audit_insert(db, &a[i]);
            if (rc != DB_OK)
                return rc;
        }
        return DB_OK;
    }
    struct db_rows rows;
    db_rows_init(&rows, "iIsssssIsI");
    for (size_t i = 0; i < n; i++)
        db_rows_add(&rows, a[i].at, a[i].user_id, a[i].login, a[i].addr, a[i].action,
                    a[i].object_type, a[i].object_id, a[i].org_id,
                    a[i].detail ? a[i].detail : "{}", a[i].district_id);
    int rc = db_exec_stmt(db,
        "INSERT INTO audit_log (at, user_id, login, addr, action, object_type, "
        "object_id, org_id, detail, district_id) "
        "SELECT x.at, x.user_id, x.login, x.addr, x.action, x.object_type, x.object_id, "
        "x.org_id, x.detail, "
        "COALESCE(x.district_id, (SELECT district_id FROM orgs WHERE id = x.org_id), 0) "
        "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], "
        "$6::text[], $7::text[], $8::bigint[], $9::text[], $10::bigint[]) "
        "AS x(at, user_id, login, addr, action, object_type, object_id, org_id, detail, "
        "district_id)",
        "R", &rows);
    db_rows_free(&rows);
    return rc;
}

int store_audit_list(struct db *db, const char *path, int64_t district, int64_t before,
                     int limit, audit_cb cb, void *ud)
{
    struct db_stmt *st;
    if (!*path) {
        st = db_run(db,
            "SELECT id, at, COALESCE(user_id, 0), login, addr, action, object_type, "
            "object_id, COALESCE(org_id, 0), detail FROM audit_log "
            "WHERE ($1 = 0 OR id < $1) ORDER BY id DESC LIMIT $2",
            "ii", before, (int64_t)limit);
    } else if (district) {
        char hi[ORG_PATH_MAX + 2];
        store_subtree_hi(path, hi, sizeof hi);
        st = db_run(db,
            "SELECT a.id, a.at, COALESCE(a.user_id, 0), a.login, a.addr, a.action, "
            "a.object_type, a.object_id, COALESCE(a.org_id, 0), a.detail "
            "FROM audit_log a JOIN orgs o ON o.id = a.org_id "
            "WHERE a.district_id = $5 AND o.path >= $1 AND o.path < $2 "
            "AND ($3 = 0 OR a.id < $3) ORDER BY a.id DESC LIMIT $4",
            "ssiii", path, hi, before, (int64_t)limit, district);
    } else {
        char hi[ORG_PATH_MAX + 2];
        store_subtree_hi(path, hi, sizeof hi);
        st = db_run(db,
            "SELECT a.id, a.at, COALESCE(a.user_id, 0), a.login, a.addr, a.action, "
            "a.object_type, a.object_id, COALESCE(a.org_id, 0), a.detail "
            "FROM audit_log a JOIN orgs o ON o.id = a.org_id "
            "WHERE o.path >= $1 AND o.path < $2 AND ($3 = 0 OR a.id < $3) "
            "ORDER BY a.id DESC LIMIT $4",
            "ssii", path, hi, before, (int64_t)limit);
    }
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct audit_rec a;
    while ((rc = db_step(st)) == DB_ROW) {
        a.id = db_i64(st, 0);
        a.at = db_i64(st, 1);
        a.user_id = db_i64(st, 2);
        store_col(st, 3, a.login, sizeof a.login);
        store_col(st, 4, a.addr, sizeof a.addr);
        store_col(st, 5, a.action, sizeof a.action);
        store_col(st, 6, a.object_type, sizeof a.object_type);
        store_col(st, 7, a.object_id, sizeof a.object_id);
        a.org_id = db_i64(st, 8);
        a.detail = db_text(st, 9);
        if ((stop = cb(ud, &a)) != 0)
            break;
    }
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}
