/*
 * api_auth.c: staff sign-in and sign-out over the API.
 */
#include "api/api.h"
#include "domain/staff.h"

static json_t *user_json(const struct actor *a)
{
    return json_pack("{s:s, s:s, s:s?}", "login", a->login, "role", role_name(a->role),
                     "org", *a->org_code ? a->org_code : NULL);
}

void api_auth_login(struct req *r)
{
    static const char *const fields[] = {"login", "password", NULL};
    json_t *in = req_json_or_reply(r, fields);
    if (!in)
        return;
    const char *login, *password;
    struct db *db;
    if (json_str_or_reply(r, in, "login", &login)
        || json_str_or_reply(r, in, "password", &password)
        || !(db = req_db_or_reply(r))) {
        json_decref(in);
        return;
    }
    struct staff_session s;
    struct ub_err err;
    if (staff_login(db, login, password, r->addr, &s, &err)) {
        json_decref(in);
        reply_err(r, &err);
        return;
    }
    json_decref(in);
    struct actor a;
    actor_cli(&a);
    ub_strlcpy(a.login, s.user.login, sizeof a.login);
    a.role = role_parse(s.user.role);
    ub_strlcpy(a.org_code, s.user.org_code, sizeof a.org_code);
    reply_json(r, 200, json_pack("{s:s, s:o, s:o}", "token", s.token,
                                 "expires_at", api_time_json(s.expires_at),
                                 "user", user_json(&a)));
}

void api_auth_logout(struct req *r)
{
    struct ub_err err;
    if (staff_logout(r->db, &r->actor, &err)) {
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

void api_auth_me(struct req *r)
{
    reply_json(r, 200, user_json(&r->actor));
}
