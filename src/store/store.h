/*
 * store.h: the database as the rest of the program sees it.
 *
 * The store owns all SQL.  It hands out connections from a pool (one per
 * thread at a time), applies the embedded migrations, and offers one
 * function per query the domain needs (store_org_*, store_employer_*, …),
 * each written once in portable SQL over db.h.
 *
 * Records are plain structs with fixed-size text fields, filled by value:
 * nothing a store function returns needs freeing.  Functions return DB_OK
 * (0), DB_NOTFOUND, DB_CONFLICT or another negative DB_ code (db.h).
 */
#ifndef UB_STORE_H
#define UB_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "store/db.h"

/* ---- The database and its connections ---------------------------------- */

struct store;

/*
 * Opens the database named by url: "sqlite:PATH" (or a bare path) for the
 * embedded backend, "postgresql://USER@HOST:PORT/DB" for PostgreSQL.  An
 * SQLite file is created only when `create`.  Returns NULL with a message
 * in err on failure.
 */
struct store *store_open(const char *url, bool create, char *err, size_t errlen);

/* Writes url with any password replaced by *** (for logs). */
void store_url_redacted(const char *url, char *out, size_t n);
void store_close(struct store *s);

/* Caps the pool at max connections (the server's thread count); acquire
 * then waits for a free one.  0 lifts the cap. */
void store_set_pool_max(struct store *s, size_t max);

/* Takes a connection from the pool (opening one if none is free and the
 * cap allows, else waiting); returns NULL if the database cannot be opened
 * (the error is logged). */
struct db *store_acquire(struct store *s);
void store_release(struct store *s, struct db *db);

/* Applies the migrations that have not run yet, each in its own
 * transaction.  Returns 0 or -1 (logged). */
int store_migrate(struct store *s);

/* The current schema version, or -1. */
int store_schema_version(struct db *db);
/* The version this binary's migrations reach. */
int store_schema_latest(void);

/* Number of orgs in the whole tree. */
int store_org_count(struct db *db, int64_t *n);

/* Switches the embedded database to group commit (serve does): commits
 * return once durable, one WAL sync covering many of them.  PostgreSQL
 * groups commits itself: a no-op there. */
int store_group_commit(struct store *s);

/* Trades durability for speed on this connection, for a bulk load that
 * can be run again (the demo): SQLite stops syncing each commit. */
int store_bulk_mode(struct db *db);

/* ---- Batched writes (writer.c) ----------------------------------------- */

/*
 * A write that can be grouped with others.  Any thread queues it with
 * store_submit(); a writer thread (one for SQLite, two for PostgreSQL, each
 * with a connection of its own) runs every job queued since its last batch
 * in one transaction, each inside a savepoint of its own, commits once (one
 * durable commit for the batch) and only then calls each job's done.  An
 * answer given from done is therefore given after the write is durable,
 * and no request thread waits for the disk meanwhile.
 */
struct store_job {
    /* Runs on a writer thread with its connection, inside the batch.  The
     * connection is nested (db.h): db_begin and db_commit make and release
     * a savepoint.  Returns DB_OK to keep what it wrote, or a negative DB_
     * code to undo it (the rest of the batch goes on). */
    int (*run)(struct store_job *j, struct db *db);
    /* Called once, on a thread of the writer's (no lock held), when the
     * batch is durable (rc DB_OK, or the negative code run returned), or
     * when it failed to commit (rc < 0: nothing it wrote was kept).  j may
     * be freed or submitted again from here. */
    void (*done)(struct store_job *j, int rc);
    /* Optional, instead of run: runs the batch's jobs that share this
     * function as one set (a few statements for all of them rather than a
     * few each), inside one savepoint, and sets each job's rc (DB_OK: keep
     * what it wrote).  A job refused must have written nothing.  A
     * negative return undoes the whole set and fails each job with it. */
    int (*run_set)(struct store_job **jobs, size_t n, struct db *db);
    struct store_job *next;         /* private: the writer's queue */
    int rc;                         /* what run returned (run_set sets it) */
};

/* Starts the batch writer and its connections (serve does, after
 * store_group_commit).  Returns 0 or -1 (logged).  Without a writer,
 * store_submit runs each job at once as a batch of one. */
int store_writer_start(struct store *s);
/* Queues j (see struct store_job); j stays the caller's and must live
 * until its done is called. */
