"""The privacy officer's desk: erasure requests received outside the API, and the audit log.

Thin over ``consent.erasure`` and ``audit.log``. Server-rendered forms (no script), CSRF-checked
by the policy dependency like every signed-in form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from voxguard.audit.log import PAGE_SIZE, check_chain, known_actions, recent_events
from voxguard.consent import erasure as erasures
from voxguard.consent.errors import RightsError
from voxguard.consent.service import get_account
from voxguard.db.models import User
from voxguard.people.policies import AuditLogPolicy, ErasurePolicy
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime
from voxguard.web.security import page_context, require_policy

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)
Rt = Annotated[Runtime, Depends(get_runtime)]
AuditReader = Annotated[User, Depends(require_policy(AuditLogPolicy, "view", page=True))]
ErasureReader = Annotated[User, Depends(require_policy(ErasurePolicy, "view", page=True))]
Eraser = Annotated[User, Depends(require_policy(ErasurePolicy, "erase", page=True))]


def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    response = templates.TemplateResponse(
        request, name, page_context(request, **context), status_code=status
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/privacy-officer/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    rt: Rt,
    user: AuditReader,
    action: Annotated[str, Query(max_length=64)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
    verify: bool = False,
) -> Response:
    report = None
    with rt.db.read() as session:
        if verify:
            AuditLogPolicy.require(user, "verify")
            report = check_chain(
                session,
                rt.settings.resolved_audit_checkpoint_file,
                rt.checkpoint_signer.public_key,
            )
        events = recent_events(session, before_seq=before, action=action or None)
        actions = known_actions(session)
    return _page(
        request,
        "officer_audit.html",
        events=events,
        actions=actions,
        action=action,
        report=report,
        can_verify=AuditLogPolicy.allows(user, "verify"),
        next_before=events[-1].seq if len(events) == PAGE_SIZE else None,
    )


def _erasures_page(
    request: Request,
    rt: Runtime,
    user: User,
    *,
    status: int = 200,
    error: str = "",
    account_ref: str = "",
    recording_id: str = "",
    channel: str = "",
) -> Response:
    with rt.db.read() as session:
        receipts = erasures.recent_erasures(session)
    return _page(
        request,
        "officer_erasures.html",
        status,
        receipts=receipts,
        channels=erasures.OPERATOR_CHANNELS,
        can_erase=ErasurePolicy.allows(user, "erase"),
        done=request.query_params.get("done", ""),
        error=error,
        account_ref=account_ref,
        recording_id=recording_id,
        channel=channel,
    )


@router.get("/privacy-officer/erasures", response_class=HTMLResponse)
def erasures_page(request: Request, rt: Rt, user: ErasureReader) -> Response:
    return _erasures_page(request, rt, user)


@router.post("/privacy-officer/erasures", response_class=HTMLResponse)
def erase_on_request(
    request: Request,
    rt: Rt,
    user: Eraser,
    account_ref: Annotated[str, Form(max_length=128)],
    channel: Annotated[str, Form(max_length=16)],
    recording_id: Annotated[str, Form(max_length=64)] = "",
    confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    form = {"account_ref": account_ref, "recording_id": recording_id, "channel": channel}
    if confirm != "yes":
        error = "Tick the box to confirm: an erasure cannot be undone."
        return _erasures_page(request, rt, user, status=422, error=error, **form)
    if channel not in erasures.OPERATOR_CHANNELS:
        error = f"Say how the request came: one of {', '.join(erasures.OPERATOR_CHANNELS)}."
        return _erasures_page(request, rt, user, status=422, error=error, **form)
    actor = f"user:{user.handle}"
    try:
        with rt.db.session() as session:
            account = get_account(session, account_ref.strip())
            receipt = erasures.erase(
                session,
                rt.settings,
                rt.vault,
                account.id,
                recording_id.strip() or None,
                actor=actor,
                channel=channel,
            )
            erasure_id = receipt.id
    except RightsError as exc:
        # Unknown and already-erased accounts look the same (see consent.errors.UnknownAccount).
        return _erasures_page(request, rt, user, status=404, error=exc.message, **form)
    rt.db.purge_deleted_pages()  # no old copy of a deleted row left in SQLite's log
    return RedirectResponse(f"/privacy-officer/erasures?done={erasure_id}", status_code=303)


__all__ = ["router"]
