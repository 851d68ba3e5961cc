"""Exports made earlier are part of what a speaker and an operator see: the access log lists
them, and an erasure receipt names the exports that hold the erased recording (to recall)."""

from __future__ import annotations

from pathlib import Path

from tests.support.client import app_client
from tests.support.feedback import bulk_curated
from tests.support.rights import bearer, service_token
from voxguard.db.models import Account, Utterance
from voxguard.feedback.export import ExportRequest, run_export
from voxguard.runtime import Runtime


def test_exports_appear_in_the_access_log_and_the_erasure_receipt(
    rt: Runtime, tmp_path: Path
) -> None:
    held, other = bulk_curated(rt, 2, accounts=1)
    export = run_export(
        rt.db, rt.vault, ExportRequest(format="jsonl", audio="none", out=tmp_path / "x", actor="t")
    )
    with rt.db.read() as session:
        account = session.get(Account, session.get(Utterance, held).account_id)
        assert account is not None
        ref = account.ref
    token = service_token(rt)
    with app_client(rt) as client:
        log = client.get(f"/api/v1/accounts/{ref}/access-log", headers=bearer(token))
        assert log.status_code == 200, log.text
        exported = {
            (e["recording_id"], e["actor"])
            for e in log.json()["accesses"]
            if e["action"] == "exported"
        }
        assert exported == {(held, f"export:{export.id}"), (other, f"export:{export.id}")}
        erased = client.delete(f"/api/v1/accounts/{ref}/recordings/{held}", headers=bearer(token))
        assert erased.status_code == 202, erased.text
        receipt = client.get(
            f"/api/v1/accounts/{ref}/erasures/{erased.json()['erasure_id']}",
            headers=bearer(token),
        ).json()
    assert [h["export_id"] for h in receipt["exports_holding"]] == [export.id]
    assert {h["recording_id"] for h in receipt["exports_holding"]} == {held}
