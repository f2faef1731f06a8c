"""Every way in and out: the composition root (app), the CLI, the local shell, the web server,
settings, the scheduler, the Slack listeners, rendering, delivery and the Slack stand-in."""
