/**
 * The store across processes: a crawl killed with SIGKILL (while staging and
 * while publishing), the one-writer rule, and read-only openers. Children run
 * the compiled store, built once into a scratch folder inside the repository.
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROUP_MEMBERS, GROUPS } from "../src/facts/index.js";
import { Store } from "../src/store/index.js";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "store-process-"));
let build = "";
let counter = 0;
const children = new Set<ChildProcess>();

const META = {
  baseUrl: "http://sim.test/v1",
  toolVersion: "0.1.0-test",
  keyRedacted: "sk-...abcd",
};

function dbPath(): string {
  counter += 1;
  return join(scratch, `case-${counter}`, "audit.duckdb");
}

/** The child side: each mode is one scenario step, reporting progress on stdout. */
const CHILD = `
import { GROUP_MEMBERS } from "./facts/index.js";
import { Store } from "./store/index.js";
const [mode, path] = process.argv.slice(2);
const meta = ${JSON.stringify(META)};
const say = (line) => process.stdout.write(line + "\\n");
const member = (i) => ({ group_id: "group-" + (i % 500), user_id: "user-" + i, email: "u" + i + "@example.com", name: "User " + i });
const waitForStdin = () => new Promise((resolve) => process.stdin.once("data", resolve));

if (mode === "crash-staging") {
  const store = await Store.open(path, { stagingMemoryLimit: "8MB" });
  const writer = await store.beginSnapshot(meta);
  for (let i = 0; ; i++) {
    writer.add(GROUP_MEMBERS, member(i));
    if (i % 20000 === 19999) await writer.flush();
    if (i === 299999) say("staging");
  }
} else if (mode === "crash-publish") {
  const store = await Store.open(path);
  const writer = await store.beginSnapshot(meta);
  for (let i = 0; i < 200000; i++) writer.add(GROUP_MEMBERS, member(i));
  say("publishing");
  await writer.publish({ requests: 1, retries: 0, rateLimited: 0 });
  say("published");
  await waitForStdin();
} else if (mode === "hold") {
  const store = await Store.open(path);
  say("ready");
  await waitForStdin();
  const writer = await store.beginSnapshot(meta);
  writer.add(GROUP_MEMBERS, member(1));
  await writer.publish({ requests: 1, retries: 0, rateLimited: 0 });
  await store.close();
  say("closed");
} else if (mode === "read") {
  const store = await Store.open(path, { readOnly: true });
  say("snapshots " + (await store.listSnapshots()).length);
  await store.close();
} else if (mode === "try-write") {
  try {
    await Store.open(path);
    say("opened");
  } catch (error) {
    say("error " + error.message);
  }
}
`;

