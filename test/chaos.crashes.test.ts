/**
 * The crash suite (chaos/crashes.ts) in small: two SIGKILLs of each writing command through the
 * real CLI (`dist/cli/main.js`, built by `npm test` before vitest), every one of which must
 * recover: the database opens and verifies, nothing half-written is under a final name, and
 * the rerun reaches the unkilled end state. `npm run chaos` runs 20 kills per command.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CRASH_COMMANDS, runCrashSuite } from "../chaos/crashes.js";

const workDir = mkdtempSync(join(tmpdir(), "chaos-crashes-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("crash suite", () => {
  it("recovers from SIGKILL at two seeded points of each of the six writing commands", async () => {
    const lines: string[] = [];
    const result = await runCrashSuite({
      killsPerCommand: 2,
      seed: 1,
      log: (line) => lines.push(line),
      workDir,
    });
    expect(result.suite).toBe("crashes");
    expect(result.runs).toBe(2 * CRASH_COMMANDS.length);
    // Every kill recovered, and the kills really landed: a command that finished before its
    // kill would pass its checks without having been interrupted at all.
    expect(result.tally.recovered, lines.join("\n")).toBe(result.runs);
    const details = result.details as Record<string, { kills: number; finishedBeforeKill: number }>;
    for (const command of CRASH_COMMANDS) {
      expect(details[command]?.kills, command).toBe(2);
      expect(details[command]?.finishedBeforeKill, `${command}: no kill landed`).toBeLessThan(2);
    }
    // One log line per kill, naming its id.
    for (const command of CRASH_COMMANDS) {
      for (const i of [0, 1]) {
        expect(lines.some((l) => l.startsWith(`${command}:${i} `))).toBe(true);
      }
    }
    expect(result.unexpected, lines.join("\n")).toEqual([]);
    expect(result.tally.other).toBe(0);
    // About 60-90 s alone on an idle 2-core machine (fixtures, one unkilled run per command, 12
    // kills each with its checks and rerun); generous for files sharing the cores.
  }, 600_000);
});
