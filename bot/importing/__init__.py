"""Importing minutes written outside Slack: read a file, propose, store after review.

The feature's service, re-exported: `from bot import importing` then `importing.<name>`."""