beforeAll(() => {
  // Only the store and what it imports, so other modules' work in progress cannot break this.
  mkdirSync(join(repoRoot, ".tmp"), { recursive: true });
  build = mkdtempSync(join(repoRoot, ".tmp", "store-test-"));
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const tsconfig = join(build, "tsconfig.json");
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(repoRoot, "tsconfig.json"),
      compilerOptions: {
        noEmit: false,
        outDir: build,
        rootDir: join(repoRoot, "src"),
        sourceMap: false,
      },
      include: [],
      files: [join(repoRoot, "src/store/index.ts")],
    }),
  );
  const compiled = spawnSync(process.execPath, [tsc, "-p", tsconfig], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  if (compiled.status !== 0) throw new Error(`tsc failed: ${compiled.stdout}${compiled.stderr}`);
  // Inside the repository (in the git-ignored .tmp/) so the child resolves node_modules
  // and `"type": "module"` applies.
  writeFileSync(join(build, "child.mjs"), CHILD);
});

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  if (build) rmSync(build, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

function startChild(
  mode: string,
  path: string,
): { child: ChildProcess; next: () => Promise<string> } {
  const child = spawn(process.execPath, [join(build, "child.mjs"), mode, path], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  let stderr = "";
  child.stderr?.setEncoding("utf8"); // a character can straddle two chunks
  child.stderr?.on("data", (d: string) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  lines.on("line", (line) => {
    const resolve = waiting.shift();
    if (resolve) resolve(line);
    else queue.push(line);
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const queued = queue.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(
        () => reject(new Error(`child ${mode} said nothing; stderr: ${stderr}`)),
        20_000,
      );
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      child.once("exit", (code) =>
        reject(new Error(`child ${mode} exited ${code}; stderr: ${stderr}`)),
      );
    });
  return { child, next };
}

function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function publishSmall(path: string): Promise<string> {
  const store = await Store.open(path);
  const writer = await store.beginSnapshot(META);
  writer.add(GROUPS, {
    group_id: "group-0",
    name: "Zero",
    group_type: "group",
    is_scim_managed: false,
    created_at: 1_700_000_000,
  });
  writer.add(GROUP_MEMBERS, { group_id: "group-0", user_id: "user-0", email: null, name: "Zero" });
  const { seal } = await writer.publish({ requests: 2, retries: 0, rateLimited: 0 });
  await store.close();
  return seal;
}

async function membersIn(store: Store, snapshotId: number): Promise<number> {
  const rows = await store.query<{ n: number }>(
    "SELECT count(*) AS n FROM snapshot_group_members WHERE snapshot_id = $1",
    [snapshotId],
  );
  return rows[0]?.n ?? -1;
}

describe("a killed crawl", () => {
  it("while staging: leaves nothing visible, is marked abandoned, and the next crawl publishes", async () => {
    const path = dbPath();
    const seal = await publishSmall(path);
    const { child, next } = startChild("crash-staging", path);
    expect(await next()).toBe("staging");
    await killAndWait(child);
    // With an 8MB staging limit the TEMP tables spilled into the child's private folder
    // (`<db>.tmp-<pid>-XXXXXX`, 0700); the files outlive the process.
    const spill = `${path}.tmp-${child.pid}-`;
    const spilled = readdirSync(dirname(path)).filter((n) =>
      join(dirname(path), n).startsWith(spill),
    );
    expect(spilled).toHaveLength(1);
    expect(statSync(join(dirname(path), spilled[0] as string)).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dirname(path), spilled[0] as string)).length).toBeGreaterThan(0);

    const store = await Store.open(path);
    const snapshots = await store.listSnapshots();
    expect(snapshots.map((s) => [s.snapshot_id, s.status, s.seal])).toEqual([
      [1, "complete", seal],
      [2, "abandoned", null],
    ]);
    expect(snapshots[1]?.error).toMatch(/ended before publishing/);
    expect(await membersIn(store, 2)).toBe(0);
    expect(await membersIn(store, 1)).toBe(1);
    expect(await store.verify()).toMatchObject({ ok: true, issues: [] });
    // The next writer removed them, folder and all.
    expect(existsSync(join(dirname(path), spilled[0] as string))).toBe(false);

    const writer = await store.beginSnapshot(META);
    writer.add(GROUP_MEMBERS, { group_id: "group-0", user_id: "user-1", email: null, name: "One" });
    const published = await writer.publish({ requests: 1, retries: 0, rateLimited: 0 });
    expect(published.snapshotId).toBe(3);
    expect(await membersIn(store, 3)).toBe(1);
    expect((await store.verify()).ok).toBe(true);
    await store.close();
  });

  it("while publishing: leaves the whole snapshot or none of it", async () => {
    const path = dbPath();
    await publishSmall(path);
    const { child, next } = startChild("crash-publish", path);
    expect(await next()).toBe("publishing");
    await new Promise((resolve) => setTimeout(resolve, 150));
    await killAndWait(child);

    const store = await Store.open(path);
    const second = (await store.listSnapshots())[1];
    expect(["complete", "abandoned"]).toContain(second?.status);
    expect(await membersIn(store, 2)).toBe(second?.status === "complete" ? 200000 : 0);
    expect(await membersIn(store, 1)).toBe(1);
    expect((await store.verify()).ok).toBe(true);
    await store.close();
  });
});

describe("one writer at a time", () => {
  it("refuses a second opener with one line naming the holder, without harming the first", async () => {
    const path = dbPath();
    await publishSmall(path);
    const { child, next } = startChild("hold", path);
    expect(await next()).toBe("ready");
    const message = `database ${path} is in use by another process (pid ${child.pid}); wait for it to finish`;
    await expect(Store.open(path)).rejects.toThrow(message);
    await expect(Store.open(path, { readOnly: true })).rejects.toThrow(message);
    try {
      await Store.open(path);
    } catch (error) {
      expect((error as Error).message.split("\n")).toHaveLength(1);
    }
    // The holder still writes and closes cleanly.
    child.stdin?.write("go\n");
    expect(await next()).toBe("closed");
    const store = await Store.open(path);
    expect((await store.listSnapshots()).map((s) => s.status)).toEqual(["complete", "complete"]);
    expect((await store.verify()).ok).toBe(true);
    await store.close();
  });

  it("refuses a second opener inside the same process too", async () => {
    const path = dbPath();
    const store = await Store.open(path);
    const message = `database ${path} is in use by another process (pid ${process.pid}); wait for it to finish`;
    await expect(Store.open(path)).rejects.toThrow(message);
    await expect(Store.open(path, { readOnly: true })).rejects.toThrow(message);
    await store.close();
    await (await Store.open(path)).close();
  });

  it("lets readers share the file and keeps writers out while they read", async () => {
    const path = dbPath();
    await publishSmall(path);
    const reader = await Store.open(path, { readOnly: true });
    const sameProcessReader = await Store.open(path, { readOnly: true });
    const read = startChild("read", path);
    expect(await read.next()).toBe("snapshots 1");
    const write = startChild("try-write", path);
    expect(await write.next()).toBe(
      `error database ${path} is in use by another process (pid ${process.pid}); wait for it to finish`,
    );
    expect(await sameProcessReader.latestCompleteSnapshotId()).toBe(1);
    await sameProcessReader.close();
    await reader.close();
  });
});
