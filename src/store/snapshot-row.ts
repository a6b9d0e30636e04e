/** A snapshot as the `snapshots` view shows it: shared by the store and retention. */
export type SnapshotStatus = "running" | "complete" | "failed" | "abandoned" | "pruned";

/** A row of the `snapshots` view, JSON-safe. Counts are null until a snapshot is complete. */
export interface SnapshotRow {
  snapshot_id: number;
  started_at: string;
  finished_at: string | null;
  status: SnapshotStatus;
  base_url: string;
  tool_version: string;
  groups: number | null;
  memberships: number | null;
  group_role_assignments: number | null;
  users: number | null;
  user_role_assignments: number | null;
  roles: number | null;
  requests: number | null;
  retries: number | null;
  seal: string | null;
  rate_limited: number | null;
  key_redacted: string;
  schema_version: number;
  vanished_groups: number | null;
  vanished_users: number | null;
  duplicate_rows: number | null;
  error: string | null;
  /** When retention pruned it (status `pruned`), else null. */
  pruned_at: string | null;
  /** The OS user and host the crawl ran as; null for snapshots taken before schema 11. */
  crawl_user: string | null;
  crawl_host: string | null;
  /** The API's `openai-organization` response header, when it sent one (untrusted text). */
  organization_id: string | null;
}
