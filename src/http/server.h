/*
 * server.h: the HTTP server: libmicrohttpd with an epoll thread pool, a
 * route table handed in by the caller, per-request state, limits, security
 * headers, authentication and CSRF checks, metrics.
 *
 * The server knows no route of ours: routes.c builds the table and `serve`
 * passes it in.
 */
#ifndef UB_SERVER_H
#define UB_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/req.h"

struct store;

typedef void (*http_handler)(struct req *r);

enum {
    ROUTE_AUTH = 1 << 0,        /* a signed-in staff member (401 otherwise) */
    ROUTE_PAGE = 1 << 1,        /* console page: HTML errors, login redirect */
    ROUTE_LOGIN_FORM = 1 << 2,  /* pre-session form: double-submit CSRF cookie */
    /* A file upload: the body may reach http_config.upload_limit.  Only
     * with ROUTE_AUTH: the caller is authenticated before the body is
     * read, so that nobody else can make the server hold that much.  The
     * handler runs on a thread of its own while the connection waits
     * (suspended), so that a long import holds up no other request. */
    ROUTE_UPLOAD = 1 << 3,
};

struct http_route {
    const char *method;
    const char *pattern;        /* "/api/v1/orgs/:code" */
    http_handler handler;
    unsigned flags;
    const char *help;           /* one line for docs and --help */
};

struct http_config {
    const char *listen;         /* "127.0.0.1:8080" */
    int threads;
    size_t body_limit;          /* bytes; larger bodies get 413 */
    size_t upload_limit;        /* the same for ROUTE_UPLOAD routes */
    unsigned timeout;           /* idle connection timeout, seconds */
    bool trust_proxy;           /* take the client address from X-Real-IP */
    bool secure_cookies;        /* behind TLS: mark cookies Secure */
    const struct http_route *routes;
    size_t nroutes;
    struct store *store;
    const void *app;            /* opaque, for handlers: http_app(r) */
    /* Renders an error page for console routes into r->out. */
    void (*error_page)(struct req *r, int status, const char *message);
};

struct http_server;

/* Starts serving; returns NULL with a message in err on failure. */
struct http_server *http_start(const struct http_config *cfg, char *err, size_t errlen);
/* Stops accepting, finishes requests in flight, frees everything. */
void http_stop(struct http_server *s);

/*
 * Parking: a handler whose answer waits for work done elsewhere (a batch
 * of writes) calls http_park and returns without an answer.  The server
 * parks the connection (libmicrohttpd's suspend: no thread waits for it),
 * then calls start(r), which hands the work on.  Whoever finishes the work
 * calls http_resume(r), from any thread, exactly once; a server thread
 * then calls then(r), which builds the answer as a handler would.  Keep
 * state in r->ud (allocated from r->arena).
 */
void http_park(struct req *r, void (*start)(struct req *r), void (*then)(struct req *r));
void http_resume(struct req *r);

/* The app pointer from the config. */
const void *http_app(const struct req *r);
const struct http_config *http_config_of(const struct req *r);

/* Writes the Prometheus text exposition of the server's metrics to out. */
void http_metrics_render(struct http_server *s, struct buf *out);

/* Splits a pattern or path into segments (exposed for tests): returns the
 * count, or -1 if there are more than max. */
int http_split_path(const char *path, char *copy, size_t copylen, const char **segs,
                    int max);

/* Finds the route for method and path; fills params.  Returns the index,
 * or -1 (and *method_mismatch when only the method differs). */
int http_match(const struct http_route *routes, size_t n, const char *method,
               const char *path, struct req_kv *params, int *nparams,
               struct arena *arena, bool *method_mismatch);

#endif
