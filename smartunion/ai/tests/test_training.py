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


def split_corpus() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A: the 100 examples the active version is trained on; B: 100 other (distinct) ones arriving later."""
    both = corpus.examples(per_label=50)
    return both[:100], both[100:]


def spy_evaluate(monkeypatch, scores: list[float] | None = None) -> list[list[str]]:
    """Record the texts each evaluation is given (candidate first, then the active version); with
    ``scores``, answer those macro-F1 figures in turn instead of evaluating."""
    calls: list[list[str]] = []
    real = training.ml.evaluate
    answers = iter(scores or [])

    def evaluate(pipeline, texts, labels):
        calls.append(list(texts))
        if scores is None:
            return real(pipeline, texts, labels)
        return {"accuracy": 0.5, "macro_f1": next(answers), "top3_accuracy": 1.0, "n": len(texts)}

    monkeypatch.setattr(training.ml, "evaluate", evaluate)
    return calls


def test_digests_round_trip() -> None:
    examples = [("食堂太贵", "canteen"), ("食堂太贵", "canteen"), ("食堂太贵", "parking")]
    packed = training.pack_digests(examples)
    assert len(packed) == 2 * training.DIGEST_SIZE  # one per distinct (text, label)
    assert training.unpack_digests(packed) == {training.example_digest(t, label) for t, label in examples}
    assert training.unpack_digests(b"") == set()


def test_holdout_split_draws_only_from_unseen_examples() -> None:
    a, b = split_corpus()
    seen = training.unpack_digests(training.pack_digests(a))
    train, held = training.holdout_split(a + b, seen=seen, seed=3)
    assert len(held) == 40  # 20% of all 200, all drawn from the 100 unseen
    assert set(held) <= set(b) and not set(held) & set(a)
    assert sorted(train + held) == sorted(a + b)
    per_label = {label: sum(1 for _, x in held if x == label) for label in corpus.LABELS}
    unseen = {label: sum(1 for _, x in b if x == label) for label in corpus.LABELS}
    for label in corpus.LABELS:  # proportional to each label's unseen examples (±1)
        assert abs(per_label[label] - 40 * unseen[label] / 100) < 1, (per_label, unseen)
    # fewer unseen than 20%: all of them, never a seen one
    train, held = training.holdout_split(a + b[:12], seen=seen, seed=3)
    assert sorted(held) == sorted(b[:12])
    # everything seen: nothing to hold out
    assert training.holdout_split(a, seen=seen)[1] == []


def test_candidate_is_scored_only_on_examples_the_active_version_has_not_seen(owner, monkeypatch) -> None:
    a, b = split_corpus()
    owner.examples = a
    first = training.train_router(router=owner.name)  # over nothing: held out from A, refitted on all A
    assert first.status == "active" and first.metrics["evaluated"] is True
    assert training.unpack_digests(first.training_digests) == {training.example_digest(*e) for e in a}

    owner.examples = a + b
    calls = spy_evaluate(monkeypatch)
    fitted_on: list[list[tuple[str, str]]] = []
    real_fit = training.ml.fit

    def fit(examples, seeds=(), **kwargs):
        fitted_on.append(list(examples))
        return real_fit(examples, seeds, **kwargs)

    monkeypatch.setattr(training.ml, "fit", fit)
    second = training.train_router(router=owner.name)
    assert len(calls) == 2 and calls[0] == calls[1]  # candidate and active on the same texts
    held = set(calls[0])
    assert not held & {text for text, _ in a}  # no text the active version was trained on
    assert held <= {text for text, _ in b}
    assert second.metrics["holdout"] == len(held) == 40 and second.metrics["unseen"] == 100
    assert second.metrics["baseline_version"] == first.version
    assert second.metrics["baseline_macro_f1"] is not None
    # the candidate was fitted on all the other examples; the promoted one was refitted on all of them
    assert sorted(fitted_on[0]) == sorted(e for e in a + b if e[0] not in held)
    assert second.status == "active", (
        second.note
    )  # the same data source, twice the examples: at least as good
    assert sorted(fitted_on[1]) == sorted(a + b)
    assert training.unpack_digests(second.training_digests) == {training.example_digest(*e) for e in a + b}


@pytest.mark.parametrize(
    ("candidate", "active_score", "promoted"), [(0.9, 0.8, True), (0.5, 0.9, False), (0.7, 0.7, True)]
)
def test_better_or_equal_promoted_worse_rejected(
    owner, monkeypatch, candidate, active_score, promoted
) -> None:
    a, b = split_corpus()
    owner.examples = a
    kept = training.train_router(router=owner.name)
    owner.examples = a + b
    calls = spy_evaluate(monkeypatch, [candidate, active_score])
    new = training.train_router(router=owner.name)
    assert not set(calls[0]) & {text for text, _ in a}
    assert new.version == kept.version + 1
    assert new.metrics["macro_f1"] == candidate and new.metrics["baseline_macro_f1"] == active_score
    kept.refresh_from_db()
    if promoted:
        assert new.status == RouterModel.Status.ACTIVE and bytes(new.pipeline)
        assert kept.status == RouterModel.Status.RETIRED
        assert AuditEntry.objects.filter(action="ai.model.promoted", target_id=str(new.pk)).exists()
    else:
        assert new.status == RouterModel.Status.REJECTED
        assert bytes(new.pipeline) == b"" and bytes(new.training_digests) == b""
        assert active(owner.name).pk == kept.pk
        assert AuditEntry.objects.filter(action="ai.model.rejected", target_id=str(new.pk)).exists()
        assert "scored better" in new.note


def test_too_few_unseen_examples_not_evaluated_nor_promoted_over_a_measured_model(owner, monkeypatch) -> None:
    a, b = split_corpus()
    owner.examples = a
    measured = training.train_router(router=owner.name)
    owner.examples = a + b[:3]  # only 3 examples the active version has not seen
    calls = spy_evaluate(monkeypatch)
    new = training.train_router(router=owner.name)
    assert calls == []
    assert new.metrics["evaluated"] is False and new.metrics["unseen"] == 3 and new.metrics["holdout"] == 0
    assert new.status == RouterModel.Status.REJECTED
    assert "could not be" in new.note
    assert active(owner.name).pk == measured.pk
    # retraining on the same examples again changes nothing either: they are all seen now or too few
    assert training.train_router(router=owner.name).status == RouterModel.Status.REJECTED


def test_a_version_without_recorded_digests_is_replaced_by_an_evaluated_candidate(owner) -> None:
    owner.examples = corpus.examples(per_label=25)
    old = training.train_router(router=owner.name)
    RouterModel.objects.filter(pk=old.pk).update(training_digests=b"")  # stored before digests existed
    new = training.train_router(router=owner.name)
    assert new.metrics["evaluated"] is True and new.metrics["holdout"] == 20
    assert new.status == RouterModel.Status.ACTIVE
    assert "could not be compared fairly" in new.note


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
