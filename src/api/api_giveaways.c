/*
 * api_giveaways.c: giveaways (普惠): staff create, list and redeem pickup
 * codes; a member (personal token) claims and sees their own.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_services.h"
#include "domain/giveaway.h"
#include "http/server.h"
#include "site.h"

static json_t *giveaway_json(const struct giveaway_rec *g)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:o}", "id", (json_int_t)g->id,
                     "name", g->name, "org", g->org_code, "org_name", g->org_name,
                     "stock", (json_int_t)g->stock, "opens_at", api_time_json(g->opens_at),
                     "closes_at", api_time_json(g->closes_at),
                     "created_at", api_time_json(g->created_at));
}

static int giveaway_id_or_reply(struct req *r, int64_t *id)
{
    if (!ub_parse_i64(req_param(r, "id"), id) || *id <= 0) {
        reply_error(r, 404, "giveaway_not_found", "该普惠活动不存在");
        return -1;
    }
    return 0;
}

void api_giveaways_create(struct req *r)
{
    static const char *const fields[] = {"name", "stock", "org", "opens_at", "closes_at", NULL};
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    struct giveaway_input in = {0};
    if (json_str_or_reply(r, j, "name", &in.name) || json_int_or_reply(r, j, "stock", 0, &in.stock)
        || json_str_or_reply(r, j, "org", &in.org)
        || json_str_or_reply(r, j, "opens_at", &in.opens_at)
        || json_str_or_reply(r, j, "closes_at", &in.closes_at)) {
        json_decref(j);
        return;
    }
    struct giveaway_rec *g = xmalloc(sizeof *g);
    struct ub_err err;
    if (giveaway_create(r->db, &r->actor, &in, g, &err))
        reply_err(r, &err);
    else
        reply_json(r, 201, giveaway_json(g));
    free(g);
    json_decref(j);
}

static int add_giveaway(void *ud, const struct giveaway_rec *g)
{
    json_array_append_new(ud, giveaway_json(g));
    return 0;
}

void api_giveaways_list(struct req *r)
{
    int64_t limit;
    if (query_int_or_reply(r, "limit", 100, 1, 1000, &limit))
        return;
    json_t *items = json_array();
    struct ub_err err;
    if (giveaway_list(r->db, &r->actor, req_query(r, "org"), (int)limit, add_giveaway, items,
                      &err)) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void api_giveaways_get(struct req *r)
{
    int64_t id, claimed, redeemed;
    if (giveaway_id_or_reply(r, &id))
        return;
    struct giveaway_rec *g = xmalloc(sizeof *g);
    struct ub_err err;
    if (giveaway_get(r->db, &r->actor, id, g, &claimed, &redeemed, &err)) {
        reply_err(r, &err);
    } else {
        json_t *j = giveaway_json(g);
        json_object_set_new(j, "claimed", json_integer(claimed));
        json_object_set_new(j, "redeemed", json_integer(redeemed));
        json_object_set_new(j, "remaining", json_integer(g->stock - claimed));
        reply_json(r, 200, j);
    }
    free(g);
}

/*
 * A claim goes through the store's batch writer, as a join does, and runs
 * there as one set with the batch's other claims: a few statements for
 * all of them.  On SQLite what it checks is checked here first (most of a
 * storm is refusals: sold out, claimed already), on the request's own
 * connection, beside the one writer; on PostgreSQL that read would be a
 * round trip per request, and the set's one read serves them all.  Once
 * a giveaway is sold out, a member's taps after the first are refused
 * from what the process read (giveaway_claim_known), on either backend.
 */
struct claim_call {
    struct api_write w;             /* first */
    struct giveaway_cache *cache;
    struct giveaway_claim_req q;
};

static int claim_run_set(struct store_job **jobs, size_t n, struct db *db)
{
    struct giveaway_claim_req **reqs = xmalloc(n * sizeof *reqs);
    for (size_t i = 0; i < n; i++)
        reqs[i] = &((struct claim_call *)jobs[i])->q;
    int rc = giveaway_claim_many(db, ((struct claim_call *)jobs[0])->cache, reqs, n);
    for (size_t i = 0; i < n; i++)
        api_write_settled(&((struct claim_call *)jobs[i])->w, reqs[i]->status, &reqs[i]->err);
    free(reqs);
    return rc;
}

static void claim_settled(struct api_write *w)
{
    struct claim_call *c = (struct claim_call *)w;
    giveaway_claim_settled(c->cache, c->q.gid, w->status, &w->err);
}

static void claim_answer(struct api_write *w, struct req *r)
{
    struct claim_call *c = (struct claim_call *)w;
    reply_json(r, 201, json_pack("{s:I, s:s}", "giveaway_id", (json_int_t)c->q.gid,
                                 "pickup_code", c->q.code));
}

void api_giveaways_claim(struct req *r)
{
    int64_t id;
    if (giveaway_id_or_reply(r, &id))
        return;
    struct claim_call *c = arena_zalloc(&r->arena, sizeof *c);
    c->w.job.run_set = claim_run_set;
    c->w.answer = claim_answer;
    c->w.settled = claim_settled;
    c->cache = site_of(r)->giveaways;
    /* The request (its token, its address) outlives the claim. */
    const char *token = api_member_token(r);
    giveaway_claim_init(&c->q, token ? arena_strdup(&r->arena, token) : NULL, id, r->addr);
    if (giveaway_claim_known(c->cache, &c->q, &c->w.err)) {
        reply_err(r, &c->w.err);
        return;
    }
    if (strcmp(store_backend(http_config_of(r)->store), "sqlite") == 0) {
        struct db *db = req_db_or_reply(r);
        if (!db)
            return;
        if (giveaway_claim_check(db, c->cache, &c->q, &c->w.err)) {
            reply_err(r, &c->w.err);
            return;
        }
    }
    api_write_park(r, &c->w);
}

void api_giveaways_redeem(struct req *r)
{
    static const char *const fields[] = {"pickup_code", NULL};
    int64_t id;
    if (giveaway_id_or_reply(r, &id))
        return;
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    const char *code;
    if (json_str_or_reply(r, j, "pickup_code", &code)) {
        json_decref(j);
        return;
    }
    struct pickup_rec p;
    struct ub_err err;
    if (giveaway_redeem(r->db, &r->actor, id, code, &p, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, json_pack("{s:I, s:s, s:s, s:I, s:o}", "giveaway_id",
                                     (json_int_t)id, "member_no", p.member_no, "name",
                                     p.member_name, "number", (json_int_t)p.number,
                                     "redeemed_at", api_time_json(p.redeemed_at)));
    json_decref(j);
}

static int add_mine(void *ud, const struct giveaway_view *v)
{
    json_t *j = giveaway_json(&v->g);
    json_object_set_new(j, "remaining", json_integer(v->remaining));
    json_object_set_new(j, "eligible", json_boolean(v->eligible));
    json_object_set_new(j, "pickup_code",
                        *v->m.pickup_code ? json_string(v->m.pickup_code) : json_null());
    json_object_set_new(j, "redeemed", json_boolean(v->m.redeemed_at != 0));
    json_array_append_new(ud, j);
    return 0;
}

void api_me_giveaways(struct req *r)
{
    struct db *db = req_db_or_reply(r);
    if (!db)
        return;
    json_t *items = json_array();
    char member_no[24];
    struct ub_err err;
    if (giveaway_member_list(db, site_of(r)->giveaways, api_member_token(r), member_no,
                             add_mine, items, &err)) {
        json_decref(items);
        reply_err(r, &err);
        return;
    }
    reply_json(r, 200, json_pack("{s:s, s:o}", "member_no", member_no, "items", items));
}
