/**
 * A crafted organization with projects for the report's Projects section and sheets: a few
 * projects whose owners, attached groups and custom roles are known exactly, a project per
 * hostile name of the corpus (test/support/hostile.ts), an archived project, and a project
 * owned by more people than the report lists. Crawled over HTTP into a real DuckDB file, once
 * with projects, and into other files with `projects: false` and with
 * `projectRoleAssignments: false`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  PROJECT_OWNER_ROLE,
  PROJECT_VIEWER_ROLE,
  type RunningSimulator,
  startSimulator,
} from "../../src/simulator/index.js";
import { crawlInto } from "./analysis-org.js";
import { HOSTILE_CORPUS, type HostileKey } from "./hostile.js";

export interface ProjectOrg {
  sim: RunningSimulator;
  dir: string;
  /** Crawled with projects (and their role assignments). */
  dbPath: string;
  snapshot: number;
  /** The same organization crawled with `projects: false`. */
  uncollectedDbPath: string;
  /** The same organization crawled with `projectRoleAssignments: false`. */
  noAssignmentsDbPath: string;
  /** Project ids. */
  alpha: string;
  archived: string;
  crowded: string;
  hostile: Record<HostileKey, string>;
  /** User ids. */
  users: { alice: string; bob: string; carol: string; dave: string; erin: string };
  /** Group ids. */
  groups: { owners: string; viewers: string; crowd: string; hostile: string };
  /** The custom role of Alpha. */
  deployerRoleId: string;
  /** The hostile custom role of the hostile projects. */
  hostileRoleName: string;
  /** People holding Project Owner in the crowded project (more than the report lists). */
  crowdedOwners: number;
}

const HOSTILE_GROUP = '<img src=x onerror="window.__pwned=9">=HYPERLINK("x")';
const HOSTILE_ROLE = "=cmd|' /C calc'!A0 <script>window.__pwned=8</script>\u202Eexe";

/**
 * Alpha: Alice owns it by membership, Bob is a member; "Platform Owners" (SCIM) is attached with
 * Project Owner (Carol and Dave), "Viewers" (manual) with Project Viewer and the custom role
 * Deployer (Erin). "Zeta Archive" is archived with "Platform Owners" attached as owner. "Crowded"
 * has 60 owners through a group. One project per hostile name, each owned by Alice, with the
 * hostile group attached and a hostile custom role.
 */
export async function crawlProjectOrganization(): Promise<ProjectOrg> {
  const dir = mkdtempSync(join(tmpdir(), "access-audit-projects-"));
  const sim = await startSimulator({
    port: 0,
    seed: 23,
    groups: 4,
    users: 40,
    projects: 1, // the Default project only; the rest are made here
    projectCustomRoles: 0,
  });
  const s = sim.state;
  const user = (name: string, email: string) => s.createUser({ name, email }).id;
  const users = {
    alice: user("Alice Owner", "alice@corp.example"),
    bob: user("Bob Member", "bob@corp.example"),
    carol: user("Carol Group", "carol@corp.example"),
    dave: user("Dave Group", "dave@corp.example"),
    erin: user("Erin Viewer", "erin@corp.example"),
  };
  const groups = {
    owners: s.createGroup("Platform Owners", { isScimManaged: true }).id,
    viewers: s.createGroup("Viewers", { isScimManaged: false }).id,
    crowd: s.createGroup("Crowd of owners", { isScimManaged: true }).id,
    hostile: s.createGroup(HOSTILE_GROUP, { isScimManaged: false }).id,
  };
  s.addMember(groups.owners, users.carol);
  s.addMember(groups.owners, users.dave);
  s.addMember(groups.viewers, users.erin);
  s.addMember(groups.hostile, users.bob);
  const crowdedOwners = 60;
  for (let i = 0; i < crowdedOwners; i++) {
    s.addMember(
      groups.crowd,
      user(`Crowd ${i}`, `crowd${String(i).padStart(2, "0")}@corp.example`),
    );
  }

  const roleOf = (projectId: string, name: string): string => {
    const id = s.projectRoleIdByName(projectId, name);
    if (id === undefined) throw new Error(`no role ${name} in ${projectId}`);
    return id;
  };

  const alpha = s.createProject({ name: "Alpha" }).id;
  s.addProjectUser(alpha, users.alice, "owner");
  s.addProjectUser(alpha, users.bob, "member");
  s.attachProjectGroup(alpha, groups.owners, roleOf(alpha, PROJECT_OWNER_ROLE));
  s.attachProjectGroup(alpha, groups.viewers, roleOf(alpha, PROJECT_VIEWER_ROLE));
  const deployer = s.createProjectRole(alpha, {
    name: "Deployer",
    description: "Ships models",
    permissions: ["api.project.models.request", "api.project.write"],
  }).id;
  s.assignProjectGroupRole(alpha, groups.viewers, deployer);

  const archived = s.createProject({ name: "Zeta Archive" }).id;
  s.addProjectUser(archived, users.bob, "owner");
  s.attachProjectGroup(archived, groups.owners, roleOf(archived, PROJECT_OWNER_ROLE));
  s.archiveProject(archived);

  const crowded = s.createProject({ name: "Crowded" }).id;
  s.attachProjectGroup(crowded, groups.crowd, roleOf(crowded, PROJECT_OWNER_ROLE));

  const hostile = {} as Record<HostileKey, string>;
  for (const [key, name] of Object.entries(HOSTILE_CORPUS) as [HostileKey, string][]) {
    const id = s.createProject({ name }).id;
    hostile[key] = id;
    s.addProjectUser(id, users.alice, "owner");
    const role = s.createProjectRole(id, {
      name: HOSTILE_ROLE,
      description: name,
      permissions: ["api.project.read", "=1+1"],
    }).id;
    s.attachProjectGroup(id, groups.hostile, role);
  }

  const dbPath = join(dir, "projects.duckdb");
  const snapshot = await crawlInto(sim, dbPath);
  const uncollectedDbPath = join(dir, "no-projects.duckdb");
  await crawlInto(sim, uncollectedDbPath, { projects: false });
  const noAssignmentsDbPath = join(dir, "no-project-role-assignments.duckdb");
  await crawlInto(sim, noAssignmentsDbPath, { projectRoleAssignments: false });
  return {
    sim,
    dir,
    dbPath,
    snapshot,
    uncollectedDbPath,
    noAssignmentsDbPath,
    alpha,
    archived,
    crowded,
    hostile,
    users,
    groups,
    deployerRoleId: deployer,
    hostileRoleName: HOSTILE_ROLE,
    crowdedOwners,
  };
}

export { HOSTILE_GROUP, HOSTILE_ROLE };