void store_submit(struct store *s, struct store_job *j);

/* Refreshes the query planner's statistics (serve does it at start). */
int store_optimize(struct store *s);

/* Makes a consistent online copy of the database at dest. */
int store_backup(struct store *s, const char *dest, char *err, size_t errlen);

/* Total DB_ERROR results seen on all connections (for /metrics). */
unsigned long store_error_count(struct store *s);

const char *store_backend(struct store *s);

/* A number that moves on whenever this process commits a change that a
 * page cached by the server shows (an org's name); other processes'
 * changes are not counted (caches also expire). */
uint64_t store_generation(struct store *s);

/* ---- Organisations ----------------------------------------------------- */

#define ORG_CODE_MAX 32
#define ORG_NAME_MAX 400         /* bytes: 100 characters of up to 4 bytes */
#define ORG_PATH_MAX 400        /* "/1/5/23/": ids from the root down */
#define ORG_MAX_DEPTH 16        /* levels; city > district > town > union use 4 */

struct org_rec {
    int64_t id, parent_id;          /* parent_id 0: a root */
    char code[ORG_CODE_MAX + 1];
    char name[ORG_NAME_MAX + 1];
    char level[12];
    char path[ORG_PATH_MAX + 1];
    int depth;                      /* 0 for a root */
    int64_t district_id;            /* the district above (or itself), 0 */
    char parent_code[ORG_CODE_MAX + 1];
    int64_t children;               /* direct children (a kept counter) */
    int64_t descendants;            /* everything below (a kept counter) */
    bool auto_approve;              /* applications approved on arrival */
    int64_t created_at, updated_at;
};

typedef int (*org_cb)(void *ud, const struct org_rec *o);

int store_org_by_code(struct db *db, const char *code, struct org_rec *out);
int store_org_by_id(struct db *db, int64_t id, struct org_rec *out);
/* The org a join token belongs to and its event (0: the org's own
 * token), in one query. */
int store_org_by_join_token(struct db *db, const char *token, struct org_rec *out,
                            int64_t *event_id);
/* Inserts o (code, name, level, parent_id set); fills id, path, depth. */
int store_org_insert(struct db *db, struct org_rec *o);
int store_org_rename(struct db *db, int64_t id, const char *name, int64_t now);
int store_org_set_auto_approve(struct db *db, int64_t id, bool on, int64_t now);
/* Calls cb for the direct children of parent_id (0: the roots) whose code
 * sorts after `after` (NULL: from the first), by code, at most limit.  A
 * non-zero return from cb stops the walk and is returned. */
int store_org_children(struct db *db, int64_t parent_id, const char *after, int limit,
                       org_cb cb, void *ud);
/* Calls cb for each org on the path from the root down to o (inclusive),
 * in one query. */
int store_org_ancestors(struct db *db, const struct org_rec *o, org_cb cb, void *ud);
/* The number of orgs in the subtree rooted at path (inclusive), from the
 * kept counter; "/" is the whole tree, an unknown path has none. */
int store_org_subtree_count(struct db *db, const char *path, int64_t *n);
/* Calls cb for orgs in the subtree of path whose name or code contains q. */
int store_org_search(struct db *db, const char *path, const char *q, int limit,
                     org_cb cb, void *ud);

/* ---- Employers --------------------------------------------------------- */

#define EMPLOYER_NAME_MAX 400    /* bytes: 100 characters */

struct employer_rec {
    int64_t id;
    char name[EMPLOYER_NAME_MAX + 1];
    char uscc[19];                  /* "" when unknown */
    char uscc_override[321];        /* staff reason (80 characters) */
    int64_t headcount;
    int64_t org_id;                 /* the covering org */
    char org_code[ORG_CODE_MAX + 1];
    char org_path[ORG_PATH_MAX + 1];
    char union_status[16];          /* none | founding | unionised */
    int64_t union_org_id;           /* its own union, 0 if none */
    char union_org_code[ORG_CODE_MAX + 1];
    char address[481];              /* 120 characters */
    char legal_rep[81];             /* 20 characters */
    int64_t created_at, updated_at;
};

typedef int (*employer_cb)(void *ud, const struct employer_rec *e);

