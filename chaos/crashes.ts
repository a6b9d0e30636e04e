import { createHash } from "node:crypto";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import {
  applyRandomMutation,
  Prng,
  type RunningSimulator,
  startSimulator,
} from "../src/simulator/index.js";
import { type ExportManifest, Store } from "../src/store/index.js";
import { fillWorkbook, type WorkbookRow } from "../test/support/certify-workbooks.js";
import { type ChildResult, runCliChild } from "../test/support/cli.js";
import { expectedSnapshot, type SnapshotRows, storedSnapshot } from "../test/support/expected.js";
import type { LogLine, SuiteResult } from "./suite.js";

export const CRASH_COMMANDS = [
  "crawl",
  "report",
  "retention",
  "certify-import",
  "remediate-apply",
  "export",
] as const;
export type CrashCommand = (typeof CRASH_COMMANDS)[number];

export interface CrashSuiteOptions {
  killsPerCommand: number;
  /** Default: all of CRASH_COMMANDS, in that order. */
  commands?: CrashCommand[];
  /** Seeds the kill delays (`Prng(seed, "crash:<command>:<i>")`). */
  seed: number;
  log: LogLine;
  /** Scratch folder (created; fixtures and one folder per kill, removed when it recovered). */
  workDir: string;
  /** Replay one kill: `"<command>:<i>"`. */
  only?: string;
  /** The CLI entry point to kill (default: `<repo>/dist/cli/main.js`). */
  cli?: string;
}

/** The simulated organization every fixture is made from (fixed: the fixtures do not vary). */
const ORG = { seed: 8, groups: 60, users: 600 } as const;
/** Snapshots in the base database (with organization changes between them). */
const FIXTURE_CRAWLS = 3;
const MUTATIONS_BETWEEN_CRAWLS = 250;
/** Added simulator latency while the crawl, and remediate apply, run: a few seconds of work. */
const CRAWL_LATENCY_MS = 10;
const REMEDIATE_LATENCY_MS = 8;
/** Revocations decided in the campaign: API calls by kind, plus identity-provider changes. */
const REVOKE = { membership: 45, group_role: 10, user_role: 15, idp: 4 } as const;
const CAMPAIGN = "chaos-q4";
const CHILD_TIMEOUT_MS = 180_000;
const DB = "audit.duckdb";

// --------------------------------------------------------------------------- children

/** The line of a child's stderr that says what went wrong (not a log record or a stack frame). */
function firstLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith('{"level"'));
  return (
    lines.find((l) => l.startsWith("access-audit:")) ??
    lines.find((l) => /^[A-Za-z]*Error\b/.test(l)) ??
    lines[0] ??
    ""
  );
}

