"""The demo university's welfare, made through the welfare services: two merchants with a cashier login,
this year's 端午 programme chosen and issued (its 提货券 partly redeemed and settled), a 元旦 programme open
for choice now, birthday benefits up to this month, and care visits (五必访) at every step."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from smartunion.accounts.models import User
from smartunion.demo.data import DEMO_PASSWORD
from smartunion.demo.finance import invoice_png
from smartunion.members.models import Membership, Person
from smartunion.welfare.models import (
    CareEvent,
    CareEventType,
    Entitlement,
    Form,
    Issuance,
    Programme,
    Voucher,
    WelfareItem,
)
from smartunion.welfare.services import birthdays, care, programmes, vouchers

MERCHANT_LOGIN = "SH0001"


def _finance_line(year: int, unit: Any, code: str) -> Any:
    from smartunion.finance.models import BudgetLine, Category

    line, _created = BudgetLine.objects.get_or_create(
        year=year, unit=unit, category=Category.objects.get(code=code), defaults={"amount": "900000.00"}
    )
    return line


def _programme(
    *,
    staff: Any,
    root: Any,
    item_code: str,
    title: str,
    value: str,
    counted_on: dt.date,
    deadline: dt.datetime,
    merchants: list[Any],
    valid_to: dt.date,
) -> Programme:
    item = WelfareItem.objects.get(code=item_code)
    programme = programmes.programme_save(
        actor=staff,
        title=title,
        item=item,
        unit=root,
        value_per_member=value,
        eligible_statuses=[Membership.Status.FULL, Membership.Status.TEMPORARY],
        counted_on=counted_on,
        choice_deadline=deadline,
        budget_line=_finance_line(counted_on.year, root, item.expense_category_code),
        voucher_valid_from=counted_on,
        voucher_valid_to=valid_to,
    )
    programmes.option_save(
        actor=staff,
        programme=programme,
        name="超市提货券",
        description="凭券在校内生活服务中心超市选购等值商品",
        form=Form.VOUCHER,
        merchants=merchants,
        is_default=True,
    )
    programmes.option_save(
        actor=staff,
        programme=programme,
        name="节日礼盒（粽子、咸鸭蛋、绿豆糕）" if item_code == "dragon_boat" else "新年礼盒（坚果、茶叶）",
        description="由校工会统一采购，分工会代领后发放",
        form=Form.IN_KIND,
    )
    programmes.programme_open(actor=staff, programme=programme)
    return programme


def seed_welfare(
    *, staff: Any, approver: Any, chairs: dict[int, Any], root: Any, branches: list[Any], seed: int
) -> dict[str, int]:
    rng = random.Random(seed)
    today = timezone.localdate()
    counts = {"issued": 0, "care": 0}

    supermarket = vouchers.merchant_save(
        actor=staff, name="江海大学生活服务中心超市", contact="0513-8501 2233", address="校本部东区食堂一楼"
    )
    bakery = vouchers.merchant_save(actor=staff, name="元祖蛋糕（江海店）", contact="0513-8502 6688")
    cashier, _password = vouchers.merchant_user_add(
        actor=staff, merchant=supermarket, staff_no=MERCHANT_LOGIN, name="超市收银台"
    )
    User.objects.filter(pk=cashier.pk).update(password=make_password(DEMO_PASSWORD))

    # 端午: chosen by some members, the rest get the default; issued; some vouchers redeemed and settled.
    year = today.year
    if today > dt.date(year, 6, 30):
        dragon = _programme(
            staff=staff,
            root=root,
            item_code="dragon_boat",
            title=f"{year}年端午节福利",
            value="300.00",
            counted_on=dt.date(year, 5, 20),
            deadline=timezone.make_aware(dt.datetime(year, 12, 31, 23, 0)),
            merchants=[supermarket],
            valid_to=dt.date(year, 12, 31),
        )
        options = list(dragon.options.order_by("sort_order", "pk"))
        for entitlement in Entitlement.objects.filter(programme=dragon).select_related("person__user"):
            if entitlement.person.user_id and rng.random() < 0.4:
                programmes.entitlement_choose(
                    actor=entitlement.person.user, entitlement=entitlement, option=rng.choice(options)
                )
        # The choosing window is over: the deadline moves to before the issue day, then it is issued.
        Programme.objects.filter(pk=dragon.pk).update(
            choice_deadline=timezone.make_aware(dt.datetime(year, 6, 10, 18, 0))
        )
        dragon.refresh_from_db()
        programmes.programme_issue(actor=staff, programme=dragon)
        # The worker runs the task; the demo runs it here (a second run issues nothing twice).
        programmes.programme_issue_run(programme_id=dragon.pk, actor_id=staff.pk)
        counts["issued"] += Issuance.objects.filter(programme=dragon).count()
        redeemed = 0
        for voucher in Voucher.objects.filter(issuance__programme=dragon).order_by("pk")[:40]:
            vouchers.voucher_redeem(actor=cashier, code=voucher.code, merchant=supermarket)
            redeemed += 1
        if redeemed:
            vouchers.settlement_create(
                actor=staff, merchant=supermarket, period_from=dt.date(year, 1, 1), period_to=today
            )

    # 元旦 of next year: open for choice now (the member login can choose on the phone).
    _programme(
        staff=staff,
        root=root,
        item_code="new_year",
        title=f"{year + 1}年元旦福利",
        value="200.00",
        counted_on=today,
        deadline=timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=14), dt.time(18, 0))),
        merchants=[supermarket, bakery],
        valid_to=today + dt.timedelta(days=90),
    )

    # Birthdays: every month of the year so far (cake vouchers).
    counts["issued"] += sum(result.issued for result in birthdays.birthday_catch_up(today, actor=staff))

    # 五必访 in the sub-unions with a chair: reported, approved, visited.
    hospital = CareEventType.objects.get(code="hospital")
    wedding = CareEventType.objects.get(code="wedding")
    retirement = CareEventType.objects.get(code="retirement")
    with_chair = [branch for branch in branches if branch.pk in chairs]
    for number, branch in enumerate(with_chair[:6]):
        chair = chairs[branch.pk]
        people = list(
            Person.objects.filter(
                unit__path__startswith=branch.path, membership__status=Membership.Status.FULL
            ).order_by("staff_no")[5:8]
        )
        for step, (person, event_type) in enumerate(
            zip(people, [hospital, wedding, retirement], strict=False)
        ):
            event = care.care_event_report(
                actor=chair,
                person=person,
                event_type=event_type,
                occurred_on=today - dt.timedelta(days=3 + number + step * 5),
                description={"hospital": "因腰椎手术在附属医院住院治疗。", "wedding": "本人结婚。"}.get(
                    event_type.code, "光荣退休。"
                ),
            )
            counts["care"] += 1
            if step == 2 and number % 2:
                continue  # left to approve on the demo
            suggestion = care.suggestion_for(event)
            amount = suggestion.amount if suggestion.amount is not None else Decimal("0")
            form = Form.CASH if event_type.code == "hospital" else Form.IN_KIND
            care.care_event_approve(actor=approver, event=event, amount=amount, form=form)
            if step == 0:
                care.care_visit_record(
                    actor=chair,
                    event=CareEvent.objects.get(pk=event.pk),
                    visited_on=today - dt.timedelta(days=1 + number),
                    visitors=[chair.display_name, "工会小组长"],
                    notes="带去校工会和分工会的慰问，询问治疗和家庭情况，嘱咐安心养病。",
                    photos=[care.Upload("走访.png", invoice_png())],
                )
    return counts
