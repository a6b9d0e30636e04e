/**
 * The one way tests, the chaos suites and the soak start the built CLI as a child process
 * (never spawnSync: a simulator served by the calling process must keep answering).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { packageDirectory } from "../../src/util/package-dir.js";

/** The compiled CLI entry point (`npm test` builds before running vitest). */
export const CLI = join(packageDirectory(), "dist", "cli", "main.js");

/** A clean environment for a CLI child: no inherited OpenAI or audit settings. */
export function cliEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(OPENAI_|ACCESS_AUDIT_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface ChildResult extends CliResult {
  signal: NodeJS.Signals | null;
  /** Spawn to exit. */
  ms: number;
  /** True when our SIGKILL at `killAfterMs` ended it (false when it had exited before). */
  killed: boolean;
  /** True when it ran past `timeoutMs` and was killed for it. */
  timedOut: boolean;
}

export interface ChildOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Another build of the CLI (default CLI). */
  cli?: string;
  /** SIGKILL the child this long after it starts (the crash suite). */
  killAfterMs?: number;
  /** SIGKILL it after this long and report `timedOut`. Default 120 s. */
  timeoutMs?: number;
}

/** Runs the CLI to its end (or its kill) and reports how it ended; never rejects on a timeout. */
export function runCliChild(args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [options.cli ?? CLI, ...args], {
      env: options.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let exited = false;
    let killed = false;
    let timedOut = false;
    let ms = 0;
    // Decoded as a stream: a character can straddle two chunks of a long output.
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.on("data", (d: string) => {
      stderr += d;
    });
    child.once("exit", () => {
      exited = true;
      ms = performance.now() - started;
    });
    const kill = (): boolean => !exited && child.kill("SIGKILL");
    const killTimer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = kill();
          }, options.killAfterMs);
    const guard = setTimeout(() => {
      timedOut = kill();
    }, options.timeoutMs ?? 120_000);
    child.once("error", (error) => {
      clearTimeout(killTimer);
      clearTimeout(guard);
      reject(error);
    });
    child.once("close", (status, signal) => {
      clearTimeout(killTimer);
      clearTimeout(guard);
      resolve({
        status,
        signal,
        stdout,
        stderr,
        ms: ms || performance.now() - started,
        killed: killed && signal === "SIGKILL",
        timedOut,
      });
    });
  });
}

/** Runs the CLI to its end; a run past `timeoutMs` is killed and rejects. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
  cwd?: string,
): Promise<CliResult> {
  const result = await runCliChild(args, { env, timeoutMs, ...(cwd === undefined ? {} : { cwd }) });
  if (result.timedOut) {
    throw new Error(`access-audit ${args.join(" ")} timed out after ${timeoutMs} ms`);
  }
  return result;
}