function describeExit(r: ChildResult): string {
  if (r.timedOut) return `timed out after ${CHILD_TIMEOUT_MS} ms`;
  const how = r.signal === null ? `exit ${r.status}` : `signal ${r.signal}`;
  const said = firstLine(r.stderr);
  return said === "" ? how : `${how}: ${said.slice(0, 300)}`;
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${what}: not JSON: ${text.slice(0, 200)}`);
  }
}

// --------------------------------------------------------------------------- files

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out.sort();
}

/** The database file and its WAL (a killed writer leaves one), copied into `to`. */
function copyDatabase(fromDir: string, toDir: string): void {
  mkdirSync(toDir, { recursive: true });
  copyFileSync(join(fromDir, DB), join(toDir, DB));
  if (existsSync(join(fromDir, `${DB}.wal`))) {
    copyFileSync(join(fromDir, `${DB}.wal`), join(toDir, `${DB}.wal`));
  }
}

/**
 * Temporary files in a kill's folder: `*.tmp` files (reports), `*.partial-*` and `*.replaced`
 * folders (exports), a WAL left next to the database, the writers' spill folders
 * (`<db>.tmp-<pid>-XXXXXX`), and the private temp folders of read-only openers in the
 * children's TMPDIR (`tmp/`).
 */
function temporaryFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    if (!existsSync(at)) return;
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      const rel = relative(dir, path);
      if (rel === "tmp") {
        for (const inner of readdirSync(path)) found.push(join(rel, inner));
        continue;
      }
      if (rel === `${DB}.tmp` || rel.startsWith(`${DB}.tmp-`)) {
        found.push(rel);
        continue;
      }
      if (entry.name.includes(".partial-") || entry.name.endsWith(".replaced")) {
        found.push(rel);
        continue;
      }
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      if (entry.name.endsWith(".tmp") || entry.name === `${DB}.wal`) found.push(rel);
    }
  };
  walk(dir);
  return found.sort();
}

async function withReader<T>(dir: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(join(dir, DB), { readOnly: true });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

interface SnapshotJson {
  snapshot_id: number;
  status: string;
  seal: string | null;
}

const statusList = (rows: readonly SnapshotJson[]): string =>
  rows.map((r) => `${r.snapshot_id}:${r.status}`).join(",");

// --------------------------------------------------------------------------- the suite

interface Context {
  cli: string;
  sim: RunningSimulator;
  root: string;
  log: LogLine;
  env(dir: string): NodeJS.ProcessEnv;
  run(args: readonly string[], dir: string, killAfterMs?: number): Promise<ChildResult>;
  /** Runs a CLI step of a fixture; throws unless it exits 0. */
  step(args: readonly string[], dir: string): Promise<ChildResult>;
}

interface PlannedApiAction {
  item_id: string;
  action: "remove_group_member" | "unassign_group_role" | "unassign_user_role" | "idp_change";
  group_id: string | null;
  user_id: string | null;
  role_id: string | null;
}

/** One command under test: how each kill starts, what it checks, what the rerun must reach. */
interface CommandSpec {
  args(dir: string): string[];
  /** Before each run, on a folder holding only `tmp/`; `kill` is null for unkilled runs. */
  prepare(dir: string, kill: number | null): Promise<void>;
  /** Records the reference end state from an unkilled run in `dir`. */
  reference(dir: string, run: ChildResult): Promise<void>;
  /** What the folder tells about where the command was when killed. */
  where(dir: string, run: ChildResult): Promise<string>;
  /** Problems right after the kill (beyond the database checks every command gets). */
  afterKill(dir: string): Promise<string[]>;
  /** Problems after the unkilled rerun (which exited 0). */
  afterRerun(dir: string, rerun: ChildResult): Promise<string[]>;
  /** Whether the command opens the database for writing (then no `running` may remain). */
  writes: boolean;
  /** Called once after the command's kills (e.g. to restore the simulator). */
  finish?(): Promise<void>;
}

export async function runCrashSuite(options: CrashSuiteOptions): Promise<SuiteResult> {
  const started = performance.now();
  const commands = options.commands ?? [...CRASH_COMMANDS];
  const onlyCommand = options.only?.split(":")[0];
  if (options.only !== undefined) {
    if (!/^[a-z-]+:\d+$/.test(options.only) || !commands.some((c) => c === onlyCommand)) {
      throw new Error(
        `only: expected "<command>:<kill>" with a command of ${commands.join(", ")}, got "${options.only}"`,
      );
    }
  }
  const selected = commands.filter((c) => onlyCommand === undefined || c === onlyCommand);
  const cli = resolve(options.cli ?? join(repositoryRoot(), "dist", "cli", "main.js"));
  if (!existsSync(cli)) throw new Error(`${cli} does not exist: run \`npm run build\` first`);
  const log = options.log;
  // Children run in their own folders: every path handed to them is absolute.
  const workDir = resolve(options.workDir);
  mkdirSync(workDir, { recursive: true });

  const sim = await startSimulator({
    port: 0,
    seed: ORG.seed,
    groups: ORG.groups,
    users: ORG.users,
  });
  const env = (dir: string): NodeJS.ProcessEnv => {
    const out: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (/^(OPENAI_|ACCESS_AUDIT_)/.test(k)) continue;
      out[k] = v;
    }
    // Read-only openers make a private temp folder in TMPDIR: one per kill, so it is counted.
    return { ...out, OPENAI_ADMIN_KEY: sim.adminKey, TMPDIR: join(dir, "tmp") };
  };
  const ctx: Context = {
    cli,
    sim,
    root: workDir,
    log,
    env,
    run: (args, dir, killAfterMs) => {
      mkdirSync(join(dir, "tmp"), { recursive: true });
      return runCliChild(args, {
        cli,
        env: env(dir),
        cwd: dir,
        timeoutMs: CHILD_TIMEOUT_MS,
        ...(killAfterMs === undefined ? {} : { killAfterMs }),
      });
    },
    step: async (args, dir) => {
      mkdirSync(join(dir, "tmp"), { recursive: true });
      const r = await runCliChild(args, {
        cli,
        env: env(dir),
        cwd: dir,
        timeoutMs: CHILD_TIMEOUT_MS,
      });
      if (r.status !== 0)
        throw new Error(`fixture step ${args.slice(0, 2).join(" ")}: ${describeExit(r)}`);
      return r;
    },
  };

  const tally = { recovered: 0, other: 0 };
  const unexpected: SuiteResult["unexpected"] = [];
  const details: Record<string, unknown> = {};
  let runs = 0;
  try {
    const fixtures = lazyFixtures(ctx);
    for (const command of selected) {
      const commandDir = join(workDir, command);
      rmSync(commandDir, { recursive: true, force: true });
      // Reference: one unkilled run, its duration d and its end state.
      const refDir = join(commandDir, "reference");
      let spec: CommandSpec;
      let d: number;
      try {
        spec = await makeSpec(command, ctx, fixtures);
        mkdirSync(join(refDir, "tmp"), { recursive: true });
        await spec.prepare(refDir, null);
        const ref = await ctx.run(spec.args(refDir), refDir);
        if (ref.status !== 0) throw new Error(`the unkilled run failed: ${describeExit(ref)}`);
        await spec.reference(refDir, ref);
        d = Math.round(ref.ms);
        // On a shared machine one run can be slowed several times over, and kills drawn over
        // an inflated d mostly land after the command finished: a longer suite times a second
        // unkilled run and keeps the shorter duration.
        if (options.killsPerCommand > 2) {
          const timingDir = join(commandDir, "timing");
          mkdirSync(join(timingDir, "tmp"), { recursive: true });
          await spec.prepare(timingDir, null);
          const again = await ctx.run(spec.args(timingDir), timingDir);
          if (again.status !== 0) throw new Error(`an unkilled run failed: ${describeExit(again)}`);
          d = Math.min(d, Math.round(again.ms));
          rmSync(timingDir, { recursive: true, force: true });
        }
      } catch (error) {
        // Without its fixture or reference a command cannot be killed meaningfully: say so.
        const detail = `setup failed: ${errorText(error)}`;
        log(`# ${command}: ${detail}`);
        unexpected.push({ id: `${command}:setup`, detail });
        details[command] = { kills: 0, recovered: 0, other: 0, setupError: detail };
        continue;
      }
      log(`# ${command}: unkilled ${d} ms`);

      const perCommand = {
        kills: 0,
        recovered: 0,
        other: 0,
        measuredDurationMs: d,
        medianDurationMs: 0,
        finishedBeforeKill: 0,
        leftoverTempFiles: 0,
        leftoverExamples: [] as string[],
        where: {} as Record<string, number>,
      };
      const rerunMs: number[] = [];
      for (let i = 0; i < options.killsPerCommand; i++) {
        const id = `${command}:${i}`;
        if (options.only !== undefined && options.only !== id) continue;
        const fraction = new Prng(options.seed, `crash:${id}`).next();
        const delay = Math.round(fraction * d);
        const dir = join(commandDir, `kill-${i}`);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(join(dir, "tmp"), { recursive: true });
        const problems: string[] = [];
        const killStarted = performance.now();
        let where = "?";
        let leftovers: string[] = [];
        try {
          await spec.prepare(dir, i);
          const killed = await ctx.run(spec.args(dir), dir, delay);
          if (!killed.killed) {
            perCommand.finishedBeforeKill++;
            if (killed.status !== 0)
              problems.push(`finished before the kill but failed: ${describeExit(killed)}`);
          }
          const db = await checkDatabase(ctx, dir);
          problems.push(...db.problems);
          where = killed.killed
            ? await spec.where(dir, killed).catch((e: unknown) => `? (${errorText(e)})`)
            : "finished";
          if (db.problems.length === 0) problems.push(...(await spec.afterKill(dir)));
          const rerun = await ctx.run(spec.args(dir), dir);
          rerunMs.push(rerun.ms);
          if (rerun.status !== 0) {
            problems.push(`rerun failed: ${describeExit(rerun)}`);
          } else {
            problems.push(...(await spec.afterRerun(dir, rerun)));
            problems.push(...(await checkAfterRerun(dir, spec.writes)));
          }
          // A rerun sweeps what the killed run left (temporary names carry the owner's pid).
          leftovers = temporaryFiles(dir);
          if (leftovers.length > 0) {
            problems.push(`temporary files left after the rerun: ${leftovers.join(", ")}`);
          }
        } catch (error) {
          problems.push(`suite error: ${errorText(error)}`);
        }
        const outcome = problems.length === 0 ? "recovered" : "other";
        runs++;
        perCommand.kills++;
        tally[outcome]++;
        perCommand[outcome]++;
        const place = where.replace(/ \(.*$/, "");
        perCommand.where[place] = (perCommand.where[place] ?? 0) + 1;
        perCommand.leftoverTempFiles += leftovers.length;
        for (const l of leftovers) {
          if (perCommand.leftoverExamples.length < 8)
            perCommand.leftoverExamples.push(`${id}: ${l}`);
        }
        if (outcome === "other") unexpected.push({ id, detail: problems.join("; ") });
        log(
          `${id.padEnd(18)} kill at ${String(delay).padStart(5)} ms of ${d} (${Math.round(fraction * 100)}%)` +
            `  ${where.padEnd(34)} -> ${outcome} (${seconds(killStarted)})` +
            (leftovers.length > 0
              ? `  [${leftovers.length} temp left: ${leftovers.slice(0, 3).join(", ")}]`
              : "") +
            (outcome === "other" ? `: ${problems.join("; ")}` : ""),
        );
        // A recovered kill's folder is not needed any more; a failed one is kept to look at.
        if (outcome === "recovered") rmSync(dir, { recursive: true, force: true });
      }
      await spec.finish?.();
      perCommand.medianDurationMs = Math.round(median(rerunMs));
      details[command] = perCommand;
      if (options.only === undefined) rmSync(refDir, { recursive: true, force: true });
    }
  } finally {
    await sim.stop();
  }
  return {
    suite: "crashes",
    runs,
    tally,
    unexpected,
    details,
    durationMs: Math.round(performance.now() - started),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** `<repo>` from this module, in chaos/ (sources) or dist-chaos/chaos/ (compiled). */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && existsSync(join(dir, "templates"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("the repository root was not found above chaos/crashes");
    dir = parent;
  }
}

/** Right after a kill: the database opens and every complete snapshot verifies. */
async function checkDatabase(ctx: Context, dir: string): Promise<{ problems: string[] }> {
  const db = join(dir, DB);
  const [list, verify] = await Promise.all([
    ctx.run(["snapshots", "--json", "--db", db], dir),
    ctx.run(["verify", "--json", "--db", db], dir),
  ]);
  const problems: string[] = [];
  if (list.status !== 0)
    problems.push(`database does not open: snapshots --json ${describeExit(list)}`);
  else {
    const rows = parseJson<SnapshotJson[]>(list.stdout, "snapshots --json");
    for (const r of rows) {
      if (r.status === "complete" && r.seal === null) {
        problems.push(`snapshot ${r.snapshot_id} is complete without a seal`);
      }
    }
  }
  if (verify.status !== 0) problems.push(`verify ${describeExit(verify)}`);
  return { problems };
}

/** After the rerun: seals still verify and, after a writer, nothing is left `running`. */
async function checkAfterRerun(dir: string, writes: boolean): Promise<string[]> {
  return withReader(dir, async (store) => {
    const problems: string[] = [];
    // A reader's rerun leaves the database as the checks after the kill verified it.
    const verified = writes ? await store.verify() : { ok: true, issues: [] };
    if (!verified.ok)
      problems.push(`verify after the rerun: ${verified.issues.join("; ") || "seal mismatch"}`);
    if (writes) {
      const running = (await store.listSnapshots()).filter((s) => s.status === "running");
      if (running.length > 0) {
        problems.push(
          `snapshot(s) ${running.map((s) => s.snapshot_id).join(", ")} still running after the rerun`,
        );
      }
    }
    return problems;
  });
}

// --------------------------------------------------------------------------- fixtures

/** Each fixture is made once, when a command first needs it. */
interface Fixtures {
  /** FIXTURE_CRAWLS snapshots of the simulator, with changes between them. */
  base(): Promise<string>;
  /** The base database with an open campaign; the workbooks filled by every reviewer. */
  certify(): Promise<{ dir: string; workbooks: string[] }>;
  /** The certify database with the workbooks imported, the campaign closed, the plan recorded. */
  remediate(): Promise<{ dir: string; actions: PlannedApiAction[] }>;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | null = null;
  return () => {
    made ??= make();
    return made;
  };
}

function lazyFixtures(ctx: Context): Fixtures {
  const root = join(ctx.root, "fixtures");
  const base = once(() => makeBase(ctx, join(root, "base")));
  const certify = once(async () => makeCertify(ctx, await base(), join(root, "certify")));
  const remediate = once(async () => makeRemediate(ctx, await certify(), join(root, "remediate")));
  return { base, certify, remediate };
}

async function makeBase(ctx: Context, dir: string): Promise<string> {
  const t0 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "tmp"), { recursive: true });
  const rng = new Prng(ORG.seed, "crash-fixture-mutations");
  for (let n = 1; n <= FIXTURE_CRAWLS; n++) {
    if (n > 1) {
      for (let m = 0; m < MUTATIONS_BETWEEN_CRAWLS; m++) applyRandomMutation(ctx.sim.state, rng);
    }
    await ctx.step(["crawl", "--db", join(dir, DB), "--base-url", ctx.sim.baseUrl], dir);
  }
  ctx.log(
    `# fixture: ${FIXTURE_CRAWLS} snapshots of ${ORG.groups} groups / ${ORG.users} users (${ctx.sim.state.counts().memberships} memberships) in ${seconds(t0)}`,
  );
  return dir;
}

