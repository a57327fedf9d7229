/*
 * page_events.c: the console's outreach screens: campaigns and their live
 * board (a wall screen), the calendar and list of an org's events, one
 * event's page with its QR poster, and the on-site tally page built for a
 * phone held in one hand.
 *
 * Every screen works without JavaScript; /static/console.js makes the
 * board refresh itself and turns tally taps into small retried requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/event.h"
#include "domain/employer.h"
#include "domain/org.h"
#include "http/html.h"
#include "lib/jsonx.h"
#include "lib/crypto.h"
#include "web/page.h"

/* Parses :id as a positive integer; replies 404 otherwise. */
static int id_or_reply(struct req *r, int64_t *id)
{
    if (!ub_parse_i64(req_param(r, "id"), id) || *id <= 0) {
        reply_error(r, 404, "not_found", "页面不存在");
        return -1;
    }
    return 0;
}

static void event_link(struct buf *b, int64_t id, const char *suffix)
{
    html_printf(b, "/console/events/%lld%s", (long long)id, suffix);
}

/* One figure cell, with the data attributes console.js updates it by. */
static void fig_cell(struct buf *b, const char *attr, const char *key, const char *path,
                     json_int_t n)
{
    html_printf(b, "<td class=\"num\" data-%s=\"%s\" data-f=\"%s\">%lld</td>", attr, key, path,
                (long long)n);
}

static void fig_cells(struct buf *b, const char *attr, const char *key, json_t *o)
{
    fig_cell(b, attr, key, "joins.submitted", json_int_at(o, "joins", "submitted"));
    fig_cell(b, attr, key, "joins.approved", json_int_at(o, "joins", "approved"));
    fig_cell(b, attr, key, "materials.total", json_int_at(o, "materials", "total"));
    fig_cell(b, attr, key, "cards_issued", json_int_at(o, "cards_issued", NULL));
    fig_cell(b, attr, key, "questions.total", json_int_at(o, "questions", "total"));
    fig_cell(b, attr, key, "people", json_int_at(o, "people", NULL));
}

static const char FIG_HEAD[] = "<th class=\"num\">入会申请</th><th class=\"num\">已入会</th>"
                               "<th class=\"num\">发放资料</th><th class=\"num\">互助卡</th>"
                               "<th class=\"num\">咨询</th><th class=\"num\">接触人数</th>";

/* ---- Campaigns ------------------------------------------------------------ */

static int campaign_row(void *ud, const struct campaign_rec *c)
{
    struct buf *b = ud;
    html_printf(b, "<tr><td><a href=\"/console/campaigns/%lld\">%s</a></td><td>%s 至 %s</td>"
                   "<td>%s</td><td class=\"num\">%lld</td></tr>",
                (long long)c->id, c->name, c->date_from, c->date_to,
                c->org_id ? c->org_name : "全市", (long long)c->events);
    return 0;
}

void page_campaigns(struct req *r)
{
    struct buf rows;
    buf_init(&rows);
    struct ub_err err;
    if (campaign_list(r->db, &r->actor, 0, 200, campaign_row, &rows, &err)) {
        buf_free(&rows);
        reply_err(r, &err);
        return;
    }
    page_begin(r, "双沟通活动");
    struct buf *b = &r->out;
    html_raw_trusted(b, "<section class=\"card\"><h1>双沟通活动</h1>");
    if (rows.len) {
        html_raw_trusted(b, "<div class=\"scroll\"><table><thead><tr><th>活动</th><th>日期</th>"
                            "<th>组织单位</th><th class=\"num\">场次</th></tr></thead><tbody>");
        buf_append(b, rows.data, rows.len);     /* escaped in campaign_row */
        html_raw_trusted(b, "</tbody></table></div>");
    } else {
        html_raw_trusted(b, "<p class=\"muted\">还没有活动。</p>");
    }
    buf_free(&rows);
    html_raw_trusted(b, "</section>");
    if (r->actor.role == ROLE_ADMIN || r->actor.role == ROLE_FEDERATION) {
        html_raw_trusted(b, "<section class=\"card\"><h2>新建活动</h2>"
                            "<form method=\"post\" action=\"/console/campaigns\" class=\"stack\">");
        page_csrf_field(r);
        html_raw_trusted(b,
            "<label>名称<input name=\"name\" required maxlength=\"100\" "
            "placeholder=\"如：市级职工沟通会\"></label>"
            "<label>级别<select name=\"level\"><option value=\"city\">市级</option>"
            "<option value=\"district\" selected>区级</option>"
            "<option value=\"town\">镇街级</option></select></label>"
            "<label>主题<input name=\"theme\" maxlength=\"100\"></label>"
            "<label>开始日期<input type=\"date\" name=\"date_from\" required></label>"
            "<label>结束日期<input type=\"date\" name=\"date_to\" required></label>"
            "<button type=\"submit\">创建活动</button></form></section>");
    }
    page_end(r);
}

