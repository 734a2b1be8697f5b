"""A team store's address, without a server: TLS, the password, names of roles and reps."""

from __future__ import annotations

import pytest

from nurture_tui.domain.errors import ValidationError
from nurture_tui.store.database import ServerLogin, server_error
from nurture_tui.store.server import too_old_message
from nurture_tui.store.team import clean_rep_email, group_names_for, role_name_for
from nurture_tui.store.team_url import (
    address,
    connection_url,
    parse_store_url,
    shown,
    split_password,
)


def test_a_remote_host_gets_tls_required_and_a_short_connect_timeout() -> None:
    url = connection_url("postgresql://alex@db.example.org/agency")
    assert url.drivername == "postgresql+psycopg"
    assert url.query["sslmode"] == "require"
    assert url.query["connect_timeout"] == "5"
    assert url.query["application_name"] == "nurture"


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://alex@localhost/agency",
        "postgresql://alex@127.0.0.1:5433/agency",
        "postgresql://alex@[::1]/agency",
        "postgresql://alex@/agency?host=/var/run/postgresql",
        "postgresql://alex@/agency",
    ],
)
def test_this_machine_needs_no_tls(text: str) -> None:
    assert "sslmode" not in connection_url(text).query


def test_a_stricter_sslmode_is_kept() -> None:
    url = connection_url("postgresql://alex@db.example.org/agency?sslmode=verify-full")
    assert url.query["sslmode"] == "verify-full"


@pytest.mark.parametrize("mode", ["disable", "allow", "prefer"])
def test_a_remote_host_without_tls_is_refused_in_one_line(mode: str) -> None:
    with pytest.raises(ValidationError) as caught:
        connection_url(f"postgresql://alex:hunter2@db.example.org/agency?sslmode={mode}")
    message = str(caught.value)
    assert f"sslmode={mode}" in message and "db.example.org" in message
    assert "hunter2" not in message and "\n" not in message


def test_sslmode_disable_is_allowed_on_this_machine() -> None:
    url = connection_url("postgresql://alex@localhost/agency?sslmode=disable")
    assert url.query["sslmode"] == "disable"


def test_the_password_is_split_off_and_never_shown() -> None:
    bare, password = split_password("postgresql://alex:s3cr%40t@db.example.org:6543/agency")
    assert password == "s3cr@t"
    assert bare == "postgresql://alex@db.example.org:6543/agency"
    assert "s3cr" not in shown(parse_store_url("postgresql://alex:s3cret@h/db"))
    where = address(parse_store_url(bare))
    assert where.keyring_name == "store:alex@db.example.org:6543/agency"
    assert address(parse_store_url("postgresql://alex@h/db")).port == 5432


@pytest.mark.parametrize(
    "text",
    [
        "mysql://alex:pw@h/db",
        "postgresql://alex:pw@h",
        "postgresql://:pw@h/db",
        "not a url at all pw",
        "postgresql://alex:pw@h/db?sslmode=sometimes",
    ],
)
def test_a_bad_address_is_one_line_that_never_repeats_it(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        connection_url(text)
    assert "pw" not in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "email",
    [
        "o'brien@x.org",
        '"bob"@x.org',
        'a";DROP/**/TABLE/**/partners;--@x.org',
        "josé.núñez@exámple.org",
        "李@例え.jp",
        "a" * 240 + "@x.org",
        "pg_signal_backend@x.org",
    ],
)
def test_a_role_name_is_a_plain_identifier_of_at_most_63_bytes(email: str) -> None:
    name = role_name_for(clean_rep_email(email), set())
    assert len(name.encode()) <= 63
    assert name.startswith("rep_") and name.replace("_", "").isalnum() and name.isascii()


def test_a_role_name_taken_gets_a_number() -> None:
    assert role_name_for("ann@x.org", {"rep_ann_x_org"}) == "rep_ann_x_org_2"
    assert role_name_for("ann@x.org", {"rep_ann_x_org", "rep_ann_x_org_2"}) == "rep_ann_x_org_3"
    long_email = "b" * 240 + "@x.org"
    first = role_name_for(long_email, set())
    assert role_name_for(long_email, {first}) != first
    assert len(role_name_for(long_email, {first}).encode()) <= 63


def test_group_names_are_per_database_and_never_reserved() -> None:
    assert group_names_for("agency", set()) == ("agency_reps", "agency_admins")
    assert group_names_for("agency", {"agency_reps"}) == ("agency_2_reps", "agency_2_admins")
    reps, admins = group_names_for("pg_x", set())
    assert not reps.startswith("pg_") and not admins.startswith("pg_")
    assert all(len(n.encode()) <= 63 for n in group_names_for("é" * 100, set()))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("  O'Brien@X.org ", "o'brien@x.org"), ("JOSÉ@Exámple.ORG", "josé@exámple.org")],
)
def test_a_rep_email_is_normalised(raw: str, clean: str) -> None:
    assert clean_rep_email(raw) == clean


@pytest.mark.parametrize(
    "bad",
    [
        "no-at-sign",
        "a@b",
        "a b@x.org",
        "a@x\n.org",
        "a\x1b[31m@x.org",
        "@x.org",
        "a@.org",
        "a@b@c.org",
        "a@b.c$(id)",
        "a@-x.org",
        "a@x.o",
        "a@x..org",
    ],
)
def test_a_bad_rep_email_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="not an email address"):
        clean_rep_email(bad)


def test_failures_read_as_one_line_each() -> None:
    login = ServerLogin("alex", "db.example.org:5432")
    saved = ServerLogin("alex", "db.example.org:5432", saved=True)
    cases = {
        'FATAL:  password authentication failed for user "alex"': "wrong password for alex",
        'FATAL:  role "alex" is not permitted to log in': "access revoked for alex",
        'FATAL:  permission denied for database "agency"': "access revoked for alex",
        "connection failed: Connection refused": "cannot reach the team database",
        "connection timeout expired": "no answer within the connect timeout",
        'failed to resolve host "nowhere": Name or service not known': "host name is not known",
        "fe_sendauth: no password supplied": "no password for alex",
    }
    for detail, expected in cases.items():
        found = server_error("postgresql://alex@db.example.org/agency", detail, login)
        assert found is not None and expected in str(found), detail
    found = server_error("w", 'FATAL:  password authentication failed for user "alex"', saved)
    assert found is not None
    # The server says the same of a dropped role and a wrong password: the line says both
    # (a hostile tester's typo was told "access revoked" alone).
    assert str(found).startswith("access revoked for alex on db.example.org:5432, or the password")
    assert "ask your admin" in str(found) and "nurture team login" in str(found)
    assert server_error("w", "something else entirely", login) is None


def test_too_old_a_server_says_the_version_found() -> None:
    assert too_old_message("h:5432", "11.22") == (
        "the team database at h:5432 runs PostgreSQL 11.22; Nurture needs PostgreSQL 12 or "
        "newer: ask your admin to upgrade it"
    )
