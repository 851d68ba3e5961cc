"""The lead's listening page (/lead/anonymization) and its audio, over HTTP against the real app.

On SQLite and PostgreSQL (the ``rt`` fixture): who may open the page and fetch its audio, what
the audio answers carry (WAV, never cached), the audit event of each listen, the method
selector, the default set (the demo voices, rendered once) and a deployment's own set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.audio import encode, tone
from tests.support.client import app_client
from tests.support.people import login, make_user
from voxguard.db.models import AuditEvent, User
from voxguard.demo.speech import DEMO_VOICES
from voxguard.privacy.anonymize import METHODS
from voxguard.privacy.calibration import MANIFEST_NAME
from voxguard.runtime import Runtime, build_runtime

SignIn = Callable[..., tuple[TestClient, User]]
PAGE = "/lead/anonymization"
FIRST = "demo-1-en-us-f3"


@pytest.fixture
def sign_in(rt: Runtime) -> Iterator[SignIn]:
    with ExitStack() as stack:

        def make(role: str = "lead", runtime: Runtime | None = None):  # type: ignore[no-untyped-def]
            runtime = runtime or rt
            user, password, secret = make_user(runtime, role=role)
            client = stack.enter_context(app_client(runtime))
            login(client, user.username, password, secret)
            return client, user

        yield make


def listens(rt: Runtime) -> list[tuple[str, str, dict[str, str]]]:
    with rt.db.read() as session:
        rows = session.execute(
            sa.select(AuditEvent.actor, AuditEvent.target, AuditEvent.details)
            .where(AuditEvent.action == "calibration.listened")
            .order_by(AuditEvent.seq)
        ).all()
    return [(actor, target, json.loads(details)) for actor, target, details in rows]


def audio_sources(html: str) -> list[str]:
    return re.findall(r'<audio controls preload="none" src="([^"]+)"', html)


def test_only_leads_open_the_page_and_hear_its_audio(rt: Runtime, sign_in: SignIn) -> None:
    lead, lead_user = sign_in("lead")
    page = lead.get(PAGE)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "text/html" in page.headers["content-type"]
    sources = audio_sources(page.text)
    assert len(sources) == 2 * len(DEMO_VOICES)  # an original and an anonymized player per clip

    audio = lead.get(f"/api/v1/lead/calibration/{FIRST}/anonymized")
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/wav"
    assert audio.headers["cache-control"] == "no-store"
    assert audio.content[:4] == b"RIFF" and audio.content[8:12] == b"WAVE"
    original = lead.get(f"/api/v1/lead/calibration/{FIRST}/original")
    assert original.status_code == 200 and original.headers["cache-control"] == "no-store"
    assert original.content != audio.content

    for role in ("reviewer", "privacy_officer", "admin"):
        other, _ = sign_in(role)
        refused = other.get(PAGE)
        assert refused.status_code == 403, role
        assert "text/html" in refused.headers["content-type"] and "Not allowed" in refused.text
        denied = other.get(f"/api/v1/lead/calibration/{FIRST}/original")
        assert denied.status_code == 403, role
        assert denied.json()["error"] == "forbidden"
    with app_client(rt) as anonymous:
        away = anonymous.get(PAGE, follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"] == f"/login?next={PAGE}"
        assert anonymous.get(f"/api/v1/lead/calibration/{FIRST}/original").status_code == 401

    # Two listens by the lead, nothing for the refused; never what was said.
    assert listens(rt) == [
        (
            f"user:{lead_user.handle}",
            f"calibration:{FIRST}",
            {"version": "anonymized", "method": rt.settings.anonymization_method},
        ),
        (f"user:{lead_user.handle}", f"calibration:{FIRST}", {"version": "original"}),
    ]
    with rt.db.read() as session:
        chain = " ".join(
            f"{e.target} {e.details}" for e in session.execute(sa.select(AuditEvent)).scalars()
        )
    assert "alarm" not in chain and "espeak" not in chain


def test_the_page_shows_each_clip_with_both_players_and_the_method(
    rt: Runtime, sign_in: SignIn
) -> None:
    lead, _ = sign_in("lead")
    html = lead.get(PAGE).text
    method = rt.settings.anonymization_method
    assert "“set an alarm for seven thirty tomorrow morning”" in html
    assert "espeak-ng voice en-us+f3" in html
    assert f'src="/api/v1/lead/calibration/{FIRST}/original"' in html
    assert f'src="/api/v1/lead/calibration/{FIRST}/anonymized?method={method}"' in html
    assert f'<option value="{method}" selected>{method} (in use)</option>' in html
    # a setting of the default method (tdpsola): its tilt range
    assert re.search(r"<dt>tilt range</dt><dd>-9 to 9</dd>", html)
    # The page's own script and style come from files (CSP: no inline script or style).
    assert '<script type="module" src="/static/lead/calibration.js"></script>' in html
    assert "/static/lead/calibration.css" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and "<style" not in html
    # Linked from the lead page's navigation, and back.
    assert f'href="{PAGE}"' in lead.get("/lead").text
    assert 'href="/lead"' in html
    # Opening the page is not a listen: nothing is fetched until a player plays.
    assert listens(rt) == []


def test_another_method_can_be_tried_and_unknown_ones_are_refused(
    rt: Runtime, sign_in: SignIn
) -> None:
    lead, _ = sign_in("lead")
    other = next(m for m in METHODS if m != rt.settings.anonymization_method)
    page = lead.get(PAGE, params={"method": other})
    assert page.status_code == 200
    assert f'<option value="{other}" selected>' in page.text and "not in use" in page.text
    anonymized = [s for s in audio_sources(page.text) if "/anonymized" in s]
    assert anonymized and all(s.endswith(f"?method={other}") for s in anonymized)
    heard = lead.get(anonymized[0])
    assert heard.status_code == 200
    configured = lead.get(f"/api/v1/lead/calibration/{FIRST}/anonymized")
    assert configured.content != heard.content
    assert listens(rt)[0][2] == {"version": "anonymized", "method": other}

    bad = lead.get(PAGE, params={"method": "nope"})
    assert bad.status_code == 422 and "no anonymization method called" in bad.text
    refused = lead.get(f"/api/v1/lead/calibration/{FIRST}/anonymized", params={"method": "nope"})
    assert refused.status_code == 422 and refused.json()["error"] == "unknown_method"
    for path, status in (
        (f"/api/v1/lead/calibration/{FIRST}/both", 422),
        ("/api/v1/lead/calibration/nobody/original", 404),
        ("/api/v1/lead/calibration/..%2F..%2Fmaster.key/original", 404),
        (f"/api/v1/lead/calibration/{FIRST}.wav/original", 404),
    ):
        assert lead.get(path).status_code == status, path
    assert len(listens(rt)) == 2  # refusals are not listens


def test_a_deployments_own_set_is_used_and_never_filled_with_demo_voices(
    make_settings: Callable[..., object], tmp_path: Path, sign_in: SignIn
) -> None:
    own = tmp_path / "volunteers"
    runtime = build_runtime(make_settings(calibration_dir=own))  # type: ignore[arg-type]
    try:
        lead, _ = sign_in("lead", runtime=runtime)
        missing = lead.get(PAGE)
        assert missing.status_code == 503 and "does not exist" in missing.text
        assert not own.exists()  # the demo voices never go into a configured folder
        assert lead.get(f"/api/v1/lead/calibration/{FIRST}/original").status_code == 503

        own.mkdir()
        (own / "volunteer-7.wav").write_bytes(encode(tone(0.6), 16_000))
        (own / MANIFEST_NAME).write_text(
            '{"clip": "volunteer-7", "text": "good morning", "speaker": "Volunteer 7, agreed '
            '2026-11-02"}\n',
            encoding="utf-8",
        )
        page = lead.get(PAGE)
        assert page.status_code == 200
        assert "this deployment's calibration set" in page.text
        assert "“good morning”" in page.text and "Volunteer 7" in page.text
        assert len(audio_sources(page.text)) == 2
        assert lead.get("/api/v1/lead/calibration/volunteer-7/anonymized").status_code == 200
        assert sorted(p.name for p in own.iterdir()) == [MANIFEST_NAME, "volunteer-7.wav"]
        assert runtime.settings.calibration_cache_dir.is_relative_to(runtime.settings.data_dir)
    finally:
        runtime.close()