void page_campaigns_post(struct req *r)
{
    struct campaign_input in = {
        .name = req_form(r, "name"), .level = req_form(r, "level"),
        .theme = req_form(r, "theme"), .date_from = req_form(r, "date_from"),
        .date_to = req_form(r, "date_to"), .org = req_form(r, "org"),
    };
    struct campaign_rec c;
    struct ub_err err;
    if (campaign_create(r->db, &r->actor, &in, &c, &err)) {
        reply_err(r, &err);
        return;
    }
    reply_redirect(r, arena_printf(&r->arena, "/console/campaigns/%lld", (long long)c.id));
}

/* The big headline figures of a board. */
static void headline(struct buf *b, const char *label, const char *path, json_int_t n)
{
    html_printf(b, "<div class=\"big\"><b data-t=\"total\" data-f=\"%s\">%lld</b>"
                   "<span>%s</span></div>", path, (long long)n, label);
}

void page_campaign_board(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct ub_err err;
    json_t *board = campaign_board(r->db, &r->actor, id, &err);
    if (!board) {
        reply_err(r, &err);
        return;
    }
    json_t *c = json_object_get(board, "campaign"), *t = json_object_get(board, "totals");
    page_begin(r, json_string_value(json_object_get(c, "name")));
    struct buf *b = &r->out;
    const char *from = json_string_value(json_object_get(c, "date_from"));
    const char *to = json_string_value(json_object_get(c, "date_to"));
    html_printf(b, "<section class=\"card board\" data-board=\"/api/v1/campaigns/%lld/board\" "
                   "data-events=\"%lld\"><h1>%s <span class=\"muted\">%s%s%s</span></h1>"
                   "<noscript><meta http-equiv=\"refresh\" content=\"30\"></noscript>"
                   "<p class=\"muted\" aria-live=\"polite\">实时数据 · <span data-updated>"
                   "刚刚更新</span></p><div class=\"bigs\">",
                (long long)id, (long long)json_array_size(json_object_get(board, "events")),
                json_string_value(json_object_get(c, "name")), from,
                strcmp(from, to) ? " 至 " : "", strcmp(from, to) ? to : "");
    html_printf(b, "<div class=\"big\"><b>%lld</b><span>场次</span></div>",
                (long long)json_array_size(json_object_get(board, "events")));
    headline(b, "扫码入会申请", "joins.submitted", json_int_at(t, "joins", "submitted"));
    headline(b, "已入会", "joins.approved", json_int_at(t, "joins", "approved"));
    headline(b, "发放资料", "materials.total", json_int_at(t, "materials", "total"));
    headline(b, "互助卡", "cards_issued", json_int_at(t, "cards_issued", NULL));
    headline(b, "咨询", "questions.total", json_int_at(t, "questions", "total"));
    html_raw_trusted(b, "</div></section>");

    html_raw_trusted(b, "<section class=\"card\"><h2>按组织</h2><div class=\"scroll\"><table>"
                        "<thead><tr><th>组织</th><th class=\"num\">场次</th>");
    html_raw_trusted(b, FIG_HEAD);
    html_raw_trusted(b, "</tr></thead><tbody>");
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(board, "by_org"), i, o) {
        const char *code = json_string_value(json_object_get(o, "org"));
        html_printf(b, "<tr><td>%s</td><td class=\"num\">%lld</td>",
                    json_string_value(json_object_get(o, "name")),
                    (long long)json_int_at(o, "events", NULL));
        fig_cells(b, "o", code, o);
        html_raw_trusted(b, "</tr>");
    }
    html_raw_trusted(b, "</tbody></table></div></section>");

    html_raw_trusted(b, "<section class=\"card\"><h2>各场次</h2><div class=\"scroll\"><table>"
                        "<thead><tr><th>地点</th><th>组织</th><th>状态</th>");
    html_raw_trusted(b, FIG_HEAD);
    html_raw_trusted(b, "</tr></thead><tbody>");
    json_array_foreach(json_object_get(board, "events"), i, o) {
        json_int_t eid = json_integer_value(json_object_get(o, "id"));
        const char *status = json_string_value(json_object_get(o, "status"));
        html_raw_trusted(b, "<tr><td><a href=\"");
        event_link(b, eid, "");
        html_printf(b, "\">%s</a></td><td>%s</td><td><span class=\"tag %s\" data-e=\"%lld\" "
                       "data-f=\"status\">%s</span></td>",
                    json_string_value(json_object_get(o, "venue")),
                    json_string_value(json_object_get(o, "org_name")), status, (long long)eid,
                    event_status_label(status));
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)eid);
        fig_cells(b, "e", key, o);
        html_raw_trusted(b, "</tr>");
    }
    html_raw_trusted(b, "</tbody></table></div>");
    html_printf(b, "<p class=\"noprint\"><a href=\"/console/events?campaign=%lld\">场次列表</a>"
                   " · <a href=\"/api/v1/events?campaign=%lld&amp;format=xlsx\">导出 Excel</a>"
                   " · <a href=\"/api/v1/events?campaign=%lld&amp;format=csv\">导出 CSV</a></p>"
                   "</section><script src=\"/static/console.js\"></script>",
                (long long)id, (long long)id, (long long)id);
    json_decref(board);
    page_end(r);
}

