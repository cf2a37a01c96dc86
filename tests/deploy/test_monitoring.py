"""deploy/monitoring: Prometheus configuration and alert rules, the Grafana dashboard and its
provisioning, checked against the tools and against what the code exports.

- ``promtool`` (Debian's ``prometheus`` package; ``.ci/run`` installs it) checks the scrape
  configuration and the rules, runs the rules' unit tests (``alerts-test.yml``) and parses every
  query of the dashboard.
- Every metric an alert or a dashboard panel names is exported: the API's ``/metrics`` as the real
  app answers it, and the worker's registry after the session's worker ran jobs.
- The dashboard is a Grafana dashboard that compose provisions against the provisioned datasource.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tests.ci import missing_program

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
COMPOSE = MONITORING.parent / "compose.yaml"
ALERTS = MONITORING / "alerts.yml"
DASHBOARDS = sorted((MONITORING / "grafana" / "dashboards").glob("*.json"))
DATASOURCES = MONITORING / "grafana" / "provisioning" / "datasources" / "prometheus.yaml"
PROVIDERS = MONITORING / "grafana" / "provisioning" / "dashboards" / "pydotorg.yaml"

# Series Prometheus makes itself rather than scrapes.
SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")
PROMQL_WORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "inf", "nan",
}  # fmt: skip


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        missing_program("promtool is not installed (Debian: apt-get install prometheus)")
    return path


def run_promtool(*args: str, cwd: Path = MONITORING) -> str:
    result = subprocess.run(
        [promtool(), *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


def dashboard_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    panels: list[dict[str, Any]] = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels") or [])  # a collapsed row keeps its panels inside
    return panels


def dashboard_queries() -> list[str]:
    return [
        target["expr"]
        for path in DASHBOARDS
        for panel in dashboard_panels(json.loads(path.read_text()))
        for target in panel.get("targets") or []
    ]


def as_promql(grafana_query: str) -> str:
    """A panel's query with Grafana's interval variables replaced by a duration."""
    return re.sub(r"\$__(rate_)?interval|\$__range", "5m", grafana_query)


def metric_names(query: str) -> set[str]:
    """The metric names a PromQL query selects: every identifier that is not a function, a
    keyword, a label (inside ``{...}`` or a grouping clause), a string or a duration."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', query)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(
        r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text, flags=re.IGNORECASE
    )
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in PROMQL_WORDS:
            continue
        names.add(name)
    return names


def test_metric_names_are_read_from_queries() -> None:
    query = (
        'sum by (le, mode) (rate(pydotorg_site_build_seconds_bucket{job="x", mode=~"full|y"}[5m]))'
        " / on() group_left(status) max(pydotorg_workers) unless ignoring(state) up == bool 1e3"
        " and time() - max_over_time(pydotorg_site_last_publish_timestamp_seconds[1h] offset 5m) > 1"
    )
    assert metric_names(query) == {
        "pydotorg_site_build_seconds_bucket",
        "pydotorg_workers",
        "up",
        "pydotorg_site_last_publish_timestamp_seconds",
    }


# --- promtool -----------------------------------------------------------------------------------


def test_promtool_accepts_the_alert_rules() -> None:
    assert "SUCCESS" in run_promtool("check", "rules", ALERTS.name)


def test_promtool_accepts_the_compose_prometheus_config() -> None:
    # The rule file is named relative to the configuration, as compose mounts both side by side.
    output = run_promtool("check", "config", "prometheus.yml")
    assert "1 rule files found" in output


def test_the_alert_rules_fire_when_they_should() -> None:
    run_promtool("test", "rules", "alerts-test.yml")


def test_promtool_parses_every_dashboard_query(tmp_path: Path) -> None:
    # promtool has no bare query parser: each query becomes a recording rule it checks.
    rules = [
        {"record": f"pydotorg:dashboard_query_{i}", "expr": as_promql(query)}
        for i, query in enumerate(dashboard_queries())
    ]
    assert rules
    (tmp_path / "queries.yml").write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    assert f"SUCCESS: {len(rules)} rules found" in run_promtool("check", "rules", "queries.yml", cwd=tmp_path)


# --- every metric named is exported ---------------------------------------------------------------


def exported_names(exposition: str) -> set[str]:
    """Metric families in a scrape, with the series names each family's type gives them."""
    names = set()
    for family in text_string_to_metric_families(exposition):
        names.add(family.name)
        if family.type in ("counter", "histogram", "summary"):
            names.update(family.name + suffix for suffix in SUFFIXES)
    return names


def named_metrics() -> dict[str, set[str]]:
    """Metric name -> where it is used (alert names, dashboard panel titles)."""
    used: dict[str, set[str]] = {}
    for rule in alert_rules():
        for name in metric_names(rule["expr"]):
            used.setdefault(name, set()).add(f"alert {rule['alert']}")
    for path in DASHBOARDS:
        for panel in dashboard_panels(json.loads(path.read_text())):
            for target in panel.get("targets") or []:
                for name in metric_names(as_promql(target["expr"])):
                    used.setdefault(name, set()).add(f"{path.name}: {panel['title']}")
    return used


