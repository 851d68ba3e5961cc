"""Property-based API fuzzing (schemathesis): no input, signed in or not, makes a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.support.client import app_client
from tests.support.people import login, make_user
from voxguard.config import Settings
from voxguard.runtime import build_runtime
from voxguard.web.app import create_app


def _app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from voxguard.db import migrate

    data = tmp_path_factory.mktemp("fuzz")
    settings = Settings(data_dir=data, review_consent_default="opted_in", sampling_rate=1.0)
    migrate.upgrade(settings.resolved_database_url)
    return create_app(build_runtime(settings))


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return _app(tmp_path_factory)


@pytest.fixture(scope="module")
def signed_in_headers(fuzz_app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rt = fuzz_app.state.runtime
    user, password, secret = make_user(rt, role="lead")
    client = app_client(rt)
    token = login(client, user.username, password, secret)
    return {"X-CSRF-Token": token, "Cookie": f"vg_session={client.cookies.get('vg_session')}"}


def test_no_input_makes_a_server_error(fuzz_app, signed_in_headers) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            for headers in ({}, signed_in_headers):
                case.headers = {**(case.headers or {}), **headers}
                response = case.call()
                statuses.append(response.status_code)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        run()
    assert not failures, failures[:10]
    assert len(statuses) >= 10 * len(operations)
    assert any(200 <= code < 300 for code in statuses)  # signed in, some calls succeed
