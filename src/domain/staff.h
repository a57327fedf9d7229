/*
 * staff.h: staff accounts, signing in, sessions and script tokens.
 *
 * Passwords are hashed with Argon2id.  A signed-in session and a script
 * token are both random bearer strings of which only a digest is stored;
 * sessions expire, script tokens live until revoked.  Failed sign-ins are
 * counted per account and per client address in fixed windows held in the
 * database, so every serve process sees the same counts.
 */
#ifndef UB_STAFF_H
#define UB_STAFF_H

#include "domain/actor.h"
#include "lib/crypto.h"

#define STAFF_PASSWORD_MIN 10
#define STAFF_SESSION_TTL (12 * 3600)
#define STAFF_RATE_WINDOW 900           /* seconds */
#define STAFF_RATE_ACCOUNT 5            /* failures per account per window */
#define STAFF_RATE_ADDR 20              /* failures per address per window */

/* Creates a staff account.  org may be NULL only for an admin (the whole
 * tree).  The actor must be allowed to manage org; only an admin creates
 * admins.  Audited. */
int staff_add(struct db *db, const struct actor *a, const char *login,
              const char *password, const char *role, const char *org,
              struct user_rec *out, struct ub_err *err);

/* Sets a new password for login (CLI) and ends all its sessions and
 * tokens.  Audited. */
int staff_set_password(struct db *db, const struct actor *a, const char *login,
                       const char *password, struct ub_err *err);

struct staff_session {
    char token[CRYPTO_TOKEN_LEN + 1];   /* give to the client; never stored */
    char csrf[48];
    int64_t expires_at;
    struct user_rec user;
};

/* Checks a login and password from address addr and opens a session.
 * Fails with 401 bad_credentials or 429 too_many_attempts (retry_after
 * set).  Audited either way. */
int staff_login(struct db *db, const char *login, const char *password,
                const char *addr, struct staff_session *out, struct ub_err *err);

/* Issues a script token for login (no expiry).  Audited. */
int staff_token_create(struct db *db, const struct actor *a, const char *login,
                       struct staff_session *out, struct ub_err *err);

/* Resolves a bearer token into an actor.  Returns 0, or -1 (unknown,
 * expired, or the account is disabled): err is then 401. */
int staff_authenticate(struct db *db, const char *token, const char *addr,
                       struct actor *out, struct ub_err *err);

/* Ends the actor's session.  Audited. */
int staff_logout(struct db *db, const struct actor *a, struct ub_err *err);

/* Validates a login name: 1-64 chars of a-z 0-9 . _ - @. */
bool staff_login_valid(const char *login);

#endif
