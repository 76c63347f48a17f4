"""Published periods: the years whose annual report is published, and the one rule that says
which of them a change of counted data touches (SPEC §6). Below the cases and the reports:
reporting records a publication here; case services, imports and table-four records ask here."""
