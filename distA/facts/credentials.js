import { defineFact, structList, timestamptz, varchar } from "./types.js";
/**
 * The recorded `last_used_at` of a key is exact whenever it is at least this many days before
 * the snapshot; a more recent recorded use means "used within this many days" (the key may
 * have been used since). "Unused for N days" is therefore exact for every N at or above it.
 */
export const USAGE_RESOLUTION_DAYS = 30;
export const SERVICE_ACCOUNTS = defineFact({
    part: "service_accounts",
    countColumn: "service_accounts",
    coverage: "credentials",
    key: ["project_id", "service_account_id"],
    columns: [
        varchar("project_id"),
        varchar("service_account_id"),
        varchar("name"),
        varchar("role"),
        timestamptz("created_at"),
    ],
    listing: "/organization/projects/{project_id}/service_accounts",
});
export const API_KEYS = defineFact({
    part: "api_keys",
    countColumn: "api_keys",
    coverage: "credentials",
    key: ["project_id", "key_id"],
    columns: [
        varchar("project_id"),
        varchar("key_id"),
        varchar("name"),
        varchar("redacted_value"),
        timestamptz("created_at"),
        timestamptz("last_used_at"),
        varchar("owner_type"),
        varchar("owner_id"),
        varchar("owner_name"),
        varchar("owner_email"),
        varchar("owner_role"),
        varchar("owner_project_access"),
    ],
    usage: { column: "last_used_at", resolutionDays: USAGE_RESOLUTION_DAYS },
    listing: "/organization/projects/{project_id}/api_keys",
});
export const ADMIN_KEYS = defineFact({
    part: "admin_keys",
    countColumn: "admin_keys",
    coverage: "credentials",
    key: ["key_id"],
    columns: [
        varchar("key_id"),
        varchar("name"),
        varchar("redacted_value"),
        timestamptz("created_at"),
        timestamptz("expires_at"),
        timestamptz("last_used_at"),
        varchar("owner_type"),
        varchar("owner_id"),
        varchar("owner_name"),
        varchar("owner_role"),
    ],
    usage: { column: "last_used_at", resolutionDays: USAGE_RESOLUTION_DAYS },
    listing: "/organization/admin_api_keys",
});
export const INVITES = defineFact({
    part: "invites",
    countColumn: "invites",
    coverage: "credentials",
    key: ["invite_id"],
    columns: [
        varchar("invite_id"),
        varchar("email"),
        varchar("role"),
        varchar("status"),
        timestamptz("created_at"),
        timestamptz("expires_at"),
        timestamptz("accepted_at"),
        structList("projects", ["project_id", "role"]),
    ],
    listing: "/organization/invites",
});
/** The project id is the one asked for. */
export function serviceAccountRow(projectId, account) {
    return {
        project_id: projectId,
        service_account_id: account.id,
        name: account.name ?? null,
        role: account.role,
        created_at: account.created_at,
    };
}
/** The owner is whichever of `user` / `service_account` the key names (`type` when given). */
export function apiKeyRow(projectId, key) {
    const { owner } = key;
    const user = owner.user ?? null;
    const account = owner.service_account ?? null;
    const type = owner.type ?? (user !== null ? "user" : account !== null ? "service_account" : null);
    const who = type === "service_account" ? account : type === "user" ? user : (user ?? account);
    return {
        project_id: projectId,
        key_id: key.id,
        name: key.name ?? null,
        redacted_value: key.redacted_value,
        created_at: key.created_at,
        last_used_at: key.last_used_at ?? null,
        owner_type: type,
        owner_id: who?.id ?? null,
        owner_name: who?.name ?? null,
        owner_email: who !== null && who === user ? (user.email ?? null) : null,
        owner_role: who?.role ?? null,
        owner_project_access: key.owner_project_access ?? null,
    };
}
export function adminKeyRow(key) {
    const owner = key.owner ?? null;
    return {
        key_id: key.id,
        name: key.name ?? null,
        redacted_value: key.redacted_value,
        created_at: key.created_at,
        expires_at: key.expires_at ?? null,
        last_used_at: key.last_used_at ?? null,
        owner_type: owner?.type ?? null,
        owner_id: owner?.id ?? null,
        owner_name: owner?.name ?? null,
        owner_role: owner?.role ?? null,
    };
}
export function inviteRow(invite) {
    return {
        invite_id: invite.id,
        email: invite.email,
        role: invite.role,
        status: invite.status,
        created_at: invite.created_at,
        expires_at: invite.expires_at ?? null,
        accepted_at: invite.accepted_at ?? null,
        projects: invite.projects?.map((p) => ({ project_id: p.id, role: p.role })) ?? null,
    };
}
//# sourceMappingURL=credentials.js.map