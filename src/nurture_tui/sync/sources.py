"""The installed sources: the ``nurture_tui.sources`` entry-point group, read once per
``sys.path``.

Nothing here knows a source by name: ``nurture auth``, ``nurture sync``, the Sync screen
and the config checks all ask this module, so a third party's package that registers an
entry point gets every one of them. A plugin that cannot be loaded (a missing optional
dependency, a wrong name, options that clash with a setting) is left out with the reason,
which ``nurture sources`` shows, instead of breaking every command.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass
from importlib.metadata import entry_points

from nurture_tui.domain.errors import NotFoundError
from nurture_tui.sync.contract import SOURCE_NAME, SourceError, SourceOption, SourcePlugin

GROUP = "nurture_tui.sources"
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class InstalledSource:
    """One entry point in the group, loaded or not."""

    name: str
    target: str  # module:attribute
    distribution: str
    plugin: SourcePlugin | None
    problem: str = ""  # why ``plugin`` is None


@dataclass(frozen=True)
class Registry:
    sources: tuple[InstalledSource, ...]
    #: config key -> (source name, option), for every loaded source.
    options: dict[str, tuple[str, SourceOption]]


def installed_sources() -> list[InstalledSource]:
    """Every entry point in the group, by name (the broken ones carry their problem)."""
    return list(_registry(tuple(sys.path), _core_keys()).sources)


def plugins() -> list[SourcePlugin]:
    """The sources that loaded, by name."""
    return [s.plugin for s in installed_sources() if s.plugin is not None]


def source_options() -> dict[str, tuple[str, SourceOption]]:
    """Each installed source's options by config key (``caldav_url``)."""
    return dict(_registry(tuple(sys.path), _core_keys()).options)


def load_plugin(name: str) -> SourcePlugin:
    """The installed source called ``name``; NotFoundError says which ones there are (and
    the nearest name), SourceError why one that is installed cannot be used."""
    found = {s.name: s for s in installed_sources()}
    source = found.get(name)
    if source is None:
        raise NotFoundError(unknown_source_message(name, list(found)))
    if source.plugin is None:
        raise SourceError(f"the {name} source cannot be used: {source.problem}")
    return source.plugin


def unknown_source_message(name: str, names: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    shown = repr(name if len(name) <= 40 else name[:40] + "…")
    return f"no sync source named {shown} is installed; {hint}installed: " + (
        ", ".join(sorted(names)) or "none"
    )


def _core_keys() -> frozenset[str]:
    from nurture_tui.context import core_setting_keys

    return frozenset(core_setting_keys())


@functools.lru_cache(maxsize=8)
def _registry(path: tuple[str, ...], core_keys: frozenset[str]) -> Registry:
    """Read the group for this ``sys.path`` (cached: config checks ask for every key)."""
    del path  # the cache key: a test or a plugin install that changes sys.path re-reads
    sources: list[InstalledSource] = []
    options: dict[str, tuple[str, SourceOption]] = {}
    seen: set[str] = set()
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        if ep.name in seen:
            continue  # the first on sys.path wins, as for a module
        seen.add(ep.name)
        dist = _plain(ep.dist.name) if ep.dist else "?"
        plugin, problem = _load(ep.name, ep.load)
        if plugin is not None:
            mine = {option.key(ep.name): (ep.name, option) for option in plugin.options}
            clash = sorted(set(mine) & (core_keys | set(options)))
            if clash:
                plugin, problem = None, f"its option {clash[0]} clashes with another setting"
            else:
                options.update(mine)
        # A name or target that is not plain text is shown with its escapes made visible.
        sources.append(InstalledSource(_plain(ep.name), _plain(ep.value), dist, plugin, problem))
    return Registry(tuple(sources), options)


def _load(name: str, load: object) -> tuple[SourcePlugin | None, str]:
    if not SOURCE_NAME.fullmatch(name):
        return None, "a source name is lower-case letters, digits and -"
    try:
        loaded = load()  # type: ignore[operator]
        if isinstance(loaded, type):  # a plugin class (harlequin's adapters are): one of it
            loaded = loaded()
    except Exception as exc:  # a third party's import error must not break Nurture
        return None, f"it failed to load ({type(exc).__name__}: {_plain(str(exc))})"
    if not isinstance(loaded, SourcePlugin):
        return None, "its entry point is not a source plugin (see nurture_tui.sync.contract)"
    if loaded.name != name:
        return None, f"it calls itself {_plain(str(loaded.name))!r}, not {name!r}"
    return loaded, ""


def _plain(text: str) -> str:
    """A third party's words, safe to print: no escape codes or bidi overrides, one line."""
    return "".join("?" if _UNPRINTABLE.match(c) else c for c in text)[:200]
