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
/* A hidden field with the session's CSRF token, for a console form. */
void page_csrf_field(struct req *r);

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
void page_giveaway(struct req *r);
void page_giveaway_claim(struct req *r);
void page_giveaways(struct req *r);
void page_giveaway_redeem(struct req *r);
void page_giveaway_redeem_post(struct req *r);

void page_campaigns(struct req *r);
void page_campaigns_post(struct req *r);
void page_campaign_board(struct req *r);
void page_events(struct req *r);
void page_events_post(struct req *r);
void page_event(struct req *r);
void page_event_status(struct req *r);
void page_event_poster(struct req *r);
void page_event_tally(struct req *r);
void page_event_tally_post(struct req *r);
void page_static_console_js(struct req *r);

void page_foundings(struct req *r);
void page_foundings_post(struct req *r);
void page_founding(struct req *r);
void page_founding_step(struct req *r);
void page_employer(struct req *r);
void page_reports(struct req *r);
void page_claims(struct req *r);
void page_claim_step(struct req *r);
void page_claims_pay(struct req *r);
void page_member_claim(struct req *r);
void page_member_card(struct req *r);
/* The mutual-aid card and reimbursement forms of a member's page. */
struct member_rec;
void page_member_services(struct req *r, const struct member_rec *m);
/* The "start guiding a founding" button for an employer without a union:
 * guided by org `guide`, opened at meeting event_id (0: none). */
struct employer_rec;
void page_open_case_form(struct req *r, const struct employer_rec *e, const char *guide,
                         int64_t event_id);
void page_import(struct req *r);
void page_import_post(struct req *r);

#endif
