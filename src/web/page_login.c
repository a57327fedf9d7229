/*
 * page_login.c: the sign-in page and sign-out.
 */
#include <string.h>

#include "domain/staff.h"
#include "http/auth.h"
#include "http/html.h"
#include "web/page.h"

static void login_form(struct req *r, const char *login, const char *error)
{
    const char *csrf = auth_login_csrf_token(r);
    page_begin(r, "登录");
    html_printf(&r->out,
        "<section class=\"card narrow\"><h1>工作人员登录</h1>");
    if (error)
        html_printf(&r->out, "<p class=\"alert\" role=\"alert\">%s</p>", error);
    html_printf(&r->out,
        "<form method=\"post\" action=\"/login\" class=\"stack\">"
        "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
        "<label>登录名<input name=\"login\" value=\"%s\" autocomplete=\"username\" "
        "required autofocus maxlength=\"64\"></label>"
        "<label>密码<input name=\"password\" type=\"password\" "
        "autocomplete=\"current-password\" required maxlength=\"256\"></label>"
        "<button type=\"submit\">登录</button></form></section>",
        csrf, login ? login : "");
    page_end(r);
}

void page_login(struct req *r)
{
    login_form(r, NULL, NULL);
}

void page_login_post(struct req *r)
{
    const char *login = req_form(r, "login");
    const char *password = req_form(r, "password");
    struct db *db = req_db_or_reply(r);
    if (!db)
        return;
    struct staff_session s;
    struct ub_err err;
    if (staff_login(db, login, password, r->addr, &s, &err)) {
        login_form(r, login, err.msg);
        r->status = err.kind == UB_ERATE ? 429 : 401;
        return;
    }
    reply_cookie(r, AUTH_SESSION_COOKIE, s.token, STAFF_SESSION_TTL);
    reply_redirect(r, "/console");
}

void page_logout(struct req *r)
{
    struct ub_err err;
    if (staff_logout(r->db, &r->actor, &err)) {
        reply_err(r, &err);
        return;
    }
    reply_cookie(r, AUTH_SESSION_COOKIE, "", 0);
    reply_redirect(r, "/login");
}
