"""Fitting, evaluating and promoting router versions.

The promotion rule (``train_router``) compares the candidate with the active version on confirmed examples
*neither has seen*: each stored version records which examples it was fitted on
(``RouterModel.training_digests``, an 8-byte digest per (text, label)), so the active version is never
scored on its own training texts (which would let it beat every later version).

1. The held-out texts are drawn only from the confirmed examples the active version has not seen (all of
   them when it is the cold start or there is none): stratified by label (proportionally to the unseen
   examples of each label), at most ~20% of *all* examples, never from a label with fewer than 3 examples
   in all, and leaving at least 2 of each label to the training. The candidate is fitted on all the other
   examples plus the seeds.
2. The candidate and the active version are scored on those same unseen held-out texts (macro-F1).
3. The candidate is promoted when its macro-F1 is at least the active version's (ties promote: the newer
   version has seen more data). Otherwise it is kept as "not promoted" and the active version stays.
4. A promoted candidate is then refitted on *all* examples (the held-out ones too) and that refit is what
   is stored and used, with the digests of all of them; its recorded figures are those of the held-out
   evaluation (``metrics["refit"]``).
5. With fewer than ``MIN_HOLDOUT`` such unseen texts to hold out (e.g. few new confirmed routings since the
   active version was fitted), or with no examples at all (zero-shot from the seeds), the candidate cannot
   be evaluated: it is fitted on all examples and promoted only when there is no active version, or the
   active one was not evaluated either (a cold-start or tiny model) — never over a measured model. The next
   retrain, with more new examples, can evaluate it.
6. An active supervised version stored before the digests were recorded (empty ``training_digests``) may
   have seen any example, so it cannot be scored fairly: the held-out texts are drawn from all examples and
   an evaluated candidate replaces it (once; its successor records its digests).

Rejected candidates keep their figures but not their pipeline (a fitted pipeline is megabytes) nor digests.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import random
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

import jieba
import sklearn
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit

from .. import router as ml
from ..models import RouterModel
from ..registry import routers

logger = logging.getLogger(__name__)

HOLDOUT_SHARE = 0.2
MIN_HOLDOUT = 5


DIGEST_SIZE = 8


def example_digest(text: str, label: str) -> bytes:
    """The 8-byte blake2b digest of one confirmed example, as recorded in ``RouterModel.training_digests``."""
    return hashlib.blake2b(f"{label}\x00{text}".encode(), digest_size=DIGEST_SIZE).digest()


def pack_digests(examples: Sequence[tuple[str, str]]) -> bytes:
    return b"".join(sorted({example_digest(text, label) for text, label in examples}))


def unpack_digests(packed: bytes | memoryview) -> set[bytes]:
    data = bytes(packed or b"")
    return {data[i : i + DIGEST_SIZE] for i in range(0, len(data) - DIGEST_SIZE + 1, DIGEST_SIZE)}


def holdout_split(
    examples: Sequence[tuple[str, str]], *, seen: Collection[bytes] = (), seed: int = 0
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, held out). The held-out examples are drawn only from those whose digest is not in ``seen``
    (the active version's training examples), stratified by label proportionally to those unseen examples,
    ``round(len(examples) * 0.2)`` at most; a label with fewer than 3 examples in all is never held out and
    every label keeps at least 2 for the training. Duplicates of a held-out example are held out with it
    (none of them is trained on)."""
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    unseen: dict[str, dict[bytes, tuple[str, str]]] = defaultdict(dict)
    for text, label in examples:
        by_label[label].append((text, label))
        digest = example_digest(text, label)
        if digest not in seen:
            unseen[label].setdefault(digest, (text, label))
    rng = random.Random(seed)
    eligible: dict[str, list[bytes]] = {}
    for label in sorted(unseen):
        total = len(by_label[label])
        if total < 3:
            continue
        digests = sorted(unseen[label])
        rng.shuffle(digests)
        cap = min(len(digests), total - 2)
        if cap > 0:
            eligible[label] = digests[:cap]
    available = sum(len(digests) for digests in eligible.values())
    target = min(available, int(len(examples) * HOLDOUT_SHARE + 0.5))
    quotas = (
        {label: target * len(digests) // available for label, digests in eligible.items()} if target else {}
    )
    # the remainder to the labels with the largest fractions (then the larger labels, then by name)
    remainder = target - sum(quotas.values())
    order = sorted(
        eligible,
        key=lambda label: (-(target * len(eligible[label]) % available), -len(eligible[label]), label),
    )
    for label in order[:remainder]:
        quotas[label] += 1
    held_digests = {digest for label, n in quotas.items() for digest in eligible[label][:n]}
    train: list[tuple[str, str]] = []
    held: list[tuple[str, str]] = []
    for label in sorted(by_label):
        for text, _label in by_label[label]:
            digest = example_digest(text, label)
            if digest in held_digests:
                if unseen[label].pop(digest, None) is not None:  # each distinct held-out text once
                    held.append((text, label))
            else:
                train.append((text, label))
    return train, held


def should_promote(candidate: dict[str, Any], active: dict[str, Any] | None) -> bool:
    """The rule on two evaluations of the same held-out texts (``active`` None: no active version)."""
    if active is None:
        return True
    if not candidate.get("evaluated"):
        return not active.get("evaluated")
    if not active.get("evaluated"):
        return True
    return float(candidate["macro_f1"]) >= float(active["macro_f1"])


def load_pipeline(model: RouterModel) -> Any:
    return pickle.loads(bytes(model.pipeline))


def _dump(pipeline: Any) -> bytes:
    return pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL)


