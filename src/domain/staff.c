/*
 * staff.c: accounts, sign-in with rate limits, sessions and tokens.
 */
#include "domain/staff.h"

#include <stdio.h>
#include <string.h>

#include "domain/audit.h"

bool staff_login_valid(const char *login)
{
    size_t n = login ? strlen(login) : 0;
    if (n < 1 || n > 64)
        return false;
    for (const char *p = login; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '.' || c == '_' || c == '-' || c == '@'))
            return false;
    }
    return true;
}

static int password_check(const char *pw, struct ub_err *err)
{
    if (!pw || ub_utf8_len(pw) < STAFF_PASSWORD_MIN)
        return ub_fail_field(err, UB_EINVALID, "weak_password", "password",
                             "密码至少需要%d个字符", STAFF_PASSWORD_MIN);
    if (strlen(pw) > 256 || !ub_utf8_text(pw, false))
        return ub_fail_field(err, UB_EINVALID, "invalid_password", "password",
                             "密码过长或含有无效字符");
    return 0;
}

int staff_add(struct db *db, const struct actor *a, const char *login,
              const char *password, const char *role, const char *org,
              struct user_rec *out, struct ub_err *err)
{
    memset(out, 0, sizeof *out);
    if (!staff_login_valid(login))
        return ub_fail_field(err, UB_EINVALID, "invalid_login", "login",
                             "登录名应为1-64位字母、数字或 . _ - @");
    enum role r = role_parse(role);
    if (r == ROLE_NONE)
        return ub_fail_field(err, UB_EINVALID, "invalid_role", "role",
                             "角色应为 admin、federation、union 或 viewer");
    if (password_check(password, err))
        return -1;
    if (r == ROLE_ADMIN && a->role != ROLE_ADMIN)
        return ub_fail(err, UB_EFORBID, "forbidden", "只有系统管理员可以创建管理员");
    if (org && *org) {
        struct org_rec o;
        int rc = store_org_by_code(db, org, &o);
        if (rc == DB_NOTFOUND)
            return ub_fail_field(err, UB_EINVALID, "org_not_found", "org",
                                 "组织 %s 不存在", org);
        if (rc != DB_OK)
            return ub_fail_store(err, rc);
        if (actor_may(a, PERM_MANAGE, o.path, err))
            return -1;
        out->org_id = o.id;
        ub_strlcpy(out->org_code, o.code, sizeof out->org_code);
        ub_strlcpy(out->org_path, o.path, sizeof out->org_path);
    } else if (r != ROLE_ADMIN || a->org_path[0]) {
        return ub_fail_field(err, UB_EINVALID, "missing_field", "org",
                             "请指定账号所属组织 (--org)");
    }
    ub_strlcpy(out->login, login, sizeof out->login);
    ub_strlcpy(out->role, role_name(r), sizeof out->role);
    if (crypto_password_hash(password, out->pw_hash))
        return ub_fail(err, UB_ESTORE, "hash_failed", "无法计算密码摘要");
    if (tx_begin(db, err))
        return -1;
    int rc = store_user_insert(db, out);
    if (rc == DB_CONFLICT) {
        db_rollback(db);
        return ub_fail_field(err, UB_ECONFLICT, "login_taken", "login",
                             "登录名 %s 已存在", login);
    }
    if (rc == DB_OK)
        rc = audit_log(db, a, "user.create", "user", login, out->org_id,
                       json_pack("{s:s, s:s}", "role", out->role, "org", out->org_code));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}

int staff_set_password(struct db *db, const struct actor *a, const char *login,
                       const char *password, struct ub_err *err)
{
    struct user_rec u;
    int rc = store_user_by_login(db, login, &u);
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "user_not_found", "账号 %s 不存在", login);
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (actor_may(a, PERM_MANAGE, u.org_path, err) || password_check(password, err))
        return -1;
    char hash[CRYPTO_PWHASH_LEN];
    if (crypto_password_hash(password, hash))
        return ub_fail(err, UB_ESTORE, "hash_failed", "无法计算密码摘要");
    if (tx_begin(db, err))
        return -1;
    /* A new password ends every session and token: whoever knew the old
     * one is signed out everywhere. */
    rc = store_user_set_password(db, u.id, hash);
    if (rc == DB_OK)
        rc = store_session_delete_user(db, u.id);
    if (rc == DB_OK)
        rc = audit_log(db, a, "user.password", "user", login, u.org_id, NULL);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}

/* Opens a session or token of `kind` for u inside the caller's transaction. */
static int open_session(struct db *db, const struct user_rec *u, const char *kind,
                        int64_t ttl, struct staff_session *out)
{
    struct session_rec s = {.user_id = u->id, .created_at = ub_now()};
    crypto_token(out->token);
    crypto_digest_hex(out->token, s.digest);
    crypto_random_alnum(out->csrf, 33);
    ub_strlcpy(s.csrf, out->csrf, sizeof s.csrf);
    ub_strlcpy(s.kind, kind, sizeof s.kind);
    s.expires_at = ttl ? s.created_at + ttl : 0;
    out->expires_at = s.expires_at;
    out->user = *u;
    return store_session_insert(db, &s);
}

static void user_actor(const struct user_rec *u, const char *addr, struct actor *a)
{
    memset(a, 0, sizeof *a);
    a->user_id = u->id;
    ub_strlcpy(a->login, u->login, sizeof a->login);
    a->role = role_parse(u->role);
    a->org_id = u->org_id;
    ub_strlcpy(a->org_code, u->org_code, sizeof a->org_code);
    ub_strlcpy(a->org_path, u->org_path, sizeof a->org_path);
    a->district_id = u->district_id;
    ub_strlcpy(a->addr, addr ? addr : "", sizeof a->addr);
}