/* ---- Calendar and list ------------------------------------------------------- */

struct month {
    int year, month;                    /* 1..12 */
    int days;                           /* in the month */
    int first_wday;                     /* 0 = Monday */
    int count[32];                      /* events per day */
    struct buf rows;                    /* the list, escaped */
    int n, cancelled;
    struct db *db;                      /* for each event's figures */
    json_int_t total[4];                /* joins approved, leaflets, cards, questions */
};

static int month_event(void *ud, const struct event_rec *e)
{
    struct month *m = ud;
    int day = atoi(e->starts_on + 8);
    if (day >= 1 && day <= 31)
        m->count[day]++;
    m->n++;
    m->cancelled += strcmp(e->status, "cancelled") == 0;
    char when[32];
    ub_iso_time(e->starts_at, when, sizeof when);
    struct buf *b = &m->rows;
    html_printf(b, "<tr id=\"d%d\"><td class=\"mono\">%.10s %.5s</td><td><a href=\"",
                day, when, when + 11);
    event_link(b, e->id, "");
    html_printf(b, "\">%s</a></td><td>%s</td><td>%s</td><td><span class=\"tag %s\">%s</span>"
                   "</td>",
                e->venue, event_type_label(e->type), e->org_name, e->status,
                event_status_label(e->status));
    struct ub_err err;
    json_t *f = event_figures(m->db, e, &err);
    json_int_t v[4] = {json_int_at(f, "joins", "approved"), json_int_at(f, "materials", "total"),
                       json_int_at(f, "cards_issued", NULL), json_int_at(f, "questions", "total")};
    json_decref(f);
    for (int i = 0; i < 4; i++) {
        html_printf(b, "<td class=\"num\">%lld</td>", (long long)v[i]);
        if (strcmp(e->status, "cancelled") != 0)
            m->total[i] += v[i];
    }
    html_raw_trusted(b, "</tr>");
    return f ? 0 : 1;
}

/* Reads ?month=YYYY-MM (default: this month) into m. */
static bool month_of(const char *s, struct month *m)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    m->year = tm.tm_year + 1900;
    m->month = tm.tm_mon + 1;
    if (s && *s) {
        char date[11];
        int y, mo, d;
        snprintf(date, sizeof date, "%.7s-01", s);
        if (strlen(s) != 7 || !ub_parse_date(date, &y, &mo, &d))
            return false;
        m->year = y;
        m->month = mo;
    }
    struct tm first = {.tm_year = m->year - 1900, .tm_mon = m->month - 1, .tm_mday = 1,
                       .tm_hour = 12, .tm_isdst = -1};
    mktime(&first);
    m->first_wday = (first.tm_wday + 6) % 7;
    struct tm last = {.tm_year = m->year - 1900, .tm_mon = m->month, .tm_mday = 0,
                      .tm_hour = 12, .tm_isdst = -1};
    mktime(&last);
    m->days = last.tm_mday;
    return true;
}

