/*
 * page_orgs.c: the org tree page: one org, its ancestors as a breadcrumb,
 * its children and the employers it covers.
 */
#include <string.h>

#include "domain/employer.h"
#include "domain/org.h"
#include "http/html.h"
#include "web/page.h"

static void org_link(struct buf *b, const struct org_rec *o)
{
    html_raw_trusted(b, "<a href=\"/console/orgs/");
    html_url_escape(b, o->code);
    html_printf(b, "\">%s</a>", o->name);
}

#define PAGE_CHILDREN 200

struct child_list {
    struct buf b;
    int n;
    char last[ORG_CODE_MAX + 1];
};

static int child_item(void *ud, const struct org_rec *o);

static int child_row(void *ud, const struct org_rec *o)
{
    struct buf *b = ud;
    html_raw_trusted(b, "<li>");
    org_link(b, o);
    html_printf(b, " <span class=\"tag\">%s</span> <span class=\"muted\">%s",
                org_level_label(o->level), o->code);
    if (o->children)
        html_printf(b, " · 下级 %lld 个", (long long)o->children);
    html_raw_trusted(b, "</span></li>");
    return 0;
}

static int child_item(void *ud, const struct org_rec *o)
{
    struct child_list *l = ud;
    l->n++;
    ub_strlcpy(l->last, o->code, sizeof l->last);
    return child_row(&l->b, o);
}

static int crumb(void *ud, const struct org_rec *o)
{
    struct buf *b = ud;
    html_raw_trusted(b, "<li>");
    org_link(b, o);
    html_raw_trusted(b, "</li>");
    return 0;
}

static int employer_row(void *ud, const struct employer_rec *e)
{
    struct buf *b = ud;
    html_printf(b,
        "<tr><td><a href=\"/console/employers/%lld\">%s</a></td><td class=\"mono\">%s</td>"
        "<td class=\"num\">%lld</td><td><span class=\"tag %s\">%s</span></td></tr>",
        (long long)e->id, e->name, *e->uscc ? e->uscc : "—", (long long)e->headcount, e->union_status,
        employer_status_label(e->union_status));
    return 0;
}

void page_console(struct req *r)
{
    if (r->actor.org_code[0]) {
        struct buf b;
        buf_init(&b);
        buf_puts(&b, "/console/orgs/");
        html_url_escape(&b, r->actor.org_code);
        reply_redirect(r, b.data);
        buf_free(&b);
        return;
    }
    /* A whole-tree account: the roots. */
    struct buf list;
    buf_init(&list);
    struct ub_err err;
    if (org_children(r->db, &r->actor, NULL, NULL, 1000, child_row, &list, &err)) {
        buf_free(&list);
        reply_err(r, &err);
        return;
    }
    page_begin(r, "组织架构");
    html_raw_trusted(&r->out, "<section class=\"card\"><h1>组织架构</h1>");
    if (list.len)
        html_raw_trusted(&r->out, "<ul class=\"tree\">");
    buf_append(&r->out, list.data ? list.data : "", list.len);   /* escaped above */
    html_raw_trusted(&r->out, list.len ? "</ul>" : "<p class=\"muted\">还没有组织。"
                     "请用 API <code>POST /api/v1/orgs</code> 创建顶级组织。</p>");
    html_raw_trusted(&r->out, "</section>");
    buf_free(&list);
    page_end(r);
}

