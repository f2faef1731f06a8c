"""What every handler shares: the product and a directory of people, bound at registration."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import Ack

from bot.context import App, Ctx, Directory


@dataclass(frozen=True)
class Deps:
    product: App
    directory: Directory

    def ctx(self, user_id: str, channel_id: str | None) -> Ctx:
        return Ctx(self.product, user_id, channel_id, self.directory)


def ack_only(ack: Ack) -> None:
    """The ack half of a lazy listener: answer Slack at once; the work runs in the pool."""
    ack()
