"""The OpenAPI document is generated from the models, matches the routes, /docs works offline,
declares the bearer key only where the gateway has keys, and every generated request gets an
answer the document allows (all of schemathesis' checks, on a gateway with keys and one without)."""
from __future__ import annotations

import re
import subprocess
import sys
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from openapi_spec_validator import validate

from choreo.angles import JOINTS
from domain.jobs import JobStatus
from gateway.app import create_app
from gateway.app_keys import OPENAPI_DOCUMENT
from gateway.auth import PUBLIC_PATHS
from gateway.docs import ASSETS_ROUTE
from gateway.web_page import ASSETS_PREFIX as WEB_ASSETS_PREFIX
from gateway.web_page import ASSETS_ROUTE as WEB_ASSETS_ROUTE
from infra.settings import Settings
from tests.conftest import API_KEYS
from tests.processes import ROOT

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
#: Which statuses count as accepting or refusing where a rule spans parameters; see the file's comments.
SCHEMATHESIS_CONFIG = ROOT / "tests" / "schemathesis.toml"
#: Enough generated requests per operation to hit odd inputs, few enough to finish in seconds.
EXAMPLES_PER_OPERATION = 25
#: Seconds the whole property-based run may take before the test gives up on it.
SCHEMATHESIS_TIMEOUT_S = 240
#: Built, never started: the connections are opened on start-up, so these addresses are never dialled.
OFFLINE = Settings(nats_url="nats://127.0.0.1:1", s3_endpoint="http://127.0.0.1:1")
#: What `make up` runs (no API keys), and a gateway with keys: the document states what each enforces.
OPENAPI = create_app(OFFLINE)[OPENAPI_DOCUMENT]
KEYED_OPENAPI = create_app(OFFLINE.model_copy(update={"api_keys": ",".join(API_KEYS)}))[OPENAPI_DOCUMENT]


def documented_operations() -> set[tuple[str, str]]:
    return {(method, path) for path, item in OPENAPI["paths"].items() for method in item if method in HTTP_METHODS}


@pytest.mark.parametrize(
    "document", [pytest.param(OPENAPI, id="without-api-keys"), pytest.param(KEYED_OPENAPI, id="with-api-keys")]
)
def test_the_document_is_valid_openapi_3_0(document):
    validate(document)
    assert document["openapi"].startswith("3.0.")


def test_every_served_route_is_documented_and_nothing_more():
    app = create_app(OFFLINE)
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.method not in {"HEAD", "OPTIONS"} and route.resource.canonical not in {ASSETS_ROUTE, WEB_ASSETS_ROUTE}
    }
    assert served == documented_operations()


