/**
 * Anomaly rules: one `.sql` file each, in `sql/rules/` (shipped) or any folder a user passes
 * with `--rules DIR`. A rule file starts with a block of `--` comment lines holding YAML
 * metadata (the header format of diff queries too: sql-header.ts), then one SELECT:
 *
 *   -- id: owner-via-group
 *   -- title: Owner role granted through a group
 *   -- severity: critical            # low | medium | high | critical
 *   -- rationale: why this matters
 *   -- remediation: what to do about it
 *   -- controls: [SOC 2 CC6.1, ISO 27001 A.5.15]
 *   SELECT group_id, user_id, role_id, detail FROM ... WHERE snapshot_id = $snapshot
 *
 * The query returns the columns `group_id, user_id, role_id, detail` (any may be NULL) and
 * optionally `members` (a list of `{user_id, email, name}` structs: the people a finding about
 * a group or a role affects, listed under it, so one root cause is one finding; the runner keeps
 * the first 1,000 and the shipped rules slice to that; the TEMP macros `group_members(snapshot,
 * group)` and `group_member_count(snapshot, group)` give a group's, and `group_members_json` the
 * same list as JSON text, which the runner parses), `member_count` (how many in
 * all; default the list's length) and `tier`
 * (`owner`, `access-admin` or `write`: the elevation tier the finding is about; by default the
 * tier of its `role_id`). Other columns are ignored. Metadata may add `requires:
 * [allowed_email_domains, previous_snapshot]` (skipped, and said so, without them) and `signal`
 * (the indirect evidence the rule judges by). The query may use these named parameters:
 *  - `$snapshot` (INTEGER): the snapshot under review;
 *  - `$previous` (INTEGER or NULL): the complete snapshot before it, NULL when there is none;
 *  - `$inactivity_days` (INTEGER): the configured inactivity threshold in days;
 *  - `$admin_key_unused_days`, `$key_unused_days`, `$invite_pending_days`, `$key_rotation_days`
 *    (INTEGER): the credential rules' thresholds (analysis.credentials in the configuration).
 * Besides the public views (`effective_access`, `snapshot_*`) it may read the TEMP tables the
 * runner fills first (sql/analysis/anomalies.sql): `elevated_roles(snapshot_id, role_id)` for
 * `$snapshot` and `$previous`, `allowed_domains(domain)` (empty when no domains are configured),
 * and `analysis_effective_access`: the `effective_access` view's rows of `$snapshot` and
 * `$previous`, evaluated once per run for every rule (reading the view itself gives the same
 * rows, at the cost of another evaluation). `analysis_effective_access` holds the organization
 * scope only; a rule with `scope: project` in its metadata reads `analysis_project_access` (the
 * view's project rows of both snapshots) and `elevated_project_roles(snapshot_id, project_id,
 * role_id)`, returns a `project_id` column besides the four, and is skipped (not run, and said
 * so) for a snapshot that did not collect projects. A rule with `scope: credentials` reads the
 * credential views (`snapshot_api_keys`, `snapshot_admin_keys`, `snapshot_service_accounts`,
 * `snapshot_invites`) and may read `analysis_project_access` too; it returns `credential_id` (the
 * key, service account or invite id) and `project_id` (NULL for organization credentials)
 * besides the four, and is skipped for a snapshot that did not collect credentials. Ages are
 * measured against the snapshot's `finished_at`, never the clock. A rule with `scope: changes`
 * judges who made the changes since `$previous`: it reads `analysis_changes` (one row per change
 * of the diff from `$previous` to `$snapshot`, derived access kinds left out, with its
 * attribution: status, label, reason, actor, latest event; `elevated` marks grants of an
 * elevated role, Owner roles, admin keys and Owner invites; see sql/analysis/anomalies.sql) and
 * `analysis_audit_gaps(gap_from, gap_to, reason)` (the parts of that interval the audit log held
 * does not cover), returns `project_id` and `credential_id` besides the four, and is skipped when
 * there is no previous snapshot.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { AuditError } from "../errors.js";
import { sqlPath } from "../util/sql-files.js";
import { SEVERITIES } from "./severity.js";
import { checkSqlMeta, parseSqlHeader } from "./sql-header.js";
export { SEVERITIES, severityRank } from "./severity.js";
/** The shipped rules: `<package>/sql/rules`. */
export const BUILTIN_RULES_DIR = sqlPath("rules");
/** Parameters a rule may use; each is bound only if the rule's SQL mentions it. */
export const RULE_PARAMETERS = [
    "snapshot",
    "previous",
    "inactivity_days",
    "admin_key_unused_days",
    "key_unused_days",
    "invite_pending_days",
    "key_rotation_days",
];
/**
 * Inputs a rule may require: `allowed_email_domains` (configured email domains),
 * `previous_snapshot` (a complete snapshot before the one judged).
 */
