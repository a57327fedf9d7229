/*
 * store_org.c: queries on the organisation tree.
 *
 * The tree is a materialised path: every org's `path` lists the ids from
 * the root down ("/1/5/23/"), so a subtree is one index range scan
 * (path >= P AND path < P'), whatever its size or depth.
 */
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "store/store.h"
#include "store/store_util.h"

#define ORG_SELECT                                                             \
    "SELECT o.id, COALESCE(o.parent_id, 0), o.code, o.name, o.level, o.path, " \
    "o.depth, COALESCE(p.code, ''), o.children, "                              \
    "o.created_at, o.updated_at, o.district_id, o.descendants, o.auto_approve " \
    "FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id "

static void read_org(struct db_stmt *st, struct org_rec *o)
{
    o->id = db_i64(st, 0);
    o->parent_id = db_i64(st, 1);
    store_col(st, 2, o->code, sizeof o->code);
    store_col(st, 3, o->name, sizeof o->name);
    store_col(st, 4, o->level, sizeof o->level);
    store_col(st, 5, o->path, sizeof o->path);
    o->depth = (int)db_i64(st, 6);
    store_col(st, 7, o->parent_code, sizeof o->parent_code);
    o->children = db_i64(st, 8);
    o->created_at = db_i64(st, 9);
    o->updated_at = db_i64(st, 10);
    o->district_id = db_i64(st, 11);
    o->descendants = db_i64(st, 12);
    o->auto_approve = db_i64(st, 13) != 0;
}

static int one_org(struct db_stmt *st, struct org_rec *out)
{
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_org(st, out);
    db_done(st);
    return rc;
}

int store_org_by_code(struct db *db, const char *code, struct org_rec *out)
{
    return one_org(db_run(db, ORG_SELECT "WHERE o.code = $1", "s", code), out);
}

int store_org_by_id(struct db *db, int64_t id, struct org_rec *out)
{
    return one_org(db_run(db, ORG_SELECT "WHERE o.id = $1", "i", id), out);
}

int store_org_by_join_token(struct db *db, const char *token, struct org_rec *out,
                            int64_t *event_id)
{
    /* The event's id rides after the org's columns. */
    struct db_stmt *st = db_run(db, "SELECT o.id, COALESCE(o.parent_id, 0), o.code, o.name, "
        "o.level, o.path, o.depth, COALESCE(p.code, ''), o.children, o.created_at, "
        "o.updated_at, o.district_id, o.descendants, o.auto_approve, "
        "COALESCE(t.event_id, 0) "
        "FROM join_tokens t JOIN orgs o ON o.id = t.org_id "
        "LEFT JOIN orgs p ON p.id = o.parent_id WHERE t.token = $1", "s", token);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        read_org(st, out);
        *event_id = db_i64(st, 14);
    }
    db_done(st);
    return rc;
}

int store_org_insert(struct db *db, struct org_rec *o)
{
    char parent_path[ORG_PATH_MAX + 1] = "/";
    int depth = 0;
    int64_t district = 0;
    if (o->parent_id) {
        struct org_rec p;
        int rc = store_org_by_id(db, o->parent_id, &p);
        if (rc != DB_OK)
            return rc;
        ub_strlcpy(parent_path, p.path, sizeof parent_path);
        depth = p.depth + 1;
        if (depth >= ORG_MAX_DEPTH)
            return DB_CONSTRAINT;       /* deeper than the tree may grow */
        district = p.district_id;
    }
    int64_t now = ub_now();
    /* The path needs the new id: insert under a unique placeholder path,
     * then set it, inside the caller's transaction. */
    char tmp[ORG_CODE_MAX + 3];
    snprintf(tmp, sizeof tmp, "#%s", o->code);
    struct db_stmt *st = db_run(db,
        "INSERT INTO orgs (code, name, level, parent_id, path, depth, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        "sssIsii", o->code, o->name, o->level, o->parent_id,
        tmp, (int64_t)depth, now);
    if (!st)
        return DB_ERROR;
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc == DB_DONE ? DB_ERROR : rc;
    }
    o->id = db_i64(st, 0);
    db_done(st);
    int n = snprintf(o->path, sizeof o->path, "%s%lld/", parent_path, (long long)o->id);
    if (n < 0 || (size_t)n >= sizeof o->path)
        return DB_CONSTRAINT;   /* deeper than a path can hold */
    o->depth = depth;
    o->created_at = o->updated_at = now;
    o->children = 0;
    o->district_id = strcmp(o->level, "district") == 0 ? o->id : district;
    o->descendants = 0;
    rc = db_exec_stmt(db, "UPDATE orgs SET path = $1, district_id = $2 WHERE id = $3",
                      "sii", o->path, o->district_id, o->id);
    if (rc != DB_OK || !o->parent_id)
        return rc;
    /* Keep the counters: the parent has one more child, every ancestor
     * (named by the path) one more descendant. */
    rc = db_exec_stmt(db, "UPDATE orgs SET children = children + 1 WHERE id = $1", "i",
                      o->parent_id);
    for (const char *p = parent_path; rc == DB_OK && *p;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        int64_t id = 0;
        while (*p >= '0' && *p <= '9')
            id = id * 10 + (*p++ - '0');
        rc = db_exec_stmt(db, "UPDATE orgs SET descendants = descendants + 1 WHERE id = $1",
                          "i", id);
    }
    return rc;
}

