/**
 * One configuration, one answer: for the same snapshot and configuration file, `run`, `report`,
 * `anomalies`, `access`, `diff` and `certify start` see the same elevated roles, allowed email
 * domains and inactivity threshold (they all resolve settings through src/config's loadConfig).
 * The configuration changes all three, and a run against an empty configuration on the same
 * database shows that each setting actually changes the answer.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { cliEnv, runCli } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "config-consistency-"));
let sim: RunningSimulator;
let env: NodeJS.ProcessEnv;
const configured = join(work, "configured");
const empty = join(work, "empty");
const db = join(configured, "audit.duckdb");

/** The CLI in the configured folder (its access-audit.config.yaml applies); exit 0 expected. */
async function inConfigured(args: string[]): Promise<unknown> {
  const r = await runCli(args, env, 120_000, configured);
  expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as unknown;
}

/** The same database under an empty configuration: the defaults. */
async function withDefaults(args: string[]): Promise<unknown> {
  const r = await runCli([...args, "--db", db], env, 120_000, empty);
  expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as unknown;
}

interface Findings {
  snapshot_id: number;
  findings: { rule: string; group_id: string | null; user_id: string | null }[];
}

const byRule = (f: Findings): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of f.findings) out[x.rule] = (out[x.rule] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
};

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 5, groups: 25, users: 300 });
  env = cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey });
  mkdirSync(configured);
  mkdirSync(empty);
  writeFileSync(join(empty, "access-audit.config.yaml"), "");
  // Elevated: only roles holding an api.roles.* permission, plus the read-only Security Auditor
  // (the defaults, *.write and *.admin, make far more roles elevated); every company domain
  // allowed (so contractors stand out); inactive after 1 day instead of 90.
  writeFileSync(
    join(configured, "access-audit.config.yaml"),
    [
      "database: ./audit.duckdb",
      `api: { base_url: "${sim.baseUrl}" }`,
      "report: { formats: [xlsx], output: ./reports }",
      "analysis:",
      '  elevated_roles: { names: [Security Auditor], permission_patterns: ["api.roles.*"] }',
      "  allowed_email_domains: [acme-corp.com, initech.io, globex.net, umbrella.example, hooli.dev]",
      "  inactivity_days: 1",
      "",
    ].join("\n"),
  );
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("every command answers from the same configuration", () => {
  it("run, report and anomalies find the same findings; certify reviews the same elevated set", async () => {
    const run = (await inConfigured(["run", "--json"])) as {
      snapshot_id: number;
      findings: number;
      findings_by_rule: Record<string, number>;
    };
    const anomalies = (await inConfigured(["anomalies", "--json"])) as Findings;
    const report = (await inConfigured(["report", "--json"])) as {
      snapshot_id: number;
      findings: number;
      findings_by_rule: Record<string, number>;
    };
    expect(anomalies.snapshot_id).toBe(run.snapshot_id);
    expect(report.snapshot_id).toBe(run.snapshot_id);
    expect(byRule(anomalies)).toEqual(run.findings_by_rule);
    expect(report.findings_by_rule).toEqual(run.findings_by_rule);
    expect(report.findings).toBe(anomalies.findings.length);

    // The configuration is what made the difference: the defaults give other findings.
    const defaults = (await withDefaults(["anomalies", "--json"])) as Findings;
    expect(defaults.snapshot_id).toBe(run.snapshot_id);
    const configuredRules = byRule(anomalies);
    const defaultRules = byRule(defaults);
    // Allowed domains configured: the domain rule runs (silent without domains).
    expect(configuredRules["email-domain-not-allowed"] ?? 0).toBeGreaterThan(0);
    expect(defaultRules["email-domain-not-allowed"] ?? 0).toBe(0);
    // Elevated roles narrowed: fewer elevated-role findings through groups.
    expect(configuredRules["elevated-role-via-group"] ?? 0).toBeLessThan(
      defaultRules["elevated-role-via-group"] ?? 0,
    );
    // Inactive after 1 day instead of 90 among elevated users.
    expect(configuredRules["inactive-elevated-user"]).not.toBe(
      defaultRules["inactive-elevated-user"],
    );
    // A flag still wins over the file.
    const flagged = (await inConfigured([
      "anomalies",
      "--json",
      "--allowed-domain",
      "contractors.example.org",
    ])) as Findings;
    expect(byRule(flagged)["email-domain-not-allowed"] ?? 0).not.toBe(
      configuredRules["email-domain-not-allowed"],
    );

    // Certification of the elevated scope follows the same configuration.
    const started = (await inConfigured([
      "certify",
      "start",
      "--name",
      "configured",
      "--scope",
      "elevated",
      "--reviewer",
      "reviewer@outside.example",
      "--json",
    ])) as { snapshot_id: number; items: number };
    const startedDefaults = (await withDefaults([
      "certify",
      "start",
      "--name",
      "defaults",
      "--scope",
      "elevated",
      "--reviewer",
      "reviewer@outside.example",
      "--json",
    ])) as { snapshot_id: number; items: number };
    expect(started.snapshot_id).toBe(run.snapshot_id);
    expect(started.items).toBeGreaterThan(0);
    expect(started.items).not.toBe(startedDefaults.items);
    // Status reads the frozen population: the same items.
    const status = (await inConfigured([
      "certify",
      "status",
      "--campaign",
      "configured",
      "--json",
    ])) as {
      items: number;
    };
    expect(status.items).toBe(started.items);

    // `access` and `diff` read the configured database (no --db given).
    const access = (await inConfigured(["access", "--json", "--role", "Security Auditor"])) as {
      snapshot_id: number;
      access: unknown[];
    };
    expect(access.snapshot_id).toBe(run.snapshot_id);
    const snapshots = (await inConfigured(["snapshots", "--json"])) as unknown[];
    expect(snapshots).toHaveLength(1);
  }, 240_000);
});
