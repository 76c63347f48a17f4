"""Security log (who did what, from where), issued-letter integrity checks, backup and restore (issue 18)."""