export const RULE_REQUIREMENTS = ["allowed_email_domains", "previous_snapshot"];
const ruleMetaSchema = z
    .object({
    id: z
        .string()
        .regex(/^[a-z0-9][a-z0-9._-]*$/, "expected lower-case letters, digits, '.', '_' or '-' (e.g. owner-via-group)"),
    title: z.string().min(1),
    severity: z.enum(SEVERITIES),
    /**
     * `project`: the findings are about one project each (a `project_id` column). `credentials`:
     * each is about one credential (a `credential_id` column, and `project_id` for a project's
     * key or service account), and the rule is skipped on a snapshot without credentials.
     */
    scope: z.enum(["organization", "project", "credentials", "changes"]).default("organization"),
    rationale: z.string().min(1),
    remediation: z.string().min(1),
    controls: z.array(z.string().min(1)).default([]),
    /**
     * What the rule needs besides its scope's facts; without it the rule is skipped (status
     * `skip`, with the reason and the setting that enables it), never shown as passed.
     */
    requires: z.array(z.enum(RULE_REQUIREMENTS)).default([]),
    /** The evidence a rule judges by, when it is indirect (e.g. "API key use"), said in outputs. */
    signal: z.string().min(1).optional(),
})
    .strict();
/** A `--rules` folder that does not exist or cannot be read. */
export class RulesDirError extends AuditError {
    constructor(message) {
        super("RULES_DIR_INVALID", message, { exitClass: "usage" });
    }
}
/**
 * Comments and string literals removed, so that only real parameter references count. One pass,
 * left to right: an apostrophe inside a comment (`-- the snapshot's end`) starts no string.
 */
function codeOnly(sql) {
    return sql.replace(/'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g, (match) => match.startsWith("'") ? "''" : "");
}
const oneLine = (message) => message.replace(/\s+/g, " ").trim();
/** Parses one rule file's text; throws with a one-line message when it is not a valid rule. */
export function parseRule(text, file) {
    const { meta, sql } = parseSqlHeader(text, "id");
    const parsed = checkSqlMeta(ruleMetaSchema, meta);
    const code = codeOnly(sql);
    if (code.trim() === "")
        throw new Error("no query after the metadata block");
    const parameters = RULE_PARAMETERS.filter((p) => new RegExp(`\\$${p}\\b`).test(code));
    return { ...parsed, file, sql, parameters };
}
/**
 * Loads every `*.sql` file of each folder (not recursive), in order. A file that does not
 * parse becomes an error named after its id (or file name) and the others still load; a
 * second rule with an id already loaded is an error too (the first one is kept).
 */
export async function loadRules(dirs) {
    const rules = new Map();
    const errors = [];
    for (const dir of dirs) {
        let names;
        try {
            if (!(await stat(dir)).isDirectory())
                throw new Error("not a directory");
            names = (await readdir(dir)).filter((n) => n.endsWith(".sql")).sort();
        }
        catch (error) {
            const code = error && typeof error === "object" && "code" in error
                ? String(error.code)
                : error.message;
            throw new RulesDirError(`cannot read rules folder ${dir} (${code})`);
        }
        for (const name of names) {
            const file = join(dir, name);
            const fallbackName = basename(name, ".sql");
            let rule;
            try {
                rule = parseRule(await readFile(file, "utf8"), file);
            }
            catch (error) {
                const idMatch = /^\s*--\s*id:\s*([^\s#]+)/m.exec(await readFile(file, "utf8").catch(() => ""));
                errors.push({
                    rule: idMatch?.[1] ?? fallbackName,
                    message: `${file}: ${oneLine(error.message)}`,
                });
                continue;
            }
            const existing = rules.get(rule.id);
            if (existing) {
                errors.push({
                    rule: rule.id,
                    message: `${file}: duplicate rule id (already defined in ${existing.file})`,
                });
                continue;
            }
            rules.set(rule.id, rule);
        }
    }
    return {
        rules: [...rules.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
        errors,
    };
}
//# sourceMappingURL=rules.js.map