from smartunion.core.excel.command import BaseImportCommand


class Command(BaseImportCommand):
    help = (
        "Check (and with --apply, sync) the HR roster (人事花名册) from an .xlsx workbook: new people, "
        "changes, moves and retirements by staff number; people missing from it are reported, never removed."
    )
    kind = "members.roster"
