/*
 * page_giveaway.c: giveaway pages.
 *
 * The member's page (GET /g/:id, claim by POST /g/:id) is small on
 * purpose: thousands of members open it in the same second when a
 * giveaway opens.  It reads the member and their claim in one query and
 * the remaining stock from the process's cache (at most a second old),
 * never counting claims per request.  It uses the worker's personal
 * cookie (SameSite=Lax: another site cannot post with it).
 *
 * The staff pages: the giveaways of the console user's subtree and above
 * (GET /console/giveaways), and a phone page to redeem pickup codes at
 * handover (GET /console/giveaways/:id, POST …/redeem) whose code field
 * takes a scanner's keyboard input and submits on its Enter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/giveaway.h"
#include "http/html.h"
#include "http/server.h"
#include "lib/qr.h"
#include "site.h"
#include "web/page.h"

/* ---- The member's page ---------------------------------------------------- */

static void member_head(struct req *r, const char *title)
{
    r->status = 200;
    r->ctype = "text/html; charset=utf-8";
    html_printf(&r->out,
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        "<title>%s</title><link rel=\"stylesheet\" href=\"/static/join.css\"></head><body>"
        "<header><h1>%s</h1><p>连心桥 · 工会普惠服务</p></header><main>", title, title);
}

static void member_foot(struct req *r)
{
    html_raw_trusted(&r->out, "<p class=\"h\"><a href=\"/card\">我的电子会员卡</a></p>"
                              "</main><footer>连心桥 · 工会会员服务</footer></body></html>\n");
}

static int gid_param(struct req *r, int64_t *id)
{
    if (!ub_parse_i64(req_param(r, "id"), id) || *id <= 0) {
        reply_error(r, 404, "giveaway_not_found", "该普惠活动不存在");
        return -1;
    }
    return 0;
}

/* Renders the page for giveaway id; `note` is the outcome of a claim just
 * made (NULL when only looking). */
static void member_page(struct req *r, int64_t id, const struct ub_err *note)
{
    struct db *db = req_db_or_reply(r);
    if (!db)
        return;
    struct giveaway_view *v = xmalloc(sizeof *v);
    struct ub_err err;
    if (giveaway_member_view(db, site_of(r)->giveaways, api_member_token(r), id, v, &err)) {
        member_head(r, "工会普惠");
        r->status = err.kind;
        html_printf(&r->out, "<section class=\"card\"><p>%s</p>"
                             "<p class=\"h\">请用入会时的手机打开，或向工会工作人员索取会员链接。</p>"
                             "</section>", err.msg);
        member_foot(r);
        free(v);
        return;
    }
    struct buf *b = &r->out;
    member_head(r, v->g.name);
    char opens[40], closes[40];
    ub_iso_time(v->g.opens_at, opens, sizeof opens);
    ub_iso_time(v->g.closes_at, closes, sizeof closes);
    html_printf(b, "<section class=\"card%s\"><h2>%s</h2><p>发放单位：%s</p>"
                   "<p>领取时间：%.10s %.5s 至 %.10s %.5s</p>",
                *v->m.pickup_code ? " ok" : "", v->g.name, v->g.org_name, opens, opens + 11,
                closes, closes + 11);
    if (note && note->kind && strcmp(note->code, "already_claimed") != 0)
        html_printf(b, "<p class=\"alert\" role=\"alert\">%s</p>", note->msg);
    if (*v->m.pickup_code) {
        html_printf(b, "<p>您已领取成功。取货码：</p><p class=\"code\" id=\"pickup\">"
                       "<strong>%s</strong></p>", v->m.pickup_code);
        struct buf qr;
        buf_init(&qr);
        if (qr_svg(v->m.pickup_code, &qr) == 0) {
            html_raw_trusted(b, "<div class=\"qr\" aria-label=\"取货码二维码\">");
            buf_append(b, qr.data, qr.len);     /* our own SVG of our own code */
            html_raw_trusted(b, "</div>");
        }
        buf_free(&qr);
        html_raw_trusted(b, v->m.redeemed_at ? "<p>已于现场领取。</p>"
                                             : "<p class=\"h\">请凭取货码到工会现场领取。</p>");
    } else if (!v->eligible) {
        html_raw_trusted(b, "<p class=\"alert\">本次活动不在您所属工会的范围内。</p>");
    } else {
        int64_t now = ub_now();
        html_printf(b, "<p>剩余：<strong>%lld</strong> 份（共 %lld 份）</p>",
                    (long long)v->remaining, (long long)v->g.stock);
        if (now < v->g.opens_at)
            html_raw_trusted(b, "<p class=\"alert\">活动尚未开始。</p>");
        else if (now >= v->g.closes_at)
            html_raw_trusted(b, "<p class=\"alert\">活动已结束。</p>");
        else if (v->remaining <= 0)
            html_raw_trusted(b, "<p class=\"alert\">已领完。</p>");
        else
            html_printf(b, "<form method=\"post\" action=\"/g/%lld\">"
                           "<button type=\"submit\">立即领取</button></form>", (long long)id);
    }
    html_raw_trusted(b, "</section>");
    member_foot(r);
    free(v);
}

