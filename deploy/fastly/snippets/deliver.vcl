# Fastly VCL snippet -- type: deliver, name: pydotorg-deliver, priority: 10.
#
# Client-facing response headers, added on the edge hop only (on a shield hop
# the "client" is another Fastly POP, and the edge adds them itself).
if (fastly.ff.visits_this_service == 0) {
  # HSTS and the static site's security headers (Content-Security-Policy, ...)
  # are set by security-headers-deliver.vcl, generated from
  # site-builder/sitebuilder/headers.py.
  # Origin and API responses may carry these for Fastly; browsers do not need them.
  unset resp.http.Surrogate-Control;
  if (!req.http.Fastly-Debug) {
    unset resp.http.Surrogate-Key;
  }
}
