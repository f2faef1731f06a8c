"""The calendar: iCalendar files, subscription feeds and invitations (Slack DM and e-mail)."""