def test_with_api_keys_exactly_the_paths_the_gateway_leaves_open_need_no_bearer_token():
    assert KEYED_OPENAPI["security"] == [{"bearerAuth": []}]
    assert KEYED_OPENAPI["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    paths = KEYED_OPENAPI["paths"]
    open_paths = {path for method, path in documented_operations() if paths[path][method].get("security") == []}
    assert open_paths == set(PUBLIC_PATHS) - {WEB_ASSETS_PREFIX}  # the page's assets, like the docs', are not operations
    assert not any(path.startswith("/api/") for path in open_paths)
    keyed = [(method, path) for method, path in documented_operations() if path not in open_paths]
    assert all("401" in paths[path][method]["responses"] for method, path in keyed)


def test_without_api_keys_no_operation_declares_a_security_requirement():
    """The gateway runs open and ignores any token: not even an optional bearer scheme is offered."""
    assert "security" not in OPENAPI and "securitySchemes" not in OPENAPI["components"]
    operations = [OPENAPI["paths"][path][method] for method, path in documented_operations()]
    assert not any("security" in operation for operation in operations)
    assert not any("401" in operation["responses"] for operation in operations)
    assert "no API keys configured" in OPENAPI["info"]["description"]


@pytest.mark.parametrize(
    ("gateway", "security"),
    [
        pytest.param("stack", None, id="without-api-keys"),
        pytest.param("secured_gateway", [{"bearerAuth": []}], id="with-api-keys"),
    ],
)
def test_a_running_gateway_serves_the_document_of_its_own_settings(request, gateway, security):
    served = requests.get(f"{request.getfixturevalue(gateway).api}/openapi.json", timeout=10).json()
    assert served.get("security") == security


@pytest.mark.parametrize("schema", [pytest.param("Job", id="job"), pytest.param("Confirmation", id="confirmation")])
def test_the_status_enum_lists_every_job_status_once(schema):
    statuses = OPENAPI["components"]["schemas"][schema]["properties"]["status"]["enum"]
    assert set(statuses) == {status.value for status in JobStatus} | {"cancelled"}
    assert len(statuses) == len(set(statuses))


def test_analysis_json_is_documented_as_a_schema_the_job_result_points_to():
    schemas = OPENAPI["components"]["schemas"]
    analysis = schemas["Analysis"]
    assert set(analysis["required"]) == set(analysis["properties"]) >= {
        "version", "job_id", "video", "definitions", "tempo", "music", "beat_alignment", "dancers", "synchrony"
    }
    dancer = schemas["Dancer"]["properties"]
    assert {"kinematic_beats", "energy", "joint_angles", "range_of_motion", "symmetry", "beat_alignment"} <= set(dancer)
    assert set(schemas["JointAngles"]["properties"]) == set(JOINTS)
    result = schemas["JobResult"]["properties"]
    assert "Analysis" in result["analysis_url"]["description"] and "summary" in result


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        pytest.param("/docs", "text/html", id="page"),
        pytest.param("/docs/assets/swagger-ui-bundle.js", "application/javascript", id="script"),
        pytest.param("/docs/assets/swagger-ui.css", "text/css", id="stylesheet"),
        pytest.param("/openapi.json", "application/json", id="document"),
    ],
)
def test_docs_and_their_assets_are_served_by_the_gateway(stack, path, content_type):
    response = requests.get(f"{stack.api}{path}", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == content_type
    assert response.content


def test_everything_the_docs_page_loads_comes_from_the_gateway(stack):
    page_url = f"{stack.api}/docs"
    page = requests.get(page_url, timeout=10).text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    spec = re.findall(r'url: "([^"]+)"', page)
    assert len(assets) == 3 and len(spec) == 1  # stylesheet, icon, script; the document
    for reference in assets + spec:
        url = urljoin(page_url, reference)
        assert urlsplit(url).netloc == urlsplit(stack.api).netloc, reference
        assert requests.get(url, timeout=10).status_code == 200, url


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("index.html", id="bundle-file-of-another-type"),
        pytest.param("..%2F..%2Fopenapi.py", id="encoded-parent-directory"),
        pytest.param("missing.js", id="not-in-the-bundle"),
    ],
)
def test_docs_assets_outside_the_bundle_are_404(stack, name):
    response = requests.get(f"{stack.api}/docs/assets/{name}", timeout=10)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("gateway", "headers"),
    [
        pytest.param("secured_gateway", ["--header", f"Authorization: Bearer {API_KEYS[0]}"], id="with-api-keys"),
        pytest.param("stack", [], id="without-api-keys"),
    ],
)
def test_generated_requests_get_the_answers_the_document_promises(request, gateway, headers, tmp_path):
    """Every check: status codes, content types, headers and bodies conform to the schemas; valid data
    is accepted, invalid data refused; stateful runs follow upload-url's links. With API keys the
    document's bearer scheme is enforced (missing or wrong keys refused); without them the document
    declares none, so the check that a declared scheme is enforced has nothing to find."""
    api = request.getfixturevalue(gateway).api
    # The CLI, not schemathesis' pytest plugin: the plugin breaks on pytest 9.2 (it sets Node._nodeid,
    # which pytest removed), and only the CLI adds the stateful phase that follows upload-url's links.
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(SCHEMATHESIS_CONFIG),
        "run", f"{api}/openapi.json",
        "--checks", "all",
        *headers,
        "--max-examples", str(EXAMPLES_PER_OPERATION),
        "--request-timeout", "10",
        "--generation-database", "none",
        # Print requests as sent, s3_key included: the test stack holds no secrets, and a failure must reproduce.
        "--output-sanitize", "false",
        "--no-color",
    ]
    # Run in a temporary directory so nothing lands in the repository.
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=SCHEMATHESIS_TIMEOUT_S)
    assert run.returncode == 0, run.stdout + run.stderr
