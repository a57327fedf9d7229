/*
 * api_cards.c: mutual-aid cards: registration, a member's card and its
 * history, reissue and loss, and the counts per event and period.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_services.h"
#include "domain/card.h"
#include "http/server.h"
#include "site.h"

static json_t *card_json(const struct card_rec *c)
{
    char masked[24];
    card_mask(c, masked);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:s?}",
                     "id", (json_int_t)c->id, "member_no", c->member_no, "last4", c->last4,
                     "card_no", masked, "status", c->status,
                     "event_id", c->event_id ? json_integer(c->event_id) : json_null(),
                     "issued_on", c->issued_on, "issued_at", api_time_json(c->issued_at),
                     "replaces", c->replaces_id ? json_integer(c->replaces_id) : json_null(),
                     "ended_at", api_time_json(c->ended_at),
                     "end_reason", *c->end_reason ? c->end_reason : NULL);
}

/* Reads {card_no, event_id[, reason]} for the card calls. */
static json_t *card_body_or_reply(struct req *r, const char *const *fields, const char **card_no,
                                  int64_t *event_id, const char **reason)
{
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return NULL;
    *reason = NULL;
    if (json_str_or_reply(r, j, "card_no", card_no)
        || json_int_or_reply(r, j, "event_id", 0, event_id)
        || (reason && json_object_get(j, "reason")
            && json_str_or_reply(r, j, "reason", reason))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

void api_cards_create(struct req *r)
{
    static const char *const fields[] = {"member_no", "card_no", "event_id", NULL};
    const char *card_no, *member_no, *reason;
    int64_t event_id;
    json_t *j = card_body_or_reply(r, fields, &card_no, &event_id, &reason);
    if (!j)
        return;
    if (json_str_or_reply(r, j, "member_no", &member_no)) {
        json_decref(j);
        return;
    }
    struct card_rec c;
    struct ub_err err;
    if (card_register(r->db, site_of(r)->vault, &r->actor, member_no, card_no, event_id, &c,
                      &err))
        reply_err(r, &err);
    else
        reply_json(r, 201, card_json(&c));
    json_decref(j);
}

void api_members_card_reissue(struct req *r)
{
    static const char *const fields[] = {"card_no", "event_id", "reason", NULL};
    const char *card_no, *reason;
    int64_t event_id;
    json_t *j = card_body_or_reply(r, fields, &card_no, &event_id, &reason);
    if (!j)
        return;
    struct card_rec c;
    struct ub_err err;
    if (card_reissue(r->db, site_of(r)->vault, &r->actor, req_param(r, "no"), card_no,
                     event_id, reason, &c, &err))
        reply_err(r, &err);
    else
        reply_json(r, 201, card_json(&c));
    json_decref(j);
}

void api_members_card_lost(struct req *r)
{
    static const char *const fields[] = {"reason", NULL};
    json_t *j = req_json_or_reply(r, fields);
    if (!j)
        return;
    const char *reason;
    struct ub_err err;
    if (json_str_or_reply(r, j, "reason", &reason)) {
        json_decref(j);
        return;
    }
    if (card_report_lost(r->db, &r->actor, req_param(r, "no"), reason, &err))
        reply_err(r, &err);
    else
        reply_json(r, 200, json_pack("{s:s, s:s}", "member_no", req_param(r, "no"),
                                     "status", "lost"));
    json_decref(j);
}

static int add_card(void *ud, const struct card_rec *c)
{
    json_array_append_new(ud, card_json(c));
    return 0;
}

void api_members_card(struct req *r)
{
    struct member_rec *m = xmalloc(sizeof *m);
    struct card_rec live;
    bool has_live;
    json_t *history = json_array();
    struct ub_err err;
    if (card_of_member(r->db, &r->actor, req_param(r, "no"), m, &live, &has_live, add_card,
                       history, &err)) {
        json_decref(history);
        reply_err(r, &err);
    } else {
        reply_json(r, 200, json_pack("{s:s, s:o, s:o}", "member_no", m->member_no, "card",
                                     has_live ? card_json(&live) : json_null(),
                                     "history", history));
    }
    free(m);
}

struct counts {
    json_t *by_event;
    int64_t total, none;
};

static int add_count(void *ud, int64_t event_id, int64_t n)
{
    struct counts *c = ud;
    c->total += n;
    if (event_id)
        json_array_append_new(c->by_event, json_pack("{s:I, s:I}", "event_id",
                                                     (json_int_t)event_id, "cards",
                                                     (json_int_t)n));
    else
        c->none += n;
    return 0;
}

void api_cards_counts(struct req *r)
{
    struct counts c = {json_array(), 0, 0};
    struct ub_err err;
    const char *from = req_query(r, "from"), *to = req_query(r, "to");
    if (card_counts(r->db, &r->actor, req_query(r, "org"), from, to, add_count, &c, &err)) {
        json_decref(c.by_event);
        reply_err(r, &err);
        return;
    }
    const char *org = req_query(r, "org");
    reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:I, s:I, s:o}",
                                 "org", org && *org ? org : r->actor.org_code, "from", from,
                                 "to", to, "cards_issued", (json_int_t)c.total,
                                 "outside_events", (json_int_t)c.none, "by_event", c.by_event));
}
