"""The deploy files, checked without Docker or a cluster (neither runs here).

- Every Kubernetes manifest validates against the Kubernetes OpenAPI schemas that the
  ``kubernetes-validate`` package bundles (offline, strict: unknown fields are errors), for the
  oldest and the newest Kubernetes version we support.
- ``deploy/compose.yaml`` validates against the Compose Specification's JSON schema, as vendored
  by ``check-jsonschema`` (``check_jsonschema/builtin_schemas/vendor/compose-spec.json``).
- Every ``PYDOTORG_*`` setting the production code reads (the fields of the API's ``Settings``
  and the site builder's ``BuilderSettings``, read from the code, not listed by hand) is set in
  the ConfigMap or the Secret example, and the settings production changes are set in compose;
  no deploy file sets a name the code does not read; the values are accepted by the code.
"""

from __future__ import annotations

import dataclasses
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import msgspec
import pytest
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, latest_version

from pydotorg.settings import Settings
from sitebuilder.settings import BuilderSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
COMPOSE = DEPLOY / "compose.yaml"
PREFIX = "PYDOTORG_"

# The oldest Kubernetes minor version the manifests target, and the newest one the validator
# knows. Everything used here is a stable (GA) API in both.
KUBERNETES_VERSIONS = ("1.31", latest_version())

# Settings the code reads that only development or the tests change: production runs with the
# code's defaults, so the deploy files leave them out on purpose.
DEV_TEST_ONLY = {
    # Litestar's debug mode (tracebacks in responses): never in production.
    "PYDOTORG_DEBUG",
    # The OAuth providers' endpoints: the tests point them at a local fake; production uses the
    # real GitHub and Google URLs that are the defaults.
    "PYDOTORG_OAUTH_GITHUB_AUTHORIZE_URL",
    "PYDOTORG_OAUTH_GITHUB_TOKEN_URL",
    "PYDOTORG_OAUTH_GITHUB_API_URL",
    "PYDOTORG_OAUTH_GOOGLE_AUTHORIZE_URL",
    "PYDOTORG_OAUTH_GOOGLE_TOKEN_URL",
    "PYDOTORG_OAUTH_GOOGLE_USERINFO_URL",
    # Fastly's API endpoint: the tests point it at a local fake.
    "PYDOTORG_FASTLY_API_URL",
}

# Names the deploy files set ahead of the code that will read them (issue 18). Remove each one
# from this set once a Settings / BuilderSettings field reads it; the checks above then hold it.
AHEAD_OF_THE_CODE: set[str] = set()


def code_settings() -> dict[str, object]:
    """``PYDOTORG_<NAME>`` -> default, for every setting the API and the site builder read."""
    names: dict[str, object] = {}
    for f in msgspec.structs.fields(Settings):
        names[PREFIX + f.name.upper()] = f.default
    for field in dataclasses.fields(BuilderSettings):
        names.setdefault(PREFIX + field.name.upper(), field.default)
    return names


