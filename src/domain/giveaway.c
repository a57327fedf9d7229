/*
 * giveaway.c: giveaways, claims with pickup codes, redemption, and the
 * per-process cache of giveaway facts.
 */
#include "domain/giveaway.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/org.h"
#include "lib/crypto.h"

/* Pickup codes: no 0/O or 1/I to misread at the counter. */
static const char code_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
#define CODE_RANDOM 6           /* random characters, then 4 of the claim number */

/* ---- The cache ------------------------------------------------------------ */

#define CACHE_MAX 256
#define REMAINING_TTL_NS 1000000000ull

struct cache_entry {
    struct giveaway_rec g;
    bool sold_out;
    int64_t remaining;
    uint64_t remaining_at;          /* ub_mono_ns() when read; 0: never */
};

/*
 * Once a giveaway is sold out its claims are final: a sold-out answer is
 * given only when every unit is taken by a committed claim.  So what a
 * member's claim is answered then (not eligible, claimed already with
 * a code, or sold out) follows from the member's standing read at any
 * later time, and a process keeps what it read: after a rush members tap
 * again and again, and each tap after the first is answered from memory,
 * without a database read or a wait for a batch.  The standing is kept
 * MEMO_TTL_NS: a member suspended or moved meanwhile is told "sold out"
 * rather than "not eligible" for that long (both refusals).  A winner's
 * standing is not kept: their pickup code is read each time it is shown,
 * so that a token replaced since never shows it.  A fixed table made when
 * first needed (7 MiB): each member in one set of MEMO_WAYS slots chosen
 * by their digest, a newcomer to a full set taking the oldest one's
 * (by the odds, 2% of 50,000 members find theirs full, against a third
 * with one slot each: in the claim storm, 40,000-60,000 memo misses per
 * process instead of 80,000 or more).
 */
#define MEMO_SLOTS (1u << 17)
#define MEMO_WAYS 4
#define MEMO_TTL_NS (30 * 1000000000ull)

struct memo {
    unsigned char digest[CRYPTO_DIGEST_BYTES];  /* the member's token's */
    int64_t gid;
    uint64_t at;                    /* ub_mono_ns() when read; 0: empty */
    bool found, eligible;
};

struct giveaway_cache {
    pthread_mutex_t lock;
    struct cache_entry *e;          /* CACHE_MAX slots, n used */
    size_t n, next;                 /* next: the slot a new entry takes when full */
    pthread_mutex_t memo_lock;
    struct memo *memo;              /* MEMO_SLOTS, or NULL until needed */
};

struct giveaway_cache *giveaway_cache_new(void)
{
    struct giveaway_cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->memo_lock, NULL);
    c->e = xcalloc(CACHE_MAX, sizeof *c->e);
    return c;
}

void giveaway_cache_free(struct giveaway_cache *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->memo_lock);
    free(c->e);
    free(c->memo);
    free(c);
}

/* Copies the cached entry for id into out; false if none.  Caller holds no
 * lock. */
static bool cache_get(struct giveaway_cache *c, int64_t id, struct cache_entry *out)
{
    bool found = false;
    if (!c)
        return false;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].g.id == id) {
            *out = c->e[i];
            found = true;
            break;
        }
    pthread_mutex_unlock(&c->lock);
    return found;
}

static void cache_put(struct giveaway_cache *c, const struct giveaway_rec *g)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].g.id == g->id) {
            pthread_mutex_unlock(&c->lock);
            return;
        }
    size_t slot = c->n < CACHE_MAX ? c->n++ : c->next++ % CACHE_MAX;
    memset(&c->e[slot], 0, sizeof c->e[slot]);
    c->e[slot].g = *g;
    pthread_mutex_unlock(&c->lock);
}

static void cache_update(struct giveaway_cache *c, int64_t id, bool sold_out,
                         int64_t remaining, bool has_remaining)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].g.id == id) {
            if (sold_out) {
                c->e[i].sold_out = true;
                c->e[i].remaining = 0;
                c->e[i].remaining_at = ub_mono_ns();
            }
            if (has_remaining) {
                c->e[i].remaining = remaining;
                c->e[i].remaining_at = ub_mono_ns();
                if (remaining <= 0)
                    c->e[i].sold_out = true;
            }
            break;
        }
    pthread_mutex_unlock(&c->lock);
}

/* The set of slots of a member and giveaway; the member's own slot in it
 * if there is one, else NULL. */
