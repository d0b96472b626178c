"""``suggest``: cold start, the active version, the per-process cache, and its query budget."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartunion.ai.models import RouterModel
from smartunion.ai.services import routing, training
from smartunion.ai.tests import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> Iterator[corpus.FakeOwner]:
    fake = corpus.FakeOwner("test-routing")
    routing.clear_cache()
    yield fake
    fake.close()


def test_no_seeds_and_no_examples_is_empty(owner) -> None:
    owner.seeds = []
    prediction = routing.suggest(owner.name, "食堂饭菜太贵")
    assert prediction == routing.Prediction(version=None, suggestions=[])
    assert not RouterModel.objects.filter(router=owner.name).exists()


def test_unknown_router() -> None:
    with pytest.raises(LookupError):
        routing.suggest("no-such-router", "x")


def test_cold_start_is_fitted_on_first_suggest(owner) -> None:
    prediction = routing.suggest(owner.name, "停车位太少，外来车辆乱停", k=3)
    assert prediction.version == 1
    assert len(prediction.suggestions) == 3
    assert prediction.suggestions[0].label == "parking"
    confidences = [s.confidence for s in prediction.suggestions]
    assert confidences == sorted(confidences, reverse=True)
    model = RouterModel.objects.get(router=owner.name)
    assert (model.kind, model.status) == ("zero_shot", "active")
    # the second call uses it, no second version
    routing.suggest(owner.name, "网速太慢")
    assert RouterModel.objects.filter(router=owner.name).count() == 1


def test_existing_examples_without_a_version_queue_a_retrain(
    owner, django_capture_on_commit_callbacks
) -> None:
    owner.examples = corpus.examples(per_label=25)
    with django_capture_on_commit_callbacks(execute=True):
        assert routing.suggest(owner.name, "工资少发了").version == 1
    versions = RouterModel.objects.filter(router=owner.name)
    assert versions.get(status="active").kind == "supervised"
    assert versions.count() == 2


def test_blank_text_has_no_suggestions(owner) -> None:
    prediction = routing.suggest(owner.name, "   ")
    assert prediction.version == 1 and prediction.suggestions == []


def test_cache_one_query_when_warm_and_reload_on_promotion(owner) -> None:
    routing.suggest(owner.name, "食堂")
    with CaptureQueriesContext(connection) as queries:
        prediction = routing.suggest(owner.name, "食堂饭菜太咸了")
    assert len(queries) <= 2
    assert len(queries) == 1  # just "which version is active?"
    assert prediction.suggestions[0].label == "canteen"

    owner.examples = corpus.examples(per_label=25)
    new = training.train_router(router=owner.name)
    assert new.status == "active"
    with CaptureQueriesContext(connection) as queries:
        prediction = routing.suggest(owner.name, "食堂饭菜太咸了")
    assert prediction.version == new.version
    assert len(queries) == 2  # active row + its pipeline, once
    assert routing._cache[owner.name][0] == new.pk


def test_suggest_costs_one_query_each_once_warm(owner) -> None:
    """Query-count guard (no timing assertions in unit tests; latency is measured by ``ai_benchmark``):
    once warm, every suggestion asks only which version is active and never reloads the pipeline."""
    owner.examples = corpus.examples(per_label=25)
    training.train_router(router=owner.name)
    routing.suggest(owner.name, "预热")
    texts = [text for text, _ in corpus.examples(per_label=5, seed=5)]
    with CaptureQueriesContext(connection) as queries:
        predictions = [routing.suggest(owner.name, text) for text in texts]
    assert len(queries) == len(texts)
    assert not [q for q in queries.captured_queries if "pipeline" in q["sql"] or "digests" in q["sql"]]
    assert all(p.suggestions for p in predictions)


def test_unloadable_pipeline_gives_no_suggestions(owner) -> None:
    routing.suggest(owner.name, "食堂")
    RouterModel.objects.filter(router=owner.name).update(pipeline=b"not a pickle")
    routing.clear_cache()
    assert routing.suggest(owner.name, "食堂") == routing.Prediction(version=None)


def test_warm_up_loads_active_pipelines(owner) -> None:
    routing.suggest(owner.name, "食堂")
    routing.clear_cache()
    routing.warm_up()
    assert owner.name in routing._cache
