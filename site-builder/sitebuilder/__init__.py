"""The static-site builder: python.org rendered from the API with Pelican."""