static struct memo *memo_set(struct memo *t, const unsigned char *digest, int64_t gid,
                             struct memo **own)
{
    uint64_t h;
    memcpy(&h, digest, sizeof h);   /* a digest: its bytes are spread already */
    struct memo *set = &t[(h ^ (uint64_t)gid * 0x9e3779b97f4a7c15ull)
                          % (MEMO_SLOTS / MEMO_WAYS) * MEMO_WAYS];
    *own = NULL;
    for (int i = 0; i < MEMO_WAYS; i++)
        if (set[i].at && set[i].gid == gid && memcmp(set[i].digest, digest, CRYPTO_DIGEST_BYTES) == 0)
            *own = &set[i];
    return set;
}

/* Keeps a member's standing in sold-out giveaway gid, as read now. */
static void memo_put(struct giveaway_cache *c, const unsigned char *digest, int64_t gid,
                     bool found, bool eligible)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->memo_lock);
    if (!c->memo)
        c->memo = xcalloc(MEMO_SLOTS, sizeof *c->memo);
    struct memo *m;
    struct memo *set = memo_set(c->memo, digest, gid, &m);
    if (!m) {                       /* an empty slot, else the oldest */
        m = &set[0];
        for (int i = 1; i < MEMO_WAYS && m->at; i++)
            if (!set[i].at || set[i].at < m->at)
                m = &set[i];
    }
    memcpy(m->digest, digest, sizeof m->digest);
    m->gid = gid;
    m->at = ub_mono_ns();
    m->found = found;
    m->eligible = eligible;
    pthread_mutex_unlock(&c->memo_lock);
}

/* The standing kept for the member and gid, if still fresh. */
static bool memo_get(struct giveaway_cache *c, const unsigned char *digest, int64_t gid,
                     struct memo *out)
{
    bool hit = false;
    if (!c)
        return false;
    pthread_mutex_lock(&c->memo_lock);
    if (c->memo) {
        struct memo *m;
        memo_set(c->memo, digest, gid, &m);
        hit = m && ub_mono_ns() - m->at < MEMO_TTL_NS;
        if (hit)
            *out = *m;
    }
    pthread_mutex_unlock(&c->memo_lock);
    return hit;
}

/* The giveaway, from the cache or the database (then cached). */
static int giveaway_load(struct db *db, struct giveaway_cache *c, int64_t id,
                         struct cache_entry *out, struct ub_err *err)
{
    if (cache_get(c, id, out))
        return 0;
    memset(out, 0, sizeof *out);
    int rc = id > 0 ? store_giveaway_by_id(db, id, &out->g) : DB_NOTFOUND;
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "giveaway_not_found", "该普惠活动不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    cache_put(c, &out->g);
    return 0;
}

/* ---- Staff side ------------------------------------------------------------ */

/* Is the org at `path` inside the subtree of `top` (its path a prefix)? */
static bool path_under(const char *path, const char *top)
{
    return strncmp(path, top, strlen(top)) == 0;
}

/* The actor may see giveaway g: it is in the actor's subtree, or above it
 * (it serves the actor's members). */
static int giveaway_visible(const struct actor *a, const struct giveaway_rec *g,
                            struct ub_err *err)
{
    if (actor_covers(a, g->org_path) || path_under(a->org_path, g->org_path))
        return 0;
    return ub_fail(err, UB_EFORBID, "forbidden", "超出您所在组织的管理范围");
}