def as_env(value: object) -> str:
    """A default as it would be written in the environment."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def load_all(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def manifest_files() -> list[Path]:
    return sorted(p for p in KUBERNETES.glob("*.yaml") if p.name != "kustomization.yaml")


def configmap() -> dict[str, str]:
    (doc,) = load_all(KUBERNETES / "configmap.yaml")
    data: dict[str, str] = doc["data"]
    return data


def secret_example() -> dict[str, str]:
    (doc,) = load_all(KUBERNETES / "secret.example.yaml")
    data: dict[str, str] = doc["stringData"]
    return data


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def compose_environment() -> dict[str, str | None]:
    """The environment shared by migrate, api and worker (``x-pydotorg-environment``)."""
    env: dict[str, str | None] = compose()["x-pydotorg-environment"]
    for name in ("migrate", "api", "worker"):
        assert compose()["services"][name]["environment"] == env, name
    return env


_INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?]([^}]*))?\}")


def interpolate(value: str | None) -> str:
    """A compose value with ``${VAR:-default}`` as compose resolves it with nothing set."""
    if value is None:
        return ""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", str(value))


# --- Kubernetes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: p.name)
def test_kubernetes_manifest_validates(path: Path, version: str) -> None:
    docs = load_all(path)
    assert docs, f"{path.name} holds no resource"
    for doc in docs:
        where = f"{path.name}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except SchemaNotFoundError as exc:  # a kind the validator cannot check is a failure here
            pytest.fail(f"{where}: no schema: {exc.message}")
        except kubernetes_validate.ValidationError as exc:
            path_text = ".".join(str(p) for p in exc.path)
            pytest.fail(f"{where} against Kubernetes {exc.version}: {path_text}: {exc.message}")


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in manifest_files()}
    assert listed == on_disk - {"secret.example.yaml"}
    for path in manifest_files():
        for doc in load_all(path):
            labels = doc["metadata"].get("labels", {})
            assert labels.get("app.kubernetes.io/component") in {
                "config",
                "migrate",
                "api",
                "worker",
                "builder",
            }, f"{path.name}: apply-by-part label missing"


def test_workloads_run_the_pinned_image_with_the_shared_settings() -> None:
    pinned = {i["name"] for i in yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())["images"]}
    for path in manifest_files():
        for doc in load_all(path):
            spec = doc.get("spec", {})
            template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template")
            if not template:
                continue
            for container in template["spec"]["containers"]:
                assert container["image"] in pinned, f"{path.name}: image not set by kustomization"
                sources = [next(iter(s.values()))["name"] for s in container["envFrom"]]
                assert sources == ["pydotorg-config", "pydotorg-secrets"], path.name
            # Kubernetes' service links would inject PYDOTORG_API_* variables into our namespace.
            assert template["spec"]["enableServiceLinks"] is False, path.name


ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - the worker's metrics must be reachable from Prometheus


def test_worker_metrics_are_reachable_by_prometheus() -> None:
    config = configmap()
    port = int(config["PYDOTORG_WORKER_METRICS_PORT"])
    assert config["PYDOTORG_WORKER_METRICS_HOST"] == ALL_INTERFACES
    (deployment,) = load_all(KUBERNETES / "worker-deployment.yaml")
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    assert {"name": "metrics", "containerPort": port, "protocol": "TCP"} in container["ports"]
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(port)
    (service,) = load_all(KUBERNETES / "worker-metrics-service.yaml")
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"][0]["targetPort"] == "metrics"
    assert service["metadata"]["annotations"]["prometheus.io/port"] == str(port)
    env = compose_environment()
    assert env["PYDOTORG_WORKER_METRICS_HOST"] == ALL_INTERFACES
    assert env["PYDOTORG_WORKER_METRICS_PORT"] == str(port)


# --- compose --------------------------------------------------------------------------------------


def compose_schema() -> dict[str, Any]:
    text = (resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text()
    schema: dict[str, Any] = msgspec.json.decode(text)
    return schema


def test_compose_file_follows_the_compose_specification() -> None:
    schema = compose_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(compose()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_compose_schema_catches_a_mistake() -> None:
    """The check above has teeth: a misspelt key fails it."""
    schema = compose_schema()
    broken = compose()
    broken["services"]["api"]["depends_onn"] = broken["services"]["api"].pop("depends_on")
    assert list(jsonschema.validators.validator_for(schema)(schema).iter_errors(broken))


def test_compose_starts_the_whole_system() -> None:
    services = compose()["services"]
    for name in ("postgres", "redis", "mailpit", "minio", "buckets", "migrate", "api", "worker"):
        assert name in services and "profiles" not in services[name], name
    for name in ("api", "worker"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
        assert needs["buckets"]["condition"] == "service_completed_successfully"
    bucket_command = " ".join(services["buckets"]["command"])
    config = configmap()
    for setting in ("PYDOTORG_S3_BUCKET", "PYDOTORG_SITE_S3_BUCKET"):
        bucket = config[setting]
        assert f"local/{bucket}" in bucket_command, f"compose does not create {bucket}"
        assert compose_environment()[setting] == bucket


# --- settings -------------------------------------------------------------------------------------


def test_every_production_setting_is_in_the_configmap_or_the_secret() -> None:
    required = set(code_settings()) - DEV_TEST_ONLY
    present = set(configmap()) | set(secret_example())
    missing = sorted(required - present)
    assert not missing, f"settings the code reads but deploy/kubernetes does not set: {missing}"
    both = sorted(set(configmap()) & set(secret_example()))
    assert not both, f"set in both the ConfigMap and the Secret: {both}"


def test_compose_sets_every_setting_production_sets_or_changes() -> None:
    """Compose is production-like: it carries every secret, and every setting whose ConfigMap
    value differs from the code's default (its own value may differ, e.g. the endpoints)."""
    defaults = code_settings()
    changed = {
        name for name, value in configmap().items() if name not in defaults or as_env(defaults[name]) != value
    }
    required = (changed | set(secret_example())) - DEV_TEST_ONLY
    missing = sorted(required - set(compose_environment()))
    assert not missing, f"deploy/compose.yaml lacks: {missing}"