const seconds = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

/** A campaign over every grant of the latest snapshot, three reviewers, workbooks filled. */
async function makeCertify(
  ctx: Context,
  base: string,
  dir: string,
): Promise<{ dir: string; workbooks: string[] }> {
  const t0 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  copyDatabase(base, dir);
  mkdirSync(join(dir, "tmp"), { recursive: true });
  const manual = ctx.sim.state.listGroups().filter((g) => !g.is_scim_managed);
  const reviewers = {
    default: "access-owner@chaos.invalid",
    by_group: Object.fromEntries(
      manual.slice(0, 8).map((g) => [g.name, "team-lead@chaos.invalid"]),
    ),
    by_role: Object.fromEntries(
      ctx.sim.state.listRoles().map((r) => [r.name, "role-admin@chaos.invalid"]),
    ),
  };
  // JSON is YAML.
  writeFileSync(join(dir, "reviewers.json"), JSON.stringify(reviewers, null, 2));
  const db = join(dir, DB);
  await ctx.step(
    [
      "certify",
      "start",
      "--name",
      CAMPAIGN,
      "--reviewers",
      join(dir, "reviewers.json"),
      "--policy",
      "keep",
      "--db",
      db,
    ],
    dir,
  );
  const exported = await ctx.step(
    [
      "certify",
      "export",
      "--campaign",
      CAMPAIGN,
      "--out",
      join(dir, "review"),
      "--json",
      "--db",
      db,
    ],
    dir,
  );
  const files = parseJson<{ files: { reviewer: string; path: string }[] }>(
    exported.stdout,
    "certify export",
  ).files;
  const quota: Record<keyof typeof REVOKE, number> = { ...REVOKE };
  let seen = 0;
  const decide = (row: WorkbookRow) => {
    seen++;
    // Project grants (in the campaign too) are approved: the suite revokes organization grants.
    const kind =
      row.Grant === "Group membership"
        ? row["Managed by"] === "Manual"
          ? "membership"
          : "idp"
        : row.Grant === "Group role"
          ? "group_role"
          : row.Grant === "Direct role"
            ? "user_role"
            : null;
    // Spread the revocations over the workbooks: every third eligible row until the quota is met.
    if (kind !== null && quota[kind] > 0 && seen % 3 === 0) {
      quota[kind]--;
      return { decision: "Revoke", justification: `chaos revocation ${seen}` };
    }
    if (seen % 17 === 0) return null; // left undecided: the policy decides at close
    return { decision: "Approve", justification: "needed for the job" };
  };
  const workbooks: string[] = [];
  mkdirSync(join(dir, "filled"), { recursive: true });
  for (const f of files) {
    const to = join(dir, "filled", `${f.reviewer}.xlsx`);
    await fillWorkbook(f.path, to, decide);
    workbooks.push(to);
  }
  ctx.log(`# fixture: campaign ${CAMPAIGN}, ${files.length} workbooks filled in ${seconds(t0)}`);
  return { dir, workbooks };
}

