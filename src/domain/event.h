/*
 * event.h: outreach (双沟通): campaigns, worker and enterprise meetings,
 * their on-site tallies and the live campaign board.
 *
 * A campaign (e.g. the city's worker communication meetings of 27 May) is
 * run by a federation, or by no org for the whole tree, and groups events
 * across many orgs.  An event is one meeting held by one org; it has its
 * own join token, so whoever joins through its QR code is attributed to
 * it.  Staff add to an event's tallies tap by tap; a tap carries the
 * client's id for it, so a retried tap is never counted twice.
 *
 * Who may do what: staff who may write in an org create its events and
 * tally them (a town's staff their own events; a union's its own); the
 * federations above see them all.  Campaigns are created by federations;
 * everyone whose subtree meets a campaign sees it, and on its board only
 * the events inside their own subtree.
 */
#ifndef UB_EVENT_H
#define UB_EVENT_H

#include <jansson.h>

#include "domain/actor.h"
#include "store/store_event.h"

#define EVENT_PARTNERS_MAX_N 20         /* partner names per event */
#define EVENT_LIST_MAX 1000             /* one page of events */
#define TALLY_ITEMS_MAX 64              /* counters one tap may touch */
#define TALLY_DELTA_MAX 100000          /* the most one tap may add or take */
#define TALLY_LABELS_MAX 30             /* buttons of one kind on the page */
#define TAP_ID_MAX 64

/* ---- Campaigns ------------------------------------------------------------ */

struct campaign_input {
    const char *name, *level, *theme;
    const char *date_from, *date_to;    /* YYYY-MM-DD */
    const char *org;                    /* NULL: the actor's own org */
};

/* Creates a campaign (manage permission on its org; an admin without an
 * org runs one for the whole tree).  Audited. */
int campaign_create(struct db *db, const struct actor *a, const struct campaign_input *in,
                    struct campaign_rec *out, struct ub_err *err);
/* Reads a campaign the actor takes part in (404 / 403). */
int campaign_get(struct db *db, const struct actor *a, int64_t id, struct campaign_rec *out,
                 struct ub_err *err);
/* Campaigns the actor takes part in, newest first. */
int campaign_list(struct db *db, const struct actor *a, int64_t before, int limit,
                  campaign_cb cb, void *ud, struct ub_err *err);

/*
 * The campaign board (CONTRACT.md): {"campaign", "totals": FIGURES,
 * "events": [{id, org, org_name, venue, type, status, starts_at, …FIGURES}],
 * "by_org": [{org, name, events, …FIGURES}]}, counting only the events in
 * the actor's subtree.  FIGURES is {"joins": {"submitted", "approved"},
 * "materials": {"total", "by_title"}, "cards_issued", "questions":
 * {"total", "by_topic"}, "people"}.  Returns a new reference, or NULL with
 * err.
 */
json_t *campaign_board(struct db *db, const struct actor *a, int64_t id, struct ub_err *err);

/* ---- Events --------------------------------------------------------------- */

struct event_input {
    int64_t campaign_id;                /* 0: none */
    const char *type, *org, *venue, *address, *notes, *status;
    const char *starts_at, *ends_at;    /* ISO 8601 */
    const char *partners[EVENT_PARTNERS_MAX_N];
    int npartners;                      /* -1: not given */
    int64_t employers[EVENT_EMPLOYERS_MAX];
    int nemployers;                     /* -1: not given */
};
/* Marks an event_input's lists as not given. */
void event_input_init(struct event_input *in);

/* Creates an event with its own join token (write permission on its org;
 * inside the campaign's org and dates when it has one).  Audited. */
int event_create(struct db *db, const struct actor *a, const struct event_input *in,
                 struct event_rec *out, struct ub_err *err);
/* Changes the given fields; status goes planned -> held | cancelled only;
 * employers given are linked (added).  Campaign, type and org stay. */
int event_update(struct db *db, const struct actor *a, int64_t id,
                 const struct event_input *in, struct event_rec *out, struct ub_err *err);
/* Reads an event the actor may see (404 / 403). */
int event_get(struct db *db, const struct actor *a, int64_t id, struct event_rec *out,
              struct ub_err *err);
/* Events of org's subtree (the actor's when NULL) within [from, to] (dates,
 * NULL: open), of campaign (0: any), by date, after the cursor
 * "YYYY-MM-DD.ID" (NULL: from the first), at most limit. */
int event_list(struct db *db, const struct actor *a, const char *org, const char *from,
               const char *to, int64_t campaign_id, const char *after, int limit,
               event_cb cb, void *ud, struct ub_err *err);
/* The employers linked to an event. */
int event_employers(struct db *db, int64_t event_id, employer_cb cb, void *ud,
                    struct ub_err *err);

/* The figures of one event (FIGURES above). */
json_t *event_figures(struct db *db, const struct event_rec *e, struct ub_err *err);

/* ---- Tallies -------------------------------------------------------------- */

struct tally_item {
    const char *kind;                   /* material | question | cards | people */
    const char *label;                  /* the title or topic; "" otherwise */
    int64_t delta;                      /* may be negative, to undo a tap */
};
struct tally_input {
    struct tally_item items[TALLY_ITEMS_MAX];
    int n;
};

/* Adds in to event id's counters in one transaction, as the tap tap_id
 * (NULL: unnamed, always counted).  A tap seen before changes nothing and
 * sets *replayed.  A planned event becomes held.  422 when a counter would
 * drop below zero, 409 on a cancelled event.  Audited. */
int event_tally(struct db *db, const struct actor *a, int64_t id, const struct tally_input *in,
                const char *tap_id, bool *replayed, struct ub_err *err);

/* The tally page's buttons for an org at path: kind "material" or
 * "question"; the nearest org's list, else the built-in one. */
int tally_labels(struct db *db, const char *path, const char *kind, label_cb cb, void *ud,
                 struct ub_err *err);
/* Sets an org's lists (manage permission); NULL leaves a kind alone, an
 * empty list returns it to what it inherits.  Audited. */
int tally_labels_set(struct db *db, const struct actor *a, const char *code,
                     const char *const *materials, int nmaterials,
                     const char *const *questions, int nquestions, struct ub_err *err);

/* Labels in Chinese. */
const char *event_type_label(const char *type);
const char *event_status_label(const char *status);

#endif
