/** Child-process measurements shared by the benchmark scenarios. */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

/** Peak RSS of a child, sampled from /proc (VmHWM is the kernel's own high-water mark). */
export function watchPeakRss(pid: number): () => number {
  let peakKb = 0;
  const read = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // the process has exited; keep the last reading
    }
  };
  const timer = setInterval(read, 25);
  return () => {
    clearInterval(timer);
    read();
    return Math.round(peakKb / 1024);
  };
}

export interface RunningSim {
  baseUrl: string;
  adminKey: string;
  child: ChildProcess;
}

/** The simulator as its own process, through the real CLI (`cli`: dist/cli/main.js). */
export async function startSimProcess(cli: string, args: string[]): Promise<RunningSim> {
  const child = spawn(process.execPath, [cli, "simulate", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stdout = child.stdout;
  if (!stdout) throw new Error("no stdout from simulator");
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`simulator exited ${code}`)));
  });
  const [baseUrl, adminKey] = line.split(" ") as [string, string];
  return { baseUrl, adminKey, child };
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

export interface MeasuredRun {
  code: number | null;
  wallMs: number;
  peakRssMb: number;
  stdout: string;
}

/**
 * Runs the CLI (`cli`: dist/cli/main.js) as a child process to its exit, logging at warn (stderr
 * passes through): exit code, wall time, peak RSS and stdout.
 */
export async function runCliMeasured(
  cli: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<MeasuredRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ACCESS_AUDIT_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stopRss = watchPeakRss(child.pid ?? 0);
  let stdout = "";
  child.stdout?.setEncoding("utf8"); // a character can straddle two chunks
  child.stdout?.on("data", (chunk: string) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const peakRssMb = stopRss();
  return { code, wallMs: performance.now() - started, peakRssMb, stdout };
}
