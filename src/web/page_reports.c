/*
 * page_reports.c: the console dashboard of an org for a period: the
 * headline figures of the summary report, each linking to the records
 * behind it, trends by month, breakdowns by child org and by worker
 * category (server-drawn SVG), export links; printable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/member.h"
#include "domain/org.h"
#include "domain/report.h"
#include "http/html.h"
#include "lib/jsonx.h"
#include "web/chart.h"
#include "web/page.h"

/* The period a dashboard shows when none is asked for: this half-year. */
static void default_period(char from[11], char to[11])
{
    char today[11];
    ub_local_date(ub_now(), today);
    bool first = atoi(today + 5) <= 6;
    snprintf(from, 11, "%.4s-%s", today, first ? "01-01" : "07-01");
    snprintf(to, 11, "%.4s-%s", today, first ? "06-30" : "12-31");
}

static int first_root(void *ud, const struct org_rec *o)
{
    ub_strlcpy(ud, o->code, ORG_CODE_MAX + 1);
    return 1;
}

/* One headline figure, linking to the records it counts. */
static void headline(struct buf *b, const char *label, json_int_t n, const char *detail,
                     const char *href)
{
    html_printf(b, "<a class=\"big\" href=\"%s\"><b>%lld</b><span>%s</span>", href,
                (long long)n, label);
    if (detail)
        html_printf(b, "<small>%s</small>", detail);
    html_raw_trusted(b, "</a>");
}

