/*
 * event.c: campaigns, events, tallies and the campaign board.
 */
#include "domain/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/member.h"
#include "domain/org.h"
#include "lib/jsonx.h"
#include "store/store_stats.h"

static const char *const default_materials[] = {"入会宝典", "建会秘籍"};
static const char *const default_questions[] = {"入会", "二次报销", "权益保障", "普惠服务",
                                                "法律咨询"};

const char *event_type_label(const char *type)
{
    if (strcmp(type, "worker_meeting") == 0)
        return "职工沟通会";
    if (strcmp(type, "enterprise_meeting") == 0)
        return "企业沟通会";
    return "";
}

const char *event_status_label(const char *status)
{
    if (strcmp(status, "planned") == 0)
        return "计划中";
    if (strcmp(status, "held") == 0)
        return "已举办";
    if (strcmp(status, "cancelled") == 0)
        return "已取消";
    return "";
}

static bool one_of(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

static int optional_text(const char *field, const char *s, size_t max, bool newline,
                         struct ub_err *err)
{
    if (!s || !*s)
        return 0;
    if (!ub_utf8_text(s, newline))
        return ub_fail_field(err, UB_EINVALID, "invalid_text", field, "%s含有无效字符", field);
    if (ub_utf8_len(s) > max)
        return ub_fail_field(err, UB_EINVALID, "too_long", field, "%s不能超过%zu个字", field,
                             max);
    return 0;
}

static char *id_str(int64_t id, char buf[24])
{
    snprintf(buf, 24, "%lld", (long long)id);
    return buf;
}

/* ---- Campaigns ------------------------------------------------------------ */

/* True if the actor's subtree meets the campaign's: the campaign is run
 * inside it, above it, or for the whole tree. */
static bool takes_part(const struct actor *a, const struct campaign_rec *c)
{
    if (c->org_id == 0 || actor_covers(a, c->org_path))
        return true;
    return strncmp(a->org_path, c->org_path, strlen(c->org_path)) == 0;
}

int campaign_create(struct db *db, const struct actor *a, const struct campaign_input *in,
                    struct campaign_rec *out, struct ub_err *err)
{
    static const char *const levels[] = {"city", "district", "town"};
    memset(out, 0, sizeof *out);
    if (name_check("name", in->name, 100, err)
        || optional_text("theme", in->theme, 100, false, err))
        return -1;
    if (!one_of(in->level, levels, UB_ARRAY_LEN(levels)))
        return ub_fail_field(err, UB_EINVALID, "invalid_level", "level",
                             "级别应为 city、district 或 town");
    int y1, m1, d1, y2, m2, d2;
    if (!ub_parse_date(in->date_from, &y1, &m1, &d1))
        return ub_fail_field(err, UB_EINVALID, "invalid_date", "date_from",
                             "开始日期应为 YYYY-MM-DD");
    if (!ub_parse_date(in->date_to, &y2, &m2, &d2))
        return ub_fail_field(err, UB_EINVALID, "invalid_date", "date_to",
                             "结束日期应为 YYYY-MM-DD");
    if (strcmp(in->date_from, in->date_to) > 0)
        return ub_fail_field(err, UB_EINVALID, "invalid_period", "date_to",
                             "结束日期不能早于开始日期");
    if (y2 * 12 + m2 - (y1 * 12 + m1) > 12)
        return ub_fail_field(err, UB_EINVALID, "invalid_period", "date_to",
                             "一次活动最长一年");

    struct org_rec org = {0};
    const char *code = in->org && *in->org ? in->org : a->org_code;
    if (*code) {
        int rc = store_org_by_code(db, code, &org);
        if (rc == DB_NOTFOUND)
            return ub_fail_field(err, UB_EINVALID, "org_not_found", "org", "组织 %s 不存在",
                                 code);
        if (rc != DB_OK)
            return ub_fail_store(err, rc);
        if (actor_may(a, PERM_MANAGE, org.path, err))
            return -1;
        if (org_level_rank(org.level) > org_level_rank("town"))
            return ub_fail_field(err, UB_EINVALID, "org_not_federation", "org",
                                 "活动应由总工会组织");
    } else if (actor_may(a, PERM_MANAGE, "/", err)) {
        return -1;
    }

    ub_strlcpy(out->name, in->name, sizeof out->name);
    ub_strlcpy(out->level, in->level, sizeof out->level);
    ub_strlcpy(out->theme, in->theme ? in->theme : "", sizeof out->theme);
    ub_strlcpy(out->date_from, in->date_from, sizeof out->date_from);
    ub_strlcpy(out->date_to, in->date_to, sizeof out->date_to);
    out->org_id = org.id;
    ub_strlcpy(out->org_code, org.code, sizeof out->org_code);
    ub_strlcpy(out->org_name, org.name, sizeof out->org_name);
    ub_strlcpy(out->org_path, org.id ? org.path : "/", sizeof out->org_path);
    out->created_by = a->user_id;

    if (tx_begin(db, err))
        return -1;
    int rc = store_campaign_insert(db, out);
    char id[24];
    if (rc == DB_OK)
        rc = audit_log(db, a, "campaign.create", "campaign", id_str(out->id, id), org.id,
                       json_pack("{s:s, s:s, s:s, s:s}", "name", out->name, "level",
                                 out->level, "date_from", out->date_from, "date_to",
                                 out->date_to));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}

int campaign_get(struct db *db, const struct actor *a, int64_t id, struct campaign_rec *out,
                 struct ub_err *err)
{
    int rc = store_campaign_by_id(db, id, out);
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "campaign_not_found", "活动不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (!takes_part(a, out))
        return ub_fail(err, UB_EFORBID, "forbidden", "超出您所在组织的管理范围");
    return 0;
}

int campaign_list(struct db *db, const struct actor *a, int64_t before, int limit,
                  campaign_cb cb, void *ud, struct ub_err *err)
{
    if (limit < 1 || limit > 1000)
        return ub_fail_field(err, UB_EBAD, "invalid_limit", "limit", "limit 应在1到1000之间");
    int rc = store_campaign_list(db, *a->org_path ? a->org_path : "/", before, limit, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

/* ---- Figures ---------------------------------------------------------------- */

static json_t *figures_new(void)
{
    return json_pack("{s:{s:i, s:i}, s:{s:i, s:{}}, s:i, s:{s:i, s:{}}, s:i}",
                     "joins", "submitted", 0, "approved", 0,
                     "materials", "total", 0, "by_title",
                     "cards_issued", 0,
                     "questions", "total", 0, "by_topic",
                     "people", 0);
}

/* Adds a counter to figures f (a FIGURES object or one that embeds it). */
static void figures_add_tally(json_t *f, const char *kind, const char *label, json_int_t n)
{
    if (strcmp(kind, "material") == 0) {
        json_t *m = json_object_get(f, "materials");
        json_bump(m, "total", n);
        json_bump(json_object_get(m, "by_title"), label, n);
    } else if (strcmp(kind, "question") == 0) {
        json_t *q = json_object_get(f, "questions");
        json_bump(q, "total", n);
        json_bump(json_object_get(q, "by_topic"), label, n);
    } else if (strcmp(kind, "cards") == 0) {
        json_bump(f, "cards_issued", n);
    } else if (strcmp(kind, "people") == 0) {
        json_bump(f, "people", n);
    }
}

static void figures_add_joins(json_t *f, json_int_t submitted, json_int_t approved)
{
    json_t *j = json_object_get(f, "joins");
    json_bump(j, "submitted", submitted);
    json_bump(j, "approved", approved);
}

/* Adds figures `from` into `into`. */
static void figures_merge(json_t *into, json_t *from)
{
    json_t *j = json_object_get(from, "joins");
    figures_add_joins(into, json_integer_value(json_object_get(j, "submitted")),
                      json_integer_value(json_object_get(j, "approved")));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(json_object_get(from, "materials"), "by_title"), k, v)
        figures_add_tally(into, "material", k, json_integer_value(v));
    json_object_foreach(json_object_get(json_object_get(from, "questions"), "by_topic"), k, v)
        figures_add_tally(into, "question", k, json_integer_value(v));
    figures_add_tally(into, "cards", "", json_integer_value(json_object_get(from, "cards_issued")));
    figures_add_tally(into, "people", "", json_integer_value(json_object_get(from, "people")));
}

static int figures_tally_cb(void *ud, const struct tally_rec *t)
{
    figures_add_tally(ud, t->kind, t->label, t->n);
    return 0;
}

json_t *event_figures(struct db *db, const struct event_rec *e, struct ub_err *err)
{
    json_t *f = figures_new();
    struct event_joins j;
    int rc = store_event_tallies(db, e->id, figures_tally_cb, f);
    if (rc == DB_OK)
        rc = store_event_joins(db, e->id, &j);
    if (rc != DB_OK) {
        json_decref(f);
        ub_fail_store(err, rc);
        return NULL;
    }
    figures_add_joins(f, j.submitted, j.approved);
    return f;
}

/* ---- The board ---------------------------------------------------------------- */

struct board_event {
    int64_t id;
    json_t *obj;                        /* borrowed from the events array */
};

struct board {
    struct board_event *ev;
    size_t n, cap;
    json_t *events;                     /* the board's array */
    json_t *totals;
};

static int cmp_board_event(const void *a, const void *b)
{
    int64_t x = ((const struct board_event *)a)->id, y = ((const struct board_event *)b)->id;
    return (x > y) - (x < y);
}

static json_t *board_find(struct board *b, int64_t id)
{
    struct board_event key = {.id = id};
    struct board_event *hit = bsearch(&key, b->ev, b->n, sizeof *b->ev, cmp_board_event);
    return hit ? hit->obj : NULL;
}

static int board_event_cb(void *ud, const struct event_rec *e)
{
    struct board *b = ud;
    char when[32];
    ub_iso_time(e->starts_at, when, sizeof when);
    json_t *o = figures_new();
    json_t *head = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id,
                             "org", e->org_code, "org_name", e->org_name, "venue", e->venue,
                             "type", e->type, "status", e->status, "starts_at", when);
    json_object_update(o, head);
    json_decref(head);
    json_array_append_new(b->events, o);
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->ev = xrealloc(b->ev, b->cap * sizeof *b->ev);
    }
    b->ev[b->n++] = (struct board_event){e->id, o};
    return 0;
}