int giveaway_create(struct db *db, const struct actor *a, const struct giveaway_input *in,
                    struct giveaway_rec *out, struct ub_err *err)
{
    memset(out, 0, sizeof *out);
    struct org_rec org;
    if (!in->org || !*in->org)
        return ub_fail_field(err, UB_EINVALID, "missing_field", "org", "请选择发放单位");
    if (org_get(db, a, in->org, &org, err) || actor_may(a, PERM_MANAGE, org.path, err))
        return -1;
    if (name_check("name", in->name, 100, err))
        return ub_fail_field(err, err->kind, err->code, "name", "请填写活动名称（不超过100字）");
    if (in->stock < 1 || in->stock > GIVEAWAY_STOCK_MAX)
        return ub_fail_field(err, UB_EINVALID, "invalid_stock", "stock",
                             "数量应在1至%d之间", GIVEAWAY_STOCK_MAX);
    if (!ub_parse_iso_time(in->opens_at, &out->opens_at))
        return ub_fail_field(err, UB_EINVALID, "invalid_time", "opens_at",
                             "开始时间应为 ISO 8601 时间，如 2025-01-20T10:00:00+08:00");
    if (!ub_parse_iso_time(in->closes_at, &out->closes_at))
        return ub_fail_field(err, UB_EINVALID, "invalid_time", "closes_at",
                             "结束时间应为 ISO 8601 时间，如 2025-01-27T18:00:00+08:00");
    if (out->closes_at <= out->opens_at)
        return ub_fail_field(err, UB_EINVALID, "invalid_time", "closes_at",
                             "结束时间应晚于开始时间");
    ub_strlcpy(out->name, in->name, sizeof out->name);
    out->org_id = org.id;
    out->stock = in->stock;
    out->stripes = in->stock < GIVEAWAY_STRIPES ? in->stock : GIVEAWAY_STRIPES;
    if (tx_begin(db, err))
        return -1;
    int rc = store_giveaway_insert(db, out, a->user_id);
    char sid[24], opens[40], closes[40];
    snprintf(sid, sizeof sid, "%lld", (long long)out->id);
    ub_iso_time(out->opens_at, opens, sizeof opens);
    ub_iso_time(out->closes_at, closes, sizeof closes);
    if (rc == DB_OK)
        rc = audit_log(db, a, "giveaway.create", "giveaway", sid, org.id,
                       json_pack("{s:s, s:I, s:s, s:s}", "name", out->name, "stock",
                                 (json_int_t)out->stock, "opens_at", opens, "closes_at", closes));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (tx_commit(db, err))
        return -1;
    rc = store_giveaway_by_id(db, out->id, out);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int giveaway_get(struct db *db, const struct actor *a, int64_t id, struct giveaway_rec *out,
                 int64_t *claimed, int64_t *redeemed, struct ub_err *err)
{
    int rc = id > 0 ? store_giveaway_by_id(db, id, out) : DB_NOTFOUND;
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "giveaway_not_found", "该普惠活动不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (giveaway_visible(a, out, err))
        return -1;
    rc = store_giveaway_counts(db, id, claimed, redeemed);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

int giveaway_list(struct db *db, const struct actor *a, const char *org, int limit,
                  giveaway_cb cb, void *ud, struct ub_err *err)
{
    struct subtree t;
    if (org_subtree(db, a, org, &t, err))
        return -1;
    int rc = store_giveaway_list(db, t.path, 0, limit, cb, ud);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

/* ---- The member's claim ------------------------------------------------------ */

/* A token that cannot be one; one that names no member. */
static bool token_ok(const char *token)
{
    return token && strlen(token) == CRYPTO_TOKEN_LEN;
}

static int fail_token(struct ub_err *err)
{
    return ub_fail(err, UB_EAUTH, "unauthenticated", "请用会员链接打开（会员身份无效）");
}

static int fail_no_member(struct ub_err *err)
{
    return ub_fail(err, UB_EAUTH, "unauthenticated", "会员链接无效，或入会申请尚未通过");
}

/* The member holding the token of this digest, with their claim of gid
 * (m zeroed when none): a DB_ code, DB_NOTFOUND for no member. */
static int claimant_read(struct db *db, const unsigned char *digest, int64_t gid,
                         struct claimant *m)
{
    char hex[CRYPTO_DIGEST_HEX + 1];
    crypto_hex(hex, digest, CRYPTO_DIGEST_BYTES);
    memset(m, 0, sizeof *m);
    return store_claimant(db, hex, gid, m);
}

static int claimant_of(struct db *db, const char *token, int64_t gid, struct claimant *m,
                       struct ub_err *err)
{
    if (!token_ok(token))
        return fail_token(err);
    unsigned char digest[CRYPTO_DIGEST_BYTES];
    crypto_digest(token, digest);
    int rc = claimant_read(db, digest, gid, m);
    if (rc == DB_NOTFOUND)
        return fail_no_member(err);
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

void giveaway_claim_init(struct giveaway_claim_req *q, const char *token, int64_t gid,
                         const char *addr)
{
    memset(q, 0, sizeof *q);
    q->token = token;
    q->gid = gid;
    q->addr = addr;
    if (token_ok(token))
        crypto_digest(token, q->digest);
}

static bool eligible(const struct giveaway_rec *g, const struct claimant *m)
{
    return path_under(m->org_path, g->org_path) && strcmp(m->status, "active") == 0;
}

static void make_code(int64_t number, char code[PICKUP_CODE_LEN + 1])
{
    for (int i = 0; i < CODE_RANDOM; i++)
        code[i] = code_alphabet[crypto_random_below(32)];
    /* The claim number (unique per giveaway, below 32^4) makes the code
     * unique without a retry. */
    for (int i = PICKUP_CODE_LEN - 1; i >= CODE_RANDOM; i--) {
        code[i] = code_alphabet[number % 32];
        number /= 32;
    }
    code[PICKUP_CODE_LEN] = 0;
}

/* What a claim is refused for, checked in this order: 0, or -1 with err.
 * found: the token names a member; ok: one eligible for it; code: the
 * member's claim ("" when none). */
static int refusal(const struct cache_entry *e, bool found, bool ok, const char *code,
                   int64_t now, struct ub_err *err)
{
    const struct giveaway_rec *g = &e->g;
    if (!found)
        return fail_no_member(err);
    if (!ok)
        return ub_fail(err, UB_EFORBID, "not_eligible", "本次活动仅限%s所属的在册会员",
                       g->org_name);
    if (*code)
        return ub_fail(err, UB_ECONFLICT, "already_claimed", "您已领取过，取货码 %s", code);
    if (now < g->opens_at || now >= g->closes_at)
        return ub_fail(err, UB_EINVALID, "not_open", now < g->opens_at ? "活动尚未开始"
                                                                       : "活动已结束");
    if (e->sold_out)
        return ub_fail(err, UB_EGONE, "sold_out", "已领完");
    return 0;
}

/* The refusal of a claim by m (found: m was read). */
static int claim_refusal(const struct cache_entry *e, const struct claimant *m, bool found,
                         int64_t now, struct ub_err *err)
{
    return refusal(e, found, found && eligible(&e->g, m), m->pickup_code, now, err);
}

/* Keeps m's standing when gid was known sold out (e) before m was read.
 * Not a winner's: the pickup code is read afresh each time it is shown
 * (a token replaced since must not show it). */
static void remember(struct giveaway_cache *c, const struct cache_entry *e,
                     const unsigned char *digest, const struct claimant *m, bool found)
{
    if (e->sold_out && !(found && *m->pickup_code))
        memo_put(c, digest, e->g.id, found, found && eligible(&e->g, m));
}

bool giveaway_claim_known(struct giveaway_cache *cache, const struct giveaway_claim_req *q,
                          struct ub_err *err)
{
    if (!token_ok(q->token)) {
        fail_token(err);
        return true;
    }
    struct cache_entry e;
    struct memo m;
    return cache_get(cache, q->gid, &e) && e.sold_out && memo_get(cache, q->digest, q->gid, &m)
           && refusal(&e, m.found, m.eligible, "", ub_now(), err) != 0;
}

int giveaway_claim_check(struct db *db, struct giveaway_cache *cache,
                         const struct giveaway_claim_req *q, struct ub_err *err)
{
    struct cache_entry e;
    struct claimant m;
    if (!token_ok(q->token))
        return fail_token(err);         /* before 404, as a claim answers */
    if (giveaway_load(db, cache, q->gid, &e, err))
        return -1;
    int rc = claimant_read(db, q->digest, q->gid, &m);
    if (rc != DB_OK && rc != DB_NOTFOUND)
        return ub_fail_store(err, rc);
    remember(cache, &e, q->digest, &m, rc == DB_OK);
    return claim_refusal(&e, &m, rc == DB_OK, ub_now(), err);
}

/* One giveaway's claims of a set (giveaway_claim_many). */
struct claim_set {
    struct giveaway_claim_req **q;  /* the requests */
    size_t n;
    struct claimant *m;             /* each one's member */
    size_t *cand;                   /* those that may have a unit, in order */
    size_t nc;
    size_t *first;                  /* a repeat's first request (n: none) */
};

static void refuse(struct giveaway_claim_req *q)
{
    q->status = -1;
}

/* Takes a unit for each candidate and records their claims and audit
 * entries, in a savepoint of its own.  A candidate found to hold a claim
 * already (taken in another transaction meanwhile) is refused and the rest
 * tried again.  Returns DB_OK or the code that failed. */
static int claim_units(struct db *db, struct claim_set *s, int64_t gid)
{
    int64_t *numbers = xmalloc(s->nc * sizeof *numbers);
    struct claim_row *rows = xmalloc(s->nc * sizeof *rows);
    char (*codes)[PICKUP_CODE_LEN + 1] = xmalloc(s->nc * sizeof *codes);
    struct audit_rec *audit = xmalloc(s->nc * sizeof *audit);
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)gid);
    int rc = DB_OK;
    for (;;) {
        int64_t got = 0;
        size_t refused = 0;
        rc = db_begin(db);
        if (rc == DB_OK)
            rc = store_giveaway_take(db, gid, (int64_t)s->nc, numbers, &got);
        for (int64_t i = 0; rc == DB_OK && i < got; i++) {
            make_code(numbers[i], codes[i]);
            rows[i] = (struct claim_row){s->m[s->cand[i]].member_id, numbers[i], codes[i], false};
        }
        if (rc == DB_OK)
            rc = store_giveaway_claims_insert(db, gid, rows, (size_t)got, ub_now());
        for (int64_t i = 0; rc == DB_OK && i < got; i++) {
            if (rows[i].inserted)
                continue;
            struct giveaway_claim_req *q = s->q[s->cand[i]];
            ub_fail(&q->err, UB_ECONFLICT, "already_claimed", "您已领取过");
            refuse(q);
            refused++;
        }
        if (rc != DB_OK || refused) {
            db_rollback(db);
            if (rc != DB_OK)
                break;
            size_t k = 0;           /* the others again, without them */
            for (size_t i = 0; i < s->nc; i++)
                if (s->q[s->cand[i]]->status == 0)
                    s->cand[k++] = s->cand[i];
            s->nc = k;
            if (!k)
                break;
            continue;
        }
        size_t na = 0;
        for (int64_t i = 0; i < got; i++) {
            const struct claimant *m = &s->m[s->cand[i]];
            struct giveaway_claim_req *q = s->q[s->cand[i]];
            memcpy(q->code, codes[i], sizeof q->code);
            struct actor w;
            actor_public(&w, "member", m->member_no, q->addr);
            audit_entry(&audit[na++], &w, "giveaway.claim", "giveaway", sid, m->org_id,
                        json_pack("{s:s, s:I}", "member_no", m->member_no, "number",
                                  (json_int_t)numbers[i]));
        }
        rc = na ? store_audit_insert_many(db, audit, na) : DB_OK;
        for (size_t i = 0; i < na; i++)
            free((char *)audit[i].detail);
        if (rc == DB_OK)
            rc = db_commit(db);
        if (rc != DB_OK) {
            db_rollback(db);
            break;
        }
        for (size_t i = (size_t)got; i < s->nc; i++) {
            struct giveaway_claim_req *q = s->q[s->cand[i]];
            ub_fail(&q->err, UB_EGONE, "sold_out", "已领完");
            refuse(q);
        }
        break;
    }
    free(audit);
    free(codes);
    free(rows);
    free(numbers);
    return rc;
}

/* The claims of s (all for giveaway gid).  Returns DB_OK or the code that
 * failed. */
static int claim_group(struct db *db, struct giveaway_cache *cache, struct claim_set *s,
                       int64_t gid)
{
    char (*digests)[CRYPTO_DIGEST_HEX + 1] = xmalloc(s->n * sizeof *digests);
    const char **dp = xmalloc(s->n * sizeof *dp);
    size_t *who = xmalloc(s->n * sizeof *who);
    struct claimant *found_m = xmalloc(s->n * sizeof *found_m);
    bool *found = xmalloc(s->n * sizeof *found);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!token_ok(s->q[i]->token)) {
            fail_token(&s->q[i]->err);
            refuse(s->q[i]);
            continue;
        }
        crypto_hex(digests[k], s->q[i]->digest, sizeof s->q[i]->digest);
        dp[k] = digests[k];
        who[k++] = i;
    }
    struct cache_entry e;
    struct ub_err gerr;
    if (k && giveaway_load(db, cache, gid, &e, &gerr)) {
        for (size_t j = 0; j < k; j++) {
            s->q[who[j]]->err = gerr;
            refuse(s->q[who[j]]);
        }
        k = 0;
    }
    int rc = k ? store_claimants(db, gid, dp, k, found_m, found) : DB_OK;
    int64_t now = ub_now();
    s->nc = 0;
    for (size_t i = 0; i < s->n; i++)
        s->first[i] = s->n;
    for (size_t j = 0; rc == DB_OK && j < k; j++) {
        size_t i = who[j];
        struct giveaway_claim_req *q = s->q[i];
        s->m[i] = found_m[j];
        remember(cache, &e, q->digest, &s->m[i], found[j]);
        if (claim_refusal(&e, &s->m[i], found[j], now, &q->err)) {
            refuse(q);
            continue;
        }
        /* The same member twice in the set: the first one claims, the
         * others are answered as it is (below). */
        size_t c = 0;
        while (c < s->nc && s->m[s->cand[c]].member_id != s->m[i].member_id)
            c++;
        if (c < s->nc) {
            s->first[i] = s->cand[c];
            refuse(q);
            continue;
        }
        s->cand[s->nc++] = i;
    }
    if (rc == DB_OK && s->nc)
        rc = claim_units(db, s, gid);
    for (size_t i = 0; rc == DB_OK && i < s->n; i++) {
        if (s->first[i] == s->n)
            continue;
        const struct giveaway_claim_req *first = s->q[s->first[i]];
        if (first->status == 0)
            ub_fail(&s->q[i]->err, UB_ECONFLICT, "already_claimed", "您已领取过，取货码 %s",
                    first->code);
        else
            s->q[i]->err = first->err;
    }
    free(found);
    free(found_m);
    free(who);
    free(dp);
    free(digests);
    return rc;
}

