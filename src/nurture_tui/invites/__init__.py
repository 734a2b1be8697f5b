"""Invites: building and reading iCalendar (.ics), and the CalendarWriter port. No UI, no store."""
