"""Latency from the duration histogram, exact: the share of requests that finished
within a bound is ``_bucket{le=<bound>}`` over ``_count``, never ``histogram_quantile``
(which interpolates inside a bucket: with buckets at 60 s and 120 s and a 90 s limit it
fires when every request takes 85 s and stays quiet when 10% take 115 s). The bound must
be a bucket of the histogram (catalogue/bucket_checks.py).

- ``slo.latencyP95``: LatencyP95High when fewer than 95% of the requests of the last 5m
  finished within it;
- ``slo.latency``: a full SLO (``sloth_slo="latency"``) written by slo.py's Sloth rules,
  as the success SLO is: the share of requests slower than the threshold over every
  window of catalogue/burn.py and over the period (weighted by requests), Sloth's
  constants, and burn alerts on burn.plan's pairs and thresholds (page within 10 minutes
  of a total breach; slo.minFailures is the success SLO's only).

Both read the service's histogram ``slo.histogram`` (slo.latency.metric, default
platform.metrics.duration).
"""

from __future__ import annotations

from decimal import Decimal

from opsgen import conventions as conv
from opsgen import durations
from opsgen.catalogue import burn
from opsgen.catalogue.model import Alert, Platform, Service
from opsgen.catalogue.templates import literal
from opsgen.generate import slo
from opsgen.generate.expr import generated, identity, number, selector, who
from opsgen.generate.kinds import Rule

P95 = 0.95  # slo.latencyP95: at least this share of requests within it
RATE_WINDOW = conv.RATE_WINDOW  # of LatencyP95High
BY = slo.BY
# the latency burn alerts fire on burn.plan's conditions of the success SLO's alert of the
# same speed: the same pairs, and a total breach pages within 10 minutes as an outage does
SAME_PAIRS = {conv.ALERT_LATENCY_BURN_FAST: conv.ALERT_BURN_FAST, conv.ALERT_LATENCY_BURN_SLOW: conv.ALERT_BURN_SLOW}


# --- le as exporters write it ------------------------------------------------------


def le_pattern(bound: float) -> str:
    """A regex (PromQL ``=~`` anchors it) matching ``bound`` as exporters write ``le``:
    prometheus_client ``45.0``, Go clients ``45``, both ``0.3``; from 1e6 on both switch to
    exponents (``1e+06``). Prometheus 2.x compares label values as strings."""
    plain = format(Decimal(repr(float(bound))).normalize(), "f")  # 45, 0.3
    whole, _, fraction = plain.partition(".")
    spellings = [f"{whole}\\.{fraction}0*" if fraction else f"{whole}(\\.0+)?"]
    digits = whole.rstrip("0") or "0"
    exponent = len(whole) - 1
    if fraction == "" and exponent >= 6:  # Go's strconv 'g' (shortest) and prometheus_client's floatToGoString
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        spellings += [
            f"{mantissa}e\\+{exponent:02d}".replace(".", "\\."),
            f"{mantissa}e\\+0{exponent}".replace(".", "\\."),
        ]
    return "|".join(dict.fromkeys(spellings))


def _bucket(service: Service, bound: str) -> str:
    pattern = le_pattern(durations.exact_seconds(bound))
    return selector(service.slo.histogram + "_bucket", identity(service), regex=(("le", pattern),))


def _count(service: Service) -> str:
    return selector(service.slo.histogram + "_count", identity(service))


def within(service: Service, bound: str, window: str) -> str:
    """Requests per second that finished within ``bound``, per service."""
    return f"{BY}(rate({_bucket(service, bound)}[{window}]))"


def total(service: Service, window: str) -> str:
    return f"{BY}(rate({_count(service)}[{window}]))"


# --- slo.latencyP95 -----------------------------------------------------------------


