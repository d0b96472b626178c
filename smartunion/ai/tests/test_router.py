"""The router as plain ML on the generated corpus (fast: a few hundred short texts)."""

import pickle

import pytest

from smartunion.ai import router
from smartunion.ai.tests import corpus


@pytest.fixture(scope="module")
def data() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    train = corpus.examples(per_label=25, seed=1)
    test = [row for row in corpus.examples(per_label=25, seed=2) if row not in train]
    return train, test


def test_supervised_fit_predicts_held_out_sentences(data) -> None:
    train, test = data
    result = router.fit(train, corpus.SEEDS)
    assert result.kind == router.KIND_SUPERVISED
    assert result.classifier == "calibrated LinearSVC"
    assert sorted(result.labels) == sorted(corpus.LABELS)
    assert result.examples == len(train)
    figures = router.evaluate(result.pipeline, [t for t, _ in test], [label for _, label in test])
    assert figures["accuracy"] >= 0.9
    assert figures["macro_f1"] >= 0.9
    assert figures["top3_accuracy"] == 1.0


def test_predict_top_is_sorted_probabilities(data) -> None:
    result = router.fit(data[0], corpus.SEEDS)
    [top] = router.predict_top(result.pipeline, ["食堂的菜太咸了，希望改进"], k=3)
    assert len(top) == 3
    assert top[0][0] == "canteen"
    confidences = [p for _, p in top]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 <= p <= 1 for p in confidences)
    assert router.predict_top(result.pipeline, [], k=3) == []
    # k larger than the number of labels: every label once
    assert len(router.predict_top(result.pipeline, ["网速慢"], k=10)[0]) == 4


def test_zero_shot_from_seeds_only() -> None:
    result = router.fit([], corpus.SEEDS)
    assert result.kind == router.KIND_ZERO_SHOT
    assert result.examples == 0
    test = corpus.examples(per_label=25, seed=3)
    figures = router.evaluate(result.pipeline, [t for t, _ in test], [label for _, label in test])
    assert figures["accuracy"] >= 0.7, figures
    [top] = router.predict_top(result.pipeline, ["停车位太少了，外来车辆乱停"], k=1)
    assert top[0][0] == "parking"


def test_few_examples_fall_back_to_uncalibrated_svc() -> None:
    few = [("食堂饭菜太贵", "canteen"), ("停车位不够", "parking"), ("工资发放延迟", "salary")]
    result = router.fit(few)
    assert result.classifier == "LinearSVC + softmax"
    [top] = router.predict_top(result.pipeline, ["食堂的饭菜又贵又咸"], k=3)
    assert top[0][0] == "canteen"
    assert abs(sum(p for _, p in top) - 1) < 1e-6


def test_two_labels_and_a_single_label() -> None:
    two = router.fit([("食堂饭菜太贵", "a"), ("停车位不够", "b")])
    assert router.predict_top(two.pipeline, ["饭菜太贵"], k=3)[0][0][0] == "a"
    one = router.fit([("食堂饭菜太贵", "only")], [("食堂 餐厅", "only")])
    assert router.predict_top(one.pipeline, ["任何内容"], k=3) == [[("only", 1.0)]]


def test_nothing_to_learn_from() -> None:
    with pytest.raises(ValueError):
        router.fit([], [])
    with pytest.raises(ValueError):
        router.fit([("   ", "a")], [("", "b")])


def test_fitted_pipeline_round_trips_through_pickle(data) -> None:
    result = router.fit(data[0][:40], corpus.SEEDS)
    again = pickle.loads(pickle.dumps(result.pipeline))
    text = ["宿舍宽带经常断线"]
    assert router.predict_top(again, text) == router.predict_top(result.pipeline, text)


def test_seed_documents_split_keywords() -> None:
    docs = router.seed_documents([("食堂 饭菜、价格 食堂与餐饮", "canteen"), ("", "x")])
    texts = [text for text, _ in docs]
    assert texts[0] == "食堂 饭菜、价格 食堂与餐饮"
    assert {"食堂", "饭菜", "价格", "食堂与餐饮"} <= set(texts)
    assert all(label == "canteen" for _, label in docs)
