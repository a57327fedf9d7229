/*
 * actor.h: who is acting, and what they may touch.
 *
 * Every staff account is bound to one org and acts only inside its subtree;
 * the subtree is the org's materialised path, so "inside" is a prefix test.
 * The CLI acts as an admin over the whole tree.
 */
#ifndef UB_ACTOR_H
#define UB_ACTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "store/store.h"

enum role { ROLE_ADMIN, ROLE_FEDERATION, ROLE_UNION, ROLE_VIEWER, ROLE_NONE };

/* What an action needs. */
enum perm {
    PERM_READ,          /* see it: every role, inside its subtree */
    PERM_WRITE,         /* change records: all but viewer */
    PERM_MANAGE,        /* create orgs, employers, accounts: admin, federation */
};

struct actor {
    int64_t user_id;                    /* 0: the CLI */
    char login[65];
    enum role role;
    int64_t org_id;                     /* 0: the whole tree */
    char org_code[ORG_CODE_MAX + 1];
    char org_path[ORG_PATH_MAX + 1];    /* "": the whole tree */
    int64_t district_id;                /* the org's district, 0 above one */
    char addr[64];                      /* client address, "cli" */
    char session[64 + 1]; /* digest of the credential */
    char csrf[48];
    bool via_cookie;                    /* authenticated by the console cookie */
};

/* Parses a role name; ROLE_NONE if unknown. */
enum role role_parse(const char *s);
const char *role_name(enum role r);
/* The role's name in Chinese, for the console. */
const char *role_label(enum role r);

/* Fills a for the command line: admin over the whole tree. */
void actor_cli(struct actor *a);

/* Fills a for someone who is not staff, as the audit log names them:
 * login "KIND:WHO" ("worker:<masked ID>" joining, "member:<number>"),
 * no role, from addr (NULL: unknown). */
void actor_public(struct actor *a, const char *kind, const char *who, const char *addr);

/* Returns true if the org at `path` lies in a's subtree. */
bool actor_covers(const struct actor *a, const char *path);

/* Returns 0 if a may do `p` on the org at `path`, else fills err (403) and
 * returns -1. */
int actor_may(const struct actor *a, enum perm p, const char *path, struct ub_err *err);

#endif