static int board_tally_cb(void *ud, const struct tally_rec *t)
{
    struct board *b = ud;
    json_t *o = board_find(b, t->event_id);
    if (o) {                            /* else outside the actor's subtree */
        figures_add_tally(o, t->kind, t->label, t->n);
        figures_add_tally(b->totals, t->kind, t->label, t->n);
    }
    return 0;
}

static int board_joins_cb(void *ud, const struct event_joins *j)
{
    struct board *b = ud;
    json_t *o = board_find(b, j->event_id);
    if (o) {
        figures_add_joins(o, j->submitted, j->approved);
        figures_add_joins(b->totals, j->submitted, j->approved);
    }
    return 0;
}

/* Rolls the events up by organising org, in the order orgs first appear. */
static json_t *by_org(json_t *events)
{
    json_t *rows = json_array(), *index = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e) {
        const char *code = json_string_value(json_object_get(e, "org"));
        json_t *row = json_object_get(index, code);
        if (!row) {
            row = figures_new();
            json_object_set(row, "org", json_object_get(e, "org"));
            json_object_set(row, "name", json_object_get(e, "org_name"));
            json_object_set_new(row, "events", json_integer(0));
            json_object_set(index, code, row);
            json_array_append_new(rows, row);
        }
        json_bump(row, "events", 1);
        figures_merge(row, e);
    }
    json_decref(index);
    return rows;
}

