/*
 * err.h: how the domain says no.
 *
 * A failing domain call fills a struct ub_err and returns -1.  The kind is
 * one of a few outcomes the callers must tell apart; its numeric value is
 * the HTTP status that conveys it (a convention that makes the HTTP layer's
 * mapping trivial; the domain itself knows nothing of HTTP).  `code` is the
 * stable snake_case error code of CONTRACT.md, `msg` a sentence in Chinese
 * for people, `field` the input field at fault when there is one.
 */
#ifndef UB_ERR_H
#define UB_ERR_H

#include "lib/util.h"

enum ub_errkind {
    UB_EBAD = 400,          /* malformed input */
    UB_EAUTH = 401,         /* not signed in, or wrong credentials */
    UB_EFORBID = 403,       /* signed in, but not allowed */
    UB_ENOTFOUND = 404,
    UB_ECONFLICT = 409,     /* duplicate, or state conflict */
    UB_EGONE = 410,
    UB_EINVALID = 422,      /* well-formed but fails a rule */
    UB_ERATE = 429,         /* too many attempts */
    UB_ESTORE = 503,        /* the database is unavailable or failed */
};

struct ub_err {
    int kind;
    char code[48];
    char field[32];
    char msg[256];
    int retry_after;        /* seconds, for UB_ERATE */
};

/* Fills err and returns -1. */
int ub_fail(struct ub_err *err, int kind, const char *code, const char *fmt, ...)
    UB_PRINTF(4, 5);
/* The same with the field at fault. */
int ub_fail_field(struct ub_err *err, int kind, const char *code, const char *field,
                  const char *fmt, ...) UB_PRINTF(5, 6);
/* Fills err for a failed store call (a DB_ code) and returns -1:
 * DB_NOTFOUND -> not_found, DB_CONFLICT -> conflict, else storage errors. */
int ub_fail_store(struct ub_err *err, int db_rc);
/* True when err is a lost race in the database (a deadlock, a busy lock):
 * the whole request may be run again. */
bool ub_err_busy(const struct ub_err *err);

#endif
