/**
 * The anomaly rules: an organization built by hand in the simulator so that each shipped rule
 * fires exactly where it must and nowhere else, crawled twice over real HTTP into a real
 * DuckDB file (the second crawl after deliberate changes); the rules run through the library on
 * a read-only store and through the real CLI as a child process.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnomalyReport, runRules } from "../src/analysis/anomalies.js";
import { type AttributedDiffResult, attributeDiff } from "../src/analysis/attribution.js";
import { diffSnapshots } from "../src/analysis/diff.js";
import { BUILTIN_RULES_DIR, loadRules, parseRule } from "../src/analysis/rules.js";
import { AdminClient } from "../src/api/index.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { crawlInto, DAY, NO_CREDENTIALS, nowSeconds, roleId } from "./support/analysis-org.js";
import { cliEnv, runCli } from "./support/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-anomalies-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SHIPPED = [
  "admin-key-owner-not-owner",
  "admin-key-unused",
  "admin-key-without-expiry",
  "archived-project-with-access",
  "audit-log-gap",
  "change-by-non-owner",
  "custom-project-role-large-group",
  "custom-role-permissions-changed",
  "duplicate-group-names",
  "elevated-access-gained",
  "elevated-change-by-api-key",
  "elevated-change-unattributed",
  "elevated-role-manual-group",
  "elevated-role-via-group",
  "elevated-user-no-activity-signal",
  "email-domain-not-allowed",
  "group-members-without-roles",
  "group-roles-without-members",
  "inactive-elevated-user",
  "invite-elevated-pending",
  "key-rotation-overdue",
  "owner-via-group",
  "project-admin-via-manual-group",
  "project-key-owner-departed",
  "project-key-unused",
  "project-member-not-in-organization",
  "project-without-human-owner",
  "redundant-role-paths",
  "scim-group-role-assigned",
  "service-account-elevated",
  "service-account-owner-role",
];

/** Findings reduced to [rule, severity, group, user, role]. */
/** The credential rules (test/analysis.credentials.test.ts): the simulator's own admin key, never expiring and owned by nobody in these organizations, makes two findings. */
const CREDENTIAL_RULES = new Set([
  "admin-key-owner-not-owner",
  "admin-key-unused",
  "admin-key-without-expiry",
  "invite-elevated-pending",
  "key-rotation-overdue",
  "project-key-owner-departed",
  "project-key-unused",
  "service-account-owner-role",
]);

/** The rules on the changes since the previous snapshot and who made them (scope: changes). */
const CHANGE_RULES = [
  "audit-log-gap",
  "change-by-non-owner",
  "elevated-change-by-api-key",
  "elevated-change-unattributed",
];

const keys = (report: AnomalyReport) =>
  report.findings
    .filter((f) => !CREDENTIAL_RULES.has(f.rule))
    .map((f) => [f.rule, f.severity, f.group_id, f.user_id, f.role_id]);

describe("shipped rules", () => {
  it("all parse, with the documented metadata", async () => {
    const loaded = await loadRules([BUILTIN_RULES_DIR]);
    expect(loaded.errors).toEqual([]);
    expect(loaded.rules.map((r) => r.id)).toEqual(SHIPPED);
    expect(readdirSync(BUILTIN_RULES_DIR).sort()).toEqual(SHIPPED.map((id) => `${id}.sql`));
    for (const rule of loaded.rules) {
      expect(rule.title.length).toBeGreaterThan(0);
      expect(rule.controls.some((c) => c.startsWith("SOC 2 CC"))).toBe(true);
      expect(rule.controls.some((c) => c.startsWith("ISO 27001 A."))).toBe(true);
      // The rules on changes read the changes (and gaps) the runner fills for the snapshot and
      // the previous one; every other rule names its snapshot.
      if (CHANGE_RULES.includes(rule.id)) {
        expect(rule.scope, rule.id).toBe("changes");
        expect(rule.sql, rule.id).toMatch(/\bFROM analysis_(changes|audit_gaps)\b/);
      } else {
        expect(rule.scope, rule.id).not.toBe("changes");
        expect(rule.parameters, rule.id).toContain("snapshot");
      }
    }
    const bySeverity = Object.fromEntries(loaded.rules.map((r) => [r.id, r.severity]));
    expect(bySeverity["owner-via-group"]).toBe("critical");
    expect(loaded.rules.find((r) => r.id === "inactive-elevated-user")?.parameters.sort()).toEqual([
      "inactivity_days",
      "previous",
      "snapshot",
    ]);
    expect(loaded.rules.find((r) => r.id === "email-domain-not-allowed")?.requires).toEqual([
      "allowed_email_domains",
    ]);
  });

  it("rejects bad metadata with a one-line reason", () => {
    expect(() => parseRule("SELECT 1", "x.sql")).toThrow(/no metadata/);
    expect(() =>
      parseRule(
        "-- id: x\n-- title: t\n-- severity: urgent\n-- rationale: r\n-- remediation: m\nSELECT 1",
        "x.sql",
      ),
    ).toThrow(/^invalid metadata: severity: /);
    expect(() =>
      parseRule(
        "-- id: x\n-- title: t\n-- severity: low\n-- rationale: r\n-- remediation: m\n-- sevrity: low\nSELECT 1",
        "x.sql",
      ),
    ).toThrow(/invalid metadata: .*sevrity/);
    expect(() =>
      parseRule(
        "-- id: x\n-- title: t\n-- severity: low\n-- rationale: r\n-- remediation: m\n",
        "x.sql",
      ),
    ).toThrow(/no query/);
  });
});

