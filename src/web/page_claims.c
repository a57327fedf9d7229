/*
 * page_claims.c: the console's secondary reimbursement (二次报销) screens:
 * claims of a subtree by status, each with the step its status allows
 * (verify, approve or reject, pay), the approved ones ticked and paid as a
 * batch; a claim entered for a member; and the mutual-aid card forms on a
 * member's page.  Amounts stay masked on these pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/card.h"
#include "domain/claim.h"
#include "domain/member.h"
#include "http/html.h"
#include "http/server.h"
#include "site.h"
#include "web/page.h"

static const char *status_label(const char *s)
{
    static const struct { const char *k, *v; } t[] = {
        {"submitted", "已提交"}, {"verified", "已审核"}, {"approved", "已批准"},
        {"rejected", "未通过"}, {"paid", "已支付"},
    };
    for (size_t i = 0; i < UB_ARRAY_LEN(t); i++)
        if (strcmp(s, t[i].k) == 0)
            return t[i].v;
    return s;
}

struct claim_rows {
    struct req *r;
    struct buf b;
    int n;
};

/* One claim with the form of the step its status allows. */
static int claim_row(void *ud, const struct claim_view *v)
{
    struct claim_rows *rows = ud;
    struct req *r = rows->r;
    struct buf *b = &rows->b;
    const struct claim_rec *c = &v->c;
    char payout[32];
    claim_amount_mask(v->payout_fen, payout, sizeof payout);
    rows->n++;
    html_printf(b, "<tr><td>");
    if (strcmp(c->status, "approved") == 0)
        html_printf(b, "<input type=\"checkbox\" name=\"ids\" value=\"%lld\" form=\"paybatch\" "
                       "aria-label=\"选择 %s\">", (long long)c->id, c->member_name);
    html_printf(b, "</td><td class=\"mono\">%lld</td><td>%s<br><span class=\"mono\">%s</span></td>"
                   "<td>%d · %s</td><td>%s</td><td class=\"mono\">%s</td>"
                   "<td><span class=\"tag\">%s</span></td><td class=\"actions\">",
                (long long)c->id, c->member_name, c->member_no, c->year,
                strcmp(c->kind, "inpatient") == 0 ? "住院" : "门诊", c->claim_date, payout,
                status_label(c->status));
    static const struct { const char *status, *step, *label; } next[] = {
        {"submitted", "verify", "审核"}, {"verified", "approve", "批准"},
        {"approved", "pay", "已支付"},
    };
    for (size_t i = 0; i < UB_ARRAY_LEN(next); i++) {
        if (strcmp(c->status, next[i].status) != 0)
            continue;
        html_printf(b, "<form method=\"post\" action=\"/console/claims/%lld/%s\">"
                       "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
                    (long long)c->id, next[i].step, r->actor.csrf);
        if (strcmp(next[i].step, "pay") == 0)
            html_raw_trusted(b, "<input name=\"pay_ref\" placeholder=\"支付流水号\" maxlength=\"64\">");
        html_printf(b, "<button type=\"submit\" class=\"small\">%s</button></form>",
                    next[i].label);
    }
    if (strcmp(c->status, "submitted") == 0 || strcmp(c->status, "verified") == 0)
        html_printf(b, "<form method=\"post\" action=\"/console/claims/%lld/reject\">"
                       "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                       "<input name=\"reason\" placeholder=\"不通过原因\" required maxlength=\"100\">"
                       "<button type=\"submit\" class=\"small ghost\">不通过</button></form>",
                    (long long)c->id, r->actor.csrf);
    html_raw_trusted(b, "</td></tr>");
    return 0;
}

