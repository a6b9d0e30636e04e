/**
 * `npm run chaos`: the fault and crash suites of issue 8, with their tallies on stdout and in
 * chaos/results/ as JSON. Exits 1 when any run ends in an outcome the suite does not accept.
 *
 *   npm run chaos                              # both suites: 100 seeds, 20 kills per command
 *   npm run chaos -- --suite faults --seed 37  # replay one seed of the fault suite
 *   npm run chaos -- --suite crashes --only report:4 --crash-seed 1   # replay one kill
 *   npm run chaos -- --runs 300 --first-seed 1000 --kills 40
 *
 * The CLI must be built (`npm run build`): the crash suite kills the real `dist/cli/main.js`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CRASH_COMMANDS, type CrashCommand, runCrashSuite } from "./crashes.js";
import { runFaultSuite } from "./faults.js";
import type { SuiteResult } from "./suite.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RESULTS_DIR = join(ROOT, "chaos/results");

const USAGE =
  "usage: npm run chaos -- [--suite faults|crashes|all] [--runs N] [--first-seed N] [--seed N] " +
  "[--kills N] [--command NAME]... [--crash-seed N] [--only COMMAND:I] [--keep]";

function fail(message: string): never {
  process.stderr.write(`chaos: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) fail(`--${name} must be a non-negative integer`);
  return n;
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        suite: { type: "string", default: "all" },
        runs: { type: "string" },
        "first-seed": { type: "string" },
        seed: { type: "string" },
        kills: { type: "string" },
        command: { type: "string", multiple: true },
        "crash-seed": { type: "string" },
        only: { type: "string" },
        keep: { type: "boolean", default: false },
      },
      strict: true,
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
})();

const suite = values.suite ?? "all";
if (!["faults", "crashes", "all"].includes(suite)) fail(`unknown suite "${suite}"`);
const commands = (values.command ?? [...CRASH_COMMANDS]) as CrashCommand[];
for (const c of commands) {
  if (!(CRASH_COMMANDS as readonly string[]).includes(c)) {
    fail(`unknown command "${c}" (one of ${CRASH_COMMANDS.join(", ")})`);
  }
}
const seeds =
  values.seed !== undefined
    ? [positiveInteger("seed", values.seed, 0)]
    : (() => {
        const first = positiveInteger("first-seed", values["first-seed"], 1);
        const runs = positiveInteger("runs", values.runs, 100);
        return Array.from({ length: runs }, (_, i) => first + i);
      })();

const log = (line: string) => process.stdout.write(`${line}\n`);
const workDir = mkdtempSync(join(tmpdir(), "access-audit-chaos-"));
const results: SuiteResult[] = [];

try {
  if (suite === "faults" || suite === "all") {
    log(`# fault suite: ${seeds.length} seeded runs (seeds ${seeds[0]}..${seeds.at(-1)})`);
    results.push(await runFaultSuite({ seeds, log, workDir: join(workDir, "faults") }));
  }
  if (suite === "crashes" || suite === "all") {
    const killsPerCommand = positiveInteger("kills", values.kills, 20);
    log(`# crash suite: ${killsPerCommand} kills each of ${commands.join(", ")}`);
    results.push(
      await runCrashSuite({
        killsPerCommand,
        commands,
        seed: positiveInteger("crash-seed", values["crash-seed"], 1),
        log,
        workDir: join(workDir, "crashes"),
        ...(values.only === undefined ? {} : { only: values.only }),
      }),
    );
  }
} finally {
  if (!values.keep) rmSync(workDir, { recursive: true, force: true });
}

log("");
let unexpected = 0;
for (const r of results) {
  const parts = Object.entries(r.tally).map(([k, v]) => `${k} ${v}`);
  log(`${r.suite}: runs ${r.runs} · ${parts.join(" · ")} · ${(r.durationMs / 1000).toFixed(1)} s`);
  for (const u of r.unexpected) log(`  UNEXPECTED ${u.id}: ${u.detail}`);
  unexpected += r.unexpected.length;
}

const record = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "?", memoryBytes: totalmem() },
  node: process.version,
  arguments: process.argv.slice(2),
  results,
};
mkdirSync(RESULTS_DIR, { recursive: true });
const stamp = record.at.replace(/[:.]/g, "-");
const json = `${JSON.stringify(record, null, 2)}\n`;
writeFileSync(join(RESULTS_DIR, `chaos-${stamp}.json`), json);
// latest.json is the committed record of the last full run; replays do not replace it.
if (values.seed === undefined && values.only === undefined && values.command === undefined) {
  writeFileSync(join(RESULTS_DIR, "latest.json"), json);
}
log(`results: chaos/results/chaos-${stamp}.json`);
process.exitCode = unexpected === 0 ? 0 : 1;
