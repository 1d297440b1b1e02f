"""Passwords at production cost: the other tests hash at minimal cost (``tests/conftest.py``).

These are the only tests that run Argon2id with the parameters sop-engine ships: the hasher is
Argon2id with the RFC 9106 low-memory profile, and a password set at that cost logs in. Importing
the package hashes nothing: the dummy hash is made on first use.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from argon2 import Type, extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import select

from sop_engine import logins, passwords
from sop_engine.context import Context
from sop_engine.db.models import Person
from sop_engine.errors import NotAllowed
from tests.conftest import PRODUCTION_HASHER

GOOD = "kopi-pagi-di-bangkalan"


@pytest.fixture
def production_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo the tests' cheap hasher: ``passwords`` hashes as it does in production."""
    monkeypatch.setattr(passwords, "_hasher", PRODUCTION_HASHER)


def test_production_hashes_with_argon2id_at_the_rfc_9106_low_memory_parameters() -> None:
    hasher = PRODUCTION_HASHER
    assert hasher.type is Type.ID
    made = extract_parameters(hasher.hash(GOOD))
    assert made == RFC_9106_LOW_MEMORY
    assert (made.time_cost, made.memory_cost, made.parallelism) == (3, 65536, 4)
    # an unknown login is verified against a hash of the same cost, so it takes as long as a wrong password
    assert extract_parameters(passwords._dummy_hash(hasher)) == RFC_9106_LOW_MEMORY


def test_importing_the_command_line_and_the_account_modules_hashes_no_password() -> None:
    # every `sop` command imports them: an Argon2id hash at import would cost each one ~0.3 s
    script = (
        "import argon2\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('an Argon2id hash at import')\n"
        "argon2.PasswordHasher.hash = refuse\n"
        "import sop_engine.cli, sop_engine.accounts, sop_engine.logins, sop_engine.passwords\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_a_password_set_at_production_cost_logs_in_and_a_wrong_one_does_not(
    ctx: Context, production_hashing: None
) -> None:
    passwords.set_password(ctx, "staf1", GOOD)
    with ctx.db.read() as session:
        stored = session.scalar(select(Person.password_hash).where(Person.username == "staf1"))
    assert stored is not None and extract_parameters(stored) == RFC_9106_LOW_MEMORY
    assert logins.login(ctx, "staf1", GOOD).identity.username == "staf1"
    for login, password in (("staf1", "salah-sekali-123"), ("tidakada", GOOD)):
        with pytest.raises(NotAllowed):
            logins.login(ctx, login, password)
    with ctx.db.read() as session:  # verified at its own cost: nothing to rehash
        assert session.scalar(select(Person.password_hash).where(Person.username == "staf1")) == stored
