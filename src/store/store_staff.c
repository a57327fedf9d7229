/*
 * store_staff.c: staff accounts, sessions and tokens, rate-limit counters.
 * Everything here is shared state that several serve processes must agree
 * on, so it lives in the database and nowhere else.
 */
#include <string.h>

#include "lib/util.h"
#include "store/store.h"
#include "store/store_util.h"

#define USER_SELECT                                                            \
    "SELECT u.id, u.login, COALESCE(u.name, ''), u.pw_hash, u.role, "          \
    "COALESCE(u.org_id, 0), COALESCE(o.code, ''), COALESCE(o.path, ''), "      \
    "u.disabled, u.created_at, COALESCE(o.district_id, 0) "                    \
    "FROM users u LEFT JOIN orgs o ON o.id = u.org_id "

static void read_user(struct db_stmt *st, int c, struct user_rec *u)
{
    u->id = db_i64(st, c + 0);
    store_col(st, c + 1, u->login, sizeof u->login);
    store_col(st, c + 2, u->name, sizeof u->name);
    store_col(st, c + 3, u->pw_hash, sizeof u->pw_hash);
    store_col(st, c + 4, u->role, sizeof u->role);
    u->org_id = db_i64(st, c + 5);
    store_col(st, c + 6, u->org_code, sizeof u->org_code);
    store_col(st, c + 7, u->org_path, sizeof u->org_path);
    u->disabled = db_i64(st, c + 8) != 0;
    u->created_at = db_i64(st, c + 9);
    u->district_id = db_i64(st, c + 10);
}

static int one_user(struct db_stmt *st, struct user_rec *out)
{
    int rc = store_one(db_step(st));
    if (rc == DB_OK)
        read_user(st, 0, out);
    db_done(st);
    return rc;
}

int store_user_insert(struct db *db, struct user_rec *u)
{
    u->created_at = ub_now();
    struct db_stmt *st = db_run(db,
        "INSERT INTO users (login, name, pw_hash, role, org_id, disabled, created_at) "
        "VALUES ($1, $2, $3, $4, $5, 0, $6) RETURNING id",
        "ssssIi", u->login, *u->name ? u->name : NULL, u->pw_hash, u->role,
        u->org_id, u->created_at);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        u->id = db_i64(st, 0);
        rc = DB_OK;
    } else if (rc == DB_DONE) {
        rc = DB_ERROR;
    }
    db_done(st);
    return rc;
}

int store_user_by_login(struct db *db, const char *login, struct user_rec *out)
{
    return one_user(db_run(db, USER_SELECT "WHERE u.login = $1", "s", login), out);
}

int store_user_by_id(struct db *db, int64_t id, struct user_rec *out)
{
    return one_user(db_run(db, USER_SELECT "WHERE u.id = $1", "i", id), out);
}

int store_user_set_password(struct db *db, int64_t id, const char *pw_hash)
{
    return db_exec_stmt(db, "UPDATE users SET pw_hash = $1 WHERE id = $2", "si",
                        pw_hash, id);
}

int store_session_insert(struct db *db, const struct session_rec *s)
{
    return db_exec_stmt(db,
        "INSERT INTO sessions (digest, user_id, kind, csrf, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        "sissii", s->digest, s->user_id, s->kind, s->csrf, s->created_at, s->expires_at);
}

int store_session_find(struct db *db, const char *digest, int64_t now,
                       struct session_rec *s, struct user_rec *u)
{
    struct db_stmt *st = db_run(db,
        "SELECT s.digest, s.user_id, s.kind, s.csrf, s.created_at, s.expires_at, "
        "u.id, u.login, COALESCE(u.name, ''), u.pw_hash, u.role, "
        "COALESCE(u.org_id, 0), COALESCE(o.code, ''), COALESCE(o.path, ''), "
        "u.disabled, u.created_at, COALESCE(o.district_id, 0) "
        "FROM sessions s JOIN users u ON u.id = s.user_id "
        "LEFT JOIN orgs o ON o.id = u.org_id "
        "WHERE s.digest = $1 AND (s.expires_at = 0 OR s.expires_at > $2)",
        "si", digest, now);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        store_col(st, 0, s->digest, sizeof s->digest);
        s->user_id = db_i64(st, 1);
        store_col(st, 2, s->kind, sizeof s->kind);
        store_col(st, 3, s->csrf, sizeof s->csrf);
        s->created_at = db_i64(st, 4);
        s->expires_at = db_i64(st, 5);
        read_user(st, 6, u);
    }
    db_done(st);
    return rc;
}

int store_session_delete(struct db *db, const char *digest)
{
    return db_exec_stmt(db, "DELETE FROM sessions WHERE digest = $1", "s", digest);
}

int store_session_delete_user(struct db *db, int64_t user_id)
{
    return db_exec_stmt(db, "DELETE FROM sessions WHERE user_id = $1", "i", user_id);
}

int store_session_purge(struct db *db, int64_t now)
{
    return db_exec_stmt(db,
        "DELETE FROM sessions WHERE expires_at <> 0 AND expires_at <= $1", "i", now);
}

int store_rate_hit(struct db *db, const char *key, int64_t now, int64_t len,
                   int64_t *count, int64_t *started)
{
    return store_rate_add(db, key, 1, now, len, count, started);
}

int store_rate_add(struct db *db, const char *key, int64_t n, int64_t now, int64_t len,
                   int64_t *count, int64_t *started)
{
    struct db_stmt *st = db_run(db,
        "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, $4) "
        "ON CONFLICT (key) DO UPDATE SET "
        "count = CASE WHEN rate_limits.window_start > $3 "
        "THEN rate_limits.count + $4 ELSE $4 END, "
        "window_start = CASE WHEN rate_limits.window_start > $3 "
        "THEN rate_limits.window_start ELSE excluded.window_start END "
        "RETURNING count, window_start",
        "siii", key, now, now - len, n);
    int rc = store_one(db_step(st));
    if (rc == DB_OK) {
        *count = db_i64(st, 0);
        *started = db_i64(st, 1);
    }
    db_done(st);
    return rc;
}

int store_rate_get(struct db *db, const char *key, int64_t now, int64_t len,
                   int64_t *count, int64_t *started)
{
    struct db_stmt *st = db_run(db,
        "SELECT count, window_start FROM rate_limits "
        "WHERE key = $1 AND window_start > $2",
        "si", key, now - len);
    int rc = db_step(st);
    *count = rc == DB_ROW ? db_i64(st, 0) : 0;
    *started = rc == DB_ROW ? db_i64(st, 1) : now;
    db_done(st);
    return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

int store_rate_clear(struct db *db, const char *key)
{
    return db_exec_stmt(db, "DELETE FROM rate_limits WHERE key = $1", "s", key);
}
