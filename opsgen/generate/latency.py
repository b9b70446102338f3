"""Latency from the duration histogram, exact: the share of requests that finished
within a bound is ``_bucket{le=<bound>}`` over ``_count``, never ``histogram_quantile``
(which interpolates inside a bucket: with buckets at 60 s and 120 s and a 90 s limit it
fires when every request takes 85 s and stays quiet when 10% take 115 s). The bound must
be a bucket of the histogram (catalogue/bucket_checks.py).

- ``slo.latencyP95``: LatencyP95High when fewer than 95% of the requests of the last 5m
  finished within it;
- ``slo.latency``: a full SLO (``sloth_slo="latency"``): the ratio of requests slower than
  the threshold over every window as ``slo:sli_error:ratio_rate<w>``, its period ratio
  weighted by requests, Sloth's meta series, and burn alerts on the success SLO's windows
  and factors (catalogue/burn_policy.py), the page's first threshold lowered so that a
  total breach pages within 10 minutes.

Both read the service's histogram ``slo.histogram`` (slo.latency.metric, default
platform.metrics.duration).
"""
from __future__ import annotations

from decimal import Decimal

from opsgen import conventions as conv
from opsgen import durations
from opsgen.catalogue import burn_policy
from opsgen.catalogue import generated_alerts as table
from opsgen.catalogue.model import Alert, Service
from opsgen.catalogue.templates import literal
from opsgen.generate import sloth
from opsgen.generate.kinds import Rule
from opsgen.generate.rule_parts import generated, identity, number, selector, who

P95 = 0.95  # slo.latencyP95: at least this share of requests within it
RATE_WINDOW = "5m"  # of LatencyP95High
BURNS = {  # the success SLO's pairs (one table), under the latency SLO's alert names
    conv.ALERT_LATENCY_BURN_FAST: burn_policy.PAGE_BURNS,
    conv.ALERT_LATENCY_BURN_SLOW: burn_policy.TICKET_BURNS,
}
BY = "sum by (namespace, service) "


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
        spellings += [f"{mantissa}e\\+{exponent:02d}".replace(".", "\\."), f"{mantissa}e\\+0{exponent}".replace(".", "\\.")]
    return "|".join(dict.fromkeys(spellings))


def _bucket(service: Service, bound: str) -> str:
    pattern = le_pattern(durations.exact_seconds(bound))
    return selector(service.slo.histogram + "_bucket", identity(service), regex={"le": pattern})


def _count(service: Service) -> str:
    return selector(service.slo.histogram + "_count", identity(service))


def within(service: Service, bound: str, window: str) -> str:
    """Requests per second that finished within ``bound``, per service."""
    return f"{BY}(rate({_bucket(service, bound)}[{window}]))"


def total(service: Service, window: str) -> str:
    return f"{BY}(rate({_count(service)}[{window}]))"


# --- slo.latencyP95 -----------------------------------------------------------------


def p95_alert(service: Service, platform) -> Alert:
    bound = service.slo.latency_p95 or "0s"
    expr = f"{within(service, bound, RATE_WINDOW)} / {total(service, RATE_WINDOW)} < {number(P95)}"
    summary = f"Fewer than {P95:.0%} of {literal(service.name)}'s requests finish within its SLO of {literal(bound)}."
    description = (
        f"{who(service)}: {{{{ $value | humanizePercentage }}}} of the requests of the last {RATE_WINDOW} "
        f"finished within {literal(bound)} ({service.slo.histogram}_bucket); the SLO wants {P95:.0%}."
    )
    return generated(conv.ALERT_LATENCY, service, expr, summary, description)


# --- slo.latency: recorded series -----------------------------------------------------


def slo_labels(service: Service) -> dict[str, str]:
    return {**identity(service), **conv.sloth_labels(service, conv.LATENCY_SLO_NAME)}


def budget(service: Service) -> float:
    """The allowed share of slow requests, e.g. 0.01 for objective 99."""
    slo = service.slo.latency
    return (100 - slo.objective) / 100 if slo else 0.0