def _next_version(router: str) -> int:
    return (RouterModel.objects.filter(router=router).aggregate(v=Max("version"))["v"] or 0) + 1


def _active(router: str) -> RouterModel | None:
    return RouterModel.objects.filter(router=router, status=RouterModel.Status.ACTIVE).first()


def train_router(*, router: str, actor: Any = None) -> RouterModel:
    """Fit a new version of ``router`` from its owner's training data, evaluate it against the active
    version on the same held-out examples and promote it when it is at least as good (see the module
    docstring). Returns the new version, promoted or not."""
    spec = routers.get(router)
    data = spec.training_data()
    examples = [(text, str(label)) for text, label in data.examples if (text or "").strip()]
    seeds = [(text, str(label)) for text, label in data.seeds if (text or "").strip()]
    if not examples and not seeds:
        raise ValidationError(
            _("The router “%(router)s” has nothing to learn from: no confirmed examples and no descriptions.")
            % {"router": spec.label}
        )
    active = _active(router)
    version = _next_version(router)
    # Rule 6: a supervised version without recorded digests (stored before they were) may have seen anything.
    unknown_training = (
        active is not None
        and active.kind == RouterModel.Kind.SUPERVISED
        and not bytes(active.training_digests)
    )
    seen = unpack_digests(active.training_digests) if active is not None else set()
    train, held = holdout_split(examples, seen=seen, seed=version)
    evaluated = len(held) >= MIN_HOLDOUT
    if not evaluated:
        train, held = examples, []

    fitted = ml.fit(train, seeds)
    candidate_metrics: dict[str, Any] = {
        "evaluated": evaluated,
        "holdout": len(held),
        "train": len(train),
        "unseen": sum(1 for text, label in examples if example_digest(text, label) not in seen),
    }
    active_metrics: dict[str, Any] | None = None
    if evaluated:
        texts = [text for text, _ in held]
        labels = [label for _, label in held]
        candidate_metrics.update(ml.evaluate(fitted.pipeline, texts, labels))
        if unknown_training:
            active_metrics = {"evaluated": False, "unknown_training": True}
        elif active is not None:
            try:
                active_metrics = {"evaluated": True, **ml.evaluate(load_pipeline(active), texts, labels)}
            except Exception:  # an unloadable pickle (other sklearn version): anything beats it
                logger.exception("ai: active %s could not be evaluated", active)
                active_metrics = {"evaluated": True, "macro_f1": -1.0, "unloadable": True}
    elif active is not None:
        active_metrics = {"evaluated": bool(active.metrics.get("evaluated"))}
    promote = should_promote(candidate_metrics, active_metrics)

    metrics = dict(candidate_metrics)
    metrics["baseline_macro_f1"] = (active_metrics or {}).get("macro_f1") if evaluated else None
    metrics["baseline_version"] = active.version if active is not None else None
    metrics["classifier"] = fitted.classifier
    pipeline, fit_seconds = fitted.pipeline, fitted.fit_seconds
    note = _note(evaluated, promote, active, len(held), len(examples), unknown_training=unknown_training)
    if promote and held:
        refit = ml.fit(examples, seeds)
        pipeline, fit_seconds = refit.pipeline, refit.fit_seconds
        metrics["refit"] = True
        metrics["classifier"] = refit.classifier
        fitted = refit

    return _store(
        router=router,
        version=version,
        fitted=fitted,
        pipeline=pipeline if promote else None,
        fit_seconds=fit_seconds,
        metrics=metrics,
        promote=promote,
        active=active,
        note=note,
        actor=actor,
        examples=len(examples),
        digests=pack_digests(examples) if promote else b"",
    )


