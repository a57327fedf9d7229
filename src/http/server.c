/*
 * server.c: libmicrohttpd glue: the request life cycle, route matching,
 * limits, security headers and metrics.
 *
 * libmicrohttpd calls the access handler several times per request: first
 * with no state (we make the struct req and match the route), then once per
 * chunk of body, then once with no more body (we run the handler and queue
 * the response).  Queueing on the very first call would turn keep-alive off,
 * so we never do, except to refuse an oversized body before reading it.
 *
 * A handler may park its request instead of answering (http_park): the
 * connection is suspended until http_resume, and the next call answers.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/auth.h"
#include "http/metrics.h"
#include "lib/log.h"
#include "store/store.h"

#define MAX_SEGS 12
/* How long a stopping server waits for answers still being sent. */
#define STOP_DRAIN_S 5
/* Each connection's memory pool in libmicrohttpd (headers, URL, read and
 * write buffers; bodies are copied out as they arrive).  The library
 * zeroes the pool between requests: 32 KiB (its default) cost a few per
 * cent of a small request's time.  24 KiB still holds about 11 KB of
 * request headers (a larger set is answered 431), above the 8 KB a
 * header line may have through nginx's defaults. */
#define CONN_MEMORY (24 * 1024)

struct route_segs {
    int n;
    const char *seg[MAX_SEGS];
    char copy[256];
};

struct http_server {
    struct MHD_Daemon *d;
    struct http_config cfg;
    struct metrics *metrics;
    struct route_segs *segs;        /* one per route, pre-split */

    /* For http_stop (all atomic). */
    bool stopping;                  /* http_stop has begun */
    unsigned long parked;           /* connections parked now */
    unsigned long resuming;         /* http_resume calls under way */
    unsigned long live;             /* requests begun and not yet completed */
};

static const char CSP_PAGE[] =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
static const char CSP_API[] = "default-src 'none'; frame-ancestors 'none'";

const void *http_app(const struct req *r)
{
    return r->srv->cfg.app;
}

const struct http_config *http_config_of(const struct req *r)
{
    return &r->srv->cfg;
}

/* ---- Routing ----------------------------------------------------------- */

int http_split_path(const char *path, char *copy, size_t copylen, const char **segs,
                    int max)
{
    if (!ub_strlcpy(copy, path, copylen))
        return -1;
    int n = 0;
    char *p = copy;
    while (*p) {
        while (*p == '/')
            *p++ = 0;
        if (!*p)
            break;
        if (n == max)
            return -1;
        segs[n++] = p;
        while (*p && *p != '/')
            p++;
    }
    return n;
}

static int match_segs(const struct route_segs *rs, const char **segs, int n,
                      struct req_kv *params, int *nparams)
{
    if (rs->n != n)
        return 0;
    int np = 0;
    for (int i = 0; i < n; i++) {
        if (rs->seg[i][0] == ':') {
            if (np == REQ_MAX_PARAMS)
                return 0;
            params[np].name = rs->seg[i] + 1;
            params[np].value = segs[i];
            np++;
        } else if (strcmp(rs->seg[i], segs[i]) != 0) {
            return 0;
        }
    }
    *nparams = np;
    return 1;
}

/* Fills allow (when not NULL) with the methods the path accepts. */
static int match_in(const struct http_route *routes, const struct route_segs *rsegs,
                    size_t nroutes, const char *method, const char *path,
                    struct req_kv *params, int *nparams, struct arena *arena,
                    bool *method_mismatch, char *allow, size_t allowlen)
{
    size_t len = strlen(path) + 1;
    char *copy = arena_alloc(arena, len);
    const char *segs[MAX_SEGS];
    int n = http_split_path(path, copy, len, segs, MAX_SEGS);
    *method_mismatch = false;
    *nparams = 0;
    if (n < 0)
        return -1;
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    for (size_t i = 0; i < nroutes; i++) {
        struct req_kv p[REQ_MAX_PARAMS];
        int np;
        if (!match_segs(&rsegs[i], segs, n, p, &np))
            continue;
        if (strcmp(routes[i].method, method) != 0) {
            *method_mismatch = true;
            if (allow && strlen(allow) + strlen(routes[i].method) + 3 < allowlen) {
                if (*allow)
                    strcat(allow, ", ");
                strcat(allow, routes[i].method);
            }
            continue;
        }
        memcpy(params, p, sizeof p);
        *nparams = np;
        return (int)i;
    }
    return -1;
}

