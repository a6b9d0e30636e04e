/**
 * The admin key, the SMTP password and every full API key (admin, service account and user keys,
 * made between the runs) never reach an artefact: two `run`s (crawl, reports, an
 * authenticated email) and exports, after which every file the tool wrote is searched byte for
 * byte, every text column of every table of the database is searched with SQL (DuckDB may
 * compress strings on disk, so a byte search alone could miss one), and so are the CLI's output
 * and the raw messages the SMTP server received.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import ExcelJS from "exceljs";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { cliEnv, runCli } from "./support/cli.js";
import { textColumnHits } from "./support/db-search.js";

const SMTP_USER = "audit-mailer";
const SMTP_PASSWORD = "s3cret-smtp-Passw0rd-for-the-test";

/** Every file below `dir`, recursively. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

describe("secrets never reach an artefact", () => {
  let sim: RunningSimulator;
  let smtp: SMTPServer;
  let port = 0;
  const raw: string[] = [];
  const cwd = mkdtempSync(join(tmpdir(), "aa-secrets-"));

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 13, groups: 15, users: 120 });
    smtp = new SMTPServer({
      disabledCommands: ["STARTTLS"],
      allowInsecureAuth: true, // loopback only; TLS is covered by deliver.email.test.ts
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) {
          callback(null, { user: SMTP_USER });
        } else callback(new Error("bad credentials"));
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          raw.push(Buffer.concat(chunks).toString("latin1"));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const address = smtp.server.address();
    port = typeof address === "object" && address ? address.port : 0;
  });
  afterAll(async () => {
    await sim?.stop();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    rmSync(cwd, { recursive: true, force: true });
  });

  it("in files, database rows, output and email", async () => {
    writeFileSync(
      join(cwd, "access-audit.config.yaml"),
      [
        "database: ./data/audit.duckdb",
        `api: { base_url: "${sim.baseUrl}" }`,
        "report: { output: ./reports }",
        "email:",
        "  enabled: true",
        `  smtp: { host: 127.0.0.1, port: ${port}, security: none, username: ${SMTP_USER} }`,
        "  from: audit@corp.example",
        "  to: [security@corp.example]",
        "  send: always",
      ].join("\n"),
    );
    const env = cliEnv({
      OPENAI_ADMIN_KEY: sim.adminKey,
      ACCESS_AUDIT_SMTP_PASSWORD: SMTP_PASSWORD,
    });
    const outputs: string[] = [];
    const first = await runCli(["run", "--json"], env, 120_000, cwd);
    expect(first.status, first.stderr).toBe(0);
    const group = sim.state.groupIds()[0] as string;
    sim.state.renameGroup(group, "Renamed between runs");
    // Full keys exist only in create responses: make one of each kind over HTTP, and a user's
    // key in the console (the API cannot issue user keys). None may reach an artefact.
    const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${sim.baseUrl}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${sim.adminKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    const project = sim.state.activeProjectIds()[0] as string;
    const account = await post(`/organization/projects/${project}/service_accounts`, {
      name: "deploy-bot",
    });
    const accountKey = await post(
      `/organization/projects/${project}/service_accounts/${String(account.id)}/api_keys`,
      { name: "second key" },
    );
    const admin = await post("/organization/admin_api_keys", { name: "automation" });
    const member = sim.state.listProjectUsers(project)[0] as { id: string };
    const userKey = sim.state.createUserApiKey(project, member.id, "laptop");
    const keyValues = [
      String((account.api_key as { value: string }).value),
      String(accountKey.value),
      String(admin.value),
      userKey.value,
    ];
    for (const value of keyValues) expect(value.length).toBeGreaterThan(20);
    const knownRedacted = String(admin.redacted_value);
    const second = await runCli(["run", "--json"], env, 120_000, cwd);
    expect(second.status, second.stderr).toBe(0);
    const check = await runCli(["config", "check"], env, 60_000, cwd);
    expect(check.status, check.stderr).toBe(0);
    for (const format of ["parquet", "csv"]) {
      const r = await runCli(
        ["export", "--format", format, "--all", "--out", `export-${format}`],
        env,
        60_000,
        cwd,
      );
      expect(r.status, r.stderr).toBe(0);
      outputs.push(r.stdout, r.stderr);
    }
    outputs.push(first.stdout, first.stderr, second.stdout, second.stderr, check.stdout);
    expect(raw).toHaveLength(2);
    const secrets = [sim.adminKey, SMTP_PASSWORD, ...keyValues];
    const encoded = secrets.flatMap((s) => [s, Buffer.from(s).toString("base64")]);

    // Workbooks and Parquet files are compressed: search their decoded text too, and check that
    // the same search finds a value that is there (the renamed group), so it can fail.
    const known = "Renamed between runs";
    const duck = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" });
    const scratch = await duck.connect();
    const decoded: { file: string; text: string }[] = [];
    try {
      for (const file of filesBelow(cwd)) {
        if (file.endsWith(".xlsx")) {
          const book = new ExcelJS.Workbook();
          await book.xlsx.readFile(file);
          const cells: string[] = [];
          book.eachSheet((sheet) =>
            sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.text)))),
          );
          decoded.push({ file, text: cells.join("\n") });
        } else if (file.endsWith(".parquet")) {
          const rows = await scratch.runAndReadAll(
            "SELECT string_agg(CAST(t AS VARCHAR), '\n') AS text FROM read_parquet($file) AS t",
            { file },
          );
          decoded.push({ file, text: String(rows.getRowObjectsJson()[0]?.text ?? "") });
        }
      }
    } finally {
      scratch.closeSync();
      duck.closeSync();
    }
    const hits = decoded.filter((d) => d.text.includes(known)).map((d) => d.file);
    expect(hits.some((f) => f.endsWith(".xlsx"))).toBe(true);
    expect(hits.some((f) => f.endsWith(".parquet"))).toBe(true);
    for (const { file, text } of decoded) {
      for (const secret of secrets) expect(text.includes(secret), `secret in ${file}`).toBe(false);
    }

    // Every file the tool wrote (database, reports, exports), byte for byte.
    const files = filesBelow(cwd).filter((f) => !f.endsWith("access-audit.config.yaml"));
    expect(files.some((f) => f.endsWith(".xlsx"))).toBe(true);
    expect(files.some((f) => f.endsWith(".parquet"))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const secret of encoded)
        expect(bytes.includes(secret), `${secret} in ${file}`).toBe(false);
    }
    // Output and the raw messages (headers, bodies, base64 attachments as sent).
    for (const text of [...outputs, ...raw]) {
      for (const secret of encoded) expect(text.includes(secret)).toBe(false);
    }
    // Every text column of every table, through SQL (a control value proves the search sees it).
    const db = join(cwd, "data", "audit.duckdb");
    expect(await textColumnHits(db, [known])).toContain("hist_groups.name");
    expect(await textColumnHits(db, [knownRedacted])).toContain("hist_admin_keys.redacted_value");
    // The audit log synced by both runs is searched too: the events of the keys made over HTTP
    // (the admin key's api_key.created names its id) and the syncs' rows are there to be found.
    const scanned: string[] = [];
    expect(await textColumnHits(db, secrets, scanned)).toEqual([]);
    for (const column of [
      "audit_events.event",
      "audit_events.object_id",
      "audit_events.actor_key_id",
      "audit_log_syncs.key_redacted",
      "audit_log_syncs.base_url",
      "audit_log_syncs.reason",
    ]) {
      expect(scanned, column).toContain(column);
    }
    expect(await textColumnHits(db, [String(admin.id)])).toEqual(
      expect.arrayContaining(["audit_events.event", "audit_events.object_id"]),
    );
    const adminKeyActor = sim.state.auditActor(sim.state.simulatorKeyActor());
    const trackingId = adminKeyActor?.type === "api_key" ? adminKeyActor.api_key.id : "";
    expect(trackingId).not.toBe("");
    expect(await textColumnHits(db, [trackingId])).toContain("audit_events.actor_key_id");
  });
});
