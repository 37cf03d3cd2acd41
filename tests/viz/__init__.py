"""Tests of the views: safe HTML, paging, live updates, static and text renderings, the CLI, a real browser."""
