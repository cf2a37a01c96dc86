# Fastly VCL snippet -- type: deliver, name: pydotorg-data-redirects-deliver, priority: 20.
#
# A stored redirect with no target: the origin's "page removed" notice, sent as 410 Gone.
if (req.http.X-Pydotorg-Data-Redirect ~ "^410 " && resp.status == 200) {
  set resp.status = 410;
  set resp.response = "Gone";
}