static void month_nav(struct buf *b, const struct month *m, const char *org)
{
    int py = m->month == 1 ? m->year - 1 : m->year, pm = m->month == 1 ? 12 : m->month - 1;
    int ny = m->month == 12 ? m->year + 1 : m->year, nm = m->month == 12 ? 1 : m->month + 1;
    html_printf(b, "<p class=\"monthnav\"><a href=\"/console/events?org=%s&amp;month=%04d-%02d\">"
                   "‹ 上月</a><b>%d年%d月</b><a href=\"/console/events?org=%s&amp;month=%04d-%02d\">"
                   "下月 ›</a></p>", org, py, pm, m->year, m->month, org, ny, nm);
}

static void calendar(struct buf *b, const struct month *m)
{
    static const char *const wd[] = {"一", "二", "三", "四", "五", "六", "日"};
    html_raw_trusted(b, "<table class=\"cal\"><thead><tr>");
    for (int i = 0; i < 7; i++)
        html_printf(b, "<th>%s</th>", wd[i]);
    html_raw_trusted(b, "</tr></thead><tbody><tr>");
    int col = 0;
    for (; col < m->first_wday; col++)
        html_raw_trusted(b, "<td></td>");
    for (int d = 1; d <= m->days; d++, col++) {
        if (col == 7) {
            html_raw_trusted(b, "</tr><tr>");
            col = 0;
        }
        if (m->count[d])
            html_printf(b, "<td class=\"has\"><a href=\"#d%d\">%d<small>%d场</small></a></td>",
                        d, d, m->count[d]);
        else
            html_printf(b, "<td>%d</td>", d);
    }
    for (; col < 7; col++)
        html_raw_trusted(b, "<td></td>");
    html_raw_trusted(b, "</tr></tbody></table>");
}

struct option_list {
    struct buf *b;
    const char *selected;
};

static int org_option(void *ud, const struct org_rec *o)
{
    struct option_list *l = ud;
    html_printf(l->b, "<option value=\"%s\"%s>%s</option>", o->code,
                l->selected && strcmp(l->selected, o->code) == 0 ? " selected" : "", o->name);
    return 0;
}

static int campaign_option(void *ud, const struct campaign_rec *c)
{
    struct option_list *l = ud;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)c->id);
    html_printf(l->b, "<option value=\"%lld\"%s>%s（%s）</option>", (long long)c->id,
                l->selected && strcmp(l->selected, id) == 0 ? " selected" : "", c->name,
                c->date_from);
    return 0;
}

/* The new-event form: the org and its children, the campaigns. */
static void event_form(struct req *r, const struct org_rec *org, const char *campaign)
{
    struct buf *b = &r->out;
    html_raw_trusted(b, "<section class=\"card\"><h2>登记沟通会</h2>"
                        "<form method=\"post\" action=\"/console/events\" class=\"stack\">");
    page_csrf_field(r);
    html_raw_trusted(b, "<label>类型<select name=\"type\">"
                        "<option value=\"worker_meeting\">职工沟通会</option>"
                        "<option value=\"enterprise_meeting\">企业沟通会</option></select></label>"
                        "<label>举办组织<select name=\"org\">");
    struct option_list l = {b, org->code};
    org_option(&l, org);
    struct ub_err err;
    org_children(r->db, &r->actor, org->code, NULL, 200, org_option, &l, &err);
    html_raw_trusted(b, "</select></label><label>所属活动<select name=\"campaign_id\">"
                        "<option value=\"\">（不属于活动）</option>");
    l.selected = campaign;
    campaign_list(r->db, &r->actor, 0, 50, campaign_option, &l, &err);
    html_raw_trusted(b,
        "</select></label>"
        "<label>地点<input name=\"venue\" required maxlength=\"100\" placeholder=\"如：万象汇商场门口\"></label>"
        "<label>地址<input name=\"address\" maxlength=\"100\"></label>"
        "<label>日期<input type=\"date\" name=\"date\" required></label>"
        "<label>时间<input type=\"time\" name=\"time\" value=\"09:00\" required></label>"
        "<label>合作单位<input name=\"partners\" maxlength=\"300\" placeholder=\"多个用顿号分隔，如：司法所、派出所\"></label>"
        "<button type=\"submit\">登记</button></form></section>");
}

