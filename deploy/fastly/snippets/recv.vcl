# Fastly VCL snippet -- type: recv, name: pydotorg-recv, priority: 10.
#
# Routing and the "never cache /api/" rule for www.python.org. Regular (recv)
# snippets run at the top of vcl_recv, *before* the backend assignment that
# Fastly generates from backend conditions, so this snippet picks the backend
# itself for everything it returns early on. Backend names in VCL are "F_" + the
# backend's name: the service must have backends named exactly "api" and
# "origin" (see ../README.md).

# 1. Client IP. Fastly only adds Fastly-Client-IP when the request lacks one, so a
#    client could forge it. Overwrite it on the first Fastly hop; shield hops keep
#    the edge's value (there client.ip is the edge POP).
if (fastly.ff.visits_this_service == 0 && req.restarts == 0) {
  set req.http.Fastly-Client-IP = client.ip;
}

# 2. URL purges (PURGE <url>, seen here as FASTLYPURGE) require a Fastly API
#    token in Fastly-Key. Key and purge-all requests go to api.fastly.com and are
#    always authenticated.
if (req.method == "FASTLYPURGE") {
  set req.http.Fastly-Purge-Requires-Auth = "1";
}

# 3. Plain HTTP from a client is redirected to HTTPS (turned into a 301 by the
#    error snippet, error.vcl). Only on the first hop: shield hops see Fastly's
#    own connection.
if (fastly.ff.visits_this_service == 0 && req.protocol != "https" && req.method != "FASTLYPURGE") {
  error 618 "pydotorg-force-tls";
}

# 4. The API: /api and everything under /api/ goes to the "api" backend and is
#    never looked up in or stored into the cache. return(pass) leaves vcl_recv
#    before the generated backend assignment, hence the explicit backend.
if (req.url.path ~ "^/api(/|$)") {
  set req.backend = F_api;
  return(pass);
}

# 5. Everything else is the static origin: identical for every visitor, so make
#    the cache key independent of cookies, credentials and query strings. The
#    pages' scripts read location.search in the browser; the origin ignores it.
#    The backend ("origin", the default backend) is assigned by generated VCL,
#    which also applies shielding.
unset req.http.Cookie;
unset req.http.Authorization;
set req.url = req.url.path;
# No return here: methods other than GET/HEAD are passed by Fastly's standard
# vcl_recv code after the backend has been assigned.
