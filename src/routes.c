/*
 * routes.c: every HTTP route, its handler, who may call it and one line of
 * help.  docs/api.md describes the same table for people.
 */
#include "routes.h"

#include "api/api.h"
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

    /* The worker (personal token) */
    {"GET", "/api/v1/me", api_me, 0, "my membership or application (member token)"},

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
    {"GET", "/console/import", page_import, ROUTE_PAGE | ROUTE_AUTH,
     "roster upload form (?org=CODE)"},
    {"POST", "/console/import", page_import_post, ROUTE_PAGE | ROUTE_AUTH | ROUTE_UPLOAD,
     "import a roster CSV {org, file} (multipart form)"},
    {"GET", "/static/app.css", page_static_css, 0, "style sheet"},
    {"GET", "/static/join.css", page_static_join_css, 0, "join page style sheet"},

    /* The public join page */
    {"GET", "/j/:token", page_join, ROUTE_PAGE, "mobile join page"},
    {"POST", "/j/:token", page_join_post, ROUTE_PAGE, "join (form)"},
    {"GET", "/card", page_card, ROUTE_PAGE, "the worker's member card"},
};

void routes_table(const struct http_route **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof *routes;
}