void page_giveaway(struct req *r)
{
    int64_t id;
    if (gid_param(r, &id))
        return;
    member_page(r, id, NULL);
}

void page_giveaway_claim(struct req *r)
{
    int64_t id;
    if (gid_param(r, &id))
        return;
    struct db *db = req_db_or_reply(r);
    if (!db)
        return;
    char code[PICKUP_CODE_LEN + 1];
    struct ub_err err;
    memset(&err, 0, sizeof err);
    if (giveaway_claim(db, site_of(r)->giveaways, api_member_token(r), id, r->addr, code,
                       &err) == 0) {
        char to[48];
        snprintf(to, sizeof to, "/g/%lld", (long long)id);
        reply_redirect(r, to);
        return;
    }
    if (err.kind == UB_ESTORE) {
        reply_err(r, &err);
        return;
    }
    member_page(r, id, &err);
}

/* ---- Staff pages ---------------------------------------------------------- */

static int giveaway_row(void *ud, const struct giveaway_rec *g)
{
    char opens[40], closes[40];
    ub_iso_time(g->opens_at, opens, sizeof opens);
    ub_iso_time(g->closes_at, closes, sizeof closes);
    html_printf(ud, "<tr><td><a href=\"/console/giveaways/%lld\">%s</a></td><td>%s</td>"
                    "<td>%lld</td><td>%.10s %.5s</td><td>%.10s %.5s</td></tr>",
                (long long)g->id, g->name, g->org_name, (long long)g->stock, opens, opens + 11,
                closes, closes + 11);
    return 0;
}

void page_giveaways(struct req *r)
{
    struct buf rows;
    buf_init(&rows);
    struct ub_err err;
    if (giveaway_list(r->db, &r->actor, req_query(r, "org"), 200, giveaway_row, &rows, &err)) {
        buf_free(&rows);
        reply_err(r, &err);
        return;
    }
    page_begin(r, "普惠活动");
    struct buf *b = &r->out;
    html_raw_trusted(b, "<section class=\"card\"><h1>普惠活动</h1>");
    if (rows.len) {
        html_raw_trusted(b, "<div class=\"scroll\"><table><thead><tr><th>活动</th><th>发放单位</th>"
                            "<th>数量</th><th>开始</th><th>结束</th></tr></thead><tbody>");
        buf_append(b, rows.data, rows.len);     /* escaped by giveaway_row */
        html_raw_trusted(b, "</tbody></table></div>");
    } else {
        html_raw_trusted(b, "<p class=\"muted\">没有普惠活动。</p>");
    }
    html_raw_trusted(b, "</section>");
    buf_free(&rows);
    page_end(r);
}

/* The redeem page, with the outcome of the last code (ok, or err). */
static void redeem_page(struct req *r, int64_t id, const struct pickup_rec *done,
                        const struct ub_err *failed)
{
    struct giveaway_rec *g = xmalloc(sizeof *g);
    int64_t claimed, redeemed;
    struct ub_err err;
    if (giveaway_get(r->db, &r->actor, id, g, &claimed, &redeemed, &err)) {
        free(g);
        reply_err(r, &err);
        return;
    }
    page_begin(r, "核销取货码");
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"card redeem\"><h1>%s</h1>"
                   "<p class=\"muted\">%s · 已领取 %lld / %lld · 已核销 %lld</p>",
                g->name, g->org_name, (long long)claimed, (long long)g->stock,
                (long long)redeemed);
    if (done)
        html_printf(b, "<p class=\"notice\" role=\"status\" id=\"result\">核销成功：%s（会员编号 %s），"
                       "第 %lld 份</p>", done->member_name, done->member_no,
                    (long long)done->number);
    if (failed)
        html_printf(b, "<p class=\"alert\" role=\"alert\" id=\"result\">%s</p>", failed->msg);
    html_printf(b, "<form method=\"post\" action=\"/console/giveaways/%lld/redeem\">"
                   "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                   "<label for=\"code\">取货码（扫码或输入）</label>"
                   "<input id=\"code\" name=\"pickup_code\" autofocus autocomplete=\"off\" "
                   "autocapitalize=\"characters\" spellcheck=\"false\" inputmode=\"text\" "
                   "maxlength=\"16\" required class=\"code\">"
                   "<button type=\"submit\">核销</button></form></section>",
                (long long)id, r->actor.csrf);
    page_end(r);
    free(g);
}

void page_giveaway_redeem(struct req *r)
{
    int64_t id;
    if (gid_param(r, &id))
        return;
    redeem_page(r, id, NULL, NULL);
}

void page_giveaway_redeem_post(struct req *r)
{
    int64_t id;
    if (gid_param(r, &id))
        return;
    struct pickup_rec p;
    struct ub_err err;
    if (giveaway_redeem(r->db, &r->actor, id, req_form(r, "pickup_code"), &p, &err) == 0) {
        redeem_page(r, id, &p, NULL);
        return;
    }
    if (err.kind == UB_EFORBID || err.kind == UB_ESTORE
        || strcmp(err.code, "giveaway_not_found") == 0) {
        reply_err(r, &err);
        return;
    }
    redeem_page(r, id, NULL, &err);
    if (r->status == 200)
        r->status = err.kind;
}
