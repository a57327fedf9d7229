/*
 * page.h: the staff console: server-rendered HTML in Simplified Chinese,
 * one page_<screen>.c per screen, escaping by default (http/html.h).
 */
#ifndef UB_PAGE_H
#define UB_PAGE_H

#include "http/req.h"

/* Starts a page: doctype, head, the top bar (with the signed-in account
 * and a sign-out form when r->authed).  Sets status 200 and the type. */
void page_begin(struct req *r, const char *title);
void page_end(struct req *r);

/* The error page for console routes (http_config.error_page). */
void page_error(struct req *r, int status, const char *message);

void page_home(struct req *r);
void page_console(struct req *r);
void page_login(struct req *r);
void page_login_post(struct req *r);
void page_logout(struct req *r);
void page_org(struct req *r);
void page_static_css(struct req *r);
void page_static_join_css(struct req *r);
/* Serves an embedded file (cached for an hour). */
void page_static_file(struct req *r, const char *name);

void page_join(struct req *r);
void page_card(struct req *r);
void page_applications(struct req *r);
void page_applications_bulk(struct req *r);
void page_application_approve(struct req *r);
void page_application_reject(struct req *r);
void page_members(struct req *r);
void page_member(struct req *r);
void page_poster(struct req *r);
void page_join_post(struct req *r);
void page_import(struct req *r);
void page_import_post(struct req *r);

#endif