void page_claims(struct req *r)
{
    const char *org = req_query(r, "org"), *status = req_query(r, "status");
    if (status && !*status)
        status = NULL;
    struct claim_rows rows = {.r = r};
    buf_init(&rows.b);
    struct ub_err err;
    if (claim_list(r->db, site_of(r)->vault, &r->actor, org, status, 0, 0, 500, false, claim_row,
                   &rows, &err)) {
        buf_free(&rows.b);
        reply_err(r, &err);
        return;
    }
    page_begin(r, "二次报销");
    struct buf *b = &r->out;
    html_raw_trusted(b, "<section class=\"card\"><h1>二次报销</h1>"
                        "<form class=\"search\" method=\"get\" action=\"/console/claims\">");
    html_printf(b, "<input name=\"org\" value=\"%s\" placeholder=\"组织代码\" aria-label=\"组织代码\">"
                   "<select name=\"status\" aria-label=\"状态\"><option value=\"\">全部</option>",
                org ? org : "");
    static const char *const statuses[] = {"submitted", "verified", "approved", "rejected",
                                           "paid"};
    for (size_t i = 0; i < UB_ARRAY_LEN(statuses); i++)
        html_printf(b, "<option value=\"%s\"%s>%s</option>", statuses[i],
                    status && strcmp(status, statuses[i]) == 0 ? " selected" : "",
                    status_label(statuses[i]));
    html_printf(b, "</select><button type=\"submit\" class=\"small\">查看</button></form>"
                   "<p class=\"muted\">金额脱敏显示；支付批次请用“导出 Excel”（记入审计）。 "
                   "<a href=\"/api/v1/claims/export.xlsx?status=approved%s%s\">导出待支付批次</a></p>",
                org ? "&amp;org=" : "", org ? org : "");
    html_printf(b, "<form id=\"paybatch\" method=\"post\" action=\"/console/claims/pay\">"
                   "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                   "<input name=\"pay_ref\" placeholder=\"支付批次号\" maxlength=\"64\">"
                   "<button type=\"submit\" class=\"small\">所选已批准报销标记为已支付</button></form>",
                r->actor.csrf);
    if (rows.n) {
        html_raw_trusted(b, "<div class=\"scroll\"><table><thead><tr><th></th><th>编号</th>"
                            "<th>会员</th><th>年度 · 类别</th><th>就诊日期</th><th>报销金额</th>"
                            "<th>状态</th><th>处理</th></tr></thead><tbody>");
        buf_append(b, rows.b.data, rows.b.len);     /* escaped in claim_row */
        html_raw_trusted(b, "</tbody></table></div>");
    } else {
        html_raw_trusted(b, "<p class=\"muted\">没有报销申请。</p>");
    }
    html_raw_trusted(b, "</section>");
    buf_free(&rows.b);
    page_end(r);
}

/* POST /console/claims/:id/(verify|approve|reject|pay) */
void page_claim_step(struct req *r)
{
    int64_t id;
    if (!ub_parse_i64(req_param(r, "id"), &id) || id <= 0) {
        reply_error(r, 404, "claim_not_found", "报销申请不存在");
        return;
    }
    const char *step = req_param(r, "step");
    struct claim_view *v = arena_alloc(&r->arena, sizeof *v);
    struct ub_err err;
    const struct vault *vault = site_of(r)->vault;
    int rc;
    if (strcmp(step, "verify") == 0)
        rc = claim_verify(r->db, vault, &r->actor, id, v, &err);
    else if (strcmp(step, "approve") == 0)
        rc = claim_approve(r->db, vault, &r->actor, id, v, &err);
    else if (strcmp(step, "reject") == 0)
        rc = claim_reject(r->db, vault, &r->actor, id, req_form(r, "reason"), v, &err);
    else if (strcmp(step, "pay") == 0)
        rc = claim_pay(r->db, vault, &r->actor, id, req_form(r, "pay_ref"), v, &err);
    else {
        reply_error(r, 404, "not_found", "页面不存在");
        return;
    }
    if (rc) {
        reply_err(r, &err);
        return;
    }
    reply_redirect(r, "/console/claims");
}

/* POST /console/claims/pay: the ticked approved claims, one payment batch. */
void page_claims_pay(struct req *r)
{
    const char *ref = req_form(r, "pay_ref");
    int done = 0, failed = 0;
    for (int i = 0; i < r->nform; i++) {
        int64_t id;
        if (strcmp(r->form[i].name, "ids") != 0 || !ub_parse_i64(r->form[i].value, &id))
            continue;
        struct claim_view v;
        struct ub_err err;
        if (claim_pay(r->db, site_of(r)->vault, &r->actor, id, ref, &v, &err))
            failed++;
        else
            done++;
    }
    reply_redirect(r, arena_printf(&r->arena, "/console/claims?status=paid&done=%d&failed=%d",
                                   done, failed));
}

/* Reads "1234.5" yuan (up to two decimals) as fen, exactly. */
static bool yuan_to_fen(const char *s, int64_t *fen)
{
    int64_t v = 0;
    int decimals = -1;
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        if (*s == '.' && decimals < 0) {
            decimals = 0;
            continue;
        }
        if (*s < '0' || *s > '9' || decimals == 2 || v > 100000000000LL)
            return false;
        v = v * 10 + (*s - '0');
        if (decimals >= 0)
            decimals++;
    }
    for (int d = decimals < 0 ? 0 : decimals; d < 2; d++)
        v *= 10;
    *fen = v;
    return true;
}

