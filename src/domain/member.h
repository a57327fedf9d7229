/*
 * member.h: joining the union and membership (入会).
 *
 * A worker scans a join token's QR code and applies; the token decides the
 * receiving union, unless the worker names an employer in that subtree with
 * a union of its own, which then receives it.  Staff approve or reject;
 * approval makes the member, with a member number unique across the
 * system.  One person (one resident ID number) has at most one pending
 * application and one live membership.
 *
 * ID and phone numbers are sealed with the vault key, looked up through
 * keyed digests and shown masked; revealing them is an audited action.
 */
#ifndef UB_MEMBER_H
#define UB_MEMBER_H

#include "domain/actor.h"
#include "lib/crypto.h"

#define JOIN_NOTICE_VERSION "1"
#define JOIN_MIN_AGE 16

struct join_input {
    const char *name;
    const char *id_number;
    const char *phone;
    const char *employer_name;
    const char *employer_uscc;
    const char *category;
    int migrant;                /* 0, 1; -1: not given (means no) */
    const char *consent_version;
};

struct join_result {
    int64_t application_id;
    char status[12];            /* pending, or approved (auto-approve) */
    char access_token[CRYPTO_TOKEN_LEN + 1];
    char member_no[24];
    char org_code[ORG_CODE_MAX + 1];
    char org_name[ORG_NAME_MAX + 1];
};

/* The worker categories (CONTRACT.md): code and Chinese label. */
struct category {
    const char *code, *label;
};
extern const struct category member_categories[];
const char *member_category_label(const char *code);

/* The window join_submit's per-address limit counts in (seconds). */
#define JOIN_RATE_WINDOW 600

/* The join notice the worker consents to (version JOIN_NOTICE_VERSION). */
extern const char join_notice[];

/*
 * Submits an application through join token `token` from address addr.
 * idem_key (may be NULL) makes a retry return the first answer (*replayed
 * is then set).  rate_limit is the number of submissions allowed per
 * address per JOIN_RATE_WINDOW (0: no limit).  Returns 0 with out filled, or -1
 * with err: 404 join_token_not_found, 422 for each field (err.field set),
 * 409 already_member or application_pending, 429 too_many_requests.
 */
int join_submit(struct db *db, const struct vault *v, const char *token,
                const struct join_input *in, const char *addr, const char *idem_key,
                int rate_limit, struct join_result *out, bool *replayed, struct ub_err *err);

/*
 * join_submit in two halves, so that its CPU work (checking and sealing the
 * fields) can run apart from its database work (a batch writer's thread,
 * store_submit).  join_prepare never touches the database and never fails:
 * what it finds wrong is kept in p and reported by join_commit_many (below)
 * in the order join_submit reports it (unknown token, bad Idempotency-Key,
 * a kept answer, the rate limit, then the fields).  It may be run again on
 * the same p after a storage error.
 */
struct join_prep {
    char token[JOIN_TOKEN_LEN + 1];
    bool token_ok;                      /* the right length */
    bool key_bad;                       /* an unusable Idempotency-Key */
    char key[128];                      /* "join:TOKEN:KEY", "" without one */
    char rate_key[96];
    char addr[64];
    int rate_limit;
    int check;                          /* person_check's result */
    struct ub_err check_err;
    struct application_rec a;           /* person, status, channel, consent */
    char access_token[CRYPTO_TOKEN_LEN + 1];
};

int join_prepare(const struct vault *v, const char *token, const struct join_input *in,
                 const char *addr, const char *idem_key, int rate_limit,
                 struct join_prep *p);

/* Makes the member an application asks for (approved, its counters
 * counted), in the caller's transaction: for the review and for orgs that
 * approve joins at once. */
int member_from_application(struct db *db, const struct application_rec *a,
                            struct member_rec *m);

/* One join of a set (join_commit_many). */
struct join_req {
    struct join_prep prep;          /* join_prepare's */
    struct join_result res;         /* set: the answer */
    bool replayed;                  /* set: the answer kept for its key */
    int status;                     /* set: 0, or -1 with err */
    struct ub_err err;
    struct org_rec source, dest;    /* private: the token's org, the one joined */
    int64_t source_event;           /* private: the token's event */
    size_t place;                   /* private: in the set */
    bool retry;                     /* private: its key is an earlier one's */
    int64_t rate_n, rate_since;     /* private: the address's count, window */
};
/* The database half of join_submit for each of reqs[0..n-1] (each one's
 * answer as join_submit gives it); the joins without an
 * Idempotency-Key are recorded together, with a few statements for all.
 * Returns DB_OK, or the negative DB_ code that failed the whole set (each
 * request then says so; nothing the set wrote is kept). */
int join_commit_many(struct db *db, const struct vault *v, struct join_req **reqs, size_t n);

/*
 * Validates a person's fields (name, ID number and age, phone, category,
 * employer, and the consent when need_consent) and fills p: the ID and
 * phone numbers sealed, digested and masked, gender and birth date from
 * the ID.  Returns 0, or -1 with err (422, err.field set).
 */
