"""The default assistance programmes — 临时补助 and 爱心扶助金 — created after migrate when missing (by
code; a programme the union changed or closed is left alone). The figures are examples modelled on the
published 管理办法 of other universities: each description says so, and the union checks them against its
own rules before opening the programme."""

from __future__ import annotations

import datetime as dt
from typing import Any

EXAMPLE_NOTE = "（示例标准，请按本校《管理办法》核对档次、金额和限额后再启用。）"

DEFAULT_PROGRAMMES: list[dict[str, Any]] = [
    {
        "code": "temporary_aid",
        "name": "临时补助",
        "description": "因本人或家庭成员患病住院、意外事故等原因，当年自付医疗费用较高、生活暂时困难的在职和退休教职工。"
        + EXAMPLE_NOTE,
        "condition_label": "本年度自付医疗费用（元）",
        "expense_category_code": "50201",
        "documents_hint": "住院病历或诊断证明、医疗费用票据及医保结算单",
        "sort_order": 10,
        "rule": {
            "yearly_limit_count": 2,
            "yearly_limit_amount": "10000",
            "one_spouse_only": True,
            "staff_approval_limit": "5000",
            "bands": [
                ("5000", "20000", "2000", "5,000–20,000 元"),
                ("20000", "50000", "5000", "20,000–50,000 元"),
                ("50000", None, "10000", "50,000 元以上"),
            ],
        },
    },
    {
        "code": "love_fund",
        "name": "爱心扶助金",
        "description": "本人患重大疾病（恶性肿瘤、器官移植、尿毒症透析等）、治疗费用高的教职工。"
        + EXAMPLE_NOTE,
        "condition_label": "重大疾病本年度自付医疗费用（元）",
        "expense_category_code": "50201",
        "documents_hint": "重大疾病诊断证明、医疗费用票据及医保结算单",
        "sort_order": 20,
        "rule": {
            "yearly_limit_count": 1,
            "yearly_limit_amount": None,
            "one_spouse_only": True,
            "staff_approval_limit": "10000",
            "bands": [
                ("0", "50000", "10000", "50,000 元以下"),
                ("50000", None, "20000", "50,000 元以上"),
            ],
        },
    },
]


def seed_programmes() -> int:
    """Create the default programmes that are missing; return how many were created."""
    from .models import AssistanceProgramme
    from .services.programmes import BandSpec, rule_create

    created = 0
    for spec in DEFAULT_PROGRAMMES:
        if AssistanceProgramme.objects.filter(code=spec["code"]).exists():
            continue
        fields = {key: value for key, value in spec.items() if key != "rule"}
        programme = AssistanceProgramme.objects.create(**fields)
        rule = spec["rule"]
        rule_create(
            actor=None,
            programme=programme,
            effective_from=dt.date(2020, 1, 1),
            yearly_limit_count=rule["yearly_limit_count"],
            yearly_limit_amount=rule["yearly_limit_amount"],
            one_spouse_only=rule["one_spouse_only"],
            staff_approval_limit=rule["staff_approval_limit"],
            bands=[BandSpec(lower, upper, amount, label) for lower, upper, amount, label in rule["bands"]],
        )
        created += 1
    return created


def ensure_programmes(**kwargs: Any) -> None:
    seed_programmes()
