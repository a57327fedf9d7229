/*
 * page_foundings.c: the console's founding screens: the board of cases by
 * step (a column per step, alerts on the cards, each card able to record
 * its next step), a case's page with its timeline, and an employer's page
 * from which a case is opened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/employer.h"
#include "domain/event.h"
#include "domain/founding.h"
#include "domain/org.h"
#include "http/html.h"
#include "web/page.h"

static int id_or_reply(struct req *r, int64_t *id)
{
    if (!ub_parse_i64(req_param(r, "id"), id) || *id <= 0) {
        reply_error(r, 404, "not_found", "页面不存在");
        return -1;
    }
    return 0;
}

static const char *alert_label(const char *kind)
{
    if (strcmp(kind, "idle") == 0)
        return "久未推进";
    if (strcmp(kind, "prep_overdue") == 0)
        return "筹备超6个月";
    return "应选举委员会";
}

/* The form recording a case's next step: the date, the facts that step
 * records, notes.  back: where to return ("board" or the case page). */
static void step_form(struct req *r, struct buf *b, const struct founding_rec *f,
                      const char *back)
{
    const char *next = founding_next_step(f);
    if (!next || r->actor.role == ROLE_VIEWER)
        return;
    char today[11];
    ub_local_date(ub_now(), today);
    html_printf(b, "<form method=\"post\" action=\"/console/foundings/%lld/steps\" "
                   "class=\"stack step\"><input type=\"hidden\" name=\"step\" value=\"%s\">"
                   "<input type=\"hidden\" name=\"back\" value=\"%s\">",
                (long long)f->id, next, back);
    html_printf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", r->actor.csrf);
    html_printf(b, "<label>日期<input type=\"date\" name=\"date\" value=\"%s\" max=\"%s\" "
                   "required></label>", today, today);
    if (strcmp(next, "prep_group_approved") == 0) {
        html_raw_trusted(b, "<label>筹备组人数<input type=\"number\" name=\"prep_group_size\" "
                            "min=\"3\" max=\"7\" required></label>");
    } else if (strcmp(next, "recruiting") == 0) {
        html_raw_trusted(b, "<label>已发展会员人数<input type=\"number\" name=\"members\" "
                            "min=\"1\" required></label>");
    } else if (strcmp(next, "reps_elected") == 0) {
        html_raw_trusted(b, "<label>会员代表人数<input type=\"number\" name=\"representatives\" "
                            "min=\"1\" required></label>");
    } else if (strcmp(next, "congress_held") == 0) {
        html_printf(b, "<label>大会类型<select name=\"congress_type\">"
                       "<option value=\"%s\">%s</option>"
                       "<option value=\"workers_congress\">职工代表大会</option></select></label>"
                       "<label>出席人数<input type=\"number\" name=\"attendance\" min=\"1\" "
                       "required></label>",
                    f->members >= 100 ? "member_rep_congress" : "member_assembly",
                    f->members >= 100 ? "会员代表大会" : "会员大会");
    } else if (strcmp(next, "committee_elected") == 0) {
        int lo, hi;
        founding_committee_range(f->members, &lo, &hi);
        html_printf(b, "<label>工会委员会人数（%d%s%d人，单数）<input type=\"number\" "
                       "name=\"committee_size\" min=\"%d\" max=\"%d\" step=\"2\" value=\"%d\" "
                       "required></label><label>工会主席<input name=\"chair_name\" "
                       "maxlength=\"30\" required></label>",
                    lo, lo == hi ? "" : "至", hi, lo, hi, lo);
    } else if (strcmp(next, "election_approved") == 0) {
        html_printf(b, "<label>批复文号<input name=\"document_no\" maxlength=\"50\" required>"
                       "</label><label>任期<select name=\"term_years\"><option value=\"5\">5年"
                       "</option><option value=\"3\">3年</option></select></label>"
                       "<label>工会名称<input name=\"union_name\" maxlength=\"100\" "
                       "value=\"%s工会\"></label>", f->employer_name);
    } else if (strcmp(next, "registered") == 0) {
        html_raw_trusted(b, "<label>工会统一社会信用代码<input name=\"union_uscc\" "
                            "maxlength=\"18\" pattern=\"81.{16}\" required></label>");
    }
    html_printf(b, "<label>备注<textarea name=\"notes\" maxlength=\"500\" rows=\"2\"></textarea>"
                   "</label><button type=\"submit\">记录：%s</button></form>",
                founding_step_label(next));
}

