# Fastly VCL snippet -- type: error, name: pydotorg-data-redirects-error, priority: 10.
#
# The 301/302 raised by data-redirects-recv.vcl. Not cached at the edge: the dictionary is the
# source, and a release makes /downloads/latest/... point elsewhere without any purge.
if (obj.status == 619 && obj.response == "pydotorg-data-redirect") {
  if (req.http.X-Pydotorg-Data-Redirect ~ "^301 ") {
    set obj.status = 301;
    set obj.response = "Moved Permanently";
  } else {
    set obj.status = 302;
    set obj.response = "Found";
  }
  set obj.http.Location = regsub(req.http.X-Pydotorg-Data-Redirect, "^[0-9]+ ", "");
  set obj.http.Cache-Control = "no-store";
  synthetic {""};
  return(deliver);
}
