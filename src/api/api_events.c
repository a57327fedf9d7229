/*
 * api_events.c: /api/v1/campaigns and /api/v1/events: outreach campaigns,
 * their events, tallies, the live board, event QR codes and the export of
 * events with their figures (CSV or XLSX), and an org's tally labels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/event.h"
#include "domain/org.h"
#include "http/server.h"
#include "lib/csv.h"
#include "lib/jsonx.h"
#include "lib/xlsx.h"
#include "site.h"

/* Parses :id; replies 404 with `code` when it is not a positive integer. */
static int id_or_reply(struct req *r, const char *code, int64_t *id)
{
    if (!ub_parse_i64(req_param(r, "id"), id) || *id <= 0) {
        reply_error(r, 404, code, "记录不存在");
        return -1;
    }
    return 0;
}

/* ---- Campaigns ------------------------------------------------------------ */

static json_t *campaign_json(const struct campaign_rec *c)
{
    return json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:I, s:o}",
                     "id", (json_int_t)c->id, "name", c->name, "level", c->level,
                     "theme", *c->theme ? c->theme : NULL, "date_from", c->date_from,
                     "date_to", c->date_to, "org", c->org_id ? c->org_code : NULL,
                     "org_name", c->org_id ? c->org_name : NULL,
                     "events", (json_int_t)c->events,
                     "created_at", api_time_json(c->created_at));
}

static int add_campaign(void *ud, const struct campaign_rec *c)
{
    json_array_append_new(ud, campaign_json(c));
    return 0;
}

void api_campaigns_list(struct req *r)
{
    int64_t before, limit;
    if (page_or_reply(r, &before, &limit))
        return;
    json_t *items = json_array();
    struct ub_err err;
    if (campaign_list(r->db, &r->actor, before, (int)limit, add_campaign, items, &err)) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    json_t *out = json_pack("{s:o}", "items", items);
    size_t n = json_array_size(items);
    if (n == (size_t)limit)
        json_object_set(out, "next_before", json_object_get(json_array_get(items, n - 1), "id"));
    reply_json(r, 200, out);
}

void api_campaigns_create(struct req *r)
{
    static const char *const fields[] = {"name", "level", "theme", "date_from", "date_to",
                                         "org", NULL};
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    struct campaign_input in = {0};
    if (json_str_or_reply(r, j, "name", &in.name) || json_str_or_reply(r, j, "level", &in.level)
        || json_str_or_reply(r, j, "theme", &in.theme)
        || json_str_or_reply(r, j, "date_from", &in.date_from)
        || json_str_or_reply(r, j, "date_to", &in.date_to)
        || json_str_or_reply(r, j, "org", &in.org)) {
        json_decref(j);
        return;
    }
    struct campaign_rec c;
    struct ub_err err;
    if (campaign_create(r->db, &r->actor, &in, &c, &err))
        reply_err(r, &err);
    else
        reply_json(r, 201, campaign_json(&c));
    json_decref(j);
}

void api_campaigns_get(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, "campaign_not_found", &id))
        return;
    struct campaign_rec c;
    struct ub_err err;
    if (campaign_get(r->db, &r->actor, id, &c, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, campaign_json(&c));
}

void api_campaigns_board(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, "campaign_not_found", &id))
        return;
    struct ub_err err;
    json_t *board = campaign_board(r->db, &r->actor, id, &err);
    if (!board) {
        reply_err(r, &err);
        return;
    }
    req_add_header(r, "Cache-Control", "no-store");
    reply_json(r, 200, board);
}

/* ---- Events ---------------------------------------------------------------- */

static json_t *event_json(const struct event_rec *e)
{
    json_t *partners = json_loads(e->partners, 0, NULL);
    char qr[64];
    snprintf(qr, sizeof qr, "/api/v1/events/%lld/qr.png", (long long)e->id);
    return json_pack("{s:I, s:o, s:s?, s:s, s:s, s:s, s:s, s:s?, s:o, s:o, s:s, s:o, "
                     "s:s, s:s?, s:s, s:o, s:o}",
                     "id", (json_int_t)e->id,
                     "campaign_id", e->campaign_id ? json_integer(e->campaign_id) : json_null(),
                     "campaign", e->campaign_id ? e->campaign_name : NULL,
                     "type", e->type, "org", e->org_code, "org_name", e->org_name,
                     "venue", e->venue, "address", *e->address ? e->address : NULL,
                     "starts_at", api_time_json(e->starts_at),
                     "ends_at", api_time_json(e->ends_at), "date", e->starts_on,
                     "partners", partners ? partners : json_array(),
                     "status", e->status, "notes", *e->notes ? e->notes : NULL,
                     "qr", qr, "created_at", api_time_json(e->created_at),
                     "updated_at", api_time_json(e->updated_at));
}

