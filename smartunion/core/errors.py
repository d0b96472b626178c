"""Error pages in the user's language, inside the shell they came from."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader


def _render(request: HttpRequest, template: str, status: int) -> HttpResponse:
    body: str
    try:
        body = loader.render_to_string(template, {"request_path": request.path}, request=request)
    except Exception:  # an error page must never fail itself
        body = f"<h1>{status}</h1>"
    return HttpResponse(body, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may lie in a context processor or the database.
    body: str
    try:
        body = loader.render_to_string("500.html")
    except Exception:
        body = "<h1>500</h1>"
    return HttpResponse(body, status=500)
