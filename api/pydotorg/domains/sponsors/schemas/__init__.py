"""The sponsors domain's request and response shapes, one module per service area."""
