import { defineConfig } from "vitest/config";
import SlowestFirstSequencer from "./test/support/slowest-first.js";

/**
 * Two tiers: `unit` (pure functions: configuration, transforms, rule and SQL parsing, text and
 * error helpers; seconds) runs first and stops `npm test` when it fails; `integration` is
 * everything that runs the real things (the simulator over HTTP, DuckDB files, the CLI as a
 * child process, SMTP, Chromium, LibreOffice).
 */
export default defineConfig({
  test: {
    // DuckDB is a native addon: separate processes keep each test file's instance isolated.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    sequence: { sequencer: SlowestFirstSequencer },
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          // Most files wait on child processes, latency, Chromium or LibreOffice rather than on
          // the CPU: three at a time keeps the 2-core CI machine's cores busy while some wait
          // (README, on the tests). INTEGRATION_WORKERS=1 runs them one at a time (to time a file).
          maxWorkers: Number(process.env.INTEGRATION_WORKERS ?? 3),
          // A hang guard, not a measure: files share the cores (and, on a developer's machine,
          // other work does too), so a test can take several times as long as it does alone.
          testTimeout: 300_000,
          hookTimeout: 300_000,
          include: ["test/**/*.test.ts"],
          exclude: ["test/unit/**", "**/node_modules/**"],
        },
      },
    ],
  },
});
