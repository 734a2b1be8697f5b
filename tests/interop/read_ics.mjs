// Reads an .ics with ical.js and prints what it understood, as JSON, for the Python tests.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    sequence: event.sequence,
    start: event.startDate.toString(),
    tzid: vevent.getFirstProperty("dtstart").getParameter("tzid"),
    attendees: vevent.getAllProperties("attendee").map((a) => a.getFirstValue()),
    organizer: vevent.getFirstPropertyValue("organizer"),
    alarms: vevent.getAllSubcomponents("valarm").length,
  };
});
const timezones = calendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid"));
console.log(JSON.stringify({ method: calendar.getFirstPropertyValue("method"), events, timezones }));