int store_employer_insert(struct db *db, struct employer_rec *e);
int store_employer_by_id(struct db *db, int64_t id, struct employer_rec *out);
int store_employer_by_uscc(struct db *db, const char *uscc, struct employer_rec *out);
/* Sets an employer's union status (none | founding | unionised) and its
 * own union (0: none). */
int store_employer_set_union(struct db *db, int64_t id, const char *status,
                             int64_t union_org_id);
/* Updates name, uscc, uscc_override, headcount, address, legal_rep. */
int store_employer_update(struct db *db, const struct employer_rec *e);
/* Employers covered by the subtree of path, by id, ids > after, at most
 * limit; q filters by name (substring) when not NULL.  district is the
 * subtree's district (0 when the subtree is above any district): it is
 * added to the query so a distributed database reads one shard. */
int store_employer_list(struct db *db, const char *path, int64_t district, const char *q,
                        int64_t after, int limit, employer_cb cb, void *ud);

/* ---- Staff accounts, sessions, rate limits ------------------------------ */

struct user_rec {
    int64_t id;
    char login[65];
    char name[129];
    char pw_hash[128];
    char role[12];
    int64_t org_id;                 /* 0: the whole tree (first admin) */
    char org_code[ORG_CODE_MAX + 1];
    char org_path[ORG_PATH_MAX + 1];
    int64_t district_id;            /* of the org (0: above any district) */
    bool disabled;
    int64_t created_at;
};

struct session_rec {
    char digest[65];                /* hex digest of the bearer token */
    int64_t user_id;
    char kind[12];                  /* session | api */
    char csrf[48];
    int64_t created_at, expires_at; /* expires_at 0: no expiry */
};

int store_user_insert(struct db *db, struct user_rec *u);
int store_user_by_login(struct db *db, const char *login, struct user_rec *out);
int store_user_by_id(struct db *db, int64_t id, struct user_rec *out);
int store_user_set_password(struct db *db, int64_t id, const char *pw_hash);

int store_session_insert(struct db *db, const struct session_rec *s);
/* Finds a live session by digest (not expired at now) and its user. */
int store_session_find(struct db *db, const char *digest, int64_t now,
                       struct session_rec *s, struct user_rec *u);
int store_session_delete(struct db *db, const char *digest);
/* Ends every session and token of a user. */
int store_session_delete_user(struct db *db, int64_t user_id);
int store_session_purge(struct db *db, int64_t now);

/* Failure counters. A window opens at a key's first hit and lasts `len`
 * seconds; a hit after that opens a new one. Anchoring the window on the
 * first hit (not on the clock) means no boundary where the count drops to
 * zero mid-attack. store_rate_hit adds one and returns the new count and
 * the window's start (store_rate_add adds n at once); store_rate_get reads
 * them (0 and `now` if there is no open window). */
int store_rate_hit(struct db *db, const char *key, int64_t now, int64_t len,
                   int64_t *count, int64_t *started);
int store_rate_add(struct db *db, const char *key, int64_t n, int64_t now, int64_t len,
                   int64_t *count, int64_t *started);
int store_rate_get(struct db *db, const char *key, int64_t now, int64_t len,
                   int64_t *count, int64_t *started);
int store_rate_clear(struct db *db, const char *key);

/* ---- Join tokens, applications, members -------------------------------- */

/* Sets when a member joined (and when its application came in and was
 * decided) to joined_at: for loading history (the demo's half-year). */
int store_member_backdate(struct db *db, int64_t member_id, int64_t joined_at);

#define JOIN_TOKEN_LEN 12
#define SEALED_MAX 96                   /* a sealed ID or phone number */
#define PERSON_DIGEST_BYTES 16          /* a keyed digest (VAULT_DIGEST_BYTES) */

struct join_token_rec {
    char token[JOIN_TOKEN_LEN + 1];
    int64_t org_id, event_id;
};

/* The personal fields applications and members share.  Sensitive values
 * are only ever here sealed, digested and masked. */
