"""The HTTP side of the emulator: `wire` (JSON in and out, error shapes), `sigv4`, `api` (the
rest-json routes), `control` (the control surface under ``/_emulator/``), `app`."""
