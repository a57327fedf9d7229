/*
 * api_audit.c: GET /api/v1/audit: the audit log of a subtree, newest first.
 */
#include "api/api.h"
#include "domain/audit.h"

static int add_entry(void *ud, const struct audit_rec *a)
{
    json_t *detail = json_loads(a->detail, 0, NULL);
    json_array_append_new(ud, json_pack(
        "{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)a->id,
        "at", api_time_json(a->at), "login", a->login, "addr", a->addr,
        "action", a->action, "object_type", a->object_type, "object_id", a->object_id,
        "detail", detail ? detail : json_object()));
    return 0;
}

void api_audit_list(struct req *r)
{
    int64_t before, limit;
    if (page_or_reply(r, &before, &limit))
        return;
    struct ub_err err;
    json_t *items = json_array();
    if (audit_list(r->db, &r->actor, req_query(r, "org"), before, (int)limit, add_entry,
                   items, &err)) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}
