"""What every handler shares: the product and a directory of people, bound at registration."""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import App, Ctx, Directory


@dataclass(frozen=True)
class Deps:
    product: App
    directory: Directory

    def ctx(self, user_id: str, channel_id: str | None) -> Ctx:
        return Ctx(self.product, user_id, channel_id, self.directory)
