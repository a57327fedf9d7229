/*
 * page_review.c: the console's review of join applications and its member
 * pages: pending applications with approve / reject (one by one or all
 * ticked at once), member search and a member's page with transfers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/member.h"
#include "domain/org.h"
#include "http/html.h"
#include "web/page.h"
#include "site.h"
#include "http/server.h"

static void notice(struct req *r)
{
    const char *done = req_query(r, "done");
    const char *fail = req_query(r, "failed");
    int64_t n;
    if (done && ub_parse_i64(done, &n))
        html_printf(&r->out, "<p class=\"notice\" role=\"status\">已处理 %lld 条。</p>",
                    (long long)n);
    if (fail && ub_parse_i64(fail, &n) && n > 0)
        html_printf(&r->out, "<p class=\"alert\" role=\"alert\">%lld 条未能处理（可能已被他人处理）。</p>",
                    (long long)n);
}

struct app_rows {
    struct req *r;
    int n;
};

static int app_row(void *ud, const struct application_rec *a)
{
    struct app_rows *rows = ud;
    struct req *r = rows->r;
    struct buf *b = &r->out;
    rows->n++;
    html_printf(b,
        "<tr><td><input type=\"checkbox\" name=\"ids\" value=\"%lld\" form=\"bulk\" "
        "aria-label=\"选择 %s\"></td><td>%s</td><td class=\"mono\">%s<br>%s</td>"
        "<td>%s</td><td>%s</td><td>%s</td><td class=\"actions\">",
        (long long)a->id, a->p.name, a->p.name, a->p.id_mask, a->p.phone_mask,
        member_category_label(a->p.category) ? member_category_label(a->p.category) : "",
        *a->p.employer_name ? a->p.employer_name : "—", a->org_name);
    html_printf(b, "<form method=\"post\" action=\"/console/applications/%lld/approve\">",
                (long long)a->id);
    page_csrf_field(r);
    html_raw_trusted(b, "<button type=\"submit\" class=\"small\">通过</button></form>");
    html_printf(b, "<form method=\"post\" action=\"/console/applications/%lld/reject\">",
                (long long)a->id);
    page_csrf_field(r);
    html_raw_trusted(b, "<input name=\"reason\" placeholder=\"不通过原因\" required maxlength=\"100\">"
                        "<button type=\"submit\" class=\"small ghost\">不通过</button></form>"
                        "</td></tr>");
    return 0;
}

void page_applications(struct req *r)
{
    const char *org = req_query(r, "org");
    page_begin(r, "入会审核");
    struct buf *b = &r->out;
    html_raw_trusted(b, "<section class=\"card\"><h1>待审核的入会申请</h1>");
    notice(r);
    html_raw_trusted(b, "<form id=\"bulk\" method=\"post\" action=\"/console/applications/approve\">");
    page_csrf_field(r);
    html_raw_trusted(b, "<button type=\"submit\" class=\"small\">通过所选申请</button></form>"
                        "<div class=\"scroll\"><table><thead><tr><th></th><th>姓名</th>"
                        "<th>身份证号 / 手机号</th><th>职工类别</th><th>工作单位</th>"
                        "<th>接收工会</th><th>处理</th></tr></thead><tbody>");
    struct app_rows rows = {r, 0};
    struct ub_err err;
    if (application_list(r->db, &r->actor, org, "pending", 0, 200, app_row, &rows, &err)) {
        buf_reset(b);
        reply_err(r, &err);
        return;
    }
    html_raw_trusted(b, "</tbody></table></div>");
    if (!rows.n)
        html_raw_trusted(b, "<p class=\"muted\">没有待审核的申请。</p>");
    html_raw_trusted(b, "</section>");
    page_end(r);
}

static void back_to_list(struct req *r, int done, int failed)
{
    char to[80];
    snprintf(to, sizeof to, "/console/applications?done=%d&failed=%d", done, failed);
    reply_redirect(r, to);
}

void page_applications_bulk(struct req *r)
{
    int done = 0, failed = 0;
    struct member_rec *m = xmalloc(sizeof *m);
    for (int i = 0; i < r->nform; i++) {
        int64_t id;
        if (strcmp(r->form[i].name, "ids") != 0 || !ub_parse_i64(r->form[i].value, &id))
            continue;
        struct ub_err err;
        if (application_approve(r->db, &r->actor, id, m, &err))
            failed++;
        else
            done++;
    }
    free(m);
    back_to_list(r, done, failed);
}

static int id_or_reply(struct req *r, int64_t *id)
{
    if (!ub_parse_i64(req_param(r, "id"), id) || *id <= 0) {
        reply_error(r, 404, "application_not_found", "入会申请不存在");
        return -1;
    }
    return 0;
}

void page_application_approve(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct member_rec *m = xmalloc(sizeof *m);
    struct ub_err err;
    int rc = application_approve(r->db, &r->actor, id, m, &err);
    free(m);
    if (rc && err.kind != UB_ECONFLICT) {
        reply_err(r, &err);
        return;
    }
    back_to_list(r, rc ? 0 : 1, rc ? 1 : 0);
}

void page_application_reject(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct ub_err err;
    int rc = application_reject(r->db, &r->actor, id, req_form(r, "reason"), &err);
    if (rc && err.kind != UB_ECONFLICT) {
        reply_err(r, &err);
        return;
    }
    back_to_list(r, rc ? 0 : 1, rc ? 1 : 0);
}

/* ---- Members ----------------------------------------------------------- */