def p95_alert(service: Service, platform: Platform) -> Alert:
    bound = service.slo.latency_p95 or "0s"
    expr = f"{within(service, bound, RATE_WINDOW)} / {total(service, RATE_WINDOW)} < {number(P95)}"
    summary = f"Fewer than {P95:.0%} of {literal(service.name)}'s requests finish within its SLO of {literal(bound)}."
    description = (
        f"{who(service)}: {{{{ $value | humanizePercentage }}}} of the requests of the last {RATE_WINDOW} "
        f"finished within {literal(bound)} ({service.slo.histogram}_bucket); the SLO wants {P95:.0%}."
    )
    return generated(conv.ALERT_LATENCY, service, expr, summary, description)


# --- slo.latency -------------------------------------------------------------------


def budget(service: Service) -> float:
    """The allowed share of slow requests, e.g. 0.01 for objective 99."""
    latency = service.slo.latency
    return (100 - latency.objective) / 100 if latency else 0.0


def error_ratio(service: Service, window: str) -> str:
    """Slow / all requests over ``window``; 0 with no request in it (an idle service:
    0/0 would record NaN), nothing without the threshold's bucket (SLOMetricAbsent says so)."""
    latency = service.slo.latency
    assert latency is not None  # latency rules exist only for services with slo.latency
    fast, everything = within(service, latency.threshold, window), total(service, window)
    return f"(({everything} - {fast}) / ({everything} > 0)) or ({fast} * 0)"


def fast_rules(service: Service, platform: Platform) -> tuple[Rule, ...]:
    if service.slo.latency is None:
        return ()
    return slo.sloth_fast_rules(service, platform, conv.LATENCY_SLO_NAME, lambda w: error_ratio(service, w))


def long_rules(service: Service, platform: Platform) -> tuple[Rule, ...]:
    if service.slo.latency is None:
        return ()
    return slo.sloth_long_rules(service, platform, conv.LATENCY_SLO_NAME, lambda w: error_ratio(service, w))


def constant_rules(service: Service, platform: Platform) -> tuple[Rule, ...]:
    if service.slo.latency is None:
        return ()
    return slo.sloth_constant_rules(service, platform, conv.LATENCY_SLO_NAME, service.slo.latency.objective)


def plan(service: Service, platform: Platform) -> burn.Plan:
    latency = service.slo.latency
    assert latency is not None  # latency rules exist only for services with slo.latency
    return slo.plan(service, platform, latency.objective)


def conditions(service: Service, platform: Platform, name: str) -> tuple[burn.Condition, ...]:
    """The window pairs and thresholds of the latency burn alert ``name``."""
    return tuple(c for c in plan(service, platform).conditions if c.alert == SAME_PAIRS[name])


def burn_alert(service: Service, platform: Platform, name: str) -> Alert:
    latency = service.slo.latency
    assert latency is not None  # latency rules exist only for services with slo.latency
    period, summary = slo.burn_summary(service, platform, name == conv.ALERT_LATENCY_BURN_FAST, "latency budget")
    description = (
        f"{who(service)}: {{{{ $value | humanizePercentage }}}} of recent requests took longer than "
        f"{literal(latency.threshold)}; the SLO allows {number(budget(service) * 100)}% over {period}."
    )
    expr = slo.burn_expr(service, conv.LATENCY_SLO_NAME, conditions(service, platform, name))
    return generated(name, service, expr, summary, description)


def time_to_page(service: Service, platform: Platform) -> float | None:
    """Seconds from the start of a total breach to the latency page (None without slo.latency)."""
    return plan(service, platform).time_to_page if service.slo.latency else None


def sli_series(service: Service) -> tuple[tuple[str, str], ...]:
    """(selector, what it is) of the histogram series the latency alerts read: the bucket
    of each bound (latencyP95, latency.threshold) and ``_count``."""
    bounds = [b for b in (service.slo.latency_p95, service.slo.latency.threshold if service.slo.latency else None) if b]
    if not bounds:
        return ()
    histogram = service.slo.histogram
    buckets = tuple(
        (_bucket(service, b), f'{histogram}_bucket{{le="{number(durations.exact_seconds(b))}"}}')
        for b in dict.fromkeys(bounds)
    )
    return buckets + ((_count(service), f"{histogram}_count"),)
