"""Everything that writes reporting data. Each module holds one area:

- `requests`: report requests, from the order to the file, and the sweep of stuck ones;
- `certificates`: issuing and revoking certificates;
- `subscriptions`: monthly reports by e-mail.
"""
