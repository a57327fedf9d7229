/*
 * store_event.h: the store's queries for outreach: campaigns, events, the
 * employers an event met, tallies and the taps that fed them, the tally
 * page's labels, and the joins made through an event's QR code.
 *
 * Same conventions as store.h: records by value, DB_ codes returned.
 */
#ifndef UB_STORE_EVENT_H
#define UB_STORE_EVENT_H

#include "store/store.h"

#define CAMPAIGN_NAME_MAX 400   /* bytes: 100 characters */
#define EVENT_VENUE_MAX 400
#define EVENT_PARTNERS_MAX 2000 /* the JSON array's text */
#define EVENT_NOTES_MAX 2000    /* 500 characters */
#define TALLY_LABEL_MAX 120     /* bytes: 30 characters */
#define EVENT_EMPLOYERS_MAX 50  /* employers one enterprise meeting met */

struct campaign_rec {
    int64_t id;
    char name[CAMPAIGN_NAME_MAX + 1];
    char level[12];                     /* city | district | town */
    char theme[CAMPAIGN_NAME_MAX + 1];
    char date_from[11], date_to[11];    /* YYYY-MM-DD, inclusive */
    int64_t org_id;                     /* 0: the whole tree */
    char org_code[ORG_CODE_MAX + 1];
    char org_name[ORG_NAME_MAX + 1];
    char org_path[ORG_PATH_MAX + 1];    /* "/" when org_id is 0 */
    int64_t events;                     /* number of its events (all) */
    int64_t created_by, created_at, updated_at;
};

struct event_rec {
    int64_t id;
    int64_t campaign_id;                /* 0: none */
    char campaign_name[CAMPAIGN_NAME_MAX + 1];
    char type[20];                      /* worker_meeting | enterprise_meeting */
    int64_t org_id;
    char org_code[ORG_CODE_MAX + 1];
    char org_name[ORG_NAME_MAX + 1];
    char org_path[ORG_PATH_MAX + 1];
    char venue[EVENT_VENUE_MAX + 1];
    char address[EVENT_VENUE_MAX + 1];
    int64_t starts_at, ends_at;         /* ends_at 0: not given */
    char starts_on[11];                 /* YYYY-MM-DD in the server's zone */
    char partners[EVENT_PARTNERS_MAX + 1];  /* JSON array of names */
    char status[12];                    /* planned | held | cancelled */
    char notes[EVENT_NOTES_MAX + 1];
    char token[JOIN_TOKEN_LEN + 1];     /* its join token */
    int64_t district_id;
    int64_t created_by, created_at, updated_at;
};

typedef int (*campaign_cb)(void *ud, const struct campaign_rec *c);
typedef int (*event_cb)(void *ud, const struct event_rec *e);

/* One counter of an event: kind material | question | cards | people. */
struct tally_rec {
    int64_t event_id;
    char kind[12];
    char label[TALLY_LABEL_MAX + 1];    /* "" for cards and people */
    int64_t n;
};
typedef int (*tally_cb)(void *ud, const struct tally_rec *t);

/* Joins through one event's QR code: all applications, and approved. */
struct event_joins {
    int64_t event_id, submitted, approved;
};
typedef int (*event_joins_cb)(void *ud, const struct event_joins *j);

/* ---- Campaigns ---------------------------------------------------------- */

/* Inserts c (name, level, theme, dates, org_id, created_by); fills id. */
int store_campaign_insert(struct db *db, struct campaign_rec *c);
int store_campaign_by_id(struct db *db, int64_t id, struct campaign_rec *out);
/* Campaigns someone at `path` takes part in: run by an org in that subtree
 * or above it (or by no org), newest first, ids below before (0: from the
 * newest), at most limit. */
int store_campaign_list(struct db *db, const char *path, int64_t before, int limit,
                        campaign_cb cb, void *ud);

/* ---- Events --------------------------------------------------------------- */

/* Inserts e (all but id, token, district_id, timestamps); fills id. */
int store_event_insert(struct db *db, struct event_rec *e);
int store_event_by_id(struct db *db, int64_t id, struct event_rec *out);
/* Writes venue, address, starts_at/on, ends_at, partners, status, notes. */
int store_event_update(struct db *db, const struct event_rec *e);
/* Sets the status of a planned event to held (first tally): no-op else. */
int store_event_mark_held(struct db *db, int64_t id, int64_t now);

/* Events of orgs in the subtree of path (district: its key, 0 above any),
 * whose date is within [from, to] (NULL: open), of campaign (0: any), by
 * date then id, after (date, id) = (after_on, after_id) when after_on is
 * not NULL, at most limit. */
struct event_filter {
    const char *path;
    int64_t district;
    const char *from, *to;
    int64_t campaign_id;
    const char *after_on;
    int64_t after_id;
    int limit;
};
int store_event_list(struct db *db, const struct event_filter *f, event_cb cb, void *ud);

int store_event_employer_add(struct db *db, int64_t event_id, int64_t employer_id);
int store_event_employers(struct db *db, int64_t event_id, employer_cb cb, void *ud);
/* Whether an event met an employer. */
int store_event_has_employer(struct db *db, int64_t event_id, int64_t employer_id,
                             bool *linked);

/* ---- Tallies -------------------------------------------------------------- */

/* Records a tap: DB_OK if new, DB_CONFLICT if this tap was seen before. */
int store_tap_insert(struct db *db, int64_t event_id, const char *tap_id, int64_t now);
/* Adds delta to a counter and returns its new value in *n; a negative
 * delta that would take it below zero changes nothing: DB_NOTFOUND. */
int store_tally_add(struct db *db, int64_t event_id, const char *kind, const char *label,
                    int64_t delta, int64_t *n);
/* The counters of one event, or of every event of a campaign. */
int store_event_tallies(struct db *db, int64_t event_id, tally_cb cb, void *ud);
int store_campaign_tallies(struct db *db, int64_t campaign_id, tally_cb cb, void *ud);

/* Joins through one event's QR, or through each event of a campaign. */
int store_event_joins(struct db *db, int64_t event_id, struct event_joins *out);
int store_campaign_joins(struct db *db, int64_t campaign_id, event_joins_cb cb, void *ud);

/* The tally page's labels of `kind` (material | question) for an org at
 * path: those of the nearest org on the path that set any; none found is
 * not an error (cb is not called). */
typedef int (*label_cb)(void *ud, const char *label);
int store_tally_labels(struct db *db, const char *path, const char *kind, label_cb cb,
                       void *ud);
/* Replaces org's labels of kind with labels[0..n). */
int store_tally_labels_set(struct db *db, int64_t org_id, const char *kind,
                           const char *const *labels, size_t n);

#endif
