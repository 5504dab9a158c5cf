"""The Helm chart (deploy/helm/dance-analysis) lints, renders, and what it renders would be accepted.

No cluster runs here: helm (built by `make setup`) renders the chart with several sets of values;
kubernetes-validate checks every object against Kubernetes' own schemas (strictly: unknown fields
fail), and KEDA's ScaledObject is checked against the schema of KEDA's CRD kept in
deploy/helm/schemas/. The other tests read the rendered objects for the mistakes a schema cannot
see: a probe on the wrong path, replicas fighting the autoscaler, a trigger on the wrong consumer,
a secret inlined.
"""
from __future__ import annotations

import copy
import functools
import json
import os
import subprocess
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from infra.settings import Settings
from operations.provision import NATS_TARGET_ARNS
from tests.processes import ROOT
from tests.services import local_binary

CHART = ROOT / "deploy" / "helm" / "dance-analysis"
CLUSTER_EXAMPLE = CHART / "values-cluster-example.yaml"
KEDA_SCALED_OBJECT_SCHEMA = ROOT / "deploy" / "helm" / "schemas" / "keda-scaledobject-v1alpha1.json"
#: The oldest Kubernetes still widely run and the newest kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.30", "1.37")
RELEASE, NAMESPACE = "dance", "dance"

#: The sets of values every object is validated with.
RENDERINGS = {
    "defaults": (),
    "gpu-workers-and-ingress": ("--set", "gpuWorkers.enabled=true", "--set", "ingress.enabled=true"),
    "keda-off": ("--set", "keda.enabled=false", "--set", "gpuWorkers.enabled=true"),
    "existing-secrets": (
        "--set", "s3.existingSecret=minio", "--set", "s3.existingSecretKeys.accessKey=rootUser",
        "--set", "s3.existingSecretKeys.secretKey=rootPassword", "--set", "apiKeys.existingSecret=dance-api-keys",
    ),
    "cluster-example": ("-f", str(CLUSTER_EXAMPLE)),
}
WORKER_DEPLOYMENTS = ("pose-worker", "compare-worker")
#: What every process needs to reach NATS and S3.
SHARED_VARIABLES = ("DANCE_NATS_URL", "DANCE_S3_ENDPOINT", "DANCE_S3_ACCESS_KEY", "DANCE_S3_SECRET_KEY", "DANCE_BUCKET")


@pytest.fixture(scope="module")
def helm() -> str:
    found = local_binary("helm")
    if found is None:
        reason = "helm not found in .local/bin or PATH: `make setup` builds it (HELM_MODULE in deploy/local/env.sh)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@functools.cache
def _render(helm: str, args: tuple[str, ...]) -> str:
    result = subprocess.run(
        [helm, "template", RELEASE, str(CHART), "--namespace", NAMESPACE, *args],
        check=False, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def render(helm: str, *args: str) -> list[dict]:
    """The objects `helm template` renders with these arguments."""
    return [doc for doc in yaml.safe_load_all(_render(helm, args)) if doc]


def component_of(obj: dict) -> str | None:
    return obj["metadata"].get("labels", {}).get("app.kubernetes.io/component")


def only(objects: list[dict], kind: str, component: str) -> dict:
    """The one object of this kind for this component (fails if there are none or several)."""
    (found,) = [o for o in objects if o["kind"] == kind and component_of(o) == component]
    return found


def of_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o["kind"] == kind]


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def environment(container: dict, objects: list[dict]) -> dict[str, str | dict]:
    """What the container's process sees: the ConfigMaps it loads, then its own env on top.

    A variable from a Secret is given as its ``secretKeyRef``.
    """
    config_maps = {o["metadata"]["name"]: o.get("data", {}) for o in of_kind(objects, "ConfigMap")}
    env: dict[str, str | dict] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]])
    for entry in container.get("env", []):
        env[entry["name"]] = entry["value"] if "value" in entry else entry["valueFrom"]["secretKeyRef"]
    return env