void page_events(struct req *r)
{
    const char *code = req_query(r, "org");
    struct org_rec org = {0};
    struct ub_err err;
    if (!code || !*code)
        code = r->actor.org_code;
    if (*code && org_get(r->db, &r->actor, code, &org, &err)) {
        reply_err(r, &err);
        return;
    }
    struct month m = {.db = r->db};
    if (!month_of(req_query(r, "month"), &m)) {
        reply_error(r, 400, "bad_query", "月份格式应为 YYYY-MM");
        return;
    }
    /* ?from=&to= lists a period (the reports link here) instead of a month. */
    const char *pf = req_query(r, "from"), *pt = req_query(r, "to");
    bool period = (pf && *pf) || (pt && *pt);
    int64_t campaign = 0;
    const char *cq = req_query(r, "campaign");
    if (cq && *cq && (!ub_parse_i64(cq, &campaign) || campaign < 0)) {
        reply_error(r, 400, "bad_query", "campaign 无效");
        return;
    }
    char from[11], to[11];
    snprintf(from, sizeof from, "%04d-%02d-01", m.year, m.month);
    snprintf(to, sizeof to, "%04d-%02d-%02d", m.year, m.month, m.days);
    if (period) {
        ub_strlcpy(from, pf ? pf : "", sizeof from);
        ub_strlcpy(to, pt ? pt : "", sizeof to);
    }
    bool calendar_view = !campaign && !period;
    buf_init(&m.rows);
    /* A campaign's list spans its dates, not a month. */
    if (event_list(r->db, &r->actor, *code ? code : NULL, campaign ? NULL : from,
                   campaign ? NULL : to, campaign, NULL, EVENT_LIST_MAX, month_event, &m,
                   &err)) {
        buf_free(&m.rows);
        reply_err(r, &err);
        return;
    }
    page_begin(r, "沟通会");
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"card\"><h1>%s · 沟通会</h1>", *code ? org.name : "全部");
    if (calendar_view) {
        month_nav(b, &m, org.code);
        calendar(b, &m);
    } else if (period) {
        html_printf(b, "<p class=\"muted\">%s 至 %s（未取消的场次计入报表）</p>", from, to);
    }
    html_printf(b, "<p>共 <b data-count>%d</b> 场%s · <a href=\"/api/v1/events?org=%s&amp;from=%s&amp;to=%s"
                   "&amp;campaign=%lld&amp;format=xlsx\">导出 Excel</a> · <a href=\"/api/v1/"
                   "events?org=%s&amp;from=%s&amp;to=%s&amp;campaign=%lld&amp;format=csv\">导出 CSV"
                   "</a></p>", m.n - m.cancelled,
                m.cancelled ? arena_printf(&r->arena, "（另有 %d 场已取消）", m.cancelled) : "",
                org.code, campaign ? "" : from, campaign ? "" : to,
                (long long)campaign, org.code, campaign ? "" : from, campaign ? "" : to,
                (long long)campaign);
    if (m.n) {
        html_raw_trusted(b, "<div class=\"scroll\"><table><thead><tr><th>时间</th><th>地点</th>"
                            "<th>类型</th><th>组织</th><th>状态</th><th class=\"num\">扫码入会"
                            "</th><th class=\"num\">资料</th><th class=\"num\">互助卡</th>"
                            "<th class=\"num\">咨询</th></tr></thead><tbody>");
        buf_append(b, m.rows.data, m.rows.len);     /* escaped in month_event */
        html_printf(b, "</tbody><tfoot><tr><th colspan=\"5\">合计</th><th class=\"num\">%lld"
                       "</th><th class=\"num\">%lld</th><th class=\"num\">%lld</th>"
                       "<th class=\"num\">%lld</th></tr></tfoot></table></div>",
                    (long long)m.total[0], (long long)m.total[1], (long long)m.total[2],
                    (long long)m.total[3]);
    }
    html_raw_trusted(b, "</section>");
    buf_free(&m.rows);
    if (*code && r->actor.role != ROLE_VIEWER)
        event_form(r, &org, cq);
    page_end(r);
}

/* Splits "司法所、派出所" (also , ， ;) into in's partners. */
static void split_partners(struct req *r, const char *text, struct event_input *in)
{
    in->npartners = 0;
    if (!text)
        return;
    char *start = arena_strdup(&r->arena, text);
    for (char *q = start;;) {
        size_t skip = !*q                                                  ? 1
                      : strncmp(q, "、", 3) == 0 || strncmp(q, "，", 3) == 0 ? 3
                      : *q == ',' || *q == ';'                             ? 1
                                                                           : 0;
        if (!skip) {
            q++;
            continue;
        }
        bool end = !*q;
        *q = 0;
        while (*start == ' ')
            start++;
        for (char *t = q; t > start && t[-1] == ' ';)
            *--t = 0;
        if (*start && in->npartners < EVENT_PARTNERS_MAX_N)
            in->partners[in->npartners++] = start;
        if (end)
            return;
        q += skip;
        start = q;
    }
}