int giveaway_claim_many(struct db *db, struct giveaway_cache *cache,
                        struct giveaway_claim_req **reqs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        reqs[i]->status = 0;
        reqs[i]->code[0] = 0;
    }
    /* Requests grouped by giveaway (a storm is one), in order; the
     * giveaways in id order, so that two sets holding stock of both take
     * it in one order. */
    struct giveaway_claim_req **q = xmalloc(n * sizeof *q);
    struct claim_set s = {.q = q, .m = xcalloc(n, sizeof *s.m),
                          .cand = xmalloc(n * sizeof *s.cand),
                          .first = xmalloc(n * sizeof *s.first)};
    bool *taken = xcalloc(n, sizeof *taken);
    int rc = DB_OK;
    for (;;) {
        size_t lo = n;
        for (size_t i = 0; i < n; i++)
            if (!taken[i] && (lo == n || reqs[i]->gid < reqs[lo]->gid))
                lo = i;
        if (lo == n || rc != DB_OK)
            break;
        s.n = 0;
        for (size_t j = lo; j < n; j++)
            if (!taken[j] && reqs[j]->gid == reqs[lo]->gid) {
                taken[j] = true;
                q[s.n++] = reqs[j];
            }
        rc = claim_group(db, cache, &s, reqs[lo]->gid);
    }
    for (size_t i = 0; rc != DB_OK && i < n; i++) {   /* nothing in it stands */
        reqs[i]->code[0] = 0;
        reqs[i]->status = ub_fail_store(&reqs[i]->err, rc);
    }
    free(taken);
    free(s.first);
    free(s.cand);
    free(s.m);
    free(q);
    return rc;
}

