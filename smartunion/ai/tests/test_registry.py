import pytest

from smartunion.ai.registry import RouterSpec, TrainingData, routers


def test_register_get_all_unregister() -> None:
    spec = RouterSpec(name="zz-registry", label="Z", training_data=lambda: TrainingData([("a", "1")], []))
    routers.register(spec)
    try:
        assert routers.get("zz-registry") is spec
        assert spec in routers.all()
        assert routers.get("zz-registry").training_data().examples == [("a", "1")]
    finally:
        routers.unregister("zz-registry")
    with pytest.raises(LookupError):
        routers.get("zz-registry")


def test_training_data_defaults_are_independent() -> None:
    first, second = TrainingData(), TrainingData()
    first.examples.append(("x", "y"))
    assert second.examples == []
