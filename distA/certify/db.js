import { sqlQueries } from "../util/sql-files.js";
import { CertifyError } from "./errors.js";
/** The stage's statements: sql/certify/campaigns.sql. */
export const campaignQuery = sqlQueries("certify/campaigns.sql");
export async function inTransaction(store, work) {
    if (store.readOnly) {
        throw new CertifyError("READ_ONLY", `database ${store.path} is open read-only`);
    }
    await store.query(campaignQuery("begin"));
    try {
        const result = await work();
        await store.query(campaignQuery("commit"));
        return result;
    }
    catch (error) {
        await store.query(campaignQuery("rollback"));
        throw error;
    }
}
/**
 * `all`, `elevated` and `changed-since-last` take organization and project grants; `projects`
 * only project grants; `organization` only organization grants (what `all` was before projects);
 * `credentials` only credentials (admin keys, user-owned project keys, service accounts with
 * their keys, pending invites), which no other scope takes.
 */
export const SCOPES = [
    "all",
    "elevated",
    "changed-since-last",
    "projects",
    "organization",
    "credentials",
];
export const UNDECIDED_POLICIES = ["keep", "revoke", "escalate"];
export const ORGANIZATION_KINDS = ["membership", "group_role", "user_role"];
export const PROJECT_KINDS = ["project_membership", "project_group", "project_user_role"];
/**
 * Credentials: an admin key and a pending invite belong to the organization; a user-owned
 * project key and a service account (with its keys) to a project.
 */
export const CREDENTIAL_KINDS = [
    "admin_key",
    "project_api_key",
    "service_account",
    "invite",
];
/** A project grant (not a credential, even one inside a project). */
export const isProjectKind = (kind) => PROJECT_KINDS.includes(kind);
export const isCredentialKind = (kind) => CREDENTIAL_KINDS.includes(kind);
/** A campaign by name, or the newest one when `name` is undefined. */
export async function loadCampaign(store, name) {
    const rows = name === undefined
        ? await store.query(campaignQuery("latest_campaign"))
        : await store.query(campaignQuery("campaign_by_name"), [name]);
    const row = rows[0];
    if (row === undefined) {
        throw name === undefined
            ? new CertifyError("NO_CAMPAIGNS", "no campaign yet: run `access-audit certify start`")
            : new CertifyError("CAMPAIGN_NOT_FOUND", `no campaign named "${name}"`);
    }
    return row;
}
export async function loadCampaignById(store, id) {
    const rows = await store.query(campaignQuery("campaign_by_id"), [id]);
    return rows[0] ?? null;
}
export async function loadItems(store, campaignId) {
    return store.query(campaignQuery("items"), [campaignId]);
}
/** The latest decision of each decided item (decisions are append-only; the latest wins). */
export async function currentDecisions(store, campaignId) {
    const rows = await store.query(campaignQuery("current_decisions"), [campaignId]);
    return new Map(rows.map((r) => [r.item_id, r]));
}
export async function nextDecisionSeq(store) {
    const rows = await store.query(campaignQuery("next_decision_seq"));
    return rows[0]?.n ?? 1;
}
/**
 * Inserts rows in batches of multi-row VALUES (a prepared insert per row is slow in DuckDB): the
 * one statement certification builds itself, its shape being the table, columns and batch size.
 */
export async function insertRows(store, table, columns, rows, batch = 200) {
    for (let start = 0; start < rows.length; start += batch) {
        const chunk = rows.slice(start, start + batch);
        const params = [];
        const tuples = chunk.map((row) => {
            const marks = row.map((value) => {
                params.push(value);
                return `$${params.length}`;
            });
            return `(${marks.join(", ")})`;
        });
        await store.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")}`, params);
    }
}
/** Appends decisions (decisions are never updated: the latest per item wins). */
export async function insertDecisions(store, decisions) {
    let seq = await nextDecisionSeq(store);
    await insertRows(store, "certify_decisions", [
        "decision_seq",
        "campaign_id",
        "item_id",
        "decision",
        "justification",
        "reviewer",
        "decided_at",
        "source",
        "file_sha256",
        "sheet_row",
    ], decisions.map((d) => [
        seq++,
        d.campaign_id,
        d.item_id,
        d.decision,
        d.justification,
        d.reviewer,
        d.decided_at,
        d.source,
        d.file_sha256 ?? null,
        d.sheet_row ?? null,
    ]));
}
//# sourceMappingURL=db.js.map