int store_org_rename(struct db *db, int64_t id, const char *name, int64_t now)
{
    int rc = db_exec_stmt(db, "UPDATE orgs SET name = $1, updated_at = $2 WHERE id = $3",
                          "sii", name, now, id);
    if (rc == DB_OK)
        db_mark_changed(db);        /* the join page shows the name */
    return rc;
}

int store_org_set_auto_approve(struct db *db, int64_t id, bool on, int64_t now)
{
    return db_exec_stmt(db, "UPDATE orgs SET auto_approve = $1, updated_at = $2 WHERE id = $3",
                        "iii", (int64_t)on, now, id);
}

static int walk(struct db_stmt *st, org_cb cb, void *ud)
{
    if (!st)
        return DB_ERROR;
    int rc, stop = 0;
    struct org_rec o;
    while ((rc = db_step(st)) == DB_ROW) {
        read_org(st, &o);
        if ((stop = cb(ud, &o)) != 0)
            break;
    }
    db_done(st);
    if (stop)
        return stop;
    return rc == DB_DONE ? DB_OK : rc;
}

int store_org_children(struct db *db, int64_t parent_id, const char *after, int limit,
                       org_cb cb, void *ud)
{
    if (parent_id == 0)
        return walk(db_run(db, ORG_SELECT "WHERE o.parent_id IS NULL AND o.code > $1 "
                                          "ORDER BY o.code LIMIT $2",
                           "si", after ? after : "", (int64_t)limit), cb, ud);
    return walk(db_run(db, ORG_SELECT "WHERE o.parent_id = $1 AND o.code > $2 "
                                      "ORDER BY o.code LIMIT $3",
                       "isi", parent_id, after ? after : "", (int64_t)limit), cb, ud);
}

int store_org_ancestors(struct db *db, const struct org_rec *o, org_cb cb, void *ud)
{
    /* The ancestors' paths are the prefixes of o's path: one query for all
     * of them (the tree is never deeper than ORG_MAX_DEPTH). */
    const char *pre[ORG_MAX_DEPTH] = {0};
    char buf[ORG_PATH_MAX + 1];
    ub_strlcpy(buf, o->path, sizeof buf);
    char copies[ORG_MAX_DEPTH][ORG_PATH_MAX + 1];
    int n = 0;
    for (char *p = buf + 1; *p && n < ORG_MAX_DEPTH; p++) {
        if (*p == '/') {
            size_t len = (size_t)(p - buf) + 1;
            memcpy(copies[n], buf, len);
            copies[n][len] = 0;
            pre[n] = copies[n];
            n++;
        }
    }
    return walk(db_run(db, ORG_SELECT
                       "WHERE o.path IN ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                       "$13, $14, $15, $16) ORDER BY o.depth",
                       "ssssssssssssssss", pre[0], pre[1], pre[2], pre[3], pre[4], pre[5],
                       pre[6], pre[7], pre[8], pre[9], pre[10], pre[11], pre[12], pre[13],
                       pre[14], pre[15]), cb, ud);
}

int store_org_count(struct db *db, int64_t *n)
{
    struct db_stmt *st = db_run(db, "SELECT count(*) FROM orgs", "");
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        *n = db_i64(st, 0);
    db_done(st);
    return rc;
}

int store_org_subtree_count(struct db *db, const char *path, int64_t *n)
{
    if (strcmp(path, "/") == 0)
        return store_org_count(db, n);
    struct db_stmt *st = db_run(db, "SELECT descendants + 1 FROM orgs WHERE path = $1", "s",
                                path);
    int rc = store_one(db_step(st));
    *n = rc == DB_OK ? db_i64(st, 0) : 0;
    db_done(st);
    return rc == DB_NOTFOUND ? DB_OK : rc;
}

int store_org_search(struct db *db, const char *path, const char *q, int limit,
                     org_cb cb, void *ud)
{
    char hi[ORG_PATH_MAX + 2], like[3 * ORG_NAME_MAX + 3];
    store_subtree_hi(path, hi, sizeof hi);
    store_like_pattern(q, like, sizeof like);
    return walk(db_run(db, ORG_SELECT
                       "WHERE o.path >= $1 AND o.path < $2 "
                       "AND (o.name LIKE $3 ESCAPE '\\' OR o.code LIKE $3 ESCAPE '\\') "
                       "ORDER BY o.path LIMIT $4",
                       "sssi", path, hi, like, (int64_t)limit), cb, ud);
}
