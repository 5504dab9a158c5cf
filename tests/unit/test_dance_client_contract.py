"""``dance_client/api.py`` against the gateway: the client spells the API once, and spells it right;
and the package needs nothing but the standard library."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from dance_client import api
from domain.comparisons import ComparisonStatus
from domain.jobs import FINAL_STATUSES, JobStatus
from gateway.app import endpoints
from gateway.models.comparisons import ComparisonEvent
from gateway.models.jobs import JobEvent
from gateway.uploads import SUPPORTED_TYPES
from tests.processes import ROOT

PACKAGE = ROOT / "dance_client"
GATEWAY = {endpoint.operation_id: endpoint for endpoint in endpoints()}


def package_modules() -> list[Path]:
    return sorted(PACKAGE.glob("*.py"))


def string_constants(path: Path) -> set[str]:
    """Every string literal of the module, docstrings and f-string pieces included."""
    return {node.value for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Constant)
            and isinstance(node.value, str)}


def imported_roots(path: Path) -> set[str]:
    """The top-level names of what the module imports (absolute imports only; relative ones stay inside)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.partition(".")[0])
    return roots


@pytest.mark.parametrize("operation", [pytest.param(op, id=op.operation_id) for op in api.OPERATIONS])
def test_every_call_the_client_makes_is_an_endpoint_of_the_gateway_with_that_method_and_path(operation):
    endpoint = GATEWAY.get(operation.operation_id)
    assert endpoint is not None, f"the gateway has no operation {operation.operation_id}"
    assert (operation.method, operation.path) == (endpoint.method, endpoint.openapi_path)


def test_the_event_names_the_client_listens_for_are_those_the_gateway_sends():
    assert api.JOB_EVENTS.event == JobEvent.model_fields["event"].default == "job"
    assert api.COMPARISON_EVENTS.event == ComparisonEvent.model_fields["event"].default == "comparison"
    assert GATEWAY[api.JOB_EVENTS.operation_id].content_type == "text/event-stream"
    assert GATEWAY[api.COMPARISON_EVENTS.operation_id].content_type == "text/event-stream"


def test_the_final_statuses_are_the_domains():
    assert api.FINAL_JOB_STATUSES == {status.value for status in FINAL_STATUSES}
    assert api.FINAL_COMPARISON_STATUSES == {status.value for status in ComparisonStatus if status.is_final}
    assert api.COMPLETED == JobStatus.COMPLETED.value == ComparisonStatus.COMPLETED.value
    assert api.FAILED == JobStatus.FAILED.value == ComparisonStatus.FAILED.value


def test_the_admitted_statuses_are_every_status_after_awaiting_upload_that_is_not_a_failure():
    expected = {JobStatus.QUEUED.value, JobStatus.PROCESSING.value, JobStatus.COMPLETED.value}
    assert api.ADMITTED_JOB_STATUSES == expected


def test_every_extension_the_gateway_takes_is_sent_with_a_type_it_takes_for_that_extension():
    extensions = {extension for types in SUPPORTED_TYPES.values() for extension in types}
    assert set(api.CONTENT_TYPES) == extensions
    for extension, content_type in api.CONTENT_TYPES.items():
        assert extension in SUPPORTED_TYPES[content_type], (extension, content_type)


@pytest.mark.parametrize(
    "module", [pytest.param(path, id=path.name) for path in package_modules() if path.name != "api.py"]
)
def test_no_module_but_api_spells_a_path_or_a_status(module):
    spelled = {text for text in string_constants(module) if "/api/" in text}
    statuses = {status.value for status in JobStatus} | {status.value for status in ComparisonStatus}
    assert not spelled, f"{module.name} spells API paths: {spelled}"
    assert not string_constants(module) & statuses, f"{module.name} spells statuses"


@pytest.mark.parametrize("module", [pytest.param(path, id=path.name) for path in package_modules()])
def test_the_package_imports_only_the_standard_library_and_itself(module):
    foreign = imported_roots(module) - set(sys.stdlib_module_names) - {"__future__", "dance_client"}
    assert not foreign, f"{module.name} imports {foreign}"


def test_the_package_and_its_command_run_on_a_python_without_site_packages():
    # -S: no site-packages at all, so any third-party import fails; the package comes from the checkout.
    modules = [path.stem for path in package_modules() if not path.stem.startswith("__")]
    imports = "; ".join(f"import dance_client.{module}" for module in modules)
    result = subprocess.run(
        [sys.executable, "-S", "-c", f"{imports}; import sys; sys.argv[0] = 'dance'; "
         "from dance_client.cli import main; sys.exit(main(['--help']))"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "upload" in result.stdout and "compare" in result.stdout