/** The workbooks imported, the campaign closed, its revocations planned. */
async function makeRemediate(
  ctx: Context,
  certify: { dir: string; workbooks: string[] },
  dir: string,
): Promise<{ dir: string; actions: PlannedApiAction[] }> {
  const t0 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  copyDatabase(certify.dir, dir);
  mkdirSync(join(dir, "tmp"), { recursive: true });
  const db = join(dir, DB);
  await ctx.step(["certify", "import", ...certify.workbooks, "--db", db], dir);
  await ctx.step(
    ["certify", "close", "--campaign", CAMPAIGN, "--out", join(dir, "signoff"), "--db", db],
    dir,
  );
  const plan = await ctx.step(
    ["remediate", "plan", "--campaign", CAMPAIGN, "--json", "--db", db],
    dir,
  );
  const actions = parseJson<{ actions: PlannedApiAction[] }>(plan.stdout, "remediate plan").actions;
  const api = actions.filter((a) => a.action !== "idp_change").length;
  ctx.log(
    `# fixture: campaign closed, ${actions.length} revocations planned (${api} API calls) in ${seconds(t0)}`,
  );
  return { dir, actions };
}

// --------------------------------------------------------------------------- the commands

async function makeSpec(
  command: CrashCommand,
  ctx: Context,
  fixtures: Fixtures,
): Promise<CommandSpec> {
  switch (command) {
    case "crawl":
      return crawlSpec(ctx, await fixtures.base());
    case "report":
      return reportSpec(await fixtures.base());
    case "retention":
      return retentionSpec(await fixtures.base());
    case "certify-import":
      return importSpec(await fixtures.certify());
    case "remediate-apply":
      return remediateSpec(ctx, await fixtures.remediate());
    case "export":
      return exportSpec(await fixtures.base());
  }
}

