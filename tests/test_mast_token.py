"""The MAST token store: memory by default, the system keyring when one exists."""

from __future__ import annotations

from typing import Any

import keyring
import pytest
from keyring.backends import fail

from jwst_lab.core import token as token_module
from jwst_lab.core.token import KEYRING_SERVICE, KEYRING_USER, TokenStore
from jwst_lab.errors import BadRequest


class _MemoryKeyring:
    """What the store uses of the ``keyring`` module, kept in memory.

    Not a ``KeyringBackend`` subclass: keyring registers every subclass it
    sees and would then choose it for the rest of the test session.
    """

    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.saved.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.saved[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.saved.pop((service, username), None)


@pytest.fixture
def system_keyring(monkeypatch: pytest.MonkeyPatch) -> Any:
    backend = _MemoryKeyring()
    monkeypatch.setattr(token_module, "_usable_keyring", lambda: backend)
    return backend


def test_no_keyring_backend_means_memory(monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert TokenStore().storage == "memory"
    finally:
        keyring.set_keyring(previous)


def test_the_keyring_is_looked_for_on_first_use_not_at_start_up(monkeypatch):
    probes = []
    monkeypatch.setattr(token_module, "_usable_keyring", lambda: probes.append(1))
    store = TokenStore()
    assert probes == []
    assert store.status()["storage"] == "memory"
    store.status()
    assert probes == [1]


def test_a_real_keyring_keeps_the_token_across_stores(system_keyring):
    store = TokenStore()
    store.set("  abcdef0123456789  ")
    assert store.storage == "keyring"
    assert system_keyring.saved[(KEYRING_SERVICE, KEYRING_USER)] == "abcdef0123456789"
    assert TokenStore().get() == "abcdef0123456789"  # a restarted server finds it
    assert store.clear() is True
    assert TokenStore().get() is None


def test_memory_only_when_asked(system_keyring):
    store = TokenStore(use_keyring=False)
    store.set("abcdef0123456789")
    assert store.storage == "memory"
    assert system_keyring.saved == {}


def test_a_bad_token_is_refused_without_repeating_it():
    with pytest.raises(BadRequest) as refused:
        TokenStore(use_keyring=False).set("has spaces in it")
    assert "has spaces" not in str(refused.value)
