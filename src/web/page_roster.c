/*
 * page_roster.c: the console's roster upload (会员名册导入): a form to
 * pick an org of one's subtree and a CSV file, and the outcome of the
 * import: rows taken, people already members, refused rows with their
 * row number and reason, and the refused rows as a CSV report to
 * download.
 *
 * The work is roster_import()'s (domain/roster.h), run inside the request
 * in small batches: each batch is one short transaction, so joins and
 * other writers go on between them.  The report travels in the page
 * itself (a data: link), so nothing is kept on the server afterwards.
 */
#include <string.h>

#include "domain/org.h"
#include "domain/roster.h"
#include "http/html.h"
#include "http/server.h"
#include "site.h"
#include "web/page.h"

/* Rows per transaction: the write lock is held some 10 ms at a time. */
#define UPLOAD_BATCH 1000
/* Refused rows shown in the page; the report has them all. */
#define SHOWN_REFUSALS 500
/* Orgs offered in the form (the chosen one's children). */
#define OFFERED_ORGS 200

struct offer {
    struct buf *b;
    const char *selected;
};

static int org_option(void *ud, const struct org_rec *o)
{
    struct offer *f = ud;
    html_printf(f->b, "<option value=\"%s\"%s>%s（%s）</option>", o->code,
                strcmp(o->code, f->selected) == 0 ? " selected" : "", o->name, o->code);
    return 0;
}

/* The upload form, aimed at org (its children offered too), with an
 * alert above it when alert is not NULL.  Returns 0, or -1 after replying
 * (an org the actor may not see). */
static int upload_form(struct req *r, const char *org, const char *alert)
{
    struct ub_err err;
    struct org_rec o;
    bool have = org && *org;
    if (have && org_get(r->db, &r->actor, org, &o, &err)) {
        reply_err(r, &err);
        return -1;
    }
    struct buf opts;
    buf_init(&opts);
    struct offer f = {&opts, have ? o.code : ""};
    if (have)
        org_option(&f, &o);
    if (org_children(r->db, &r->actor, have ? o.code : NULL, NULL, OFFERED_ORGS, org_option,
                     &f, &err)) {
        buf_free(&opts);
        reply_err(r, &err);
        return -1;
    }
    struct buf *b = &r->out;
    html_raw_trusted(b, "<section class=\"card\"><h1>导入会员名册</h1>");
    if (alert)
        html_printf(b, "<p class=\"alert\" role=\"alert\">%s</p>", alert);
    html_raw_trusted(b,
        "<form method=\"post\" action=\"/console/import\" enctype=\"multipart/form-data\" "
        "class=\"stack\">");
    html_printf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", r->actor.csrf);
    html_raw_trusted(b, "<label>导入到<select name=\"org\" required>");
    buf_append(b, opts.data ? opts.data : "", opts.len);   /* escaped above */
    html_raw_trusted(b,
        "</select></label>"
        "<p class=\"muted\">下级工会不在列表中时，请先在“组织”中打开该工会，再点“导入会员名册”。</p>"
        "<label>名册文件（CSV）"
        "<input name=\"file\" type=\"file\" accept=\".csv,text/csv\" required></label>"
        "<p class=\"muted\">按《工会会员登记表》的列：姓名、性别、身份证号、身份证有效期、学历、"
        "就业状态、技能等级、现居住地、是否外地来京务工、手机号、互助服务卡卡号、会籍状态"
        "（姓名、身份证号、手机号必填；可加“职工类别”列）。在Excel中“另存为”CSV即可，"
        "UTF-8或GBK编码均可。每个文件不超过16MB（约12万行）。已是会员的人不会重复导入，"
        "同一文件可以放心再导一次。</p>"
        "<button type=\"submit\">导入</button></form></section>");
    buf_free(&opts);
    return 0;
}

void page_import(struct req *r)
{
    const char *org = req_query(r, "org");
    page_begin(r, "导入会员名册");
    if (upload_form(r, org && *org ? org : r->actor.org_code, NULL))
        return;
    page_end(r);
}

/* The refused rows as a link that downloads them as CSV. */
static void report_link(struct req *r, const struct roster_report *rep)
{
    struct buf csv;
    buf_init(&csv);
    roster_report_csv(rep, &csv);
    struct buf *b = &r->out;
    html_raw_trusted(b, "<p><a class=\"button\" download=\"未导入的行.csv\" "
                        "href=\"data:text/csv;charset=utf-8;base64,");
    buf_base64(b, csv.data, csv.len);       /* the base64 alphabet needs no escaping */
    html_raw_trusted(b, "\">下载未导入行的报告（CSV）</a></p>");
    buf_free(&csv);
}

