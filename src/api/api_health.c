/*
 * api_health.c: GET /healthz and GET /metrics.
 */
#include "api/api.h"
#include "http/server.h"
#include "store/store.h"

void api_healthz(struct req *r)
{
    struct db *db = req_db_or_reply(r);
    if (!db)
        return;
    int v = store_schema_version(db);
    if (v < 0) {
        reply_error(r, 503, "storage_unavailable", "数据库暂时不可用");
        return;
    }
    reply_json(r, 200, json_pack("{s:s, s:i}", "status", "ok", "schema", v));
}

void api_metrics(struct req *r)
{
    r->status = 200;
    r->ctype = "text/plain; version=0.0.4; charset=utf-8";
    http_metrics_render(r->srv, &r->out);
}
