# Fastly VCL snippet -- type: fetch, name: pydotorg-fetch, priority: 10.
#
# Second line of defence for "never cache /api/" and error handling for the
# static origin. Cache lifetimes come from the origin's Surrogate-Control
# header (deploy/origin/nginx.conf); nothing here sets a TTL.

# API responses are never stored, even if the recv rule were removed or a
# request reached this point some other way.
if (req.url.path ~ "^/api(/|$)") {
  return(pass);
}

# The static site never sets cookies; never let one into a shared cache.
unset beresp.http.Set-Cookie;

# Origin errors: serve the last good copy if there is one (soft-purged objects
# are kept as stale for exactly this), otherwise pass the error on uncached.
if (beresp.status >= 500 && beresp.status < 600) {
  if (stale.exists) {
    return(deliver_stale);
  }
  return(pass);
}
