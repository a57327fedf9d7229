/*
 * api_json.c: the JSON forms of records shared by several endpoints.
 */
#include "api/api.h"
#include "domain/employer.h"
#include "domain/org.h"

json_t *api_time_json(int64_t t)
{
    if (!t)
        return json_null();
    char s[40];
    ub_iso_time(t, s, sizeof s);
    return json_string(s);
}

json_t *api_org_json(const struct org_rec *o)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:i, s:I, s:b, s:o, s:o}",
                     "code", o->code, "name", o->name, "level", o->level,
                     "parent", *o->parent_code ? o->parent_code : NULL,
                     "depth", o->depth, "children", (json_int_t)o->children,
                     "auto_approve", o->auto_approve,
                     "created_at", api_time_json(o->created_at),
                     "updated_at", api_time_json(o->updated_at));
}

json_t *api_employer_json(const struct employer_rec *e)
{
    json_t *j = json_pack(
        "{s:I, s:s, s:s?, s:I, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:o}",
        "id", (json_int_t)e->id, "name", e->name, "uscc", *e->uscc ? e->uscc : NULL,
        "headcount", (json_int_t)e->headcount, "org", e->org_code,
        "union_status", e->union_status,
        "union_org", *e->union_org_code ? e->union_org_code : NULL,
        "address", *e->address ? e->address : NULL,
        "legal_rep", *e->legal_rep ? e->legal_rep : NULL,
        "created_at", api_time_json(e->created_at),
        "updated_at", api_time_json(e->updated_at));
    if (*e->uscc_override)
        json_object_set_new(j, "uscc_override", json_string(e->uscc_override));
    return j;
}
