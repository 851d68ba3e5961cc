"""Property-based fuzzing (schemathesis) of the privacy and self-service APIs: with a privacy
token, on a real account and on random ones, no input makes a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.support.review import make_clips
from tests.support.rights import service_token
from voxguard.config import Settings
from voxguard.db import migrate
from voxguard.runtime import build_runtime
from voxguard.web.app import create_app

RIGHTS_TAGS = {"privacy", "self-service"}


def test_no_input_to_the_rights_apis_makes_a_server_error(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    data = tmp_path_factory.mktemp("rights-fuzz")
    config = Settings(data_dir=data, review_consent_default="opted_in", sampling_rate=1.0)
    migrate.upgrade(config.resolved_database_url)
    rt = build_runtime(config)
    clips = make_clips(rt, 2, account_ref="ACCT-FUZZ", serial="SN-FUZZ")
    token = service_token(rt, "privacy", "records")
    app = create_app(rt)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [
        op
        for result in schema.get_all_operations()
        if RIGHTS_TAGS & set((op := result.ok()).definition.raw.get("tags", []))
    ]
    assert len(operations) >= 14
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            params = case.path_parameters or {}
            for real in (False, True):
                if real and "account_ref" in params:
                    params["account_ref"] = "ACCT-FUZZ"
                if real and "recording_id" in params:
                    params["recording_id"] = clips[0]
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
                response = case.call()
                statuses.append(response.status_code)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        run()
    rt.close()
    assert not failures, failures[:10]
    assert any(200 <= code < 300 for code in statuses)
    assert 404 in statuses  # random references and ids are refused, not crashed on
