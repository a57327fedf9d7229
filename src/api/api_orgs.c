/*
 * api_orgs.c: /api/v1/orgs: the organisation tree.
 */
#include "api/api.h"
#include "domain/org.h"

static int add_org(void *ud, const struct org_rec *o)
{
    json_array_append_new(ud, api_org_json(o));
    return 0;
}

void api_orgs_list(struct req *r)
{
    const char *parent = req_query(r, "parent");
    const char *q = req_query(r, "q");
    json_t *items = json_array();
    struct ub_err err;
    int rc;
    if (q && *q) {
        int64_t limit;
        if (query_int_or_reply(r, "limit", 50, 1, 500, &limit)) {
            json_decref(items);
            return;
        }
        rc = org_search(r->db, &r->actor, parent, q, (int)limit, add_org, items, &err);
    } else {
        int64_t limit;
        if (query_int_or_reply(r, "limit", 200, 1, 1000, &limit)) {
            json_decref(items);
            return;
        }
        rc = org_children(r->db, &r->actor, parent, req_query(r, "after"), (int)limit,
                          add_org, items, &err);
        if (!rc && json_array_size(items) == (size_t)limit) {
            json_t *last = json_array_get(items, json_array_size(items) - 1);
            json_t *out = json_pack("{s:o, s:O}", "items", items, "next_after",
                                    json_object_get(last, "code"));
            reply_json(r, 200, out);
            return;
        }
    }
    if (rc) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void api_orgs_create(struct req *r)
{
    static const char *const fields[] = {"code", "name", "level", "parent", NULL};
    json_t *in = req_json_or_reply(r, fields);
    if (!in)
        return;
    struct org_input oi;
    if (json_str_or_reply(r, in, "code", &oi.code)
        || json_str_or_reply(r, in, "name", &oi.name)
        || json_str_or_reply(r, in, "level", &oi.level)
        || json_str_or_reply(r, in, "parent", &oi.parent)) {
        json_decref(in);
        return;
    }
    struct org_rec o;
    struct ub_err err;
    if (org_create(r->db, &r->actor, &oi, &o, &err))
        reply_err(r, &err);
    else
        reply_json(r, 201, api_org_json(&o));
    json_decref(in);
}

static int add_ancestor(void *ud, const struct org_rec *o)
{
    json_array_append_new(ud, json_pack("{s:s, s:s, s:s}", "code", o->code,
                                        "name", o->name, "level", o->level));
    return 0;
}

void api_orgs_get(struct req *r)
{
    struct org_rec o;
    struct ub_err err;
    if (org_get(r->db, &r->actor, req_param(r, "code"), &o, &err)) {
        reply_err(r, &err);
        return;
    }
    json_t *j = api_org_json(&o);
    json_t *anc = json_array();
    if (org_ancestors(r->db, &o, add_ancestor, anc, &err)) {
        json_decref(j);
        json_decref(anc);
        reply_err(r, &err);
        return;
    }
    json_object_set_new(j, "ancestors", anc);
    json_object_set_new(j, "subtree_size", json_integer(o.descendants + 1));
    reply_json(r, 200, j);
}

void api_orgs_update(struct req *r)
{
    static const char *const fields[] = {"name", "auto_approve", NULL};
    json_t *in = req_json_or_reply(r, fields);
    if (!in)
        return;
    const char *name;
    json_t *aa = json_object_get(in, "auto_approve");
    if (json_str_or_reply(r, in, "name", &name)) {
        json_decref(in);
        return;
    }
    if (aa && !json_is_boolean(aa)) {
        json_decref(in);
        reply_error(r, 400, "bad_type", "字段 auto_approve 应为 true 或 false");
        return;
    }
    if (!name && !aa) {
        json_decref(in);
        reply_error(r, 422, "missing_field", "请提供 name 或 auto_approve");
        return;
    }
    struct org_rec o;
    struct ub_err err;
    const char *code = req_param(r, "code");
    if ((name && org_rename(r->db, &r->actor, code, name, &o, &err))
        || (aa && org_set_auto_approve(r->db, &r->actor, code, json_is_true(aa), &o, &err)))
        reply_err(r, &err);
    else
        reply_json(r, 200, api_org_json(&o));
    json_decref(in);
}
