"""The harness itself, without servers: Grafana's substitution, the operator's
Alertmanager config with the Secrets resolved, backfill input, and processes
that are stopped on every path."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests import prom_tools
from tests.e2e import alertmanager, grafana, prometheus, webhook
from tests.e2e.processes import SETPRIV, Process, Processes, wait_for

# --- Grafana -------------------------------------------------------------------------


def test_every_variable_form_is_substituted():
    values = {"namespace": "(a|b)", "__range": "3600s", "__range_s": "3600"}
    expr = 'x{namespace=~"$namespace"} + y{namespace=~"${namespace}"} + z{namespace=~"${namespace:regex}"} + w{n=~"[[namespace]]"}'
    assert (
        grafana.interpolate(expr, values)
        == 'x{namespace=~"(a|b)"} + y{namespace=~"(a|b)"} + z{namespace=~"(a|b)"} + w{n=~"(a|b)"}'
    )
    assert grafana.interpolate("increase(x[$__range]) / $__range_s", values) == "increase(x[3600s]) / 3600"
    assert grafana.interpolate("$namespaces", {"namespace": "a"}) == "$namespaces"  # another name


def test_multi_values_are_an_escaped_regex_group():
    assert grafana.regex_value(["ci.runs", "code"]) == r"(ci\\.runs|code)"
    assert grafana.regex_value(["agents"]) == "agents"


def dashboard(variables: list[dict], panels: list[dict] | None = None) -> dict:
    return {"time": {"from": "now-6h", "to": "now"}, "templating": {"list": variables}, "panels": panels or []}


def test_query_variables_ask_prometheus_with_earlier_variables_substituted():
    asked = []

    def label_values(selector, label):
        asked.append((selector, label))
        return ["web", "api"]

    board = dashboard(
        [
            {"name": "datasource", "type": "datasource", "query": "prometheus"},
            {
                "name": "namespace",
                "type": "custom",
                "query": "agents,ci,search",
                "includeAll": True,
                "multi": True,
                "allValue": ".+",
            },
            {
                "name": "service",
                "type": "query",
                "query": {"query": 'label_values(opsgen:service_info{namespace=~"$namespace"}, service)'},
                "includeAll": True,
                "allValue": ".+",
            },
        ]
    )
    values = grafana.resolve(board, {"namespace": ["agents", "ci", "other"]}, label_values)
    assert values == {"namespace": "(agents|ci)", "service": ".+"}
    assert asked == [('opsgen:service_info{namespace=~"(agents|ci)"}', "service")]


def test_queries_skip_hidden_targets_and_take_the_panel_time_override():
    board = dashboard(
        [],
        [
            {
                "title": "row",
                "type": "row",
                "panels": [{"title": "in a row", "targets": [{"refId": "A", "expr": "a"}]}],
            },
            {
                "title": "budget",
                "timeFrom": "30d",
                "targets": [{"refId": "A", "expr": "b", "instant": True}, {"refId": "B", "expr": "c", "hide": True}],
            },
        ],
    )
    found = grafana.queries("d", board)
    assert [(q.panel, q.expr, q.instant, q.range_seconds) for q in found] == [
        ("in a row", "a", False, 21600),
        ("budget", "b", True, 2592000),
    ]


def test_alert_lists_are_recognised():
    assert grafana.lists_alerts('count(ALERTS{alertstate="firing"})')
    assert not grafana.lists_alerts("ALERTS_FOR_STATE + my_ALERTS")


# --- Alertmanager as the operator configures it --------------------------------------


def test_secrets_are_resolved_and_receivers_point_at_the_webhooks(generated):
    config = alertmanager.config(generated.routing(), "http://127.0.0.1:1")
    receivers = {r["name"].rsplit("/", 1)[-1]: r for r in config["receivers"]}
    (pagerduty,) = receivers["page"]["pagerduty_configs"]
    (slack,) = receivers["warn"]["slack_configs"]
    (page,) = [r for r in generated.routing().receivers if r.name == "page"]
    assert (pagerduty["routing_key"], pagerduty["url"]) == (
        alertmanager.routing_key(page.pagerduty),
        "http://127.0.0.1:1" + webhook.PAGERDUTY_PATH,
    )
    (team_page,) = receivers["team-agents-page"]["pagerduty_configs"]
    assert (
        team_page["routing_key"] != pagerduty["routing_key"]
    )  # each Secret its own value: the tests tell receivers apart
    assert slack["api_url"] == "http://127.0.0.1:1" + webhook.SLACK_PATH
    assert "_file" not in yaml.safe_dump(config)  # every Secret resolved, as the operator does
    assert config["route"]["group_wait"] == "1s"


@prom_tools.needs_amtool
def test_amtool_accepts_the_resolved_config(generated, tmp_path):
    result = prom_tools.check_alertmanager(alertmanager.config(generated.routing(), "http://127.0.0.1:1"), tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


# --- backfill ----------------------------------------------------------------------------


def test_history_is_openmetrics_in_time_order():
    history = prometheus.History()
    history.add("b_total", {"x": 'say "hi"'}, [(20.0, 2.0), (10.0, 1.0)])
    history.add("a", {}, [(5.0, 0.5)])
    assert (
        history.openmetrics()
        == 'a{} 0.5 5.000\nb_total{x="say \\"hi\\""} 1.0 10.000\nb_total{x="say \\"hi\\""} 2.0 20.000\n# EOF\n'
    )


@prom_tools.needs_promtool
def test_promtool_writes_blocks_from_the_history(tmp_path):
    history = prometheus.History()
    history.add("x_total", {"service": "a"}, prometheus.counter(1_700_000_000, 1_700_003_600, 60, 1.0))
    history.write_blocks(tmp_path / "data")
    assert list((tmp_path / "data").glob("*/meta.json"))


# --- processes ---------------------------------------------------------------------------


def gone(pid: int) -> bool:
    """No such process, or a zombie waiting for whoever adopted it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