async def test_every_metric_an_alert_or_panel_names_is_exported(
    client: Any, worker: Any, settings: Any, sessionmaker: Any
) -> None:
    from pydotorg.core.tasks import check_site

    # The request metrics exist once a request went through the middleware.
    assert (await client.get("/api/v3/pages")).status_code == 200
    # The worker counts jobs as it runs them: a mail, a skipped rebuild (no builder key in tests).
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.org", "b@example.org", "metrics"
    message.set_content("hello")
    await worker.queue.apply("mail.send", message=message.as_string(), timeout=10)
    assert (await worker.queue.apply("site.rebuild", timeout=10))["built"] is False
    # One look of the site watch, as the worker takes one every few seconds.
    await check_site({"settings": settings, "queue": worker.queue, "sessionmaker": sessionmaker})

    api = (await client.get("/metrics")).text
    exported = exported_names(api) | exported_names(generate_latest(REGISTRY).decode())
    # The API's own figures come from the API's scrape, not only from the test process's registry.
    for name in (
        "pydotorg_requests_total",
        "pydotorg_request_duration_seconds_bucket",
        "pydotorg_queue_jobs",
    ):
        assert name in exported_names(api), name

    used = named_metrics()
    assert {"pydotorg_site_builds_total", "pydotorg_site_unpublished_changes", "pydotorg_jobs_total"} <= set(
        used
    )
    missing = {name: sorted(where) for name, where in used.items() if name not in exported | SYNTHETIC}
    assert not missing, f"named in deploy/monitoring but not exported by the code: {missing}"


async def test_the_site_watch_reports_lag_and_the_last_publish(
    client: Any, worker: Any, settings: Any, sessionmaker: Any
) -> None:
    from pydotorg.core.changes import latest_cursor
    from pydotorg.core.site_status import record_success
    from pydotorg.core.tasks import SITE_LAST_PUBLISH, SITE_UNPUBLISHED, check_site

    async with sessionmaker() as session:
        head = await latest_cursor(session)
    finished_at = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    redis = worker.queue.redis
    # The published site is two changes behind (another worker published it).
    await record_success(redis, head - 2, {"mode": "incremental"}, finished_at.isoformat())
    # (It also enqueues a catch-up rebuild, which the session's worker skips: no builder key.)
    await check_site({"settings": settings, "queue": worker.queue, "sessionmaker": sessionmaker})
    assert SITE_UNPUBLISHED._value.get() == 2
    assert SITE_LAST_PUBLISH._value.get() == finished_at.timestamp()


# --- Grafana ------------------------------------------------------------------------------------


def provisioned_datasource() -> dict[str, Any]:
    (datasource,) = yaml.safe_load(DATASOURCES.read_text())["datasources"]
    return dict(datasource)


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_is_a_grafana_dashboard_on_the_provisioned_datasource(path: Path) -> None:
    dashboard = json.loads(path.read_text())
    for field in ("uid", "title", "schemaVersion", "panels", "time"):
        assert field in dashboard, field
    assert isinstance(dashboard["schemaVersion"], int) and dashboard["schemaVersion"] >= 30
    uid = provisioned_datasource()["uid"]
    ids = set()
    panels = dashboard_panels(dashboard)
    assert len([p for p in panels if p["type"] != "row"]) >= 10
    for panel in panels:
        assert panel["id"] not in ids, f"duplicate panel id {panel['id']}"
        ids.add(panel["id"])
        grid = panel["gridPos"]
        assert all(isinstance(grid[k], int) for k in ("h", "w", "x", "y")), panel["title"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["title"] and panel["targets"], panel
        assert panel["datasource"] == {"type": "prometheus", "uid": uid}, panel["title"]
        ref_ids = [t["refId"] for t in panel["targets"]]
        assert len(set(ref_ids)) == len(ref_ids), panel["title"]
        for target in panel["targets"]:
            assert target["expr"].strip(), panel["title"]
            assert target.get("datasource", panel["datasource"])["uid"] == uid, panel["title"]


def test_compose_provisions_grafana_with_prometheus_and_the_dashboards() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    datasource = provisioned_datasource()
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090" and "prometheus" in services
    prometheus_mounts = {v.split(":")[1]: v.split(":")[0] for v in services["prometheus"]["volumes"]}
    assert prometheus_mounts["/etc/prometheus/prometheus.yml"] == "./monitoring/prometheus.yml"
    assert prometheus_mounts["/etc/prometheus/alerts.yml"] == "./monitoring/alerts.yml"
    grafana_mounts = {v.split(":")[1]: v.split(":")[0] for v in services["grafana"]["volumes"]}
    assert grafana_mounts["/etc/grafana/provisioning"] == "./monitoring/grafana/provisioning"
    (provider,) = yaml.safe_load(PROVIDERS.read_text())["providers"]
    assert grafana_mounts[provider["options"]["path"]] == "./monitoring/grafana/dashboards"
    for source in [*prometheus_mounts.values(), *grafana_mounts.values()]:
        if source.startswith("./"):
            assert (COMPOSE.parent / source).exists(), source
    # The compose scrape jobs reach the services by the names and ports compose gives them.
    scrape = {
        job["job_name"]: job
        for job in yaml.safe_load((MONITORING / "prometheus.yml").read_text())["scrape_configs"]
    }
    assert scrape["pydotorg-api"]["static_configs"][0]["targets"] == ["api:8000"]
    env = yaml.safe_load(COMPOSE.read_text())["x-pydotorg-environment"]
    port = env["PYDOTORG_WORKER_METRICS_PORT"]
    assert scrape["pydotorg-worker"]["static_configs"][0]["targets"] == [f"worker:{port}"]
    assert env["PYDOTORG_WORKER_METRICS_HOST"] == "0.0.0.0"  # noqa: S104  (reachable by Prometheus)


def test_every_alert_has_a_runbook_entry() -> None:
    readme = (MONITORING / "README.md").read_text()
    for rule in alert_rules():
        name = rule["alert"]
        assert re.search(rf"^### {name}$", readme, re.MULTILINE), f"README.md has no '### {name}'"
        assert rule["annotations"]["runbook"] == f"deploy/monitoring/README.md#{name.lower()}"
        assert rule["labels"]["severity"] in {"critical", "warning"}
