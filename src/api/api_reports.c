/*
 * api_reports.c: /api/v1/reports: the summary report (JSON, XLSX or CSV)
 * and its monthly trend.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "domain/report.h"

void api_reports_summary(struct req *r)
{
    const char *format = req_query(r, "format");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "xlsx") != 0
        && strcmp(format, "csv") != 0) {
        reply_error(r, 400, "bad_query", "format 应为 json、xlsx 或 csv");
        return;
    }
    struct ub_err err;
    json_t *s = report_summary(r->db, &r->actor, req_query(r, "org"), req_query(r, "from"),
                               req_query(r, "to"), &err);
    if (!s) {
        reply_err(r, &err);
        return;
    }
    if (!format || strcmp(format, "json") == 0) {
        reply_json(r, 200, s);
        return;
    }
    const char *file = arena_printf(&r->arena, "attachment; filename=\"report-%s-%s-%s.%s\"",
                                    json_string_value(json_object_get(s, "org")),
                                    json_string_value(json_object_get(s, "from")),
                                    json_string_value(json_object_get(s, "to")), format);
    if (strcmp(format, "csv") == 0) {
        report_csv(s, &r->out);
        json_decref(s);
        r->status = 200;
        r->ctype = "text/csv; charset=utf-8";
        req_add_header(r, "Content-Disposition", file);
        return;
    }
    char path[] = "/tmp/unionbridge-report-XXXXXX";
    int fd = mkstemp(path);
    int rc = fd < 0 ? -1 : 0;
    if (fd >= 0)
        close(fd);
    if (rc == 0)
        rc = report_xlsx(s, path);
    json_decref(s);
    if (rc == 0)
        rc = buf_read_file(&r->out, path);
    if (fd >= 0)
        unlink(path);
    if (rc) {
        reply_error(r, 500, "export_failed", "无法生成文件");
        return;
    }
    r->status = 200;
    r->ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    req_add_header(r, "Content-Disposition", file);
}

void api_reports_months(struct req *r)
{
    struct ub_err err;
    json_t *m = report_months(r->db, &r->actor, req_query(r, "org"), req_query(r, "from"),
                              req_query(r, "to"), &err);
    if (!m)
        reply_err(r, &err);
    else
        reply_json(r, 200, json_pack("{s:o}", "months", m));
}
