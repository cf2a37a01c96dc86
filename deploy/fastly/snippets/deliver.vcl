# Fastly VCL snippet -- type: deliver, name: pydotorg-deliver, priority: 10.
#
# Client-facing response headers, added on the edge hop only (on a shield hop
# the "client" is another Fastly POP, and the edge adds them itself).
if (fastly.ff.visits_this_service == 0) {
  # HSTS, as www.python.org sends it today. includeSubDomains covers every
  # *.python.org host: all of them must serve HTTPS.
  set resp.http.Strict-Transport-Security = "max-age=63072000; includeSubDomains; preload";
  # Origin and API responses may carry these for Fastly; browsers do not need them.
  unset resp.http.Surrogate-Control;
  if (!req.http.Fastly-Debug) {
    unset resp.http.Surrogate-Key;
  }
}
