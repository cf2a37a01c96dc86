# Fastly VCL snippet -- type: error, name: pydotorg-error, priority: 10.
#
# Turns the synthetic 618 raised by recv.vcl for plain-HTTP requests into a
# permanent redirect to the same URL over HTTPS.
if (obj.status == 618 && obj.response == "pydotorg-force-tls") {
  set obj.status = 301;
  set obj.response = "Moved Permanently";
  set obj.http.Location = "https://" req.http.host req.url;
  set obj.http.Cache-Control = "max-age=3600";
  synthetic {""};
  return(deliver);
}