void page_events_post(struct req *r)
{
    struct event_input in;
    event_input_init(&in);
    in.type = req_form(r, "type");
    in.org = req_form(r, "org");
    in.venue = req_form(r, "venue");
    in.address = req_form(r, "address");
    const char *cid = req_form(r, "campaign_id");
    if (cid && *cid && (!ub_parse_i64(cid, &in.campaign_id) || in.campaign_id <= 0)) {
        reply_error(r, 422, "campaign_not_found", "活动不存在");
        return;
    }
    const char *date = req_form(r, "date"), *t = req_form(r, "time");
    in.starts_at = arena_printf(&r->arena, "%sT%s", date ? date : "", t ? t : "");
    split_partners(r, req_form(r, "partners"), &in);
    struct event_rec *e = arena_alloc(&r->arena, sizeof *e);
    struct ub_err err;
    if (event_create(r->db, &r->actor, &in, e, &err)) {
        reply_err(r, &err);
        return;
    }
    reply_redirect(r, arena_printf(&r->arena, "/console/events/%lld", (long long)e->id));
}

/* ---- One event ------------------------------------------------------------------ */

struct event_page {
    struct req *r;
    const struct event_rec *e;
    int n;
};

/* An employer the meeting met, with the button that opens its founding. */
static int employer_item(void *ud, const struct employer_rec *emp)
{
    struct event_page *p = ud;
    struct buf *b = &p->r->out;
    if (p->n++ == 0)
        html_raw_trusted(b, "<h2>走访的用人单位</h2><ul>");
    html_printf(b, "<li><a href=\"/console/employers/%lld\">%s</a> <span class=\"tag %s\">%s"
                   "</span> ", (long long)emp->id, emp->name, emp->union_status,
                employer_status_label(emp->union_status));
    page_open_case_form(p->r, emp, p->e->org_code, p->e->id);
    html_raw_trusted(b, "</li>");
    return 0;
}

/* Lists "label n" pairs of a figures map. */
static void pairs(struct buf *b, json_t *map)
{
    const char *k;
    json_t *v;
    bool any = false;
    json_object_foreach(map, k, v) {
        html_printf(b, "%s%s %lld", any ? "、" : "", k, (long long)json_integer_value(v));
        any = true;
    }
    if (!any)
        html_raw_trusted(b, "—");
}