static const char *const event_fields[] = {
    "campaign_id", "type", "org", "venue", "address", "starts_at", "ends_at", "partners",
    "employers", "status", "notes", NULL,
};

/* Reads an event_input from the body; returns the JSON (the strings point
 * into it; decref after use) or NULL after replying. */
static json_t *read_event(struct req *r, struct event_input *in)
{
    json_t *j = req_json_or_reply(r, event_fields);
    if (!j)
        return NULL;
    event_input_init(in);
    if (json_int_or_reply(r, j, "campaign_id", 0, &in->campaign_id)
        || json_str_or_reply(r, j, "type", &in->type) || json_str_or_reply(r, j, "org", &in->org)
        || json_str_or_reply(r, j, "venue", &in->venue)
        || json_str_or_reply(r, j, "address", &in->address)
        || json_str_or_reply(r, j, "starts_at", &in->starts_at)
        || json_str_or_reply(r, j, "ends_at", &in->ends_at)
        || json_str_or_reply(r, j, "status", &in->status)
        || json_str_or_reply(r, j, "notes", &in->notes))
        goto fail;
    json_t *p = json_object_get(j, "partners");
    if (p && !json_is_null(p)) {
        if (!json_is_array(p) || json_array_size(p) > EVENT_PARTNERS_MAX_N) {
            reply_error(r, 400, "bad_type", "partners 应为不超过%d个名称的数组",
                        EVENT_PARTNERS_MAX_N);
            goto fail;
        }
        in->npartners = 0;
        size_t i;
        json_t *v;
        json_array_foreach(p, i, v) {
            if (!json_is_string(v)) {
                reply_error(r, 400, "bad_type", "partners 的每一项应为文字");
                goto fail;
            }
            in->partners[in->npartners++] = json_string_value(v);
        }
    }
    json_t *e = json_object_get(j, "employers");
    if (e && !json_is_null(e)) {
        if (!json_is_array(e) || json_array_size(e) > EVENT_EMPLOYERS_MAX) {
            reply_error(r, 400, "bad_type", "employers 应为不超过%d个编号的数组",
                        EVENT_EMPLOYERS_MAX);
            goto fail;
        }
        in->nemployers = 0;
        size_t i;
        json_t *v;
        json_array_foreach(e, i, v) {
            if (!json_is_integer(v)) {
                reply_error(r, 400, "bad_type", "employers 的每一项应为用人单位编号");
                goto fail;
            }
            in->employers[in->nemployers++] = json_integer_value(v);
        }
    }
    return j;
fail:
    json_decref(j);
    return NULL;
}

static int add_employer_id(void *ud, const struct employer_rec *e)
{
    json_array_append_new(ud, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)e->id,
                                        "name", e->name, "union_status", e->union_status));
    return 0;
}

/* The full answer for one event: the record, its employers and figures. */
static void reply_event(struct req *r, int status, const struct event_rec *e)
{
    struct ub_err err;
    json_t *employers = json_array();
    json_t *fig = NULL;
    if (event_employers(r->db, e->id, add_employer_id, employers, &err)
        || !(fig = event_figures(r->db, e, &err))) {
        json_decref(employers);
        reply_err(r, &err);
        return;
    }
    json_t *out = event_json(e);
    json_object_set_new(out, "employers", employers);
    json_object_update(out, fig);
    json_decref(fig);
    reply_json(r, status, out);
}

void api_events_create(struct req *r)
{
    struct event_input in;
    json_t *j = read_event(r, &in);
    if (!j)
        return;
    struct event_rec *e = arena_alloc(&r->arena, sizeof *e);
    struct ub_err err;
    if (event_create(r->db, &r->actor, &in, e, &err))
        reply_err(r, &err);
    else
        reply_event(r, 201, e);
    json_decref(j);
}