json_t *campaign_board(struct db *db, const struct actor *a, int64_t id, struct ub_err *err)
{
    struct campaign_rec c;
    if (campaign_get(db, a, id, &c, err))
        return NULL;
    struct board b = {.events = json_array(), .totals = figures_new()};
    struct event_filter f = {
        .path = *a->org_path ? a->org_path : "/",
        .district = a->district_id,
        .campaign_id = id,
        .limit = 100000,
    };
    int rc = store_event_list(db, &f, board_event_cb, &b);
    if (rc == DB_OK) {
        qsort(b.ev, b.n, sizeof *b.ev, cmp_board_event);
        rc = store_campaign_tallies(db, id, board_tally_cb, &b);
    }
    if (rc == DB_OK)
        rc = store_campaign_joins(db, id, board_joins_cb, &b);
    free(b.ev);
    if (rc != DB_OK) {
        json_decref(b.events);
        json_decref(b.totals);
        ub_fail_store(err, rc);
        return NULL;
    }
    json_t *head = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)c.id,
                             "name", c.name, "level", c.level, "date_from", c.date_from,
                             "date_to", c.date_to, "org", c.org_code);
    json_t *out = json_pack("{s:o, s:o, s:o, s:I}", "campaign", head, "totals", b.totals,
                            "by_org", by_org(b.events), "event_count", (json_int_t)b.n);
    json_object_set_new(out, "events", b.events);
    return out;
}