static int member_row(void *ud, const struct member_rec *m)
{
    struct buf *b = ud;
    html_printf(b, "<tr><td><a href=\"/console/members/%s\">%s</a></td><td>%s</td>"
                   "<td class=\"mono\">%s<br>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
                m->member_no, m->member_no, m->p.name, m->p.id_mask, m->p.phone_mask,
                m->org_name, m->joined_on, m->status);
    return 0;
}

/* ?from=&to=[&channel=]: the members a report counted as joined. */
static void page_members_joined(struct req *r, const char *from, const char *to)
{
    const char *org = req_query(r, "org"), *channel = req_query(r, "channel");
    struct buf rows;
    buf_init(&rows);
    struct ub_err err;
    int64_t total = 0;
    if (member_joined(r->db, &r->actor, org, from, to, channel, 0, 500, member_row, &rows,
                      &total, &err)) {
        buf_free(&rows);
        reply_err(r, &err);
        return;
    }
    page_begin(r, "新入会会员");
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"card\"><h1>%s 至 %s 新入会会员</h1>"
                   "<p>共 <b data-count>%lld</b> 人%s（按入会的组织计，含下级组织）</p>",
                from, to, (long long)total, total > 500 ? "，列出最近的500人" : "");
    html_raw_trusted(b, "<div class=\"scroll\"><table><thead><tr><th>会员编号</th><th>姓名</th>"
                        "<th>身份证号 / 手机号</th><th>所属工会</th><th>入会日期</th>"
                        "<th>状态</th></tr></thead><tbody>");
    buf_append(b, rows.data ? rows.data : "", rows.len);   /* escaped by member_row */
    html_raw_trusted(b, "</tbody></table></div></section>");
    buf_free(&rows);
    page_end(r);
}

