"""What the product knows and does, with no Slack: a package per feature over a small core;
`bot.commands` is the command language, the one layer that combines features."""