void api_events_get(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, "event_not_found", &id))
        return;
    struct event_rec *e = arena_alloc(&r->arena, sizeof *e);
    struct ub_err err;
    if (event_get(r->db, &r->actor, id, e, &err))
        reply_err(r, &err);
    else
        reply_event(r, 200, e);
}

void api_events_update(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, "event_not_found", &id))
        return;
    struct event_input in;
    json_t *j = read_event(r, &in);
    if (!j)
        return;
    static const char *const fixed[] = {"campaign_id", "type", "org"};
    for (size_t i = 0; i < UB_ARRAY_LEN(fixed); i++)
        if (json_object_get(j, fixed[i])) {
            json_decref(j);
            reply_error(r, 422, "immutable_field", "%s 创建后不能修改", fixed[i]);
            return;
        }
    struct event_rec *e = arena_alloc(&r->arena, sizeof *e);
    struct ub_err err;
    if (event_update(r->db, &r->actor, id, &in, e, &err))
        reply_err(r, &err);
    else
        reply_event(r, 200, e);
    json_decref(j);
}

/* Adds the {label: n} pairs of obj to in as `kind`; -1 after replying. */
static int tally_map(struct req *r, json_t *obj, const char *field, const char *kind,
                     struct tally_input *in)
{
    if (!obj || json_is_null(obj))
        return 0;
    if (!json_is_object(obj)) {
        reply_error(r, 400, "bad_type", "%s 应为 {名称: 数量}", field);
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        if (!json_is_integer(v)) {
            reply_error(r, 400, "bad_type", "%s 中“%s”的数量应为整数", field, k);
            return -1;
        }
        if (in->n == TALLY_ITEMS_MAX) {
            reply_error(r, 400, "too_many_items", "一次最多记录%d项", TALLY_ITEMS_MAX);
            return -1;
        }
        in->items[in->n++] = (struct tally_item){kind, k, json_integer_value(v)};
    }
    return 0;
}

static int tally_count(struct req *r, json_t *j, const char *field, const char *kind,
                       struct tally_input *in)
{
    int64_t n;
    if (json_int_or_reply(r, j, field, 0, &n))
        return -1;
    if (n)
        in->items[in->n++] = (struct tally_item){kind, "", n};
    return 0;
}

/* The answer to a tap: the event's figures as they now are. */
static void reply_tally(struct req *r, int64_t id, bool replayed)
{
    struct ub_err err;
    struct event_rec *e = arena_alloc(&r->arena, sizeof *e);
    struct db *db = req_db_or_reply(r);
    if (!db)
        return;
    json_t *fig = NULL;
    if (event_get(db, &r->actor, id, e, &err) || !(fig = event_figures(db, e, &err))) {
        reply_err(r, &err);
        return;
    }
    json_t *out = json_pack("{s:I, s:s, s:b}", "id", (json_int_t)id, "status", e->status,
                            "replayed", replayed);
    json_object_update(out, fig);
    json_decref(fig);
    reply_json(r, 200, out);
}

/*
 * On SQLite a tap goes through the store's batch writer, as a join does:
 * the request is parked while the writer records it in a batch with
 * others, and answered once that batch is durable.  (On PostgreSQL the
 * report counters of one day are rows every tap of that day updates:
 * batches holding them would wait on each other, so each tap is its own
 * short transaction there.)
 */
struct tally_call {
    struct api_write w;             /* first */
    int64_t id;
    struct tally_input *in;
    const char *tap;
    bool replayed;
};

static int tally_write(struct api_write *w, struct db *db)
{
    struct tally_call *c = (struct tally_call *)w;
    return event_tally(db, &w->r->actor, c->id, c->in, c->tap, &c->replayed, &w->err);
}

static void tally_answer(struct api_write *w, struct req *r)
{
    struct tally_call *c = (struct tally_call *)w;
    reply_tally(r, c->id, c->replayed);
}

