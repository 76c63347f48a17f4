"""Year-end season: data-quality sweep, draft tables, dashboard and chasing (issue 16)."""