void page_reports(struct req *r)
{
    char from[11], to[11], root[ORG_CODE_MAX + 1] = "";
    default_period(from, to);
    const char *f = req_query(r, "from"), *t = req_query(r, "to");
    const char *org = req_query(r, "org");
    if (f && *f)
        ub_strlcpy(from, f, sizeof from);
    if (t && *t)
        ub_strlcpy(to, t, sizeof to);
    struct ub_err err;
    if ((!org || !*org) && !*r->actor.org_code) {
        org_children(r->db, &r->actor, NULL, NULL, 1, first_root, root, &err);
        org = root;
    }
    json_t *s = report_summary(r->db, &r->actor, org, from, to, &err);
    json_t *months = s ? report_months(r->db, &r->actor, org, from, to, &err) : NULL;
    if (!s || !months) {
        json_decref(s);
        reply_err(r, &err);
        return;
    }
    const char *code = json_string_value(json_object_get(s, "org"));
    const char *name = json_string_value(json_object_get(s, "name"));
    struct arena *A = &r->arena;
    page_begin(r, "工作报表");
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"card\"><h1>%s · 工作报表</h1>"
                   "<form class=\"search noprint\" method=\"get\" action=\"/console/reports\">"
                   "<input name=\"org\" value=\"%s\" aria-label=\"组织代码\">"
                   "<input type=\"date\" name=\"from\" value=\"%s\" aria-label=\"起\">"
                   "<input type=\"date\" name=\"to\" value=\"%s\" aria-label=\"止\">"
                   "<button type=\"submit\" class=\"small\">查看</button></form>"
                   "<p class=\"muted\">%s 至 %s · 含全部下级组织 · "
                   "<span class=\"noprint\"><a href=\"/api/v1/reports/summary?org=%s&amp;from=%s"
                   "&amp;to=%s&amp;format=xlsx\">导出 Excel</a> · <a href=\"/api/v1/reports/"
                   "summary?org=%s&amp;from=%s&amp;to=%s&amp;format=csv\">导出 CSV</a></span></p>",
                name, code, from, to, from, to, code, from, to, code, from, to);

    /* The headline figures, each a link to what it counts. */
    const char *events = arena_printf(A, "/console/events?org=%s&from=%s&to=%s", code, from, to);
    html_raw_trusted(b, "<div class=\"bigs\">");
    headline(b, "双沟通活动（场）", json_int_at(s, "activities", "total"),
             arena_printf(A, "职工沟通会 %lld · 企业沟通会 %lld",
                          (long long)json_int_at(s, "activities", "worker_meetings"),
                          (long long)json_int_at(s, "activities", "enterprise_meetings")),
             events);
    headline(b, "新入会会员（人）", json_int_at(s, "members_joined", "total"),
             arena_printf(A, "扫码 %lld · 现场 %lld · 导入 %lld",
                          (long long)json_int_at(s, "members_joined", "via_qr"),
                          (long long)json_int_at(s, "members_joined", "onsite"),
                          (long long)json_int_at(s, "members_joined", "import")),
             arena_printf(A, "/console/members?org=%s&from=%s&to=%s", code, from, to));
    headline(b, "新建工会（家）", json_int_at(s, "unions_founded", "total"),
             arena_printf(A, "其中百人以上 %lld",
                          (long long)json_int_at(s, "unions_founded", "headcount_100_plus")),
             arena_printf(A, "/console/foundings?org=%s&founded_from=%s&founded_to=%s", code,
                          from, to));
    headline(b, "互助服务卡（张）", json_int_at(s, "cards_issued", NULL), NULL, events);
    headline(b, "宣传资料（份）", json_int_at(s, "materials", "total"), NULL, events);
    headline(b, "解答咨询（次）", json_int_at(s, "questions", "total"), NULL, events);
    html_raw_trusted(b, "</div></section>");

    /* Trends by month. */
    size_t nm = json_array_size(months);
    const char **labels = arena_alloc(A, (nm + 1) * sizeof *labels);
    json_int_t *acts = arena_alloc(A, (nm + 1) * sizeof *acts);
    json_int_t *joins = arena_alloc(A, (nm + 1) * sizeof *joins);
    json_int_t *founded = arena_alloc(A, (nm + 1) * sizeof *founded);
    size_t i;
    json_t *m;
    json_array_foreach(months, i, m) {
        const char *month = json_string_value(json_object_get(m, "month"));
        labels[i] = arena_printf(A, "%d月", atoi(month + 5));
        acts[i] = json_int_at(m, "activities", "total");
        joins[i] = json_int_at(m, "members_joined", "total");
        founded[i] = json_int_at(m, "unions_founded", "total");
    }
    html_raw_trusted(b, "<section class=\"card\"><h2>按月趋势</h2><div class=\"charts\">");
    struct chart_series s1[] = {{"新入会会员", joins, "s1"}};
    chart_columns(b, "每月新入会会员（人）", labels, nm, s1, 1);
    struct chart_series s2[] = {{"双沟通活动", acts, "s1"}, {"新建工会", founded, "s2"}};
    chart_columns(b, "每月活动（场）与新建工会（家）", labels, nm, s2, 2);
    html_raw_trusted(b, "</div></section>");

    /* By child org: a chart and the table behind it. */
    json_t *rows = json_object_get(s, "by_org");
    size_t nc = json_array_size(rows);
    if (nc) {
        const char **names = arena_alloc(A, nc * sizeof *names);
        const char **links = arena_alloc(A, nc * sizeof *links);
        json_int_t *cj = arena_alloc(A, nc * sizeof *cj);
        json_t *row;
        json_array_foreach(rows, i, row) {
            const char *c = json_string_value(json_object_get(row, "org"));
            names[i] = json_string_value(json_object_get(row, "name"));
            links[i] = arena_printf(A, "/console/reports?org=%s&from=%s&to=%s", c, from, to);
            cj[i] = json_int_at(row, "members_joined", "total");
        }
        html_raw_trusted(b, "<section class=\"card\"><h2>下级组织</h2>");
        chart_bars(b, "各下级组织新入会会员（人）", names, cj, nc, links);
        html_raw_trusted(b, "<div class=\"scroll\"><table><thead><tr><th>组织</th>"
                            "<th class=\"num\">活动</th><th class=\"num\">入会</th>"
                            "<th class=\"num\">其中扫码</th><th class=\"num\">新建工会</th>"
                            "<th class=\"num\">互助卡</th><th class=\"num\">资料</th></tr>"
                            "</thead><tbody>");
        json_array_foreach(rows, i, row) {
            const char *c = json_string_value(json_object_get(row, "org"));
            html_printf(b, "<tr><td><a href=\"%s\">%s</a></td>"
                           "<td class=\"num\"><a href=\"/console/events?org=%s&amp;from=%s&amp;to=%s\">%lld</a></td>"
                           "<td class=\"num\"><a href=\"/console/members?org=%s&amp;from=%s&amp;to=%s\">%lld</a></td>"
                           "<td class=\"num\">%lld</td>"
                           "<td class=\"num\"><a href=\"/console/foundings?org=%s&amp;founded_from=%s&amp;founded_to=%s\">%lld</a></td>"
                           "<td class=\"num\">%lld</td><td class=\"num\">%lld</td></tr>",
                        links[i], names[i], c, from, to,
                        (long long)json_int_at(row, "activities", "total"), c, from, to,
                        (long long)json_int_at(row, "members_joined", "total"),
                        (long long)json_int_at(row, "members_joined", "via_qr"), c, from, to,
                        (long long)json_int_at(row, "unions_founded", "total"),
                        (long long)json_int_at(row, "cards_issued", NULL),
                        (long long)json_int_at(row, "materials", "total"));
        }
        html_raw_trusted(b, "</tbody></table></div></section>");
    }

    /* By worker category. */
    json_t *cats = json_object_get(s, "members_by_category");
    size_t nk = json_object_size(cats);
    if (nk) {
        const char **names = arena_alloc(A, nk * sizeof *names);
        json_int_t *v = arena_alloc(A, nk * sizeof *v);
        const char *k;
        json_t *n;
        i = 0;
        json_object_foreach(cats, k, n) {
            const char *label = member_category_label(k);
            names[i] = label ? label : k;
            v[i++] = json_integer_value(n);
        }
        html_raw_trusted(b, "<section class=\"card\"><h2>新入会会员的职工类别</h2>");
        chart_bars(b, "按职工类别（人）", names, v, nk, NULL);
        html_raw_trusted(b, "</section>");
    }
    json_decref(months);
    json_decref(s);
    page_end(r);
}