/* ---- The board -------------------------------------------------------------- */

#define BOARD_COLUMNS 11                /* opened, the nine steps, abandoned */

struct board {
    struct req *r;
    struct buf col[BOARD_COLUMNS];
    int n[BOARD_COLUMNS];
    json_t *alerts;                     /* case id -> [kinds] */
};

static int board_column(const char *step)
{
    if (strcmp(step, "abandoned") == 0)
        return BOARD_COLUMNS - 1;
    return founding_step_index(step) + 1;    /* "opened" -> 0 */
}

static int board_alert(void *ud, const char *kind, int64_t days, const struct founding_rec *f)
{
    struct board *bd = ud;
    (void)days;
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)f->id);
    json_t *list = json_object_get(bd->alerts, key);
    if (!list) {
        list = json_array();
        json_object_set_new(bd->alerts, key, list);
    }
    json_array_append_new(list, json_string(kind));
    return 0;
}

static int board_card(void *ud, const struct founding_rec *f)
{
    struct board *bd = ud;
    int c = board_column(f->step);
    struct buf *b = &bd->col[c];
    bd->n[c]++;
    html_printf(b, "<article class=\"case\" data-case=\"%lld\"><a href=\"/console/foundings/%lld\">"
                   "<b>%s</b></a><small>%s%s%s</small>",
                (long long)f->id, (long long)f->id, f->employer_name, f->guide_name,
                *f->step_on ? " · " : "", f->step_on);
    if (f->members)
        html_printf(b, "<small>会员 %lld 人</small>", (long long)f->members);
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)f->id);
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(bd->alerts, key), i, k)
        html_printf(b, "<span class=\"tag warn\">%s</span>", alert_label(json_string_value(k)));
    if (founding_next_step(f) && bd->r->actor.role != ROLE_VIEWER) {
        html_raw_trusted(b, "<details><summary>推进到下一步</summary>");
        step_form(bd->r, b, f, "board");
        html_raw_trusted(b, "</details>");
    }
    html_raw_trusted(b, "</article>");
    return 0;
}

