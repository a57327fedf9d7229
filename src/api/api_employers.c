/*
 * api_employers.c: /api/v1/employers.
 */
#include "api/api.h"
#include "domain/employer.h"

static int add_employer(void *ud, const struct employer_rec *e)
{
    json_array_append_new(ud, api_employer_json(e));
    return 0;
}

/* Parses :id; replies 404 when it is not a positive integer. */
static int id_or_reply(struct req *r, int64_t *id)
{
    if (!ub_parse_i64(req_param(r, "id"), id) || *id <= 0) {
        reply_error(r, 404, "employer_not_found", "用人单位不存在");
        return -1;
    }
    return 0;
}

void api_employers_list(struct req *r)
{
    int64_t after, limit;
    if (query_int_or_reply(r, "after", 0, 0, INT64_MAX, &after)
        || query_int_or_reply(r, "limit", 100, 1, 1000, &limit))
        return;
    json_t *items = json_array();
    struct ub_err err;
    if (employer_list(r->db, &r->actor, req_query(r, "org"), req_query(r, "q"), after,
                      (int)limit, add_employer, items, &err)) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    json_t *out = json_pack("{s:o}", "items", items);
    size_t n = json_array_size(items);
    if (n == (size_t)limit) {
        json_t *last = json_array_get(items, n - 1);
        json_object_set(out, "next_after", json_object_get(last, "id"));
    }
    reply_json(r, 200, out);
}

static const char *const employer_fields[] = {
    "name", "uscc", "uscc_override", "headcount", "org", "address", "legal_rep", NULL,
};

/* Reads an employer_input from the body; returns the JSON (to decref after
 * use, the strings point into it) or NULL after replying. */
static json_t *read_input(struct req *r, struct employer_input *in)
{
    json_t *j = req_json_or_reply(r, employer_fields);
    if (!j)
        return NULL;
    if (json_str_or_reply(r, j, "name", &in->name)
        || json_str_or_reply(r, j, "uscc", &in->uscc)
        || json_str_or_reply(r, j, "uscc_override", &in->uscc_override)
        || json_int_or_reply(r, j, "headcount", -1, &in->headcount)
        || json_str_or_reply(r, j, "org", &in->org)
        || json_str_or_reply(r, j, "address", &in->address)
        || json_str_or_reply(r, j, "legal_rep", &in->legal_rep)) {
        json_decref(j);
        return NULL;
    }
    if (json_object_get(j, "headcount") && in->headcount < 0) {
        json_decref(j);
        struct ub_err err;
        ub_fail_field(&err, UB_EINVALID, "invalid_headcount", "headcount", "职工人数不能为负数");
        reply_err(r, &err);
        return NULL;
    }
    return j;
}

void api_employers_create(struct req *r)
{
    struct employer_input in = {0};
    json_t *j = read_input(r, &in);
    if (!j)
        return;
    if (in.headcount < 0)
        in.headcount = 0;
    struct employer_rec e;
    struct ub_err err;
    if (employer_create(r->db, &r->actor, &in, &e, &err))
        reply_err(r, &err);
    else
        reply_json(r, 201, api_employer_json(&e));
    json_decref(j);
}

void api_employers_get(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct employer_rec e;
    struct ub_err err;
    if (employer_get(r->db, &r->actor, id, &e, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, api_employer_json(&e));
}

void api_employers_update(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return;
    struct employer_input in = {0};
    json_t *j = read_input(r, &in);
    if (!j)
        return;
    if (json_object_get(j, "org")) {
        json_decref(j);
        reply_error(r, 422, "immutable_field", "所属组织不能在此修改");
        return;
    }
    struct employer_rec e;
    struct ub_err err;
    if (employer_update(r->db, &r->actor, id, &in, &e, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, api_employer_json(&e));
    json_decref(j);
}