async function snapshotsOf(dir: string): Promise<SnapshotJson[]> {
  return withReader(dir, async (store) =>
    (await store.listSnapshots()).map((s) => ({
      snapshot_id: s.snapshot_id,
      status: s.status,
      seal: s.seal,
    })),
  );
}

/** The differing parts of two snapshots' rows, by name and count. */
function snapshotDifferences(stored: SnapshotRows, expected: SnapshotRows): string[] {
  const out: string[] = [];
  for (const key of Object.keys(expected) as (keyof SnapshotRows)[]) {
    if (!isDeepStrictEqual(stored[key], expected[key])) {
      out.push(`${key} (${stored[key].length} stored, ${expected[key].length} in the simulator)`);
    }
  }
  return out;
}

function crawlSpec(ctx: Context, base: string): CommandSpec {
  let before: SnapshotJson[] = [];
  return {
    writes: true,
    args: (dir) => ["crawl", "--db", join(dir, DB), "--base-url", ctx.sim.baseUrl, "--json"],
    async prepare(dir) {
      copyDatabase(base, dir);
      before = await snapshotsOf(dir);
      ctx.sim.setFaults({ latencyMs: CRAWL_LATENCY_MS });
    },
    async reference() {},
    async where(_dir, run) {
      let phase = "startup";
      for (const line of run.stderr.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const record = JSON.parse(line) as { msg?: string; phase?: string };
          if (record.msg === "snapshot started") phase = "snapshot started";
          if (record.msg === "crawl progress" && record.phase !== undefined)
            phase = `crawling ${record.phase}`;
          if (record.msg === "snapshot published") phase = "published";
        } catch {
          // a line cut by the kill
        }
      }
      return phase;
    },
    async afterKill(dir) {
      const now = await snapshotsOf(dir);
      const problems: string[] = [];
      const old = statusList(before);
      if (statusList(now.slice(0, before.length)) !== old) {
        problems.push(`earlier snapshots changed: ${old} -> ${statusList(now)}`);
      }
      return problems;
    },
    async afterRerun(dir, rerun) {
      ctx.sim.setFaults(undefined);
      const out = parseJson<{ snapshot_id: number }>(rerun.stdout, "crawl --json");
      return withReader(dir, async (store) => {
        const problems: string[] = [];
        const list = await store.listSnapshots();
        const latest = await store.latestCompleteSnapshotId();
        if (latest !== out.snapshot_id)
          problems.push(`latest complete snapshot ${latest}, the rerun said ${out.snapshot_id}`);
        const killedId = (before.at(-1)?.snapshot_id ?? 0) + 1;
        const killedRow = list.find((s) => s.snapshot_id === killedId);
        if (
          killedId !== out.snapshot_id &&
          !["abandoned", "complete"].includes(killedRow?.status ?? "")
        ) {
          problems.push(
            `the killed crawl's snapshot ${killedId} is ${killedRow?.status ?? "missing"}`,
          );
        }
        const differences = snapshotDifferences(
          await storedSnapshot(store, out.snapshot_id),
          expectedSnapshot(ctx.sim.state),
        );
        if (differences.length > 0)
          problems.push(
            `snapshot ${out.snapshot_id} differs from the simulator: ${differences.join(", ")}`,
          );
        return problems;
      });
    },
    async finish() {
      ctx.sim.setFaults(undefined);
    },
  };
}

