/*
 * api_file.c: answering with a workbook written to a temporary file
 * (libxlsxwriter writes files, not buffers).
 */
#include <stdlib.h>
#include <unistd.h>

#include "api/api.h"

void api_reply_workbook(struct req *r, const char *filename,
                        int (*fill)(struct req *r, const char *path, void *ud), void *ud)
{
    char path[] = "/tmp/unionbridge-xlsx-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        reply_error(r, 500, "export_failed", "无法生成文件");
        return;
    }
    close(fd);
    int rc = fill(r, path, ud);
    if (rc == 0) {
        buf_reset(&r->out);
        rc = buf_read_file(&r->out, path);
    }
    unlink(path);
    if (rc) {
        if (!r->status)         /* fill did not say why */
            reply_error(r, 500, "export_failed", "无法生成文件");
        return;
    }
    r->status = 200;
    r->ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    req_add_header(r, "Content-Disposition",
                   arena_printf(&r->arena, "attachment; filename=\"%s\"", filename));
}