static void split_routes(const struct http_route *routes, size_t n, struct route_segs *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].n = http_split_path(routes[i].pattern, out[i].copy, sizeof out[i].copy,
                                   out[i].seg, MAX_SEGS);
        if (out[i].n < 0) {
            log_error("route pattern too long: %s", routes[i].pattern);
            abort();
        }
    }
}

int http_match(const struct http_route *routes, size_t n, const char *method,
               const char *path, struct req_kv *params, int *nparams,
               struct arena *arena, bool *method_mismatch)
{
    struct route_segs *rs = arena_alloc(arena, n * sizeof *rs);
    split_routes(routes, n, rs);
    return match_in(routes, rs, n, method, path, params, nparams, arena, method_mismatch,
                    NULL, 0);
}

/* ---- Request life cycle ------------------------------------------------ */

static void client_addr(struct req *r)
{
    if (r->srv->cfg.trust_proxy) {
        const char *x = req_header(r, "X-Real-IP");
        if (x && *x && strlen(x) < sizeof r->addr) {
            ub_strlcpy(r->addr, x, sizeof r->addr);
            return;
        }
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    ub_strlcpy(r->addr, "?", sizeof r->addr);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->addr,
                  sizeof r->addr);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->addr,
                  sizeof r->addr);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes a urlencoded component in place ('+' is a space). */
static void form_unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            *o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
}

/* The body limit of r's route (the server's unless the route has its own). */
static size_t body_limit_of(const struct req *r)
{
    return r->route && (r->route->flags & ROUTE_UPLOAD) ? r->srv->cfg.upload_limit
                                                        : r->srv->cfg.body_limit;
}

/* Fills r->form and r->files from a multipart/form-data body; a body that
 * does not parse leaves both empty. */
static void parse_multipart(struct req *r, const char *ct)
{
    struct multipart_part parts[REQ_MAX_FORM + REQ_MAX_FILES];
    int n = multipart_parse(ct, r->body.data, r->body.len, parts, (int)UB_ARRAY_LEN(parts),
                            &r->arena);
    for (int i = 0; i < n; i++) {
        if (parts[i].filename && r->nfiles < REQ_MAX_FILES) {
            r->files[r->nfiles++] = parts[i];
        } else if (!parts[i].filename && r->nform < REQ_MAX_FORM) {
            r->form[r->nform].name = parts[i].name;
            r->form[r->nform].value = arena_strndup(&r->arena, parts[i].data, parts[i].len);
            r->nform++;
        }
    }
}

static void parse_form(struct req *r)
{
    const char *ct = req_header(r, "Content-Type");
    if (ct && r->body.len && strncasecmp(ct, "multipart/form-data", 19) == 0) {
        parse_multipart(r, ct);
        return;
    }
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0
        || !r->body.len)
        return;
    char *s = arena_strndup(&r->arena, r->body.data, r->body.len);
    char *save = NULL;
    for (char *kv = strtok_r(s, "&", &save); kv && r->nform < REQ_MAX_FORM;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        char *v = eq ? (*eq = 0, eq + 1) : kv + strlen(kv);
        form_unescape(kv);
        form_unescape(v);
        r->form[r->nform].name = kv;
        r->form[r->nform].value = v;
        r->nform++;
    }
}

/* Authenticates a staff request; returns 0, or -1 after replying (a
 * console page sends the browser to the sign-in form). */
static int staff_or_reply(struct req *r)
{
    if (auth_staff_or_reply(r) == 0)
        return 0;
    if ((r->route->flags & ROUTE_PAGE) && r->status == 401)
        reply_redirect(r, "/login");
    return -1;
}