void giveaway_claim_settled(struct giveaway_cache *cache, int64_t gid, int status,
                            const struct ub_err *err)
{
    if (status && strcmp(err->code, "sold_out") == 0)
        cache_update(cache, gid, true, 0, false);
}

int giveaway_claim(struct db *db, struct giveaway_cache *cache, const char *token, int64_t gid,
                   const char *addr, char code[PICKUP_CODE_LEN + 1], struct ub_err *err)
{
    struct giveaway_claim_req q, *p = &q;
    giveaway_claim_init(&q, token, gid, addr);
    giveaway_claim_many(db, cache, &p, 1);
    giveaway_claim_settled(cache, gid, q.status, &q.err);
    if (q.status) {
        *err = q.err;
        return -1;
    }
    memcpy(code, q.code, PICKUP_CODE_LEN + 1);
    return 0;
}

int giveaway_member_view(struct db *db, struct giveaway_cache *cache, const char *token,
                         int64_t gid, struct giveaway_view *out, struct ub_err *err)
{
    struct cache_entry e;
    memset(out, 0, sizeof *out);
    if (giveaway_load(db, cache, gid, &e, err) || claimant_of(db, token, gid, &out->m, err))
        return -1;
    out->g = e.g;
    out->eligible = eligible(&e.g, &out->m);
    if (e.sold_out) {
        out->remaining = 0;
    } else if (e.remaining_at && ub_mono_ns() - e.remaining_at < REMAINING_TTL_NS) {
        out->remaining = e.remaining;
    } else {
        int64_t claimed = 0, redeemed = 0;
        int rc = store_giveaway_counts(db, gid, &claimed, &redeemed);
        if (rc != DB_OK)
            return ub_fail_store(err, rc);
        out->remaining = e.g.stock - claimed;
        cache_update(cache, gid, false, out->remaining, true);
    }
    return 0;
}