struct person_rec {
    char name[121];                     /* 30 characters */
    unsigned char id_hash[PERSON_DIGEST_BYTES];
    unsigned char id_enc[SEALED_MAX];
    size_t id_enc_len;
    char id_mask[19];
    unsigned char phone_hash[PERSON_DIGEST_BYTES];
    unsigned char phone_enc[SEALED_MAX];
    size_t phone_enc_len;
    char phone_mask[12];
    char gender[2];                     /* "M" or "F" */
    char birth_date[11];                /* YYYY-MM-DD */
    char employer_name[EMPLOYER_NAME_MAX + 1];
    char employer_uscc[19];
    int64_t employer_id;                /* 0: not a known employer */
    char category[24];
    bool migrant;
};

struct application_rec {
    int64_t id, org_id, source_org_id, source_event_id;
    int64_t district_id;            /* org_id's (store_applications_insert) */
    char org_code[ORG_CODE_MAX + 1];
    char org_name[ORG_NAME_MAX + 1];
    char org_path[ORG_PATH_MAX + 1];
    char status[12];
    char channel[8];
    struct person_rec p;
    char consent_version[16];
    char access_digest[65];
    char reason[321];
    int64_t member_id;
    char member_no[24];
    int64_t created_at, decided_at;
};

struct member_rec {
    int64_t id, org_id, source_org_id, source_event_id, application_id;
    char member_no[24];
    char org_code[ORG_CODE_MAX + 1];
    char org_name[ORG_NAME_MAX + 1];
    char org_path[ORG_PATH_MAX + 1];
    char status[16];
    char channel[8];
    struct person_rec p;
    char access_digest[65];
    int64_t joined_at;
    char joined_on[11];
    int64_t created_at, updated_at;
};

typedef int (*application_cb)(void *ud, const struct application_rec *a);
typedef int (*member_cb)(void *ud, const struct member_rec *m);

int store_join_token_insert(struct db *db, const struct join_token_rec *t);
/* The org's own join token (not an event's). */
int store_join_token_of_org(struct db *db, int64_t org_id, struct join_token_rec *out);

/* The union of an employer with that USCC (or, when uscc is empty, that
 * exact name) inside the subtree of path: fills *union_org_id (0 when the
 * employer has no union) and *employer_id. */
int store_employer_union(struct db *db, const char *path, const char *uscc,
                         const char *name, int64_t *employer_id, int64_t *union_org_id);

/* Inserts the applications apps[0..n-1], filling each one's id and
 * created_at; inserted[i] false where the person has a pending one. */
int store_applications_insert(struct db *db, struct application_rec **apps, size_t n,
                              bool *inserted);
int store_application_by_id(struct db *db, int64_t id, struct application_rec *out);
/* live[i]: whether the person with ID digest id_hashes[i] is a live member
 * (active, or transferring). */
int store_members_live(struct db *db, const unsigned char *const *id_hashes, size_t n,
                       bool *live);
/* Sets status, reason, decider and member for a pending application;
 * DB_NOTFOUND if it is no longer pending. */
int store_application_decide(struct db *db, int64_t id, const char *status,
                             const char *reason, int64_t by, int64_t member_id);
/* Applications in the subtree of path with a status ("" = any), newest
 * first, ids below before (0: from the newest), at most limit. */
int store_application_list(struct db *db, const char *path, int64_t district,
                            const char *status, int64_t before, int limit,
                            application_cb cb, void *ud);

/* Inserts a member and gives it the next member number. */
int store_member_insert(struct db *db, struct member_rec *m);
int store_member_by_no(struct db *db, const char *member_no, struct member_rec *out);
int store_member_by_access(struct db *db, const char *access_digest, struct member_rec *out);
/* Members in the subtree of path matching q: a member number, a phone
 * digest (phone_hash, when not NULL), or a name containing q; ids below
 * before. */
/* Members who joined within [from, to] (dates) an org in the subtree of
 * path (the org they joined, as reports count it), of channel (NULL: any),
 * newest first, ids below before (0: from the newest), at most limit; the
 * number of them all in *total. */
struct joined_filter {
    const char *path;
    int64_t district;
    const char *from, *to, *channel;
    int64_t before;
    int limit;
};
int store_member_joined(struct db *db, const struct joined_filter *f, member_cb cb, void *ud,
                        int64_t *total);
int store_member_search(struct db *db, const char *path, int64_t district, const char *q,
                        const unsigned char *phone_hash, int64_t before, int limit,
                        member_cb cb, void *ud);

/* The application a worker's personal token belongs to (newest). */
int store_application_by_access(struct db *db, const char *access_digest,
                                struct application_rec *out);