/* ---- Events ----------------------------------------------------------------- */

void event_input_init(struct event_input *in)
{
    memset(in, 0, sizeof *in);
    in->npartners = -1;
    in->nemployers = -1;
}

/* Validates the fields in gives into e; on create every required one. */
static int check_event(const struct event_input *in, struct event_rec *e, bool create,
                       struct ub_err *err)
{
    if (create || in->venue) {
        if (name_check("venue", in->venue, 100, err))
            return -1;
        ub_strlcpy(e->venue, in->venue, sizeof e->venue);
    }
    if (in->address) {
        if (optional_text("address", in->address, 100, false, err))
            return -1;
        ub_strlcpy(e->address, in->address, sizeof e->address);
    }
    if (in->notes) {
        if (optional_text("notes", in->notes, 500, true, err))
            return -1;
        ub_strlcpy(e->notes, in->notes, sizeof e->notes);
    }
    if (create || in->starts_at) {
        if (!in->starts_at || !*in->starts_at)
            return ub_fail_field(err, UB_EINVALID, "missing_field", "starts_at",
                                 "请填写开始时间");
        if (!ub_parse_iso_time(in->starts_at, &e->starts_at))
            return ub_fail_field(err, UB_EINVALID, "invalid_time", "starts_at",
                                 "开始时间格式应为 2025-05-27T09:00:00+08:00");
        ub_local_date(e->starts_at, e->starts_on);
    }
    if (in->ends_at) {
        e->ends_at = 0;
        if (*in->ends_at && !ub_parse_iso_time(in->ends_at, &e->ends_at))
            return ub_fail_field(err, UB_EINVALID, "invalid_time", "ends_at",
                                 "结束时间格式应为 2025-05-27T11:00:00+08:00");
    }
    if (e->ends_at && e->ends_at < e->starts_at)
        return ub_fail_field(err, UB_EINVALID, "invalid_period", "ends_at",
                             "结束时间不能早于开始时间");
    if (in->npartners >= 0) {
        json_t *arr = json_array();
        for (int i = 0; i < in->npartners; i++) {
            if (name_check("partners", in->partners[i], 50, err)) {
                json_decref(arr);
                return -1;
            }
            json_array_append_new(arr, json_string(in->partners[i]));
        }
        char *s = json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII);
        json_decref(arr);
        bool fits = ub_strlcpy(e->partners, s, sizeof e->partners);
        free(s);
        if (!fits)
            return ub_fail_field(err, UB_EINVALID, "too_long", "partners", "合作单位过多");
    }
    return 0;
}

/* Links the employers of in to event e (each one the actor may see). */
static int link_employers(struct db *db, const struct actor *a, const struct event_rec *e,
                          const struct event_input *in, struct ub_err *err)
{
    for (int i = 0; i < in->nemployers; i++) {
        struct employer_rec emp;
        int rc = store_employer_by_id(db, in->employers[i], &emp);
        if (rc == DB_NOTFOUND)
            return ub_fail_field(err, UB_EINVALID, "employer_not_found", "employers",
                                 "用人单位 %lld 不存在", (long long)in->employers[i]);
        if (rc != DB_OK)
            return ub_fail_store(err, rc);
        if (actor_may(a, PERM_READ, emp.org_path, err))
            return -1;
        rc = store_event_employer_add(db, e->id, emp.id);
        if (rc != DB_OK)
            return ub_fail_store(err, rc);
    }
    return 0;
}

