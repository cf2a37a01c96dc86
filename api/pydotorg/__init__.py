"""python.org API service."""
