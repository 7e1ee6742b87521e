"""The user's MAST token, kept server-side only.

The token lives in this process's memory, or in the system keyring when a
usable one is installed (so it survives a server restart). No route returns
it, nothing logs it, no error message or job record contains it; the
downloads engine reads it with :func:`current_token` and hands it to its
transfer process through the environment or standard input.
"""

from __future__ import annotations

import contextlib
import re
import threading
from typing import Any, Literal

from ..errors import BadRequest

KEYRING_SERVICE = "jwst-lab"
KEYRING_USER = "mast-token"
#: MAST tokens are 32 hex digits today; accept any printable token of sane length.
_TOKEN_PATTERN = re.compile(r"^[\x21-\x7e]{8,1024}$")

Storage = Literal["memory", "keyring"]


def _usable_keyring() -> Any | None:
    """The keyring module when a real (priority > 0) backend is available, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


class TokenStore:
    """Holds one MAST token; ``use_keyring=None`` means "when a real keyring exists"."""

    def __init__(self, use_keyring: bool | None = None) -> None:
        self._lock = threading.Lock()
        self._token: str | None = None
        # Looking for a keyring backend imports a lot (~0.15 s): done on first use,
        # not while the server starts.
        self._keyring_probed = use_keyring is False
        self._keyring_module: Any | None = None

    def _keyring(self) -> Any | None:
        if not self._keyring_probed:
            self._keyring_module = _usable_keyring()
            self._keyring_probed = True
        return self._keyring_module

    def _drop_keyring(self) -> None:
        self._keyring_module = None
        self._keyring_probed = True

    @property
    def storage(self) -> Storage:
        """Where the token is kept: the system keyring when there is one, else memory."""
        return "keyring" if self._keyring() is not None else "memory"

    @staticmethod
    def validate(token: Any) -> str:
        """The token stripped, or a 400 that never repeats it."""
        if not isinstance(token, str):
            raise BadRequest("token must be a string", field="token")
        value = token.strip()
        if not value:
            raise BadRequest("token is empty", field="token")
        if not _TOKEN_PATTERN.match(value):
            raise BadRequest(
                "token is not a MAST token (8-1024 printable characters, no spaces)", field="token"
            )
        return value

    def set(self, token: str) -> None:
        """Keep ``token`` (validated) in memory, and in the keyring when there is one."""
        value = self.validate(token)
        with self._lock:
            self._token = value
            keyring = self._keyring()
            if keyring is not None:
                try:
                    keyring.set_password(KEYRING_SERVICE, KEYRING_USER, value)
                except Exception:
                    self._drop_keyring()

    def clear(self) -> bool:
        """Forget the token; True when one was set."""
        with self._lock:
            had = self._get_locked() is not None
            self._token = None
            keyring = self._keyring()
            if keyring is not None:
                with contextlib.suppress(Exception):
                    keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)
            return had

    def get(self) -> str | None:
        """The token, for code that sends it to MAST (never for a response or a log)."""
        with self._lock:
            return self._get_locked()

    def current_token(self) -> str | None:
        """The token (same as :meth:`get`; the name the download jobs use)."""
        return self.get()

    def _get_locked(self) -> str | None:
        keyring = self._keyring() if self._token is None else None
        if keyring is not None:
            try:
                self._token = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
            except Exception:
                self._token = None
        return self._token

    def status(self) -> dict[str, Any]:
        """Only whether a token is set and where it is kept (expiry is not known locally)."""
        return {"set": self.get() is not None, "storage": self.storage, "expires": None}

    def __repr__(self) -> str:
        kept = "keyring" if self._keyring_module is not None else "memory"
        return f"TokenStore(storage={kept!r}, set={self._token is not None})"


#: The server's token store (one per process, like the token itself).
TOKEN_STORE = TokenStore()


def current_token() -> str | None:
    """The MAST token the user set with ``PUT /mast/token``, or None."""
    return TOKEN_STORE.get()