static json_t *event_detail(const struct event_rec *e)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:s}", "type", e->type, "org", e->org_code,
                     "venue", e->venue, "starts_at", (json_int_t)e->starts_at, "status",
                     e->status);
}

int event_create(struct db *db, const struct actor *a, const struct event_input *in,
                 struct event_rec *out, struct ub_err *err)
{
    static const char *const types[] = {"worker_meeting", "enterprise_meeting"};
    static const char *const first[] = {"planned", "held"};
    memset(out, 0, sizeof *out);
    if (!one_of(in->type, types, UB_ARRAY_LEN(types)))
        return ub_fail_field(err, UB_EINVALID, "invalid_type", "type",
                             "类型应为 worker_meeting 或 enterprise_meeting");
    if (in->status && !one_of(in->status, first, UB_ARRAY_LEN(first)))
        return ub_fail_field(err, UB_EINVALID, "invalid_status", "status",
                             "新活动的状态应为 planned 或 held");
    ub_strlcpy(out->partners, "[]", sizeof out->partners);
    if (check_event(in, out, true, err))
        return -1;
    if (in->nemployers > 0 && strcmp(in->type, "enterprise_meeting") != 0)
        return ub_fail_field(err, UB_EINVALID, "employers_not_allowed", "employers",
                             "只有企业沟通会可以关联用人单位");
    if (!in->org || !*in->org)
        return ub_fail_field(err, UB_EINVALID, "missing_field", "org", "请选择举办组织");
    struct org_rec org;
    int rc = store_org_by_code(db, in->org, &org);
    if (rc == DB_NOTFOUND)
        return ub_fail_field(err, UB_EINVALID, "org_not_found", "org", "组织 %s 不存在",
                             in->org);
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (actor_may(a, PERM_WRITE, org.path, err))
        return -1;
    if (in->campaign_id) {
        struct campaign_rec c;
        if (campaign_get(db, a, in->campaign_id, &c, err)) {
            if (err->kind == UB_ENOTFOUND)
                err->kind = UB_EINVALID;
            ub_strlcpy(err->field, "campaign_id", sizeof err->field);
            return -1;
        }
        if (c.org_id && strncmp(org.path, c.org_path, strlen(c.org_path)) != 0)
            return ub_fail_field(err, UB_EINVALID, "org_outside_campaign", "org",
                                 "%s 不在活动“%s”的组织范围内", org.name, c.name);
        if (strcmp(out->starts_on, c.date_from) < 0 || strcmp(out->starts_on, c.date_to) > 0)
            return ub_fail_field(err, UB_EINVALID, "outside_campaign_dates", "starts_at",
                                 "活动“%s”的日期为 %s 至 %s", c.name, c.date_from, c.date_to);
        out->campaign_id = c.id;
        ub_strlcpy(out->campaign_name, c.name, sizeof out->campaign_name);
    }
    ub_strlcpy(out->type, in->type, sizeof out->type);
    ub_strlcpy(out->status, in->status ? in->status : "planned", sizeof out->status);
    out->org_id = org.id;
    ub_strlcpy(out->org_code, org.code, sizeof out->org_code);
    ub_strlcpy(out->org_name, org.name, sizeof out->org_name);
    ub_strlcpy(out->org_path, org.path, sizeof out->org_path);
    out->district_id = org.district_id;
    out->created_by = a->user_id;

    if (tx_begin(db, err))
        return -1;
    rc = store_event_insert(db, out);
    if (rc == DB_OK)
        rc = join_token_create(db, org.id, out->id, out->token);
    if (rc == DB_OK && strcmp(out->status, "cancelled") != 0)
        rc = store_stats_add(db, org.id, out->starts_on, "activity", out->type, 1);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (link_employers(db, a, out, in, err)) {
        db_rollback(db);
        return -1;
    }
    char id[24];
    rc = audit_log(db, a, "event.create", "event", id_str(out->id, id), org.id,
                   event_detail(out));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}