void page_foundings(struct req *r)
{
    const char *org = req_query(r, "org");
    struct board bd = {.r = r, .alerts = json_object()};
    struct ub_err err;
    struct founding_filter f = {.from = req_query(r, "from"), .to = req_query(r, "to"),
                                .founded_from = req_query(r, "founded_from"),
                                .founded_to = req_query(r, "founded_to"),
                                .limit = FOUNDING_LIST_MAX};
    for (int i = 0; i < BOARD_COLUMNS; i++)
        buf_init(&bd.col[i]);
    int rc = founding_alerts(r->db, &r->actor, org, FOUNDING_IDLE_DAYS, NULL, board_alert, &bd,
                             &err);
    if (!rc)
        rc = founding_list(r->db, &r->actor, org, &f, board_card, &bd, &err);
    if (rc) {
        for (int i = 0; i < BOARD_COLUMNS; i++)
            buf_free(&bd.col[i]);
        json_decref(bd.alerts);
        reply_err(r, &err);
        return;
    }
    page_begin(r, "建会");
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"card\"><h1>建会工作</h1><form class=\"search\" method=\"get\">"
                   "<input name=\"org\" placeholder=\"组织代码\" value=\"%s\">"
                   "<input type=\"date\" name=\"from\" value=\"%s\" aria-label=\"起\">"
                   "<input type=\"date\" name=\"to\" value=\"%s\" aria-label=\"止\">"
                   "<button type=\"submit\" class=\"small\">筛选</button></form>"
                   "<p class=\"muted\">%zu 件需要关注 · 提醒：%d 天未推进、筹备组超过6个月、"
                   "25名会员以上未选举委员会</p></section>",
                org ? org : "", f.from ? f.from : "", f.to ? f.to : "",
                json_object_size(bd.alerts), FOUNDING_IDLE_DAYS);
    if (f.founded_from || f.founded_to)
        html_printf(b, "<p class=\"notice\">只看 %s 至 %s 间选举结果获批的工会</p>",
                    f.founded_from ? f.founded_from : "…", f.founded_to ? f.founded_to : "…");
    html_raw_trusted(b, "<div class=\"kanban\">");
    for (int i = 0; i < BOARD_COLUMNS; i++) {
        const char *step = i == 0 ? "opened" : i == BOARD_COLUMNS - 1 ? "abandoned"
                                                                      : founding_step_names[i - 1];
        html_printf(b, "<section class=\"column\" data-step=\"%s\"><h2>%s <span class=\"tag\">%d"
                       "</span></h2>", step, founding_step_label(step), bd.n[i]);
        buf_append(b, bd.col[i].data ? bd.col[i].data : "", bd.col[i].len);  /* escaped */
        html_raw_trusted(b, "</section>");
        buf_free(&bd.col[i]);
    }
    html_raw_trusted(b, "</div>");
    json_decref(bd.alerts);
    page_end(r);
}

/* ---- One case --------------------------------------------------------------- */

static int timeline_item(void *ud, const struct founding_step_rec *s)
{
    struct req *r = ud;
    struct buf *b = &r->out;
    html_printf(b, "<li><b>%s</b> <span class=\"mono\">%s</span>", founding_step_label(s->step),
                s->step_on);
    json_t *facts = json_loads(s->facts, 0, NULL);
    const char *k;
    json_t *v;
    static const struct { const char *key, *label; } names[] = {
        {"prep_group_size", "筹备组"}, {"members", "会员"}, {"representatives", "代表"},
        {"congress_type", "大会"}, {"attendance", "出席"}, {"committee_size", "委员会"},
        {"chair_name", "主席"}, {"document_no", "文号"}, {"term_years", "任期（年）"},
        {"union_uscc", "信用代码"}, {"union_org", "组织代码"},
    };
    json_object_foreach(facts, k, v) {
        const char *label = k;
        for (size_t i = 0; i < UB_ARRAY_LEN(names); i++)
            if (strcmp(names[i].key, k) == 0)
                label = names[i].label;
        if (json_is_integer(v))
            html_printf(b, " · %s %lld", label, (long long)json_integer_value(v));
        else if (strcmp(k, "congress_type") == 0)
            html_printf(b, " · %s", founding_congress_label(json_string_value(v)));
        else
            html_printf(b, " · %s %s", label, json_string_value(v));
    }
    json_decref(facts);
    if (*s->notes)
        html_printf(b, "<br><span class=\"muted\">%s</span>", s->notes);
    if (*s->login)
        html_printf(b, " <small class=\"muted\">（%s）</small>", s->login);
    html_raw_trusted(b, "</li>");
    return 0;
}

