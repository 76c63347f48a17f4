"""Pagination of API lists: count, next, previous (absolute links) and results."""

from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """50 per page; ?page=N (a page that is not a number reads as the first; one past the end
    is a 404 in the error shape)."""

    page_size = 50

    def get_page_number(self, request, paginator):
        page = request.query_params.get(self.page_query_param, "1")
        return page if page.isascii() and page.isdigit() and int(page) >= 1 else 1