interface ReportJson {
  files: { format: string; path: string; bytes: number; sha256: string }[];
}

function reportSpec(base: string): CommandSpec {
  /** Final file name -> SHA-256 of the unkilled run's file. */
  const expected = new Map<string, string>();
  return {
    writes: false,
    args: (dir) => ["report", "--db", join(dir, DB), "--out", join(dir, "reports"), "--json"],
    async prepare(dir) {
      copyDatabase(base, dir);
    },
    async reference(_dir, run) {
      for (const file of parseJson<ReportJson>(run.stdout, "report --json").files) {
        const name = file.path.split(sep).at(-1) ?? "";
        expected.set(name, file.sha256);
        // Its checksum file, `sha256sum` style, is written and renamed with it.
        expected.set(
          `${name}.sha256`,
          createHash("sha256").update(`${file.sha256}  ${name}\n`).digest("hex"),
        );
      }
    },
    async where(dir) {
      const names = existsSync(join(dir, "reports")) ? readdirSync(join(dir, "reports")) : [];
      const temp = names.filter((n) => n.endsWith(".tmp"));
      const finals = names.filter((n) => expected.has(n));
      if (temp.some((n) => n.includes(".sha256."))) return "writing a checksum";
      if (temp.some((n) => n.includes(".xlsx."))) return "writing xlsx";
      if (temp.some((n) => n.includes(".html."))) return "writing html";
      if (finals.length === expected.size) return "both written";
      if (finals.length > 0) {
        return `${finals
          .filter((n) => !n.endsWith(".sha256"))
          .map((n) => n.split(".").at(-1))
          .join("+")} written`;
      }
      return names.length === 0 && !existsSync(join(dir, "reports"))
        ? "before writing"
        : "reports folder made";
    },
    async afterKill(dir) {
      return checkReportFiles(join(dir, "reports"), expected, false);
    },
    async afterRerun(dir, rerun) {
      const problems = checkReportFiles(join(dir, "reports"), expected, true);
      for (const file of parseJson<ReportJson>(rerun.stdout, "report --json").files) {
        const name = file.path.split(sep).at(-1) ?? "";
        if (expected.get(name) !== file.sha256)
          problems.push(`the rerun wrote ${name} with another hash`);
      }
      return problems;
    },
  };
}

function checkReportFiles(
  out: string,
  expected: ReadonlyMap<string, string>,
  complete: boolean,
): string[] {
  const problems: string[] = [];
  const names = existsSync(out) ? readdirSync(out) : [];
  for (const name of names) {
    if (name.endsWith(".tmp")) continue; // counted as a temporary file
    const want = expected.get(name);
    if (want === undefined) problems.push(`unexpected file ${name} in the reports folder`);
    else if (sha256(join(out, name)) !== want)
      problems.push(`${name} is under its final name but not the complete report`);
  }
  if (complete) {
    for (const name of expected.keys())
      if (!names.includes(name)) problems.push(`${name} missing after the rerun`);
  }
  return problems;
}

interface RetentionJson {
  prune: number[];
}

function retentionSpec(base: string): CommandSpec {
  let expectedStatuses = "";
  let expectedPrune: number[] = [];
  let before = "";
  return {
    writes: true,
    args: (dir) => ["retention", "apply", "--keep-last", "1", "--db", join(dir, DB), "--json"],
    async prepare(dir) {
      copyDatabase(base, dir);
      before = statusList(await snapshotsOf(dir));
    },
    async reference(dir, run) {
      expectedStatuses = statusList(await snapshotsOf(dir));
      expectedPrune = parseJson<RetentionJson>(run.stdout, "retention --json").prune;
    },
    async where(dir) {
      const now = statusList(await snapshotsOf(dir));
      if (now === before) return "before commit";
      if (now === expectedStatuses) return "committed";
      return `partly pruned`;
    },
    async afterKill(dir) {
      const now = statusList(await snapshotsOf(dir));
      return now === before || now === expectedStatuses
        ? []
        : [`after the kill the statuses are ${now}: neither ${before} nor ${expectedStatuses}`];
    },
    async afterRerun(dir, rerun) {
      const problems: string[] = [];
      const prune = parseJson<RetentionJson>(rerun.stdout, "retention --json").prune;
      if (prune.length > 0 && !isDeepStrictEqual(prune, expectedPrune)) {
        problems.push(
          `the rerun pruned ${prune.join(",")}, an unkilled run prunes ${expectedPrune.join(",")}`,
        );
      }
      const now = statusList(await snapshotsOf(dir));
      if (now !== expectedStatuses)
        problems.push(`statuses after the rerun ${now}, expected ${expectedStatuses}`);
      return problems;
    },
  };
}

