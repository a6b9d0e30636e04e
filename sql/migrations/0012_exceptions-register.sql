-- migration: exceptions register
-- Released: never edit this file; add the next number instead.
-- Accepted risks: an exception accepts the findings of one rule about one subject until a date.
-- The register is append-only: one row per event, `add` (a new exception) or `expire` (one ended
-- early), never updated or deleted. The current state of an exception is the fold of its events.
--
-- Chain (src/store/exceptions.ts, format "openai-access-audit exceptions v1"): row_sha256 is the
-- SHA-256 of the row's sealed columns as a JSON array, and seal the SHA-256 of the format, the
-- previous row's seal (64 zeros for the first) and row_sha256; `verify` recomputes both and
-- names a changed, removed or inserted entry.
CREATE TABLE exception_events (
  -- 1, 2, 3, ... in the order recorded; a gap is a removed entry.
  seq INTEGER NOT NULL,
  event VARCHAR NOT NULL CHECK (event IN ('add', 'expire')),
  -- Numbered 1, 2, 3, ... by `add`; `expire` names the exception it ends.
  exception_id INTEGER NOT NULL,
  -- add: the rule and the subject it accepts (at least one subject column); NULL on expire.
  rule_id VARCHAR,
  group_id VARCHAR,
  user_id VARCHAR,
  role_id VARCHAR,
  project_id VARCHAR,
  credential_id VARCHAR,
  reason VARCHAR NOT NULL,
  -- add: who approved the risk (--approver); expire: who ended it (--by, default the OS user).
  approver VARCHAR NOT NULL,
  -- add: the first day the exception no longer covers (its findings come back that day, 00:00 UTC).
  expires_on DATE,
  -- Who typed the command: OS user@host, and when.
  recorded_by VARCHAR NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL,
  tool_version VARCHAR NOT NULL,
  row_sha256 VARCHAR NOT NULL,
  seal VARCHAR NOT NULL
);