void page_founding(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct founding_rec *f = arena_alloc(&r->arena, sizeof *f);
    struct ub_err err;
    if (founding_get(r->db, &r->actor, id, f, &err)) {
        reply_err(r, &err);
        return;
    }
    page_begin(r, f->employer_name);
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"card\"><h1>%s <span class=\"tag\">%s</span></h1>"
                   "<dl class=\"facts\"><dt>用人单位</dt><dd><a href=\"/console/employers/%lld\">"
                   "%s</a>（职工 %lld 人）</dd><dt>指导单位</dt><dd>%s</dd><dt>负责人</dt><dd>%s</dd>",
                f->employer_name, founding_step_label(f->step), (long long)f->employer_id,
                f->employer_name, (long long)f->employer_headcount, f->guide_name,
                *f->staff_login ? f->staff_login : "—");
    if (f->event_id)
        html_printf(b, "<dt>来源</dt><dd><a href=\"/console/events/%lld\">企业沟通会</a></dd>",
                    (long long)f->event_id);
    if (*f->union_code)
        html_printf(b, "<dt>新建工会</dt><dd><a href=\"/console/orgs/%s\">%s</a>（%s 成立）</dd>",
                    f->union_code, f->union_code, f->founded_on);
    html_raw_trusted(b, "</dl><h2>进程</h2><ol class=\"timeline\">");
    if (founding_steps(r->db, id, timeline_item, r, &err)) {
        reply_err(r, &err);
        return;
    }
    html_raw_trusted(b, "</ol></section>");
    if (founding_next_step(f) && r->actor.role != ROLE_VIEWER) {
        html_raw_trusted(b, "<section class=\"card\"><h2>下一步</h2>");
        step_form(r, b, f, "case");
        html_raw_trusted(b, "</section>");
    }
    if (strcmp(f->status, "open") == 0 && r->actor.role != ROLE_VIEWER) {
        char today[11];
        ub_local_date(ub_now(), today);
        html_printf(b, "<section class=\"card\"><details><summary>放弃本次建会</summary>"
                       "<form method=\"post\" action=\"/console/foundings/%lld/steps\" "
                       "class=\"stack\"><input type=\"hidden\" name=\"step\" value=\"abandoned\">"
                       "<input type=\"hidden\" name=\"back\" value=\"case\">", (long long)id);
        page_csrf_field(r);
        html_printf(b, "<label>日期<input type=\"date\" name=\"date\" value=\"%s\" required>"
                       "</label><label>原因<textarea name=\"notes\" maxlength=\"500\" required>"
                       "</textarea></label><button type=\"submit\" class=\"ghost\">放弃（记录保留）"
                       "</button></form></details></section>", today);
    }
    page_end(r);
}

/* A form's whole number, -1 when empty or absent. */
static int64_t form_int(struct req *r, const char *name)
{
    const char *v = req_form(r, name);
    int64_t n;
    return v && *v && ub_parse_i64(v, &n) && n >= 0 ? n : -1;
}

void page_founding_step(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct founding_step_input in;
    founding_step_input_init(&in);
    in.step = req_form(r, "step");
    in.date = req_form(r, "date");
    in.notes = req_form(r, "notes");
    in.prep_group_size = form_int(r, "prep_group_size");
    in.members = form_int(r, "members");
    in.representatives = form_int(r, "representatives");
    in.attendance = form_int(r, "attendance");
    in.committee_size = form_int(r, "committee_size");
    in.term_years = form_int(r, "term_years");
    in.congress_type = req_form(r, "congress_type");
    in.chair_name = req_form(r, "chair_name");
    in.document_no = req_form(r, "document_no");
    in.union_uscc = req_form(r, "union_uscc");
    in.union_name = req_form(r, "union_name");
    struct founding_rec *f = arena_alloc(&r->arena, sizeof *f);
    struct ub_err err;
    if (founding_step(r->db, &r->actor, id, &in, f, &err)) {
        reply_err(r, &err);
        return;
    }
    const char *back = req_form(r, "back");
    if (back && strcmp(back, "board") == 0)
        reply_redirect(r, "/console/foundings");
    else
        reply_redirect(r, arena_printf(&r->arena, "/console/foundings/%lld", (long long)id));
}

