# The Fastly service for www.python.org as Terraform configuration (see README.md, "Applying with
# Terraform"). Provider: the official fastly/fastly from the Terraform registry.
terraform {
  required_version = ">= 1.5"

  required_providers {
    fastly = {
      source  = "fastly/fastly"
      version = "~> 5.0"
    }
  }
}

# The token Terraform uses to change the service (scope "global"): TF_VAR_fastly_api_key or
# FASTLY_API_KEY in the environment, never in a file. It is not the builder's purge token.
provider "fastly" {
  api_key = var.fastly_api_key
}