void api_events_tally(struct req *r)
{
    static const char *const fields[] = {"materials", "cards_issued", "questions", "people",
                                         "tap_id", NULL};
    int64_t id;
    if (id_or_reply(r, "event_not_found", &id))
        return;
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    struct tally_input *in = arena_alloc(&r->arena, sizeof *in);
    in->n = 0;
    const char *tap = NULL;
    if (json_str_or_reply(r, j, "tap_id", &tap)
        || tally_map(r, json_object_get(j, "materials"), "materials", "material", in)
        || tally_map(r, json_object_get(j, "questions"), "questions", "question", in)
        || tally_count(r, j, "cards_issued", "cards", in)
        || tally_count(r, j, "people", "people", in)) {
        json_decref(j);
        return;
    }
    /* The tap's id: in the body, else the Idempotency-Key header. */
    if (!tap)
        tap = req_header(r, "Idempotency-Key");
    struct store *store = http_config_of(r)->store;
    if (strcmp(store_backend(store), "sqlite") == 0) {
        struct tally_call *c = arena_zalloc(&r->arena, sizeof *c);
        c->w.write = tally_write;
        c->w.answer = tally_answer;
        c->id = id;
        c->in = in;
        /* The labels and the tap's id outlive the body: the request's. */
        for (int i = 0; i < in->n; i++)
            in->items[i].label = arena_strdup(&r->arena, in->items[i].label);
        c->tap = tap ? arena_strdup(&r->arena, tap) : NULL;
        json_decref(j);
        api_write_park(r, &c->w);
        return;
    }
    bool replayed;
    struct ub_err err;
    int rc = event_tally(r->db, &r->actor, id, in, tap, &replayed, &err);
    json_decref(j);
    if (rc)
        reply_err(r, &err);
    else
        reply_tally(r, id, replayed);
}

static void event_qr(struct req *r, bool svg)
{
    int64_t id;
    if (id_or_reply(r, "event_not_found", &id))
        return;
    struct event_rec *e = arena_alloc(&r->arena, sizeof *e);
    struct ub_err err;
    if (event_get(r->db, &r->actor, id, e, &err)) {
        reply_err(r, &err);
        return;
    }
    char url[512];
    snprintf(url, sizeof url, "%s/j/%s", site_of(r)->base_url, e->token);
    api_qr_reply(r, url, svg);
}

void api_events_qr_png(struct req *r)
{
    event_qr(r, false);
}

void api_events_qr_svg(struct req *r)
{
    event_qr(r, true);
}

/* ---- Listing and export ------------------------------------------------------- */

struct event_rows {
    struct req *r;
    json_t *items;
    size_t n;
    char last[40];                      /* the cursor after the last one */
    struct ub_err err;
    bool failed;
};

static int add_event(void *ud, const struct event_rec *e)
{
    struct event_rows *rows = ud;
    json_t *fig = event_figures(rows->r->db, e, &rows->err);
    if (!fig) {
        rows->failed = true;
        return 1;
    }
    json_t *o = event_json(e);
    json_object_update(o, fig);
    json_decref(fig);
    json_array_append_new(rows->items, o);
    rows->n++;
    snprintf(rows->last, sizeof rows->last, "%s.%lld", e->starts_on, (long long)e->id);
    return 0;
}

static void export_events(struct req *r, json_t *items, bool xlsx);

void api_events_list(struct req *r)
{
    const char *format = req_query(r, "format");
    bool xlsx = format && strcmp(format, "xlsx") == 0;
    if (format && !xlsx && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
        reply_error(r, 400, "bad_query", "format 应为 json、csv 或 xlsx");
        return;
    }
    bool export = format && strcmp(format, "json") != 0;
    int64_t campaign, limit;
    if (query_int_or_reply(r, "campaign", 0, 0, INT64_MAX, &campaign)
        || query_int_or_reply(r, "limit", export ? EVENT_LIST_MAX : 100, 1, EVENT_LIST_MAX,
                              &limit))
        return;
    struct event_rows rows = {.r = r, .items = json_array()};
    struct ub_err err;
    int rc = event_list(r->db, &r->actor, req_query(r, "org"), req_query(r, "from"),
                        req_query(r, "to"), campaign, req_query(r, "after"), (int)limit,
                        add_event, &rows, &err);
    if (rc || rows.failed) {
        json_decref(rows.items);
        reply_err(r, rows.failed ? &rows.err : &err);
        return;
    }
    if (export) {
        export_events(r, rows.items, xlsx);
        json_decref(rows.items);
        return;
    }
    json_t *out = json_pack("{s:o}", "items", rows.items);
    if (rows.n == (size_t)limit)
        json_object_set_new(out, "next_after", json_string(rows.last));
    reply_json(r, 200, out);
}

