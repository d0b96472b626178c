"""The seeded chart of categories (收支科目), created after migrate when the chart is empty (and again after
a flush), never re-added once an office has edited it. Names are data, in Chinese, editable."""

from __future__ import annotations

from typing import Any

# code, name, kind, parent code
CHART = [
    ("301", "上年结余", "net_assets", None),
    ("401", "会费收入", "income", None),
    ("402", "拨缴经费收入", "income", None),
    ("403", "上级补助收入", "income", None),
    ("409", "其他收入", "income", None),
    ("501", "职工活动支出", "expense", None),
    ("50101", "文体活动", "expense", "501"),
    ("50102", "疗休养", "expense", "501"),
    ("50103", "培训", "expense", "501"),
    ("50109", "其他职工活动", "expense", "501"),
    ("502", "维权支出", "expense", None),
    ("50201", "困难帮扶", "expense", "502"),
    ("50202", "送温暖", "expense", "502"),
    ("50203", "慰问", "expense", "502"),
    ("503", "业务支出", "expense", None),
    ("504", "行政支出", "expense", None),
    ("509", "其他支出", "expense", None),
]


def ensure_default_chart(**kwargs: Any) -> None:
    from .models import Category

    if Category.objects.exists():
        return
    created: dict[str, Category] = {}
    for order, (code, name, kind, parent) in enumerate(CHART):
        created[code] = Category.objects.create(
            code=code,
            name=name,
            kind=kind,
            parent=created[parent] if parent else None,
            sort_order=order,
        )
