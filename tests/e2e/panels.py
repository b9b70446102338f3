"""Dashboard queries against a real Prometheus, as Grafana would send them."""

from __future__ import annotations

import time

from tests.e2e import grafana
from tests.e2e.prometheus import Prometheus

RANGE = 60  # seconds a range query covers (the fleet is younger than any panel's range)
STEP = "5s"


def label_values(prom: Prometheus):
    def values(selector: str | None, label: str) -> list[str]:
        if selector is None:
            return prom.api(f"label/{label}/values")
        return sorted({s[label] for s in prom.api("series", **{"match[]": selector}) if label in s})

    return values


def has_data(prom: Prometheus, expr: str, instant: bool) -> bool:
    result = prom.query(expr) if instant else prom.query_range(expr, RANGE, STEP)
    return bool(result)


def substituted(prom: Prometheus, dashboard: dict, name: str, namespaces: tuple[str, ...]) -> dict[grafana.Query, str]:
    """Each query of the dashboard -> its text as Grafana would send it, with
    ``namespaces`` selected in the namespace variable."""
    values = grafana.resolve(dashboard, {"namespace": list(namespaces)}, label_values(prom))
    return {q: grafana.interpolate(q.expr, values | grafana.builtins(q)) for q in grafana.queries(name, dashboard)}


def wait_for_data(prom: Prometheus, queries: dict[grafana.Query, str], settle: float) -> dict[grafana.Query, str]:
    """The queries still without data after ``settle`` seconds (data builds up as the fleet is scraped)."""
    deadline = time.monotonic() + settle
    pending = dict(queries)
    while pending:
        pending = {q: expr for q, expr in pending.items() if not has_data(prom, expr, q.instant)}
        if not pending or time.monotonic() >= deadline:
            return pending
        time.sleep(1)
    return pending
