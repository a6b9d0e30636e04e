/**
 * `npm run soak`: issue 8's soak test. The real `access-audit schedule` (dist/cli/main.js) runs
 * as a child on a seconds-level cron against an in-process simulator with faults (latency, 429s
 * with and without Retry-After, 5xx, dropped sockets, truncated bodies, changes between pages)
 * for --minutes (default 10), while this process changes the organization in "active" phases and
 * leaves it alone in "quiet" ones. It then checks, from the child's JSON log lines and the
 * database afterwards:
 *
 * - every tick accounted for (each tick number is either a started run or a skipped tick);
 * - no overlap (run starts and ends strictly alternate, each end names its start's tick) and
 *   every started run ended; the child exits 0 on SIGTERM;
 * - the database agrees: one snapshot per run that reached the crawl, `complete` exactly for the
 *   runs that published, `failed`/`abandoned` for the others, none left `running`; `verify` passes;
 * - RSS and open file descriptors flat: start (after the first run), peak, end, and the mean of
 *   the first vs the last quarter (RSS within 15%; idle fds at the end within 2 of the start);
 * - database size grows only with changes: the file size (and, from a copy taken between runs,
 *   DuckDB's blocks in use) after each run against the changed rows of its snapshot (history
 *   rows opened + closed, SQL) and the diff's change count. DuckDB rewrites checkpointed row
 *   groups into fresh 256 KiB blocks and truncates free ones at the end, so an unchanged file
 *   moves a few blocks either way per run: the runs that changed nothing (and the failed ones)
 *   must together add at most 2 blocks net, in file bytes and in blocks in use. A least-squares
 *   fit size ~ changed rows so far + runs so far gives what a changed row and a snapshot cost.
 *
 * Results: a summary on stdout and JSON in --out (default chaos/results/soak-latest.json), the
 * child's raw log beside it (.log). Exit 1 when any check fails, 2 on a usage error.
 *
 *   npm run build && npm run soak                     # 10 minutes
 *   npm run soak -- --minutes 2 --cron "*\/4 * * * * *"
 *
 * Retention is `keep: all`, so every snapshot's rows stay and growth is visible.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { type FaultConfig, Prng, startSimulator } from "../src/simulator/index.js";
import { type SnapshotRow, Store } from "../src/store/index.js";
import { type CliResult, cliEnv, runCli } from "../test/support/cli.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "dist/cli/main.js");
/** DuckDB's default block allocation size: the file grows in these steps. */
const DUCKDB_BLOCK = 262_144;
const HIST_TABLES = [
  "hist_groups",
  "hist_group_members",
  "hist_group_roles",
  "hist_roles",
  "hist_users",
  "hist_user_roles",
] as const;

const USAGE =
  'usage: npm run soak -- [--minutes N] [--cron "EXPR"] [--out PATH] [--seed N] [--groups N] [--users N] [--keep]';

