/*
 * page_join.c: the mobile join page (GET and POST /j/TOKEN).
 *
 * Plain HTML forms, no script, one small cached style sheet: it must load
 * fast on a cheap phone in an in-app browser and stay under 30 KB.  Errors
 * show next to their field, keeping what was typed.  On success the page
 * says what happens next and keeps the worker's personal token in a cookie
 * (their member card, once approved).
 */
#include <string.h>

#include "domain/member.h"
#include "http/html.h"
#include "http/server.h"
#include "lib/bodycache.h"
#include "site.h"
#include "web/page.h"

#define MEMBER_COOKIE "ub_member"

struct join_form {
    const char *name, *id_number, *phone, *employer_name, *employer_uscc, *category;
    bool migrant, consent;
    const struct ub_err *err;           /* NULL: no error to show */
};

static void head(struct req *r, const char *title, const struct org_rec *org)
{
    r->status = 200;
    r->ctype = "text/html; charset=utf-8";
    html_printf(&r->out,
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        "<title>%s</title><link rel=\"stylesheet\" href=\"/static/join.css\"></head><body>"
        "<header><h1>%s</h1><p>%s</p></header><main>",
        title, title, org->name);
}

static void foot(struct req *r)
{
    html_raw_trusted(&r->out, "</main><footer>连心桥 · 工会入会服务</footer></body></html>\n");
}

/* Opens a field's block, marked when the error is about it. */
static void field_open(struct req *r, const struct join_form *f, const char *name)
{
    bool bad = f->err && strcmp(f->err->field, name) == 0;
    html_printf(&r->out, "<div class=\"f%s\">", bad ? " bad" : "");
}

static void field_close(struct req *r, const struct join_form *f, const char *name)
{
    if (f->err && strcmp(f->err->field, name) == 0)
        html_printf(&r->out, "<p class=\"e\" id=\"%s-e\">%s</p>", name, f->err->msg);
    html_raw_trusted(&r->out, "</div>");
}

static void text_field(struct req *r, const struct join_form *f, const char *name,
                       const char *label, const char *value, const char *type,
                       const char *extra, const char *hint)
{
    field_open(r, f, name);
    html_printf(&r->out, "<label for=\"%s\">%s</label>", name, label);
    html_printf(&r->out, "<input type=\"%s\" id=\"%s\" name=\"%s\" value=\"%s\" ", type, name,
                name, value ? value : "");
    html_raw_trusted(&r->out, extra);
    html_raw_trusted(&r->out, ">");
    if (hint)
        html_printf(&r->out, "<p class=\"h\">%s</p>", hint);
    field_close(r, f, name);
}

static void render_form(struct req *r, const char *token, const struct org_rec *org,
                        const struct join_form *f)
{
    head(r, "加入工会", org);
    struct buf *b = &r->out;
    if (f->err && !*f->err->field)
        html_printf(b, "<p class=\"alert\" role=\"alert\">%s</p>", f->err->msg);
    html_raw_trusted(b, "<form method=\"post\" action=\"/j/");
    html_url_escape(b, token);
    html_raw_trusted(b, "\" novalidate>");
    text_field(r, f, "name", "姓名", f->name, "text",
               "required maxlength=\"30\" autocomplete=\"name\"", NULL);
    text_field(r, f, "id_number", "身份证号", f->id_number, "text",
               "required maxlength=\"18\" autocomplete=\"off\" autocapitalize=\"characters\"",
               "18位，末位可以是X");
    text_field(r, f, "phone", "手机号", f->phone, "tel",
               "required maxlength=\"11\" inputmode=\"numeric\" autocomplete=\"tel\"", NULL);
    text_field(r, f, "employer_name", "工作单位", f->employer_name, "text",
               "maxlength=\"100\" autocomplete=\"organization\"", "选填；没有固定单位可不填");
    text_field(r, f, "employer_uscc", "单位统一社会信用代码", f->employer_uscc, "text",
               "maxlength=\"18\" autocapitalize=\"characters\"", "选填");

    field_open(r, f, "category");
    html_raw_trusted(b, "<label for=\"category\">职工类别</label>"
                        "<select id=\"category\" name=\"category\" required>"
                        "<option value=\"\">请选择</option>");
    for (const struct category *c = member_categories; c->code; c++)
        html_printf(b, "<option value=\"%s\"%s>%s</option>", c->code,
                    f->category && strcmp(f->category, c->code) == 0 ? " selected" : "",
                    c->label);
    html_raw_trusted(b, "</select>");
    field_close(r, f, "category");

    field_open(r, f, "migrant");
    html_printf(b, "<span class=\"l\">是否外地来京务工</span><div class=\"r\">"
                   "<label><input type=\"radio\" name=\"migrant\" value=\"1\"%s>是</label>"
                   "<label><input type=\"radio\" name=\"migrant\" value=\"0\"%s>否</label></div>",
                f->migrant ? " checked" : "", f->migrant ? "" : " checked");
    field_close(r, f, "migrant");

    field_open(r, f, "consent_version");
    html_printf(b, "<div class=\"c\"><p>%s</p><label><input type=\"checkbox\" name=\"consent\" "
                   "value=\"%s\"%s> 我已阅读并同意以上个人信息告知<span class=\"nw\">（第%s版）</span></label></div>",
                join_notice, JOIN_NOTICE_VERSION, f->consent ? " checked" : "",
                JOIN_NOTICE_VERSION);
    field_close(r, f, "consent_version");
    html_raw_trusted(b, "<button type=\"submit\">提交入会申请</button></form>");
    foot(r);
}