struct member_list {
    struct db *db;
    struct giveaway_cache *cache;
    const char *token;
    giveaway_view_cb cb;
    void *ud;
    struct giveaway_view v;
    struct ub_err *err;
    bool failed;
};

static int member_list_row(void *ud, const struct giveaway_rec *g)
{
    struct member_list *x = ud;
    if (giveaway_member_view(x->db, x->cache, x->token, g->id, &x->v, x->err)) {
        x->failed = true;
        return 1;
    }
    return x->cb(x->ud, &x->v);
}

int giveaway_member_list(struct db *db, struct giveaway_cache *cache, const char *token,
                         char member_no[24], giveaway_view_cb cb, void *ud,
                         struct ub_err *err)
{
    struct claimant m;
    if (claimant_of(db, token, 0, &m, err))
        return -1;
    ub_strlcpy(member_no, m.member_no, 24);
    struct member_list *x = xcalloc(1, sizeof *x);
    x->db = db;
    x->cache = cache;
    x->token = token;
    x->cb = cb;
    x->ud = ud;
    x->err = err;
    int rc = store_giveaway_open_for(db, m.org_path, ub_now(), 50, member_list_row, x);
    bool failed = x->failed;
    free(x);
    if (failed)
        return -1;
    return rc == DB_OK ? 0 : ub_fail_store(err, rc);
}

