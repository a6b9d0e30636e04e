/**
 * Numbered schema migrations, one SQL file each in `sql/migrations/` (shipped with the
 * package). Never edit a released migration: add the next number instead.
 * Each migration runs in its own transaction together with its
 * `schema_migrations` row, so a crash leaves the schema at a whole version; a new database's
 * migrations all run in one (see `migrate`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sqlPath } from "../util/sql-files.js";
import { StoreError } from "./errors.js";
/** `NNNN_name.sql`: the version is the number. */
const MIGRATION_FILE = /^(\d{4})_[a-z0-9-]+\.sql$/;
const NAME_LINE = /^-- migration: (.+)\r?\n/;
/**
 * Parses the migration files (name -> text) into migrations: versions from the file names,
 * consecutive from 1, each file's first line `-- migration: NAME` (the name recorded in
 * `schema_migrations`), the rest its SQL.
 */
export function parseMigrations(files) {
    const migrations = [...files.keys()]
        .filter((file) => file.endsWith(".sql"))
        .sort()
        .map((file) => {
        const version = MIGRATION_FILE.exec(file)?.[1];
        if (version === undefined) {
            throw new Error(`sql/migrations/${file}: expected a name like 0005_what-it-does.sql`);
        }
        const text = files.get(file) ?? "";
        const name = NAME_LINE.exec(text);
        if (name === null) {
            throw new Error(`sql/migrations/${file}: the first line must be "-- migration: NAME"`);
        }
        return { version: Number(version), name: name[1], sql: text.slice(name[0].length) };
    });
    migrations.forEach((m, index) => {
        if (m.version !== index + 1) {
            throw new Error(`sql/migrations: expected version ${index + 1}, found ${m.version}`);
        }
    });
    return migrations;
}
function loadMigrations() {
    const dir = sqlPath("migrations");
    return parseMigrations(new Map(readdirSync(dir).map((file) => [file, readFileSync(join(dir, file), "utf8")])));
}
/** The numbered files of `sql/migrations`, oldest first. */
export const MIGRATIONS = loadMigrations();
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`;
export function schemaTooNewError(found, supported = SCHEMA_VERSION) {
    return new StoreError("SCHEMA_TOO_NEW", `database schema version ${found} is newer than this tool supports (${supported}); upgrade openai-access-audit`);
}
/** The highest applied migration, or 0 for a database this tool never touched. */
export async function readSchemaVersion(con) {
    const exists = await con.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM duckdb_tables()
     WHERE database_name = current_database() AND schema_name = 'main'
       AND table_name = 'schema_migrations'`);
    if (exists.getRowsJS()[0]?.[0] === 0)
        return 0;
    const reader = await con.runAndReadAll("SELECT coalesce(max(version), 0)::INTEGER FROM schema_migrations");
    return Number(reader.getRowsJS()[0]?.[0] ?? 0);
}
/**
 * Brings the schema to SCHEMA_VERSION; refuses a database written by a newer tool. A new
 * database gets every migration in one transaction: one commit, not one each (15 migrations:
 * 80-90 ms against 95-170 ms on the 2-core bench machine). An existing database's upgrade keeps
 * one transaction per migration: DuckDB refuses a rewrite of a table's rows in the
 * transaction that created or changed them ("Duplicate key ... violates primary key
 * constraint", seen upgrading a version-5 database in one transaction).
 */
export async function migrate(con, logger, migrations = MIGRATIONS) {
    const latest = migrations[migrations.length - 1]?.version ?? 0;
    await con.run(CREATE_MIGRATIONS_TABLE);
    const from = await readSchemaVersion(con);
    if (from > latest)
        throw schemaTooNewError(from, latest);
    const pending = migrations.filter((m) => m.version > from);
    const batches = from === 0 ? [pending] : pending.map((m) => [m]);
    for (const batch of batches) {
        if (batch.length === 0)
            continue;
        await con.run("BEGIN TRANSACTION");
        try {
            for (const migration of batch) {
                await con.run(migration.sql);
                await con.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())", [migration.version, migration.name]);
            }
            await con.run("COMMIT");
        }
        catch (error) {
            await con.run("ROLLBACK");
            throw error;
        }
        for (const migration of batch) {
            logger.info({ version: migration.version, name: migration.name }, "applied schema migration");
        }
    }
    return { from, to: Math.max(from, latest) };
}
//# sourceMappingURL=migrations.js.map