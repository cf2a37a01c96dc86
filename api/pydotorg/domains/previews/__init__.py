"""Draft previews: a private, expiring URL showing an unpublished or edited record rendered by the
site builder with the real theme (docs/previews.md)."""
