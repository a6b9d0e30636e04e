import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { AdminClient, DEFAULT_CONCURRENCY } from "../../api/index.js";
import { DEFAULT_REPORT_DIR } from "../../config/index.js";
import { REPORT_FORMATS } from "../../report/index.js";
import { runPipeline } from "../../schedule/pipeline.js";
import { startSimulator } from "../../simulator/index.js";
import { createLogger } from "../../util/log.js";
import { intOption } from "../options.js";
import { terminalJson, writeOut } from "../output.js";
import { skippedText } from "./run.js";
export const DEMO_DB_PATH = "./data/demo.duckdb";
/**
 * Changes a team would see between two quarterly crawls, made through the Admin API: people join
 * and leave groups, an elevated role lands on a group nobody manages through SCIM, a group is
 * renamed, a manual group is attached to a production project as its owner, and someone becomes
 * Owner through a new group.
 */
async function applyDemoChanges(sim) {
    const client = new AdminClient({ baseUrl: sim.baseUrl, apiKey: sim.adminKey });
    const done = [];
    try {
        const s = sim.state;
        const users = s.userIds();
        const groups = s.listGroups();
        const manual = groups.filter((g) => !g.is_scim_managed);
        const pick = (i) => users[(i * 37) % users.length];
        let joined = 0;
        for (let i = 0; joined < 6 && i < 500; i++) {
            const group = groups[i % groups.length];
            const user = pick(i + 11);
            if (group && !s.isMember(group.id, user)) {
                await client.addGroupUser(group.id, user);
                joined++;
            }
        }
        done.push(`${joined} people joined groups`);
        let left = 0;
        for (const group of groups.slice(0, 12)) {
            const member = s.listGroupUsers(group.id)[0];
            if (member && left < 4) {
                await client.removeGroupUser(group.id, member.id);
                left++;
            }
        }
        done.push(`${left} people left groups`);
        // A small manual group gets an elevated role: a handful of people gain it, as in real life.
        const projectAdmin = s.roleIdByName("Project Administrator");
        const sizes = new Map(s.groupSizes().map((g) => [g.id, g.members]));
        const target = manual
            .filter((g) => projectAdmin && !s.hasGroupRole(g.id, projectAdmin))
            .filter((g) => (sizes.get(g.id) ?? 0) >= 3)
            .sort((a, b) => (sizes.get(a.id) ?? 0) - (sizes.get(b.id) ?? 0) || (a.id < b.id ? -1 : 1))[0];
        if (target && projectAdmin) {
            await client.assignGroupRole(target.id, projectAdmin);
            done.push(`"Project Administrator" granted to the manual (non-SCIM) group "${target.name}" (${sizes.get(target.id)} members)`);
        }
        const renamed = groups.find((g) => g.id !== target?.id);
        if (renamed) {
            await client.updateGroup(renamed.id, `${renamed.name} (renamed)`);
            done.push(`group "${renamed.name}" renamed`);
        }
        // Inside a project: a manual group lands on a production project with the owner role,
        // the change a reviewer must notice (rule project-admin-via-manual-group).
        const projects = s.listProjects().filter((p) => !s.isDefaultProject(p.id));
        const production = projects.find((p) => /prod/i.test(p.name)) ??
            [...projects].sort((a, b) => s.listProjectUsers(b.id).length - s.listProjectUsers(a.id).length)[0];
        const projectOwnerRole = production && s.projectRoleIdByName(production.id, "Project Owner");
        const attach = manual.find((g) => production && g.id !== target?.id && !s.isProjectGroup(production.id, g.id));
        if (production && projectOwnerRole && attach) {
            await client.attachProjectGroup(production.id, attach.id, projectOwnerRole);
            done.push(`the manual group "${attach.name}" attached to project "${production.name}" as Project Owner`);
            const newcomer = users.find((u) => !s.isProjectMember(production.id, u));
            if (newcomer) {
                await client.addProjectUser(production.id, newcomer, "member");
                done.push(`${newcomer} added to project "${production.name}"`);
            }
        }
        // Credentials: a key's owner leaves its project (the key stays, orphaned), a service account
        // is retired, an admin key that never expires is made in the console, an Owner invite sent.
        const orphaned = s
            .activeProjectIds()
            .filter((p) => !s.isDefaultProject(p))
            .flatMap((p) => s.listProjectApiKeys(p, "any"))
            .find((k) => k.owner.type === "user" && k.owner_project_access === "active");
        if (orphaned?.owner.type === "user") {
            const project = s
                .activeProjectIds()
                .find((p) => s.listProjectApiKeys(p, "any").some((k) => k.id === orphaned.id));
            if (project) {
                await client.removeProjectUser(project, orphaned.owner.user.id);
                done.push(`${orphaned.owner.user.id} removed from project ${project}; their key "${orphaned.name}" stays`);
            }
        }
        const retired = s
            .activeProjectIds()
            .flatMap((p) => s.listServiceAccounts(p).map((a) => ({ project: p, account: a })))
            .find((x) => x.account.role === "member");
        if (retired) {
            await client.deleteServiceAccount(retired.project, retired.account.id);
            done.push(`service account "${retired.account.name}" deleted with its keys`);
        }
        s.createAdminApiKey("Deploy pipeline (console)");
        done.push(`admin key "Deploy pipeline (console)" created in the console, with no expiry`);
        s.createInvite("contractor@partner.example", "owner", []);
        done.push("an invite with the Owner role sent to contractor@partner.example");
        const owners = await client.createGroup("Break-glass admins");
        await client.assignGroupRole(owners.id, s.ownerRoleId);
        const newOwner = pick(5);
        await client.addGroupUser(owners.id, newOwner);
        done.push(`new group "Break-glass admins" holds Owner, with one member (${newOwner})`);
    }
    finally {
        await client.close();
    }
    return done;
}
function outcomeLine(label, o) {
    return `${label}: snapshot ${o.snapshot_id} (${o.crawl.requests} requests, ${(o.crawl.duration_ms / 1000).toFixed(1)} s), ${o.changes} change(s), ${o.findings} open finding(s) (${o.new_findings} new or changed)${skippedText(o)}`;
}
/** The embedded default: simulator in-process → crawl → changes → crawl → reports. */
export function registerDemo(program) {
    program
        .command("demo")
        .description("End to end on a simulated organization: crawl, change it through the API, crawl again, write reports")
        .option("--seed <n>", "seed of the simulated organization", intOption(0), 42)
        .option("--db <path>", "the demo's own database, recreated on every run", DEMO_DB_PATH)
        .option("--out <dir>", "folder for the reports", DEFAULT_REPORT_DIR)
        .option("--json", "print JSON")
        .action(async (flags) => {
        const started = performance.now();
        // The demo narrates on stdout; on a terminal, logs below warn would bury that story.
        const logger = createLogger({ story: true });
        const say = (line) => {
            if (!flags.json)
                writeOut(`${line}\n`);
        };
        // The demo database is the demo's alone: start from nothing so every run tells the same story.
        for (const suffix of ["", ".wal", ".tmp"]) {
            await rm(`${flags.db}${suffix}`, { recursive: true, force: true });
        }
        const sim = await startSimulator({ port: 0, seed: flags.seed, groups: 120, users: 1500 });
        try {
            say(`Simulated OpenAI Admin API at ${sim.baseUrl} (seed ${flags.seed})`);
            const options = {
                dbPath: flags.db,
                api: {
                    baseUrl: sim.baseUrl,
                    apiKey: sim.adminKey,
                    concurrency: DEFAULT_CONCURRENCY,
                    userRoles: true,
                },
                analysis: {},
                ruleDirs: [],
                report: { outDir: flags.out, formats: REPORT_FORMATS },
                email: null,
                retention: null,
                logger,
            };
            const first = await runPipeline(options);
            say(outcomeLine("first crawl", first));
            const changes = await applyDemoChanges(sim);
            say("changes made through the API:");
            for (const c of changes)
                say(`  - ${c}`);
            const second = await runPipeline(options);
            say(outcomeLine("second crawl", second));
            const seconds = ((performance.now() - started) / 1000).toFixed(1);
            if (flags.json) {
                writeOut(`${terminalJson({ base_url: sim.baseUrl, db: resolve(flags.db), first, changes, second, seconds: Number(seconds) })}\n`);
                return;
            }
            say(`\nreports (${seconds} s in all):`);
            for (const f of second.files)
                say(`  ${resolve(f.path)}`);
            say(`database: ${resolve(flags.db)} (try: access-audit diff --db ${flags.db})`);
        }
        finally {
            await sim.stop();
        }
    });
}
//# sourceMappingURL=demo.js.map