def error_ratio(service: Service, window: str) -> str:
    """Slow / all requests over ``window``; 0 with no request in it (an idle service:
    0/0 would record NaN), nothing without the threshold's bucket (SLOMetricAbsent says so)."""
    slo = service.slo.latency
    fast, everything = within(service, slo.threshold, window), total(service, window)
    return f"(({everything} - {fast}) / ({everything} > 0)) or ({fast} * 0)"


def recording_rules(service: Service) -> tuple[Rule, ...]:
    """The latency SLO's series (none without slo.latency): the 5m rates of all and of slow
    requests, the error ratio of every window and of the period, then Sloth's meta series."""
    slo = service.slo.latency
    if slo is None:
        return ()
    labels = slo_labels(service)
    short = conv.SLO_WINDOWS[0]
    requests, errors = (selector(r, labels) for r in conv.SLO_RATE_RECORDS)

    def ratio(window: str, expr: str) -> Rule:
        return Rule(record=conv.error_ratio_record(window), expr=expr, labels={**labels, conv.SLOTH_WINDOW_LABEL: window})

    rates = (
        Rule(record=conv.SLO_REQUESTS_RECORD, expr=total(service, short), labels=labels),
        Rule(record=conv.SLO_ERRORS_RECORD, expr=f"{total(service, short)} - {within(service, slo.threshold, short)}", labels=labels),
    )
    windows = (ratio(short, f"({errors} / ({requests} > 0)) or ({errors} * 0)"),)
    windows += tuple(ratio(w, error_ratio(service, w)) for w in conv.SLO_WINDOWS[1:])
    return rates + windows + (ratio(conv.SLO_PERIOD_WINDOW, period_ratio(requests, errors)),) + sloth.meta_rules(labels, slo.objective)


def period_ratio(requests: str, errors: str) -> str:
    """Slow over all requests in the SLO period, from the recorded 5m rates: each minute
    weighs by its requests, idle time counts neither way (0 when the period has none)."""
    period = conv.SLO_PERIOD_WINDOW
    slow, everything = f"sum_over_time({errors}[{period}])", f"sum_over_time({requests}[{period}])"
    return f"({slow} / ({everything} > 0)) or ({slow} * 0)"


# --- slo.latency: burn alerts ---------------------------------------------------------


def thresholds(service: Service, name: str) -> tuple[tuple[burn_policy.Burn, float], ...]:
    """(pair, threshold) of the burn alert ``name``; the page's lowered to page in time."""
    page_for = table.BY_NAME[name].for_ if name == conv.ALERT_LATENCY_BURN_FAST else None
    return burn_policy.thresholds(BURNS[name], budget(service), page_for)


def burn_alert(service: Service, name: str) -> Alert:
    slo = service.slo.latency  # called only for services with slo.latency
    speed = "fast" if name == conv.ALERT_LATENCY_BURN_FAST else "slowly but steadily"
    summary = f"{literal(service.name)} is burning its {conv.SLO_PERIOD_WINDOW} latency budget {speed}."
    description = (
        f"{who(service)}: {{{{ $value | humanizePercentage }}}} of recent requests took longer than "
        f"{literal(slo.threshold)}; the SLO allows {number(budget(service) * 100)}% over {conv.SLO_PERIOD_WINDOW}."
    )
    return generated(name, service, sloth.burn_expr(slo_labels(service), thresholds(service, name)), summary, description)


def time_to_page(service: Service) -> float | None:
    """Seconds from the start of a total breach to the latency page (None without slo.latency)."""
    if service.slo.latency is None:
        return None
    page_for = table.BY_NAME[conv.ALERT_LATENCY_BURN_FAST].for_
    return burn_policy.time_to_page(BURNS[conv.ALERT_LATENCY_BURN_FAST], budget(service), page_for)


def sli_series(service: Service) -> tuple[tuple[str, str], ...]:
    """(selector, what it is) of the histogram series the latency alerts read: the bucket
    of each bound (latencyP95, latency.threshold) and ``_count``."""
    bounds = [b for b in (service.slo.latency_p95, service.slo.latency.threshold if service.slo.latency else None) if b]
    if not bounds:
        return ()
    histogram = service.slo.histogram
    buckets = tuple(
        (_bucket(service, b), f'{histogram}_bucket{{le="{number(durations.exact_seconds(b))}"}}') for b in dict.fromkeys(bounds)
    )
    return buckets + ((_count(service), f"{histogram}_count"),)