function usage(message: string): never {
  process.stderr.write(`soak: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        minutes: { type: "string", default: "10" },
        cron: { type: "string", default: "*/5 * * * * *" },
        out: { type: "string", default: "chaos/results/soak-latest.json" },
        seed: { type: "string", default: "8" },
        groups: { type: "string", default: "60" },
        users: { type: "string", default: "800" },
        keep: { type: "boolean", default: false },
      },
      strict: true,
    });
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
})();

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) usage(`--${name} must be a positive number`);
  return n;
}
const minutes = positive("minutes", values.minutes);
const seed = Math.floor(positive("seed", values.seed));
const groups = Math.floor(positive("groups", values.groups));
const users = Math.floor(positive("users", values.users));
const cron = values.cron;
const outPath = resolve(ROOT, values.out);
const logPath = `${outPath.replace(/\.json$/, "")}.log`;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// The organization and its faults

/** Phases of the organization: changes every couple of seconds, then none at all. */
const ACTIVE_MS = 40_000;
const QUIET_MS = 40_000;
/** The 429 flavour rotates on its own clock, so both phases see every flavour. */
const VARIANT_MS = 25_000;
/** Users moved into one group by the bulk change of each active phase. */
const BULK_JOINS = 250;
const RETRY_AFTER_VARIANTS = [
  { name: "429 with Retry-After: 1", faults: { retryAfterSeconds: 1 } },
  { name: "429 without Retry-After", faults: { retryAfterSeconds: null } },
  {
    name: "429 with retry-after-ms: 250 only",
    faults: { retryAfterSeconds: null, retryAfterMs: 250 },
  },
] as const satisfies readonly { name: string; faults: FaultConfig }[];

function faultConfig(variant: number, active: boolean, faultSeed: number): FaultConfig {
  const flavour = RETRY_AFTER_VARIANTS[variant % RETRY_AFTER_VARIANTS.length];
  return {
    seed: faultSeed,
    latencyMs: 2,
    latencyJitterMs: 6,
    rate429: 0.003,
    rate5xx: 0.01,
    statuses5xx: [500, 502, 503],
    // A 5xx marked `x-should-retry: false` fails the crawl at once: the "fails cleanly" runs.
    shouldRetryFalseRate: 0.02,
    rateDrop: 0.003,
    rateMalformed: 0.003,
    mutateBetweenPagesRate: active ? 0.002 : 0,
    ...(flavour?.faults ?? {}),
  };
}

type ChangeKind =
  | "join"
  | "leave"
  | "group_role_grant"
  | "group_role_revoke"
  | "user_role_grant"
  | "user_role_revoke"
  | "bulk_join"
  | "bulk_leave";

// ---------------------------------------------------------------------------------------------
// Log lines and runs

interface LogEvent {
  /** ms since the soak started, when the line arrived. */
  t: number;
  level: number;
  msg: string;
  fields: Record<string, unknown>;
}

interface RunRecord {
  tick: number;
  start_t: number;
  end_t: number | null;
  status: "ok" | "failed" | null;
  snapshot_id: number | null;
  published: boolean;
  changes: number | null;
  findings: number | null;
  duration_ms: number | null;
  error: string | null;
  crawl_failure: string | null;
  /** The organization's phase when the run started. */
  phase: "active" | "quiet";
  fault_variant: string;
  /** Changes this process made to the organization between the previous run's start and this one's. */
  direct_changes_before: number;
  db_bytes_after: number | null;
  wal_bytes_after: number | null;
  /** `PRAGMA database_size` of a copy taken right after the run: blocks in use and free. */
  used_blocks_after: number | null;
  free_blocks_after: number | null;
  /** From the database afterwards: history rows this snapshot opened and closed. */
  hist_rows_inserted: number | null;
  hist_rows_closed: number | null;
}

interface Sample {
  t: number;
  rss_kb: number;
  hwm_kb: number;
  fds: number;
  /** A run was in progress (per the log) when sampled. */
  running: boolean;
}

const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function procSample(pid: number): { rss: number; hwm: number; fds: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    if (!Number.isFinite(rss)) return null;
    return { rss, hwm, fds };
  } catch {
    return null;
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What the writers' spill folders (`<db>.tmp-<pid>-XXXXXX`) hold after the soak; null if none is left. */
function spillLeft(dbPath: string): { files: number; bytes: number } | null {
  const prefix = `${basename(dbPath)}.tmp-`;
  const left = readdirSync(dirname(dbPath)).filter((n) => n.startsWith(prefix));
  if (left.length === 0) return null;
  const sizes = left.map((n) => dirSize(join(dirname(dbPath), n)));
  return {
    files: sizes.reduce((n, s) => n + s.files, 0),
    bytes: sizes.reduce((n, s) => n + s.bytes, 0),
  };
}

function dirSize(path: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  if (!existsSync(path)) return { files, bytes };
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) {
      const sub = dirSize(p);
      files += sub.files;
      bytes += sub.bytes;
    } else {
      files++;
      bytes += fileSize(p);
    }
  }
  return { files, bytes };
}

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;

function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length < 3 || xs.length !== ys.length) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** Least squares y = a + b·x1 + c·x2 over [x1, x2, y] triples; null when singular. */
function leastSquares2(
  rows: readonly (readonly [number, number, number])[],
): { a: number; b: number; c: number; r2: number } | null {
  if (rows.length < 4) return null;
  // Normal equations, solved by Cramer's rule.
  let n = 0;
  let s1 = 0;
  let s2 = 0;
  let s11 = 0;
  let s12 = 0;
  let s22 = 0;
  let sy = 0;
  let s1y = 0;
  let s2y = 0;
  for (const [x1, x2, y] of rows) {
    n++;
    s1 += x1;
    s2 += x2;
    s11 += x1 * x1;
    s12 += x1 * x2;
    s22 += x2 * x2;
    sy += y;
    s1y += x1 * y;
    s2y += x2 * y;
  }
  const det3 = (m: readonly number[]) =>
    (m[0] as number) * ((m[4] as number) * (m[8] as number) - (m[5] as number) * (m[7] as number)) -
    (m[1] as number) * ((m[3] as number) * (m[8] as number) - (m[5] as number) * (m[6] as number)) +
    (m[2] as number) * ((m[3] as number) * (m[7] as number) - (m[4] as number) * (m[6] as number));
  const d = det3([n, s1, s2, s1, s11, s12, s2, s12, s22]);
  if (Math.abs(d) < 1e-9) return null;
  const a = det3([sy, s1, s2, s1y, s11, s12, s2y, s12, s22]) / d;
  const b = det3([n, sy, s2, s1, s1y, s12, s2, s2y, s22]) / d;
  const c = det3([n, s1, sy, s1, s11, s1y, s2, s12, s2y]) / d;
  const my = sy / n;
  let ssRes = 0;
  let ssTot = 0;
  for (const [x1, x2, y] of rows) {
    ssRes += (y - (a + b * x1 + c * x2)) ** 2;
    ssTot += (y - my) ** 2;
  }
  return { a, b, c, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot };
}

const round = (x: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
const mb = (kb: number): number => round(kb / 1024);

/** The built CLI as a child, in `cwd` (never spawnSync: this process serves the simulator). */
function cli(args: string[], cwd: string, timeoutMs = 300_000): Promise<CliResult> {
  return runCli(args, cliEnv({}), timeoutMs, cwd);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  if (!existsSync(CLI)) usage(`${CLI} not found: run \`npm run build\` first`);
  const work = mkdtempSync(join(tmpdir(), "aa-soak-"));
  const dbPath = join(work, "audit.duckdb");
  const reportsDir = join(work, "reports");
  const t0 = Date.now();
  const now = () => Date.now() - t0;

  const sim = await startSimulator({ port: 0, seed, groups, users });
  const rng = new Prng(seed, "soak-changes");
  const initialCounts = sim.state.counts();
  say(
    `soak: ${minutes} min, cron "${cron}", simulator ${sim.baseUrl} (${initialCounts.groups} groups, ${initialCounts.users} users, ${initialCounts.memberships} memberships), work dir ${work}`,
  );

  // Faults: rotate the 429 flavour and switch between-page mutations with the phase.
  const phaseAt = (t: number): "active" | "quiet" =>
    t % (ACTIVE_MS + QUIET_MS) < ACTIVE_MS ? "active" : "quiet";
  const variantAt = (t: number) => Math.floor(t / VARIANT_MS) % RETRY_AFTER_VARIANTS.length;
  let faultKey = "";
  let faultSeed = seed * 1000;
  const faultSwitches: { t: number; variant: string; phase: string }[] = [];
  const applyFaults = () => {
    const t = now();
    const variant = variantAt(t);
    const phase = phaseAt(t);
    const key = `${variant}:${phase}`;
    if (key === faultKey) return;
    faultKey = key;
    // A fresh stream per switch, so the same pattern does not replay from the start each time.
    sim.setFaults(faultConfig(variant, phase === "active", ++faultSeed));
    faultSwitches.push({ t, variant: RETRY_AFTER_VARIANTS[variant]?.name ?? "", phase });
  };
  applyFaults();

  // Direct changes, as an administrator would make them between runs (active phases only).
  const changesByKind: Record<ChangeKind, number> = {
    join: 0,
    leave: 0,
    group_role_grant: 0,
    group_role_revoke: 0,
    user_role_grant: 0,
    user_role_revoke: 0,
    bulk_join: 0,
    bulk_leave: 0,
  };
  let directChanges = 0;
  const ownerRole = sim.state.ownerRoleId;
  const changeOnce = (): void => {
    const state = sim.state;
    const groupIds = state.groupIds();
    const userIds = state.userIds();
    const roleIds = state.roleIds().filter((r) => r !== ownerRole);
    if (groupIds.length === 0 || userIds.length === 0 || roleIds.length === 0) return;
    const g = rng.pick(groupIds);
    const u = rng.pick(userIds);
    const roll = rng.int(100);
    let kind: ChangeKind | null = null;
    if (roll < 35) {
      if (state.addMember(g, u)) kind = "join";
    } else if (roll < 65) {
      const size = state.groupSize(g);
      const member = size > 0 ? state.groupMemberIdAt(g, rng.int(size)) : undefined;
      if (member !== undefined && state.removeMember(g, member)) kind = "leave";
    } else if (roll < 78) {
      if (state.assignGroupRole(g, rng.pick(roleIds))) kind = "group_role_grant";
    } else if (roll < 85) {
      const assigned = state.groupRoleIds(g).filter((r) => r !== ownerRole);
      if (assigned.length > 0 && state.unassignGroupRole(g, rng.pick(assigned)))
        kind = "group_role_revoke";
    } else if (roll < 95) {
      if (state.assignUserRole(u, rng.pick(roleIds))) kind = "user_role_grant";
    } else {
      const direct = state.directUserRoleIds(u);
      if (direct.length > 0 && state.unassignUserRole(u, rng.pick(direct)))
        kind = "user_role_revoke";
    }
    if (kind !== null) {
      changesByKind[kind]++;
      directChanges++;
    }
  };
  // Once per active phase, a bulk change: a team of BULK_JOINS users moved into a group that then
  // gets a role, and in the next active phase moved out again (the role revoked), so the
  // organization's size, and with it the work per run, stays stationary over the soak. A few
  // hundred history rows at once make growth from changes stand out of DuckDB's block-level
  // noise; the small changes alone add only a few KB per run.
  let bulkCycle = -1;
  let bulkTeam: { group: string; users: string[]; role: string | null } | null = null;
  const bulkEvents: { t: number; kind: "join" | "leave"; group: string; users: number }[] = [];
  const bulkChange = (): void => {
    const state = sim.state;
    if (bulkTeam !== null) {
      const team = bulkTeam;
      bulkTeam = null;
      if (!state.hasGroup(team.group)) return; // deleted by a mid-crawl mutation meanwhile
      let left = 0;
      for (const u of team.users) {
        if (state.hasUser(u) && state.removeMember(team.group, u)) left++;
      }
      if (team.role !== null && state.unassignGroupRole(team.group, team.role)) {
        changesByKind.group_role_revoke++;
        directChanges++;
      }
      changesByKind.bulk_leave += left;
      directChanges += left;
      bulkEvents.push({ t: now(), kind: "leave", group: team.group, users: left });
      return;
    }
    const groupIds = state.groupIds().filter((g) => !state.isScimManagedGroup(g));
    const pool = groupIds.length > 0 ? groupIds : state.groupIds();
    if (pool.length === 0) return;
    const g = rng.pick(pool);
    const userIds = state.userIds();
    const joined: string[] = [];
    for (let i = 0; i < BULK_JOINS; i++) {
      const u = rng.pick(userIds);
      if (state.addMember(g, u)) joined.push(u);
    }
    const roleIds = state.roleIds().filter((r) => r !== ownerRole);
    const role = roleIds.length > 0 ? rng.pick(roleIds) : null;
    const granted = role !== null && state.assignGroupRole(g, role);
    if (granted) changesByKind.group_role_grant++;
    changesByKind.bulk_join += joined.length;
    directChanges += joined.length + (granted ? 1 : 0);
    bulkTeam = { group: g, users: joined, role: granted ? role : null };
    bulkEvents.push({ t: now(), kind: "join", group: g, users: joined.length });
  };
  const orgTimer = setInterval(() => {
    applyFaults();
    const t = now();
    if (phaseAt(t) !== "active") return;
    const cycle = Math.floor(t / (ACTIVE_MS + QUIET_MS));
    if (cycle !== bulkCycle && t % (ACTIVE_MS + QUIET_MS) >= ACTIVE_MS / 2) {
      bulkCycle = cycle;
      bulkChange();
    }
    const n = 1 + rng.int(3);
    for (let i = 0; i < n; i++) changeOnce();
  }, 2_000);

  // The configuration: keep every snapshot, no email.
  writeFileSync(
    join(work, "access-audit.config.yaml"),
    [
      "database: ./audit.duckdb",
      "api:",
      `  base_url: ${sim.baseUrl}`,
      "  concurrency: 8",
      "report:",
      "  output: ./reports",
      "schedule:",
      `  cron: "${cron}"`,
      "  timezone: UTC",
      "retention:",
      "  keep: all",
      "email:",
      "  enabled: false",
    ].join("\n"),
  );

  const events: LogEvent[] = [];
  const unparsed: string[] = [];
  const runs: RunRecord[] = [];
  const runByTick = new Map<number, RunRecord>();
  const skippedTicks: number[] = [];
  let current: RunRecord | null = null;
  let lastStartChanges = 0;
  const rawLog: string[] = [];

  const child: ChildProcess = spawn(process.execPath, [CLI, "schedule"], {
    cwd: work,
    env: cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey, ACCESS_AUDIT_LOG_LEVEL: "info" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start the schedule child");
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once("exit", (code, signal) => r({ code, signal })),
  );
  let stdoutText = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdoutText += d.toString();
  });

  // Blocks in use after each run: copy the file while the child has it closed (between runs the
  // scheduler holds no store), then ask DuckDB about the copy. A copy taken while the next run
  // had already started writing is discarded (the file's mtime or size moved under it).
  let copies = 0;
  let blockQueue = Promise.resolve();
  const copiesDiscarded: number[] = [];
  const snapshotBlocks = (run: RunRecord) => {
    if (run.wal_bytes_after !== 0) return;
    const copy = join(work, `blocks-${++copies}.duckdb`);
    try {
      const before = statSync(dbPath);
      copyFileSync(dbPath, copy);
      const after = statSync(dbPath);
      if (before.mtimeMs !== after.mtimeMs || before.size !== after.size) {
        copiesDiscarded.push(run.tick);
        rmSync(copy, { force: true });
        return;
      }
    } catch {
      return;
    }
    blockQueue = blockQueue.then(async () => {
      try {
        const instance = await DuckDBInstance.create(copy, { access_mode: "READ_ONLY" });
        try {
          const connection = await instance.connect();
          try {
            const reader = await connection.runAndReadAll("PRAGMA database_size");
            const row = reader.getRowObjectsJS()[0];
            if (row) {
              run.used_blocks_after = Number(row.used_blocks);
              run.free_blocks_after = Number(row.free_blocks);
            }
          } finally {
            connection.closeSync();
          }
        } finally {
          instance.closeSync();
        }
      } catch {
        copiesDiscarded.push(run.tick);
      } finally {
        rmSync(copy, { force: true });
        rmSync(`${copy}.wal`, { force: true });
      }
    });
  };

  const onEvent = (e: LogEvent) => {
    const tick = num(e.fields.tick);
    switch (e.msg) {
      case "run started": {
        if (tick === null) break;
        const run: RunRecord = {
          tick,
          start_t: e.t,
          end_t: null,
          status: null,
          snapshot_id: null,
          published: false,
          changes: null,
          findings: null,
          duration_ms: null,
          error: null,
          crawl_failure: null,
          phase: phaseAt(e.t),
          fault_variant: RETRY_AFTER_VARIANTS[variantAt(e.t)]?.name ?? "",
          direct_changes_before: directChanges - lastStartChanges,
          db_bytes_after: null,
          wal_bytes_after: null,
          used_blocks_after: null,
          free_blocks_after: null,
          hist_rows_inserted: null,
          hist_rows_closed: null,
        };
        lastStartChanges = directChanges;
        runs.push(run);
        runByTick.set(tick, run);
        current = run;
        break;
      }
      case "crawl started":
        if (current) current.snapshot_id = num(e.fields.snapshot_id);
        break;
      case "snapshot published":
        if (current) current.published = true;
        break;
      case "crawl failed; nothing published":
        if (current) current.crawl_failure = str(e.fields.reason);
        break;
      case "run succeeded":
      case "run failed": {
        const run = tick === null ? undefined : runByTick.get(tick);
        if (!run) break;
        run.end_t = e.t;
        run.status = e.msg === "run succeeded" ? "ok" : "failed";
        run.duration_ms = num(e.fields.duration_ms);
        run.changes = num(e.fields.changes);
        run.findings = num(e.fields.findings);
        run.error = str(e.fields.error);
        run.db_bytes_after = fileSize(dbPath);
        run.wal_bytes_after = fileSize(`${dbPath}.wal`);
        snapshotBlocks(run);
        if (current === run) current = null;
        break;
      }
      case "run skipped: the previous run is still going":
        if (tick !== null) skippedTicks.push(tick);
        break;
    }
  };

  let pending = "";
  child.stderr?.on("data", (d: Buffer) => {
    pending += d.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      rawLog.push(line);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        unparsed.push(line);
        continue;
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        unparsed.push(line);
        continue;
      }
      const fields = parsed as Record<string, unknown>;
      const event: LogEvent = {
        t: now(),
        level: num(fields.level) ?? 0,
        msg: str(fields.msg) ?? "",
        fields,
      };
      events.push(event);
      onEvent(event);
    }
  });

  // Samples of the child every second.
  const samples: Sample[] = [];
  const sampleTimer = setInterval(() => {
    const s = procSample(pid);
    if (s)
      samples.push({
        t: now(),
        rss_kb: s.rss,
        hwm_kb: s.hwm,
        fds: s.fds,
        running: current !== null,
      });
  }, 1_000);

  // Progress once a minute.
  const durationMs = minutes * 60_000;
  const progressTimer = setInterval(() => {
    const ok = runs.filter((r) => r.status === "ok").length;
    const failed = runs.filter((r) => r.status === "failed").length;
    const last = samples[samples.length - 1];
    say(
      `  ${round(now() / 60_000)} min: ${runs.length} runs (${ok} ok, ${failed} failed), ${skippedTicks.length} skipped, RSS ${last ? mb(last.rss_kb) : "?"} MB, fds ${last?.fds ?? "?"}, db ${round(fileSize(dbPath) / 1_048_576, 2)} MB, ${directChanges} direct changes`,
    );
  }, 60_000);

  let earlyExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void exited.then((e) => {
    earlyExit = e;
  });
  const deadline = t0 + durationMs;
  while (Date.now() < deadline && earlyExit === null) await sleep(250);
  clearInterval(progressTimer);
  clearInterval(orgTimer);

  // Stop: SIGTERM, expect exit 0.
  const stopT = now();
  const runningAtStop = current !== null;
  const exitedEarly = earlyExit !== null;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | "timeout";
  if (earlyExit !== null) {
    exit = earlyExit;
  } else {
    child.kill("SIGTERM");
    exit = await Promise.race([exited, sleep(120_000).then((): "timeout" => "timeout")]);
    if (exit === "timeout") child.kill("SIGKILL");
  }
  const stopMs = now() - stopT;
  clearInterval(sampleTimer);
  await sleep(200); // the last lines of stderr
  writeFileSync(join(work, "schedule.log"), `${rawLog.join("\n")}\n`);
  await sim.stop();
  await blockQueue;

  // -------------------------------------------------------------------------------------------
  // Accounting from the log
  const checks: { name: string; ok: boolean; detail: string }[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  check(
    "exit 0 on SIGTERM",
    exit !== "timeout" && exit.code === 0 && !exitedEarly,
    exit === "timeout"
      ? "no exit within 120 s"
      : `${exitedEarly ? "exited before the soak ended: " : ""}code ${exit.code}, signal ${exit.signal}, ${stopMs} ms after SIGTERM${runningAtStop ? " (a run was in progress)" : ""}`,
  );
  const count = (msg: string) => events.filter((e) => e.msg === msg).length;
  check(
    "clean stop logged",
    count("scheduler stopped") === 1 && count("scheduler started") === 1,
    `scheduler started ×${count("scheduler started")}, stopped ×${count("scheduler stopped")}, abandoning ×${count("abandoning the current run")}`,
  );

  // Ticks: 1..max, each either a started run or a skipped tick, exactly once.
  const startedTicks = runs.map((r) => r.tick);
  const allTicks = [...startedTicks, ...skippedTicks].sort((a, b) => a - b);
  const maxTick = allTicks[allTicks.length - 1] ?? 0;
  const tickProblems: string[] = [];
  for (let i = 0; i < allTicks.length; i++) {
    if (allTicks[i] !== i + 1) {
      tickProblems.push(`expected tick ${i + 1}, found ${allTicks[i]}`);
      break;
    }
  }
  check(
    "every tick accounted for",
    tickProblems.length === 0 && allTicks.length === maxTick,
    `${maxTick} ticks = ${startedTicks.length} runs + ${skippedTicks.length} skipped${tickProblems.length ? `; ${tickProblems.join("; ")}` : ""}`,
  );

  // No overlap: starts and ends strictly alternate and each end closes its own start.
  let open: number | null = null;
  let overlaps = 0;
  const sequenceProblems: string[] = [];
  for (const e of events) {
    if (e.msg === "run started") {
      if (open !== null) {
        overlaps++;
        sequenceProblems.push(`tick ${num(e.fields.tick)} started while tick ${open} was running`);
      }
      open = num(e.fields.tick);
    } else if (e.msg === "run succeeded" || e.msg === "run failed") {
      const tick = num(e.fields.tick);
      if (open === null || tick !== open) {
        sequenceProblems.push(
          `end of tick ${tick} while ${open === null ? "none" : `tick ${open}`} was running`,
        );
      }
      open = null;
    }
  }
  check(
    "no overlap",
    overlaps === 0 && sequenceProblems.length === 0,
    `${overlaps} overlaps${sequenceProblems.length ? `; ${sequenceProblems.slice(0, 3).join("; ")}` : ""}`,
  );
  const unfinished = runs.filter((r) => r.status === null).map((r) => r.tick);
  check(
    "every started run ended",
    unfinished.length === 0,
    unfinished.length === 0
      ? `${runs.length} of ${runs.length}`
      : `ticks without an end: ${unfinished.join(", ")}`,
  );

  const ok = runs.filter((r) => r.status === "ok");
  const failed = runs.filter((r) => r.status === "failed");
  // The run SIGTERM abandoned is not a failure of the run itself.
  const abandonedAtStop = failed.filter((r) => (r.end_t ?? 0) >= stopT);
  const failedInSoak = failed.filter((r) => (r.end_t ?? 0) < stopT);
  const failureReasons: Record<string, number> = {};
  for (const r of failedInSoak) {
    const reason = (r.error ?? "?")
      .replace(/user_[A-Za-z0-9]+/g, "{user_id}")
      .replace(/group_[A-Za-z0-9]+/g, "{group_id}")
      .replace(/,?\s*request_id=[A-Za-z0-9_]+/g, "")
      .replace(/(after|limit)=[^&\s:]+/g, "$1=…")
      .slice(0, 200);
    failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
  }
  check(
    "most runs succeed",
    ok.length >= 1 && ok.length >= 0.5 * runs.length,
    `${ok.length} of ${runs.length} succeeded, ${failedInSoak.length} failed, ${abandonedAtStop.length} abandoned at SIGTERM`,
  );
  const otherErrors = new Map<string, number>();
  for (const e of events) {
    if (e.level < 50) continue;
    if (e.msg === "run failed" || e.msg === "crawl failed; nothing published") continue;
    otherErrors.set(e.msg, (otherErrors.get(e.msg) ?? 0) + 1);
  }
  const warnings = new Map<string, number>();
  for (const e of events) {
    if (e.level !== 40) continue;
    warnings.set(e.msg, (warnings.get(e.msg) ?? 0) + 1);
  }
  check(
    "log lines are JSON, no unexpected errors",
    unparsed.length === 0 && otherErrors.size === 0,
    `${events.length} JSON lines, ${unparsed.length} other${otherErrors.size ? `; errors: ${JSON.stringify(Object.fromEntries(otherErrors))}` : ""}`,
  );

  // -------------------------------------------------------------------------------------------
  // The database afterwards
  let snapshots: SnapshotRow[] = [];
  const inserted = new Map<number, number>();
  const closedAt = new Map<number, number>();
  let dbError: string | null = null;
  try {
    const store = await Store.open(dbPath, { readOnly: true });
    try {
      snapshots = await store.listSnapshots();
      for (const table of HIST_TABLES) {
        for (const row of await store.query<{ id: number; n: number }>(
          `SELECT valid_from AS id, count(*) AS n FROM ${table} GROUP BY 1`,
        )) {
          inserted.set(row.id, (inserted.get(row.id) ?? 0) + row.n);
        }
        for (const row of await store.query<{ id: number; n: number }>(
          `SELECT valid_to AS id, count(*) AS n FROM ${table} WHERE valid_to IS NOT NULL GROUP BY 1`,
        )) {
          closedAt.set(row.id, (closedAt.get(row.id) ?? 0) + row.n);
        }
      }
    } finally {
      await store.close();
    }
  } catch (error) {
    dbError = error instanceof Error ? error.message : String(error);
  }
  const byStatus: Record<string, number> = {};
  for (const s of snapshots) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
  // Changed rows per complete snapshot: rows it opened + rows the previous complete one closed.
  const complete = snapshots.filter((s) => s.status === "complete").map((s) => s.snapshot_id);
  const histChange = new Map<number, { inserted: number; closed: number }>();
  complete.forEach((id, i) => {
    const prev = i > 0 ? complete[i - 1] : undefined;
    histChange.set(id, {
      inserted: inserted.get(id) ?? 0,
      closed: prev === undefined ? 0 : (closedAt.get(prev) ?? 0),
    });
  });
  for (const r of runs) {
    const h = r.snapshot_id === null ? undefined : histChange.get(r.snapshot_id);
    if (h && r.published) {
      r.hist_rows_inserted = h.inserted;
      r.hist_rows_closed = h.closed;
    }
  }

  const statusOf = new Map(snapshots.map((s) => [s.snapshot_id, s.status]));
  const dbProblems: string[] = [];
  if (dbError) dbProblems.push(`could not read the database: ${dbError}`);
  const crawled = runs.filter((r) => r.snapshot_id !== null);
  for (const r of runs) {
    if (r.snapshot_id === null) {
      // A run that failed before its crawl began leaves no snapshot (e.g. the database was busy).
      if (r.status === "ok") dbProblems.push(`tick ${r.tick} succeeded without a snapshot`);
      continue;
    }
    const status = statusOf.get(r.snapshot_id);
    const expected = r.published ? ["complete"] : ["failed", "abandoned"];
    if (status === undefined || !expected.includes(status)) {
      dbProblems.push(
        `tick ${r.tick}: snapshot ${r.snapshot_id} is ${status ?? "missing"}, expected ${expected.join("/")}`,
      );
    }
  }
  const runSnapshotIds = new Set(crawled.map((r) => r.snapshot_id));
  const orphans = snapshots.filter((s) => !runSnapshotIds.has(s.snapshot_id));
  if (orphans.length > 0) {
    dbProblems.push(
      `snapshots with no run: ${orphans.map((s) => `${s.snapshot_id} (${s.status})`).join(", ")}`,
    );
  }
  if ((byStatus.running ?? 0) > 0) dbProblems.push(`${byStatus.running} snapshot(s) left running`);
  const doneInDb = (byStatus.complete ?? 0) + (byStatus.failed ?? 0) + (byStatus.abandoned ?? 0);
  if (doneInDb !== crawled.length) {
    dbProblems.push(
      `complete + failed + abandoned = ${doneInDb}, runs that crawled = ${crawled.length}`,
    );
  }
  check(
    "database accounts for every run",
    dbProblems.length === 0,
    `${snapshots.length} snapshots ${JSON.stringify(byStatus)} for ${runs.length} runs (${crawled.length} reached the crawl, ${runs.filter((r) => r.published).length} published)${dbProblems.length ? `; ${dbProblems.slice(0, 4).join("; ")}` : ""}`,
  );

  const verify = await cli(["verify", "--db", dbPath, "--json"], work);
  check(
    "verify passes",
    verify.status === 0,
    `exit ${verify.status}${verify.status === 0 ? "" : `: ${(verify.stderr || verify.stdout).trim().slice(0, 300)}`}`,
  );

  // The diff's change count (logged per run) against `diff --json` for a few pairs.
  const okPublished = ok.filter((r) => r.snapshot_id !== null);
  const pairs: { from: number; to: number; logged: number }[] = [];
  for (let i = 1; i < okPublished.length; i++) {
    const prev = okPublished[i - 1] as RunRecord;
    const cur = okPublished[i] as RunRecord;
    if (prev.snapshot_id === null || cur.snapshot_id === null || cur.changes === null) continue;
    pairs.push({ from: prev.snapshot_id, to: cur.snapshot_id, logged: cur.changes });
  }
  const sampledPairs = [
    ...pairs.filter((p) => p.logged === 0).slice(0, 3),
    ...pairs.filter((p) => p.logged > 0).slice(0, 3),
  ];
  const diffChecks: { from: number; to: number; logged: number; diff_total: number | null }[] = [];
  for (const p of sampledPairs) {
    const r = await cli(
      ["diff", "--db", dbPath, "--from", String(p.from), "--to", String(p.to), "--json"],
      work,
    );
    let total: number | null = null;
    if (r.status === 0) {
      const summary = (JSON.parse(r.stdout) as { summary?: Record<string, number> }).summary ?? {};
      total = Object.values(summary).reduce((a, b) => a + b, 0);
    }
    diffChecks.push({ ...p, diff_total: total });
  }
  check(
    "logged changes match `diff --json`",
    diffChecks.every((d) => d.diff_total === d.logged),
    diffChecks.map((d) => `${d.from}→${d.to}: ${d.logged}/${d.diff_total}`).join(", ") ||
      "no pairs",
  );

  // -------------------------------------------------------------------------------------------
  // RSS and file descriptors
  const firstEnd = runs.find((r) => r.end_t !== null)?.end_t ?? 0;
  const steady = samples.filter((s) => s.t >= firstEnd && s.t <= stopT);
  const quarter = (xs: readonly Sample[], q: number): Sample[] => {
    if (xs.length === 0) return [];
    const from = (xs[0] as Sample).t;
    const span = (xs[xs.length - 1] as Sample).t - from;
    return xs.filter((s) => {
      const k = Math.min(3, Math.floor(((s.t - from) / Math.max(1, span)) * 4));
      return k === q;
    });
  };
  const idle = steady.filter((s) => !s.running);
  const rssQ1 = mean(quarter(steady, 0).map((s) => s.rss_kb));
  const rssQ4 = mean(quarter(steady, 3).map((s) => s.rss_kb));
  const idleRssQ1 = mean(quarter(idle, 0).map((s) => s.rss_kb));
  const idleRssQ4 = mean(quarter(idle, 3).map((s) => s.rss_kb));
  const fdQ1 = mean(quarter(steady, 0).map((s) => s.fds));
  const fdQ4 = mean(quarter(steady, 3).map((s) => s.fds));
  const firstIdle = idle[0];
  const lastIdle = idle[idle.length - 1];
  const lastSample = steady[steady.length - 1];
  const rss = {
    start_mb: firstIdle ? mb(firstIdle.rss_kb) : null,
    peak_mb: mb(Math.max(0, ...samples.map((s) => s.hwm_kb))),
    peak_sampled_mb: mb(Math.max(0, ...samples.map((s) => s.rss_kb))),
    end_mb: lastIdle ? mb(lastIdle.rss_kb) : null,
    end_last_sample_mb: lastSample ? mb(lastSample.rss_kb) : null,
    first_quarter_mean_mb: mb(rssQ1),
    last_quarter_mean_mb: mb(rssQ4),
    change_pct: round(((rssQ4 - rssQ1) / rssQ1) * 100),
    idle_first_quarter_mean_mb: mb(idleRssQ1),
    idle_last_quarter_mean_mb: mb(idleRssQ4),
    idle_change_pct: round(((idleRssQ4 - idleRssQ1) / idleRssQ1) * 100),
    /** The idle floor: a leak raises it, allocator noise between runs does not. */
    idle_first_quarter_min_mb: mb(Math.min(...quarter(idle, 0).map((s) => s.rss_kb))),
    idle_last_quarter_min_mb: mb(Math.min(...quarter(idle, 3).map((s) => s.rss_kb))),
  };
  const fds = {
    start: firstIdle?.fds ?? null,
    peak: Math.max(0, ...samples.map((s) => s.fds)),
    end: lastIdle?.fds ?? null,
    first_quarter_mean: round(fdQ1),
    last_quarter_mean: round(fdQ4),
    idle_min: Math.min(...idle.map((s) => s.fds)),
    idle_max: Math.max(...idle.map((s) => s.fds)),
  };
  check(
    "RSS flat",
    Number.isFinite(rss.change_pct) && Math.abs(rss.change_pct) <= 15,
    `first-quarter mean ${rss.first_quarter_mean_mb} MB, last-quarter ${rss.last_quarter_mean_mb} MB (${rss.change_pct}%); idle ${rss.idle_first_quarter_mean_mb} → ${rss.idle_last_quarter_mean_mb} MB (${rss.idle_change_pct}%), idle floor ${rss.idle_first_quarter_min_mb} → ${rss.idle_last_quarter_min_mb} MB; start ${rss.start_mb}, peak ${rss.peak_mb} (VmHWM), end ${rss.end_mb} MB`,
  );
  check(
    "open fds flat",
    fds.start !== null && fds.end !== null && Math.abs(fds.end - fds.start) <= 2,
    `idle start ${fds.start}, end ${fds.end}, peak ${fds.peak} (in a run); quarter means ${fds.first_quarter_mean} → ${fds.last_quarter_mean}`,
  );

  // -------------------------------------------------------------------------------------------
  // Database size against changes
  const ended = runs.filter((r) => r.db_bytes_after !== null);
  interface Growth {
    tick: number;
    snapshot_id: number | null;
    status: "published" | "failed";
    changes: number | null;
    hist_rows: number | null;
    delta_bytes: number;
    /** Change in blocks in use (`PRAGMA database_size` on copies), when both copies were read. */
    delta_used_blocks: number | null;
  }
  const growth: Growth[] = [];
  for (let i = 1; i < ended.length; i++) {
    const prev = ended[i - 1] as RunRecord;
    const cur = ended[i] as RunRecord;
    growth.push({
      tick: cur.tick,
      snapshot_id: cur.snapshot_id,
      status: cur.published ? "published" : "failed",
      changes: cur.changes,
      hist_rows:
        cur.hist_rows_inserted === null || cur.hist_rows_closed === null
          ? null
          : cur.hist_rows_inserted + cur.hist_rows_closed,
      delta_bytes: (cur.db_bytes_after ?? 0) - (prev.db_bytes_after ?? 0),
      delta_used_blocks:
        cur.used_blocks_after === null || prev.used_blocks_after === null
          ? null
          : cur.used_blocks_after - prev.used_blocks_after,
    });
  }
  const summarise = (gs: readonly Growth[]) => {
    const withBlocks = gs.filter((g) => g.delta_used_blocks !== null);
    return {
      runs: gs.length,
      net_bytes: gs.reduce((a, g) => a + g.delta_bytes, 0),
      runs_that_grew: gs.filter((g) => g.delta_bytes > 0).length,
      runs_that_shrank: gs.filter((g) => g.delta_bytes < 0).length,
      runs_unchanged: gs.filter((g) => g.delta_bytes === 0).length,
      max_growth_bytes: gs.length ? Math.max(...gs.map((g) => g.delta_bytes)) : 0,
      hist_rows: gs.reduce((a, g) => a + (g.hist_rows ?? 0), 0),
      diff_changes: gs.reduce((a, g) => a + (g.changes ?? 0), 0),
      runs_with_block_counts: withBlocks.length,
      net_used_blocks: withBlocks.reduce((a, g) => a + (g.delta_used_blocks ?? 0), 0),
    };
  };
  const zero = growth.filter((g) => g.status === "published" && g.hist_rows === 0);
  const changed = growth.filter((g) => g.status === "published" && (g.hist_rows ?? 0) > 0);
  const failedGrowth = growth.filter((g) => g.status === "failed");

  // Size after each run ~ a + b·(changed rows so far) + c·(runs so far): b is what a changed row
  // costs, c what a snapshot costs by itself (it should be ~0 if the file grows with changes only).
  let cumulativeRows = 0;
  const points: { rows: number; index: number; bytes: number; used: number | null }[] = [];
  ended.forEach((r, index) => {
    cumulativeRows += (r.hist_rows_inserted ?? 0) + (r.hist_rows_closed ?? 0);
    points.push({
      rows: cumulativeRows,
      index,
      bytes: r.db_bytes_after ?? 0,
      used: r.used_blocks_after === null ? null : r.used_blocks_after * DUCKDB_BLOCK,
    });
  });
  const regression = (ys: readonly { rows: number; index: number; y: number }[]) => {
    const fit = leastSquares2(ys.map((p) => [p.rows, p.index, p.y] as const));
    return fit === null
      ? null
      : {
          bytes_per_changed_row: round(fit.b),
          bytes_per_run: round(fit.c),
          r2: round(fit.r2, 3),
        };
  };
  const sizeFit = regression(points.map((p) => ({ rows: p.rows, index: p.index, y: p.bytes })));
  const usedFit = regression(
    points
      .filter((p) => p.used !== null)
      .map((p) => ({ rows: p.rows, index: p.index, y: p.used ?? 0 })),
  );

  // Quiet stretches: consecutive runs that published no change (or failed), and how far the file
  // moved across each, from the run before the stretch to its last run.
  const stretches: {
    ticks: string;
    runs: number;
    min_bytes: number;
    max_bytes: number;
    net_bytes: number;
    net_used_blocks: number | null;
  }[] = [];
  {
    let i = 1;
    while (i < ended.length) {
      const quiet = (r: RunRecord) =>
        !r.published || (r.hist_rows_inserted === 0 && r.hist_rows_closed === 0);
      if (!quiet(ended[i] as RunRecord)) {
        i++;
        continue;
      }
      const from = i;
      while (i < ended.length && quiet(ended[i] as RunRecord)) i++;
      const base = ended[from - 1] as RunRecord;
      const part = ended.slice(from, i);
      const last = part[part.length - 1] as RunRecord;
      if (part.length < 3) continue;
      const sizes = part.map((r) => r.db_bytes_after ?? 0);
      stretches.push({
        ticks: `${(part[0] as RunRecord).tick}-${last.tick}`,
        runs: part.length,
        min_bytes: Math.min(...sizes),
        max_bytes: Math.max(...sizes),
        net_bytes: (last.db_bytes_after ?? 0) - (base.db_bytes_after ?? 0),
        net_used_blocks:
          last.used_blocks_after === null || base.used_blocks_after === null
            ? null
            : last.used_blocks_after - base.used_blocks_after,
      });
    }
  }

  const dbGrowth = {
    block_bytes: DUCKDB_BLOCK,
    first_run_bytes: ended[0]?.db_bytes_after ?? null,
    final_bytes: fileSize(dbPath),
    final_wal_bytes: fileSize(`${dbPath}.wal`),
    first_run_used_blocks: ended[0]?.used_blocks_after ?? null,
    final_used_blocks: ended[ended.length - 1]?.used_blocks_after ?? null,
    final_free_blocks: ended[ended.length - 1]?.free_blocks_after ?? null,
    zero_change_runs: summarise(zero),
    changed_runs: summarise(changed),
    failed_runs: summarise(failedGrowth),
    fit_file_size: sizeFit,
    fit_used_blocks: usedFit,
    correlation_hist_rows_vs_delta_bytes: (() => {
      const published = growth.filter((g) => g.status === "published" && g.hist_rows !== null);
      const r = pearson(
        published.map((g) => g.hist_rows ?? 0),
        published.map((g) => g.delta_bytes),
      );
      return r === null ? null : round(r, 3);
    })(),
    quiet_stretches: stretches,
    zero_change_but_diff_nonzero: zero.filter((g) => (g.changes ?? 0) > 0).length,
    block_copies_discarded: copiesDiscarded,
    reports_dir: dirSize(reportsDir),
    temp_dir_left: spillLeft(dbPath),
  };
  // DuckDB rewrites a checkpointed row group into fresh blocks and frees the old ones, truncating
  // the file when free blocks end it: the size of an unchanged database moves by a few blocks
  // either way from run to run. "Adds nothing" is therefore judged over all such runs together:
  // their net growth, in file bytes and in blocks in use, must stay within 2 blocks.
  const noChange = [...zero, ...failedGrowth];
  const noChangeSummary = summarise(noChange);
  check(
    "database grows only with changes",
    zero.length > 0 &&
      noChangeSummary.net_bytes <= 2 * DUCKDB_BLOCK &&
      (noChangeSummary.runs_with_block_counts === 0 || noChangeSummary.net_used_blocks <= 2),
    `${zero.length} runs with no changed rows + ${failedGrowth.length} failed: net ${noChangeSummary.net_bytes} bytes, ${noChangeSummary.net_used_blocks} used blocks (over ${noChangeSummary.runs_with_block_counts} with counts); ${changed.length} runs with ${dbGrowth.changed_runs.hist_rows} changed rows: net ${dbGrowth.changed_runs.net_bytes} bytes, ${dbGrowth.changed_runs.net_used_blocks} used blocks; fit ${JSON.stringify(sizeFit)}`,
  );

  // -------------------------------------------------------------------------------------------
  const simStats = sim.stats();
  const results = {
    measured_at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    options: { minutes, cron, seed, groups, users },
    command: `npm run soak -- --minutes ${minutes} --cron "${cron}"`,
    passed: checks.every((c) => c.ok),
    checks,
    runs: {
      ticks: maxTick,
      started: runs.length,
      succeeded: ok.length,
      failed: failedInSoak.length,
      abandoned_at_sigterm: abandonedAtStop.length,
      skipped_ticks: skippedTicks.length,
      overlaps,
      failure_reasons: failureReasons,
      crawl_failures: failed.filter((r) => r.crawl_failure !== null).length,
      failed_after_publish: failed.filter((r) => r.published).length,
      running_at_sigterm: runningAtStop,
      stop_ms: stopMs,
      duration_ms: {
        mean: round(mean(ok.map((r) => r.duration_ms ?? 0))),
        max: Math.max(0, ...ok.map((r) => r.duration_ms ?? 0)),
        min: Math.min(...ok.map((r) => r.duration_ms ?? 0)),
      },
      by_phase: {
        active: runs.filter((r) => r.phase === "active").length,
        quiet: runs.filter((r) => r.phase === "quiet").length,
      },
      warnings: Object.fromEntries(warnings),
    },
    database: { snapshots_by_status: byStatus, ...dbGrowth, diff_checks: diffChecks },
    rss,
    fds,
    organization: {
      initial: initialCounts,
      final: sim.state.counts(),
      direct_changes: directChanges,
      direct_changes_by_kind: changesByKind,
      bulk_events: bulkEvents,
      mid_crawl_mutations: simStats.mutations.length,
    },
    simulator: {
      requests: simStats.requests,
      faults: simStats.faults,
      by_status: simStats.byStatus,
      fault_switches: faultSwitches.length,
    },
    samples: samples.map((s) => [s.t, s.rss_kb, s.fds, s.running ? 1 : 0]),
    samples_columns: ["t_ms", "rss_kb", "fds", "running"],
    per_run: runs,
    growth,
    work_dir: values.keep ? work : null,
    stdout_of_child: stdoutText.trim().slice(0, 500),
  };
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(logPath, `${rawLog.join("\n")}\n`);

  say("");
  say(
    `runs: ${maxTick} ticks = ${runs.length} started + ${skippedTicks.length} skipped; ${ok.length} succeeded, ${failedInSoak.length} failed, ${abandonedAtStop.length} abandoned at SIGTERM; overlaps ${overlaps}`,
  );
  for (const [reason, n] of Object.entries(failureReasons)) say(`  failed ×${n}: ${reason}`);
  say(
    `RSS MB: start ${rss.start_mb}, peak ${rss.peak_mb} (VmHWM), end ${rss.end_mb}; quarter means ${rss.first_quarter_mean_mb} → ${rss.last_quarter_mean_mb} (${rss.change_pct}%)`,
  );
  say(
    `fds: start ${fds.start}, peak ${fds.peak}, end ${fds.end}; quarter means ${fds.first_quarter_mean} → ${fds.last_quarter_mean}`,
  );
  say(
    `db: ${dbGrowth.first_run_bytes} → ${dbGrowth.final_bytes} bytes (used blocks ${dbGrowth.first_run_used_blocks} → ${dbGrowth.final_used_blocks}, ${dbGrowth.final_free_blocks} free at the end); fit ${JSON.stringify(sizeFit)}, used blocks ${JSON.stringify(usedFit)}`,
  );
  for (const [name, g] of [
    ["zero-change runs", dbGrowth.zero_change_runs],
    ["changed runs", dbGrowth.changed_runs],
    ["failed runs", dbGrowth.failed_runs],
  ] as const) {
    say(
      `  ${name}: ${g.runs}, changed rows ${g.hist_rows} (diff ${g.diff_changes}), net ${g.net_bytes} bytes (${g.runs_that_grew} grew, ${g.runs_that_shrank} shrank, ${g.runs_unchanged} same; max ${g.max_growth_bytes}), net used blocks ${g.net_used_blocks}`,
    );
  }
  for (const q of stretches) {
    say(
      `  quiet ticks ${q.ticks} (${q.runs} runs): size ${q.min_bytes}..${q.max_bytes}, net ${q.net_bytes} bytes, ${q.net_used_blocks} used blocks`,
    );
  }
  say(
    `organization: ${directChanges} direct changes ${JSON.stringify(changesByKind)}, ${simStats.mutations.length} mid-crawl mutations; simulator ${simStats.requests} requests, ${simStats.faultsTotal} faults`,
  );
  for (const c of checks) say(`${c.ok ? "PASS" : "FAIL"} ${c.name}: ${c.detail}`);
  say(`results: ${outPath}, log: ${logPath}`);
  if (!values.keep) rmSync(work, { recursive: true, force: true });
  return results.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