/* ---- Redemption ----------------------------------------------------------------- */

bool pickup_code_normalise(const char *in, char out[PICKUP_CODE_LEN + 1])
{
    size_t n = 0;
    for (const char *p = in ? in : ""; *p; p++) {
        char ch = *p;
        if (ch == ' ' || ch == '-')
            continue;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (!strchr(code_alphabet, ch) || ch == 0 || n == PICKUP_CODE_LEN)
            return false;
        out[n++] = ch;
    }
    out[n] = 0;
    return n == PICKUP_CODE_LEN;
}

int giveaway_redeem(struct db *db, const struct actor *a, int64_t gid, const char *code,
                    struct pickup_rec *out, struct ub_err *err)
{
    struct giveaway_rec g;
    int rc = gid > 0 ? store_giveaway_by_id(db, gid, &g) : DB_NOTFOUND;
    if (rc == DB_NOTFOUND)
        return ub_fail(err, UB_ENOTFOUND, "giveaway_not_found", "该普惠活动不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (giveaway_visible(a, &g, err))
        return -1;
    char norm[PICKUP_CODE_LEN + 1];
    if (!pickup_code_normalise(code, norm))
        return ub_fail_field(err, UB_EINVALID, "invalid_pickup_code", "pickup_code",
                             "取货码应为10位字母或数字");
    rc = store_pickup_get(db, gid, norm, out);
    if (rc == DB_NOTFOUND)
        return ub_fail_field(err, UB_ENOTFOUND, "pickup_code_not_found", "pickup_code",
                             "取货码不存在");
    if (rc != DB_OK)
        return ub_fail_store(err, rc);
    if (actor_may(a, PERM_WRITE, out->org_path, err))
        return -1;
    if (out->redeemed_at) {
        char when[40];
        ub_iso_time(out->redeemed_at, when, sizeof when);
        return ub_fail(err, UB_ECONFLICT, "already_redeemed", "该取货码已于 %s 核销", when);
    }
    if (tx_begin(db, err))
        return -1;
    int64_t now = ub_now();
    rc = store_pickup_redeem(db, gid, norm, a->user_id, now);
    if (rc == DB_NOTFOUND) {
        db_rollback(db);
        return ub_fail(err, UB_ECONFLICT, "already_redeemed", "该取货码已核销");
    }
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)gid);
    if (rc == DB_OK)
        rc = audit_log(db, a, "giveaway.redeem", "giveaway", sid, out->org_id,
                       json_pack("{s:s, s:I}", "member_no", out->member_no, "number",
                                 (json_int_t)out->number));
    if (rc != DB_OK)
        return tx_fail(db, rc, err);
    if (tx_commit(db, err))
        return -1;
    out->redeemed_at = now;
    return 0;
}
