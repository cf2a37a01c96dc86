# Fastly VCL snippet -- type: deliver, name: pydotorg-media, priority: 14.
#
# Uploaded media (/media/..., from the bucket or the origin) are never active content on the
# site's origin: the same headers as pydotorg.core.storage.media_headers, the origin's
# /media/ location (deploy/origin/nginx.conf) and the development server (sitebuilder.serve).
# The bucket keeps Content-Type and Content-Disposition with each object (the API sets them
# when it stores the file); S3 cannot keep a CSP or nosniff, so they are added here, before
# pydotorg-security-headers (priority 15), which leaves a CSP already set alone.

if (req.url.path ~ "^/media/") {
  set resp.http.Content-Security-Policy = "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'";
  set resp.http.X-Content-Type-Options = "nosniff";
  if (!resp.http.Content-Disposition && req.url.path !~ "(?i)\.(png|jpe?g|gif|webp|avif|ico|pdf|mp4|webm|ogv|mov)$") {
    set resp.http.Content-Disposition = "attachment";
  }
}