void page_org(struct req *r)
{
    struct org_rec o;
    struct ub_err err;
    if (org_get(r->db, &r->actor, req_param(r, "code"), &o, &err)) {
        reply_err(r, &err);
        return;
    }
    struct buf crumbs, employers;
    struct child_list kids = {.n = 0};
    buf_init(&crumbs);
    buf_init(&kids.b);
    buf_init(&employers);
    const char *after = req_query(r, "after");
    if (org_ancestors(r->db, &o, crumb, &crumbs, &err)
        || org_children(r->db, &r->actor, o.code, after, PAGE_CHILDREN, child_item, &kids,
                        &err)
        || employer_list(r->db, &r->actor, o.code, NULL, 0, 50, employer_row, &employers,
                         &err)) {
        buf_free(&crumbs);
        buf_free(&kids.b);
        buf_free(&employers);
        reply_err(r, &err);
        return;
    }
    page_begin(r, o.name);
    struct buf *b = &r->out;
    /* The fragments were built with html_printf: already escaped. */
    html_raw_trusted(b, "<nav class=\"crumbs\" aria-label=\"上级组织\"><ol>");
    buf_append(b, crumbs.data, crumbs.len);
    html_raw_trusted(b, "</ol></nav>");
    html_printf(b,
        "<section class=\"card\"><h1>%s</h1><dl class=\"facts\">"
        "<dt>组织代码</dt><dd class=\"mono\">%s</dd>"
        "<dt>层级</dt><dd>%s</dd><dt>直属下级</dt><dd>%lld 个</dd>"
        "<dt>下属组织总数</dt><dd>%lld 个</dd></dl>"
        "<p class=\"actions\"><a href=\"/console/orgs/%s/poster\">入会海报（二维码）</a> · "
        "<a href=\"/console/applications?org=%s\">入会审核</a> · "
        "<a href=\"/console/members?org=%s\">会员</a> · "
        "<a href=\"/console/import?org=%s\">导入会员名册</a></p></section>",
        o.name, o.code, org_level_label(o.level), (long long)o.children,
        (long long)o.descendants, o.code, o.code, o.code, o.code);
    html_raw_trusted(b, "<section class=\"card\"><h2>下级组织</h2>");
    if (kids.n) {
        html_raw_trusted(b, "<ul class=\"tree\">");
        buf_append(b, kids.b.data, kids.b.len);
        html_raw_trusted(b, "</ul>");
        if (kids.n == PAGE_CHILDREN) {
            html_raw_trusted(b, "<p><a href=\"/console/orgs/");
            html_url_escape(b, o.code);
            html_raw_trusted(b, "?after=");
            html_url_escape(b, kids.last);
            html_raw_trusted(b, "\">下一页 ›</a></p>");
        }
    } else {
        html_raw_trusted(b, "<p class=\"muted\">没有下级组织。</p>");
    }
    html_raw_trusted(b, "</section><section class=\"card\"><h2>覆盖的用人单位</h2>");
    if (employers.len) {
        html_raw_trusted(b, "<div class=\"scroll\"><table><thead><tr><th>名称</th>"
                            "<th>统一社会信用代码</th><th class=\"num\">职工人数</th>"
                            "<th>建会状态</th></tr></thead><tbody>");
        buf_append(b, employers.data, employers.len);
        html_raw_trusted(b, "</tbody></table></div>");
    } else {
        html_raw_trusted(b, "<p class=\"muted\">暂无用人单位。</p>");
    }
    html_raw_trusted(b, "</section>");
    buf_free(&crumbs);
    buf_free(&kids.b);
    buf_free(&employers);
    page_end(r);
}

void page_poster(struct req *r)
{
    struct org_rec o;
    struct ub_err err;
    if (org_get(r->db, &r->actor, req_param(r, "code"), &o, &err)) {
        reply_err(r, &err);
        return;
    }
    page_begin(r, "扫码入会");
    struct buf *b = &r->out;
    html_printf(b, "<section class=\"poster\"><h1>%s</h1><p class=\"step\">微信扫一扫，两分钟加入工会</p>",
                o.name);
    html_raw_trusted(b, "<img alt=\"入会二维码\" src=\"/api/v1/orgs/");
    html_url_escape(b, o.code);
    html_raw_trusted(b, "/qr.svg\"><p class=\"step\">工会是职工的娘家人 · 入会自愿 · 信息加密保存</p>"
                        "<p class=\"noprint\"><a href=\"/console/orgs/");
    html_url_escape(b, o.code);
    html_raw_trusted(b, "\">返回</a> · 用浏览器的“打印”即可打印A4海报</p></section>");
    page_end(r);
}