int event_get(struct db *db, const struct actor *a, int64_t id, struct event_rec *out,
              struct ub_err *err)
{
    int rc = store_event_by_id(db, id, out);
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "event_not_found", "活动场次不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    return actor_may(a, PERM_READ, out->org_path, err);
}

struct tally_list {
    struct tally_rec *t;
    size_t n, cap;
};

static int collect_tally(void *ud, const struct tally_rec *t)
{
    struct tally_list *l = ud;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->t = xrealloc(l->t, l->cap * sizeof *l->t);
    }
    l->t[l->n++] = *t;
    return 0;
}

/* Keeps the report counters right when an event is cancelled or moves to
 * another day: its activity, and its tallies, go with it. */
static int move_counts(struct db *db, const struct event_rec *old, const struct event_rec *now)
{
    bool was = strcmp(old->status, "cancelled") != 0, is = strcmp(now->status, "cancelled") != 0;
    bool moved = strcmp(old->starts_on, now->starts_on) != 0;
    if (was == is && !moved)
        return DB_OK;
    int rc = DB_OK;
    if (was)
        rc = store_stats_add(db, old->org_id, old->starts_on, "activity", old->type, -1);
    if (rc == DB_OK && is)
        rc = store_stats_add(db, now->org_id, now->starts_on, "activity", now->type, 1);
    if (rc != DB_OK || !moved)
        return rc;
    struct tally_list l = {0};
    rc = store_event_tallies(db, old->id, collect_tally, &l);
    for (size_t i = 0; i < l.n && rc == DB_OK; i++) {
        rc = store_stats_add(db, old->org_id, old->starts_on, l.t[i].kind, l.t[i].label,
                             -l.t[i].n);
        if (rc == DB_OK)
            rc = store_stats_add(db, now->org_id, now->starts_on, l.t[i].kind, l.t[i].label,
                                 l.t[i].n);
    }
    free(l.t);
    return rc;
}