interface ImportState {
  decisions: string;
  imports: string;
}

async function importState(dir: string): Promise<ImportState & { files: number; rows: number }> {
  return withReader(dir, async (store) => {
    const decisions = await store.query<Record<string, string | number | null>>(
      `SELECT item_id, decision, justification, reviewer, file_sha256, sheet_row, source
       FROM certify_decisions ORDER BY ALL`,
    );
    const imports = await store.query<Record<string, string | number | null>>(
      "SELECT file_sha256, file_name, reviewer, rows, decisions FROM certify_imports ORDER BY ALL",
    );
    return {
      decisions: JSON.stringify(decisions),
      imports: JSON.stringify(imports),
      files: imports.length,
      rows: decisions.length,
    };
  });
}

interface ImportJson {
  files: { file: string; status: string; recorded: number }[];
}

function importSpec(certify: { dir: string; workbooks: string[] }): CommandSpec {
  let expected: ImportState = { decisions: "", imports: "" };
  let expectedFiles = 0;
  return {
    writes: true,
    args: (dir) => ["certify", "import", ...certify.workbooks, "--db", join(dir, DB), "--json"],
    async prepare(dir) {
      copyDatabase(certify.dir, dir);
    },
    async reference(dir) {
      const state = await importState(dir);
      expected = state;
      expectedFiles = state.files;
      if (state.files !== certify.workbooks.length || state.rows === 0) {
        throw new Error(
          `certify-import reference: ${state.files} files and ${state.rows} decisions recorded`,
        );
      }
    },
    async where(dir) {
      const state = await importState(dir);
      return `${state.files} of ${expectedFiles} files recorded`;
    },
    async afterKill(dir) {
      // Each file is recorded whole or not at all: its decisions are the reference's for it.
      const state = await importState(dir);
      const recorded = JSON.parse(state.imports) as { file_sha256: string }[];
      const want = (JSON.parse(expected.decisions) as { file_sha256: string }[]).filter((d) =>
        recorded.some((r) => r.file_sha256 === d.file_sha256),
      );
      return JSON.stringify(want) === state.decisions
        ? []
        : [
            `after the kill ${state.rows} decisions for ${state.files} recorded file(s), expected ${want.length}`,
          ];
    },
    async afterRerun(dir, rerun) {
      const problems: string[] = [];
      for (const o of parseJson<ImportJson>(rerun.stdout, "certify import --json").files) {
        if (o.status !== "recorded" && o.status !== "already_imported")
          problems.push(`the rerun ${o.status} ${o.file}`);
      }
      const state = await importState(dir);
      if (state.imports !== expected.imports)
        problems.push(`imports after the rerun differ from an unkilled run (${state.files} files)`);
      if (state.decisions !== expected.decisions) {
        problems.push(`decisions after the rerun differ from an unkilled run (${state.rows} rows)`);
      }
      return problems;
    },
  };
}

function remediateSpec(
  ctx: Context,
  remediate: { dir: string; actions: PlannedApiAction[] },
): CommandSpec {
  const api = remediate.actions.filter((a) => a.action !== "idp_change");
  const s = ctx.sim.state;
  const present = (a: PlannedApiAction): boolean => {
    const g = a.group_id ?? "";
    const u = a.user_id ?? "";
    const r = a.role_id ?? "";
    if (a.action === "remove_group_member") return s.isMember(g, u);
    if (a.action === "unassign_group_role") return s.hasGroupRole(g, r);
    return s.hasDirectUserRole(u, r);
  };
  const restore = (): void => {
    for (const a of api) {
      const g = a.group_id ?? "";
      const u = a.user_id ?? "";
      const r = a.role_id ?? "";
      if (a.action === "remove_group_member") s.addMember(g, u);
      else if (a.action === "unassign_group_role") s.assignGroupRole(g, r);
      else s.assignUserRole(u, r);
    }
  };
  const recorded = (dir: string) =>
    withReader(dir, (store) =>
      store.query<{ item_id: string; status: string }>(
        "SELECT item_id, status FROM certify_remediation ORDER BY item_id",
      ),
    );
  return {
    writes: true,
    args: (dir) => [
      "remediate",
      "apply",
      "--campaign",
      CAMPAIGN,
      "--yes",
      "--base-url",
      ctx.sim.baseUrl,
      "--db",
      join(dir, DB),
      "--json",
    ],
    async prepare(dir) {
      copyDatabase(remediate.dir, dir);
      restore();
      const missing = api.filter((a) => !present(a));
      if (missing.length > 0)
        throw new Error(`${missing.length} grant(s) could not be restored in the simulator`);
      ctx.sim.setFaults({ latencyMs: REMEDIATE_LATENCY_MS });
    },
    async reference() {},
    async where(dir) {
      const made = api.filter((a) => !present(a)).length;
      const done = (await recorded(dir)).filter(
        (r) => r.status === "done" || r.status === "already_absent",
      ).length;
      if (made === 0 && done === 0) return "before the first call";
      return `${made === api.length ? "after the last call" : "calling"} (${made} of ${api.length} made, ${done} recorded)`;
    },
    async afterKill(dir) {
      // A call recorded as done must really have been made.
      const byItem = new Map((await recorded(dir)).map((r) => [r.item_id, r.status]));
      const wrong = api.filter((a) => byItem.get(a.item_id) === "done" && present(a));
      return wrong.length === 0
        ? []
        : [`${wrong.length} action(s) recorded done but the grant is still there`];
    },
    async afterRerun(dir, rerun) {
      ctx.sim.setFaults(undefined);
      const problems: string[] = [];
      const out = parseJson<{ failed: number }>(rerun.stdout, "remediate apply --json");
      if (out.failed !== 0) problems.push(`the rerun reports ${out.failed} failed call(s)`);
      const still = api.filter(present);
      if (still.length > 0)
        problems.push(`${still.length} revoked grant(s) still in the simulator`);
      const byItem = new Map((await recorded(dir)).map((r) => [r.item_id, r.status]));
      for (const a of remediate.actions) {
        const status = byItem.get(a.item_id);
        const ok =
          a.action === "idp_change"
            ? status === "idp"
            : status === "done" || status === "already_absent";
        if (!ok)
          problems.push(`item ${a.item_id} (${a.action}) recorded as ${status ?? "nothing"}`);
      }
      return problems;
    },
    async finish() {
      ctx.sim.setFaults(undefined);
      restore();
    },
  };
}