/* The labels seen in every event's map `group`.`key`, in first-seen order. */
static json_t *labels_of(json_t *items, const char *group, const char *key)
{
    json_t *seen = json_object(), *order = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e) {
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(json_object_get(e, group), key), k, v) {
            if (!json_object_get(seen, k)) {
                json_object_set_new(seen, k, json_true());
                json_array_append_new(order, json_string(k));
            }
        }
    }
    json_decref(seen);
    return order;
}

static const char *fmt_int(struct req *r, json_int_t n)
{
    return arena_printf(&r->arena, "%lld", (long long)n);
}

/* Writes the events (JSON items with figures) as CSV or XLSX: one row per
 * event, a column per leaflet title and per question topic seen. */
/* An export's cells: the figures start at column EXPORT_FIRST_FIGURE. */
#define EXPORT_FIRST_FIGURE 10
struct table {
    const struct xlsx_col *cols;
    size_t ncols, nrows;
    const char ***rows;
};

static int fill_table(struct req *r, const char *path, void *ud)
{
    (void)r;
    const struct table *t = ud;
    struct xlsx *x = xlsx_open(path, "活动场次", t->cols, t->ncols);
    if (!x)
        return -1;
    for (size_t k = EXPORT_FIRST_FIGURE; k < t->ncols; k++)
        xlsx_number_column(x, k);
    for (size_t i = 0; i < t->nrows; i++)
        xlsx_row(x, t->rows[i]);
    return xlsx_close(x);
}

static void export_events(struct req *r, json_t *items, bool xlsx)
{
    static const struct xlsx_col fixed[] = {
        {"日期", 12}, {"开始时间", 20}, {"类型", 12}, {"举办组织", 24}, {"组织代码", 12},
        {"地点", 24}, {"地址", 24}, {"状态", 8}, {"所属活动", 20}, {"合作单位", 24},
        {"入会申请", 10}, {"已批准入会", 10}, {"资料合计", 10}, {"互助卡", 8},
        {"咨询合计", 10}, {"接触人数", 10},
    };
    enum { NFIXED = sizeof fixed / sizeof *fixed };
    json_t *titles = labels_of(items, "materials", "by_title");
    json_t *topics = labels_of(items, "questions", "by_topic");
    size_t ncols = NFIXED + json_array_size(titles) + json_array_size(topics);
    struct xlsx_col *cols = arena_alloc(&r->arena, ncols * sizeof *cols);
    memcpy(cols, fixed, sizeof fixed);
    size_t c = NFIXED, i;
    json_t *v;
    json_array_foreach(titles, i, v)
        cols[c++] = (struct xlsx_col){arena_printf(&r->arena, "资料：%s", json_string_value(v)), 14};
    json_array_foreach(topics, i, v)
        cols[c++] = (struct xlsx_col){arena_printf(&r->arena, "咨询：%s", json_string_value(v)), 14};

    /* Every row's cells first, then the one file or the other. */
    struct table t = {cols, ncols, json_array_size(items), NULL};
    t.rows = arena_alloc(&r->arena, (t.nrows + 1) * sizeof *t.rows);
    json_t *e;
    json_array_foreach(items, i, e) {
        const char **cells = t.rows[i] = arena_alloc(&r->arena, ncols * sizeof *cells);
        json_t *p = json_object_get(e, "partners");
        size_t pi;
        json_t *pv;
        const char *partners = "";
        json_array_foreach(p, pi, pv)
            partners = arena_printf(&r->arena, "%s%s%s", partners, pi ? "、" : "",
                                    json_string_value(pv));
        const char *type = json_string_value(json_object_get(e, "type"));
        const char *status = json_string_value(json_object_get(e, "status"));
        const char *row[NFIXED] = {
            json_string_value(json_object_get(e, "date")),
            json_string_value(json_object_get(e, "starts_at")),
            event_type_label(type),
            json_string_value(json_object_get(e, "org_name")),
            json_string_value(json_object_get(e, "org")),
            json_string_value(json_object_get(e, "venue")),
            json_string_value(json_object_get(e, "address")),
            event_status_label(status),
            json_string_value(json_object_get(e, "campaign")),
            partners,
            fmt_int(r, json_int_at(e, "joins", "submitted")),
            fmt_int(r, json_int_at(e, "joins", "approved")),
            fmt_int(r, json_int_at(e, "materials", "total")),
            fmt_int(r, json_int_at(e, "cards_issued", NULL)),
            fmt_int(r, json_int_at(e, "questions", "total")),
            fmt_int(r, json_int_at(e, "people", NULL)),
        };
        memcpy(cells, row, sizeof row);
        c = NFIXED;
        json_t *by = json_object_get(json_object_get(e, "materials"), "by_title");
        json_array_foreach(titles, pi, pv)
            cells[c++] = fmt_int(r, json_integer_value(json_object_get(by, json_string_value(pv))));
        by = json_object_get(json_object_get(e, "questions"), "by_topic");
        json_array_foreach(topics, pi, pv)
            cells[c++] = fmt_int(r, json_integer_value(json_object_get(by, json_string_value(pv))));
    }
    json_decref(titles);
    json_decref(topics);
    if (xlsx) {
        api_reply_workbook(r, "events.xlsx", fill_table, &t);
        return;
    }
    buf_append(&r->out, "\xEF\xBB\xBF", 3);     /* a BOM: Excel reads UTF-8 */
    for (size_t k = 0; k < ncols; k++) {
        if (k)
            buf_append(&r->out, ",", 1);
        csv_put_field(&r->out, cols[k].title, strlen(cols[k].title));
    }
    buf_append(&r->out, "\r\n", 2);
    for (size_t row = 0; row < t.nrows; row++) {
        for (size_t k = 0; k < ncols; k++) {
            if (k)
                buf_append(&r->out, ",", 1);
            const char *cell = t.rows[row][k] ? t.rows[row][k] : "";
            csv_put_field(&r->out, cell, strlen(cell));
        }
        buf_append(&r->out, "\r\n", 2);
    }
    r->status = 200;
    r->ctype = "text/csv; charset=utf-8";
    req_add_header(r, "Content-Disposition", "attachment; filename=\"events.csv\"");
}

