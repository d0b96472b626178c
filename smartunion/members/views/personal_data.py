"""个人信息查阅复制 (PIPL art. 45): the member sees what the union holds about them — every app's part,
gathered through ``smartunion.core.personal_data`` — and downloads it as one workbook. Only the logged-in
user's own data (there is no pk in the URL); every download is audit-logged with the member as target."""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core import personal_data
from smartunion.core.audit import audit
from smartunion.core.excel.exporting import xlsx_response
from smartunion.core.http import AuthenticatedRequest

from ..models import Person
from .portal import _context, with_person


@with_person
def my_data(request: AuthenticatedRequest, person: Person) -> HttpResponse:
    groups = personal_data.groups_for(person, request.user)
    return render(
        request,
        "members/portal_my_data.html",
        _context(
            person=person,
            groups=groups,
            total=sum(section.count for _label, sections in groups for section in sections),
        ),
    )


@with_person
def my_data_download(request: AuthenticatedRequest, person: Person) -> HttpResponseBase:
    sections = personal_data.sections_for(person, request.user)
    generated = timezone.localtime()
    title = _("Personal information held by the union about %(name)s") % {"name": person.name}
    note = _(
        "Generated %(when)s for %(name)s (%(staff_no)s). Keep this file safe: it holds your sensitive data."
    ) % {
        "when": f"{generated:%Y-%m-%d %H:%M}",
        "name": person.name,
        "staff_no": person.staff_no,
    }
    audit(
        actor=request.user,
        action="members.personal_data.downloaded",
        target=person,
        changes={"sections": len(sections), "rows": sum(section.count for section in sections)},
        sensitive=True,
    )
    filename = _("my-personal-data-%(date)s.xlsx") % {"date": f"{generated:%Y%m%d}"}
    return xlsx_response(
        filename, lambda handle: personal_data.write_sections(handle, sections, title=title, notes=[note])
    )