int staff_login(struct db *db, const char *login, const char *password,
                const char *addr, struct staff_session *out, struct ub_err *err)
{
    memset(out, 0, sizeof *out);
    if (!login || !password || !*login || !*password)
        return ub_fail(err, UB_EBAD, "missing_field", "请填写登录名和密码");
    char acct_key[96], addr_key[96];
    snprintf(acct_key, sizeof acct_key, "login:acct:%.64s", login);
    snprintf(addr_key, sizeof addr_key, "login:addr:%.64s", addr ? addr : "");
    int64_t now = ub_now(), acct_n = 0, addr_n = 0, acct_t, addr_t;
    int rc = store_rate_get(db, acct_key, now, STAFF_RATE_WINDOW, &acct_n, &acct_t);
    if (rc == DB_OK)
        rc = store_rate_get(db, addr_key, now, STAFF_RATE_WINDOW, &addr_n, &addr_t);
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (acct_n >= STAFF_RATE_ACCOUNT || addr_n >= STAFF_RATE_ADDR) {
        /* Locked until the later of the windows that is full closes. */
        int64_t until = 0;
        if (acct_n >= STAFF_RATE_ACCOUNT)
            until = acct_t + STAFF_RATE_WINDOW;
        if (addr_n >= STAFF_RATE_ADDR && addr_t + STAFF_RATE_WINDOW > until)
            until = addr_t + STAFF_RATE_WINDOW;
        int wait = until > now ? (int)(until - now) : 1;
        ub_fail(err, UB_ERATE, "too_many_attempts", "登录失败次数过多，请%d分钟后再试",
                (wait + 59) / 60);
        err->retry_after = wait;
        return -1;
    }

    struct user_rec u;
    rc = store_user_by_login(db, login, &u);
    if (rc != DB_OK && rc != DB_NOTFOUND)
        return ub_fail_store(err, rc);
    /* Spend one hash whether or not the account exists. */
    bool ok = crypto_password_verify(rc == DB_OK ? u.pw_hash : crypto_dummy_hash(),
                                     password)
              && rc == DB_OK && !u.disabled;

    struct actor who;
    if (rc == DB_OK)
        user_actor(&u, addr, &who);
    else {
        actor_cli(&who);
        ub_strlcpy(who.login, staff_login_valid(login) ? login : "?", sizeof who.login);
        ub_strlcpy(who.addr, addr ? addr : "", sizeof who.addr);
    }
    if (tx_begin(db, err))
        return -1;
    if (!ok) {
        rc = store_rate_hit(db, acct_key, now, STAFF_RATE_WINDOW, &acct_n, &acct_t);
        if (rc == DB_OK)
            rc = store_rate_hit(db, addr_key, now, STAFF_RATE_WINDOW, &addr_n, &addr_t);
        if (rc == DB_OK)
            rc = audit_log(db, &who, "auth.login_failed", "user",
                           staff_login_valid(login) ? login : "?", 0, NULL);
        if (rc != DB_OK)
            return tx_fail(db, rc, err);
        if (tx_commit(db, err))
            return -1;
        return ub_fail(err, UB_EAUTH, "bad_credentials", "登录名或密码错误");
    }
    rc = store_rate_clear(db, acct_key);
    if (rc == DB_OK)
        rc = open_session(db, &u, "session", STAFF_SESSION_TTL, out);
    if (rc == DB_OK)
        rc = audit_log(db, &who, "auth.login", "user", u.login, u.org_id, NULL);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}

int staff_token_create(struct db *db, const struct actor *a, const char *login,
                       struct staff_session *out, struct ub_err *err)
{
    memset(out, 0, sizeof *out);
    struct user_rec u;
    int rc = store_user_by_login(db, login ? login : "", &u);
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "user_not_found", "账号 %s 不存在",
                       login ? login : "");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (actor_may(a, PERM_MANAGE, u.org_path, err))
        return -1;
    if (u.disabled)
        return ub_fail(err, UB_EINVALID, "user_disabled", "账号 %s 已停用", login);
    if (tx_begin(db, err))
        return -1;
    rc = open_session(db, &u, "api", 0, out);
    if (rc == DB_OK)
        rc = audit_log(db, a, "token.create", "user", u.login, u.org_id, NULL);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}

int staff_authenticate(struct db *db, const char *token, const char *addr,
                       struct actor *out, struct ub_err *err)
{
    if (!token || strlen(token) != CRYPTO_TOKEN_LEN)
        return ub_fail(err, UB_EAUTH, "unauthenticated", "请先登录");
    struct session_rec s;
    struct user_rec u;
    char digest[CRYPTO_DIGEST_HEX + 1];
    crypto_digest_hex(token, digest);
    int rc = store_session_find(db, digest, ub_now(), &s, &u);
    if (rc == DB_NOTFOUND || (rc == DB_OK && u.disabled))
        return ub_fail(err, UB_EAUTH, "unauthenticated", "登录已失效，请重新登录");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    user_actor(&u, addr, out);
    ub_strlcpy(out->session, digest, sizeof out->session);
    ub_strlcpy(out->csrf, s.csrf, sizeof out->csrf);
    return 0;
}

int staff_logout(struct db *db, const struct actor *a, struct ub_err *err)
{
    if (tx_begin(db, err))
        return -1;
    int rc = store_session_delete(db, a->session);
    if (rc == DB_OK)
        rc = audit_log(db, a, "auth.logout", "user", a->login, a->org_id, NULL);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}