int event_update(struct db *db, const struct actor *a, int64_t id,
                 const struct event_input *in, struct event_rec *out, struct ub_err *err)
{
    if (event_get(db, a, id, out, err) || actor_may(a, PERM_WRITE, out->org_path, err))
        return -1;
    struct event_rec before = *out;
    if (check_event(in, out, false, err))
        return -1;
    if (in->status && strcmp(in->status, out->status) != 0) {
        static const char *const next[] = {"held", "cancelled"};
        if (strcmp(out->status, "planned") != 0 || !one_of(in->status, next, 2))
            return ub_fail_field(err, UB_EINVALID, "invalid_status_change", "status",
                                 "活动状态不能从“%s”改为“%s”",
                                 event_status_label(out->status), in->status);
        ub_strlcpy(out->status, in->status, sizeof out->status);
    }
    if (in->nemployers > 0 && strcmp(out->type, "enterprise_meeting") != 0)
        return ub_fail_field(err, UB_EINVALID, "employers_not_allowed", "employers",
                             "只有企业沟通会可以关联用人单位");
    if (tx_begin(db, err))
        return -1;
    int rc = store_event_update(db, out);
    if (rc == DB_OK)
        rc = move_counts(db, &before, out);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (link_employers(db, a, out, in, err)) {
        db_rollback(db);
        return -1;
    }
    char sid[24];
    rc = audit_log(db, a, "event.update", "event", id_str(out->id, sid), out->org_id,
                   json_pack("{s:o, s:o}", "before", event_detail(&before), "after",
                             event_detail(out)));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (tx_commit(db, err))
        return -1;
    rc = store_event_by_id(db, id, out);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int event_list(struct db *db, const struct actor *a, const char *org, const char *from,
               const char *to, int64_t campaign_id, const char *after, int limit,
               event_cb cb, void *ud, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err))
        return -1;
    int y, m, d;
    if (from && *from && !ub_parse_date(from, &y, &m, &d))
        return ub_fail_field(err, UB_EBAD, "invalid_date", "from", "from 应为 YYYY-MM-DD");
    if (to && *to && !ub_parse_date(to, &y, &m, &d))
        return ub_fail_field(err, UB_EBAD, "invalid_date", "to", "to 应为 YYYY-MM-DD");
    if (limit < 1 || limit > EVENT_LIST_MAX)
        return ub_fail_field(err, UB_EBAD, "invalid_limit", "limit", "limit 应在1到%d之间",
                             EVENT_LIST_MAX);
    struct event_filter f = {
        .path = t.path, .district = t.district, .from = from, .to = to,
        .campaign_id = campaign_id, .limit = limit,
    };
    char on[11] = "";
    if (after && *after) {
        /* "YYYY-MM-DD.ID" */
        if (strlen(after) < 12 || after[10] != '.')
            return ub_fail_field(err, UB_EBAD, "invalid_cursor", "after", "after 无效");
        memcpy(on, after, 10);
        if (!ub_parse_date(on, &y, &m, &d) || !ub_parse_i64(after + 11, &f.after_id))
            return ub_fail_field(err, UB_EBAD, "invalid_cursor", "after", "after 无效");
        f.after_on = on;
    }
    int rc = store_event_list(db, &f, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int event_employers(struct db *db, int64_t event_id, employer_cb cb, void *ud,
                    struct ub_err *err)
{
    int rc = store_event_employers(db, event_id, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

/* ---- Tallies ------------------------------------------------------------------ */

static int check_tally(const struct tally_input *in, const char *tap_id, struct ub_err *err)
{
    static const char *const kinds[] = {"material", "question", "cards", "people"};
    if (tap_id && (!*tap_id || strlen(tap_id) > TAP_ID_MAX || !ub_utf8_text(tap_id, false)))
        return ub_fail_field(err, UB_EBAD, "invalid_tap_id", "tap_id",
                             "tap_id 应为1到%d个字符", TAP_ID_MAX);
    int nonzero = 0;
    for (int i = 0; i < in->n; i++) {
        const struct tally_item *t = &in->items[i];
        if (!one_of(t->kind, kinds, UB_ARRAY_LEN(kinds)))
            return ub_fail_field(err, UB_EINVALID, "invalid_kind", "kind", "计数类别无效");
        bool labelled = strcmp(t->kind, "material") == 0 || strcmp(t->kind, "question") == 0;
        const char *field = strcmp(t->kind, "material") == 0 ? "materials" : "questions";
        if (labelled && name_check(field, t->label, 30, err))
            return -1;
        if (!labelled && t->label && *t->label)
            return ub_fail_field(err, UB_EINVALID, "invalid_kind", "kind", "计数类别无效");
        if (t->delta < -TALLY_DELTA_MAX || t->delta > TALLY_DELTA_MAX)
            return ub_fail_field(err, UB_EINVALID, "invalid_count", labelled ? field : t->kind,
                                 "每次增减不能超过%d", TALLY_DELTA_MAX);
        nonzero += t->delta != 0;
    }
    if (nonzero == 0)
        return ub_fail(err, UB_EINVALID, "empty_tally", "没有要记录的数字");
    return 0;
}

int event_tally(struct db *db, const struct actor *a, int64_t id, const struct tally_input *in,
                const char *tap_id, bool *replayed, struct ub_err *err)
{
    *replayed = false;
    if (check_tally(in, tap_id, err))
        return -1;
    struct event_rec e;
    if (event_get(db, a, id, &e, err) || actor_may(a, PERM_WRITE, e.org_path, err))
        return -1;
    if (strcmp(e.status, "cancelled") == 0)
        return ub_fail(err, UB_ECONFLICT, "event_cancelled", "该场活动已取消，不能再计数");
    int64_t now = ub_now();
    if (tx_begin(db, err))
        return -1;
    int rc = tap_id ? store_tap_insert(db, id, tap_id, now) : DB_OK;
    if (rc == DB_CONFLICT) {
        db_rollback(db);
        *replayed = true;
        return 0;
    }
    json_t *detail = json_object();
    for (int i = 0; i < in->n && rc == DB_OK; i++) {
        const struct tally_item *t = &in->items[i];
        if (t->delta == 0)
            continue;
        const char *label = t->label ? t->label : "";
        int64_t n;
        rc = store_tally_add(db, id, t->kind, label, t->delta, &n);
        if (rc == DB_OK)
            rc = store_stats_add(db, e.org_id, e.starts_on, t->kind, label, t->delta);
        if (rc == DB_NOTFOUND) {
            json_decref(detail);
            db_rollback(db);
            return ub_fail_field(err, UB_EINVALID, "tally_below_zero",
                                 strcmp(t->kind, "material") == 0   ? "materials"
                                 : strcmp(t->kind, "question") == 0 ? "questions"
                                                                    : t->kind,
                                 "“%s”的数量不能少于零",
                                 *label ? label : strcmp(t->kind, "cards") == 0 ? "互助卡"
                                                                                : "人数");
        }
        char key[TALLY_LABEL_MAX + 16];
        snprintf(key, sizeof key, "%s%s%s", t->kind, *label ? ":" : "", label);
        json_object_set_new(detail, key, json_integer(t->delta));
    }
    if (rc == DB_OK && tap_id)
        json_object_set_new(detail, "tap_id", json_string(tap_id));
    if (rc == DB_OK)
        rc = store_event_mark_held(db, id, now);
    char sid[24];
    if (rc == DB_OK)
        rc = audit_log(db, a, "event.tally", "event", id_str(id, sid), e.org_id, detail);
    else
        json_decref(detail);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}

/* ---- Tally labels ---------------------------------------------------------------- */

struct label_count {
    label_cb cb;
    void *ud;
    int n;
};

static int count_label(void *ud, const char *label)
{
    struct label_count *c = ud;
    c->n++;
    return c->cb(c->ud, label);
}

int tally_labels(struct db *db, const char *path, const char *kind, label_cb cb, void *ud,
                 struct ub_err *err)
{
    struct label_count c = {cb, ud, 0};
    int rc = store_tally_labels(db, path, kind, count_label, &c);
    if (rc != DB_OK)
        return rc > 0 ? rc : ub_fail_store(err, rc);
    if (c.n > 0)
        return 0;
    bool materials = strcmp(kind, "material") == 0;
    const char *const *list = materials ? default_materials : default_questions;
    size_t n = materials ? UB_ARRAY_LEN(default_materials) : UB_ARRAY_LEN(default_questions);
    for (size_t i = 0; i < n; i++) {
        int stop = cb(ud, list[i]);
        if (stop)
            return stop;
    }
    return 0;
}

static int check_labels(const char *field, const char *const *labels, int n,
                        struct ub_err *err)
{
    if (n > TALLY_LABELS_MAX)
        return ub_fail_field(err, UB_EINVALID, "too_many_labels", field, "最多%d项",
                             TALLY_LABELS_MAX);
    for (int i = 0; i < n; i++) {
        if (name_check(field, labels[i], 30, err))
            return -1;
        for (int j = 0; j < i; j++)
            if (strcmp(labels[i], labels[j]) == 0)
                return ub_fail_field(err, UB_EINVALID, "duplicate_label", field,
                                     "“%s”重复", labels[i]);
    }
    return 0;
}

static json_t *label_array(const char *const *labels, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_string(labels[i]));
    return arr;
}

int tally_labels_set(struct db *db, const struct actor *a, const char *code,
                     const char *const *materials, int nmaterials,
                     const char *const *questions, int nquestions, struct ub_err *err)
{
    if ((materials && check_labels("materials", materials, nmaterials, err))
        || (questions && check_labels("questions", questions, nquestions, err)))
        return -1;
    struct org_rec org;
    if (org_get(db, a, code, &org, err) || actor_may(a, PERM_MANAGE, org.path, err))
        return -1;
    if (tx_begin(db, err))
        return -1;
    int rc = DB_OK;
    json_t *detail = json_object();
    if (materials) {
        rc = store_tally_labels_set(db, org.id, "material", materials, (size_t)nmaterials);
        json_object_set_new(detail, "materials", label_array(materials, nmaterials));
    }
    if (rc == DB_OK && questions) {
        rc = store_tally_labels_set(db, org.id, "question", questions, (size_t)nquestions);
        json_object_set_new(detail, "questions", label_array(questions, nquestions));
    }
    if (rc == DB_OK)
        rc = audit_log(db, a, "org.tally_labels", "org", org.code, org.id, detail);
    else
        json_decref(detail);
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    return tx_commit(db, err);
}