def containers(objects: list[dict]) -> list[tuple[str, dict]]:
    """Every container of every Deployment and Job, with its workload's name."""
    return [
        (workload["metadata"]["name"], container)
        for workload in objects if workload["kind"] in {"Deployment", "Job"}
        for container in pod_spec(workload)["containers"]
    ]


def strict(schema: dict) -> dict:
    """A CRD's schema refusing unknown fields, as `kubectl apply` (strict field validation) does."""
    schema = copy.deepcopy(schema)

    def close(node: object) -> None:
        if isinstance(node, dict):
            if (
                "properties" in node and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema


@pytest.mark.parametrize("rendering", RENDERINGS)
def test_chart_passes_helm_lint_strict(helm: str, rendering: str) -> None:
    result = subprocess.run(
        [helm, "lint", "--strict", str(CHART), "--namespace", NAMESPACE, *RENDERINGS[rendering]],
        check=False, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("rendering", RENDERINGS)
def test_every_rendered_object_matches_its_schema(helm: str, rendering: str, version: str) -> None:
    keda_schema = strict(json.loads(KEDA_SCALED_OBJECT_SCHEMA.read_text()))
    objects = render(helm, *RENDERINGS[rendering])
    assert objects
    for obj in objects:
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        if obj["apiVersion"] == "keda.sh/v1alpha1":
            assert obj["kind"] == "ScaledObject", name
            jsonschema.validate(obj, keda_schema)
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{name} is not valid for Kubernetes {version}: {'.'.join(map(str, exc.path))}: {exc.message}")


def test_strict_schemas_refuse_an_unknown_field(helm: str) -> None:
    """The validation above can fail: a misspelt field is caught in both kinds of schema."""
    objects = render(helm)
    deployment = copy.deepcopy(only(objects, "Deployment", "gateway"))
    pod_spec(deployment)["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/readyz", "port": "http"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)
    scaled = copy.deepcopy(only(objects, "ScaledObject", "pose-worker"))
    scaled["spec"]["maxReplicas"] = 4
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(scaled, strict(json.loads(KEDA_SCALED_OBJECT_SCHEMA.read_text())))


def test_gateway_is_probed_on_healthz_and_readyz_of_its_api_port(helm: str) -> None:
    objects = render(helm)
    (container,) = pod_spec(only(objects, "Deployment", "gateway"))["containers"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert environment(container, objects)["DANCE_HTTP_PORT"] == "8000"
    service = only(objects, "Service", "gateway")
    pod_labels = only(objects, "Deployment", "gateway")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_other_processes_serve_and_are_probed_on_their_metrics_port(helm: str) -> None:
    objects = render(helm, "--set", "gpuWorkers.enabled=true")
    others = {component_of(d): d for d in of_kind(objects, "Deployment") if component_of(d) != "gateway"}
    assert others.keys() == {"listener", "pose-worker", "pose-worker-gpu", "compare-worker", "webhook-dispatcher"}
    for component, deployment in others.items():
        (container,) = pod_spec(deployment)["containers"]
        (port,) = container["ports"]
        assert port["name"] == "metrics"
        assert environment(container, objects)["DANCE_METRICS_PORT"] == str(port["containerPort"])
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
        metrics_service = only(objects, "Service", component)
        assert metrics_service["spec"]["ports"][0]["targetPort"] == "metrics"


def test_probe_paths_of_the_other_processes_can_be_switched(helm: str) -> None:
    objects = render(
        helm, "--set", "listener.probes.readiness.path=/readyz", "--set", "listener.probes.liveness.path=/healthz",
    )
    (container,) = pod_spec(only(objects, "Deployment", "listener"))["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_autoscaled_workers_leave_replicas_to_keda(helm: str) -> None:
    objects = render(helm)
    for component in WORKER_DEPLOYMENTS:
        assert "replicas" not in only(objects, "Deployment", component)["spec"], component
        only(objects, "ScaledObject", component)
    assert only(objects, "Deployment", "gateway")["spec"]["replicas"] == 2
    assert only(objects, "Deployment", "listener")["spec"]["replicas"] == 2


def test_without_keda_workers_have_fixed_replicas_and_no_scaled_object(helm: str) -> None:
    objects = render(helm, *RENDERINGS["keda-off"])
    assert of_kind(objects, "ScaledObject") == []
    for component in (*WORKER_DEPLOYMENTS, "pose-worker-gpu"):
        assert only(objects, "Deployment", component)["spec"]["replicas"] == 1, component


@pytest.mark.parametrize(
    ("component", "stream_variable", "consumer_variable"),
    [
        pytest.param("pose-worker", "DANCE_WORK_STREAM", "DANCE_WORKER_DURABLE", id="pose"),
        pytest.param("pose-worker-gpu", "DANCE_WORK_STREAM", "DANCE_WORKER_DURABLE", id="pose-gpu"),
        pytest.param("compare-worker", "DANCE_COMPARE_STREAM", "DANCE_COMPARE_DURABLE", id="compare"),
    ],
)
def test_scaled_objects_watch_the_consumer_their_deployment_reads(
    helm: str, component: str, stream_variable: str, consumer_variable: str,
) -> None:
    objects = render(
        helm, "--set", "gpuWorkers.enabled=true",
        "--set", "queues.workConsumer=pose-pool", "--set", "queues.compareConsumer=compare-pool",
    )
    scaled = only(objects, "ScaledObject", component)
    target = scaled["spec"]["scaleTargetRef"]
    deployment = only(objects, "Deployment", component)
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "nats-jetstream"
    metadata = trigger["metadata"]
    (container,) = pod_spec(deployment)["containers"]
    env = environment(container, objects)
    assert (metadata["stream"], metadata["consumer"]) == (env[stream_variable], env[consumer_variable])
    assert metadata["consumer"].endswith("-pool")
    assert metadata["account"] == "$G"
    assert metadata["natsServerMonitoringEndpoint"] == f"nats-headless.{NAMESPACE}.svc.cluster.local:8222"
    assert int(metadata["lagThreshold"]) >= 1
    assert 0 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"]


def test_gpu_workers_ask_for_a_gpu_in_limits_and_use_cuda(helm: str) -> None:
    objects = render(helm, *RENDERINGS["gpu-workers-and-ingress"])
    deployment = only(objects, "Deployment", "pose-worker-gpu")
    (container,) = pod_spec(deployment)["containers"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert "nvidia.com/gpu" not in container["resources"].get("requests", {})
    env = environment(container, objects)
    assert env["DANCE_EXECUTION_PROVIDERS"] == "CUDAExecutionProvider,CPUExecutionProvider"
    assert env["DANCE_WORKERS_PER_GPU"] == "4"  # processes sharing the GPU (pose_worker/worker_pool.py)
    assert container["image"] == "dance-analysis:0.1.0-gpu"
    assert container["command"] == ["python", "-m", "pose_worker"]
    assert pod_spec(deployment)["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    gpu_toleration = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    assert gpu_toleration in pod_spec(deployment)["tolerations"]
    (cpu_container,) = pod_spec(only(objects, "Deployment", "pose-worker"))["containers"]
    assert "nvidia.com/gpu" not in cpu_container["resources"].get("limits", {})
    assert "DANCE_EXECUTION_PROVIDERS" not in environment(cpu_container, objects)
    assert "DANCE_WORKERS_PER_GPU" not in environment(cpu_container, objects)


def test_gpu_workers_are_absent_unless_enabled(helm: str) -> None:
    objects = render(helm)
    assert not [o for o in objects if component_of(o) == "pose-worker-gpu"]


def test_existing_secrets_are_referenced_and_values_never_inlined(helm: str) -> None:
    args = (
        *RENDERINGS["existing-secrets"],
        "--set", "s3.accessKey=access-that-must-not-leak", "--set", "apiKeys.keys={key-that-must-not-leak}",
    )
    assert "must-not-leak" not in _render(helm, args)
    objects = render(helm, *args)
    assert of_kind(objects, "Secret") == []
    for workload, container in containers(objects):
        env = environment(container, objects)
        assert env["DANCE_S3_ACCESS_KEY"] == {"name": "minio", "key": "rootUser"}, workload
        assert env["DANCE_S3_SECRET_KEY"] == {"name": "minio", "key": "rootPassword"}, workload
    (gateway,) = pod_spec(only(objects, "Deployment", "gateway"))["containers"]
    assert environment(gateway, objects)["DANCE_API_KEYS"] == {"name": "dance-api-keys", "key": "api-keys"}


def test_own_secret_holds_the_credentials_and_only_the_gateway_gets_api_keys(helm: str) -> None:
    objects = render(helm, "--set", "apiKeys.keys={k1,k2}", "--set", "s3.secretKey=s3cret")
    (secret,) = of_kind(objects, "Secret")
    assert secret["stringData"] == {"s3-access-key": "minioadmin", "s3-secret-key": "s3cret", "api-keys": "k1,k2"}
    for workload, container in containers(objects):
        env = environment(container, objects)
        assert env["DANCE_S3_SECRET_KEY"] == {"name": secret["metadata"]["name"], "key": "s3-secret-key"}, workload
        assert not any("s3cret" in str(value) for value in env.values()), workload
        assert ("DANCE_API_KEYS" in env) == workload.endswith("-gateway"), workload


@pytest.mark.parametrize("rendering", RENDERINGS)
def test_every_process_gets_the_shared_settings_and_they_parse(helm: str, rendering: str) -> None:
    objects = render(helm, *RENDERINGS[rendering])
    known = set(Settings.model_fields)
    assert containers(objects)
    for workload, container in containers(objects):
        env = environment(container, objects)
        for variable in SHARED_VARIABLES:
            assert variable in env, (workload, variable)
        assert env["DANCE_STREAM_REPLICAS"] == "3", workload
        assert env["DANCE_HTTP_HOST"] == "0.0.0.0", workload
        settings = {
            name.removeprefix("DANCE_").lower(): value for name, value in env.items() if name.startswith("DANCE_")
        }
        assert settings.keys() <= known, (workload, settings.keys() - known)
        # Every plain value parses as the process will parse it (a secret's is not known here).
        parsed = Settings(**{
            name: value for name, value in settings.items() if isinstance(value, str) and name in Settings.model_fields
        })
        assert parsed.http_host == "0.0.0.0"


def test_a_list_of_nats_urls_reaches_every_process(helm: str) -> None:
    urls = "nats://nats-0.nats-headless:4222\\,nats://nats-1.nats-headless:4222"
    objects = render(helm, "--set", f"nats.url={urls}")
    for workload, container in containers(objects):
        assert environment(container, objects)["DANCE_NATS_URL"] == urls.replace("\\", ""), workload


def test_large_numbers_reach_the_processes_as_integers(helm: str, tmp_path: Path) -> None:
    """Helm reads numbers in values files as floats; 8 GiB must not arrive as 8.589934592e+09."""
    values = tmp_path / "values.yaml"
    values.write_text("config:\n  max_upload_bytes: 8589934592\n  confidence_threshold: 0.5\n  overlay: false\n")
    objects = render(helm, "-f", str(values))
    data = only(objects, "ConfigMap", "config")["data"]
    assert data["DANCE_MAX_UPLOAD_BYTES"] == "8589934592"
    assert (data["DANCE_CONFIDENCE_THRESHOLD"], data["DANCE_OVERLAY"]) == ("0.5", "false")
    assert Settings(max_upload_bytes=data["DANCE_MAX_UPLOAD_BYTES"]).max_upload_bytes == 8 * 1024**3


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        pytest.param("config.nats_url=nats://elsewhere:4222", "set by the chart's own values", id="reserved-in-config"),
        pytest.param("poseWorkers.env.work_dir=/elsewhere", "set by the chart's own values", id="reserved-in-env"),
        pytest.param("config.DANCE_LOG_LEVEL=DEBUG", "field name", id="variable-not-field"),
    ],
)
def test_settings_in_the_wrong_place_are_refused(helm: str, setting: str, message: str) -> None:
    result = subprocess.run(
        [helm, "template", RELEASE, str(CHART), "--set", setting],
        check=False, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize("rendering", RENDERINGS)
def test_pods_run_as_non_root_on_a_read_only_root_with_tmp_writable(helm: str, rendering: str) -> None:
    objects = render(helm, *RENDERINGS[rendering])
    for workload in objects:
        if workload["kind"] not in {"Deployment", "Job"}:
            continue
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
        volumes = {volume["name"]: volume for volume in spec["volumes"]}
        for container in spec["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]]
            work_dir = environment(container, objects).get("DANCE_WORK_DIR")
            if work_dir:
                assert "emptyDir" in volumes[mounts[work_dir]]


def test_pose_workers_have_time_to_hand_back_their_job(helm: str) -> None:
    objects = render(helm, "--set", "gpuWorkers.enabled=true", "--set", "poseWorkers.shutdownGraceSeconds=120")
    for component in ("pose-worker", "pose-worker-gpu"):
        spec = pod_spec(only(objects, "Deployment", component))
        grace = float(environment(spec["containers"][0], objects)["DANCE_SHUTDOWN_GRACE_S"])
        assert spec["terminationGracePeriodSeconds"] > grace, component
    assert pod_spec(only(objects, "Deployment", "pose-worker"))["terminationGracePeriodSeconds"] == 130


def test_provisioning_is_a_hook_job_with_the_settings_inlined(helm: str) -> None:
    objects = render(helm)
    job = only(objects, "Job", "provision")
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"post-install", "pre-upgrade"}
    assert job["spec"]["backoffLimit"] >= 1
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    (container,) = pod_spec(job)["containers"]
    assert container["command"] == ["python", "-m", "operations.provision"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    # Before an upgrade the ConfigMap still holds the old values, so the Job carries its own copy.
    assert "envFrom" not in container
    env = environment(container, objects)
    assert only(objects, "ConfigMap", "config")["data"].items() <= env.items()
    assert env["DANCE_STREAM_REPLICAS"] == "3"
    assert "DANCE_API_KEYS" not in env


def test_disruption_budgets_cover_the_gateway_listener_and_workers(helm: str) -> None:
    objects = render(helm, "--set", "gpuWorkers.enabled=true")
    budgets = of_kind(objects, "PodDisruptionBudget")
    covered = set()
    for budget in budgets:
        selector = budget["spec"]["selector"]["matchLabels"]
        (deployment,) = [
            d for d in of_kind(objects, "Deployment")
            if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        covered.add(component_of(deployment))
        replicas = deployment["spec"].get("replicas")
        if replicas is not None and "minAvailable" in budget["spec"]:
            assert budget["spec"]["minAvailable"] < replicas, "a budget no pod may leave blocks every drain"
    assert {"gateway", "listener", "pose-worker", "pose-worker-gpu", "compare-worker"} <= covered


def test_ingress_routes_to_the_gateway_service(helm: str) -> None:
    objects = render(helm, *RENDERINGS["gpu-workers-and-ingress"])
    (ingress,) = of_kind(objects, "Ingress")
    service = only(objects, "Service", "gateway")
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": service["metadata"]["name"], "port": {"number": service["spec"]["ports"][0]["port"]}}
    assert of_kind(render(helm), "Ingress") == []


def test_minio_values_define_the_targets_provisioning_subscribes_the_bucket_to() -> None:
    """deploy/helm/upstream/minio-values.yaml gives MinIO the NATS targets operations/provision.py names."""
    minio = yaml.safe_load((ROOT / "deploy" / "helm" / "upstream" / "minio-values.yaml").read_text())["environment"]
    example = yaml.safe_load(CLUSTER_EXAMPLE.read_text())
    nats_host = example["nats"]["url"].split(",")[0].removeprefix("nats://")
    for arn in NATS_TARGET_ARNS.values():
        target = arn.split(":")[4]  # arn:minio:sqs::PRIMARY:nats
        assert minio[f"MINIO_NOTIFY_NATS_ENABLE_{target}"] == "on"
        assert minio[f"MINIO_NOTIFY_NATS_JETSTREAM_{target}"] == "on"
        assert minio[f"MINIO_NOTIFY_NATS_SUBJECT_{target}"] == example["config"]["events_subject"]
        assert minio[f"MINIO_NOTIFY_NATS_ADDRESS_{target}"] == nats_host
