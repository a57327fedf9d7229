/*
 * giveaway.h: 普惠 giveaways (e.g. 新年礼包): limited stock for the active
 * members of a subtree, first come first served between an opening and a
 * closing time; a claim gives a pickup code that staff redeem at handover.
 *
 * Never more claims than stock, never two per member: each claim is one
 * transaction (a conditional take from a stock stripe and the insert of
 * the claim under its unique key), committed durably before the answer.
 *
 * A process keeps a cache of giveaways it has read: their fixed facts
 * (a giveaway does not change once made), the fact that one is sold out
 * (stock never comes back, so this is true for good once seen), the
 * standing of the members who tapped a sold-out one (so that their taps
 * again are answered from memory), and the remaining stock shown on the
 * member page, re-read at most once a second.  The database stays the
 * authority: every claim that might win goes to it, so several processes
 * on one PostgreSQL agree.
 */
#ifndef UB_GIVEAWAY_H
#define UB_GIVEAWAY_H

#include "domain/actor.h"
#include "lib/crypto.h"
#include "store/store_services.h"

#define GIVEAWAY_STOCK_MAX 1000000
#define GIVEAWAY_STRIPES 16

struct giveaway_cache;

/* A new empty cache (one per serve process); freed with _free. */
struct giveaway_cache *giveaway_cache_new(void);
void giveaway_cache_free(struct giveaway_cache *c);

struct giveaway_input {
    const char *name;
    int64_t stock;
    const char *org;
    const char *opens_at;           /* ISO 8601 */
    const char *closes_at;
};

/* Creates a giveaway for org's subtree (manage permission there).  422 per
 * field.  Audited. */
int giveaway_create(struct db *db, const struct actor *a, const struct giveaway_input *in,
                    struct giveaway_rec *out, struct ub_err *err);

/* Reads a giveaway the actor may see (its subtree, or one above that
 * serves the actor's members), with its claimed and redeemed counts. */
int giveaway_get(struct db *db, const struct actor *a, int64_t id, struct giveaway_rec *out,
                 int64_t *claimed, int64_t *redeemed, struct ub_err *err);

/* Giveaways of org's subtree (the actor's top when NULL) and of the orgs
 * above it, newest first. */
int giveaway_list(struct db *db, const struct actor *a, const char *org, int limit,
                  giveaway_cb cb, void *ud, struct ub_err *err);

/* A member (personal token) claims giveaway gid: fills code (the pickup
 * code).  401 unauthenticated, 404 giveaway_not_found, 403 not_eligible,
 * 409 already_claimed, 422 not_open, 410 sold_out.  Audited. */
int giveaway_claim(struct db *db, struct giveaway_cache *cache, const char *token, int64_t gid,
                   const char *addr, char code[PICKUP_CODE_LEN + 1], struct ub_err *err);
/* One claim (giveaway_claim_many, _known, _check), made by
 * giveaway_claim_init. */
struct giveaway_claim_req {
    const char *token;              /* the member's personal token */
    unsigned char digest[CRYPTO_DIGEST_BYTES];  /* its digest, once it is one */
    int64_t gid;
    const char *addr;               /* for the audit log */
    char code[PICKUP_CODE_LEN + 1]; /* set: the pickup code */
    int status;                     /* set: 0, or -1 with err */
    struct ub_err err;
};
/* A claim of giveaway gid by the holder of token (kept, not copied; the
 * digest taken here, once for all that reads the claim), from addr. */
void giveaway_claim_init(struct giveaway_claim_req *q, const char *token, int64_t gid,
                         const char *addr);
/* giveaway_claim for each of reqs[0..n-1], with a few statements for all
 * of them: one reads their members, one takes their units, one records
 * their claims, one audits them.  Returns DB_OK, or the negative DB_ code
 * that failed the whole set (each request then says so; nothing the set
 * wrote is kept). */
int giveaway_claim_many(struct db *db, struct giveaway_cache *cache,
                        struct giveaway_claim_req **reqs, size_t n);
/* Once a claim's outcome (status, err) is durable (its batch committed): a
 * sold-out answer marks giveaway gid sold out in the cache, so that later
 * claims are refused without taking stock.  Not before: a batch undone
 * gives its units back. */
void giveaway_claim_settled(struct giveaway_cache *cache, int64_t gid, int status,
                            const struct ub_err *err);
/* A claim this process can refuse without the database: a token that
 * cannot be one, or a member whose standing in gid, sold out, it has read
 * lately (see giveaway.c).  Returns true with err. */
bool giveaway_claim_known(struct giveaway_cache *cache, const struct giveaway_claim_req *q,
                          struct ub_err *err);
/* What giveaway_claim checks before writing, alone (reads only): so that
 * the refusals a storm is mostly made of are answered at once. */
int giveaway_claim_check(struct db *db, struct giveaway_cache *cache,
                         const struct giveaway_claim_req *q, struct ub_err *err);

/* What the member page shows: the giveaway, the member's claim (code ""
 * when none) and the remaining stock (cached, at most a second old). */
struct giveaway_view {
    struct giveaway_rec g;
    struct claimant m;
    bool eligible;
    int64_t remaining;
};
int giveaway_member_view(struct db *db, struct giveaway_cache *cache, const char *token,
                         int64_t gid, struct giveaway_view *out, struct ub_err *err);

/* The giveaways open now for the member holding token (those of the
 * member's org and the orgs above it), each as the member page sees it. */
typedef int (*giveaway_view_cb)(void *ud, const struct giveaway_view *v);
int giveaway_member_list(struct db *db, struct giveaway_cache *cache, const char *token,
                         char member_no[24], giveaway_view_cb cb, void *ud,
                         struct ub_err *err);

/* Normalises a typed or scanned pickup code (case, spaces, dashes) into
 * out; returns false when it cannot be one. */
bool pickup_code_normalise(const char *in, char out[PICKUP_CODE_LEN + 1]);

/* Staff redeem a pickup code at handover (write permission on the
 * member's org).  422 invalid_pickup_code, 404 pickup_code_not_found, 409
 * already_redeemed.  Audited. */
int giveaway_redeem(struct db *db, const struct actor *a, int64_t gid, const char *code,
                    struct pickup_rec *out, struct ub_err *err);

#endif