void page_event(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct event_rec *e = arena_alloc(&r->arena, sizeof *e);
    struct ub_err err;
    json_t *f = NULL;
    if (event_get(r->db, &r->actor, id, e, &err) || !(f = event_figures(r->db, e, &err))) {
        reply_err(r, &err);
        return;
    }
    json_t *partners = json_loads(e->partners, 0, NULL);
    char when[32], until[32] = "";
    ub_iso_time(e->starts_at, when, sizeof when);
    if (e->ends_at)
        ub_iso_time(e->ends_at, until, sizeof until);

    page_begin(r, e->venue);
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"card\"><h1>%s <span class=\"tag %s\">%s</span></h1>"
                   "<dl class=\"facts\"><dt>类型</dt><dd>%s</dd><dt>举办组织</dt><dd>%s</dd>"
                   "<dt>时间</dt><dd>%.10s %.5s%s%.5s</dd>",
                e->venue, e->status, event_status_label(e->status), event_type_label(e->type),
                e->org_name, when, when + 11, *until ? " 至 " : "", *until ? until + 11 : "");
    if (e->campaign_id)
        html_printf(b, "<dt>所属活动</dt><dd><a href=\"/console/campaigns/%lld\">%s</a></dd>",
                    (long long)e->campaign_id, e->campaign_name);
    if (*e->address)
        html_printf(b, "<dt>地址</dt><dd>%s</dd>", e->address);
    html_raw_trusted(b, "<dt>合作单位</dt><dd>");
    size_t i;
    json_t *v;
    json_array_foreach(partners, i, v)
        html_printf(b, "%s%s", i ? "、" : "", json_string_value(v));
    if (!json_array_size(partners))
        html_raw_trusted(b, "—");
    json_decref(partners);
    html_raw_trusted(b, "</dd>");
    if (*e->notes)
        html_printf(b, "<dt>备注</dt><dd>%s</dd>", e->notes);
    html_printf(b, "<dt>扫码入会</dt><dd>申请 %lld · 已入会 %lld</dd><dt>发放资料</dt><dd>",
                (long long)json_int_at(f, "joins", "submitted"), (long long)json_int_at(f, "joins", "approved"));
    pairs(b, json_object_get(json_object_get(f, "materials"), "by_title"));
    html_printf(b, "</dd><dt>互助卡</dt><dd>%lld</dd><dt>咨询</dt><dd>",
                (long long)json_int_at(f, "cards_issued", NULL));
    pairs(b, json_object_get(json_object_get(f, "questions"), "by_topic"));
    html_printf(b, "</dd><dt>接触人数</dt><dd>%lld</dd></dl>", (long long)json_int_at(f, "people", NULL));
    json_decref(f);
    struct event_page ep = {r, e, 0};
    if (event_employers(r->db, id, employer_item, &ep, &err)) {
        reply_err(r, &err);
        return;
    }
    if (ep.n)
        html_raw_trusted(b, "</ul>");
    html_raw_trusted(b, "<p class=\"actions\">");
    if (strcmp(e->status, "cancelled") != 0 && r->actor.role != ROLE_VIEWER) {
        html_raw_trusted(b, "<a class=\"button\" href=\"");
        event_link(b, id, "/tally");
        html_raw_trusted(b, "\">现场计数</a> ");
    }
    html_raw_trusted(b, "<a href=\"");
    event_link(b, id, "/poster");
    html_raw_trusted(b, "\">打印扫码海报</a></p>");
    if (strcmp(e->status, "planned") == 0 && r->actor.role != ROLE_VIEWER) {
        html_raw_trusted(b, "<div class=\"actions\"><form method=\"post\" action=\"");
        event_link(b, id, "/status");
        html_raw_trusted(b, "\">");
        page_csrf_field(r);
        html_raw_trusted(b, "<button name=\"status\" value=\"held\" class=\"small\">标记为已举办"
                            "</button><button name=\"status\" value=\"cancelled\" "
                            "class=\"small ghost\">取消本场</button></form></div>");
    }
    html_raw_trusted(b, "</section><section class=\"card qr\"><h2>本场入会二维码</h2>"
                        "<img alt=\"本场入会二维码\" width=\"240\" height=\"240\" src=\"/api/v1/events/");
    html_printf(b, "%lld/qr.svg\"><p class=\"muted\">通过此码入会的职工计入本场。</p></section>",
                (long long)id);
    page_end(r);
}

void page_event_status(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct event_input in;
    event_input_init(&in);
    in.status = req_form(r, "status");
    struct event_rec *e = arena_alloc(&r->arena, sizeof *e);
    struct ub_err err;
    if (!in.status) {
        reply_error(r, 422, "invalid_status_change", "请选择状态");
        return;
    }
    if (event_update(r->db, &r->actor, id, &in, e, &err)) {
        reply_err(r, &err);
        return;
    }
    reply_redirect(r, arena_printf(&r->arena, "/console/events/%lld", (long long)id));
}

void page_event_poster(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct event_rec *e = arena_alloc(&r->arena, sizeof *e);
    struct ub_err err;
    if (event_get(r->db, &r->actor, id, e, &err)) {
        reply_err(r, &err);
        return;
    }
    page_begin(r, "扫码入会");
    html_printf(&r->out,
        "<section class=\"poster\"><h1>%s</h1><p class=\"step\">%s · %s</p>"
        "<p class=\"step\">微信扫一扫，两分钟加入工会</p>"
        "<img alt=\"入会二维码\" src=\"/api/v1/events/%lld/qr.svg\">"
        "<p class=\"step\">工会是职工的娘家人 · 入会自愿 · 信息加密保存</p>"
        "<p class=\"noprint\"><a href=\"/console/events/%lld\">返回</a> · "
        "用浏览器的“打印”即可打印A4海报</p></section>",
        e->org_name, event_type_label(e->type), e->venue, (long long)id, (long long)id);
    page_end(r);
}

/* ---- The tally page ----------------------------------------------------------------- */

