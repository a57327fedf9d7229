/*
 * auth.c: bearer tokens, session cookies and CSRF tokens.
 */
#include "http/auth.h"

#include <string.h>

#include "domain/staff.h"
#include "lib/crypto.h"

static const char *bearer(struct req *r)
{
    const char *h = req_header(r, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return h;
}

int auth_staff_or_reply(struct req *r)
{
    const char *token = bearer(r);
    bool cookie = false;
    if (!token) {
        token = req_cookie(r, AUTH_SESSION_COOKIE);
        cookie = token != NULL;
    }
    if (!token) {
        reply_error(r, 401, "unauthenticated", "请先登录");
        return -1;
    }
    struct db *db = req_db_or_reply(r);
    if (!db)
        return -1;
    struct ub_err err;
    if (staff_authenticate(db, token, r->addr, &r->actor, &err)) {
        reply_err(r, &err);
        return -1;
    }
    r->actor.via_cookie = cookie;
    r->authed = true;
    return 0;
}

static bool safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

int auth_csrf_or_reply(struct req *r)
{
    if (!r->actor.via_cookie || safe_method(r->method))
        return 0;
    const char *t = req_header(r, "X-CSRF-Token");
    if (!t)
        t = req_form(r, "csrf");
    if (t && *r->actor.csrf && crypto_streq(t, r->actor.csrf))
        return 0;
    reply_error(r, 403, "csrf_failed", "页面已过期，请刷新后重试");
    return -1;
}

int auth_login_csrf_or_reply(struct req *r)
{
    const char *c = req_cookie(r, AUTH_CSRF_COOKIE);
    const char *f = req_form(r, "csrf");
    if (c && f && strlen(c) >= 16 && crypto_streq(c, f))
        return 0;
    reply_error(r, 403, "csrf_failed", "页面已过期，请刷新后重试");
    return -1;
}

const char *auth_login_csrf_token(struct req *r)
{
    const char *c = req_cookie(r, AUTH_CSRF_COOKIE);
    if (c && strlen(c) >= 16 && strlen(c) <= 64) {
        bool ok = true;
        for (const char *p = c; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                  || (*p >= '0' && *p <= '9')))
                ok = false;
        if (ok)
            return c;
    }
    char *t = arena_alloc(&r->arena, 33);
    crypto_random_alnum(t, 33);
    reply_cookie(r, AUTH_CSRF_COOKIE, t, -1);
    return t;
}