int person_check(const struct vault *v, const struct join_input *in, bool need_consent,
                 struct person_rec *p, struct ub_err *err);

/* Looks up a join token: fills org (the token's org) and *event_id (its
 * outreach event, 0 for the org's own token; may be NULL).  404 if
 * unknown. */
int join_token_org(struct db *db, const char *token, struct org_rec *org, int64_t *event_id,
                   struct ub_err *err);

/* The join token of an org the actor may see (made on first use). */
int org_join_token(struct db *db, const struct actor *a, const char *code,
                   struct org_rec *org, char token[JOIN_TOKEN_LEN + 1], struct ub_err *err);
/* Makes a fresh join token for org_id inside the caller's transaction. */
int join_token_create(struct db *db, int64_t org_id, int64_t event_id,
                      char token[JOIN_TOKEN_LEN + 1]);

/* ---- Review ------------------------------------------------------------ */

int application_get(struct db *db, const struct actor *a, int64_t id,
                    struct application_rec *out, struct ub_err *err);
/* Lists applications of org's subtree (the actor's top when NULL). */
int application_list(struct db *db, const struct actor *a, const char *org,
                     const char *status, int64_t before, int limit, application_cb cb,
                     void *ud, struct ub_err *err);
/* Approves a pending application: makes the member.  Audited. */
int application_approve(struct db *db, const struct actor *a, int64_t id,
                        struct member_rec *out, struct ub_err *err);
/* Rejects a pending application with a reason.  Audited. */
int application_reject(struct db *db, const struct actor *a, int64_t id, const char *reason,
                       struct ub_err *err);

/* ---- Members ----------------------------------------------------------- */

int member_get(struct db *db, const struct actor *a, const char *member_no,
               struct member_rec *out, struct ub_err *err);
/* Searches org's subtree: q is a member number, a full phone number or
 * part of a name. */
int member_search(struct db *db, const struct vault *v, const struct actor *a,
                  const char *org, const char *q, int64_t before, int limit, member_cb cb,
                  void *ud, struct ub_err *err);
/* Members who joined org's subtree (the actor's when NULL) within [from,
 * to], by channel (NULL: any): what the report's members_joined counts.
 * *total: how many in all. */
int member_joined(struct db *db, const struct actor *a, const char *org, const char *from,
                  const char *to, const char *channel, int64_t before, int limit,
                  member_cb cb, void *ud, int64_t *total, struct ub_err *err);
/* Decrypts a member's ID and phone numbers for a role that may (admin,
 * federation).  Audited. */
int member_reveal(struct db *db, const struct vault *v, const struct actor *a,
                  const char *member_no, char id_number[19], char phone[12],
                  struct ub_err *err);

/* ---- The worker's own view --------------------------------------------- */

/* What a worker's personal token shows: the member (when approved) or the
 * application.  Returns 0 with *is_member telling which is filled, or -1
 * (401 when the token is unknown). */
int member_by_token(struct db *db, const char *token, bool *is_member,
                    struct member_rec *m, struct application_rec *a, struct ub_err *err);

/* Issues a new personal token for a member (the old one stops working).
 * Audited. */
int member_token_create(struct db *db, const struct actor *a, const char *member_no,
                        char token[CRYPTO_TOKEN_LEN + 1], struct ub_err *err);

/* ---- Transfers and status ---------------------------------------------- */

/* The old union releases a member towards org to_org (write permission on
 * the member's org): the member is `transferring` until the new union
 * accepts.  Audited. */
int transfer_request(struct db *db, const struct actor *a, const char *member_no,
                     const char *to_org, const char *note, struct transfer_rec *out,
                     struct ub_err *err);
/* The new union accepts (write permission on to_org): the member moves and
 * is active again.  Audited. */
int transfer_accept(struct db *db, const struct actor *a, int64_t id, struct transfer_rec *out,
                    struct ub_err *err);
/* Either side withdraws a pending transfer: the member stays.  Audited. */
int transfer_cancel(struct db *db, const struct actor *a, int64_t id, struct ub_err *err);
/* Pending transfers arriving in org's subtree (the actor's top when NULL),
 * oldest first: what the receiving unions have to accept. */
int transfer_incoming(struct db *db, const struct actor *a, const char *org, int limit,
                      transfer_cb cb, void *ud, struct ub_err *err);
/* A member's transfers, oldest first. */
int member_transfers(struct db *db, const struct actor *a, const char *member_no,
                     transfer_cb cb, void *ud, struct ub_err *err);
/* Changes a member's status: active -> retained (retired, unemployed,
 * employer closed) or withdrawn; retained -> active or withdrawn.  A reason
 * is required.  Audited. */
int member_set_status(struct db *db, const struct actor *a, const char *member_no,
                      const char *status, const char *reason, struct member_rec *out,
                      struct ub_err *err);

/* Masks a phone number as 138****1234 into out (>= 12 bytes). */
void phone_mask(const char *phone, char *out);

#endif
