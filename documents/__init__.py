"""Documents to release on a case, redaction and the release package (issue 14)."""