/** Problems of an export folder: its manifest must describe exactly the files there. */
function checkExport(out: string, reference: ExportManifest | null): string[] {
  const manifestPath = join(out, "manifest.json");
  if (!existsSync(manifestPath)) return [`${out} exists without manifest.json`];
  let manifest: ExportManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as ExportManifest;
  } catch {
    return ["manifest.json is not valid JSON"];
  }
  const problems: string[] = [];
  const listed = new Set<string>(["manifest.json"]);
  for (const view of manifest.views) {
    const sum = Object.values(view.rows_by_snapshot).reduce((a, b) => a + b, 0);
    if (sum !== view.rows) problems.push(`${view.view}: rows ${view.rows} but ${sum} by snapshot`);
    const ref = reference?.views.find((v) => v.view === view.view);
    if (reference !== null && !isDeepStrictEqual(ref?.rows_by_snapshot, view.rows_by_snapshot)) {
      problems.push(`${view.view}: row counts differ from an unkilled export`);
    }
    for (const file of view.files) {
      listed.add(file.path);
      const path = join(out, ...file.path.split("/"));
      if (!existsSync(path)) problems.push(`${file.path} listed but missing`);
      else if (statSync(path).size !== file.bytes || sha256(path) !== file.sha256) {
        problems.push(`${file.path} does not match its size or hash in the manifest`);
      }
    }
  }
  if (reference !== null && manifest.views.length !== reference.views.length) {
    problems.push(
      `${manifest.views.length} views, an unkilled export has ${reference.views.length}`,
    );
  }
  for (const file of listFiles(out)) {
    const rel = relative(out, file).split(sep).join("/");
    if (!listed.has(rel)) problems.push(`${rel} is not in the manifest`);
  }
  return problems;
}

function exportSpec(base: string): CommandSpec {
  let reference: ExportManifest | null = null;
  let referenceDir = "";
  const target = (dir: string) => join(dir, "exports", "history");
  return {
    writes: false,
    // --force: the rerun replaces what a finished killed run published (and even kills start
    // with an earlier export in place, so the replacing path is killed too).
    args: (dir) => [
      "export",
      "--format",
      "parquet",
      "--all",
      "--force",
      "--out",
      target(dir),
      "--db",
      join(dir, DB),
      "--json",
    ],
    async prepare(dir, kill) {
      copyDatabase(base, dir);
      if (kill === null) {
        // The first unkilled run is the reference; a timing run after it is not.
        if (referenceDir === "") referenceDir = dir;
        return;
      }
      if (kill % 2 === 0) cpSync(target(referenceDir), target(dir), { recursive: true });
    },
    async reference(dir) {
      reference = JSON.parse(
        readFileSync(join(target(dir), "manifest.json"), "utf8"),
      ) as ExportManifest;
      const problems = checkExport(target(dir), null);
      if (problems.length > 0) throw new Error(`export reference: ${problems.join("; ")}`);
    },
    async where(dir) {
      const names = existsSync(join(dir, "exports")) ? readdirSync(join(dir, "exports")) : [];
      const partial = names.find((n) => n.includes(".partial-") && !n.endsWith(".replaced"));
      if (names.some((n) => n.endsWith(".replaced"))) return "swapping folders";
      if (partial !== undefined) {
        const views = readdirSync(join(dir, "exports", partial)).length;
        return `copying (${views} of ${reference?.views.length ?? "?"} views started)`;
      }
      if (!names.includes("history")) return "no export folder";
      const manifest = join(target(dir), "manifest.json");
      if (!existsSync(manifest)) return "export folder without manifest";
      const at = (JSON.parse(readFileSync(manifest, "utf8")) as ExportManifest).exported_at;
      return at === reference?.exported_at ? "earlier export in place" : "new export published";
    },
    async afterKill(dir) {
      return existsSync(target(dir)) ? checkExport(target(dir), reference) : [];
    },
    async afterRerun(dir) {
      return existsSync(target(dir))
        ? checkExport(target(dir), reference)
        : ["no export after the rerun"];
    },
  };
}
