"""Notifications to applicants and staff, reminders and digests (issue 13)."""
