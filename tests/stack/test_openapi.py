"""The OpenAPI document is generated from the models, matches the routes, /docs works offline, and
every generated request gets an answer the document allows (all of schemathesis' checks)."""
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
OPENAPI = create_app(OFFLINE)[OPENAPI_DOCUMENT]


def documented_operations() -> set[tuple[str, str]]:
    return {(method, path) for path, item in OPENAPI["paths"].items() for method in item if method in HTTP_METHODS}


def test_the_document_is_valid_openapi_3_0():
    validate(OPENAPI)
    assert OPENAPI["openapi"].startswith("3.0.")


def test_every_served_route_is_documented_and_nothing_more():
    app = create_app(OFFLINE)
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.method not in {"HEAD", "OPTIONS"} and route.resource.canonical not in {ASSETS_ROUTE, WEB_ASSETS_ROUTE}
    }
    assert served == documented_operations()


def test_exactly_the_paths_the_gateway_leaves_open_need_no_bearer_token():
    assert OPENAPI["security"] == [{"bearerAuth": []}]
    paths = OPENAPI["paths"]
    open_paths = {path for method, path in documented_operations() if paths[path][method].get("security") == []}
    assert open_paths == set(PUBLIC_PATHS) - {WEB_ASSETS_PREFIX}  # the page's assets, like the docs', are not operations
    assert not any(path.startswith("/api/") for path in open_paths)


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


def test_generated_requests_get_the_answers_the_document_promises(secured_gateway, tmp_path):
    """Every check: status codes, content types, headers and bodies conform to the schemas; valid data
    is accepted, invalid data and missing or wrong keys refused; stateful runs follow upload-url's links.
    The gateway has API keys, so the document's bearer scheme is enforced, not merely declared."""
    # The CLI, not schemathesis' pytest plugin: the plugin breaks on pytest 9.2 (it sets Node._nodeid,
    # which pytest removed), and only the CLI adds the stateful phase that follows upload-url's links.
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(SCHEMATHESIS_CONFIG),
        "run", f"{secured_gateway.api}/openapi.json",
        "--checks", "all",
        "--header", f"Authorization: Bearer {API_KEYS[0]}",
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
