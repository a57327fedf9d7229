/*
 * static.c: files served from the binary (style sheets, the console's script).
 */
#include <string.h>

#include "lib/embedded.h"
#include "web/page.h"

void page_static_file(struct req *r, const char *name)
{
    const struct embedded_file *f = embedded_find(name);
    if (!f) {
        reply_error(r, 404, "not_found", "not found");
        return;
    }
    size_t n = strlen(name);
    r->status = 200;
    r->ctype = n > 3 && strcmp(name + n - 3, ".js") == 0 ? "text/javascript; charset=utf-8"
                                                         : "text/css; charset=utf-8";
    req_add_header(r, "Cache-Control", "public, max-age=3600");
    buf_append(&r->out, f->data, f->len);
}

void page_static_css(struct req *r)
{
    page_static_file(r, "web/static/app.css");
}
