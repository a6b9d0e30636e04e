/**
 * The store against a real DuckDB file: migrations, publish/abort, history
 * ranges, and the seal (stability, chaining, tamper detection).
 */

import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import {
  GROUP_MEMBERS,
  GROUP_ROLES,
  GROUPS,
  ROLES,
  USER_ROLES,
  USERS,
} from "../src/facts/index.js";
import {
  type GroupRoleRow,
  type GroupRow,
  type MemberRow,
  type RoleRow,
  SCHEMA_VERSION,
  type SnapshotWriter,
  Store,
  StoreError,
  type UserRoleRow,
  type UserRow,
} from "../src/store/index.js";
import { MIGRATIONS, type Migration, migrate } from "../src/store/migrations.js";
import {
  chainSeal,
  GENESIS_SEAL,
  partLinesSql,
  SEAL_FORMAT_V3,
  SEAL_PARTS,
} from "../src/store/seal.js";
import { createLogger, silentLogger } from "../src/util/log.js";

const root = mkdtempSync(join(tmpdir(), "store-snapshots-"));
let counter = 0;
function dbPath(): string {
  counter += 1;
  return join(root, `case-${counter}`, "audit.duckdb");
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Everything one crawl delivers, keyed the way the store keys it. */
interface Org {
  groups: GroupRow[];
  members: MemberRow[];
  groupRoles: GroupRoleRow[];
  roles: RoleRow[];
  users: UserRow[];
  userRoles: UserRoleRow[];
}

function baseOrg(): Org {
  const roles: RoleRow[] = [
    {
      role_id: "role-owner",
      name: "Owner",
      description: "Full control",
      permissions: ["api.organization.admin", "api.groups.write"],
      predefined_role: true,
      resource_type: "api.organization",
    },
    {
      role_id: "role-reader",
      name: "Reader",
      description: null,
      permissions: [],
      predefined_role: false,
      resource_type: "api.organization",
    },
  ];
  const groups: GroupRow[] = [];
  const members: MemberRow[] = [];
  const groupRoles: GroupRoleRow[] = [];
  for (let g = 0; g < 4; g++) {
    groups.push({
      group_id: `group-${g}`,
      name: `Group ${g}`,
      group_type: g === 3 ? null : g === 2 ? "tenant_group" : "group",
      is_scim_managed: g % 2 === 0,
      created_at: 1_700_000_000 + g,
    });
    for (let u = 0; u < 5; u++) {
      members.push({
        group_id: `group-${g}`,
        user_id: `user-${(g + u) % 8}`,
        email: u === 4 ? null : `user${(g + u) % 8}@example.com`,
        name: `User ${(g + u) % 8}`,
      });
    }
    groupRoles.push({
      group_id: `group-${g}`,
      role_id: g === 0 ? "role-owner" : "role-reader",
      role_name: g === 0 ? "Owner" : "Reader",
      permissions: g === 0 ? ["api.organization.admin", "api.groups.write"] : [],
      predefined_role: g === 0,
      resource_type: "api.organization",
    });
  }
  const users: UserRow[] = [];
  const userRoles: UserRoleRow[] = [];
  for (let u = 0; u < 8; u++) {
    users.push({
      user_id: `user-${u}`,
      email: u === 7 ? null : `user${u}@example.com`,
      name: u === 6 ? null : `User ${u}`,
      role: u === 0 ? "owner" : "reader",
      is_scim_managed: u === 5 ? null : u % 2 === 0,
      is_service_account: u === 7,
      added_at: 1_600_000_000 + u * 86_400,
      api_key_last_used_at: u % 3 === 0 ? null : 1_710_000_000 + u,
    });
    userRoles.push({
      user_id: `user-${u}`,
      role_id: u === 0 ? "role-owner" : "role-reader",
      role_name: u === 0 ? "Owner" : "Reader",
      permissions: u === 0 ? ["api.organization.admin"] : [],
      predefined_role: u === 0,
      assignment_sources:
        u === 1
          ? null
          : u === 2
            ? []
            : [
                { principal_id: `user-${u}`, principal_type: "user" },
                { principal_id: "group-0", principal_type: "group" },
              ],
    });
  }
  return { groups, members, groupRoles, roles, users, userRoles };
}

const META = {
  baseUrl: "http://sim.test/v1",
  toolVersion: "0.1.0-test",
  keyRedacted: "sk-...abcd",
};

function stage(writer: SnapshotWriter, org: Org): void {
  for (const r of org.roles) writer.add(ROLES, r);
  for (const r of org.groups) writer.add(GROUPS, r);
  for (const r of org.members) writer.add(GROUP_MEMBERS, r);
  for (const r of org.groupRoles) writer.add(GROUP_ROLES, r);
  for (const r of org.users) writer.add(USERS, r);
  for (const r of org.userRoles) writer.add(USER_ROLES, r);
  writer.recordEndpoint({
    endpoint: "/organization/groups",
    pages: 1,
    items: org.groups.length,
    completed: true,
  });
  writer.recordEndpoint({
    endpoint: "/organization/users",
    pages: 1,
    items: org.users.length,
    completed: true,
  });
}

async function publishOrg(store: Store, org: Org): Promise<{ snapshotId: number; seal: string }> {
  const writer = await store.beginSnapshot(META);
  stage(writer, org);
  return writer.publish({ requests: 10, retries: 1, rateLimited: 0 });
}

const iso = (seconds: number | null): string | null =>
  seconds === null ? null : new Date(seconds * 1000).toISOString();

/** What each data view must show for an org, in key order. */
function expectedViews(org: Org, snapshotId: number): Record<string, unknown[]> {
  const by = <T>(rows: T[], key: (r: T) => string) =>
    [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return {
    snapshot_groups: by(org.groups, (r) => r.group_id).map((r) => ({
      snapshot_id: snapshotId,
      ...r,
      created_at: iso(r.created_at),
    })),
    snapshot_group_members: by(org.members, (r) => `${r.group_id}\u0000${r.user_id}`).map((r) => ({
      snapshot_id: snapshotId,
      ...r,
    })),
    snapshot_group_roles: by(org.groupRoles, (r) => `${r.group_id}\u0000${r.role_id}`).map((r) => ({
      snapshot_id: snapshotId,
      ...r,
    })),
    snapshot_roles: by(org.roles, (r) => r.role_id).map((r) => ({ snapshot_id: snapshotId, ...r })),
    snapshot_users: by(org.users, (r) => r.user_id).map((r) => ({
      snapshot_id: snapshotId,
      ...r,
      added_at: iso(r.added_at),
      api_key_last_used_at: iso(r.api_key_last_used_at),
    })),
    snapshot_user_roles: by(org.userRoles, (r) => `${r.user_id}\u0000${r.role_id}`).map((r) => ({
      snapshot_id: snapshotId,
      ...r,
    })),
  };
}

const VIEW_ORDER: Record<string, string> = {
  snapshot_groups: "group_id",
  snapshot_group_members: "group_id, user_id",
  snapshot_group_roles: "group_id, role_id",
  snapshot_roles: "role_id",
  snapshot_users: "user_id",
  snapshot_user_roles: "user_id, role_id",
};

async function expectSnapshotEquals(store: Store, snapshotId: number, org: Org): Promise<void> {
  const expected = expectedViews(org, snapshotId);
  for (const [view, order] of Object.entries(VIEW_ORDER)) {
    const rows = await store.query(
      `SELECT * FROM ${view} WHERE snapshot_id = $1 ORDER BY ${order}`,
      [snapshotId],
    );
    expect(rows, `${view} @ ${snapshotId}`).toEqual(expected[view]);
  }
}

async function count(store: Store, sql: string): Promise<number> {
  const rows = await store.query<{ n: number }>(sql);
  return rows[0]?.n ?? -1;
}

describe("migrations", () => {
  it("creates the latest schema, re-opens as a no-op, refuses a newer schema", async () => {
    const path = dbPath();
    const store = await Store.open(path);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    const applied = await store.query(
      "SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
    );
    expect(applied.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await store.close();

    const again = await Store.open(path);
    expect(
      await again.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version"),
    ).toEqual(applied);
    await again.query("INSERT INTO schema_migrations VALUES ($1, 'from the future', now())", [
      SCHEMA_VERSION + 1,
    ]);
    await again.close();

    const message = `database schema version ${SCHEMA_VERSION + 1} is newer than this tool supports (${SCHEMA_VERSION}); upgrade openai-access-audit`;
    await expect(Store.open(path)).rejects.toThrow(message);
    await expect(Store.open(path, { readOnly: true })).rejects.toThrow(message);
    await expect(Store.open(path)).rejects.toBeInstanceOf(StoreError);
  });

  it("creates a new database's schema whole or not at all; upgrades one migration at a time", async () => {
    const broken: Migration = {
      version: SCHEMA_VERSION + 2,
      name: "refers to a table that is not there",
      sql: "ALTER TABLE no_such_table ADD COLUMN x INTEGER;",
    };
    const good: Migration = {
      version: SCHEMA_VERSION + 1,
      name: "add a note column",
      sql: "ALTER TABLE snapshot_runs ADD COLUMN note VARCHAR;",
    };
    const versionsAndTables = async (connection: DuckDBConnection) => {
      const read = await connection.runAndReadAll(
        `SELECT (SELECT count(*) FROM schema_migrations)::INTEGER,
                (SELECT count(*) FROM duckdb_tables() WHERE NOT temporary)::INTEGER`,
      );
      return read.getRowsJS()[0];
    };
    for (const existing of [false, true]) {
      const path = dbPath();
      mkdirSync(dirname(path), { recursive: true });
      if (existing) await (await Store.open(path)).close();
      const instance = await DuckDBInstance.create(path);
      const connection = await instance.connect();
      try {
        const before = existing ? await versionsAndTables(connection) : undefined;
        await expect(
          migrate(connection, silentLogger, [...MIGRATIONS, good, broken]),
        ).rejects.toThrow(/no_such_table/);
        if (existing) {
          // The migration before the failed one stays applied, and recorded.
          const [versions, tables] = before as [number, number];
          expect(await versionsAndTables(connection)).toEqual([versions + 1, tables]);
        } else {
          // Nothing but the migrations table: no version, no other table.
          expect(await versionsAndTables(connection)).toEqual([0, 1]);
        }
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    }
  });

  it("applies pending numbered migrations in order, each recorded once", async () => {
    const path = dbPath();
    await (await Store.open(path)).close();
    const next: Migration = {
      version: SCHEMA_VERSION + 1,
      name: "add a note column",
      sql: "ALTER TABLE snapshot_runs ADD COLUMN note VARCHAR;",
    };
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    try {
      expect(await migrate(connection, silentLogger, [...MIGRATIONS, next])).toEqual({
        from: SCHEMA_VERSION,
        to: SCHEMA_VERSION + 1,
      });
      expect(await migrate(connection, silentLogger, [...MIGRATIONS, next])).toEqual({
        from: SCHEMA_VERSION + 1,
        to: SCHEMA_VERSION + 1,
      });
      const rows = await connection.runAndReadAll(
        "SELECT version, name FROM schema_migrations ORDER BY version",
      );
      expect(rows.getRowsJS().at(-1)).toEqual([SCHEMA_VERSION + 1, "add a note column"]);
      expect(rows.getRowsJS()).toHaveLength(MIGRATIONS.length + 1);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it("refuses to read a database that was never migrated", async () => {
    const path = dbPath();
    mkdirSync(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path);
    instance.closeSync();
    await expect(Store.open(path, { readOnly: true })).rejects.toThrow(
      /has no openai-access-audit schema/,
    );
    await expect(Store.open(join(root, "missing", "x.duckdb"), { readOnly: true })).rejects.toThrow(
      /does not exist/,
    );
  });
});

describe("publish and abort", () => {
  it("shows a published snapshot in every view, row for row, with the documented types", async () => {
    const store = await Store.open(dbPath());
    const org = baseOrg();
    const published = await publishOrg(store, org);
    expect(published.snapshotId).toBe(1);
    expect(published.seal).toMatch(/^[0-9a-f]{64}$/);
    await expectSnapshotEquals(store, 1, org);

    const types = await store.query<{ column_name: string; column_type: string }>(
      "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM snapshot_users)",
    );
    const typeOf = (c: string) => types.find((t) => t.column_name === c)?.column_type;
    expect(typeOf("added_at")).toBe("TIMESTAMP WITH TIME ZONE");
    const roleTypes = await store.query<{ column_name: string; column_type: string }>(
      "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM snapshot_roles)",
    );
    expect(roleTypes.find((t) => t.column_name === "permissions")?.column_type).toBe("VARCHAR[]");

    const [snapshot] = await store.listSnapshots();
    expect(snapshot).toMatchObject({
      snapshot_id: 1,
      status: "complete",
      base_url: META.baseUrl,
      tool_version: META.toolVersion,
      key_redacted: META.keyRedacted,
      schema_version: SCHEMA_VERSION,
      groups: 4,
      memberships: 20,
      group_role_assignments: 4,
      roles: 2,
      users: 8,
      user_role_assignments: 8,
      requests: 10,
      retries: 1,
      rate_limited: 0,
      vanished_groups: 0,
      duplicate_rows: 0,
      seal: published.seal,
      error: null,
    });
    expect(typeof snapshot?.started_at).toBe("string");
    expect(
      await store.query(
        "SELECT endpoint, pages, items, completed FROM snapshot_endpoints ORDER BY endpoint",
      ),
    ).toEqual([
      { endpoint: "/organization/groups", pages: 1, items: 4, completed: true },
      { endpoint: "/organization/users", pages: 1, items: 8, completed: true },
    ]);
    expect(await store.latestCompleteSnapshotId()).toBe(1);
    await store.close();
  });

  it("keeps an aborted snapshot out of every data view", async () => {
    const store = await Store.open(dbPath());
    const org = baseOrg();
    await publishOrg(store, org);
    const writer = await store.beginSnapshot(META);
    stage(writer, {
      ...org,
      members: [...org.members, { group_id: "group-0", user_id: "user-x", email: null, name: "X" }],
    });
    writer.recordVanishedGroup("group-9");
    await writer.abort("rate limited for too long");
    await writer.abort("second abort is a no-op");
    expect(() => writer.add(ROLES, org.roles[0] as RoleRow)).toThrow(/no more changes/);

    for (const view of Object.keys(VIEW_ORDER)) {
      expect(
        await count(store, `SELECT count(*) AS n FROM ${view} WHERE snapshot_id = 2`),
        view,
      ).toBe(0);
    }
    await expectSnapshotEquals(store, 1, org);
    const snapshots = await store.listSnapshots();
    expect(snapshots.map((s) => [s.snapshot_id, s.status, s.error])).toEqual([
      [1, "complete", null],
      [2, "failed", "rate limited for too long"],
    ]);
    expect(snapshots[1]?.seal).toBeNull();
    expect(await store.query("SELECT snapshot_id, group_id FROM snapshot_vanished_groups")).toEqual(
      [{ snapshot_id: 2, group_id: "group-9" }],
    );
    expect(await store.latestCompleteSnapshotId()).toBe(1);
    expect((await store.verify()).ok).toBe(true);

    // The next snapshot after a failure chains to the last complete one.
    const third = await publishOrg(store, org);
    expect(third.snapshotId).toBe(3);
    await expectSnapshotEquals(store, 3, org);
    expect((await store.verify()).ok).toBe(true);
    await store.close();
  });

  it("drops staged rows of vanished groups and users, keeps the last of duplicate keys", async () => {
    const store = await Store.open(dbPath());
    const org = baseOrg();
    const writer = await store.beginSnapshot(META);
    stage(writer, org);
    await writer.dropGroup("group-1");
    writer.recordVanishedGroup("group-1");
    await writer.dropUser("user-3");
    writer.recordVanishedUser("user-3");
    writer.add(GROUP_MEMBERS, {
      group_id: "group-0",
      user_id: "user-0",
      email: "first@example.com",
      name: "Renamed",
    });
    writer.add(GROUP_MEMBERS, {
      group_id: "group-0",
      user_id: "user-0",
      email: "last@example.com",
      name: "Renamed",
    });
    // Rows added after the drop are kept: only what was staged so far goes.
    const late: MemberRow = {
      group_id: "group-1",
      user_id: "user-late",
      email: null,
      name: "Late",
    };
    writer.add(GROUP_MEMBERS, late);
    const result = await writer.publish({ requests: 1, retries: 0, rateLimited: 0 });

    const expected: Org = {
      ...org,
      groups: org.groups.filter((g) => g.group_id !== "group-1"),
      members: [
        ...org.members
          .filter((m) => m.group_id !== "group-1")
          .map((m) =>
            m.group_id === "group-0" && m.user_id === "user-0"
              ? { ...m, email: "last@example.com", name: "Renamed" }
              : m,
          ),
        late,
      ],
      groupRoles: org.groupRoles.filter((r) => r.group_id !== "group-1"),
      users: org.users.filter((u) => u.user_id !== "user-3"),
      userRoles: org.userRoles.filter((r) => r.user_id !== "user-3"),
    };
    await expectSnapshotEquals(store, result.snapshotId, expected);
    expect(result.counts).toEqual({
      groups: 3,
      memberships: 16,
      group_role_assignments: 3,
      roles: 2,
      users: 7,
      user_role_assignments: 7,
      projects: 0,
      project_memberships: 0,
      project_groups: 0,
      project_roles: 0,
      project_group_role_assignments: 0,
      project_user_role_assignments: 0,
      service_accounts: 0,
      api_keys: 0,
      admin_keys: 0,
      invites: 0,
    });
    const [row] = await store.listSnapshots();
    expect(row).toMatchObject({ vanished_groups: 1, vanished_users: 1, duplicate_rows: 2 });
    expect(await store.query("SELECT user_id FROM snapshot_vanished_users")).toEqual([
      { user_id: "user-3" },
    ]);
    await store.close();
  });

  it("stores any string exactly, including separators, control characters and Unicode", async () => {
    const store = await Store.open(dbPath());
    const odd = [
      "a\u001fb",
      "nul\u0000char",
      "tab\there",
      "new\nline",
      'quote"back\\slash',
      "émoji 😀",
      "",
      " ",
    ];
    const org = baseOrg();
    org.members = odd.map((name, i) => ({
      group_id: "group-0",
      user_id: `odd-${i}`,
      email: name,
      name,
    }));
    org.roles = [{ ...(org.roles[0] as RoleRow), permissions: ["x\u001fy", '["json"]', ""] }];
    // Reserved characters next to booleans, timestamps and lists in the same row.
    org.users.push({
      user_id: "odd-user",
      email: "\u001d",
      name: "row\u001eseparator",
      role: null,
      is_scim_managed: true,
      is_service_account: false,
      added_at: -86_400,
      api_key_last_used_at: 0,
    });
    org.userRoles.push({
      user_id: "odd-user",
      role_id: "role-\u001c",
      role_name: "Odd",
      permissions: ["p\u001f", "q"],
      predefined_role: false,
      assignment_sources: [{ principal_id: "g\u001e", principal_type: "group" }],
    });
    // Rows far longer than one staging block.
    const many = Array.from({ length: 800 }, (_, i) => `api.permission.number.${i}.write`);
    for (let u = 0; u < 40; u++) {
      org.userRoles.push({
        user_id: `long-${u}`,
        role_id: "role-long",
        role_name: "Long",
        permissions: many,
        predefined_role: false,
        assignment_sources: null,
      });
    }
    await publishOrg(store, org);
    await expectSnapshotEquals(store, 1, org);
    expect((await store.verify()).ok).toBe(true);
    await store.close();
  });

  it("refuses to publish a crawl with an unfinished endpoint, and to start a second writer", async () => {
    const store = await Store.open(dbPath());
    const writer = await store.beginSnapshot(META);
    await expect(store.beginSnapshot(META)).rejects.toThrow(/still being written/);
    writer.recordEndpoint({
      endpoint: "/organization/groups/{group_id}/users",
      pages: 3,
      items: 250,
      completed: true,
    });
    writer.recordEndpoint({
      endpoint: "/organization/groups/{group_id}/users",
      pages: 1,
      items: 10,
      completed: false,
    });
    await expect(writer.publish({ requests: 1, retries: 0, rateLimited: 0 })).rejects.toThrow(
      /was not read to the end/,
    );
    await writer.abort("incomplete");
    expect(
      await store.query("SELECT endpoint, pages, items, completed FROM snapshot_endpoints"),
    ).toEqual([
      { endpoint: "/organization/groups/{group_id}/users", pages: 4, items: 260, completed: false },
    ]);
    await store.close();
  });

  it("aborts the open snapshot when the store is closed", async () => {
    const path = dbPath();
    const store = await Store.open(path);
    const writer = await store.beginSnapshot(META);
    stage(writer, baseOrg());
    await store.close();
    const reader = await Store.open(path, { readOnly: true });
    expect((await reader.listSnapshots()).map((s) => [s.status, s.error])).toEqual([
      ["failed", "store closed before publish"],
    ]);
    await expect(reader.beginSnapshot(META)).rejects.toThrow(/read-only/);
    await reader.close();
  });

  it("retries a publish (and a verify) that runs out of memory once, with more room", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // Created and migrated under the default limit first: the migrations of a new database
    // under 4 MB ran out of memory themselves now and then on a loaded machine (3 opens in 100,
    // and once in CI), and this test is about the publish's retry.
    const path = dbPath();
    await (await Store.open(path)).close();
    const store = await Store.open(path, {
      memoryLimit: "4MB",
      logger: createLogger({ level: "warn", destination }),
    });
    const writer = await store.beginSnapshot(META);
    for (let i = 0; i < 50_000; i++) {
      writer.add(GROUP_MEMBERS, {
        group_id: `group-${i % 50}`,
        user_id: `user-${i}`,
        email: null,
        name: `User ${i}`,
      });
    }
    const published = await writer.publish({ requests: 1, retries: 0, rateLimited: 0 });
    expect(published.counts.memberships).toBe(50_000);
    expect((await store.verify()).ok).toBe(true);
    expect(lines.join("")).toMatch(/publish ran out of memory; retrying once/);
    await store.close();
  });

  it("gives the connection its own memory_limit back after a publish's lower one", async () => {
    const store = await Store.open(dbPath());
    const limit = async () =>
      (await store.query<{ l: string }>("SELECT current_setting('memory_limit') AS l"))[0]?.l;
    const before = await limit();
    const writer = await store.beginSnapshot(META);
    stage(writer, baseOrg());
    await writer.publish({ requests: 1, retries: 0, rateLimited: 0 });
    expect(await limit()).toBe(before);
    await store.close();
  });

  it("streams large results in batches", async () => {
    const store = await Store.open(dbPath());
    const batches: number[] = [];
    for await (const batch of store.iterate<{ i: number }>(
      "SELECT i::INTEGER AS i FROM range(25000) t(i)",
      [],
      10_000,
    )) {
      batches.push(batch.length);
    }
    expect(batches.reduce((a, b) => a + b, 0)).toBe(25000);
    expect(batches.length).toBeGreaterThanOrEqual(2);
    await store.close();
  });

  it("appends rows to a TEMP table by column name, on a read-only store too", async () => {
    const path = dbPath();
    await (await Store.open(path)).close();
    const store = await Store.open(path, { readOnly: true });
    try {
      await store.query(
        "CREATE TEMP TABLE t (n INTEGER, big BIGINT, x DOUBLE, s VARCHAR, b BOOLEAN)",
      );
      // Keys in another order than the columns: each cell goes to its column by name.
      await store.appendToTempTable("t", [
        { s: "ünï\u0000code", b: true, x: 1.5, big: 2 ** 40, n: -7 },
        { n: 2147483647, big: -(2 ** 31) - 1, x: 2, s: null, b: false },
      ]);
      expect(await store.query("SELECT * FROM t ORDER BY n")).toEqual([
        { n: -7, big: 2 ** 40, x: 1.5, s: "ünï\u0000code", b: true },
        { n: 2147483647, big: -(2 ** 31) - 1, x: 2, s: null, b: false },
      ]);
      await expect(store.appendToTempTable("t", [{ n: 1, big: 1, x: 1, s: "a" }])).rejects.toThrow(
        "a row for t has no b",
      );
      await expect(store.appendToTempTable("missing", [])).rejects.toThrow(
        "no TEMP table missing to append to",
      );
      // A failed append leaves the connection usable.
      expect(await store.query("SELECT count(*)::INTEGER AS n FROM t")).toEqual([{ n: 2 }]);
    } finally {
      await store.close();
    }
  });
});

/** One step of history: how the org changes before the next crawl. */
type Change = (org: Org) => Org;

const CHANGES: Change[] = [
  // every table: one added, one removed, one modified
  (o) => ({
    groups: [
      ...o.groups
        .filter((g) => g.group_id !== "group-3")
        .map((g) => (g.group_id === "group-2" ? { ...g, name: "Renamed 2" } : g)),
      {
        group_id: "group-4",
        name: "Group 4",
        group_type: "group",
        is_scim_managed: true,
        created_at: 1_700_000_100,
      },
    ],
    members: [
      ...o.members
        .filter((m) => !(m.group_id === "group-0" && m.user_id === "user-0"))
        .map((m) =>
          m.group_id === "group-1" && m.user_id === "user-2"
            ? { ...m, email: "changed@example.com" }
            : m,
        ),
      { group_id: "group-4", user_id: "user-1", email: "user1@example.com", name: "User 1" },
    ],
    groupRoles: [
      ...o.groupRoles
        .filter((r) => r.group_id !== "group-3")
        .map((r) =>
          r.group_id === "group-0" ? { ...r, permissions: [...r.permissions, "api.new"] } : r,
        ),
      {
        group_id: "group-4",
        role_id: "role-owner",
        role_name: "Owner",
        permissions: ["p"],
        predefined_role: true,
        resource_type: "api.organization",
      },
    ],
    roles: [
      ...o.roles.map((r) =>
        r.role_id === "role-reader" ? { ...r, description: "Now described" } : r,
      ),
      {
        role_id: "role-custom",
        name: "Custom",
        description: null,
        permissions: ["a", "b"],
        predefined_role: false,
        resource_type: "api.project",
      },
    ],
    users: [
      ...o.users
        .filter((u) => u.user_id !== "user-7")
        .map((u) =>
          u.user_id === "user-1" ? { ...u, role: "owner", api_key_last_used_at: 1_720_000_000 } : u,
        ),
      {
        user_id: "user-8",
        email: "user8@example.com",
        name: "User 8",
        role: "reader",
        is_scim_managed: false,
        is_service_account: false,
        added_at: 1_650_000_000,
        api_key_last_used_at: null,
      },
    ],
    userRoles: [
      ...o.userRoles
        .filter((r) => r.user_id !== "user-7")
        .map((r) =>
          r.user_id === "user-2"
            ? { ...r, assignment_sources: [{ principal_id: "group-1", principal_type: "group" }] }
            : r,
        ),
      {
        user_id: "user-8",
        role_id: "role-reader",
        role_name: "Reader",
        permissions: [],
        predefined_role: false,
        assignment_sources: null,
      },
    ],
  }),
  // nothing changes: history must not grow
  (o) => o,
  // a removed fact comes back unchanged, a modified one is modified back
  (o) => ({
    ...o,
    groups: [
      ...o.groups,
      {
        group_id: "group-3",
        name: "Group 3",
        group_type: null,
        is_scim_managed: false,
        created_at: 1_700_000_003,
      },
    ],
    members: o.members.map((m) =>
      m.group_id === "group-1" && m.user_id === "user-2" ? { ...m, email: "user3@example.com" } : m,
    ),
  }),
  // a NULL becomes a value and back is a change both ways
  (o) => ({
    ...o,
    users: o.users.map((u) => (u.user_id === "user-5" ? { ...u, is_scim_managed: true } : u)),
  }),
  (o) => ({
    ...o,
    users: o.users.map((u) => (u.user_id === "user-5" ? { ...u, is_scim_managed: null } : u)),
  }),
];

const TABLE_KEYS: [keyof Org, string, (r: never) => string][] = [
  ["groups", "hist_groups", (r: GroupRow) => r.group_id],
  ["members", "hist_group_members", (r: MemberRow) => `${r.group_id}/${r.user_id}`],
  ["groupRoles", "hist_group_roles", (r: GroupRoleRow) => `${r.group_id}/${r.role_id}`],
  ["roles", "hist_roles", (r: RoleRow) => r.role_id],
  ["users", "hist_users", (r: UserRow) => r.user_id],
  ["userRoles", "hist_user_roles", (r: UserRoleRow) => `${r.user_id}/${r.role_id}`],
] as never;

/** Rows a table gains between two states: facts that are new or differ in any attribute. */
function versionsAdded(
  before: Org | null,
  after: Org,
  table: keyof Org,
  key: (r: never) => string,
): number {
  const previous = new Map(
    ((before?.[table] ?? []) as never[]).map((r) => [key(r), JSON.stringify(r)]),
  );
  return (after[table] as never[]).filter((r) => previous.get(key(r)) !== JSON.stringify(r)).length;
}

describe("history", () => {
  it("reproduces every snapshot exactly while storing only the changes", async () => {
    const store = await Store.open(dbPath());
    const states: Org[] = [baseOrg()];
    for (const change of CHANGES) states.push(change(structuredClone(states.at(-1) as Org)));
    const histRows = new Map<string, number>();
    let previous: Org | null = null;
    const ids: number[] = [];
    for (const [index, state] of states.entries()) {
      if (index === 2) {
        // A failed crawl in the middle of history changes nothing.
        const failed = await store.beginSnapshot(META);
        stage(failed, baseOrg());
        await failed.abort("network down");
      }
      const { snapshotId } = await publishOrg(store, state);
      ids.push(snapshotId);
      for (const [table, hist, key] of TABLE_KEYS) {
        const expected = (histRows.get(hist) ?? 0) + versionsAdded(previous, state, table, key);
        histRows.set(hist, expected);
        expect(
          await count(store, `SELECT count(*) AS n FROM ${hist}`),
          `${hist} after #${snapshotId}`,
        ).toBe(expected);
      }
      previous = state;
    }
    // Every snapshot still reads back as it was written.
    for (const [index, state] of states.entries())
      await expectSnapshotEquals(store, ids[index] as number, state);
    // The no-change snapshot added nothing anywhere.
    expect(ids).toEqual([1, 2, 4, 5, 6, 7]);
    const verify = await store.verify();
    expect(verify.ok).toBe(true);
    expect(verify.snapshots.map((s) => s.snapshot_id)).toEqual(ids);
    await store.close();
  });
});

describe("seal", () => {
  async function buildHistory(path: string): Promise<string[]> {
    const store = await Store.open(path);
    const seals: string[] = [];
    let org = baseOrg();
    for (const change of [(o: Org) => o, ...CHANGES.slice(0, 2)]) {
      org = change(structuredClone(org));
      seals.push((await publishOrg(store, org)).seal);
    }
    await store.close();
    return seals;
  }

  /** Runs SQL on the file with DuckDB directly, bypassing the store entirely. */
  async function tamper(path: string, sql: string): Promise<void> {
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    try {
      await connection.run(sql);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  function copyOf(path: string): string {
    const copy = dbPath();
    mkdirSync(dirname(copy), { recursive: true });
    copyFileSync(path, copy);
    return copy;
  }

  async function verifyFile(path: string) {
    const store = await Store.open(path, { readOnly: true });
    try {
      return await store.verify();
    } finally {
      await store.close();
    }
  }

  const original = dbPath();
  let seals: string[] = [];

  it("is stable, order-independent and chained", async () => {
    seals = await buildHistory(original);
    const store = await Store.open(original, { readOnly: true });
    const verified = await store.verify();
    expect(verified).toMatchObject({ ok: true, issues: [] });
    expect(verified.snapshots.map((s) => s.stored)).toEqual(seals);
    expect(verified.snapshots.map((s) => s.computed)).toEqual(seals);
    expect((await store.verify(2)).snapshots).toHaveLength(1);
    await expect(store.verify(99)).rejects.toThrow(/not a complete snapshot/);

    // Chain: each seal is sha256 over the previous seal and the stored part hashes.
    const parts = await store.query<{
      snapshot_id: number;
      part: string;
      row_count: number;
      sha256: string;
    }>("SELECT * FROM snapshot_seal_parts ORDER BY snapshot_id");
    let previous = GENESIS_SEAL;
    for (const [index, seal] of seals.entries()) {
      const own = SEAL_PARTS.map((p) => {
        const found = parts.find((x) => x.snapshot_id === index + 1 && x.part === p.part);
        return { part: p.part, rowCount: found?.row_count ?? -1, sha256: found?.sha256 ?? "" };
      });
      expect(chainSeal(previous, own, SEAL_FORMAT_V3)).toBe(seal);
      previous = seal;
    }

    // The documented format reproduces every part hash from the view's rows alone:
    // sha256 of each line, digests sorted, concatenated, sha256 again.
    const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
    for (const part of SEAL_PARTS) {
      const lines = await store.query<{ line: string }>(partLinesSql(part), [2]);
      const digests = lines.map(({ line }) => sha(line)).sort();
      const stored = parts.find((p) => p.snapshot_id === 2 && p.part === part.part);
      expect(stored?.sha256, part.part).toBe(sha(digests.join("")));
      expect(stored?.row_count, part.part).toBe(lines.length);
    }
    const members = await store.query<{ line: string }>(
      partLinesSql(SEAL_PARTS.find((p) => p.part === "group_members") as never),
      [1],
    );
    expect(members.map((m) => m.line)).toContain(
      '["group-0","user-0","user0@example.com","User 0"]',
    );
    const users = await store.query<{ line: string }>(
      partLinesSql(SEAL_PARTS.find((p) => p.part === "users") as never),
      [1],
    );
    expect(users.map((u) => u.line)).toContain(
      '["user-1","user1@example.com","User 1","reader",false,false,"2020-09-14T12:26:40.000000Z","2024-03-09T16:00:01.000000Z"]',
    );
    await store.close();

    // Same data written in another order gives the same data-part hashes.
    const shuffledPath = dbPath();
    const shuffled = await Store.open(shuffledPath);
    const org = baseOrg();
    const reversed: Org = {
      groups: [...org.groups].reverse(),
      members: [...org.members].reverse(),
      groupRoles: [...org.groupRoles].reverse(),
      roles: [...org.roles].reverse(),
      users: [...org.users].reverse(),
      userRoles: [...org.userRoles].reverse(),
    };
    await publishOrg(shuffled, reversed);
    const shuffledParts = await shuffled.query<{ part: string; sha256: string }>(
      "SELECT part, sha256 FROM snapshot_seal_parts WHERE part <> 'snapshot' ORDER BY part",
    );
    await shuffled.close();
    const originalParts = parts
      .filter((p) => p.snapshot_id === 1 && p.part !== "snapshot")
      .map(({ part, sha256 }) => ({ part, sha256 }))
      .sort((a, b) => a.part.localeCompare(b.part));
    expect(shuffledParts.sort((a, b) => a.part.localeCompare(b.part))).toEqual(originalParts);
  });

  const tamperings: [string, string, number[], string][] = [
    [
      "UPDATE of one fact row's name",
      "UPDATE hist_group_members SET name = 'Mallory' WHERE group_id = 'group-2' AND user_id = 'user-2'",
      [1, 2, 3],
      "group_members",
    ],
    [
      "DELETE of one fact row",
      "DELETE FROM hist_users WHERE user_id = 'user-4'",
      [1, 2, 3],
      "users",
    ],
    [
      "INSERT of one fact row into one snapshot",
      "INSERT INTO hist_roles VALUES ('role-x', 'Backdoor', NULL, ['api.organization.admin'], false, 'api.organization', 2, 2)",
      [2],
      "roles",
    ],
    [
      "changed snapshot metadata",
      "UPDATE snapshot_runs SET base_url = 'http://elsewhere' WHERE snapshot_id = 2",
      [2],
      "snapshot",
    ],
  ];

  for (const [label, sql, affected, part] of tamperings) {
    it(`detects ${label}`, async () => {
      const copy = copyOf(original);
      await tamper(copy, sql);
      const result = await verifyFile(copy);
      expect(result.ok).toBe(false);
      expect(result.snapshots.filter((s) => !s.ok).map((s) => s.snapshot_id)).toEqual(affected);
      for (const s of result.snapshots.filter((x) => !x.ok))
        expect(s.mismatched_parts).toContain(part);
    });
  }

  it("detects a re-sealed snapshot through the chain, and history rows no publish wrote", async () => {
    const copy = copyOf(original);
    await tamper(copy, `UPDATE snapshot_runs SET seal = '${"f".repeat(64)}' WHERE snapshot_id = 2`);
    const chain = await verifyFile(copy);
    expect(chain.snapshots.filter((s) => !s.ok).map((s) => s.snapshot_id)).toEqual([2, 3]);

    const orphan = copyOf(original);
    await tamper(
      orphan,
      "INSERT INTO hist_roles VALUES ('role-y', 'Hidden', NULL, [], false, 'x', 7, NULL)",
    );
    const hidden = await verifyFile(orphan);
    expect(hidden.ok).toBe(false);
    expect(hidden.snapshots.every((s) => s.ok)).toBe(true);
    expect(hidden.issues.join("\n")).toMatch(/hist_roles: 1 row/);
  });
});
