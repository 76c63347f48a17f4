"""Small helpers shared by several apps (no models)."""
