import { findProject, iterateEffectiveAccess, resolveSnapshotId, } from "../../analysis/access.js";
import { Store } from "../../store/index.js";
import { addDbOption, commandConfig } from "../config.js";
import { intOption } from "../options.js";
import { writeJsonWithList, writeOut, writeOutPiece } from "../output.js";
import { TableLayout } from "./analysis-shared.js";
const PATHS_PER_BATCH = 2048;
function viaText(p) {
    if (p.via === "direct")
        return "direct";
    if (p.via === "membership")
        return "project membership";
    const kind = p.via_group_is_scim_managed ? "SCIM" : "manual";
    return `group "${p.via_group_name ?? ""}" (${kind})`;
}
export function registerAccess(program) {
    const command = program
        .command("access")
        .description("Effective access: one line per path (direct, through a group, or a project membership) by which a user or a project service account holds a role, in the organization and in each project");
    addDbOption(command)
        .option("--snapshot <id>", "a complete snapshot (default: the latest)", intOption(1))
        .option("--user <id|email>", "only this user (id, or email case-insensitively)")
        .option("--role <id|name>", "only this role (id, or name case-insensitively)")
        .option("--project <id|name>", "only access inside this project (id, or name case-insensitively): who (people and service accounts) can do what there, and why")
        .option("--json", "print JSON: {snapshot_id, project (with --project), access: [...]}, written as it is read")
        .action(async (flags, command) => {
        const config = await commandConfig(command);
        const store = await Store.open(config.database, { readOnly: true });
        try {
            const snapshotId = await resolveSnapshotId(store, flags.snapshot);
            const project = flags.project === undefined
                ? undefined
                : await findProject(store, snapshotId, flags.project);
            const filter = {
                ...(flags.user === undefined ? {} : { user: flags.user }),
                ...(flags.role === undefined ? {} : { role: flags.role }),
                ...(project === undefined ? {} : { project: project.project_id }),
            };
            // Streamed, one DuckDB chunk (2,048 rows) at a time: an unfiltered listing of a large
            // organization is millions of paths (842,933 at 1,000,000 memberships: about 1 GB of RSS
            // in batches of 2,048, 1.2 GB in batches of 10,000).
            const paths = () => iterateEffectiveAccess(store, snapshotId, filter, PATHS_PER_BATCH);
            if (flags.json) {
                await writeJsonWithList({ snapshot_id: snapshotId, ...(project === undefined ? {} : { project }) }, "access", paths());
                return;
            }
            // Inside one project, people and service accounts are told apart by a principal column.
            const withPrincipal = project !== undefined;
            const cells = (batch) => TableLayout.reveal(batch.map((p) => [
                p.scope === "organization"
                    ? "organization"
                    : `project ${p.project_name ?? p.project_id}`,
                ...(withPrincipal
                    ? [p.principal_type === "service_account" ? "service account" : "user"]
                    : []),
                p.email ?? "-",
                p.user_id,
                p.role_name ?? "-",
                p.role_id,
                viaText(p),
                p.via_group_id ?? "-",
            ]));
            const layout = new TableLayout([
                "scope",
                ...(withPrincipal ? ["principal"] : []),
                "user",
                "user_id",
                "role",
                "role_id",
                "via",
                "group_id",
            ]);
            // Two passes over the same read-only snapshot: the widths and count, then the lines.
            let count = 0;
            for await (const batch of paths()) {
                layout.widen(cells(batch));
                count += batch.length;
            }
            if (count === 0) {
                writeOut(`snapshot ${snapshotId}: no access paths match\n`);
                return;
            }
            await writeOutPiece(`snapshot ${snapshotId}: ${count} access path(s)\n${layout.line(layout.header)}\n`);
            for await (const batch of paths()) {
                await writeOutPiece(`${cells(batch)
                    .map((row) => layout.line(row))
                    .join("\n")}\n`);
            }
        }
        finally {
            await store.close();
        }
    });
}
//# sourceMappingURL=access.js.map