void page_members(struct req *r)
{
    const char *q = req_query(r, "q");
    const char *from = req_query(r, "from"), *to = req_query(r, "to");
    if (from && to) {
        page_members_joined(r, from, to);
        return;
    }
    struct buf rows;
    buf_init(&rows);
    struct ub_err err;
    if (member_search(r->db, site_of(r)->vault, &r->actor, req_query(r, "org"), q, 0, 100,
                      member_row, &rows, &err)) {
        buf_free(&rows);
        reply_err(r, &err);
        return;
    }
    page_begin(r, "会员");
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"card\"><h1>会员查询</h1>"
                   "<form class=\"search\" method=\"get\" action=\"/console/members\">"
                   "<input name=\"q\" value=\"%s\" placeholder=\"姓名、会员编号或手机号\">"
                   "<button type=\"submit\">查询</button></form>", q ? q : "");
    if (rows.len) {
        html_raw_trusted(b, "<div class=\"scroll\"><table><thead><tr><th>会员编号</th><th>姓名</th>"
                            "<th>身份证号 / 手机号</th><th>所属工会</th><th>入会日期</th>"
                            "<th>状态</th></tr></thead><tbody>");
        buf_append(b, rows.data, rows.len);     /* escaped by member_row */
        html_raw_trusted(b, "</tbody></table></div>");
    } else {
        html_raw_trusted(b, "<p class=\"muted\">没有找到会员。</p>");
    }
    html_raw_trusted(b, "</section>");
    buf_free(&rows);
    page_end(r);
}

static int transfer_row(void *ud, const struct transfer_rec *t)
{
    struct buf *b = ud;
    char when[40];
    ub_iso_time(t->requested_at, when, sizeof when);
    html_printf(b, "<tr><td>%.10s</td><td>%s</td><td>%s</td><td>%s</td></tr>", when,
                t->from_name, t->to_name, t->status);
    return 0;
}

void page_member(struct req *r)
{
    struct member_rec *m = xmalloc(sizeof *m);
    struct buf hist;
    buf_init(&hist);
    struct ub_err err;
    const char *no = req_param(r, "no");
    if (member_get(r->db, &r->actor, no, m, &err)
        || member_transfers(r->db, &r->actor, no, transfer_row, &hist, &err)) {
        free(m);
        buf_free(&hist);
        reply_err(r, &err);
        return;
    }
    page_begin(r, m->p.name);
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"card\"><h1>%s</h1><dl class=\"facts\">"
                   "<dt>会员编号</dt><dd class=\"mono\">%s</dd><dt>所属工会</dt><dd>%s</dd>"
                   "<dt>身份证号</dt><dd class=\"mono\">%s</dd><dt>手机号</dt><dd class=\"mono\">%s</dd>"
                   "<dt>性别</dt><dd>%s</dd><dt>出生日期</dt><dd>%s</dd>"
                   "<dt>工作单位</dt><dd>%s</dd><dt>职工类别</dt><dd>%s</dd>"
                   "<dt>外地来京务工</dt><dd>%s</dd><dt>入会日期</dt><dd>%s</dd>"
                   "<dt>入会方式</dt><dd>%s</dd><dt>会籍状态</dt><dd>%s</dd></dl></section>",
                m->p.name, m->member_no, m->org_name, m->p.id_mask, m->p.phone_mask,
                strcmp(m->p.gender, "M") == 0 ? "男" : "女", m->p.birth_date,
                *m->p.employer_name ? m->p.employer_name : "—",
                member_category_label(m->p.category) ? member_category_label(m->p.category) : "",
                m->p.migrant ? "是" : "否", m->joined_on,
                strcmp(m->channel, "qr") == 0 ? "扫码入会"
                : strcmp(m->channel, "import") == 0 ? "名册导入" : "现场登记",
                m->status);
    html_raw_trusted(b, "<section class=\"card\"><h2>会员关系接转记录</h2>");
    if (hist.len) {
        html_raw_trusted(b, "<table><thead><tr><th>日期</th><th>转出</th><th>转入</th>"
                            "<th>状态</th></tr></thead><tbody>");
        buf_append(b, hist.data, hist.len);
        html_raw_trusted(b, "</tbody></table>");
    } else {
        html_raw_trusted(b, "<p class=\"muted\">没有接转记录。</p>");
    }
    html_raw_trusted(b, "</section>");
    page_member_services(r, m);
    free(m);
    buf_free(&hist);
    page_end(r);
}
