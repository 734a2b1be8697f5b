"""A partner's social pages have one name, ``social_pages``, in every document Nurture writes
(the stored document, undo images, export files) and in ``nurture partner --json``, whose
fields are a public contract; documents written before, which said ``social``, still read.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path
from typing import Any

from builders import partner
from cli_runner import Nurture
from nurture_tui.domain import codec
from nurture_tui.services import exchange, records
from nurture_tui.services.history import undo_latest
from nurture_tui.services.present import partner_json
from nurture_tui.services.session import Session
from nurture_tui.store.database import DATABASE_NAME

PAGES = ("https://www.linkedin.com/company/mercy", "https://facebook.com/mercygeneral")


def with_pages() -> Any:
    return dataclasses.replace(partner(), social_pages=PAGES, notes="a note")


def test_the_stored_document_names_every_field_as_the_cli_json_does() -> None:
    p = with_pages()
    stored, shown = codec.partner_to_doc(p), partner_json(p)
    assert shown["social_pages"] == stored["social_pages"] == list(PAGES)
    assert "social" not in stored and "social" not in shown
    # Every field both carry has one name and one value (the CLI adds only the id).
    shared = stored.keys() & shown.keys()
    assert {k: stored[k] for k in shared} == {k: shown[k] for k in shared}
    assert shown.keys() - stored.keys() == {"id"}


def test_a_document_round_trips_and_one_written_before_still_reads_its_pages() -> None:
    p = with_pages()
    assert codec.partner_from_doc(p.id, codec.partner_to_doc(p)) == p
    old = codec.partner_to_doc(p)
    old["social"] = old.pop("social_pages")
    assert codec.partner_from_doc(p.id, old) == p
    neither = codec.partner_to_doc(p)
    del neither["social_pages"]
    assert codec.partner_from_doc(p.id, neither).social_pages == ()


def test_undo_restores_the_pages_from_an_image_stored_before_the_rename(
    session: Session, store_dir: Path
) -> None:
    p = with_pages()
    session.repo.save(p, action="partner-add", summary=f"Added {p.name}")
    records.edit_partner(session, p.id, stage="referring")
    with sqlite3.connect(store_dir / DATABASE_NAME) as db:  # the image as older Nurture wrote it
        (seq, before) = db.execute(
            "SELECT change_seq, before FROM change_records WHERE record_id = ? "
            "ORDER BY change_seq DESC LIMIT 1",
            (p.id,),
        ).fetchone()
        image = json.loads(before)
        image["social"] = image.pop("social_pages")
        db.execute(
            "UPDATE change_records SET before = ? WHERE change_seq = ? AND record_id = ?",
            (json.dumps(image), seq, p.id),
        )
    undo_latest(session)
    restored = session.repo.partner(p.id)
    assert restored.stage == p.stage and restored.social_pages == PAGES


def _as_version_1(path: Path) -> None:
    """Rewrite an export as format 1 wrote it: partners' pages under ``social``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for doc in data["partners"].values():
        doc["social"] = doc.pop("social_pages")
    (meta,) = data["_export"].values()
    meta["format_version"] = 1
    path.write_text(json.dumps(data), encoding="utf-8")


def test_an_export_says_social_pages_and_one_from_before_imports_with_its_pages(
    session: Session, tmp_path: Path
) -> None:
    p = with_pages()
    session.repo.save(p, action="partner-add", summary=f"Added {p.name}")
    out = tmp_path / "out.json"
    exchange.export_tinydb(session, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    (doc,) = data["partners"].values()
    assert doc["social_pages"] == list(PAGES) and "social" not in doc
    assert next(iter(data["_export"].values()))["format_version"] == exchange.FORMAT_VERSION

    _as_version_1(out)
    rep = Nurture(tmp_path / "home", tmp_path / "config")
    loaded: Any = rep.json("import", "tinydb", str(out))
    assert loaded["counts"]["partners"] == 1
    shown: Any = rep.json("partner", "show", p.id)
    assert shown["social_pages"] == list(PAGES)  # the public name, unchanged
    assert "social" not in shown


def test_an_export_whose_pages_are_not_text_is_refused_in_one_line(
    session: Session, tmp_path: Path
) -> None:
    session.repo.save(with_pages(), action="partner-add", summary="Added")
    out = tmp_path / "out.json"
    exchange.export_tinydb(session, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    for doc in data["partners"].values():
        doc["social_pages"] = ["https://ok.example", {"\x1b[31mred": 1}]
    out.write_text(json.dumps(data), encoding="utf-8")
    rep = Nurture(tmp_path / "home", tmp_path / "config")
    refused = rep("import", "tinydb", str(out), ok=False)
    assert refused.returncode == 1
    assert "field 'social_pages' must be a list of strings" in refused.stderr
    assert refused.stderr.count("\n") == 1 and "\x1b" not in refused.stderr
