import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The compiled CLI entry point (`npm test` builds before running vitest). */
export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

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

/**
 * Runs the CLI without blocking this process: tests that serve the simulator in-process must
 * not use spawnSync, which would stop the simulator from answering.
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
  cwd?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      ...(cwd === undefined ? {} : { cwd }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`access-audit ${args.join(" ")} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("error", reject);
    child.once("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
