from __future__ import annotations

from typing import Any

import pytest

from smartunion.members import services
from smartunion.members.models import Person, StaffCategory


@pytest.fixture
def make_person(tree: Any) -> Any:
    counter = {"n": 0}

    def make(unit: Any = None, **fields: Any) -> Person:
        counter["n"] += 1
        defaults = {
            "staff_no": f"P{counter['n']:04d}",
            "name": f"教工{counter['n']}",
            "sex": "F",
            "category": StaffCategory.objects.get(name="在编"),
            "unit": unit or tree.a,
        }
        defaults.update(fields)
        return services.person_create(actor=None, **defaults)

    return make
