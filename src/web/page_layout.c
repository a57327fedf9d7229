/*
 * page_layout.c: the frame every console page shares, and the error page.
 */
#include "web/page.h"

#include "domain/actor.h"
#include "http/html.h"

void page_begin(struct req *r, const char *title)
{
    r->status = 200;
    r->ctype = "text/html; charset=utf-8";
    struct buf *b = &r->out;
    html_printf(b,
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        "<title>%s · 连心桥</title>"
        "<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body>"
        "<header class=\"top\"><a class=\"brand\" href=\"/console\">连心桥</a>",
        title);
    if (r->authed) {
        html_raw_trusted(b, "<nav class=\"main\"><a href=\"/console\">组织</a>"
                            "<a href=\"/console/applications\">入会审核</a>"
                            "<a href=\"/console/members\">会员</a>"
                            "<a href=\"/console/import\">名册导入</a>"
                            "<a href=\"/console/events\">沟通会</a>"
                            "<a href=\"/console/campaigns\">活动看板</a>"
                            "<a href=\"/console/foundings\">建会</a>"
                            "<a href=\"/console/claims\">二次报销</a>"
                            "<a href=\"/console/giveaways\">普惠</a>"
                            "<a href=\"/console/reports\">报表</a></nav>");
        html_printf(b,
            "<span class=\"who\">%s · %s</span>"
            "<form method=\"post\" action=\"/logout\" class=\"inline\">"
            "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
            "<button type=\"submit\" class=\"link\">退出</button></form>",
            r->actor.login, role_label(r->actor.role), r->actor.csrf);
    }
    html_raw_trusted(b, "</header><main>");
}

void page_csrf_field(struct req *r)
{
    html_printf(&r->out, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", r->actor.csrf);
}

void page_end(struct req *r)
{
    html_raw_trusted(&r->out, "</main><footer>连心桥 · 工会组织与会员服务平台</footer>"
                              "</body></html>\n");
}

void page_error(struct req *r, int status, const char *message)
{
    page_begin(r, "出错了");
    r->status = status;
    html_printf(&r->out,
        "<section class=\"card error\"><h1>%d</h1><p>%s</p>"
        "<p><a href=\"/console\">返回首页</a></p></section>",
        status, message);
    page_end(r);
}

void page_home(struct req *r)
{
    reply_redirect(r, "/console");
}
