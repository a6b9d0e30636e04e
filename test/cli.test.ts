/** The real CLI as a child process: help, version, exit codes, one-line errors. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, cliEnv } from "./support/cli.js";

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: cliEnv(env),
    timeout: 60_000,
  });
}

describe("access-audit CLI", () => {
  it("prints help and version", () => {
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: access-audit");
    expect(help.stdout).toContain("simulate");
    const version = run(["--version"]);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("has --help on every subcommand", () => {
    const help = run(["--help"]);
    const commands = [...help.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)]
      .map((m) => m[1] ?? "")
      .filter((c) => c !== "help");
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const command of commands) {
      const sub = run([command, "--help"]);
      expect(sub.status, command).toBe(0);
      expect(sub.stdout, command).toContain(`Usage: access-audit ${command}`);
    }
  });

  it("exits 2 with one line for usage errors", () => {
    for (const args of [
      ["--no-such-flag"],
      ["no-such-command"],
      ["simulate", "--port", "abc"],
      ["simulate", "--groups", "-5"],
    ]) {
      const r = run(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr).toMatch(/^access-audit: /);
    }
  });

  describe("simulate", () => {
    let child: ChildProcess | undefined;
    afterAll(() => {
      child?.kill("SIGTERM");
    });

    it("serves the API and prints its base URL and key on one line", async () => {
      child = spawn(
        process.execPath,
        [CLI, "simulate", "--port", "0", "--seed", "3", "--groups", "7", "--users", "40"],
        {
          env: cliEnv({}),
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const stdout = child.stdout;
      if (!stdout) throw new Error("no stdout");
      const line = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: stdout });
        rl.once("line", resolve);
        child?.once("exit", (code) => reject(new Error(`simulate exited ${code}`)));
      });
      const [baseUrl, key] = line.split(" ");
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(key).toMatch(/^sk-admin-/);
      const res = await fetch(`${baseUrl}/organization/groups?limit=1000`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: unknown[]; has_more: boolean };
      expect(body.data).toHaveLength(7);
      expect(body.has_more).toBe(false);
      const denied = await fetch(`${baseUrl}/organization/groups`);
      expect(denied.status).toBe(401);
      const exited = new Promise<number | null>((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    });
  });
});
