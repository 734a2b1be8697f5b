"""One partner: header, contacts, a merged timeline, the rules firing and why, notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from nurture_tui.domain.playbook.facts import plural
from nurture_tui.services.partner_view import PartnerView, load_partner_view
from nurture_tui.ui.base import nurture
from nurture_tui.ui.widgets.footer import SteadyFooter
from nurture_tui.ui.widgets.tables import fill_table

TIMELINE_COLUMNS = ("When", "What", "Status", "Source", "Detail")
#: On a team store the timeline says who logged each entry, before the detail.
TEAM_TIMELINE_COLUMNS = ("When", "What", "Status", "Source", "By", "Detail")
TIMELINE_WIDTHS = {"When": 17, "What": 18, "Status": 10, "Source": 8, "By": 8}


def rep_cell(by: str, reps: tuple[str, ...] = ()) -> Text:
    """Who logged an entry (or, for a meeting several reps had, who had it), in a narrow
    column: the email's name part, and "+1" for each other rep (the record screen has
    every address); a dim dash for an entry from before attribution."""
    who = reps or ((by,) if by else ())
    if not who:
        return Text("—", style="dim")
    first = who[0].split("@", 1)[0] or who[0]
    return Text(f"{first} +{len(who) - 1}" if len(who) > 1 else first)


CONTACT_COLUMNS = ("Name", "Role", "Email", "Phone", "Met", "Milestones")


class PartnerScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "log_touch", "Log touch", id="partner.log"),
        Binding("f", "record_referral", "Referral", id="partner.referral"),
        Binding("c", "add_contact", "Add contact", id="partner.contact"),
        Binding("i", "invite", "Invite", id="partner.invite"),
        Binding("e", "edit_partner", "Edit", id="partner.edit"),
        Binding("E", "edit_contact", "Edit contact", id="partner.edit_contact"),
        Binding("escape", "app.pop_screen", "Back", id="partner.back"),
        Binding("1", "tab('tab-timeline')", "Timeline", show=False, id="partner.timeline"),
        Binding("2", "tab('tab-suggestions')", "Suggestions", show=False, id="partner.rules"),
        Binding("3", "tab('tab-contacts')", "Contacts", show=False, id="partner.contacts"),
        Binding("4", "tab('tab-notes')", "Notes", show=False, id="partner.notes"),
    ]

    def __init__(self, partner_id: str) -> None:
        super().__init__()
        self.partner_id = partner_id
        self.view: PartnerView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="partner-header")
        with TabbedContent(id="partner-tabs"):
            with TabPane("Timeline", id="tab-timeline"):
                yield DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
            with TabPane("Suggestions", id="tab-suggestions"):
                yield Static("", id="suggestions")
            with TabPane("Contacts", id="tab-contacts"):
                yield DataTable(id="contacts", cursor_type="row")
            with TabPane("Notes", id="tab-notes"):
                yield Static("", id="notes")
        yield SteadyFooter()

    def on_mount(self) -> None:
        timeline = self.query_one("#timeline", DataTable)
        fill_table(timeline, TIMELINE_COLUMNS, [], fixed=TIMELINE_WIDTHS)
        fill_table(self.query_one("#contacts", DataTable), CONTACT_COLUMNS, [])
        self.watch(self.app, "board", self._board_changed)
        timeline.focus()

    def _board_changed(self) -> None:
        self.load()

    @dataclass
    class ViewLoaded(Message):
        """Everything the page shows, read in a worker."""

        view: PartnerView

    def load(self) -> None:
        """Read the page in a worker (a newer load supersedes an older one)."""
        app, pid = nurture(self), self.partner_id
        playbook, today = app.playbook, app.today
        app.load_into(
            self,
            lambda session: load_partner_view(session, playbook, pid, today),
            self.ViewLoaded,
            purpose="partner",
        )

    @on(ViewLoaded)
    def _view_loaded(self, message: ViewLoaded) -> None:
        self._show(message.view)

    def _show(self, view: PartnerView) -> None:
        self.view = view
        p = view.partner
        header = Text.assemble(
            (p.name, "bold"),
            f"  {p.kind.value} · tier {p.tier.value} · {p.stage.value}",
            f" · {plural(view.touch_count, 'touch')} · {plural(view.referral_count, 'referral')}",
        )
        extra = [
            f"domains {', '.join(p.domains)}" if p.domains else "",
            f"NPI {p.npi}" if p.npi else "",
            f"owner {p.owner}" if p.owner else "",
            f"tags {', '.join(p.tags)}" if p.tags else "",
        ]
        header.append("\n" + "   ".join(e for e in extra if e), style="dim")
        self.query_one("#partner-header", Static).update(header)
        self._fill_timeline(view)
        self._fill_contacts(view)
        self._fill_suggestions(view)
        self.query_one("#notes", Static).update(
            Text(p.notes) if p.notes else "[dim]No notes yet — press e to add some.[/]"
        )

    def _fill_timeline(self, view: PartnerView) -> None:
        rows: list[list[str | Text]] = []
        keys = []
        for entry in view.timeline:
            when = (
                entry.when.strftime("%Y-%m-%d %H:%M")
                if isinstance(entry.when, datetime)
                else entry.when.isoformat()
            )
            style = (
                "bold green"
                if entry.what == "referral"
                else ("italic cyan" if entry.status == "planned" else "")
            )
            row: list[str | Text] = [when, Text(entry.what, style=style), entry.status]
            cell = rep_cell(entry.by, entry.reps)
            row += [entry.source, cell] if view.shared else [entry.source]
            rows.append([*row, entry.detail])
            kind = "referral" if entry.what == "referral" else "touchpoint"
            keys.append(f"{kind}:{entry.record_id}")
        # Every width fixed before anything renders (see widgets/tables.py): an auto-width
        # Detail column drew its header 8 wide or 56 wide depending on when a repaint fell.
        fill_table(
            self.query_one("#timeline", DataTable),
            TEAM_TIMELINE_COLUMNS if view.shared else TIMELINE_COLUMNS,
            rows,
            fixed=TIMELINE_WIDTHS,
            keys=keys,
        )

    def _fill_contacts(self, view: PartnerView) -> None:
        rows = []
        for c in view.contacts:
            milestones = "; ".join(f"{m.on:%d %b}: {m.note}" for m in c.milestones)
            birthday = f"birthday {c.birthday:%d %b}" if c.birthday else ""
            rows.append(
                [
                    c.name,
                    c.role,
                    ", ".join(c.emails),
                    c.phone,
                    "yes" if c.met_in_person else "no",
                    "; ".join(x for x in (birthday, milestones) if x),
                ]
            )
        fill_table(self.query_one("#contacts", DataTable), CONTACT_COLUMNS, rows)

    def _fill_suggestions(self, view: PartnerView) -> None:
        if not view.actions:
            self.query_one("#suggestions", Static).update(
                "Nothing due: this partner is on cadence."
            )
            return
        text = Text()
        for action in view.actions:  # the priority as a word; its number on the rule line
            style = {"urgent": "bold red", "due": "bold yellow"}.get(action.label, "dim")
            text.append_text(
                Text.assemble(
                    (f"{action.label:<12} ", style),
                    (action.kind, "bold"),
                    f"  due {action.due:%d %b}\n",
                    (f"       {action.reason}\n", ""),
                    (f"       rule {action.rule}: {action.explanation}\n\n", "dim"),
                )
            )
        self.query_one("#suggestions", Static).update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """``enter`` on a timeline row opens the record: read it, edit it, delete it."""
        if event.data_table.id != "timeline" or event.row_key.value is None:
            return
        from nurture_tui.ui.screens.record import RecordScreen

        kind, record_id = event.row_key.value.split(":", 1)
        self.app.push_screen(RecordScreen(kind, record_id))

    def action_tab(self, tab_id: str) -> None:
        self.query_one("#partner-tabs", TabbedContent).active = tab_id

    def action_log_touch(self) -> None:
        from nurture_tui.ui.screens.log_form import LogTouchForm

        self.app.push_screen(LogTouchForm(self.partner_id))

    def action_record_referral(self) -> None:
        from nurture_tui.ui.screens.referral_form import ReferralForm

        self.app.push_screen(ReferralForm(self.partner_id))

    def action_invite(self) -> None:
        from nurture_tui.ui.screens.invite_form import InviteForm

        self.app.push_screen(InviteForm(self.partner_id))

    def action_add_contact(self) -> None:
        from nurture_tui.ui.screens.contact_form import ContactForm

        self.app.push_screen(ContactForm(self.partner_id))

    def action_edit_contact(self) -> None:
        """Edit the contact under the cursor on the Contacts tab."""
        if self.view is None or not self.view.contacts:
            self.notify("No contact yet: press c to add one")
            return
        self.action_tab("tab-contacts")
        table = self.query_one("#contacts", DataTable)
        contact = self.view.contacts[min(table.cursor_row, len(self.view.contacts) - 1)]
        from nurture_tui.ui.screens.contact_form import ContactForm

        self.app.push_screen(ContactForm(self.partner_id, contact))

    def action_edit_partner(self) -> None:
        if self.view is None:
            return
        from nurture_tui.ui.screens.partner_form import PartnerForm

        self.app.push_screen(PartnerForm(self.view.partner))
