/*
 * api_foundings.c: /api/v1/foundings: founding cases (建会), their steps,
 * alerts and the count of unions founded in a period.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "domain/founding.h"

static json_t *int_or_null(int64_t v)
{
    return v ? json_integer(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
    return *s ? json_string(s) : json_null();
}

json_t *api_founding_json(const struct founding_rec *f)
{
    const char *next = founding_next_step(f);
    json_t *facts = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
        "prep_group_size", int_or_null(f->prep_group_size),
        "prep_approved_on", str_or_null(f->prep_approved_on),
        "members", int_or_null(f->members),
        "representatives", int_or_null(f->representatives),
        "congress_type", str_or_null(f->congress_type),
        "attendance", int_or_null(f->attendance),
        "committee_size", int_or_null(f->committee_size),
        "chair_name", str_or_null(f->chair_name),
        "document_no", str_or_null(f->document_no),
        "term_years", int_or_null(f->term_years),
        "union_uscc", str_or_null(f->union_uscc));
    return json_pack("{s:I, s:{s:I, s:s, s:I}, s:s, s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o, "
                     "s:o, s:o, s:o, s:o, s:o}",
                     "id", (json_int_t)f->id,
                     "employer", "id", (json_int_t)f->employer_id, "name", f->employer_name,
                     "headcount", (json_int_t)f->employer_headcount,
                     "guide_org", f->guide_code, "guide_org_name", f->guide_name,
                     "staff", str_or_null(f->staff_login),
                     "event_id", int_or_null(f->event_id),
                     "step", f->step, "status", f->status,
                     "step_on", str_or_null(f->step_on),
                     "next_step", next ? json_string(next) : json_null(),
                     "facts", facts,
                     "founded_on", str_or_null(f->founded_on),
                     "union_org", str_or_null(f->union_code),
                     "founded_headcount", int_or_null(f->founded_headcount),
                     "created_at", api_time_json(f->created_at),
                     "updated_at", api_time_json(f->updated_at));
}

static int id_or_reply(struct req *r, int64_t *id)
{
    if (!ub_parse_i64(req_param(r, "id"), id) || *id <= 0) {
        reply_error(r, 404, "founding_not_found", "建会记录不存在");
        return -1;
    }
    return 0;
}

static int add_step(void *ud, const struct founding_step_rec *s)
{
    json_t *facts = json_loads(s->facts, 0, NULL);
    json_array_append_new(ud, json_pack("{s:s, s:s, s:o, s:s?, s:s?, s:o}", "step", s->step,
                                        "date", s->step_on, "facts", facts ? facts : json_object(),
                                        "notes", *s->notes ? s->notes : NULL,
                                        "by", *s->login ? s->login : NULL,
                                        "recorded_at", api_time_json(s->created_at)));
    return 0;
}

/* The case with its timeline and what may come next. */
static void reply_case(struct req *r, int status, const struct founding_rec *f)
{
    json_t *steps = json_array();
    struct ub_err err;
    if (founding_steps(r->db, f->id, add_step, steps, &err)) {
        json_decref(steps);
        reply_err(r, &err);
        return;
    }
    json_t *out = api_founding_json(f);
    json_object_set_new(out, "steps", steps);
    if (f->members) {
        int lo, hi;
        founding_committee_range(f->members, &lo, &hi);
        json_object_set_new(out, "committee_range", json_pack("[i, i]", lo, hi));
    }
    reply_json(r, status, out);
}

void api_foundings_create(struct req *r)
{
    static const char *const fields[] = {"employer_id", "guide_org", "staff", "event_id", NULL};
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    struct founding_open in = {0};
    if (json_int_or_reply(r, j, "employer_id", 0, &in.employer_id)
        || json_str_or_reply(r, j, "guide_org", &in.guide_org)
        || json_str_or_reply(r, j, "staff", &in.staff)
        || json_int_or_reply(r, j, "event_id", 0, &in.event_id)) {
        json_decref(j);
        return;
    }
    struct founding_rec *f = arena_alloc(&r->arena, sizeof *f);
    struct ub_err err;
    if (!json_object_get(j, "employer_id")) {
        ub_fail_field(&err, UB_EINVALID, "missing_field", "employer_id", "请选择用人单位");
        reply_err(r, &err);
    } else if (founding_open(r->db, &r->actor, &in, f, &err)) {
        reply_err(r, &err);
    } else {
        reply_case(r, 201, f);
    }
    json_decref(j);
}

void api_foundings_get(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct founding_rec *f = arena_alloc(&r->arena, sizeof *f);
    struct ub_err err;
    if (founding_get(r->db, &r->actor, id, f, &err))
        reply_err(r, &err);
    else
        reply_case(r, 200, f);
}

