"""Schemathesis against /openapi.json, in process: no request the schema allows, or bends, is a 5xx.

Schemathesis generates requests from each operation's documented parameters and bodies
(positive: as documented; negative: wrong types, out-of-range numbers, missing or extra fields,
odd strings), sends them to the ASGI app without a network, and fails on any server error. The
install is one SQLite database for the module, with the demo people and a case under way, so
the operations meet real data. Examples are bounded and derandomised: the same requests every run.

(Schemathesis' own pytest loader, ``schemathesis.pytest.from_fixture``, does not work with pytest
9 (it sets ``node._nodeid``), so each operation's strategy is driven with Hypothesis directly.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.schemas import OpenApiSchema

from sop_engine import api_tokens, cases
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.demo import DEMO_PEOPLE
from sop_engine.install import initialise
from sop_engine.web.app import create_app
from tests.conftest import START, make_settings
from tests.helpers import pdf

#: Every operation of /api/v1 by its operationId; a test checks the schema has exactly these.
pytestmark = pytest.mark.slow  # Schemathesis: hundreds of generated requests

OPERATIONS = [
    "me",
    "list_cases",
    "show_case",
    "start_case",
    "complete_step",
    "return_step",
    "answer_step",
    "cancel_case",
    "download_artefact",
    "audit_log",
    "audit_verify",
    "make_document",
    "analysis",
    "draft_download",
    "archive_download",
    "archive_verify",
    "supervised_offices",
    "list_letters",
    "issue_letter",
    "cancel_letter",
]
#: The operations with a case code in their path.
ON_A_CASE = [
    "show_case",
    "complete_step",
    "return_step",
    "answer_step",
    "cancel_case",
    "download_artefact",
    "make_document",
    "analysis",
    "draft_download",
    "archive_download",
]

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def fuzz_ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """A SQLite install with the demo people and lakip-2021 at step 2 (step 1's document attached)."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    context = Context.open(make_settings(folder), clock=FixedClock(START))
    initialise(context, DEMO_PEOPLE)
    cases.start_case(context, "lakip", 2021, "sekretaris")
    cases.complete_step(context, "lakip-2021", 1, "sekretaris", [IncomingFile.from_path(pdf(folder))])
    yield context
    context.db.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_ctx: Context) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(fuzz_ctx))


@pytest.fixture(scope="module")
def sekretaris_token(fuzz_ctx: Context) -> str:
    """The sekretaris may start, complete step 1, cancel and read the audit trail: most routes do work."""
    return api_tokens.issue_token(fuzz_ctx, "sekretaris")


def fuzz(
    schema: OpenApiSchema,
    operation_id: str,
    mode: GenerationMode,
    headers: dict[str, str],
    also: Callable[[schemathesis.Response], None] = lambda response: None,
    examples: int = FUZZ.max_examples,
    path: dict[str, str] | None = None,
) -> None:
    """Send ``examples`` generated requests to the operation; fail on a 5xx or when ``also`` fails.

    ``path`` fixes path parameters (e.g. a case that exists); the others are generated.
    """
    operation = schema.find_operation_by_id(operation_id)

    @settings(FUZZ, max_examples=examples)
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    def send(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error])
        also(response)

    send()


def test_the_fuzzed_operations_are_all_the_api_has(api_schema: OpenApiSchema) -> None:
    documented = [result.ok().definition.raw.get("operationId") for result in api_schema.get_all_operations()]
    assert sorted(documented) == sorted(OPERATIONS)
    with_code = [op_id for op_id in OPERATIONS if "{code}" in api_schema.find_operation_by_id(op_id).path]
    assert with_code == ON_A_CASE


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_no_request_of_the_sekretaris_makes_a_server_error(
    api_schema: OpenApiSchema, sekretaris_token: str, operation_id: str, mode: GenerationMode
) -> None:
    fuzz(api_schema, operation_id, mode, {"Authorization": f"Bearer {sekretaris_token}"})


@pytest.mark.parametrize("operation_id", ON_A_CASE)
def test_no_request_of_the_sekretaris_on_a_case_under_way_makes_a_server_error(
    api_schema: OpenApiSchema, sekretaris_token: str, operation_id: str
) -> None:
    """The rest of the request (step, body, files, note) is fuzzed against lakip-2021, which exists."""
    headers = {"Authorization": f"Bearer {sekretaris_token}"}
    fuzz(api_schema, operation_id, GenerationMode.POSITIVE, headers, path={"code": "lakip-2021"})


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_every_request_without_a_token_is_refused_with_401(api_schema: OpenApiSchema, operation_id: str) -> None:
    def refused(response: schemathesis.Response) -> None:
        assert response.status_code == 401, response.text

    fuzz(api_schema, operation_id, GenerationMode.NEGATIVE, {}, also=refused, examples=5)
