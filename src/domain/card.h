/*
 * card.h: mutual-aid service cards (互助服务卡).
 *
 * A co-branded bank debit card, where mutual-aid money is paid.  A member
 * has at most one live card; a lost card is reported (status lost) or
 * replaced by a new one at once (reissue: status replaced, the new card
 * names the one it replaces), and stays in the history.  The number is
 * sealed with the vault key, looked up by keyed digest (one card per
 * number, ever) and shown as its last four digits.  Cards count per event
 * and period in the reports.
 */
#ifndef UB_CARD_H
#define UB_CARD_H

#include "domain/actor.h"
#include "lib/crypto.h"
#include "store/store_services.h"

#define CARD_NO_MIN 16
#define CARD_NO_MAX 19

/* Normalises a bank card number (spaces and dashes dropped) into out
 * (CARD_NO_MAX + 1 bytes): 16-19 digits with a valid Luhn check digit.
 * Returns 0, or -1 with err (422 invalid_card_no). */
int card_number_check(const char *in, char out[CARD_NO_MAX + 1], struct ub_err *err);

/* Registers a card for an active member (write permission on the
 * member's org).  event_id 0: not at an event; otherwise the event must
 * exist (422 event_not_found) and be visible to the actor (403).  409
 * card_exists when the member has a live card, card_no_taken when the
 * number is on another card.  Audited. */
int card_register(struct db *db, const struct vault *v, const struct actor *a,
                  const char *member_no, const char *card_no, int64_t event_id,
                  struct card_rec *out, struct ub_err *err);

/* Replaces the member's live card (lost, damaged…) by a new one in one
 * step; the old card's status becomes replaced, with the reason.  404
 * no_live_card when there is none.  Audited. */
int card_reissue(struct db *db, const struct vault *v, const struct actor *a,
                 const char *member_no, const char *card_no, int64_t event_id,
                 const char *reason, struct card_rec *out, struct ub_err *err);

/* Reports the live card lost (no new card yet).  Audited. */
int card_report_lost(struct db *db, const struct actor *a, const char *member_no,
                     const char *reason, struct ub_err *err);

/* The member's live card (*has_live false when none) and, through cb, its
 * cards newest first. */
int card_of_member(struct db *db, const struct actor *a, const char *member_no,
                   struct member_rec *m, struct card_rec *live, bool *has_live, card_cb cb,
                   void *ud, struct ub_err *err);

/* The live card of a member the worker's own token has opened (no staff
 * actor): returns 0 with *has_live, or a negative DB_ code. */
int card_of_token_member(struct db *db, const struct member_rec *m, struct card_rec *live,
                         bool *has_live);

/* Cards issued in org's subtree (the actor's top when NULL) from..to
 * (dates, inclusive): cb per event (event 0: outside any event). */
int card_counts(struct db *db, const struct actor *a, const char *org, const char *from,
                const char *to, card_count_cb cb, void *ud, struct ub_err *err);

/* The masked form of a card: "**** **** **** 1234" into out (24 bytes). */
void card_mask(const struct card_rec *c, char out[24]);

#endif
