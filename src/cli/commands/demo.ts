import type { Command } from "commander";
import { AdminClient } from "../../api/index.js";
import { startSimulator } from "../../simulator/index.js";
import { intOption } from "../options.js";

interface DemoFlags {
  seed: number;
  json?: boolean;
}

/**
 * The embedded default: a simulator in-process, read through our client.
 * Until the crawl and reports exist this lists the simulated organization's groups.
 */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("Start a simulated organization in-process and list its groups through the client")
    .option("--seed <n>", "seed of the simulated organization", intOption(0), 42)
    .option("--json", "print JSON instead of a table")
    .action(async (flags: DemoFlags) => {
      const sim = await startSimulator({ port: 0, seed: flags.seed, groups: 25, users: 300 });
      const client = new AdminClient({ baseUrl: sim.baseUrl, apiKey: sim.adminKey });
      try {
        const groups = [];
        for await (const group of client.listGroups()) groups.push(group);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ base_url: sim.baseUrl, groups }, null, 2)}\n`);
          return;
        }
        process.stdout.write(`Simulated OpenAI Admin API at ${sim.baseUrl}\n\n`);
        const rows = groups.map((g) => [
          g.id,
          g.group_type ?? "?",
          g.is_scim_managed ? "scim" : "manual",
          g.name,
        ]);
        const widths = [0, 1, 2].map((i) =>
          Math.max(
            ...rows.map((r) => (r[i] ?? "").length),
            ["id", "type", "managed"][i]?.length ?? 0,
          ),
        );
        const line = (r: string[]) =>
          r.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c)).join("  ");
        process.stdout.write(`${line(["id", "type", "managed", "name"])}\n`);
        for (const r of rows) process.stdout.write(`${line(r)}\n`);
        const stats = client.stats();
        process.stdout.write(`\n${groups.length} groups, ${stats.requests} requests\n`);
      } finally {
        await client.close();
        await sim.stop();
      }
    });
}
