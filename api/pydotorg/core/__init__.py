"""Core infrastructure shared by the pydotorg API and its tooling."""
