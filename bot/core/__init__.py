"""The small kernel every feature stands on: context, clock, errors, dates, working days,
markup, replies, search and the shared texts."""