struct tally_page {
    struct req *r;
    int64_t id;
    const char *kind;
    json_t *counts;                     /* label -> n */
};

/* One counter row: its name, its count, and − / + buttons, each a form
 * with a fresh tap id (a resubmitted form is the same tap). */
static void counter(struct tally_page *t, const char *label, const char *title, json_int_t n)
{
    struct req *r = t->r;
    struct buf *b = &r->out;
    char tap[CRYPTO_TOKEN_LEN + 1];
    crypto_token(tap);
    html_printf(b, "<form class=\"counter\" method=\"post\" action=\"/console/events/%lld/tally\">"
                   "<input type=\"hidden\" name=\"kind\" value=\"%s\">"
                   "<input type=\"hidden\" name=\"label\" value=\"%s\">"
                   "<input type=\"hidden\" name=\"tap\" value=\"%s\">",
                (long long)t->id, t->kind, label, tap);
    page_csrf_field(r);
    html_printf(b, "<span class=\"what\">%s</span>"
                   "<button name=\"delta\" value=\"-1\" class=\"minus\" aria-label=\"%s 减一\">−</button>"
                   "<output data-count>%lld</output>"
                   "<button name=\"delta\" value=\"1\" class=\"plus\" aria-label=\"%s 加一\">＋</button>"
                   "</form>", title, title, (long long)n, title);
}

static int label_counter(void *ud, const char *label)
{
    struct tally_page *t = ud;
    counter(t, label, label, json_integer_value(json_object_get(t->counts, label)));
    return 0;
}

void page_event_tally(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct event_rec *e = arena_alloc(&r->arena, sizeof *e);
    struct ub_err err;
    json_t *f = NULL;
    if (event_get(r->db, &r->actor, id, e, &err) || !(f = event_figures(r->db, e, &err))) {
        reply_err(r, &err);
        return;
    }
    page_begin(r, "现场计数");
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"tally\" data-event=\"%lld\" data-csrf=\"%s\">"
                   "<h1>%s</h1><p class=\"muted\">%s · 扫码入会 %lld 人 "
                   "<span data-pending class=\"tag\" hidden></span></p>",
                (long long)id, r->actor.csrf, e->venue, e->org_name,
                (long long)json_int_at(f, "joins", "submitted"));
    if (strcmp(e->status, "cancelled") == 0)
        html_raw_trusted(b, "<p class=\"alert\">本场已取消，不能计数。</p>");
    struct tally_page t = {r, id, "material",
                           json_object_get(json_object_get(f, "materials"), "by_title")};
    html_raw_trusted(b, "<h2>发放资料</h2>");
    tally_labels(r->db, e->org_path, "material", label_counter, &t, &err);
    html_raw_trusted(b, "<h2>互助卡</h2>");
    t.kind = "cards";
    counter(&t, "", "发放互助卡", json_int_at(f, "cards_issued", NULL));
    html_raw_trusted(b, "<h2>咨询问题</h2>");
    t.kind = "question";
    t.counts = json_object_get(json_object_get(f, "questions"), "by_topic");
    tally_labels(r->db, e->org_path, "question", label_counter, &t, &err);
    html_raw_trusted(b, "<h2>接触职工</h2>");
    t.kind = "people";
    counter(&t, "", "交谈人数", json_int_at(f, "people", NULL));
    html_raw_trusted(b, "<p><a href=\"");
    event_link(b, id, "");
    html_raw_trusted(b, "\">返回本场</a></p></section><script src=\"/static/console.js\"></script>");
    json_decref(f);
    page_end(r);
}

void page_event_tally_post(struct req *r)
{
    int64_t id, delta;
    if (id_or_reply(r, &id))
        return;
    const char *d = req_form(r, "delta");
    if (!d || !ub_parse_i64(d, &delta)) {
        reply_error(r, 422, "invalid_count", "数量无效");
        return;
    }
    const char *label = req_form(r, "label");
    struct tally_input in = {.n = 1};
    in.items[0] = (struct tally_item){req_form(r, "kind"), label ? label : "", delta};
    bool replayed;
    struct ub_err err;
    if (event_tally(r->db, &r->actor, id, &in, req_form(r, "tap"), &replayed, &err)) {
        reply_err(r, &err);
        return;
    }
    reply_redirect(r, arena_printf(&r->arena, "/console/events/%lld/tally", (long long)id));
}

void page_static_console_js(struct req *r)
{
    page_static_file(r, "web/static/console.js");
}
