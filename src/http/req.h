/*
 * req.h: one HTTP request and the response being built for it.
 *
 * A struct req is made when libmicrohttpd first calls us for a request and
 * freed in its completion callback; everything a handler allocates for the
 * request comes from r->arena and goes with it.  Handlers build the whole
 * response in r->out (with r->status and r->ctype) and return; the server
 * sends it once.  On failure a handler calls one of the reply_*() helpers,
 * which drop what was built and render the error instead (JSON for API
 * routes, an HTML page for console routes).
 *
 * Redis-style helpers end in _or_reply: they return NULL/-1 after replying
 * with the error, so handlers read as straight lines.
 */
#ifndef UB_REQ_H
#define UB_REQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/actor.h"
#include "domain/err.h"
#include "http/multipart.h"
#include "lib/arena.h"
#include "lib/buf.h"

struct MHD_Connection;
struct http_server;
struct http_route;
struct req;

#define REQ_MAX_PARAMS 4
#define REQ_MAX_HEADERS 12
#define REQ_MAX_FORM 32
#define REQ_MAX_FILES 2

struct req_kv {
    const char *name, *value;
};

struct req {
    struct MHD_Connection *conn;
    struct http_server *srv;
    const struct http_route *route;     /* NULL: no route matched */
    int route_index;                    /* for metrics */
    bool method_mismatch;               /* the path exists, not the method */
    char allow[48];                     /* the methods it does accept */
    struct arena arena;
    uint64_t start_ns;

    const char *method;                 /* "GET" */
    const char *path;                   /* decoded, no query */
    char addr[64];                      /* client address */
    struct req_kv params[REQ_MAX_PARAMS];   /* ":name" segments */
    int nparams;
    struct buf body;                    /* raw request body */
    bool body_too_big;
    struct req_kv form[REQ_MAX_FORM];   /* parsed urlencoded or multipart form */
    int nform;
    struct multipart_part files[REQ_MAX_FILES];     /* a multipart form's files */
    int nfiles;

    bool authed;
    struct actor actor;
    struct db *db;                      /* acquired on first req_db() */

    int status;                         /* response */
    const char *ctype;
    struct buf out;
    struct req_kv headers[REQ_MAX_HEADERS];
    int nheaders;
    bool observed;                      /* counted in the metrics */
    bool retryable;                     /* failed on a lost race: run again */

    /* A parked request (http_park): started once the connection is
     * parked, answered by `then` once http_resume is called. */
    void (*park_start)(struct req *r);
    void (*park_then)(struct req *r);
    void *ud;                           /* the handler's, across a park */
};

/* ---- Input ------------------------------------------------------------- */

/* The value of path parameter `name` (":code"), or NULL. */
const char *req_param(struct req *r, const char *name);
/* A query-string argument, or NULL. */
const char *req_query(struct req *r, const char *name);
/* A request header, or NULL. */
const char *req_header(struct req *r, const char *name);
/* A cookie, or NULL. */
const char *req_cookie(struct req *r, const char *name);
/* A field of an application/x-www-form-urlencoded or multipart/form-data
 * body, or NULL. */
const char *req_form(struct req *r, const char *name);
/* The file sent in field `name` of a multipart/form-data body (its data
 * is in r->body), or NULL. */
const struct multipart_part *req_file(struct req *r, const char *name);

/* Parses the body as a JSON object whose keys must all be in `allowed`
 * (NULL-terminated).  Returns a new reference the caller decrefs, or NULL
 * after replying 400 (bad_json, unknown_field). */
json_t *req_json_or_reply(struct req *r, const char *const *allowed);

/* Reads an optional string member: returns 0 and sets *out (NULL when
 * absent or null), or replies 400 bad_type and returns -1. */
int json_str_or_reply(struct req *r, json_t *obj, const char *key, const char **out);
/* Reads an optional integer member (*out = dflt when absent). */
int json_int_or_reply(struct req *r, json_t *obj, const char *key, int64_t dflt,
                      int64_t *out);

/* Parses an optional integer query argument within [lo, hi] (dflt when
 * absent); replies 400 and returns -1 otherwise. */
int query_int_or_reply(struct req *r, const char *name, int64_t dflt, int64_t lo,
                       int64_t hi, int64_t *out);

/* Reads the paging of a newest-first list: ?before=ID (0: from the newest)
 * and ?limit=N (1..1000, default 100); replies 400 and returns -1 when bad. */
int page_or_reply(struct req *r, int64_t *before, int64_t *limit);

/* The request's database connection (acquired once, released when the
 * request completes).  NULL after replying 503 if none can be had. */
struct db *req_db_or_reply(struct req *r);

/* ---- Output ------------------------------------------------------------ */

/* Adds a response header; name and value must outlive the request (use
 * the arena). */
void req_add_header(struct req *r, const char *name, const char *value);

/* Replies with a JSON value (the reference is stolen). */
void reply_json(struct req *r, int status, json_t *v);
/* The same written with the jw_ writer (lib/jsonx.h) into the buffer
 * returned, one value, then ended: for answers on hot paths. */
struct buf *reply_json_start(struct req *r, int status);
void reply_json_end(struct req *r);
/* Replies with the error {"error":{"code","message"[,"field"]}} or, on a
 * console route, with an error page. */
void reply_error(struct req *r, int status, const char *code, const char *fmt, ...)
    UB_PRINTF(4, 5);
/* Replies with a domain error (its kind is the status). */
void reply_err(struct req *r, const struct ub_err *err);
/* 303 See Other to a local path. */
void reply_redirect(struct req *r, const char *location);
/* Sets a cookie (HttpOnly, SameSite=Lax, Path=/; Secure when the server is
 * configured for TLS).  max_age < 0: session cookie; 0: delete. */
void reply_cookie(struct req *r, const char *name, const char *value, int max_age);

#endif
