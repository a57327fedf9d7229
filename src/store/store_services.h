/*
 * store_services.h: the store's queries for member services: mutual-aid
 * cards (store_card.c), reimbursement plans and claims (store_claim.c) and
 * giveaways (store_giveaway.c).  Same conventions as store.h: records are
 * plain structs filled by value, functions return DB_OK, DB_NOTFOUND,
 * DB_CONFLICT or another negative DB_ code.
 */
#ifndef UB_STORE_SERVICES_H
#define UB_STORE_SERVICES_H

#include "store/store.h"

/* ---- Mutual-aid cards (store_card.c) ----------------------------------- */

struct card_rec {
    int64_t id, member_id, org_id, event_id, replaces_id;
    char member_no[24];
    unsigned char card_hash[PERSON_DIGEST_BYTES];   /* keyed digest of the number */
    unsigned char card_enc[SEALED_MAX];
    size_t card_enc_len;
    char last4[5];
    char status[12];                    /* live | lost | replaced */
    char end_reason[321];
    char issued_on[11];
    int64_t issued_at, ended_at;
};

typedef int (*card_cb)(void *ud, const struct card_rec *c);

/* Inserts a live card (member_id, org_id, event_id, card_*, issued_*);
 * fills id.  DB_CONFLICT: the member has a live card or the number is
 * taken. */
int store_card_insert(struct db *db, struct card_rec *c, int64_t by);
/* The member's live card. */
int store_card_live(struct db *db, int64_t member_id, struct card_rec *out);
/* Is there a card with this number digest (any member, any status)? */
int store_card_number_taken(struct db *db, const unsigned char card_hash[PERSON_DIGEST_BYTES],
                            bool *taken);
/* Ends a live card (status lost or replaced); DB_NOTFOUND if not live. */
int store_card_end(struct db *db, int64_t id, const char *status, const char *reason);
/* A member's cards, newest first. */
int store_card_history(struct db *db, int64_t member_id, card_cb cb, void *ud);
/* The org path of an event (for checking who may name it). */
int store_event_org(struct db *db, int64_t event_id, int64_t *org_id, char *path, size_t n);

/* Cards issued by orgs in the subtree of path on dates from..to
 * (inclusive): the total, and cb(ud, event_id, n) per event (event_id 0:
 * issued outside any event). */
typedef int (*card_count_cb)(void *ud, int64_t event_id, int64_t n);
int store_card_counts(struct db *db, const char *path, int64_t district, const char *from,
                      const char *to, card_count_cb cb, void *ud);

/* ---- Reimbursement plans and claims (store_claim.c) -------------------- */

struct plan_rec {
    int64_t id;
    int year;
    char kind[12];                      /* outpatient | inpatient */
    int64_t deductible_fen;
    int64_t ratio_bp;                   /* basis points: 5000 = 50% */
    int64_t cap_fen;
    int64_t created_at;
};

typedef int (*plan_cb)(void *ud, const struct plan_rec *p);

int store_plan_insert(struct db *db, struct plan_rec *p, int64_t by);
int store_plan_get(struct db *db, int year, const char *kind, struct plan_rec *out);
/* Plans of a year (0: all), by year and kind. */
int store_plan_list(struct db *db, int year, plan_cb cb, void *ud);

struct claim_rec {
    int64_t id, member_id, org_id, card_id;
    char member_no[24];
    char member_name[121];
    char org_code[ORG_CODE_MAX + 1];
    char org_path[ORG_PATH_MAX + 1];
    char card_last4[5];
    int year;
    char kind[12];
    char claim_date[11];
    char status[12];
    unsigned char selfpay_enc[SEALED_MAX];
    size_t selfpay_enc_len;
    unsigned char payout_enc[SEALED_MAX];
    size_t payout_enc_len;
    char reason[321];
    char pay_ref[65];
    int64_t submitted_by, verified_by, decided_by, paid_by;
    int64_t submitted_at, verified_at, decided_at, paid_at;
};

typedef int (*claim_cb)(void *ud, const struct claim_rec *c);

/* Locks the member's totals row for (year, kind) for the rest of the
 * transaction, making it (sealed as `fresh`) when there is none, and
 * copies its sealed value into enc (cap bytes) and *len. */
int store_claim_totals_lock(struct db *db, int64_t member_id, int year, const char *kind,
                            const unsigned char *fresh, size_t fresh_len, unsigned char *enc,
                            size_t cap, size_t *len);
