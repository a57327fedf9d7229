/*
 * req.c: reading a request and building its response.
 */
#include "http/req.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/server.h"
#include "lib/jsonx.h"
#include "store/store.h"

/* ---- Input ------------------------------------------------------------- */

const char *req_param(struct req *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (strcmp(r->params[i].name, name) == 0)
            return r->params[i].value;
    return NULL;
}

const char *req_query(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *req_form(struct req *r, const char *name)
{
    for (int i = 0; i < r->nform; i++)
        if (strcmp(r->form[i].name, name) == 0)
            return r->form[i].value;
    return NULL;
}

const struct multipart_part *req_file(struct req *r, const char *name)
{
    for (int i = 0; i < r->nfiles; i++)
        if (strcmp(r->files[i].name, name) == 0)
            return &r->files[i];
    return NULL;
}

json_t *req_json_or_reply(struct req *r, const char *const *allowed)
{
    /* Requiring the type also keeps plain HTML forms on other sites from
     * posting to the API (they cannot send application/json). */
    const char *ct = req_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0
        || (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
        reply_error(r, 415, "unsupported_media_type", "请求体应为 application/json");
        return NULL;
    }
    json_error_t je;
    json_t *v = json_loadb(r->body.data ? r->body.data : "", r->body.len,
                           JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        reply_error(r, 400, "bad_json", "请求体不是有效的 JSON：%s", je.text);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        reply_error(r, 400, "bad_json", "请求体应为 JSON 对象");
        return NULL;
    }
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val) {
        bool ok = false;
        for (const char *const *a = allowed; a && *a; a++)
            if (strcmp(*a, key) == 0)
                ok = true;
        if (!ok) {
            reply_error(r, 400, "unknown_field", "未知字段：%.40s", key);
            json_decref(v);
            return NULL;
        }
    }
    return v;
}

int json_str_or_reply(struct req *r, json_t *obj, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        reply_error(r, 400, "bad_type", "字段 %s 应为字符串", key);
        return -1;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        reply_error(r, 400, "bad_type", "字段 %s 含有空字符", key);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

int json_int_or_reply(struct req *r, json_t *obj, const char *key, int64_t dflt,
                      int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    *out = dflt;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v)) {
        reply_error(r, 400, "bad_type", "字段 %s 应为整数", key);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

int query_int_or_reply(struct req *r, const char *name, int64_t dflt, int64_t lo,
                       int64_t hi, int64_t *out)
{
    const char *s = req_query(r, name);
    *out = dflt;
    if (!s)
        return 0;
    if (!ub_parse_i64(s, out) || *out < lo || *out > hi) {
        reply_error(r, 400, "bad_query", "参数 %s 应为%lld到%lld之间的整数", name,
                    (long long)lo, (long long)hi);
        return -1;
    }
    return 0;
}

int page_or_reply(struct req *r, int64_t *before, int64_t *limit)
{
    return query_int_or_reply(r, "before", 0, 0, INT64_MAX, before)
           || query_int_or_reply(r, "limit", 100, 1, 1000, limit) ? -1 : 0;
}

struct db *req_db_or_reply(struct req *r)
{
    if (!r->db) {
        r->db = store_acquire(http_config_of(r)->store);
        if (!r->db)
            reply_error(r, 503, "storage_unavailable", "数据库暂时不可用");
    }
    return r->db;
}

/* ---- Output ------------------------------------------------------------ */

void req_add_header(struct req *r, const char *name, const char *value)
{
    if (r->nheaders < REQ_MAX_HEADERS) {
        r->headers[r->nheaders].name = name;
        r->headers[r->nheaders].value = value;
        r->nheaders++;
    }
}

struct buf *reply_json_start(struct req *r, int status)
{
    buf_reset(&r->out);
    r->status = status;
    r->ctype = "application/json; charset=utf-8";
    return &r->out;
}

void reply_json_end(struct req *r)
{
    buf_putc(&r->out, '\n');
}

void reply_json(struct req *r, int status, json_t *v)
{
    reply_json_start(r, status);
    char *s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    if (s) {
        buf_puts(&r->out, s);
        free(s);
    }
    reply_json_end(r);
}

/* {"error": {"code", "message", "field"}}, written straight out: most of
 * a storm's answers are refusals. */
static void error_json(struct req *r, int status, const char *code, const char *msg,
                       const char *field)
{
    struct buf *b = reply_json_start(r, status);
    jw_open(b, NULL, '{');
    jw_open(b, "error", '{');
    jw_str(b, "code", code);
    jw_str(b, "message", msg);
    if (field && *field)
        jw_str(b, "field", field);
    jw_close(b, '}');
    jw_close(b, '}');
    reply_json_end(r);
}

static void error_any(struct req *r, int status, const char *code, const char *msg,
                      const char *field)
{
    const struct http_config *cfg = http_config_of(r);
    if (r->route && (r->route->flags & ROUTE_PAGE) && cfg->error_page) {
        buf_reset(&r->out);
        r->status = status;
        r->ctype = "text/html; charset=utf-8";
        cfg->error_page(r, status, msg);
        return;
    }
    error_json(r, status, code, msg, field);
}

void reply_error(struct req *r, int status, const char *code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_any(r, status, code, msg, NULL);
}

void reply_err(struct req *r, const struct ub_err *err)
{
    if (ub_err_busy(err))
        r->retryable = true;
    if (err->kind == UB_ERATE && err->retry_after > 0)
        req_add_header(r, "Retry-After", arena_printf(&r->arena, "%d", err->retry_after));
    error_any(r, err->kind, err->code, err->msg, err->field);
}

void reply_redirect(struct req *r, const char *location)
{
    buf_reset(&r->out);
    r->status = 303;
    r->ctype = "text/plain; charset=utf-8";
    req_add_header(r, "Location", arena_strdup(&r->arena, location));
}

void reply_cookie(struct req *r, const char *name, const char *value, int max_age)
{
    const struct http_config *cfg = http_config_of(r);
    char age[48] = "";
    if (max_age >= 0)
        snprintf(age, sizeof age, "; Max-Age=%d", max_age);
    req_add_header(r, "Set-Cookie",
                   arena_printf(&r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
                                name, value, age, cfg->secure_cookies ? "; Secure" : ""));
}
