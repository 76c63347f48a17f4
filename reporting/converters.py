"""URL converters: a report year outside the years the system can report on is a 404, never
a crash deeper down (dates of year 0 or 10000 do not exist)."""

from django.utils import timezone

FIRST_REPORT_YEAR = 2008  # the first year of the 2007 Regulations' annual reports


class ReportYearConverter:
    regex = r"[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_REPORT_YEAR <= year <= timezone.localdate().year + 1:
            raise ValueError(f"no report for year {year}")
        return year

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"