describe("anomaly rules on a crafted organization", () => {
  let sim: RunningSimulator;
  const db = join(tmp, "anomalies.duckdb");
  let s1: number;
  let s2: number;
  let consoleActor: ReturnType<RunningSimulator["state"]["auditActor"]> = null;
  const ids: Record<string, string> = {};
  const id = (name: string): string => {
    const value = ids[name];
    if (value === undefined) throw new Error(`no id for ${name}`);
    return value;
  };

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 21,
      groups: 0,
      users: 0,
      projects: 0,
      ...NO_CREDENTIALS,
    });
    const s = sim.state;
    const now = nowSeconds();
    for (const name of [
      "Owner",
      "Reader",
      "Billing Manager",
      "Project Administrator",
      "User Administrator",
      "Usage Viewer",
      "Security Auditor",
      "Project Viewer",
    ]) {
      ids[name] = roleId(sim, name);
    }
    ids["Support Agent"] = s.createRole({
      name: "Support Agent",
      permissions: ["api.usage.read"],
    }).id;
    const user = (key: string, options: Parameters<typeof s.createUser>[0]) => {
      ids[key] = s.createUser(options).id;
    };
    user("alice", { name: "Alice", email: "alice@corp.example", apiKeyLastUsedAt: now - 10 * DAY });
    user("bob", { name: "Bob", email: "bob@corp.example", apiKeyLastUsedAt: now - 200 * DAY });
    user("carol", { name: "Carol", email: "carol@gmail.com" });
    user("svc", { name: "deploy-bot", email: null, isServiceAccount: true });
    user("dan", { name: "Dan", email: "dan@eu.corp.example", apiKeyLastUsedAt: now - 500 * DAY });
    user("erin", { name: "Erin", email: "erin@corp.example" });
    const group = (key: string, name: string, isScimManaged: boolean) => {
      ids[key] = s.createGroup(name, { isScimManaged }).id;
    };
    group("admins", "Org Admins", false);
    group("eng", "okta-engineering", true);
    group("billing", "Finance Billing", false);
    group("platform", "okta-platform-admins", true);
    group("auditors", "Legacy Auditors", true);
    group("marketing", "okta-marketing", true);
    group("ds1", "Data Science", true);
    group("ds2", "DATA SCIENCE", false);

    s.assignGroupRole(id("admins"), id("Owner"));
    s.addMember(id("admins"), id("alice"));
    s.addMember(id("admins"), id("bob"));
    s.assignUserRole(id("alice"), id("Owner")); // redundant with Org Admins
    s.assignGroupRole(id("eng"), id("Reader"));
    for (const u of ["carol", "dan", "erin"]) s.addMember(id("eng"), id(u));
    s.assignUserRole(id("erin"), id("Reader")); // redundant with okta-engineering
    s.assignUserRole(id("erin"), id("Support Agent")); // becomes elevated in snapshot 2
    s.assignGroupRole(id("billing"), id("Billing Manager")); // no members yet
    s.assignGroupRole(id("platform"), id("User Administrator")); // elevated, but SCIM-managed
    s.addMember(id("platform"), id("alice"));
    s.assignGroupRole(id("auditors"), id("Security Auditor")); // roles, no members
    s.addMember(id("marketing"), id("carol")); // members, no roles
    s.assignGroupRole(id("ds1"), id("Project Viewer"));
    s.addMember(id("ds1"), id("erin"));
    s.assignGroupRole(id("ds2"), id("Project Viewer"));
    s.addMember(id("ds2"), id("dan"));
    s.assignUserRole(id("svc"), id("Project Administrator"));
    s1 = await crawlInto(sim, db);

    // The changes the diff-based rules must see, and nothing else. Made through the state: the
    // console, recorded as the session of the first Owner (Alice), so the change rules are
    // silent (attributed, by an Owner; a manual group's membership is not logged).
    consoleActor = s.auditActor();
    s.addMember(id("billing"), id("dan")); // dan gains Billing Manager
    s.assignGroupRole(id("eng"), id("Usage Viewer")); // by hand, on a SCIM group
    s.updateRole(id("Support Agent"), { permissions: ["api.usage.read", "api.projects.write"] });
    s2 = await crawlInto(sim, db);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  const baseline = () => [
    ["owner-via-group", "critical", id("admins"), null, id("Owner")],
    ["elevated-role-manual-group", "high", id("admins"), null, id("Owner")],
    ["elevated-role-manual-group", "high", id("billing"), null, id("Billing Manager")],
    ["email-domain-not-allowed", "high", null, id("carol"), null],
    ["service-account-elevated", "high", null, id("svc"), id("Project Administrator")],
  ];

  it("snapshot 2 against snapshot 1: exactly the expected findings", async () => {
    const store = await Store.open(db, { readOnly: true });
    let report: AnomalyReport;
    let attributed: AttributedDiffResult;
    try {
      report = await runRules(store, {
        snapshotId: s2,
        config: { allowedEmailDomains: ["corp.example"] },
      });
      attributed = await attributeDiff(store, await diffSnapshots(store, { from: s1, to: s2 }));
    } finally {
      await store.close();
    }
    // Why the change rules are silent: both crawls synced the audit log, which covers the
    // interval; the console's changes are Alice's (an Owner in snapshot 1), the Support Agent
    // edit (elevated in snapshot 2) included; Dan joining the manual billing group is not logged.
    expect(consoleActor).toMatchObject({ type: "session", session: { user: { id: id("alice") } } });
    expect(attributed.audit_log).toMatchObject({ covered: true, gaps: [], failed_syncs: [] });
    const status = (kind: string) =>
      attributed.changes
        .filter((c) => c.kind === kind)
        .map((c) => [c.attribution.status, c.attribution.actor?.user_id ?? null]);
    expect(status("member_added")).toEqual([["not_logged", null]]);
    expect(status("group_role_granted")).toEqual([["attributed", id("alice")]]);
    expect(status("role_permissions_changed")).toEqual([["attributed", id("alice")]]);
    expect(report.errors).toEqual([]);
    expect(report.snapshot_id).toBe(s2);
    const expected = [
      ["owner-via-group", "critical", id("admins"), null, id("Owner")],
      // One finding per root cause: the group that gave the role, its new holder listed under it.
      ["elevated-access-gained", "high", id("billing"), null, id("Billing Manager")],
      ...baseline().slice(1),
      ["custom-role-permissions-changed", "medium", null, null, id("Support Agent")],
      ["duplicate-group-names", "medium", id("ds1"), null, null],
      ["duplicate-group-names", "medium", id("ds2"), null, null],
      ["elevated-role-via-group", "medium", id("billing"), null, id("Billing Manager")],
      ["elevated-role-via-group", "medium", id("platform"), null, id("User Administrator")],
      // Bob, idle 200 days, by the group that gives him Owner; Dan's key has been idle 500 days,
      // but he gained Billing Manager in this snapshot: new access is never judged inactive.
      ["inactive-elevated-user", "medium", id("admins"), null, id("Owner")],
      ["scim-group-role-assigned", "medium", id("eng"), null, id("Usage Viewer")],
      ["group-members-without-roles", "low", id("marketing"), null, null],
      ["group-roles-without-members", "low", id("auditors"), null, null],
      ["redundant-role-paths", "low", null, id("alice"), id("Owner")],
      ["redundant-role-paths", "low", null, id("erin"), id("Reader")],
    ];
    // Within a rule, findings sort by group, user, role id; ids are time-ordered like creation.
    const sortWithinRule = (rows: (string | null)[][]) =>
      [...rows].sort((a, b) => {
        const rank = ["critical", "high", "medium", "low"];
        const k = (r: (string | null)[]) => [
          String(rank.indexOf(r[1] as string)),
          ...r.slice(0, 1),
          ...r.slice(2).map((x) => x ?? ""),
        ];
        const [x, y] = [k(a), k(b)];
        for (let i = 0; i < x.length; i++) {
          if (x[i] !== y[i]) return (x[i] as string) < (y[i] as string) ? -1 : 1;
        }
        return 0;
      });
    expect(sortWithinRule(keys(report))).toEqual(sortWithinRule(expected));
    // Within a severity, new and changed findings come first, then the higher tier.
    const order = report.findings.map((f) => `${f.severity}:${f.state}`);
    expect(order.indexOf("high:new")).toBeLessThan(order.indexOf("high:unchanged"));
    expect(order.indexOf("medium:changed")).toBeLessThan(order.indexOf("medium:unchanged"));

    const detail = (rule: string, key?: string) =>
      report.findings.find(
        (f) => f.rule === rule && (key === undefined || f.user_id === key || f.group_id === key),
      )?.detail;
    expect(detail("owner-via-group")).toBe('group "Org Admins" grants Owner to 2 member(s)');
    expect(detail("elevated-access-gained")).toBe(
      `1 member(s) of group "Finance Billing" gained Billing Manager since snapshot ${s1}`,
    );
    const members = (rule: string) =>
      report.findings.filter((f) => f.rule === rule).map((f) => f.members.map((m) => m.email));
    expect(members("elevated-access-gained")).toEqual([["dan@eu.corp.example"]]);
    expect(members("inactive-elevated-user")).toEqual([["bob@corp.example"]]);
    expect(members("owner-via-group")).toEqual([["alice@corp.example", "bob@corp.example"].sort()]);
    // Tiers: Owner, administers access (User Administrator writes users), other write.
    const tier = (rule: string, group: string) =>
      report.findings.find((f) => f.rule === rule && f.group_id === id(group))?.tier;
    expect(tier("owner-via-group", "admins")).toBe("owner");
    expect(tier("elevated-role-via-group", "platform")).toBe("access-admin");
    expect(tier("elevated-role-via-group", "billing")).toBe("write");
    // New, changed or unchanged against snapshot 1's findings.
    const state = (rule: string) => report.findings.find((f) => f.rule === rule)?.state;
    expect(state("owner-via-group")).toBe("unchanged");
    expect(state("elevated-access-gained")).toBe("new");
    expect(state("elevated-role-via-group")).toBe("changed"); // Billing Manager gained Dan
    expect(report.previous_snapshot_id).toBe(s1);
    expect(detail("email-domain-not-allowed")).toBe(
      'carol@gmail.com is outside the allowed domains; access: Reader (via group "okta-engineering"), Usage Viewer (via group "okta-engineering")',
    );
    expect(detail("service-account-elevated")).toBe(
      "service account deploy-bot holds Project Administrator directly",
    );
    expect(detail("custom-role-permissions-changed")).toBe(
      `role "Support Agent" permissions changed since snapshot ${s1}: added [api.projects.write], removed []`,
    );
    expect(detail("duplicate-group-names", id("ds2"))).toBe(
      'name "DATA SCIENCE" is shared by 2 groups',
    );
    expect(detail("inactive-elevated-user", id("admins"))).toMatch(
      /^group "Org Admins" gives Owner to 1 member\(s\) with no API key use in 90 days \(latest use among them \d{4}-\d\d-\d\d\)$/,
    );
    expect(detail("scim-group-role-assigned")).toBe(
      `Usage Viewer assigned to SCIM-managed group "okta-engineering" since snapshot ${s1}`,
    );
    expect(detail("redundant-role-paths", id("erin"))).toBe(
      'erin@corp.example holds Reader by 2 paths: direct, group "okta-engineering"',
    );
    expect(detail("group-roles-without-members")).toBe(
      'group "Legacy Auditors" holds 1 role(s) and has no members',
    );
    expect(detail("group-members-without-roles")).toBe(
      'group "okta-marketing" has 1 member(s) and no roles',
    );
  });

  it("snapshot 1 (no previous): the change rules stay silent; config changes the result", async () => {
    const store = await Store.open(db, { readOnly: true });
    try {
      const report = await runRules(store, { snapshotId: s1 });
      expect(report.errors).toEqual([]);
      const rules = new Set(report.findings.map((f) => f.rule));
      for (const rule of [
        "elevated-access-gained",
        "scim-group-role-assigned",
        "custom-role-permissions-changed",
        "email-domain-not-allowed", // no allowed domains configured
      ]) {
        expect(rules.has(rule)).toBe(false);
      }
      expect(keys(report).filter((k) => k[0] === "group-roles-without-members")).toEqual(
        [
          ["group-roles-without-members", "low", id("billing"), null, null],
          ["group-roles-without-members", "low", id("auditors"), null, null],
        ].sort((a, b) => ((a[2] as string) < (b[2] as string) ? -1 : 1)),
      );
      expect(keys(report).filter((k) => k[0] === "inactive-elevated-user")).toEqual([
        ["inactive-elevated-user", "medium", id("admins"), null, id("Owner")],
      ]);
      // A rule that could not run is skipped with its reason and setting, never "ok".
      const status = (rule: string) => report.rules.find((r) => r.rule === rule);
      expect(status("email-domain-not-allowed")).toMatchObject({
        status: "skip",
        setting: "analysis.allowed_email_domains in the configuration, or --allowed-domain",
      });
      expect(status("elevated-access-gained")).toMatchObject({ status: "skip" });
      expect(status("owner-via-group")).toMatchObject({ status: "alarm", findings: 1 });
      expect(status("service-account-owner-role")).toMatchObject({ status: "ok", findings: 0 });
      expect(report.rules.map((r) => r.rule)).toEqual([...report.rules.map((r) => r.rule)].sort());

      // A longer inactivity window, and elevated-by-name configuration.
      const relaxed = await runRules(store, {
        snapshotId: s2,
        previousId: s1,
        config: { inactivityDays: 300, elevatedRoleNames: ["Security Auditor"] },
      });
      // Bob's 200 idle days are under 300; Dan's 500 are over, but his Billing Manager is new in
      // snapshot 2, so it is not judged: the old rule called him inactive the day he got it.
      expect(keys(relaxed).filter((k) => k[0] === "inactive-elevated-user")).toEqual([]);
      expect(keys(relaxed).filter((k) => k[0] === "elevated-role-via-group")).toContainEqual([
        "elevated-role-via-group",
        "medium",
        id("auditors"),
        null,
        id("Security Auditor"),
      ]);
    } finally {
      await store.close();
    }
  });

  it("members as a list or as JSON text: the same findings; bad JSON text is the rule's error", async () => {
    // The shipped rules read group_members_json (one text per finding, parsed by the runner);
    // a rule of one's own may still return group_members' list of structs.
    const rulesDir = join(tmp, "members-rules");
    mkdirSync(rulesDir, { recursive: true });
    const rule = (ruleId: string, members: string) =>
      [
        `-- id: ${ruleId}`,
        "-- title: Groups holding roles",
        "-- severity: low",
        "-- rationale: r",
        "-- remediation: m",
        "SELECT gr.group_id, NULL AS user_id, gr.role_id, 'holds a role' AS detail,",
        `  ${members} AS members,`,
        "  group_member_count(gr.snapshot_id, gr.group_id) AS member_count",
        "FROM snapshot_group_roles AS gr WHERE gr.snapshot_id = $snapshot",
      ].join("\n");
    writeFileSync(
      join(rulesDir, "as-list.sql"),
      rule("as-list", "group_members(gr.snapshot_id, gr.group_id)"),
    );
    writeFileSync(
      join(rulesDir, "as-json.sql"),
      rule("as-json", "group_members_json(gr.snapshot_id, gr.group_id)"),
    );
    writeFileSync(join(rulesDir, "bad-json.sql"), rule("bad-json", "'[{\"user_id\": '"));
    const store = await Store.open(db, { readOnly: true });
    let report: AnomalyReport;
    try {
      report = await runRules(store, { snapshotId: s2, builtin: false, ruleDirs: [rulesDir] });
    } finally {
      await store.close();
    }
    const of = (ruleId: string) =>
      report.findings
        .filter((f) => f.rule === ruleId)
        .map(({ rule: _rule, ...rest }) => rest)
        .sort((a, b) => `${a.group_id}${a.role_id}`.localeCompare(`${b.group_id}${b.role_id}`));
    expect(of("as-list").length).toBeGreaterThan(0);
    expect(of("as-list").some((f) => f.members.length > 1)).toBe(true);
    expect(of("as-json")).toEqual(of("as-list"));
    expect(report.errors).toEqual([
      {
        rule: "bad-json",
        message: expect.stringMatching(
          /bad-json\.sql: rule bad-json: members must be a list or its JSON text$/,
        ),
      },
    ]);
  });

  it("CLI: --json, a custom rules folder with broken rules, --fail-on precedence", async () => {
    const env = cliEnv({});
    const rulesDir = join(tmp, "my-rules");
    mkdirSync(rulesDir, { recursive: true });
    writeFileSync(
      join(rulesDir, "direct-owners.sql"),
      [
        "-- id: direct-owners",
        "-- title: Owner granted directly",
        "-- severity: low",
        "-- rationale: Owners should be few and named.",
        "-- remediation: Review the list.",
        "-- controls: [SOC 2 CC6.3, ISO 27001 A.8.2]",
        "SELECT NULL AS group_id, user_id, role_id, 'direct owner' AS detail",
        "FROM effective_access",
        "WHERE snapshot_id = $snapshot AND via = 'direct' AND role_name = 'Owner';",
      ].join("\n"),
    );
    writeFileSync(
      join(rulesDir, "broken.sql"),
      "-- id: broken-rule\n-- title: t\n-- severity: high\n-- rationale: r\n-- remediation: m\nSELECT nope FROM no_such_table\n",
    );
    writeFileSync(
      join(rulesDir, "bad-meta.sql"),
      "-- id: bad-meta\n-- title: t\n-- severity: urgent\n-- rationale: r\n-- remediation: m\nSELECT 1\n",
    );

    const run = await runCli(
      ["anomalies", "--db", db, "--rules", rulesDir, "--allowed-domain", "corp.example", "--json"],
      env,
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("access-audit: 2 rule(s) failed: bad-meta, broken-rule\n");
    const json = JSON.parse(run.stdout) as AnomalyReport;
    // as_of: when exceptions were judged; accepted: findings an exception accepts (none here).
    expect(Object.keys(json)).toEqual([
      "snapshot_id",
      "previous_snapshot_id",
      "findings",
      "errors",
      "rules",
      "skipped",
      "as_of",
      "accepted",
    ]);
    expect(json.rules.find((r) => r.rule === "broken-rule")).toMatchObject({ status: "error" });
    expect(json.snapshot_id).toBe(s2);
    expect(json.errors.map((e) => e.rule)).toEqual(["bad-meta", "broken-rule"]);
    expect(json.errors[0]?.message).toMatch(/bad-meta\.sql: invalid metadata: severity:/);
    expect(json.errors[1]?.message).toMatch(/broken\.sql: .*no_such_table/);
    expect(json.findings.filter((f) => f.rule === "direct-owners")).toEqual([
      {
        rule: "direct-owners",
        severity: "low",
        title: "Owner granted directly",
        project_id: null,
        credential_id: null,
        group_id: null,
        user_id: id("alice"),
        role_id: id("Owner"),
        detail: "direct owner",
        tier: "owner",
        members: [],
        member_count: 0,
        state: "unchanged",
        exception: null,
      },
    ]);
    // The shipped rules still ran: the same 17 findings as through the library, plus the custom one.
    expect(json.findings.filter((f) => !CREDENTIAL_RULES.has(f.rule))).toHaveLength(18);

    // Findings at or above --fail-on win over rule errors: exit 3.
    const failing = await runCli(
      ["anomalies", "--db", db, "--rules", rulesDir, "--fail-on", "critical"],
      env,
    );
    expect(failing.status).toBe(3);
    // The verdict says what was not evaluated: the domain rule, with no --allowed-domain.
    expect(failing.stderr).toBe(
      "access-audit: 1 finding(s) at or above critical (1 rule(s) skipped, not evaluated)\n",
    );
    // The readable report: grouped by severity, rationale and remediation once per rule.
    const text = failing.stdout;
    const [first, second] = text.split("\n");
    // No --allowed-domain this time: the domain rule is skipped; bad-meta did not load. 17, and
    // the two about the simulator's own admin key (no expiry, no Owner as owner), less the
    // domain finding, plus direct-owners. 33 rules: the 31 shipped, direct-owners and broken-rule.
    expect(first).toMatch(
      new RegExp(
        `^snapshot ${s2}: 19 finding\\(s\\) \\(critical 1, high 5, medium 8, low 5\\), \\d+ new or changed since snapshot ${s1}$`,
      ),
    );
    expect(second).toMatch(/^rules: 33: \d+ alarm, \d+ ok, 1 skipped \(not evaluated\), 1 error$/);
    expect(text).toContain(
      "SKIPPED, NOT EVALUATED (1)\n  email-domain-not-allowed: no allowed email domains are configured",
    );
    expect(text.indexOf("CRITICAL (1)")).toBeGreaterThan(0);
    expect(text.indexOf("CRITICAL (1)")).toBeLessThan(text.indexOf("HIGH (5)"));
    expect(text.indexOf("HIGH (5)")).toBeLessThan(text.indexOf("MEDIUM (8)"));
    expect(text.indexOf("MEDIUM (8)")).toBeLessThan(text.indexOf("LOW (5)"));
    expect(
      text.match(/ {2}redundant-role-paths: User holds the same role by several paths \(2\)/g),
    ).toHaveLength(1);
    expect(text.match(/ {4}why: With redundant grants/g)).toHaveLength(1);
    expect(text).toContain("RULE ERRORS (2)\n  bad-meta: ");

    // Without rule errors: --fail-on below the worst finding exits 3, and a missing folder is usage.
    const high = await runCli(
      ["anomalies", "--db", db, "--snapshot", String(s1), "--fail-on", "high", "--json"],
      env,
    );
    expect(high.status).toBe(3);
    const missing = await runCli(["anomalies", "--db", db, "--rules", join(tmp, "nope")], env);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^access-audit: cannot read rules folder .*nope \(ENOENT\)\n$/);
    const unknown = await runCli(["anomalies", "--db", db, "--snapshot", "42"], env);
    expect(unknown).toMatchObject({ status: 2, stdout: "" });
    const badSeverity = await runCli(["anomalies", "--db", db, "--fail-on", "urgent"], env);
    expect(badSeverity.status).toBe(2);
  });

  it("an empty organization: no findings, --fail-on low exits 0", async () => {
    const empty = await startSimulator({
      port: 0,
      seed: 5,
      groups: 0,
      users: 0,
      projects: 0,
      ...NO_CREDENTIALS,
    });
    const emptyDb = join(tmp, "empty-org.duckdb");
    // Both crawls sync the (empty) audit log: it covers the interval, so audit-log-gap is silent
    // too, and the rules on changes are not skipped (there is a previous snapshot).
    try {
      await crawlInto(empty, emptyDb, { credentials: false });
      await crawlInto(empty, emptyDb, { credentials: false });
    } finally {
      await empty.stop();
    }
    const run = await runCli(
      ["anomalies", "--db", emptyDb, "--fail-on", "low", "--json"],
      cliEnv({}),
    );
    // No finding, but the verdict says what was not evaluated: skipped is not passed.
    const skippedRules = [...CREDENTIAL_RULES, "email-domain-not-allowed"].sort();
    expect(run.stderr).toBe(
      `no finding at or above low (${skippedRules.length} rule(s) skipped, not evaluated)\n`,
    );
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as AnomalyReport;
    expect(json).toMatchObject({
      snapshot_id: 2,
      previous_snapshot_id: 1,
      findings: [],
      as_of: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
      accepted: 0,
      errors: [],
    });
    expect(json.skipped.map((s) => s.rule)).toEqual(skippedRules);
    expect(json.skipped.find((s) => s.rule === [...CREDENTIAL_RULES][0])?.reason).toBe(
      "snapshot 2 did not collect credentials (crawled with --no-credentials or --no-projects, or before credentials were read)",
    );
    expect(json.rules.filter((r) => r.status === "skip").map((r) => r.rule)).toEqual(skippedRules);
    expect(json.rules.filter((r) => r.status === "ok").length).toBe(
      json.rules.length - skippedRules.length,
    );
  });
});

