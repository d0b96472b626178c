"""The routers' model pages: list (with the empty state), a version's page, "retrain now"."""

from collections.abc import Iterator

import pytest
from django.urls import reverse

from smartunion.ai.models import RouterModel
from smartunion.ai.services import training
from smartunion.ai.tests import corpus
from smartunion.core.audit import action_label
from smartunion.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> Iterator[corpus.FakeOwner]:
    fake = corpus.FakeOwner("test-views", examples=corpus.examples(per_label=25))
    yield fake
    fake.close()


@pytest.fixture
def staff(client, tree, make_user):
    user = make_user("union_staff", tree.a, name="工会干事")
    client.force_login(user)
    return user


def test_empty_state_and_router_row(client, staff, owner) -> None:
    response = client.get(reverse("ai:model_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No model version yet" in page
    assert "Test router test-views" in page
    assert reverse("ai:model_retrain", kwargs={"router": owner.name}) in page
    assert "data-confirm" in page
    assert "Routing models" in page  # nav item in the System group


def test_list_and_detail_show_versions_and_metrics(
    client, staff, owner, django_assert_max_num_queries
) -> None:
    more = corpus.examples(per_label=50)
    owner.examples = more[:100]
    training.train_router(router=owner.name)
    owner.examples = more  # v2 is evaluated on examples v1 has not seen
    model = training.train_router(router=owner.name)
    assert model.status == "active" and model.metrics["evaluated"]
    with django_assert_max_num_queries(25):
        page = client.get(reverse("ai:model_list")).content.decode()
    assert "v1" in page and "v2" in page
    assert "scikit-learn" in page
    assert f"F1 {model.metrics['macro_f1']:.3f}" in page
    filtered = client.get(reverse("ai:model_list"), {"status": "retired"}).content.decode()
    assert (
        "v1" in filtered
        and f'href="{reverse("ai:model_detail", args=[model.pk])}"' not in filtered.split('id="versions"')[1]
    )
    detail = client.get(reverse("ai:model_detail", args=[model.pk])).content.decode()
    assert "Held-out examples" in detail and str(model.metrics["holdout"]) in detail
    assert model.note[:30] in detail
    assert client.get(reverse("ai:model_detail", args=[999999])).status_code == 404


def test_retrain_now_queues_the_task(client, staff, owner, django_capture_on_commit_callbacks) -> None:
    url = reverse("ai:model_retrain", kwargs={"router": owner.name})
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("ai:model_list")
    model = RouterModel.objects.get(router=owner.name)
    assert model.status == "active" and model.created_by == staff
    followed = client.get(reverse("ai:model_list")).content.decode()
    assert "Retraining" in followed
    assert client.post(reverse("ai:model_retrain", kwargs={"router": "nope"})).status_code == 404


def test_retrain_now_is_audited(client, staff, owner, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("ai:model_retrain", kwargs={"router": owner.name}))
    entry = AuditEntry.objects.get(action="ai.model.retrain_requested")
    assert entry.actor == staff and entry.changes == {"router": owner.name}
    assert action_label("ai.model.retrain_requested") == "Router retraining requested"
    client.post(reverse("ai:model_retrain", kwargs={"router": "nope"}))
    assert AuditEntry.objects.filter(action="ai.model.retrain_requested").count() == 1


def test_refused_without_the_permission(client, tree, make_user, owner) -> None:
    client.force_login(make_user("subunion_chair", tree.a))
    assert client.get(reverse("ai:model_list")).status_code == 403
    assert client.post(reverse("ai:model_retrain", kwargs={"router": owner.name})).status_code == 403
    assert not RouterModel.objects.filter(router=owner.name).exists()
