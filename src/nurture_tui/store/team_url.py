"""A team store's address: checked, shown without its password, and made safe to connect.

``store_url`` is saved without a password (the password lives in the keyring, under a name
for ``user@host:port/db``); what is shown to the rep — in ``config show``, in a message —
never carries one either. Connecting adds what a safe connection needs and the rep should
not have to type: TLS (``sslmode=require``) to any host but this machine, a short connect
timeout (a server that is away is said to be in seconds, not minutes) and an
``application_name`` the server's logs show.

Pure functions over SQLAlchemy's URL parser: no I/O, no keyring (``opening`` does that).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from nurture_tui.domain.errors import ValidationError

#: Seconds libpq waits for the server before saying it is unreachable.
CONNECT_TIMEOUT_SECONDS = 5

#: sslmodes that may send the password in clear text: refused to a remote host.
INSECURE_SSLMODES = frozenset({"disable", "allow", "prefer"})
#: Every sslmode libpq knows.
SSLMODES = INSECURE_SSLMODES | {"require", "verify-ca", "verify-full"}

#: Host names that are this machine (a unix socket directory, starting with "/", is too).
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1", "[::1]"})

_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
_EXAMPLE = "postgresql://USER@HOST/DATABASE"


@dataclass(frozen=True)
class TeamAddress:
    """Who connects where: the parts of a store URL the rep is told about."""

    user: str
    host: str
    port: int
    database: str

    @property
    def keyring_name(self) -> str:
        """The keyring entry holding this rep's password for this database."""
        return f"store:{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def server(self) -> str:
        """The server as a message names it ("db.example.org:5432")."""
        return f"{self.host}:{self.port}"


#: libpq's TCP settings for a connection to a team store (see ``connection_url``).
KEEPALIVES = {
    "keepalives": "1",
    "keepalives_idle": "10",
    "keepalives_interval": "5",
    "keepalives_count": "3",
    "tcp_user_timeout": "30000",
}


def parse_store_url(text: str) -> URL:
    """``text`` as a URL, or one line that says what a store URL looks like.

    The message never repeats ``text``: it may hold a password."""
    authority = text.strip().partition("://")[2].partition("/")[0]
    if authority.count("@") > 1:  # an unencoded "@" in the password: which part is which?
        raise ValidationError(
            "the address has more than one '@' before the host: write an '@' in the user "
            "name or password as %40 (and ':' as %3A, '/' as %2F); nothing was saved"
        )
    if any(ord(c) < 32 for c in text):
        raise ValidationError("the address holds a control character; nothing was saved")
    try:
        url = make_url(text.strip())
    except (ArgumentError, ValueError):
        raise ValidationError(f"not a PostgreSQL address; expected {_EXAMPLE}") from None
    if url.drivername not in _SCHEMES:
        raise ValidationError(
            f"a team store is a PostgreSQL database ({_EXAMPLE}), not {url.drivername}://"
        )
    if not url.database:
        raise ValidationError(f"the address names no database; expected {_EXAMPLE}")
    if not url.username:
        raise ValidationError(f"the address names no user; expected {_EXAMPLE}")
    sslmode = _query_value(url, "sslmode")
    if sslmode is not None and sslmode not in SSLMODES:
        raise ValidationError(
            f"sslmode={sslmode} is not a TLS mode; use require, verify-ca or verify-full"
        )
    return url


def _query_value(url: URL, key: str) -> str | None:
    value = url.query.get(key)
    if isinstance(value, tuple):
        value = value[-1] if value else None
    return value


def host_of(url: URL) -> str:
    """The host (or unix socket directory) libpq will connect to; "" is its default socket."""
    return url.host or _query_value(url, "host") or ""


def remote_hosts(url: URL) -> list[str]:
    """Every host libpq may connect to that is not this machine: the address's host, and
    any ``host`` or ``hostaddr`` in the query (libpq lets those override the address's,
    and takes comma-separated lists of them). A remote one anywhere means TLS."""
    hosts = [url.host or ""]
    for key in ("host", "hostaddr"):
        value = url.query.get(key)
        for item in value if isinstance(value, tuple) else [value] if value else []:
            hosts += str(item).split(",")
    return [h.strip() for h in hosts if h.strip() and not is_local(h.strip())]


def all_local(url: URL) -> bool:
    return not remote_hosts(url)


def is_local(host: str) -> bool:
    """Whether ``host`` is this machine: no network between Nurture and the server."""
    return host.lower() in LOCAL_HOSTS or host.startswith("/")


def address(url: URL) -> TeamAddress:
    host = host_of(url) or "localhost"
    port = url.port or int(_query_value(url, "port") or 5432)
    return TeamAddress(str(url.username), host, port, str(url.database))


def shown(url: URL) -> str:
    """The URL as the rep may see it: the scheme they typed, never a password."""
    # URL.set ignores None, so the password is dropped with the named tuple's own _replace.
    query = {k: v for k, v in url.query.items() if k != "password"}  # libpq reads one there too
    plain = url.set(drivername="postgresql", query=query)._replace(password=None)
    return plain.render_as_string(hide_password=True)


def split_password(text: str) -> tuple[str, str | None]:
    """``text`` checked, without its password (to be saved), and the password (or None)."""
    url = parse_store_url(text)
    check_tls(url)
    password = url.password
    if password is not None:
        password = str(password)
    in_query = _query_value(url, "password")  # postgresql://u@h/db?password=… is libpq's too
    return shown(url), (password or in_query or None)


def check_tls(url: URL) -> None:
    """Refuse a URL that allows a clear-text connection to another machine."""
    sslmode = _query_value(url, "sslmode")
    remote = remote_hosts(url)
    host = remote[0] if remote else host_of(url)
    if sslmode in INSECURE_SSLMODES and remote:
        raise ValidationError(
            f"sslmode={sslmode} would let your password cross the network unencrypted to "
            f"{host}; remove it (Nurture requires TLS to a remote server) or use "
            "sslmode=verify-full"
        )


def connection_url(text: str, password: str | None = None) -> URL:
    """The URL to connect with: psycopg as the driver, TLS required to a remote host, a
    short connect timeout, our application name, and ``password`` if given (otherwise libpq
    reads ``PGPASSWORD`` or ``~/.pgpass`` itself)."""
    url = parse_store_url(text)
    check_tls(url)
    query = dict(url.query)
    if "sslmode" not in query and not all_local(url):
        query["sslmode"] = "require"
    query.setdefault("connect_timeout", str(CONNECT_TIMEOUT_SECONDS))
    # A server that stops answering mid-command (its network gone, not closed) is noticed
    # within ~30 s instead of never: TCP keepalives, and a cap on unacknowledged sends.
    for key, value in KEEPALIVES.items():
        query.setdefault(key, value)
    query.setdefault("application_name", "nurture")
    url = url.set(drivername="postgresql+psycopg", query=query)
    if password is not None and url.password is None:
        url = url.set(password=password)
    return url