void api_foundings_step(struct req *r)
{
    static const char *const fields[] = {
        "step", "date", "notes", "prep_group_size", "members", "representatives",
        "congress_type", "attendance", "committee_size", "chair_name", "document_no",
        "term_years", "union_uscc", "union_code", "union_name", NULL,
    };
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    struct founding_step_input in;
    founding_step_input_init(&in);
    if (json_str_or_reply(r, j, "step", &in.step) || json_str_or_reply(r, j, "date", &in.date)
        || json_str_or_reply(r, j, "notes", &in.notes)
        || json_int_or_reply(r, j, "prep_group_size", -1, &in.prep_group_size)
        || json_int_or_reply(r, j, "members", -1, &in.members)
        || json_int_or_reply(r, j, "representatives", -1, &in.representatives)
        || json_str_or_reply(r, j, "congress_type", &in.congress_type)
        || json_int_or_reply(r, j, "attendance", -1, &in.attendance)
        || json_int_or_reply(r, j, "committee_size", -1, &in.committee_size)
        || json_str_or_reply(r, j, "chair_name", &in.chair_name)
        || json_str_or_reply(r, j, "document_no", &in.document_no)
        || json_int_or_reply(r, j, "term_years", -1, &in.term_years)
        || json_str_or_reply(r, j, "union_uscc", &in.union_uscc)
        || json_str_or_reply(r, j, "union_code", &in.union_code)
        || json_str_or_reply(r, j, "union_name", &in.union_name)) {
        json_decref(j);
        return;
    }
    /* A negative number given is a wrong value, not an absent one. */
    static const char *const counts[] = {"prep_group_size", "members", "representatives",
                                         "attendance", "committee_size", "term_years"};
    for (size_t i = 0; i < UB_ARRAY_LEN(counts); i++) {
        json_t *v = json_object_get(j, counts[i]);
        if (v && json_integer_value(v) < 0) {
            json_decref(j);
            reply_error(r, 422, "invalid_value", "%s 不能为负数", counts[i]);
            return;
        }
    }
    struct founding_rec *f = arena_alloc(&r->arena, sizeof *f);
    struct ub_err err;
    if (founding_step(r->db, &r->actor, id, &in, f, &err))
        reply_err(r, &err);
    else
        reply_case(r, 200, f);
    json_decref(j);
}

static int add_case(void *ud, const struct founding_rec *f)
{
    json_array_append_new(ud, api_founding_json(f));
    return 0;
}

void api_foundings_list(struct req *r)
{
    int64_t before, limit, employer;
    if (page_or_reply(r, &before, &limit)
        || query_int_or_reply(r, "employer", 0, 0, INT64_MAX, &employer))
        return;
    struct founding_filter f = {
        .status = req_query(r, "status"), .from = req_query(r, "from"),
        .to = req_query(r, "to"), .employer_id = employer, .before = before,
        .founded_from = req_query(r, "founded_from"), .founded_to = req_query(r, "founded_to"),
        .limit = (int)limit,
    };
    json_t *items = json_array();
    struct ub_err err;
    if (founding_list(r->db, &r->actor, req_query(r, "org"), &f, add_case, items, &err)) {
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

static int add_alert(void *ud, const char *kind, int64_t days, const struct founding_rec *f)
{
    json_array_append_new(ud, json_pack("{s:s, s:I, s:o}", "kind", kind, "days",
                                        (json_int_t)days, "case", api_founding_json(f)));
    return 0;
}

void api_foundings_alerts(struct req *r)
{
    int64_t idle;
    if (query_int_or_reply(r, "idle_days", FOUNDING_IDLE_DAYS, 1, 3650, &idle))
        return;
    json_t *items = json_array();
    struct ub_err err;
    if (founding_alerts(r->db, &r->actor, req_query(r, "org"), (int)idle, req_query(r, "today"),
                        add_alert, items, &err)) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:I, s:o}", "idle_days", (json_int_t)idle, "items", items));
}

void api_foundings_summary(struct req *r)
{
    const char *from = req_query(r, "from"), *to = req_query(r, "to");
    int64_t founded, big;
    struct ub_err err;
    if (!from || !to) {
        reply_error(r, 400, "bad_query", "请给出 from 和 to（YYYY-MM-DD）");
        return;
    }
    if (founding_counts(r->db, &r->actor, req_query(r, "org"), from, to, &founded, &big, &err)) {
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:s, s:s, s:I, s:I}", "from", from, "to", to,
                                 "total", (json_int_t)founded,
                                 "headcount_100_plus", (json_int_t)big));
}
