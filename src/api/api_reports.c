/*
 * api_reports.c: /api/v1/reports: the summary report (JSON, XLSX or CSV)
 * and its monthly trend.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/report.h"

static int fill_report(struct req *r, const char *path, void *ud)
{
    (void)r;
    return report_xlsx(ud, path);
}

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
    const char *file = arena_printf(&r->arena, "report-%s-%s-%s.%s",
                                    json_string_value(json_object_get(s, "org")),
                                    json_string_value(json_object_get(s, "from")),
                                    json_string_value(json_object_get(s, "to")), format);
    if (strcmp(format, "csv") == 0) {
        report_csv(s, &r->out);
        json_decref(s);
        r->status = 200;
        r->ctype = "text/csv; charset=utf-8";
        req_add_header(r, "Content-Disposition",
                       arena_printf(&r->arena, "attachment; filename=\"%s\"", file));
        return;
    }
    api_reply_workbook(r, file, fill_report, s);
    json_decref(s);
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
