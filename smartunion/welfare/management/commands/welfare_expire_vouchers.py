"""Mark the 提货券 past their date as expired (daily; idempotent — pages read expiry from the date anyway)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from smartunion.welfare.services.vouchers import vouchers_expire


class Command(BaseCommand):
    help = "Mark the vouchers past their date as expired."

    def handle(self, *args: Any, **options: Any) -> None:
        count = vouchers_expire()
        self.stdout.write(f"{count} voucher(s) expired.")