static void dispatch(struct req *r)
{
    if (r->body_too_big) {
        if (r->route && (r->route->flags & ROUTE_UPLOAD))
            reply_error(r, 413, "body_too_large", "文件超过 %zu MB 的上限",
                        body_limit_of(r) >> 20);
        else
            reply_error(r, 413, "body_too_large", "请求体超过 %zu 字节的上限",
                        body_limit_of(r));
        return;
    }
    if (!r->route) {
        if (r->method_mismatch)
            reply_error(r, 405, "method_not_allowed", "不支持此请求方法");
        else
            reply_error(r, 404, "not_found", "页面不存在");
        return;
    }
    parse_form(r);
    if (r->route->flags & ROUTE_AUTH) {
        if (staff_or_reply(r))
            return;
        if (auth_csrf_or_reply(r))
            return;
    }
    if ((r->route->flags & ROUTE_LOGIN_FORM) && strcmp(r->method, "POST") == 0
        && auth_login_csrf_or_reply(r))
        return;
    /* A transaction that lost a deadlock or serialization race was rolled
     * back whole; run the handler again, a few times at most. */
    for (int attempt = 0;; attempt++) {
        r->retryable = false;
        r->route->handler(r);
        if (!r->retryable || attempt == 2)
            break;
        buf_reset(&r->out);
        r->status = 0;
        r->nheaders = 0;
    }
    if (!r->status && !r->park_start)
        reply_error(r, 500, "internal_error", "服务器内部错误");
}

/* Hands r's database connection, if it holds one, back to the pool. */
static void release_db(struct req *r)
{
    if (r->db) {
        store_release(r->srv->cfg.store, r->db);
        r->db = NULL;
    }
}

/* ---- Parking ----------------------------------------------------------- */

/*
 * A parked request's connection is suspended while its work runs
 * elsewhere; the work calls http_resume, and MHD then calls on_request
 * once more, which answers through park_then.  Two kinds of work park: a
 * handler's write, given to the store's batch writer (http_park), and an
 * upload, whose handler may work for seconds (a roster of 100,000 rows)
 * and so runs on a thread of its own rather than holding up the other
 * connections of its MHD thread.  A daemon must not stop with connections
 * suspended: http_stop refuses new parking, then waits until every parked
 * request has been resumed.
 */

void http_park(struct req *r, void (*start)(struct req *r), void (*then)(struct req *r))
{
    r->park_start = start;
    r->park_then = then;
}

void http_resume(struct req *r)
{
    /* MHD may answer r, and http_stop see no parked connection, before
     * MHD_resume_connection returns (it wakes the MHD thread last): the
     * daemon must outlive the call. */
    struct http_server *s = r->srv;
    __atomic_add_fetch(&s->resuming, 1, __ATOMIC_SEQ_CST);
    MHD_resume_connection(r->conn);         /* r may be gone from here on */
    __atomic_sub_fetch(&s->resuming, 1, __ATOMIC_SEQ_CST);
}

/* After r was given work to park for (r->park_start): suspends the
 * connection and starts the work, which may resume it at once, from
 * another thread.  Once the server is stopping nothing is started: r is
 * answered 503 and false returned. */
static bool park(struct http_server *s, struct req *r)
{
    release_db(r);
    void (*start)(struct req *) = r->park_start;
    r->park_start = NULL;
    /* Counted before stopping is read, as http_stop sets stopping before
     * it reads the count: it waits for this request, or this one sees it
     * stopping. */
    __atomic_add_fetch(&s->parked, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->stopping, __ATOMIC_SEQ_CST)) {
        __atomic_sub_fetch(&s->parked, 1, __ATOMIC_SEQ_CST);
        r->park_then = NULL;
        reply_error(r, 503, "shutting_down", "服务正在停止，请稍后重试");
        return false;
    }
    MHD_suspend_connection(r->conn);
    start(r);
    return true;
}

/* An upload's work: the handler, then the answer's turn. */
static void upload_run(struct req *r)
{
    dispatch(r);
    release_db(r);
    http_resume(r);                 /* r may be gone from here on */
}

static void *upload_main(void *arg)
{
    upload_run(arg);
    return NULL;
}

static void upload_start(struct req *r)
{
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, upload_main, r);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        log_warn("http: no thread for an upload (%s); running it in place", strerror(rc));
        upload_run(r);
    }
}

