# The Fastly VCL service in front of www.python.org: two backends (the API for /api/, never
# cached; the static origin for everything else), the VCL snippets of snippets/, the edge
# dictionary of data redirects and stale-if-error. Surrogate keys and cache lifetimes come from
# the origin's headers (deploy/origin/nginx.conf); purges come from the site builder with its
# own token (README.md, "Purging"). Everything here is explained in README.md.

locals {
  # Every file of snippets/, with the type, name and priority its first line declares
  # (tests/site/test_fastly_config.py checks both ways). Priorities decide the order within a type.
  snippets = {
    "legacy-media-recv.vcl"        = { type = "recv", name = "pydotorg-legacy-media", priority = 4 }
    "redirects-recv.vcl"           = { type = "recv", name = "pydotorg-redirects", priority = 5 }
    "data-redirects-recv.vcl"      = { type = "recv", name = "pydotorg-data-redirects", priority = 6 }
    "recv.vcl"                     = { type = "recv", name = "pydotorg-recv", priority = 10 }
    "fetch.vcl"                    = { type = "fetch", name = "pydotorg-fetch", priority = 10 }
    "error.vcl"                    = { type = "error", name = "pydotorg-error", priority = 10 }
    "redirects-error.vcl"          = { type = "error", name = "pydotorg-redirects-error", priority = 10 }
    "legacy-media-error.vcl"       = { type = "error", name = "pydotorg-legacy-media-error", priority = 10 }
    "data-redirects-error.vcl"     = { type = "error", name = "pydotorg-data-redirects-error", priority = 10 }
    "deliver.vcl"                  = { type = "deliver", name = "pydotorg-deliver", priority = 10 }
    "media-deliver.vcl"            = { type = "deliver", name = "pydotorg-media", priority = 14 }
    "security-headers-deliver.vcl" = { type = "deliver", name = "pydotorg-security-headers", priority = 15 }
    "data-redirects-deliver.vcl"   = { type = "deliver", name = "pydotorg-data-redirects-deliver", priority = 20 }
  }

  # The edge dictionary data-redirects-recv.vcl reads (table.lookup(pydotorg_redirects, ...)).
  redirects_dictionary = "pydotorg_redirects"

  # _redirects.json as dictionary items, path -> "<status> <location>" ("410 " when gone): the
  # same form as sitebuilder.cdn.dictionary_items, which keeps the items up to date afterwards.
  redirect_items = var.redirects_json == "" ? {} : {
    for path, entry in jsondecode(file(var.redirects_json)) :
    path => "${entry.status} ${entry.location == null ? "" : entry.location}"
  }

  # The edge dictionary of this service's settings (legacy-media-*.vcl reads media_base_url),
  # kept by Terraform (sitebuilder.legacymedia names the dictionary and the key).
  settings_dictionary = "pydotorg_settings"

  redirects_dictionary_id = one([
    for d in fastly_service_vcl.www.dictionary : d.dictionary_id if d.name == local.redirects_dictionary
  ])
  settings_dictionary_id = one([
    for d in fastly_service_vcl.www.dictionary : d.dictionary_id if d.name == local.settings_dictionary
  ])
}

resource "fastly_service_vcl" "www" {
  name     = var.service_name
  activate = var.activate
  comment  = "Managed by Terraform from deploy/fastly (python.org rebuild)"

  domain {
    name = var.domain
  }

  # The API: chosen for /api and /api/* by the condition below (and by recv.vcl, which also
  # passes these requests: never looked up, never stored). The request keeps its Host
  # (www.python.org: the ingress routes on it), cookies and Authorization; recv.vcl sets
  # Fastly-Client-IP to the real client on the first hop, the header the API trusts from
  # PYDOTORG_TRUSTED_PROXIES only. No shield: nothing to cache, a shield is one more hop.
  backend {
    name                  = "api"
    address               = var.api_backend_host
    port                  = 443
    use_ssl               = true
    ssl_check_cert        = true
    ssl_cert_hostname     = var.api_backend_host
    ssl_sni_hostname      = var.api_backend_host
    request_condition     = "is-api"
    healthcheck           = "api-readyz"
    connect_timeout       = 1000
    first_byte_timeout    = 30000
    between_bytes_timeout = 10000
  }

  # The static origin, the default backend (no condition), shielded.
  backend {
    name                  = "origin"
    address               = var.origin_backend_host
    port                  = 443
    use_ssl               = true
    ssl_check_cert        = true
    ssl_cert_hostname     = var.origin_backend_host
    ssl_sni_hostname      = var.origin_backend_host
    shield                = var.origin_shield == "" ? null : var.origin_shield
    healthcheck           = "origin-healthz"
    connect_timeout       = 1000
    first_byte_timeout    = 15000
    between_bytes_timeout = 10000
  }

  # Keep identical to recv.vcl's test.
  condition {
    name      = "is-api"
    type      = "REQUEST"
    statement = "req.url.path ~ \"^/api(/|$)\""
    priority  = 10
  }

  healthcheck {
    name              = "api-readyz"
    host              = var.api_backend_host
    path              = "/readyz"
    method            = "GET"
    expected_response = 200
    check_interval    = 15000
    window            = 5
    threshold         = 3
    timeout           = 5000
  }

  healthcheck {
    name              = "origin-healthz"
    host              = var.origin_backend_host
    path              = "/__origin/healthz"
    method            = "GET"
    expected_response = 200
    check_interval    = 15000
    window            = 5
    threshold         = 3
    timeout           = 5000
  }

  # Lifetimes come from the origin's Surrogate-Control (30 days for pages, purged on change);
  # this only applies to a response without one. An origin failure serves the last good copy
  # for a day (the origin also says stale-if-error=86400; fetch.vcl returns deliver_stale on 5xx).
  default_ttl        = 3600
  stale_if_error     = true
  stale_if_error_ttl = 86400

  # Created here; its items are the site builder's (seeded once by fastly_service_dictionary_items).
  dictionary {
    name = local.redirects_dictionary
  }

  dictionary {
    name = local.settings_dictionary
  }

  dynamic "snippet" {
    for_each = local.snippets
    content {
      name     = snippet.value.name
      type     = snippet.value.type
      priority = snippet.value.priority
      content  = file("${path.module}/snippets/${snippet.key}")
    }
  }

  force_destroy = false
}

# The data redirects (/downloads/latest/..., stored redirects), seeded from var.redirects_json
# when the dictionary is created. manage_items = false: the site builder rewrites the items after
# every build that changes _redirects.json, and Terraform must not undo that on the next apply.
resource "fastly_service_dictionary_items" "redirects" {
  service_id    = fastly_service_vcl.www.id
  dictionary_id = local.redirects_dictionary_id
  items         = local.redirect_items
  manage_items  = false
}

# The service's settings the VCL reads: the media's public base URL for /m/<path>
# (legacy-media-error.vcl). Terraform owns these items.
resource "fastly_service_dictionary_items" "settings" {
  service_id    = fastly_service_vcl.www.id
  dictionary_id = local.settings_dictionary_id
  items = {
    media_base_url = var.media_base_url
  }
  manage_items = true
}