/* Replaces a member's personal token digest. */
int store_member_set_access(struct db *db, int64_t member_id, const char *access_digest);
/* Sets a member's status (and org, when org_id is not 0). */
int store_member_set_status(struct db *db, int64_t member_id, const char *status,
                            int64_t org_id);

struct transfer_rec {
    int64_t id, member_id, from_org_id, to_org_id;
    char member_no[24];
    char member_name[121];
    char from_code[ORG_CODE_MAX + 1], from_name[ORG_NAME_MAX + 1];
    char to_code[ORG_CODE_MAX + 1], to_name[ORG_NAME_MAX + 1];
    char to_path[ORG_PATH_MAX + 1];
    char status[12];
    char note[321];
    int64_t requested_at, decided_at;
};

typedef int (*transfer_cb)(void *ud, const struct transfer_rec *t);

int store_transfer_insert(struct db *db, struct transfer_rec *t, int64_t by);
int store_transfer_by_id(struct db *db, int64_t id, struct transfer_rec *out);
/* Closes a pending transfer; DB_NOTFOUND if it is no longer pending. */
int store_transfer_decide(struct db *db, int64_t id, const char *status, int64_t by);
/* A member's transfers, oldest first. */
int store_transfer_list(struct db *db, int64_t member_id, transfer_cb cb, void *ud);
/* Pending transfers arriving in the subtree of path, oldest first, at most
 * limit. */
int store_transfer_incoming(struct db *db, const char *path, int limit, transfer_cb cb,
                            void *ud);

/* A kept answer for key, if any (body is sealed; caller opens it). */
int store_idempotency_get(struct db *db, const char *key, int *status,
                          unsigned char *body, size_t cap, size_t *len);
/* Keeps an answer; DB_CONFLICT if the key is taken (a concurrent retry). */
int store_idempotency_put(struct db *db, const char *key, int status,
                          const unsigned char *body, size_t len);

/* ---- Rosters (store_roster.c) ------------------------------------------- */

/* Inserts n imported members in the caller's transaction: tmpl gives what
 * they share (org_id, status, channel, source_org_id, joined_at; joined_on
 * is derived), people[k] each one's person (district_id is the org's).  A
 * person who already has a live membership is skipped.  Sets inserted[k]
 * for each person written and *added to their number.  Member numbers are
 * made as store_member_insert makes them. */
int store_roster_add(struct db *db, const struct member_rec *tmpl, int64_t district_id,
                     const struct person_rec *const *people, size_t n, bool *inserted,
                     int64_t *added);
/* Around a bulk import on connection db: with on, gives the connection a
 * larger page cache (SQLite; nothing elsewhere) and keeps the old size in
 * *saved; with !on, restores it. */
int store_roster_bulk(struct db *db, bool on, int64_t *saved);
/* Members in the subtree of path with ids above after, by id, at most
 * limit.  Fills id, member_no, org_id, org_code, org_name, status,
 * channel, joined_at, joined_on and of p: name, id_mask, id_enc,
 * phone_mask, phone_enc, gender, birth_date, employer_name, category,
 * migrant (the rest is zero). */
int store_roster_members(struct db *db, const char *path, int64_t district, int64_t after,
                         int limit, member_cb cb, void *ud);

/* ---- Audit log (append-only) ------------------------------------------- */

struct audit_rec {
    int64_t id, at;
    int64_t user_id;                /* 0: the CLI or the system */
    char login[65];
    char addr[64];
    char action[48];                /* "org.create" */
    char object_type[24];
    char object_id[64];
    int64_t org_id;                 /* the org whose subtree it concerns */
    /* Its district, when the caller has read the org (0: the store looks
     * it up). */
    int64_t district_id;
    const char *detail;             /* JSON text; borrowed */
};

typedef int (*audit_cb)(void *ud, const struct audit_rec *a);

int store_audit_insert(struct db *db, const struct audit_rec *a);
/* Appends n entries, in order. */
int store_audit_insert_many(struct db *db, const struct audit_rec *a, size_t n);
/* Entries concerning the subtree of path ("" = all), newest first, ids
 * below before (0: from the newest), at most limit. */
int store_audit_list(struct db *db, const char *path, int64_t district, int64_t before,
                     int limit, audit_cb cb, void *ud);

#endif
