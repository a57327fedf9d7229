/*
 * page_card.c: the worker's electronic member card (GET /card).
 *
 * Opened with the personal token kept by the join page's cookie, or once
 * through a personal link /card?t=TOKEN (which sets the cookie and drops
 * the token from the address).  Before approval it shows the application's
 * state; after, the card: name, union, member number and a QR code of the
 * number for staff to scan.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/card.h"
#include "domain/giveaway.h"
#include "domain/member.h"
#include "http/html.h"
#include "lib/qr.h"
#include "site.h"
#include "http/server.h"
#include "web/page.h"

static void card_head(struct req *r, const char *title)
{
    r->status = 200;
    r->ctype = "text/html; charset=utf-8";
    html_printf(&r->out,
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        "<title>%s</title><link rel=\"stylesheet\" href=\"/static/join.css\"></head><body>"
        "<header><h1>%s</h1><p>北京市总工会 · 连心桥</p></header><main>", title, title);
}

static void card_foot(struct req *r)
{
    html_raw_trusted(&r->out, "</main><footer>连心桥 · 工会会员服务</footer></body></html>\n");
}

static const char *app_status_label(const char *s)
{
    if (strcmp(s, "pending") == 0)
        return "审核中";
    if (strcmp(s, "rejected") == 0)
        return "未通过";
    if (strcmp(s, "withdrawn") == 0)
        return "已撤回";
    return s;
}

static const char *member_status_label(const char *s)
{
    static const char *const labels[][2] = {
        {"active", "正常"}, {"transferring", "转接中"}, {"retained", "保留会籍"},
        {"withdrawn", "已退会"}, {"lapsed", "已失效"}, {"expelled", "已除名"},
    };
    for (size_t i = 0; i < UB_ARRAY_LEN(labels); i++)
        if (strcmp(labels[i][0], s) == 0)
            return labels[i][1];
    return s;
}

static int giveaway_link(void *ud, const struct giveaway_view *v)
{
    html_printf(ud, "<li><a href=\"/g/%lld\">%s</a>%s</li>", (long long)v->g.id, v->g.name,
                *v->m.pickup_code ? "（已领取）" : v->eligible ? "" : "（不在范围内）");
    return 0;
}

void page_card(struct req *r)
{
    const char *t = req_query(r, "t");
    if (t && *t) {
        /* A personal link: keep the token in the cookie, not the address. */
        reply_cookie(r, "ub_member", t, 365 * 24 * 3600);
        reply_redirect(r, "/card");
        return;
    }
    struct db *db = req_db_or_reply(r);
    if (!db)
        return;
    struct member_rec *m = xmalloc(sizeof *m);
    struct application_rec *a = xmalloc(sizeof *a);
    struct ub_err err;
    bool is_member;
    if (member_by_token(db, api_member_token(r), &is_member, m, a, &err)) {
        card_head(r, "电子会员卡");
        r->status = 401;
        html_printf(&r->out, "<section class=\"card\"><p>%s</p>"
                             "<p class=\"h\">请用入会时的手机打开，或向工会工作人员索取会员链接。</p>"
                             "</section>", err.msg);
        card_foot(r);
        goto out;
    }
    struct buf *b = &r->out;
    if (!is_member) {
        card_head(r, "入会申请");
        html_printf(b, "<section class=\"card\"><h2>%s</h2><p>姓名：%s</p><p>接收单位：%s</p>"
                       "<p>提交时间：", app_status_label(a->status), a->p.name, a->org_name);
        char when[40];
        ub_iso_time(a->created_at, when, sizeof when);
        html_printf(b, "%.10s</p>", when);
        if (*a->reason)
            html_printf(b, "<p>原因：%s</p>", a->reason);
        html_raw_trusted(b, "</section>");
        card_foot(r);
        goto out;
    }
    card_head(r, "电子会员卡");
    html_printf(b, "<section class=\"card ok\"><h2>%s</h2>"
                   "<p>会员编号：<strong>%s</strong></p><p>所属工会：%s</p>"
                   "<p>入会日期：%s</p><p>会籍状态：%s</p>",
                m->p.name, m->member_no, m->org_name, m->joined_on,
                member_status_label(m->status));
    /* The QR code of the member number, inline: staff scan it. */
    struct buf qr;
    buf_init(&qr);
    if (qr_svg(m->member_no, &qr) == 0) {
        html_raw_trusted(b, "<div class=\"qr\" aria-label=\"会员编号二维码\">");
        buf_append(b, qr.data, qr.len);         /* our own SVG, no request data */
        html_raw_trusted(b, "</div>");
    }
    buf_free(&qr);
    html_raw_trusted(b, "</section>");
    /* The mutual-aid card, shown by its last four digits. */
    struct card_rec live;
    bool has_live = false;
    if (card_of_token_member(db, m, &live, &has_live) == 0 && has_live)
        html_printf(b, "<section class=\"card\"><h2>互助服务卡</h2><p>卡号：<span class=\"nw\">"
                       "**** **** **** %s</span></p><p>办理日期：%s</p></section>",
                    live.last4, live.issued_on);
    struct buf gl;
    buf_init(&gl);
    char no[24];
    if (giveaway_member_list(db, site_of(r)->giveaways, api_member_token(r), no, giveaway_link,
                             &gl, &err) == 0 && gl.len) {
        html_raw_trusted(b, "<section class=\"card\"><h2>普惠服务</h2><ul>");
        buf_append(b, gl.data, gl.len);         /* escaped by giveaway_link */
        html_raw_trusted(b, "</ul></section>");
    }
    buf_free(&gl);
    card_foot(r);
out:
    free(m);
    free(a);
}