def test_stop_ends_the_whole_process_group(tmp_path):
    pid_file = tmp_path / "grandchild"
    processes = Processes()
    processes.start(Process("sh", ["sh", "-c", f"sleep 60 & echo $! > {pid_file}; wait"], tmp_path / "sh.log"))
    grandchild = int(wait_for("the grandchild's pid", lambda: pid_file.exists() and pid_file.read_text().strip(), 10))
    (leader,) = processes.started
    processes.stop_all()
    assert gone(leader.popen.pid) and wait_for("the grandchild to end", lambda: gone(grandchild), 5)


@pytest.mark.skipif(SETPRIV is None, reason="setpriv (util-linux) not installed")
def test_servers_end_with_a_test_process_that_dies_without_cleaning_up(tmp_path):
    """A test process killed before its fixtures' finally (a CI timeout) takes its servers with it.
    (It dies only once the child runs the server: setpriv arms the signal after the fork.)"""
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from tests.e2e.processes import Process, wait_for
        child = Process("sleep", ["sleep", "60"], Path({str(tmp_path / "sleep.log")!r})).start()
        cmdline = Path(f"/proc/{{child.popen.pid}}/cmdline")
        wait_for("setpriv to exec sleep", lambda: cmdline.read_bytes().startswith(b"sleep"), 10, every=0.05)
        Path({str(tmp_path / "pid")!r}).write_text(str(child.popen.pid))
        os._exit(0)  # no cleanup at all
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30, cwd=Path(__file__).resolve().parents[2])
    pid = int((tmp_path / "pid").read_text())
    assert wait_for("the orphaned server to end", lambda: gone(pid), 5)


def test_missing_servers_are_a_visible_skip_reason(tmp_path):
    reason = prometheus.available((str(tmp_path / "prometheus"),))
    assert reason is not None and str(tmp_path / "prometheus") in reason and "install-test-tools.sh" in reason