/* The upload's handler answered on its thread. */
static void upload_then(struct req *r)
{
    (void)r;
}

static enum MHD_Result send_response(struct req *r)
{
    size_t len;
    char *data = buf_steal(&r->out, &len);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    bool page = r->ctype && strncmp(r->ctype, "text/html", 9) == 0;
    MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "text/plain");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy", page ? CSP_PAGE : CSP_API);
    bool cached = false;
    for (int i = 0; i < r->nheaders; i++) {
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
        if (strcasecmp(r->headers[i].name, "Cache-Control") == 0)
            cached = true;
    }
    if (!cached)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->status == 405 && r->route == NULL)
        MHD_add_response_header(resp, "Allow", r->allow);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    /* Count it now, before the client can see the answer, so /metrics is
     * exact for anyone who has read a response. */
    metrics_observe(r->srv->metrics, r->route_index, r->status, ub_mono_ns() - r->start_ns);
    r->observed = true;
    return ret;
}

static struct req *req_new(struct http_server *s, struct MHD_Connection *c,
                           const char *url, const char *method)
{
    struct req *r = xcalloc(1, sizeof *r);
    __atomic_add_fetch(&s->live, 1, __ATOMIC_SEQ_CST);
    r->conn = c;
    r->srv = s;
    r->start_ns = ub_mono_ns();
    arena_init(&r->arena);
    buf_init(&r->body);
    buf_init(&r->out);
    r->method = arena_strdup(&r->arena, method);
    r->path = arena_strdup(&r->arena, url);
    r->route_index = match_in(s->cfg.routes, s->segs, s->cfg.nroutes, method, url,
                              r->params, &r->nparams, &r->arena, &r->method_mismatch,
                              r->allow, sizeof r->allow);
    r->route = r->route_index >= 0 ? &s->cfg.routes[r->route_index] : NULL;
    client_addr(r);
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **state)
{
    (void)version;
    struct http_server *s = cls;
    struct req *r = *state;
    if (!r) {
        r = req_new(s, c, url, method);
        *state = r;
        if (__atomic_load_n(&s->stopping, __ATOMIC_SEQ_CST)) {
            /* No new work once stopping (parked requests must drain);
             * the connection closes afterwards. */
            reply_error(r, 503, "shutting_down", "服务正在停止，请稍后重试");
            return send_response(r);
        }
        const char *cl = req_header(r, "Content-Length");
        int64_t n;
        if (cl && ub_parse_i64(cl, &n) && (uint64_t)n > body_limit_of(r)) {
            /* Refuse before reading it; the connection closes afterwards. */
            r->body_too_big = true;
            dispatch(r);
            return send_response(r);
        }
        if (r->route && (r->route->flags & ROUTE_UPLOAD)) {
            /* Only a signed-in caller may send a large body (checked
             * again with the body).  The database connection goes back
             * to the pool while the body arrives. */
            assert(r->route->flags & ROUTE_AUTH);
            int rc = staff_or_reply(r);
            release_db(r);
            if (rc)
                return send_response(r);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->body_too_big && !r->status) {
            if (r->body.len + *upload_size > body_limit_of(r)) {
                r->body_too_big = true;
                buf_free(&r->body);
            } else {
                buf_append(&r->body, upload, *upload_size);
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->park_then) {     /* resumed: answer it */
        void (*then)(struct req *) = r->park_then;
        r->park_then = NULL;
        __atomic_sub_fetch(&s->parked, 1, __ATOMIC_SEQ_CST);
        then(r);
        if (!r->status)
            reply_error(r, 500, "internal_error", "服务器内部错误");
        release_db(r);
        return send_response(r);
    }
    if (r->status)          /* already answered (oversized body) */
        return MHD_YES;
    if (r->route && (r->route->flags & ROUTE_UPLOAD))
        http_park(r, upload_start, upload_then);
    else
        dispatch(r);
    if (r->park_start && park(s, r))
        return MHD_YES;
    /* Hand the connection back now, not when the client has read the
     * answer: the pool then never needs more connections than threads. */
    release_db(r);
    return send_response(r);
}

static void on_complete(void *cls, struct MHD_Connection *c, void **state,
                        enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    struct http_server *s = cls;
    struct req *r = *state;
    if (!r)
        return;
    if (r->park_then)           /* resumed, but the client had left */
        __atomic_sub_fetch(&s->parked, 1, __ATOMIC_SEQ_CST);
    if (!r->observed)           /* the client left before an answer */
        metrics_observe(s->metrics, r->route_index, 499, ub_mono_ns() - r->start_ns);
    release_db(r);
    buf_free(&r->body);
    buf_free(&r->out);
    arena_free(&r->arena);
    free(r);
    *state = NULL;
    __atomic_sub_fetch(&s->live, 1, __ATOMIC_SEQ_CST);
}

/* ---- Start and stop ---------------------------------------------------- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, char *err,
                        size_t errlen)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || !colon[1]) {
        snprintf(err, errlen, "--listen wants HOST:PORT, not %s", listen);
        return -1;
    }
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof host) {
        snprintf(err, errlen, "--listen host too long");
        return -1;
    }
    memcpy(host, listen, hl);
    host[hl] = 0;
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = 0;
    }
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "bad --listen address %s: %s", listen, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    return 0;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = 0;
    log_warn("http: %s", line);
}

struct http_server *http_start(const struct http_config *cfg, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    if (parse_listen(cfg->listen, &ss, err, errlen))
        return NULL;
    struct http_server *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->segs = xcalloc(cfg->nroutes ? cfg->nroutes : 1, sizeof *s->segs);
    split_routes(cfg->routes, cfg->nroutes, s->segs);
    const char **names = xcalloc(cfg->nroutes + 1, sizeof *names);
    char **owned = xcalloc(cfg->nroutes + 1, sizeof *owned);
    for (size_t i = 0; i < cfg->nroutes; i++) {
        struct buf b;
        buf_init(&b);
        buf_printf(&b, "%s %s", cfg->routes[i].method, cfg->routes[i].pattern);
        owned[i] = buf_steal(&b, NULL);
        names[i] = owned[i];
    }
    s->metrics = metrics_new(cfg->nroutes, names);
    for (size_t i = 0; i < cfg->nroutes; i++)
        free(owned[i]);
    free(owned);
    free(names);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG
                     | MHD_ALLOW_SUSPEND_RESUME;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
                            MHD_OPTION_CONNECTION_LIMIT, 10000u,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                            MHD_OPTION_NOTIFY_COMPLETED, on_complete, s,
                            MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errlen, "cannot listen on %s (in use, or not an address here)",
                 cfg->listen);
        metrics_free(s->metrics);
        free(s->segs);
        free(s);
        return NULL;
    }
    return s;
}

/* Waits until the counter at n is zero, or ub_mono_ns() reaches until. */
static void wait_zero(unsigned long *n, uint64_t until)
{
    struct timespec ms = {0, 1000000};
    while (__atomic_load_n(n, __ATOMIC_SEQ_CST) > 0 && ub_mono_ns() < until)
        nanosleep(&ms, NULL);
}

void http_stop(struct http_server *s)
{
    if (!s)
        return;
    /* New requests and new parking are refused; every parked request is
     * resumed first (whatever resumes it, an upload's thread or the
     * store's writer, is still running): no connection may be suspended
     * when the daemon stops.  Then the answers are let go out: a request
     * is complete once its answer was sent or its client left (an idle
     * connection holds none); a client slow to send its body or to read
     * its answer is waited for STOP_DRAIN_S at most. */
    __atomic_store_n(&s->stopping, true, __ATOMIC_SEQ_CST);
    MHD_socket listener = MHD_quiesce_daemon(s->d);
    wait_zero(&s->parked, UINT64_MAX);
    wait_zero(&s->live, ub_mono_ns() + STOP_DRAIN_S * 1000000000ull);
    wait_zero(&s->resuming, UINT64_MAX);
    MHD_stop_daemon(s->d);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);        /* quiesce handed it to us */
    metrics_free(s->metrics);
    free(s->segs);
    free(s);
}

void http_metrics_render(struct http_server *s, struct buf *out)
{
    metrics_render(s->metrics, store_error_count(s->cfg.store), out);
}
