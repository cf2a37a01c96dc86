# Fastly VCL snippet -- type: recv, name: pydotorg-data-redirects, priority: 6.
#
# Redirects that depend on the data: /downloads/latest/... (302 to the current release) and the
# redirects editors keep in the API (301, or 410 Gone). The site builder keeps the edge
# dictionary "pydotorg_redirects" equal to the published _redirects.json after every build that
# changes it (PYDOTORG_FASTLY_REDIRECTS_DICTIONARY_ID): key = path, value = "<status> <location>".
# Priority 6: after the legacy redirects (5), before pydotorg-recv (10). The path is matched as
# it is and, for a path without a trailing slash, with one (as the origin's /x -> /x/ would).
# 301/302 are answered here (data-redirects-error.vcl); 410 goes on to the origin for its
# "page removed" notice, and data-redirects-deliver.vcl sets the status.

unset req.http.X-Pydotorg-Data-Redirect;
if (req.method != "FASTLYPURGE" && fastly.ff.visits_this_service == 0) {
  set req.http.X-Pydotorg-Data-Redirect = table.lookup(pydotorg_redirects, req.url.path);
  if (!req.http.X-Pydotorg-Data-Redirect && req.url.path !~ "/$") {
    set req.http.X-Pydotorg-Data-Redirect = table.lookup(pydotorg_redirects, req.url.path "/");
  }
  if (req.http.X-Pydotorg-Data-Redirect ~ "^30[12] ") {
    error 619 "pydotorg-data-redirect";
  }
}
