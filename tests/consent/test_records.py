"""Records of processing: counts from the live data, figures only from benchmark results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import env, run  # noqa: F401  (the fixture and the runner)
from tests.support.client import app_client
from tests.support.people import login, make_user
from tests.support.review import add_reviewer, make_clips, review_next
from tests.support.rights import bearer, full_consent, service_token
from voxguard.config import reset_settings_cache
from voxguard.consent import records
from voxguard.consent.records import LIVE, NOT_MEASURED, PUBLISHED_FIGURES, processing_record
from voxguard.privacy.anonymize import DEFAULT_METHOD
from voxguard.runtime import Runtime, build_runtime


def _results(folder: Path, name: str, eer: float, recall: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    report = {
        "started": "2026-11-30T10:00:00+00:00",
        "methods": {
            DEFAULT_METHOD: {  # the default method, judged on its primary set
                "primary_set": "so-heldout",
                "speaker_verification": {
                    "so-heldout": {"lazy": {"eer": eer}, "ignorant": {"eer": 0.4}},
                    "fsdd": {"lazy": {"eer": 0.01}, "ignorant": {"eer": 0.01}},
                },
                "asr_agreement_wer": {"so-heldout": 0.077, "lj": 0.5},
            }
        },
        "pii": {"assistant_domain": {"PHONE": {"recall": 1.0}, "PERSON": {"recall": recall}}},
    }
    (folder / name).write_text(json.dumps(report))


def test_counts_and_figures(make_settings, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    results = tmp_path / "results"
    rt = build_runtime(make_settings(bench_results_dir=results))
    try:
        make_clips(rt, 2, account_ref="ACCT-ROP-1", serial="SN-1")
        make_clips(rt, 1, account_ref="ACCT-ROP-2", serial="SN-2")
        make_clips(rt, 1, account_ref="ACCT-ROP-3", serial="SN-3")
        make_user(rt, role="reviewer", region="eu")
        make_user(rt, role="reviewer", region="us")
        token = service_token(rt)
        with app_client(rt) as client:
            client.put(
                "/api/v1/accounts/ACCT-ROP-2/consent",
                headers=bearer(token),
                json=full_consent(human_review="opted_out", retention="18_months"),
            )
            assert (
                client.delete("/api/v1/accounts/ACCT-ROP-3", headers=bearer(token)).status_code
                == 202
            )
        with rt.db.read() as session:
            record = processing_record(session, rt.settings)
        assert record.counts["stored"] == 3 and record.counts["sampled"] == 3
        assert record.counts["opted_out"] == 1 and record.counts["erased"] == 1
        assert record.retention["18_months"] == 1 and record.retention["3_months"] == 1
        assert {(r["region"], r["people"]) for r in record.recipients} == {("eu", 1), ("us", 1)}
        # nothing measured here yet: the project's published figures, saying whose they are
        published = json.loads(PUBLISHED_FIGURES.read_text())
        default = published["methods"][rt.settings.anonymization_method]
        primary = default["primary_set"]
        assert record.results_file is None
        assert record.published_from == f"voxguard project, {published['started'][:10]}"
        figures = [m.figure for m in record.measures]
        eer = default["speaker_verification"][primary]["lazy"]["eer"]
        assert figures[0] == f"{100 * eer:.1f} % ({published['started'][:10]})"
        assert figures[2] == f"{100 * default['asr_agreement_wer'][primary]:.1f} %"
        recalls = [v["recall"] for v in published["pii"]["assistant_domain"].values()]
        assert figures[3] == f"{100 * min(recalls):.1f} %"
        assert record.measures[0].source == record.published_from

        # the chart: a bar per figure with a target, none for an unmeasured one
        charted = [m for m in record.measures if m.chart_label]
        assert [m.goal for m in charted[:3]] == [0.30, 0.30, 0.15] and charted[2].at_most
        assert len(charted) == 3 + len(recalls)
        png = records.measures_chart_png(record)
        assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"

        monkeypatch.setattr(records, "PUBLISHED_FIGURES", tmp_path / "none.json")
        with rt.db.read() as session:
            record = processing_record(session, rt.settings)
        assert (record.results_file, record.published_from) == (None, None)
        assert {m.figure for m in record.measures[:4]} == {NOT_MEASURED}
        assert records.measures_chart_png(record) is None

        _results(results, "privacy-20261130T100000Z.json", 0.32, 0.83)
        (results / "privacy-20261201T000000Z.json").write_text("{ torn")  # being written
        with rt.db.read() as session:
            record = processing_record(session, rt.settings)
        assert record.results_file == "privacy-20261130T100000Z.json"
        assert record.published_from is None  # this deployment's own figures
        figures = [m.figure for m in record.measures]
        assert figures[0] == "32.0 % (2026-11-30)" and figures[1] == "40.0 %"
        assert figures[2] == "7.7 %" and figures[3] == "83.0 %"  # the lowest recall, not the mean
    finally:
        rt.close()


def test_report_command_writes_one_self_contained_file(
    env: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a deployment that has measured nothing yet: its report shows the project's figures
    monkeypatch.setenv("VOXGUARD_BENCH_RESULTS_DIR", str(env / "no-results"))
    reset_settings_cache()
    out = env / "records.html"
    assert run("db", "upgrade").exit_code == 0  # a system to read (a report creates none)
    result = run("report", "processing", "--out", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Records of processing" in html and "data:image/png;base64," in html
    assert "voxguard project's own figures" in html and "<link" not in html
    assert html.count("data:image/png;base64,") == 2  # the counts and the measures
    # a file to send away: no links into the app, no sign-out form
    assert 'href="/privacy-officer' not in html and "/logout" not in html
    assert run("report", "processing", "--out", str(env / "no" / "such" / "x.html")).exit_code == 1


def test_privacy_officer_page_and_the_records_api(rt: Runtime) -> None:
    officer, password, secret = make_user(rt, role="privacy_officer")
    reviewer, r_password, r_secret = make_user(rt, role="reviewer")
    records = service_token(rt, "records", name="compliance")
    privacy = service_token(rt, "privacy", name="app")
    with app_client(rt) as client:
        login(client, reviewer.username, r_password, r_secret)
        assert client.get("/privacy-officer/processing").status_code == 403
    with app_client(rt) as client:
        login(client, officer.username, password, secret)
        page = client.get("/privacy-officer/processing")
        assert page.status_code == 200 and "Records of processing" in page.text
        assert "style=" not in page.text and "<script" not in page.text
        # inside the app: the officer's other pages, this one current, and signing out
        assert 'href="/privacy-officer/audit"' in page.text
        assert 'aria-current="page">Records of processing' in page.text
        assert 'action="/logout"' in page.text and officer.handle in page.text
        chart = client.get("/privacy-officer/processing/chart.png")
        assert chart.status_code == 200 and chart.content[:8] == b"\x89PNG\r\n\x1a\n"
        # the measured figures against their targets (the project's, here)
        assert 'src="/privacy-officer/processing/measures.png"' in page.text
        measured = client.get("/privacy-officer/processing/measures.png")
        assert measured.status_code == 200 and measured.content[:8] == b"\x89PNG\r\n\x1a\n"
    with app_client(rt) as client:
        assert client.get("/api/v1/records-of-processing").status_code == 401
        assert (
            client.get("/api/v1/records-of-processing", headers=bearer(privacy)).status_code == 403
        )
        data = client.get("/api/v1/records-of-processing", headers=bearer(records)).json()
    assert set(data["counts"]) >= {"stored", "sampled", "reviewed", "deleted", "expired", "erased"}


def test_audible_pii_reported_by_reviewers_is_a_live_measure(rt: Runtime) -> None:
    make_clips(rt, 3)
    with rt.db.read() as session:
        [before] = [m for m in processing_record(session, rt.settings).measures if m.source == LIVE]
    assert before.figure == "0 of 0 clips heard"
    # two passes of the first clip, then the second clip, where a name could be heard
    first = review_next(rt, "call [PERSON]", user=add_reviewer(rt))[0].utterance_id
    assert review_next(rt, "call [PERSON]", user=add_reviewer(rt))[0].utterance_id == first
    second = review_next(rt, "call [PERSON]", flags=["pii_audible"], user=add_reviewer(rt))[0]
    assert second.utterance_id != first
    with rt.db.read() as session:
        record = processing_record(session, rt.settings)
    [heard] = [m for m in record.measures if m.source == LIVE]
    assert "PII audible" in heard.name and heard.figure == "1 of 2 clips heard (50.0 %)"
    # a reviewer who wrote a name down without flagging it counts too
    third = review_next(rt, "call anna okonkwo", user=add_reviewer(rt))[0]
    assert third.utterance_id not in (first, second.utterance_id)
    with rt.db.read() as session:
        [heard] = [m for m in processing_record(session, rt.settings).measures if m.source == LIVE]
    assert heard.figure == "2 of 3 clips heard (66.7 %)"
