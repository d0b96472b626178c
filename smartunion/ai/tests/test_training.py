"""Versioning and the promotion rule of ``train_router``, and the retrain task."""

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError

from smartunion.ai.models import RouterModel
from smartunion.ai.services import training
from smartunion.ai.tasks import request_retrain, retrain_router
from smartunion.ai.tests import corpus
from smartunion.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> Iterator[corpus.FakeOwner]:
    fake = corpus.FakeOwner("test-training")
    yield fake
    fake.close()


def active(name: str) -> RouterModel:
    return RouterModel.objects.get(router=name, status=RouterModel.Status.ACTIVE)


def test_holdout_split_is_stratified_and_spares_rare_labels() -> None:
    examples = (
        [(f"t{i}", "a") for i in range(10)] + [(f"u{i}", "b") for i in range(5)] + [("v", "c"), ("w", "c")]
    )
    train, held = training.holdout_split(examples, seed=1)
    assert sorted(train + held) == sorted(examples)
    assert sum(1 for _, label in held if label == "a") == 2
    assert sum(1 for _, label in held if label == "b") == 1
    assert not [row for row in held if row[1] == "c"]  # 2 examples: none held out


def test_should_promote_thresholds() -> None:
    measured = {"evaluated": True, "macro_f1": 0.8}
    assert training.should_promote(measured, None)
    assert training.should_promote(measured, {"evaluated": True, "macro_f1": 0.79})
    assert training.should_promote(measured, {"evaluated": True, "macro_f1": 0.8})  # equal → promoted
    assert not training.should_promote(measured, {"evaluated": True, "macro_f1": 0.81})
    unmeasured = {"evaluated": False}
    assert training.should_promote(unmeasured, None)
    assert training.should_promote(unmeasured, {"evaluated": False})
    assert not training.should_promote(unmeasured, {"evaluated": True, "macro_f1": 0.1})
    assert training.should_promote(measured, {"evaluated": False})


def test_cold_start_then_supervised_promoted_with_versions(owner, make_user) -> None:
    actor = make_user(name="训练者")
    first = training.train_router(router=owner.name, actor=actor)
    assert (first.version, first.kind, first.status) == (1, "zero_shot", "active")
    assert first.metrics["evaluated"] is False
    assert first.created_by == actor
    assert first.sklearn_version and first.jieba_version
    assert first.pipeline

    owner.examples = corpus.examples(per_label=25)
    second = training.train_router(router=owner.name, actor=actor)
    assert (second.version, second.kind, second.status) == (2, "supervised", "active")
    assert second.examples == 100
    assert second.metrics["evaluated"] is True
    assert second.metrics["holdout"] == 20
    assert second.metrics["macro_f1"] >= 0.9
    assert second.metrics["refit"] is True
    assert second.metrics["baseline_version"] == 1
    assert second.metrics["baseline_macro_f1"] is not None
    first.refresh_from_db()
    assert first.status == RouterModel.Status.RETIRED
    assert RouterModel.objects.filter(router=owner.name, status="active").count() == 1
    actions = list(AuditEntry.objects.filter(action__startswith="ai.model.").values_list("action", flat=True))
    assert actions.count("ai.model.trained") == 2 and actions.count("ai.model.promoted") == 2


def test_worse_candidate_is_rejected_and_active_unchanged(owner, monkeypatch) -> None:
    owner.examples = corpus.examples(per_label=25)
    kept = training.train_router(router=owner.name)
    scores = iter([0.5, 0.9])  # candidate, then the active version on the same held-out texts

    def fake_evaluate(pipeline, texts, labels):
        return {"accuracy": 0.5, "macro_f1": next(scores), "top3_accuracy": 1.0, "n": len(texts)}

    monkeypatch.setattr(training.ml, "evaluate", fake_evaluate)
    worse = training.train_router(router=owner.name)
    assert worse.status == RouterModel.Status.REJECTED
    assert worse.version == kept.version + 1
    assert worse.metrics["macro_f1"] == 0.5 and worse.metrics["baseline_macro_f1"] == 0.9
    assert bytes(worse.pipeline) == b""
    assert active(owner.name).pk == kept.pk
    assert AuditEntry.objects.filter(action="ai.model.rejected", target_id=str(worse.pk)).exists()


def test_equal_candidate_is_promoted(owner, monkeypatch) -> None:
    owner.examples = corpus.examples(per_label=25)
    old = training.train_router(router=owner.name)
    monkeypatch.setattr(
        training.ml,
        "evaluate",
        lambda p, t, labels: {"accuracy": 1, "macro_f1": 0.7, "top3_accuracy": 1, "n": len(t)},
    )
    new = training.train_router(router=owner.name)
    assert new.status == RouterModel.Status.ACTIVE
    old.refresh_from_db()
    assert old.status == RouterModel.Status.RETIRED


def test_tiny_data_not_evaluated_never_replaces_a_measured_model(owner) -> None:
    owner.examples = corpus.examples(per_label=25)
    measured = training.train_router(router=owner.name)
    owner.examples = owner.examples[:6]
    tiny = training.train_router(router=owner.name)
    assert tiny.metrics["evaluated"] is False
    assert tiny.status == RouterModel.Status.REJECTED
    assert active(owner.name).pk == measured.pk


def test_tiny_data_replaces_the_cold_start(owner) -> None:
    training.train_router(router=owner.name)
    owner.examples = corpus.examples(per_label=25)[:8]
    tiny = training.train_router(router=owner.name)
    assert tiny.status == RouterModel.Status.ACTIVE and tiny.kind == "supervised"


def test_nothing_to_learn_from(owner) -> None:
    owner.seeds = []
    with pytest.raises(ValidationError):
        training.train_router(router=owner.name)
    assert not RouterModel.objects.filter(router=owner.name).exists()
    assert retrain_router.call(owner.name) is None  # the task logs and gives up


def test_retrain_task_on_commit(owner, django_capture_on_commit_callbacks, make_user) -> None:
    actor = make_user(name="点击者")
    owner.examples = corpus.examples(per_label=25)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request_retrain(router=owner.name, actor=actor)
        assert not RouterModel.objects.filter(router=owner.name).exists()  # nothing before commit
    assert len(callbacks) == 1
    model = active(owner.name)
    assert model.kind == "supervised" and model.created_by == actor
