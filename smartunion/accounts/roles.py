"""The seeded roles and the synchronisation of permission codes from the registry to the database.

Each app declares which seeded roles hold its codes by default. After every migrate, codes new to the
database are created and granted to those roles; a code an administrator later took away from a role
is not given back, because it is no longer new.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from smartunion.core.permissions import all_permissions

MEMBER = "member"
SUBUNION_CHAIR = "subunion_chair"
SUBUNION_COMMITTEE = "subunion_committee"
UNION_STAFF = "union_staff"
UNION_CHAIR = "union_chair"
HANDLING_OFFICE = "handling_office"
AUDITOR = "auditor"
SYSADMIN = "sysadmin"
MERCHANT = "merchant"
SCHOOL_LEADER = "school_leader"
PROPOSAL_COMMITTEE = "proposal_committee"

# (code, Chinese name, description) — role names are data, editable by the system administrator.
DEFAULT_ROLES = [
    (MEMBER, "会员", "每一位工会会员：会员端的全部功能"),
    (SUBUNION_CHAIR, "分工会主席", "本分工会及其下属工会小组的管理"),
    (SUBUNION_COMMITTEE, "分工会委员", "协助分工会主席，查看本分工会的数据"),
    (UNION_STAFF, "校工会工作人员", "校工会日常工作，覆盖全校"),
    (UNION_CHAIR, "校工会主席", "校工会的审批与决策，覆盖全校"),
    (HANDLING_OFFICE, "承办部门", "办理交办给本部门的提案与诉求"),
    (AUDITOR, "经审委员", "经费审查委员会：只读查看经费与审计日志"),
    (SYSADMIN, "系统管理员", "账号、角色与系统设置"),
    (MERCHANT, "商户", "提货券兑付商户：扫码核销、查看本店核销记录"),
    (SCHOOL_LEADER, "分管校领导", "批示提案、审签分管部门的提案答复，查看提案统计"),
    (PROPOSAL_COMMITTEE, "提案工作委员会", "教代会提案的审查立案、交办、督办与统计"),
]
gettext_noop("Roles are seeded in Chinese; rename them on the roles page.")


@transaction.atomic
def sync_permissions_and_roles(**kwargs: Any) -> None:
    from .models import Permission, Role

    new_roles = set()
    for order, (code, name, description) in enumerate(DEFAULT_ROLES):
        _, created = Role.objects.get_or_create(
            code=code,
            defaults={"name": name, "description": description, "is_system": True, "sort_order": order},
        )
        if created:
            new_roles.add(code)
    roles = {role.code: role for role in Role.objects.all()}
    known = {permission.code: permission for permission in Permission.objects.all()}
    for spec in all_permissions():
        permission = known.get(spec.code)
        if permission is None:
            permission = Permission.objects.create(code=spec.code, app_label=spec.code.split(".", 1)[0])
            grant_to = spec.default_roles
        else:
            # A role seeded by this upgrade gets its default codes, even those older than the role.
            grant_to = tuple(code for code in spec.default_roles if code in new_roles)
        for role_code in grant_to:
            role = roles.get(role_code)
            if role is not None:
                role.permissions.add(permission)