/* POST /console/members/:no/claim: a claim entered by staff. */
void page_member_claim(struct req *r)
{
    const char *no = req_param(r, "no");
    struct claim_input in = {.member_no = no, .kind = req_form(r, "kind"),
                             .date = req_form(r, "date")};
    const char *y = req_form(r, "year"), *yuan = req_form(r, "selfpay_yuan");
    if (!y || !ub_parse_i64(y, &in.year) || !yuan_to_fen(yuan, &in.selfpay_fen)) {
        reply_error(r, 422, "invalid_amount", "请填写年度和自付金额（元，最多两位小数）");
        return;
    }
    struct claim_view *v = arena_alloc(&r->arena, sizeof *v);
    struct ub_err err;
    if (claim_submit(r->db, site_of(r)->vault, &r->actor, &in, v, &err)) {
        reply_err(r, &err);
        return;
    }
    reply_redirect(r, arena_printf(&r->arena, "/console/members/%s?claim=%lld", no,
                                   (long long)v->c.id));
}

/* POST /console/members/:no/card: register (or, with a reason, reissue). */
void page_member_card(struct req *r)
{
    const char *no = req_param(r, "no"), *ev = req_form(r, "event_id");
    const char *reason = req_form(r, "reason");
    int64_t event_id = 0;
    if (ev && *ev && (!ub_parse_i64(ev, &event_id) || event_id < 0)) {
        reply_error(r, 422, "event_not_found", "活动场次不存在");
        return;
    }
    struct card_rec *c = arena_alloc(&r->arena, sizeof *c);
    struct ub_err err;
    int rc = reason && *reason
                 ? card_reissue(r->db, site_of(r)->vault, &r->actor, no, req_form(r, "card_no"),
                                event_id, reason, c, &err)
                 : card_register(r->db, site_of(r)->vault, &r->actor, no, req_form(r, "card_no"),
                                 event_id, c, &err);
    if (rc) {
        reply_err(r, &err);
        return;
    }
    reply_redirect(r, arena_printf(&r->arena, "/console/members/%s", no));
}

/* The card and claim forms of a member's page (page_review.c). */
void page_member_services(struct req *r, const struct member_rec *m)
{
    struct buf *b = &r->out;
    struct member_rec *mm = arena_alloc(&r->arena, sizeof *mm);
    struct card_rec *live = arena_alloc(&r->arena, sizeof *live);
    bool has_live = false;
    struct ub_err err;
    if (card_of_member(r->db, &r->actor, m->member_no, mm, live, &has_live, NULL, NULL, &err))
        return;
    html_raw_trusted(b, "<section class=\"card\"><h2>互助服务卡</h2>");
    if (has_live)
        html_printf(b, "<p>在用卡：尾号 <b class=\"mono\">%s</b>（%s 发卡）</p>", live->last4,
                    live->issued_on);
    else
        html_raw_trusted(b, "<p class=\"muted\">尚无在用的互助服务卡。</p>");
    if (r->actor.role == ROLE_VIEWER || strcmp(m->status, "active") != 0) {
        html_raw_trusted(b, "</section>");
        return;
    }
    html_printf(b, "<form method=\"post\" action=\"/console/members/%s/card\" class=\"stack\">"
                   "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                   "<label>卡号<input name=\"card_no\" inputmode=\"numeric\" maxlength=\"19\" "
                   "required></label><label>发卡活动场次编号（可空）<input name=\"event_id\" "
                   "inputmode=\"numeric\"></label>",
                m->member_no, r->actor.csrf);
    if (has_live)
        html_raw_trusted(b, "<label>补卡原因<input name=\"reason\" maxlength=\"100\" required "
                            "placeholder=\"如：丢失\"></label><button type=\"submit\">补办新卡"
                            "</button></form>");
    else
        html_raw_trusted(b, "<button type=\"submit\">登记发卡</button></form>");
    char today[11];
    ub_local_date(ub_now(), today);
    html_printf(b, "<h2>二次报销</h2><form method=\"post\" action=\"/console/members/%s/claim\" "
                   "class=\"stack\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                   "<label>年度<input name=\"year\" inputmode=\"numeric\" value=\"%.4s\" required>"
                   "</label><label>类别<select name=\"kind\"><option value=\"outpatient\">门诊"
                   "</option><option value=\"inpatient\">住院</option></select></label>"
                   "<label>就诊日期<input type=\"date\" name=\"date\" value=\"%s\" max=\"%s\"></label>"
                   "<label>个人自付金额（元）<input name=\"selfpay_yuan\" inputmode=\"decimal\" "
                   "required></label><button type=\"submit\">提交报销</button></form>"
                   "<p><a href=\"/console/claims?org=%s\">本单位报销申请</a></p></section>",
                m->member_no, r->actor.csrf, today, today, today, m->org_code);
}
