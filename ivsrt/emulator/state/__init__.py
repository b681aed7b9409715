"""The emulated service's state, one module per API area.

- `records`: the resources (stages, sessions, participants, compositions, ...) and their wire
  shapes; `arns`: the one ARN parser; `errors`; `limits`; `paging`: signed page tokens;
- `store`: the `Store` that holds every resource of one emulator and the helpers every area
  shares;
- one module per API area (`stages`, `sessions`, `media`, `compositions`, `configurations`,
  `public_keys`, `ingest`, `replication`, `tags`), each with plain functions
  ``handler(store, params, region) -> body``;
- `handlers`: the explicit operation -> handler table the HTTP layer dispatches through.
"""