def test_deploy_files_name_only_settings_the_code_reads() -> None:
    known = set(code_settings()) | AHEAD_OF_THE_CODE
    named = set(configmap()) | set(secret_example()) | set(compose_environment())
    unknown = sorted(n for n in named if n.startswith(PREFIX) and n not in known)
    assert not unknown, f"set in deploy files but read by no code (a typo?): {unknown}"
    stale = sorted(AHEAD_OF_THE_CODE & DEV_TEST_ONLY)
    assert not stale


def test_the_code_accepts_the_kubernetes_configuration() -> None:
    env = {**configmap(), **secret_example()}
    env["PYDOTORG_SECRET_KEY"] = "x" * 48  # the example's placeholder is refused on purpose
    settings = Settings.from_env(env)
    assert settings.is_production
    assert settings.storage_backend == "s3"
    assert settings.site_api_url.startswith("http://pydotorg-api.")
    builder = BuilderSettings.from_env(env)
    assert builder.site_url == settings.site_url
    assert builder.site_api_key == settings.site_api_key != ""


def test_the_secret_example_cannot_go_live() -> None:
    with pytest.raises(ValueError, match="PYDOTORG_SECRET_KEY"):
        Settings.from_env({**configmap(), **secret_example()})


def test_the_code_accepts_the_compose_configuration() -> None:
    env = {name: interpolate(value) for name, value in compose_environment().items()}
    env["PYDOTORG_SECRET_KEY"] = "x" * 48  # compose requires it from deploy/.env
    settings = Settings.from_env(env)
    assert settings.is_production
    assert settings.storage_backend == "s3"
    assert settings.s3_endpoint_url == "http://minio:9000"
    assert settings.site_api_url == "http://api:8000"
    BuilderSettings.from_env(env)


# --- images ---------------------------------------------------------------------------------------


def test_dockerfile_has_a_target_per_role() -> None:
    stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", (DEPLOY / "Dockerfile").read_text(), re.M | re.I)
    assert {"api", "worker", "builder"} <= set(stages)
    assert stages[-1] == "api", "the default target (the last stage) must stay the API"
    assert compose()["x-pydotorg-build"]["target"] == "api"


# --- CI ------------------------------------------------------------------------------------------

WORKFLOWS = ROOT / ".github" / "workflows"


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_workflow_follows_the_github_workflow_schema(path: Path) -> None:
    """Validated against the workflow schema check-jsonschema vendors (SchemaStore's)."""
    text = (resources.files("check_jsonschema.builtin_schemas.vendor") / "github-workflows.json").read_text()
    schema = msgspec.json.decode(text)
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True)  # YAML 1.1 reads the key `on` as a boolean; GitHub does not
    jsonschema.validate(workflow, schema)


def test_site_workflow_runs_the_make_target_with_every_setting_it_needs() -> None:
    """The site workflow publishes through S3 with the settings the builder reads for that."""
    workflow = yaml.safe_load((WORKFLOWS / "site.yml").read_text())
    (job,) = workflow["jobs"].values()
    assert [s.get("run") for s in job["steps"]][-1] == "make site-publish"
    env = job["env"] | job["steps"][-1].get("env", {})
    builder = {PREFIX + f.name.upper() for f in dataclasses.fields(BuilderSettings)}
    needed = {
        "PYDOTORG_SITE_API_URL",
        "PYDOTORG_SITE_API_KEY",
        "PYDOTORG_SITE_ORIGIN_DIR",
        "PYDOTORG_SITE_ORIGIN",
        "PYDOTORG_SITE_S3_BUCKET",
        "PYDOTORG_S3_ENDPOINT_URL",
        "PYDOTORG_S3_ACCESS_KEY",
        "PYDOTORG_S3_SECRET_KEY",
        "PYDOTORG_FASTLY_API_KEY",
        "PYDOTORG_FASTLY_SERVICE_ID",
    }
    assert needed <= set(env), sorted(needed - set(env))
    assert env["PYDOTORG_SITE_ORIGIN"] == "s3"
    unknown = {
        n for n in env if n not in builder and n not in {"PYDOTORG_SITE_API_URL", "PYDOTORG_SITE_ORIGIN_DIR"}
    }
    assert not unknown, f"the workflow sets settings the builder does not read: {sorted(unknown)}"
    makefile = (ROOT / "Makefile").read_text()
    assert "\nsite-publish:" in makefile
