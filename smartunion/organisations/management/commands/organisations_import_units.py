from smartunion.core.excel.command import BaseImportCommand


class Command(BaseImportCommand):
    help = "Check (and with --apply, import) the unit list from an .xlsx workbook."
    kind = "organisations.units"