static int org_or_reply(struct req *r, const char *token, struct org_rec *org)
{
    struct db *db = req_db_or_reply(r);
    if (!db)
        return -1;
    struct ub_err err;
    if (join_token_org(db, token, org, NULL, &err)) {
        reply_err(r, &err);
        return -1;
    }
    return 0;
}

void page_join(struct req *r)
{
    const char *token = req_param(r, "token");
    /* The blank form is the same for everyone who scans a token: rendered
     * once, kept until the org changes (or a second passes). */
    struct body_cache *cache = site_of(r)->join_pages;
    uint64_t gen = store_generation(http_config_of(r)->store);
    if (cache && body_cache_get(cache, token, gen, &r->out)) {
        r->status = 200;
        r->ctype = "text/html; charset=utf-8";
    } else {
        struct org_rec org;
        if (org_or_reply(r, token, &org))
            return;
        struct join_form f = {.migrant = false};
        render_form(r, token, &org, &f);
        if (cache)
            body_cache_put(cache, token, gen, r->out.data, r->out.len);
    }
    req_add_header(r, "Cache-Control", "no-store");
}

void page_join_post(struct req *r)
{
    const char *token = req_param(r, "token");
    struct org_rec org;
    if (org_or_reply(r, token, &org))
        return;
    const char *mig = req_form(r, "migrant");
    const char *consent = req_form(r, "consent");
    struct join_form f = {
        .name = req_form(r, "name"),
        .id_number = req_form(r, "id_number"),
        .phone = req_form(r, "phone"),
        .employer_name = req_form(r, "employer_name"),
        .employer_uscc = req_form(r, "employer_uscc"),
        .category = req_form(r, "category"),
        .migrant = mig && strcmp(mig, "1") == 0,
        .consent = consent != NULL,
    };
    /* People type spaces and lower-case x; trim what the form sends. */
    char id[40] = "", phone[40] = "";
    if (f.id_number) {
        size_t j = 0;
        for (const char *p = f.id_number; *p && j + 1 < sizeof id; p++)
            if (*p != ' ')
                id[j++] = *p;
        f.id_number = id;
    }
    if (f.phone) {
        size_t j = 0;
        for (const char *p = f.phone; *p && j + 1 < sizeof phone; p++)
            if (*p != ' ' && *p != '-')
                phone[j++] = *p;
        f.phone = phone;
    }
    struct join_input in = {
        .name = f.name, .id_number = f.id_number, .phone = f.phone,
        .employer_name = f.employer_name, .employer_uscc = f.employer_uscc,
        .category = f.category, .migrant = f.migrant ? 1 : 0,
        .consent_version = consent,
    };
    const struct site *site = site_of(r);
    struct join_result res;
    struct ub_err err;
    bool replayed;
    if (join_submit(r->db, site->vault, token, &in, r->addr, NULL, site->join_rate, &res,
                    &replayed, &err)) {
        f.err = &err;
        render_form(r, token, &org, &f);
        r->status = err.kind;
        return;
    }
    reply_cookie(r, MEMBER_COOKIE, res.access_token, 365 * 24 * 3600);
    head(r, "申请已提交", &org);
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"card ok\"><h2>%s</h2>",
                strcmp(res.status, "approved") == 0 ? "入会成功" : "入会申请已提交");
    html_printf(b, "<p>接收单位：%s</p>", res.org_name);
    if (*res.member_no)
        html_printf(b, "<p>会员编号：<strong>%s</strong></p>", res.member_no);
    html_raw_trusted(b, "<h3>接下来</h3><ol>"
                        "<li>工会工作人员会在几个工作日内审核您的申请。</li>"
                        "<li>审核通过后，用本手机再次打开这个页面即可查看电子会员卡。</li>"
                        "<li>如有疑问，可向现场工作人员或所在镇（街道）总工会咨询。</li>"
                        "</ol><p><a href=\"/card\">查看入会进度和电子会员卡</a></p></section>");
    foot(r);
}

void page_static_join_css(struct req *r)
{
    page_static_file(r, "web/static/join.css");
}