void page_foundings_post(struct req *r)
{
    struct founding_open in = {.guide_org = req_form(r, "guide_org")};
    const char *e = req_form(r, "employer_id"), *ev = req_form(r, "event_id");
    if (!e || !ub_parse_i64(e, &in.employer_id)
        || (ev && *ev && !ub_parse_i64(ev, &in.event_id))) {
        reply_error(r, 422, "employer_not_found", "用人单位不存在");
        return;
    }
    struct founding_rec *f = arena_alloc(&r->arena, sizeof *f);
    struct ub_err err;
    if (founding_open(r->db, &r->actor, &in, f, &err)) {
        reply_err(r, &err);
        return;
    }
    reply_redirect(r, arena_printf(&r->arena, "/console/foundings/%lld", (long long)f->id));
}

/* The "open a case" form for an employer (from its page or a meeting). */
void page_open_case_form(struct req *r, const struct employer_rec *e, const char *guide,
                         int64_t event_id)
{
    if (r->actor.role == ROLE_VIEWER || strcmp(e->union_status, "none") != 0)
        return;
    html_raw_trusted(&r->out, "<form method=\"post\" action=\"/console/foundings\" class=\"inline\">");
    page_csrf_field(r);
    html_printf(&r->out, "<input type=\"hidden\" name=\"employer_id\" value=\"%lld\">"
                         "<input type=\"hidden\" name=\"guide_org\" value=\"%s\">",
                (long long)e->id, guide);
    if (event_id)
        html_printf(&r->out, "<input type=\"hidden\" name=\"event_id\" value=\"%lld\">",
                    (long long)event_id);
    html_raw_trusted(&r->out, "<button type=\"submit\" class=\"small\">开始建会指导</button></form>");
}

/* ---- An employer ------------------------------------------------------------ */

static int employer_case(void *ud, const struct founding_rec *f)
{
    html_printf(ud, "<li><a href=\"/console/foundings/%lld\">%s</a> · %s · %s</li>",
                (long long)f->id, founding_step_label(f->step), f->guide_name,
                *f->step_on ? f->step_on : "—");
    return 0;
}

void page_employer(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct employer_rec *e = arena_alloc(&r->arena, sizeof *e);
    struct ub_err err;
    if (employer_get(r->db, &r->actor, id, e, &err)) {
        reply_err(r, &err);
        return;
    }
    struct buf cases;
    buf_init(&cases);
    struct founding_filter f = {.employer_id = id, .limit = 50};
    if (founding_list(r->db, &r->actor, NULL, &f, employer_case, &cases, &err)) {
        buf_free(&cases);
        reply_err(r, &err);
        return;
    }
    page_begin(r, e->name);
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"card\"><h1>%s <span class=\"tag %s\">%s</span></h1>"
                   "<dl class=\"facts\"><dt>统一社会信用代码</dt><dd class=\"mono\">%s</dd>"
                   "<dt>职工人数</dt><dd>%lld</dd><dt>所属组织</dt><dd><a href=\"/console/orgs/%s\">"
                   "%s</a></dd><dt>地址</dt><dd>%s</dd><dt>法定代表人</dt><dd>%s</dd>",
                e->name, e->union_status, employer_status_label(e->union_status),
                *e->uscc ? e->uscc : "—", (long long)e->headcount, e->org_code, e->org_code,
                *e->address ? e->address : "—", *e->legal_rep ? e->legal_rep : "—");
    if (*e->union_org_code)
        html_printf(b, "<dt>本单位工会</dt><dd><a href=\"/console/orgs/%s\">%s</a></dd>",
                    e->union_org_code, e->union_org_code);
    html_raw_trusted(b, "</dl><h2>建会记录</h2>");
    if (cases.len) {
        html_raw_trusted(b, "<ul>");
        buf_append(b, cases.data, cases.len);       /* escaped in employer_case */
        html_raw_trusted(b, "</ul>");
    } else {
        html_raw_trusted(b, "<p class=\"muted\">尚无建会记录。</p>");
    }
    buf_free(&cases);
    page_open_case_form(r, e, e->org_code, 0);
    html_raw_trusted(b, "</section>");
    page_end(r);
}
