# What the worker needs (deploy/kubernetes ConfigMap): PYDOTORG_FASTLY_SERVICE_ID and
# PYDOTORG_FASTLY_REDIRECTS_DICTIONARY_ID.
output "service_id" {
  description = "PYDOTORG_FASTLY_SERVICE_ID"
  value       = fastly_service_vcl.www.id
}

output "redirects_dictionary_id" {
  description = "PYDOTORG_FASTLY_REDIRECTS_DICTIONARY_ID"
  value       = local.redirects_dictionary_id
}

output "active_version" {
  description = "The service version that is active (compare with the cloned_version after an apply)."
  value       = fastly_service_vcl.www.active_version
}
