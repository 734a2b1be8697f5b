"""The Textual app: screens, widgets and styles. Talks to services, never to the store."""
