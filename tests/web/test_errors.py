"""Domain refusals carry a code and a message; web/errors.py alone picks their HTTP status."""

from __future__ import annotations

import inspect

import pytest

import voxguard.cli.main
import voxguard.web.app  # imports every part the web answers for
from tests.support.review import make_clips
from tests.support.rights import signed_in_reviewer
from voxguard.ingest.service import UploadRejected
from voxguard.people import errors as people
from voxguard.people.totp import TotpSecretUnreadable
from voxguard.review import errors as review
from voxguard.review.intents import UnknownIntent
from voxguard.runtime import Runtime
from voxguard.vault.errors import (
    BlobIntegrityError,
    BlobNotFoundError,
    BlobStoreError,
    KeyDestroyedError,
    KeyUnwrapError,
    MasterKeyError,
)
from voxguard.web.errors import STATUS_BY_ERROR, code_for, status_for


def _voxguard_errors() -> list[type[BaseException]]:
    found, todo = [], [BaseException]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("voxguard."):
                found.append(sub)
    return found


def test_no_error_outside_the_web_part_carries_an_http_status() -> None:
    assert voxguard.cli.main  # the CLI's imports count too
    domain = [e for e in _voxguard_errors() if not e.__module__.startswith("voxguard.web")]
    assert review.LeaseGone in domain and UploadRejected in domain  # the scan sees them
    with_status = [
        e.__qualname__
        for e in domain
        if hasattr(e, "status") or "status" in inspect.signature(e.__init__).parameters
    ]
    assert with_status == []


# (refusal, status, code): the statuses the API answered with before domain errors lost theirs.
ANSWERS = [
    (review.ReviewError("x"), 400, "review_error"),
    (review.LeaseGone("x"), 409, "lease_lost"),
    (review.NotPlayed("x"), 422, "not_played"),
    (review.AudioDenied("x"), 403, "audio_denied"),
    (review.NotFound("x"), 404, "not_found"),
    (review.PersonalDetailsTyped("x"), 422, "personal_details_typed"),
    (review.InvalidStretch("x"), 422, "invalid_stretch"),
    (review.Conflict("x"), 409, "conflict"),
    (UnknownIntent("x"), 422, "unknown_intent"),
    (people.AuthError("x"), 401, "auth_error"),
    (people.NotSignedIn("x"), 401, "not_signed_in"),
    (people.BadCredentials("x"), 401, "bad_credentials"),
    (people.TotpReplayed("x"), 401, "totp_replayed"),
    (people.AccountLocked("x", retry_after=5), 423, "account_locked"),
    (people.AccountDisabled("x"), 403, "account_disabled"),
    (people.WrongPassword("x"), 403, "wrong_password"),
    (people.WeakPassword("x"), 422, "weak_password"),
    (people.PasswordChangeRequired("x"), 403, "password_change_required"),
    (people.Forbidden("x"), 403, "forbidden"),
    (people.CsrfRejected("x"), 403, "csrf_failed"),
    (people.UserAdminError("x"), 422, "invalid_user"),
    (people.InvalidUserInput("x"), 422, "invalid_user"),
    (people.UnknownRole("x"), 422, "unknown_role"),
    (people.UserExists("x"), 409, "user_exists"),
    (people.UnknownUser("x"), 404, "unknown_user"),
    (UploadRejected("unauthorized", "x"), 401, "unauthorized"),
    (UploadRejected("account_erased", "x"), 403, "account_erased"),
    (UploadRejected("wrong_device", "x"), 403, "wrong_device"),
    (UploadRejected("wrong_account", "x"), 403, "wrong_account"),
    (UploadRejected("invalid_metadata", "x"), 422, "invalid_metadata"),
    (UploadRejected("utterance_id_conflict", "x"), 409, "utterance_id_conflict"),
    (UploadRejected("audio_too_long", "x"), 413, "audio_too_long"),
    (UploadRejected("audio_corrupt", "x"), 422, "audio_corrupt"),
    (UploadRejected("audio_not_audio", "x"), 422, "audio_not_audio"),
    (KeyDestroyedError("x"), 410, "deleted"),
    (BlobNotFoundError("x"), 410, "audio_missing"),
    (BlobStoreError("x"), 503, "blob_store_unavailable"),
    (TotpSecretUnreadable("x"), 500, "totp_secret_unreadable"),
]


@pytest.mark.parametrize(("refusal", "status", "code"), ANSWERS, ids=lambda v: repr(v)[:40])
def test_each_refusal_answers_with_its_status_and_code(
    refusal: Exception, status: int, code: str
) -> None:
    assert (status_for(refusal), code_for(refusal)) == (status, code)


def test_every_refusal_the_web_can_meet_has_an_answer() -> None:
    bases = (review.ReviewError, people.AuthError, people.UserAdminError)
    listed = {type(refusal) for refusal, _, _ in ANSWERS}
    for error in _voxguard_errors():
        if issubclass(error, bases):
            assert error in listed, f"{error.__qualname__}: add its expected answer to ANSWERS"


def test_an_error_without_an_answer_is_a_bug_not_a_guess() -> None:
    with pytest.raises(LookupError, match="ValueError"):
        status_for(ValueError("x"))


@pytest.mark.parametrize(
    "failure",
    [
        BlobIntegrityError("blob acct/x/y failed authentication"),
        KeyUnwrapError("wrapped data key of account 7 failed authentication"),
        MasterKeyError("master key file /srv/master.key holds 31 bytes"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_vault_fault_is_not_a_refusal(failure: Exception) -> None:
    # Not the caller's doing: no 4xx to blame the request with, and no handler that would
    # repeat the message (which names internal keys and paths) to the client.
    with pytest.raises(LookupError, match=type(failure).__name__):
        status_for(failure)
    assert not any(isinstance(failure, listed) for listed in STATUS_BY_ERROR)


def test_a_tampered_review_copy_answers_500_and_names_nothing(rt: Runtime) -> None:
    make_clips(rt, 1)
    client, _user = signed_in_reviewer(rt)
    try:
        task = client.post("/api/v1/review/lease").json()
        assert client.get(task["clip"]["audio_url"]).status_code == 200
        store = rt.vault.store
        for key in store.keys("acct/"):  # one flipped bit: the ciphertext no longer authenticates
            data = bytearray(store.get(key))
            data[-1] ^= 1
            store.put(key, bytes(data))
        answer = client.get(task["clip"]["audio_url"])
    finally:
        client.__exit__(None, None, None)
    assert answer.status_code == 500
    assert answer.text == "Internal Server Error"
