"""Public pages for applicants: filing, tracking, online supplements, downloads (issue 13)."""
