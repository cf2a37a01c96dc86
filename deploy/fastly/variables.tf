variable "fastly_api_key" {
  description = "Fastly API token with the global scope, for Terraform itself (TF_VAR_fastly_api_key)."
  type        = string
  sensitive   = true
}

variable "service_name" {
  description = "Name of the Fastly service."
  type        = string
  default     = "www.python.org"
}

variable "domain" {
  description = "The site's host name (a staging host for a trial service)."
  type        = string
  default     = "www.python.org"
}

variable "api_backend_host" {
  description = "Host name of the cluster ingress that routes /api/ to Service pydotorg-api (TLS, port 443)."
  type        = string
}

variable "origin_backend_host" {
  description = "Host name of the static origin (deploy/origin/nginx.conf behind TLS, port 443)."
  type        = string
}

variable "origin_shield" {
  description = "Fastly shield POP close to the static origin (e.g. \"iad-va-us\"); empty for none."
  type        = string
  default     = ""
}

variable "redirects_json" {
  description = <<-EOT
    Path of a published _redirects.json (the builder's data redirects) to seed the edge dictionary
    with when it is created; empty for an empty dictionary. After that the site builder owns the
    items (PYDOTORG_FASTLY_REDIRECTS_DICTIONARY_ID) and Terraform leaves them alone.
  EOT
  type        = string
  default     = ""
}

variable "activate" {
  description = "Activate the new service version after applying (false: review it first, then activate)."
  type        = bool
  default     = false
}

variable "media_base_url" {
  description = <<-EOT
    Public base URL of the uploaded media, the deployment's PYDOTORG_S3_PUBLIC_BASE_URL (what the API
    links uploads to): python.org's legacy /m/<path> URLs redirect there (legacy-media-*.vcl). The
    default, /media/ on the site's own host, is production's https://www.python.org/media/.
  EOT
  type        = string
  default     = "/media/"
}
