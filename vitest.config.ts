import { defineConfig } from "vitest/config";

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
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: ["test/unit/**", "**/node_modules/**"],
        },
      },
    ],
  },
});
