-- migration: organization audit log
-- Released: never edit this file; add the next number instead.
-- The organization audit log (GET /organization/audit_logs), kept apart from the snapshots: it
-- is a stream of events, not a state, so it is append-only and has a hash chain of its own.
--
-- audit_log_syncs: one row per attempt to read the log, complete or failed. A complete sync
-- read every event with effective_at >= covered_from (NULL for the first sync: everything the
-- API still holds) up to the moment it started (covered_to); what it claims to cover is
-- [coverage_from, covered_to]. A failed sync (no permission, audit logging off, an error) is
-- kept as evidence of the gap and adds no events. Each row is chained: seal = sha256 of the
-- previous sync's seal and this sync's fields, events digest included (src/store/audit-log.ts).
CREATE TABLE audit_log_syncs (
  sync_id INTEGER PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ NOT NULL,
  status VARCHAR NOT NULL CHECK (status IN ('complete', 'failed')),
  reason VARCHAR,
  -- The lower bound sent (effective_at[gte]); NULL: none (the whole log).
  read_from TIMESTAMPTZ,
  -- The window this sync vouches for (NULL for a failed sync).
  coverage_from TIMESTAMPTZ,
  covered_to TIMESTAMPTZ,
  -- The crawl it ran with, if any.
  snapshot_id INTEGER,
  base_url VARCHAR NOT NULL,
  key_redacted VARCHAR NOT NULL,
  tool_version VARCHAR NOT NULL,
  requests INTEGER NOT NULL,
  events_read BIGINT NOT NULL,
  events_added BIGINT NOT NULL,
  -- The events this sync appended: seq first_seq..last_seq (NULL when none).
  first_seq BIGINT,
  last_seq BIGINT,
  events_sha256 VARCHAR NOT NULL,
  seal VARCHAR NOT NULL
);

-- One row per event, appended once (deduplicated by event_id at ingest) and never updated. The
-- columns besides `event` are read from it at ingest, for joins; row_sha256 covers all of them.
-- No key constraints or indexes: DuckDB keeps those in memory, which a log of millions of events
-- must not need; uniqueness is the ingest's job and `verify` checks seq against each sync.
CREATE TABLE audit_events (
  seq BIGINT NOT NULL,
  sync_id INTEGER NOT NULL,
  event_id VARCHAR NOT NULL,
  type VARCHAR NOT NULL,
  effective_at TIMESTAMPTZ NOT NULL,
  project_id VARCHAR,
  project_name VARCHAR,
  actor_type VARCHAR,
  actor_user_id VARCHAR,
  actor_email VARCHAR,
  actor_ip VARCHAR,
  actor_key_id VARCHAR,
  actor_key_type VARCHAR,
  actor_service_account_id VARCHAR,
  source VARCHAR,
  object_id VARCHAR,
  principal_id VARCHAR,
  principal_type VARCHAR,
  resource_id VARCHAR,
  resource_type VARCHAR,
  event JSON NOT NULL,
  row_sha256 VARCHAR NOT NULL
);