/* The outcome of an import that ran (whatever became of its rows). */
static void outcome(struct req *r, const struct org_rec *o, const struct roster_report *rep)
{
    struct buf *b = &r->out;
    html_printf(b,
        "<section class=\"card\"><h1>导入结果</h1>"
        "<p class=\"notice\" role=\"status\">%s（%s）：新增会员%lld人%s。</p>"
        "<dl class=\"facts\"><dt>文件</dt><dd>%s（%s编码）</dd>"
        "<dt>数据行</dt><dd id=\"rows\">%lld</dd>"
        "<dt>新导入会员</dt><dd id=\"imported\">%lld</dd>"
        "<dt>已是会员（未重复导入）</dt><dd id=\"already\">%lld</dd>"
        "<dt>未导入</dt><dd id=\"refused\">%lld</dd></dl>",
        o->name, o->code, (long long)rep->imported,
        rep->refused ? "，部分行未导入，见下" : "", rep->file_name,
        strcmp(rep->encoding, "gbk") == 0 ? "GBK" : "UTF-8", (long long)rep->rows,
        (long long)rep->imported, (long long)rep->already, (long long)rep->refused);
    if (rep->nrefusals) {
        html_raw_trusted(b, "<h2>未导入的行</h2>");
        report_link(r, rep);
        html_raw_trusted(b, "<div class=\"scroll\"><table id=\"refusals\"><thead><tr>"
                            "<th class=\"num\">行号</th><th>姓名</th><th>原因</th>"
                            "</tr></thead><tbody>");
        size_t shown = rep->nrefusals < SHOWN_REFUSALS ? rep->nrefusals : SHOWN_REFUSALS;
        for (size_t i = 0; i < shown; i++) {
            const struct roster_refusal *f = &rep->refusals[i];
            html_printf(b, "<tr><td class=\"num\">%lld</td><td>%s</td>"
                           "<td data-reason=\"%s\">%s</td></tr>",
                        (long long)f->row, f->name, f->reason, f->message);
        }
        html_raw_trusted(b, "</tbody></table></div>");
        if (shown < rep->nrefusals)
            html_printf(b, "<p class=\"muted\">只列出了前%zu行，全部%zu行见下载的报告。</p>",
                        shown, rep->nrefusals);
        html_raw_trusted(b, "<p class=\"muted\">行号从表头下的第一行数起（Excel中的第2行为第1行）。"
                            "改正这些行后，可以把整个文件再导入一次：已导入的人不会重复。</p>");
    }
    html_raw_trusted(b, "<p><a href=\"/console/import?org=");
    html_url_escape(b, o->code);
    html_raw_trusted(b, "\">继续导入</a> · <a href=\"/console/members?org=");
    html_url_escape(b, o->code);
    html_raw_trusted(b, "\">查看会员</a></p></section>");
}

void page_import_post(struct req *r)
{
    const char *org = req_form(r, "org");
    const struct multipart_part *file = req_file(r, "file");
    struct org_rec o;
    struct ub_err err;
    if (!org || !*org) {
        reply_error(r, 400, "missing_field", "请选择要导入到的组织");
        return;
    }
    if (org_get(r->db, &r->actor, org, &o, &err)) {
        reply_err(r, &err);
        return;
    }
    if (!file || !file->len) {
        page_begin(r, "导入会员名册");
        r->status = 400;
        if (!upload_form(r, o.code, "请选择要导入的名册文件（CSV）。"))
            page_end(r);
        return;
    }
    /* Only the name: some browsers send the whole path. */
    const char *name = file->filename;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            name = p + 1;
    struct roster_report rep;
    roster_report_init(&rep, *name ? name : "名册.csv");
    rep.batch = UPLOAD_BATCH;
    rep.keep_cache = true;
    int rc = roster_import(r->db, site_of(r)->vault, &r->actor, o.code, file->data, file->len,
                           &rep, &err);
    if (rc && err.kind == UB_EBAD) {
        /* The file as a whole: say what is wrong above the form. */
        page_begin(r, "导入会员名册");
        r->status = 400;
        if (!upload_form(r, o.code, err.msg))
            page_end(r);
    } else if (rc && rep.batches == 0) {
        reply_err(r, &err);
    } else {
        page_begin(r, "导入结果");
        if (rc) {
            /* Stopped part-way: the batches written stay, and say so. */
            r->status = err.kind;
            html_printf(&r->out, "<p class=\"alert\" role=\"alert\">导入中断：%s。"
                                 "已写入的部分保留，可稍后把整个文件再导入一次。</p>", err.msg);
        }
        outcome(r, &o, &rep);
        page_end(r);
    }
    roster_report_free(&rep);
}