describe("the rules on changes: who made them", () => {
  /** Waits until `seconds` whole seconds have begun (audit events are dated to the second). */
  const nextSecond = async (seconds = 1) => {
    const until = (Math.floor(Date.now() / 1000) + seconds) * 1000 + 20;
    await new Promise((resolve) => setTimeout(resolve, until - Date.now()));
  };
  const changeFindings = (report: AnomalyReport) =>
    report.findings
      .filter((f) => CHANGE_RULES.includes(f.rule))
      .map((f) => [f.rule, f.severity, f.group_id, f.user_id, f.role_id]);

  it("fire on a grant by an API key, by a non-Owner, with logging off, and on a gap", async () => {
    const sim = await startSimulator({
      port: 0,
      seed: 29,
      groups: 0,
      users: 0,
      projects: 0,
      ...NO_CREDENTIALS,
    });
    const db = join(tmp, "change-rules.duckdb");
    const gapDb = join(tmp, "change-rules-gap.duckdb");
    try {
      const s = sim.state;
      const user = (name: string) =>
        s.createUser({ name, email: `${name.toLowerCase()}@corp.example` }).id;
      const [alice, bob, carol, dan] = ["Alice", "Bob", "Carol", "Dan"].map(user) as [
        string,
        string,
        string,
        string,
      ];
      const owner = roleId(sim, "Owner");
      const billing = roleId(sim, "Billing Manager");
      const usage = roleId(sim, "Usage Viewer");
      s.assignUserRole(alice, owner); // the only Owner: the console's session
      const ops = s.createGroup("Ops", { isScimManaged: false }).id;
      await nextSecond();
      const first = await crawlInto(sim, db);
      await crawlInto(sim, gapDb);

      // 1. Over HTTP, with the simulator's admin key (owned by a user outside the organization):
      //    an elevated grant, by an API key, by someone who is not an Owner.
      const client = new AdminClient({ baseUrl: sim.baseUrl, apiKey: sim.adminKey });
      try {
        await client.assignGroupRole(ops, billing);
      } finally {
        await client.close();
      }
      const keyActor = s.auditActor(s.simulatorKeyActor());
      const keyOwner = keyActor?.type === "api_key" ? keyActor.api_key.user?.id : undefined;
      expect(keyOwner).toEqual(expect.any(String));
      // 2. Bob, a reader, in the console: a grant by a non-Owner (not elevated).
      s.asActor({ kind: "session", userId: bob }, () => s.assignUserRole(carol, usage));
      // 3. Audit logging off: Dan made an Owner with no event (the grant and his legacy role).
      sim.setAuditLogMode("disabled");
      s.assignUserRole(dan, owner);
      sim.setAuditLogMode("enabled");
      // 4. Alice, an Owner, in the console: silent.
      s.assignUserRole(bob, usage);
      await nextSecond();
      const second = await crawlInto(sim, db);
      await crawlInto(sim, gapDb, { auditLog: false });

      const rows = (rows: (string | null)[][]) =>
        [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const run = async (path: string) => {
        const store = await Store.open(path, { readOnly: true });
        try {
          const report = await runRules(store, { snapshotId: second });
          expect(report.errors).toEqual([]);
          return report;
        } finally {
          await store.close();
        }
      };
      const synced = await run(db);
      expect(rows(changeFindings(synced))).toEqual(
        rows([
          ["elevated-change-unattributed", "critical", null, dan, owner],
          ["elevated-change-unattributed", "critical", null, dan, null],
          ["elevated-change-by-api-key", "high", ops, null, billing],
          ["change-by-non-owner", "high", ops, keyOwner ?? "", billing],
          ["change-by-non-owner", "high", null, bob, usage],
        ]),
      );
      const detail = (rule: string, key: string | null) =>
        synced.findings.find((f) => f.rule === rule && (f.user_id === key || f.group_id === key))
          ?.detail;
      expect(detail("elevated-change-unattributed", dan)).toMatch(
        /is unattributed: no matching event in the audit log, which covers this interval: the change was made out of band, or audit logging was off$/,
      );
      expect(detail("elevated-change-by-api-key", ops)).toMatch(
        new RegExp(
          `^group role granted: .* was made by API key ${keyActor?.type === "api_key" ? keyActor.api_key.id : "?"} of `,
        ),
      );
      expect(detail("change-by-non-owner", bob)).toMatch(
        new RegExp(`; bob@corp\\.example was not an Owner in snapshot ${first}$`),
      );

      // The same changes, the second crawl without its sync: a gap, and the grants that need an
      // event are unattributed (the one made with logging off too); nobody can be named.
      const gap = await run(gapDb);
      const found = changeFindings(gap);
      expect(rows(found)).toEqual(
        rows([
          ["audit-log-gap", "medium", null, null, null],
          ["elevated-change-unattributed", "critical", ops, null, billing],
          ["elevated-change-unattributed", "critical", null, dan, owner],
          ["elevated-change-unattributed", "critical", null, dan, null],
        ]),
      );
      expect(gap.findings.find((f) => f.rule === "audit-log-gap")?.detail).toMatch(
        /^no audit-log coverage from \S+ to \S+$/,
      );
      expect(
        gap.findings.find((f) => f.rule === "elevated-change-unattributed" && f.group_id === ops)
          ?.detail,
      ).toMatch(/is unattributed: the audit log held does not cover /);
    } finally {
      await sim.stop();
    }
  });
});