/* ---- Tally labels ---------------------------------------------------------------- */

static int add_label(void *ud, const char *label)
{
    json_array_append_new(ud, json_string(label));
    return 0;
}

void api_tally_labels_get(struct req *r)
{
    struct org_rec *o = arena_alloc(&r->arena, sizeof *o);
    struct ub_err err;
    if (org_get(r->db, &r->actor, req_param(r, "code"), o, &err)) {
        reply_err(r, &err);
        return;
    }
    json_t *m = json_array(), *q = json_array();
    if (tally_labels(r->db, o->path, "material", add_label, m, &err)
        || tally_labels(r->db, o->path, "question", add_label, q, &err)) {
        json_decref(m);
        json_decref(q);
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:s, s:o, s:o}", "org", o->code, "materials", m,
                                 "questions", q));
}

/* Reads an optional array of strings into a list (NULL when absent). */
static int labels_or_reply(struct req *r, json_t *j, const char *key, const char ***out,
                           int *n)
{
    json_t *a = json_object_get(j, key);
    *out = NULL;
    *n = 0;
    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a) || json_array_size(a) > TALLY_LABELS_MAX) {
        reply_error(r, 400, "bad_type", "%s 应为不超过%d项的文字数组", key, TALLY_LABELS_MAX);
        return -1;
    }
    *out = arena_alloc(&r->arena, (json_array_size(a) + 1) * sizeof **out);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) {
            reply_error(r, 400, "bad_type", "%s 的每一项应为文字", key);
            return -1;
        }
        (*out)[(*n)++] = json_string_value(v);
    }
    return 0;
}

void api_tally_labels_put(struct req *r)
{
    static const char *const fields[] = {"materials", "questions", NULL};
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    const char **m, **q;
    int nm, nq;
    struct ub_err err;
    if (labels_or_reply(r, j, "materials", &m, &nm)
        || labels_or_reply(r, j, "questions", &q, &nq)) {
        json_decref(j);
        return;
    }
    if (tally_labels_set(r->db, &r->actor, req_param(r, "code"), m, nm, q, nq, &err)) {
        json_decref(j);
        reply_err(r, &err);
        return;
    }
    json_decref(j);
    api_tally_labels_get(r);
}
