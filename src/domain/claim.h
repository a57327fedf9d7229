/*
 * claim.h: secondary medical reimbursement (在职职工医疗互助保障 / 二次报销).
 *
 * Plan rules are data, one per plan year and kind (outpatient, inpatient):
 * an annual deductible, the share paid (basis points) and an annual cap,
 * each per member.  A claim states what the member paid themselves
 * (selfpay, integer fen); its payout is computed at submission from the
 * rules and the member's earlier live claims of the same year and kind:
 * the deductible is used up once, the cap holds across claims, payouts
 * round down to the fen.  A rejected claim gives its share back.
 *
 * Flow: submitted -> verified -> approved | rejected -> paid.  Staff who
 * may write on the member's org submit, verify, or reject a submitted
 * claim; a federation (or admin) approves, rejects a verified claim and
 * pays, and may not approve a claim they verified themselves.  Every step
 * is audited.
 *
 * Amounts are medical data tied to a person: sealed at rest, shown masked
 * ("1***.**"), in clear only to roles that may manage and then audited.
 */
#ifndef UB_CLAIM_H
#define UB_CLAIM_H

#include "domain/actor.h"
#include "lib/crypto.h"
#include "store/store_services.h"

#define CLAIM_SELFPAY_MAX 10000000000LL     /* 100 million yuan, in fen */
#define CLAIM_CAP_MAX 100000000000LL

/* The payout of a claim of selfpay fen, given the plan and what the
 * member's earlier live claims of that year and kind add up to. */
int64_t claim_payout(const struct plan_rec *p, int64_t prior_selfpay, int64_t prior_payout,
                     int64_t selfpay);

/* Masks an amount of fen as 1***.** into out (>= 24 bytes). */
void claim_amount_mask(int64_t fen, char *out, size_t n);

/* Adds a plan (admin over the whole tree).  409 plan_exists; 422 per
 * field.  Audited. */
int plan_create(struct db *db, const struct actor *a, struct plan_rec *p, struct ub_err *err);
int plan_list(struct db *db, int year, plan_cb cb, void *ud, struct ub_err *err);

struct claim_input {
    const char *member_no;
    int64_t year;
    const char *kind;
    int64_t selfpay_fen;
    const char *date;               /* YYYY-MM-DD of the costs; NULL: today */
};

/* A claim with its amounts opened (when the caller may see them). */
struct claim_view {
    struct claim_rec c;
    int64_t selfpay_fen, payout_fen;
};

/* Submits a claim: 422 invalid_* per field, no_plan, not_eligible (no
 * active membership on the claim date), no_card (no live card).  Fills
 * out with the amounts. */
int claim_submit(struct db *db, const struct vault *v, const struct actor *a,
                 const struct claim_input *in, struct claim_view *out, struct ub_err *err);

/* Reads a claim the actor may see; amounts opened into out. */
int claim_get(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
              struct claim_view *out, struct ub_err *err);

/* The steps: 404 claim_not_found, 403, 409 invalid_transition or
 * same_person (approve).  note: the reason (reject, required) or the
 * payment reference (pay, optional). */
int claim_verify(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
                 struct claim_view *out, struct ub_err *err);
int claim_approve(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
                  struct claim_view *out, struct ub_err *err);
int claim_reject(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
                 const char *reason, struct claim_view *out, struct ub_err *err);
int claim_pay(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
              const char *pay_ref, struct claim_view *out, struct ub_err *err);

/* Claims in org's subtree; amounts opened.  reveal: the amounts are
 * wanted in clear (the payment batch, the export): needs manage
 * permission and is audited as one claim.reveal entry. */
typedef int (*claim_view_cb)(void *ud, const struct claim_view *c);
int claim_list(struct db *db, const struct vault *v, const struct actor *a, const char *org,
               const char *status, int64_t year, int64_t before, int limit, bool reveal,
               claim_view_cb cb, void *ud, struct ub_err *err);

/* Shows one claim's amounts in clear (manage permission).  Audited. */
int claim_reveal(struct db *db, const struct vault *v, const struct actor *a, int64_t id,
                 struct claim_view *out, struct ub_err *err);

#endif
