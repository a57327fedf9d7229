/*
 * routes.c: every HTTP route, its handler, who may call it and one line of
 * help.  docs/api.md describes the same table for people.
 */
#include "routes.h"

#include "api/api.h"
#include "api/api_services.h"
#include "web/page.h"

static const struct http_route routes[] = {
    /* Operations */
    {"GET", "/healthz", api_healthz, 0, "liveness and database check"},
    {"GET", "/metrics", api_metrics, 0, "Prometheus metrics"},

    /* Staff authentication */
    {"POST", "/api/v1/auth/login", api_auth_login, 0, "sign in: {login,password} -> {token}"},
    {"POST", "/api/v1/auth/logout", api_auth_logout, ROUTE_AUTH, "end this session"},
    {"GET", "/api/v1/auth/me", api_auth_me, ROUTE_AUTH, "the signed-in account"},

    /* Organisations */
    {"GET", "/api/v1/orgs", api_orgs_list, ROUTE_AUTH, "children of ?parent=CODE (or your top)"},
    {"POST", "/api/v1/orgs", api_orgs_create, ROUTE_AUTH, "create {code,name,level,parent}"},
    {"GET", "/api/v1/orgs/:code", api_orgs_get, ROUTE_AUTH, "one org with its ancestors"},
    {"PATCH", "/api/v1/orgs/:code", api_orgs_update, ROUTE_AUTH, "change {name, auto_approve}"},
    {"GET", "/api/v1/orgs/:code/qr.png", api_orgs_qr_png, ROUTE_AUTH, "join QR code (PNG)"},
    {"GET", "/api/v1/orgs/:code/qr.svg", api_orgs_qr_svg, ROUTE_AUTH, "join QR code (SVG)"},

    /* Joining and review */
    {"POST", "/api/v1/join/:token", api_join, 0, "apply to join (public)"},
    {"GET", "/api/v1/applications", api_applications_list, ROUTE_AUTH,
     "applications in ?org=CODE's subtree, ?status=pending"},
    {"POST", "/api/v1/applications/approve", api_applications_bulk_approve, ROUTE_AUTH,
     "approve many {ids:[...]}"},
    {"GET", "/api/v1/applications/:id", api_applications_get, ROUTE_AUTH, "one application"},
    {"POST", "/api/v1/applications/:id/approve", api_applications_approve, ROUTE_AUTH,
     "approve: makes the member"},
    {"POST", "/api/v1/applications/:id/reject", api_applications_reject, ROUTE_AUTH,
     "reject {reason}"},

    /* Members */
    {"GET", "/api/v1/members", api_members_list, ROUTE_AUTH, "search ?org=CODE&q=TEXT"},
    {"GET", "/api/v1/members/:no", api_members_get, ROUTE_AUTH, "one member (masked)"},
    {"POST", "/api/v1/members/:no/reveal", api_members_reveal, ROUTE_AUTH,
     "the full ID and phone numbers (audited)"},
    {"POST", "/api/v1/members/:no/transfer", api_members_transfer, ROUTE_AUTH,
     "release towards {to_org, note}"},
    {"GET", "/api/v1/members/:no/transfers", api_members_transfers, ROUTE_AUTH,
     "transfer history"},
    {"POST", "/api/v1/members/:no/status", api_members_status, ROUTE_AUTH,
     "retained / withdrawn / active {status, reason}"},
    {"GET", "/api/v1/transfers", api_transfers_incoming, ROUTE_AUTH,
     "pending transfers arriving in ?org=CODE's subtree"},
    {"POST", "/api/v1/transfers/:id/accept", api_transfers_accept, ROUTE_AUTH,
     "the receiving union accepts"},
    {"POST", "/api/v1/transfers/:id/cancel", api_transfers_cancel, ROUTE_AUTH,
     "either side withdraws"},

    /* Mutual-aid cards */
    {"POST", "/api/v1/cards", api_cards_create, ROUTE_AUTH,
     "register a card {member_no,card_no,event_id}"},
    {"GET", "/api/v1/cards/counts", api_cards_counts, ROUTE_AUTH,
     "cards issued in ?org=CODE's subtree &from=&to=, per event"},
    {"GET", "/api/v1/members/:no/card", api_members_card, ROUTE_AUTH,
     "a member's live card and card history"},
    {"POST", "/api/v1/members/:no/card/reissue", api_members_card_reissue, ROUTE_AUTH,
     "replace the live card {card_no,reason,event_id}"},
    {"POST", "/api/v1/members/:no/card/lost", api_members_card_lost, ROUTE_AUTH,
     "report the live card lost {reason}"},

    /* Secondary reimbursement (二次报销) */
    {"GET", "/api/v1/claim-plans", api_plans_list, ROUTE_AUTH, "plan rules, ?year=YYYY"},
    {"POST", "/api/v1/claim-plans", api_plans_create, ROUTE_AUTH,
     "add plan rules {year,kind,deductible_fen,ratio_bp,cap_fen} (admin)"},
    {"POST", "/api/v1/claims", api_claims_create, ROUTE_AUTH,
     "submit {member_no,year,kind,selfpay_fen[,date]} -> payout_fen"},
    {"GET", "/api/v1/claims", api_claims_list, ROUTE_AUTH,
     "claims in ?org=CODE's subtree, ?status=&year= (amounts masked)"},
    {"GET", "/api/v1/claims/payable", api_claims_payable, ROUTE_AUTH,
     "the payment batch: approved claims with amounts (audited)"},
    {"GET", "/api/v1/claims/export.xlsx", api_claims_export, ROUTE_AUTH,
     "the payment batch as XLSX, ?status=approved (audited)"},
    {"POST", "/api/v1/claims/pay", api_claims_pay_batch, ROUTE_AUTH,
     "mark many paid {ids:[...],pay_ref}"},
    {"GET", "/api/v1/claims/:id", api_claims_get, ROUTE_AUTH, "one claim (amounts masked)"},
    {"POST", "/api/v1/claims/:id/verify", api_claims_verify, ROUTE_AUTH, "submitted -> verified"},
    {"POST", "/api/v1/claims/:id/approve", api_claims_approve, ROUTE_AUTH,
     "verified -> approved"},
    {"POST", "/api/v1/claims/:id/reject", api_claims_reject, ROUTE_AUTH,
     "submitted or verified -> rejected {reason}"},
    {"POST", "/api/v1/claims/:id/pay", api_claims_pay, ROUTE_AUTH, "approved -> paid {pay_ref}"},
    {"POST", "/api/v1/claims/:id/reveal", api_claims_reveal, ROUTE_AUTH,
     "the amounts in clear (audited)"},

    /* Giveaways (普惠) */
    {"POST", "/api/v1/giveaways", api_giveaways_create, ROUTE_AUTH,
     "create {name,stock,org,opens_at,closes_at}"},
    {"GET", "/api/v1/giveaways", api_giveaways_list, ROUTE_AUTH,
     "giveaways of ?org=CODE's subtree and above"},
    {"GET", "/api/v1/giveaways/:id", api_giveaways_get, ROUTE_AUTH, "one giveaway with counts"},
    {"POST", "/api/v1/giveaways/:id/claim", api_giveaways_claim, 0,
     "a member claims (member token) -> {pickup_code}"},
    {"POST", "/api/v1/giveaways/:id/redeem", api_giveaways_redeem, ROUTE_AUTH,
     "hand over {pickup_code}"},

    /* The worker (personal token) */
    {"GET", "/api/v1/me", api_me, 0, "my membership or application (member token)"},
    {"GET", "/api/v1/me/giveaways", api_me_giveaways, 0,
     "giveaways open to me, with my pickup codes (member token)"},

    /* Outreach: campaigns, events, tallies */
    {"GET", "/api/v1/campaigns", api_campaigns_list, ROUTE_AUTH, "campaigns you take part in"},
    {"POST", "/api/v1/campaigns", api_campaigns_create, ROUTE_AUTH,
     "create {name,level,date_from,date_to[,theme,org]}"},
    {"GET", "/api/v1/campaigns/:id", api_campaigns_get, ROUTE_AUTH, "one campaign"},
    {"GET", "/api/v1/campaigns/:id/board", api_campaigns_board, ROUTE_AUTH,
     "live figures per event and org"},
    {"GET", "/api/v1/events", api_events_list, ROUTE_AUTH,
     "events of ?org=CODE&from=&to=&campaign=ID (&format=csv|xlsx)"},
    {"POST", "/api/v1/events", api_events_create, ROUTE_AUTH,
     "create {campaign_id,type,org,venue,starts_at,partners,employers}"},
    {"GET", "/api/v1/events/:id", api_events_get, ROUTE_AUTH, "one event with its figures"},
    {"PATCH", "/api/v1/events/:id", api_events_update, ROUTE_AUTH,
     "change {venue,address,starts_at,ends_at,partners,employers,status,notes}"},
    {"POST", "/api/v1/events/:id/tallies", api_events_tally, ROUTE_AUTH,
     "add {materials,cards_issued,questions,people[,tap_id]}"},
    {"GET", "/api/v1/events/:id/qr.png", api_events_qr_png, ROUTE_AUTH, "the event's join QR (PNG)"},
    {"GET", "/api/v1/events/:id/qr.svg", api_events_qr_svg, ROUTE_AUTH, "the event's join QR (SVG)"},
    {"GET", "/api/v1/orgs/:code/tally-labels", api_tally_labels_get, ROUTE_AUTH,
     "leaflet titles and question topics of the tally page"},
    {"PUT", "/api/v1/orgs/:code/tally-labels", api_tally_labels_put, ROUTE_AUTH,
     "set {materials:[...], questions:[...]}"},

    /* Founding a union (建会) */
    {"GET", "/api/v1/foundings", api_foundings_list, ROUTE_AUTH,
     "cases guided in ?org=CODE's subtree (&status=&from=&to=&employer=ID)"},
    {"POST", "/api/v1/foundings", api_foundings_create, ROUTE_AUTH,
     "open a case {employer_id, guide_org[, staff, event_id]}"},
    {"GET", "/api/v1/foundings/alerts", api_foundings_alerts, ROUTE_AUTH,
     "idle cases, overdue preparatory groups, committees due (?org=&idle_days=)"},
    {"GET", "/api/v1/foundings/summary", api_foundings_summary, ROUTE_AUTH,
     "unions founded ?org=&from=&to= (and with 100+ staff)"},
    {"GET", "/api/v1/foundings/:id", api_foundings_get, ROUTE_AUTH, "a case and its timeline"},
    {"POST", "/api/v1/foundings/:id/steps", api_foundings_step, ROUTE_AUTH,
     "record the next step {step, date, ...facts, notes}"},

    /* Reports */
    {"GET", "/api/v1/reports/summary", api_reports_summary, ROUTE_AUTH,
     "the summary of ?org=CODE&from=DATE&to=DATE (&format=xlsx|csv)"},
    {"GET", "/api/v1/reports/months", api_reports_months, ROUTE_AUTH,
     "the same figures month by month"},

    /* Employers */
    {"GET", "/api/v1/employers", api_employers_list, ROUTE_AUTH, "employers in ?org=CODE's subtree"},
    {"POST", "/api/v1/employers", api_employers_create, ROUTE_AUTH,
     "create {name,uscc,headcount,org[,uscc_override,address,legal_rep]}"},
    {"GET", "/api/v1/employers/:id", api_employers_get, ROUTE_AUTH, "one employer"},
    {"PATCH", "/api/v1/employers/:id", api_employers_update, ROUTE_AUTH, "change fields"},

    /* Audit */
    {"GET", "/api/v1/audit", api_audit_list, ROUTE_AUTH, "audit entries in ?org=CODE's subtree"},

    /* Console */
    {"GET", "/", page_home, 0, "to the console"},
    {"GET", "/login", page_login, ROUTE_PAGE | ROUTE_LOGIN_FORM, "sign-in page"},
    {"POST", "/login", page_login_post, ROUTE_PAGE | ROUTE_LOGIN_FORM, "sign in (form)"},
    {"POST", "/logout", page_logout, ROUTE_PAGE | ROUTE_AUTH, "sign out (form)"},
    {"GET", "/console", page_console, ROUTE_PAGE | ROUTE_AUTH, "your org's page"},
    {"GET", "/console/orgs/:code", page_org, ROUTE_PAGE | ROUTE_AUTH, "org tree page"},
    {"GET", "/console/orgs/:code/poster", page_poster, ROUTE_PAGE | ROUTE_AUTH,
     "printable join poster"},
    {"GET", "/console/applications", page_applications, ROUTE_PAGE | ROUTE_AUTH,
     "pending applications"},
    {"POST", "/console/applications/approve", page_applications_bulk, ROUTE_PAGE | ROUTE_AUTH,
     "approve the ticked (form)"},
    {"POST", "/console/applications/:id/approve", page_application_approve,
     ROUTE_PAGE | ROUTE_AUTH, "approve (form)"},
    {"POST", "/console/applications/:id/reject", page_application_reject,
     ROUTE_PAGE | ROUTE_AUTH, "reject (form)"},
    {"GET", "/console/members", page_members, ROUTE_PAGE | ROUTE_AUTH, "member search"},
    {"GET", "/console/members/:no", page_member, ROUTE_PAGE | ROUTE_AUTH, "a member's page"},
    {"GET", "/console/campaigns", page_campaigns, ROUTE_PAGE | ROUTE_AUTH,
     "outreach campaigns"},
    {"POST", "/console/campaigns", page_campaigns_post, ROUTE_PAGE | ROUTE_AUTH,
     "create a campaign (form)"},
    {"GET", "/console/campaigns/:id", page_campaign_board, ROUTE_PAGE | ROUTE_AUTH,
     "live campaign board"},
    {"GET", "/console/events", page_events, ROUTE_PAGE | ROUTE_AUTH,
     "calendar and list of ?org=CODE's events in ?month=YYYY-MM"},
    {"POST", "/console/events", page_events_post, ROUTE_PAGE | ROUTE_AUTH,
     "register an event (form)"},
    {"GET", "/console/events/:id", page_event, ROUTE_PAGE | ROUTE_AUTH, "an event's page"},
    {"POST", "/console/events/:id/status", page_event_status, ROUTE_PAGE | ROUTE_AUTH,
     "held / cancelled (form)"},
    {"GET", "/console/events/:id/poster", page_event_poster, ROUTE_PAGE | ROUTE_AUTH,
     "printable poster with the event's QR"},
    {"GET", "/console/events/:id/tally", page_event_tally, ROUTE_PAGE | ROUTE_AUTH,
     "on-site tally page (phone)"},
    {"POST", "/console/events/:id/tally", page_event_tally_post, ROUTE_PAGE | ROUTE_AUTH,
     "one tap (form)"},
    {"GET", "/console/foundings", page_foundings, ROUTE_PAGE | ROUTE_AUTH,
     "founding cases by step (?org=&from=&to=)"},
    {"POST", "/console/foundings", page_foundings_post, ROUTE_PAGE | ROUTE_AUTH,
     "open a case (form)"},
    {"GET", "/console/foundings/:id", page_founding, ROUTE_PAGE | ROUTE_AUTH,
     "a case and its timeline"},
    {"POST", "/console/foundings/:id/steps", page_founding_step, ROUTE_PAGE | ROUTE_AUTH,
     "record a step (form)"},
    {"GET", "/console/employers/:id", page_employer, ROUTE_PAGE | ROUTE_AUTH,
     "an employer and its founding cases"},
    {"GET", "/console/claims", page_claims, ROUTE_PAGE | ROUTE_AUTH,
     "reimbursement claims of ?org=CODE by ?status="},
    {"POST", "/console/claims/pay", page_claims_pay, ROUTE_PAGE | ROUTE_AUTH,
     "mark the ticked approved claims paid (form)"},
    {"POST", "/console/claims/:id/:step", page_claim_step, ROUTE_PAGE | ROUTE_AUTH,
     "verify / approve / reject / pay (form)"},
    {"POST", "/console/members/:no/card", page_member_card, ROUTE_PAGE | ROUTE_AUTH,
     "register or reissue a mutual-aid card (form)"},
    {"POST", "/console/members/:no/claim", page_member_claim, ROUTE_PAGE | ROUTE_AUTH,
     "submit a reimbursement claim (form)"},
    {"GET", "/console/reports", page_reports, ROUTE_PAGE | ROUTE_AUTH,
     "dashboard of ?org=CODE for ?from=&to= (this half-year)"},
    {"GET", "/console/giveaways", page_giveaways, ROUTE_PAGE | ROUTE_AUTH, "giveaways"},
    {"GET", "/console/giveaways/:id", page_giveaway_redeem, ROUTE_PAGE | ROUTE_AUTH,
     "redeem pickup codes (phone page)"},
    {"POST", "/console/giveaways/:id/redeem", page_giveaway_redeem_post,
     ROUTE_PAGE | ROUTE_AUTH, "redeem a pickup code (form)"},
    {"GET", "/console/import", page_import, ROUTE_PAGE | ROUTE_AUTH,
     "roster upload form (?org=CODE)"},
    {"POST", "/console/import", page_import_post, ROUTE_PAGE | ROUTE_AUTH | ROUTE_UPLOAD,
     "import a roster CSV {org, file} (multipart form)"},
    {"GET", "/static/app.css", page_static_css, 0, "style sheet"},
    {"GET", "/static/console.js", page_static_console_js, 0, "console script"},
    {"GET", "/static/join.css", page_static_join_css, 0, "join page style sheet"},

    /* The public join page */
    {"GET", "/j/:token", page_join, ROUTE_PAGE, "mobile join page"},
    {"POST", "/j/:token", page_join_post, ROUTE_PAGE, "join (form)"},
    {"GET", "/card", page_card, ROUTE_PAGE, "the worker's member card"},
    {"GET", "/g/:id", page_giveaway, ROUTE_PAGE, "a giveaway, for a member"},
    {"POST", "/g/:id", page_giveaway_claim, ROUTE_PAGE, "claim it (form)"},
};

void routes_table(const struct http_route **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof *routes;
}
