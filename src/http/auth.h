/*
 * auth.h: who is asking.  A staff request carries either an
 * `Authorization: Bearer TOKEN` header (scripts, the API) or the console's
 * session cookie.  A state-changing request authenticated by the cookie
 * must also carry the session's CSRF token (form field `csrf` or header
 * `X-CSRF-Token`); one with a Bearer header needs none, since a browser
 * never adds that header by itself.
 */
#ifndef UB_HTTP_AUTH_H
#define UB_HTTP_AUTH_H

#include "http/req.h"

#define AUTH_SESSION_COOKIE "ub_session"
#define AUTH_CSRF_COOKIE "ub_csrf"      /* before a session: the login form */

/* Authenticates r into r->actor.  Returns 0, or -1 after replying 401. */
int auth_staff_or_reply(struct req *r);

/* For a request authenticated by cookie with an unsafe method: checks the
 * CSRF token; returns 0, or -1 after replying 403 csrf_failed. */
int auth_csrf_or_reply(struct req *r);

/* For the login form: checks the double-submit cookie against the form
 * field; returns 0, or -1 after replying 403. */
int auth_login_csrf_or_reply(struct req *r);

/* Returns the pre-session CSRF token, setting the cookie when absent. */
const char *auth_login_csrf_token(struct req *r);

#endif