def _note(
    evaluated: bool,
    promote: bool,
    active: RouterModel | None,
    held: int,
    examples: int,
    *,
    unknown_training: bool = False,
) -> str:
    if not examples:
        base = _("Cold start: learned from the categories' descriptions and keywords only (not evaluated).")
    elif not evaluated:
        base = _(
            "Too few confirmed examples (%(n)d in all) that the version in use has not been trained on to "
            "hold any out: not evaluated."
        ) % {"n": examples}
    else:
        base = _(
            "Evaluated on %(held)d held-out confirmed examples (stratified, none of them seen by the version "
            "in use) against the version in use on the same texts."
        ) % {"held": held}
    if promote and evaluated and unknown_training:
        base += " " + _(
            "Promoted: the version in use does not record what it was trained on, so it could not be "
            "compared fairly. Refitted on all %(n)d examples; the figures are the held-out ones."
        ) % {"n": examples}
    elif promote and evaluated:
        base += " " + _(
            "Promoted, then refitted on all %(n)d examples; the figures are the held-out ones."
        ) % {"n": examples}
    elif promote:
        base += " " + (
            _("Promoted: there was no version in use.")
            if active is None
            else _("Promoted: the version in use was not evaluated either.")
        )
    elif not evaluated:
        base += " " + _(
            "Not promoted: the version in use (v%(v)d) was evaluated and this one could not be."
        ) % {"v": active.version if active else 0}
    else:
        base += " " + _("Not promoted: the version in use (v%(v)d) scored better.") % {
            "v": active.version if active else 0
        }
    return base


@transaction.atomic
def _store(
    *,
    router: str,
    version: int,
    fitted: ml.FitResult,
    pipeline: Any,
    fit_seconds: float,
    metrics: dict[str, Any],
    promote: bool,
    active: RouterModel | None,
    note: str,
    actor: Any,
    examples: int,
    digests: bytes = b"",
) -> RouterModel:
    # Lock the router's versions so that two retrains cannot both promote (or take the same number).
    current = list(
        RouterModel.objects.select_for_update(of=("self",))
        .filter(router=router, status=RouterModel.Status.ACTIVE)
        .values_list("pk", flat=True)
    )
    if (promote and active is not None and current != [active.pk]) or (
        promote and active is None and current
    ):
        promote = False
        note += " " + _("Not promoted: another version was put in use while this one was trained.")
    version = max(version, _next_version(router))
    model = RouterModel.objects.create(
        router=router,
        version=version,
        kind=fitted.kind,
        status=RouterModel.Status.CANDIDATE,
        labels=fitted.labels,
        examples=examples,
        metrics=metrics,
        fit_seconds=round(fit_seconds, 3),
        pipeline=_dump(pipeline) if promote else b"",
        training_digests=digests if promote else b"",
        sklearn_version=sklearn.__version__,
        jieba_version=jieba.__version__,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor=actor,
        action="ai.model.trained",
        target=model,
        changes={"kind": model.kind, "examples": examples, "metrics": metrics},
    )
    if promote:
        if active is not None:
            RouterModel.objects.filter(pk=active.pk).update(status=RouterModel.Status.RETIRED)
        model.status = RouterModel.Status.ACTIVE
        model.promoted_at = timezone.now()
        model.save(update_fields=["status", "promoted_at", "updated_at"])
        audit(
            actor=actor,
            action="ai.model.promoted",
            target=model,
            changes={"replaces": active.version if active else None, "macro_f1": metrics.get("macro_f1")},
        )
    else:
        model.status = RouterModel.Status.REJECTED
        model.save(update_fields=["status", "updated_at"])
        audit(
            actor=actor,
            action="ai.model.rejected",
            target=model,
            changes={
                "macro_f1": metrics.get("macro_f1"),
                "baseline_macro_f1": metrics.get("baseline_macro_f1"),
                "active_version": active.version if active else None,
            },
        )
    return model


def bootstrap_zero_shot(*, router: str) -> RouterModel | None:
    """The cold-start version, fitted on the seeds alone when a router has no version in use yet (called
    by ``suggest``). None when there is nothing to learn from. Safe against a concurrent bootstrap."""
    spec = routers.get(router)
    data = spec.training_data()
    seeds = [(text, str(label)) for text, label in data.seeds if (text or "").strip()]
    if data.examples:  # confirmed routings exist but no version yet: learn from them in the background
        from ..tasks import request_retrain

        request_retrain(router=router)
    if not seeds:
        return None
    fitted = ml.fit([], seeds)
    try:
        with transaction.atomic():
            return _store(
                router=router,
                version=_next_version(router),
                fitted=fitted,
                pipeline=fitted.pipeline,
                fit_seconds=fitted.fit_seconds,
                metrics={"evaluated": False, "holdout": 0, "train": 0, "classifier": fitted.classifier},
                promote=True,
                active=None,
                note=_(
                    "Cold start: learned from the categories' descriptions and keywords only (not evaluated)."
                ),
                actor=None,
                examples=0,
            )
    except IntegrityError:  # another process bootstrapped the same version at the same moment
        return _active(router)
