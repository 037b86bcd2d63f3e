"""A/B tests of a campaign: variants, a test share of the audience, and the winner.

A share of the audience (the test group) is split between the variants; after a wait, the
variant with the best rate on the chosen metric is sent to the rest (the holdout). Who is in
which group follows from a hash of the campaign and customer ids, so a restarted campaign
puts every customer exactly where it put them before.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from datetime import timedelta
from enum import StrEnum

from attrs import frozen

from domain.errors import DomainError, ErrorCode, Problem

MAX_VARIANTS = 10
KEY_MAX_LENGTH = 40
COMMON_CONFIDENCES = (0.80, 0.90, 0.95, 0.99)
"""The confidences a user interface offers; any level strictly between 0.5 and 1 is valid."""
_TEST_BUCKETS = 10_000
"""The test share is decided in hundredths of a percent of the hash space."""


class WinnerMetric(StrEnum):
    OPEN_RATE = "open_rate"
    CLICK_RATE = "click_rate"
    CONVERSION_RATE = "conversion_rate"


@frozen
class Variant:
    """One version of the message: its key (``A``, ``B`` …), template and share of the test."""

    key: str
    template_id: str
    weight_percent: int


@frozen(kw_only=True)
class AbTest:
    """``test_share_percent`` of the audience is split by the variants' weights; the rest
    waits ``wait`` after the test is sent, then gets the winner (100: no holdout, no wait)."""

    variants: tuple[Variant, ...]
    test_share_percent: int
    metric: WinnerMetric
    confidence: float
    wait: timedelta

    def __attrs_post_init__(self) -> None:
        problems = _problems_of(self)
        if problems:
            raise DomainError(problems)

    @property
    def has_holdout(self) -> bool:
        return self.test_share_percent < 100

    def variant(self, key: str) -> Variant:
        for variant in self.variants:
            if variant.key == key:
                return variant
        raise DomainError([Problem("variant", ErrorCode.NOT_FOUND, f"no variant {key!r}")])

    def assign(self, campaign_id: str, customer_id: str) -> Variant | None:
        """The variant a customer of the test group gets, or ``None``: in the holdout."""
        digest = hashlib.sha256(f"{campaign_id}\x00{customer_id}".encode()).digest()
        group_draw = int.from_bytes(digest[:8], "big") % _TEST_BUCKETS
        if group_draw >= self.test_share_percent * (_TEST_BUCKETS // 100):
            return None
        variant_draw = int.from_bytes(digest[8:16], "big") % 100
        cumulative = 0
        for variant in self.variants:
            cumulative += variant.weight_percent
            if variant_draw < cumulative:
                return variant
        raise AssertionError("weights sum to 100")  # pragma: no cover - checked on creation


def _problems_of(test: AbTest) -> list[Problem]:
    problems: list[Problem] = []
    keys = [variant.key for variant in test.variants]
    if not 2 <= len(test.variants) <= MAX_VARIANTS:
        problems.append(
            Problem("variants", ErrorCode.INVALID, f"between 2 and {MAX_VARIANTS} variants")
        )
    if len(set(keys)) != len(keys):
        problems.append(Problem("variants", ErrorCode.TAKEN, "variant keys must differ"))
    for index, variant in enumerate(test.variants):
        if not variant.key or len(variant.key) > KEY_MAX_LENGTH or not variant.key.isprintable():
            problems.append(
                Problem(f"variants.{index}.key", ErrorCode.INVALID, "a short printable key")
            )
        if not variant.template_id:
            problems.append(
                Problem(f"variants.{index}.templateId", ErrorCode.REQUIRED, "name a template")
            )
        if not 1 <= variant.weight_percent <= 100:
            problems.append(
                Problem(f"variants.{index}.weightPercent", ErrorCode.INVALID, "1 to 100")
            )
    if sum(variant.weight_percent for variant in test.variants) != 100:
        problems.append(
            Problem("variants", ErrorCode.INVALID, "the variants' weights must sum to 100")
        )
    if not 1 <= test.test_share_percent <= 100:
        problems.append(Problem("testSharePercent", ErrorCode.INVALID, "1 to 100"))
    if not 0.5 < test.confidence < 1:
        problems.append(
            Problem("confidence", ErrorCode.INVALID, "strictly between 0.5 and 1, e.g. 0.95")
        )
    if test.wait < timedelta(0):
        problems.append(Problem("wait", ErrorCode.NEGATIVE, "must not be negative"))
    return problems


@frozen
class ZTest:
    z: float
    p_value: float
    """Two-sided."""


def two_proportion_z_test(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int
) -> ZTest:
    """Whether two rates differ, with the pooled standard error.

    ``z`` is positive when A's rate is higher. Without trials on either side, or when both
    rates are 0 or both 1 (no variance), there is no evidence: ``z`` 0 and ``p`` 1.
    """
    for successes, trials in ((successes_a, trials_a), (successes_b, trials_b)):
        if not 0 <= successes <= trials:
            raise DomainError(
                [Problem("successes", ErrorCode.INVALID, "between 0 and the number of trials")]
            )
    if trials_a == 0 or trials_b == 0:
        return ZTest(0.0, 1.0)
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    variance = pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b)
    if variance == 0:
        return ZTest(0.0, 1.0)
    z = (successes_a / trials_a - successes_b / trials_b) / math.sqrt(variance)
    return ZTest(z, math.erfc(abs(z) / math.sqrt(2)))


@frozen
class VariantResult:
    """What one variant's test group did: ``sent`` are the trials of every metric."""

    variant_key: str
    sent: int
    opened: int = 0
    clicked: int = 0
    converted: int = 0

    def successes(self, metric: WinnerMetric) -> int:
        return {
            WinnerMetric.OPEN_RATE: self.opened,
            WinnerMetric.CLICK_RATE: self.clicked,
            WinnerMetric.CONVERSION_RATE: self.converted,
        }[metric]

    def rate(self, metric: WinnerMetric) -> float:
        return self.successes(metric) / self.sent if self.sent else 0.0


@frozen
class Winner:
    variant_key: str
    significant: bool
    z: float
    """Of the winner against the runner-up."""
    p_value: float


def choose_winner(
    results: Sequence[VariantResult], metric: WinnerMetric, confidence: float
) -> Winner:
    """The variant with the best rate on ``metric``.

    It is ``significant`` when its z-test against the runner-up gives ``p < 1 - confidence``.
    When it is not, it still wins: the rest of the audience has to get something, and the
    best observed rate is the best guess; ``significant`` lets a report say how sure it is.
    Equal rates go to the variant with more trials, then to the first listed.
    """
    if not results:
        raise DomainError([Problem("results", ErrorCode.REQUIRED, "no variant has results")])
    ranked = sorted(
        enumerate(results),
        key=lambda entry: (-entry[1].rate(metric), -entry[1].sent, entry[0]),
    )
    best = ranked[0][1]
    if len(ranked) == 1:
        return Winner(best.variant_key, significant=False, z=0.0, p_value=1.0)
    runner_up = ranked[1][1]
    test = two_proportion_z_test(
        best.successes(metric), best.sent, runner_up.successes(metric), runner_up.sent
    )
    return Winner(
        best.variant_key,
        significant=test.p_value < 1 - confidence,
        z=test.z,
        p_value=test.p_value,
    )