int store_claim_totals_set(struct db *db, int64_t member_id, int year, const char *kind,
                           const unsigned char *enc, size_t len);
/* Inserts a submitted claim; fills id and submitted_at. */
int store_claim_insert(struct db *db, struct claim_rec *c);
int store_claim_by_id(struct db *db, int64_t id, struct claim_rec *out);
/* Moves a claim from status `from` to `to`, recording who and when in the
 * step's columns (reason for rejected, pay_ref for paid); DB_NOTFOUND if
 * it is no longer in `from`. */
int store_claim_step(struct db *db, int64_t id, const char *from, const char *to, int64_t by,
                     const char *note);
/* Claims in the subtree of path with a status ("" any) and year (0 any),
 * newest first below before (0: from the newest), at most limit. */
int store_claim_list(struct db *db, const char *path, int64_t district, const char *status,
                     int year, int64_t before, int limit, claim_cb cb, void *ud);

/* ---- Giveaways (store_giveaway.c) --------------------------------------- */

#define GIVEAWAY_NAME_MAX 400
#define PICKUP_CODE_LEN 10

struct giveaway_rec {
    int64_t id, org_id, district_id;
    char name[GIVEAWAY_NAME_MAX + 1];
    char org_code[ORG_CODE_MAX + 1];
    char org_name[ORG_NAME_MAX + 1];
    char org_path[ORG_PATH_MAX + 1];
    int64_t stock, stripes;
    int64_t opens_at, closes_at, created_at;
};

typedef int (*giveaway_cb)(void *ud, const struct giveaway_rec *g);

/* Inserts a giveaway and its stock stripes (in the caller's
 * transaction); fills id. */
int store_giveaway_insert(struct db *db, struct giveaway_rec *g, int64_t by);
int store_giveaway_by_id(struct db *db, int64_t id, struct giveaway_rec *out);
/* Giveaways of orgs in the subtree of path or above it, newest first, at
 * most limit. */
int store_giveaway_list(struct db *db, const char *path, int64_t district, int limit,
                        giveaway_cb cb, void *ud);
/* Giveaways open at `now` whose subtree holds the org at member_path. */
int store_giveaway_open_for(struct db *db, const char *member_path, int64_t now, int limit,
                            giveaway_cb cb, void *ud);
/* Claims handed out and redeemed so far. */
int store_giveaway_counts(struct db *db, int64_t id, int64_t *claimed, int64_t *redeemed);

/* The member holding a personal token, with what a claim needs to know in
 * one query: its org's path and its claim on giveaway gid, if any. */
struct claimant {
    int64_t member_id, org_id;
    char member_no[24];
    char status[16];
    char org_path[ORG_PATH_MAX + 1];
    char pickup_code[PICKUP_CODE_LEN + 1];      /* "" when no claim yet */
    int64_t redeemed_at;
};
int store_claimant(struct db *db, const char *access_digest, int64_t gid, struct claimant *out);
/* The same for n digests at once: found[i] false where digests[i] names
 * no member. */
int store_claimants(struct db *db, int64_t gid, const char *const *digests, size_t n,
                    struct claimant *out, bool *found);

/* Takes up to need units of stock: numbers[0 .. *got - 1] (each 1..stock);
 * *got < need only when the stock is gone.  In the caller's transaction. */
int store_giveaway_take(struct db *db, int64_t gid, int64_t need, int64_t *numbers,
                        int64_t *got);

struct claim_row {
    int64_t member_id, number;
    const char *code;
    bool inserted;                  /* set: false when the member had a claim */
};
/* Records the claims; a member who has one already is skipped. */
int store_giveaway_claims_insert(struct db *db, int64_t gid, struct claim_row *rows, size_t n,
                                 int64_t now);

struct pickup_rec {
    int64_t member_id, org_id, number, claimed_at, redeemed_at;
    char member_no[24];
    char member_name[121];
    char org_path[ORG_PATH_MAX + 1];
};
/* The claim holding a pickup code. */
int store_pickup_get(struct db *db, int64_t gid, const char *code, struct pickup_rec *out);
/* Marks it redeemed; DB_NOTFOUND if it already was. */
int store_pickup_redeem(struct db *db, int64_t gid, const char *code, int64_t by, int64_t now);

#endif
