import type { Command } from "commander";
import { Store } from "../../store/index.js";
import { addDbOption, resolveDbPath } from "../db.js";
import { CliError } from "../errors.js";
import { intOption } from "../options.js";

interface DbFlags {
  db?: string;
  json?: boolean;
}

export function registerSnapshots(program: Command): void {
  const list = program
    .command("snapshots")
    .description("List snapshots with status, counts and seal");
  addDbOption(list)
    .option("--json", "print JSON")
    .action(async (flags: DbFlags) => {
      const store = await Store.open(resolveDbPath(flags.db), { readOnly: true });
      try {
        const rows = await store.listSnapshots();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write("no snapshots yet: run `access-audit crawl`\n");
          return;
        }
        const header = [
          "id",
          "status",
          "finished_at",
          "groups",
          "memberships",
          "users",
          "roles",
          "seal",
        ];
        const table = rows.map((r) => [
          String(r.snapshot_id),
          r.status,
          r.finished_at ?? "-",
          String(r.groups ?? "-"),
          String(r.memberships ?? "-"),
          String(r.users ?? "-"),
          String(r.roles ?? "-"),
          r.seal ? r.seal.slice(0, 16) : "-",
        ]);
        const widths = header.map((h, i) =>
          Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)),
        );
        const fmt = (row: string[]) =>
          row
            .map((c, i) => c.padEnd(widths[i] ?? 0))
            .join("  ")
            .trimEnd();
        process.stdout.write(`${[fmt(header), ...table.map(fmt)].join("\n")}\n`);
      } finally {
        await store.close();
      }
    });

  const verify = program
    .command("verify")
    .description("Recompute the seal of every complete snapshot (or one) and report any mismatch");
  addDbOption(verify)
    .option("--snapshot <id>", "verify only this snapshot", intOption(1))
    .option("--json", "print JSON")
    .action(async (flags: DbFlags & { snapshot?: number }) => {
      const store = await Store.open(resolveDbPath(flags.db), { readOnly: true });
      try {
        const result = await store.verify(flags.snapshot);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          for (const s of result.snapshots) {
            process.stdout.write(
              s.ok
                ? `snapshot ${s.snapshot_id}: ok ${s.stored}\n`
                : `snapshot ${s.snapshot_id}: MISMATCH stored ${s.stored ?? "-"} computed ${s.computed}\n`,
            );
          }
          for (const issue of result.issues) process.stdout.write(`issue: ${issue}\n`);
          process.stdout.write(
            result.ok
              ? `${result.snapshots.length} snapshot(s) verified\n`
              : "verification FAILED\n",
          );
        }
        if (!result.ok) {
          const bad = result.snapshots.filter((s) => !s.ok).map((s) => s.snapshot_id);
          throw new CliError(
            bad.length > 0
              ? `seal mismatch in snapshot(s) ${bad.join(", ")}: the stored history was altered`
              : `stored history is inconsistent: ${result.issues[0] ?? "unknown problem"}`,
          );
        }
      } finally {
        await store.close();
      }
    });
}
