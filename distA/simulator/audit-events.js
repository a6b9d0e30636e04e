/**
 * The organization audit log's vocabulary (../shared/docs/openai-admin-api-projects.md §12): the
 * 145 event types of `AuditLogEventType`, which of them are tenant-scoped, and the wire shapes of
 * an `AuditLog` event and its actor. What the log stores and serves is in audit-log.ts; the
 * seeded history in audit-history.ts.
 */
/** `AuditLogEventType`, in the spec's order: 59 non-tenant types, then 86 `tenant.*` ones. */
export const AUDIT_LOG_EVENT_TYPES = [
    "api_key.created",
    "api_key.updated",
    "api_key.deleted",
    "certificate.created",
    "certificate.updated",
    "certificate.deleted",
    "certificates.activated",
    "certificates.deactivated",
    "checkpoint.permission.created",
    "checkpoint.permission.deleted",
    "external_key.registered",
    "external_key.removed",
    "group.created",
    "group.updated",
    "group.deleted",
    "invite.sent",
    "invite.accepted",
    "invite.deleted",
    "ip_allowlist.created",
    "ip_allowlist.updated",
    "ip_allowlist.deleted",
    "ip_allowlist.config.activated",
    "ip_allowlist.config.deactivated",
    "login.succeeded",
    "login.failed",
    "logout.succeeded",
    "logout.failed",
    "organization.updated",
    "project.created",
    "project.updated",
    "project.archived",
    "project.deleted",
    "rate_limit.updated",
    "rate_limit.deleted",
    "resource.deleted",
    "tunnel.created",
    "tunnel.updated",
    "tunnel.deleted",
    "workload_identity_provider.created",
    "workload_identity_provider.updated",
    "workload_identity_provider.deleted",
    "workload_identity_provider_mapping.created",
    "workload_identity_provider_mapping.updated",
    "workload_identity_provider_mapping.deleted",
    "role.created",
    "role.updated",
    "role.deleted",
    "role.assignment.created",
    "role.assignment.deleted",
    "role.bound_to_resource",
    "role.unbound_from_resource",
    "scim.enabled",
    "scim.disabled",
    "service_account.created",
    "service_account.updated",
    "service_account.deleted",
    "user.added",
    "user.updated",
    "user.deleted",
    "tenant.metadata.updated",
    "tenant.microsoft_entra_mapping.upserted",
    "tenant.microsoft_entra_mapping.deleted",
    "tenant.workload_identity.provider.created",
    "tenant.workload_identity.provider.updated",
    "tenant.workload_identity.provider.archived",
    "tenant.workload_identity.mapping.created",
    "tenant.workload_identity.mapping.updated",
    "tenant.workload_identity.mapping.archived",
    "tenant.workload_identity.binding.created",
    "tenant.workload_identity.principal.provisioned",
    "tenant.workload_identity.access_token.issued",
    "tenant.admin_api_key.created",
    "tenant.admin_api_key.updated",
    "tenant.admin_api_key.deleted",
    "tenant.project_api_key.created",
    "tenant.chatgpt_access_token.revoked",
    "tenant.migration.completed",
    "tenant.sso.migrated",
    "tenant.domains.migrated",
    "tenant.sso_connection.created",
    "tenant.sso_connection.updated",
    "tenant.sso_connection.deleted",
    "tenant.sso_connection.setup.started",
    "tenant.policy.created",
    "tenant.policy.updated",
    "tenant.policy.deleted",
    "tenant.policy.attached",
    "tenant.policy.detached",
    "tenant.principal_authentication_policy.resolved",
    "tenant.scim.setup.started",
    "tenant.scim.deletion.requested",
    "tenant.scim.directory.created",
    "tenant.product_access_policy.updated",
    "tenant.resource_share_grant.created",
    "tenant.resource_share_grant.updated",
    "tenant.resource_share_grant.accepted",
    "tenant.resource_share_grant.declined",
    "tenant.resource_share_grant.revoked",
    "tenant.resource_share_grant.deleted",
    "tenant.service_account.updated",
    "tenant.service_account.deleted",
    "tenant.service_account.token.revoked",
    "tenant.billing.overage_limit.updated",
    "tenant.billing.alerts.updated",
    "tenant.billing.info.updated",
    "tenant.usage_limit.workspace.updated",
    "tenant.usage_limit.group.updated",
    "tenant.usage_limit.user.updated",
    "tenant.usage_limit.increase_request.updated",
    "tenant.usage_limit.increase_request.resolved",
    "tenant.group.created",
    "tenant.group.updated",
    "tenant.group.deleted",
    "tenant.group.member.added",
    "tenant.group.member.removed",
    "tenant.migration_rollout.status.updated",
    "tenant.migration_rollout.tier.updated",
    "tenant.role.metadata.updated",
    "tenant.custom_role.created",
    "tenant.custom_role.updated",
    "tenant.custom_role.deleted",
    "tenant.role_assignment.created",
    "tenant.role_assignment.deleted",
    "tenant.resource_role_assignment.created",
    "tenant.resource_role_assignment.deleted",
    "tenant.resource_access.updated",
    "tenant.resource_access.deleted",
    "tenant.ads_account.onboarding.redemption",
    "tenant.session_policy.created",
    "tenant.session_policy.updated",
    "tenant.session_policy.deleted",
    "tenant.session_revocation.started",
    "tenant.third_party_app_policy.updated",
    "tenant.user.added",
    "tenant.user.updated",
    "tenant.user.removed",
    "tenant.user.looked_up",
    "tenant.user.invited",
    "tenant.membership.revoked",
    "tenant.api_organization_invite.upserted",
    "tenant.api_organization_invite.deleted",
    "tenant.chatgpt_workspace_invite.upserted",
    "tenant.membership.accepted",
    "tenant.membership.declined",
    "tenant.workspace_invite_email_settings.updated",
];
const TYPE_INDEX = new Map(AUDIT_LOG_EVENT_TYPES.map((type, i) => [type, i]));
export function isAuditLogEventType(value) {
    return TYPE_INDEX.has(value);
}
/** The type's position in AUDIT_LOG_EVENT_TYPES (a compact column value). */
export function eventTypeIndex(type) {
    return TYPE_INDEX.get(type);
}
/**
 * Tenant-scoped types: listed only with `tenant_only=true`, which then lists nothing else. The
 * spec: `tenant_only` is "Required for tenant-scoped events such as `role.bound_to_resource` and
 * `role.unbound_from_resource`. When `true`, all supplied event types must be tenant-scoped".
 * Inference: every `tenant.*` type, plus those two, is tenant-scoped.
 */
export function isTenantScoped(type) {
    return (type.startsWith("tenant.") ||
        type === "role.bound_to_resource" ||
        type === "role.unbound_from_resource");
}
export const AUDIT_LOG_MODES = ["enabled", "disabled", "forbidden"];
/** A documentation address (RFC 5737 TEST-NET-3) for a console session of `userId`. */
export function documentationIp(userId) {
    let h = 2166136261;
    for (let i = 0; i < userId.length; i++)
        h = Math.imul(h ^ userId.charCodeAt(i), 16777619);
    return `203.0.113.${1 + ((h >>> 0) % 254)}`;
}
/** The session actor of a user. */
export function sessionActor(user, ipAddress = documentationIp(user.id)) {
    const u = { id: user.id };
    if (user.email !== null)
        u.email = user.email;
    return { type: "session", session: { user: u, ip_address: ipAddress } };
}
/** The api_key actor of a key whose owner is a user. */
export function userKeyActor(keyId, user) {
    const u = { id: user.id };
    if (user.email !== null)
        u.email = user.email;
    return { type: "api_key", api_key: { id: keyId, type: "user", user: u } };
}
/** The api_key actor of a key whose owner is a service account. */
export function serviceAccountKeyActor(keyId, serviceAccountId) {
    return {
        type: "api_key",
        api_key: { id: keyId, type: "service_account", service_account: { id: serviceAccountId } },
    };
}
/**
 * The `role.updated` detail of a role edit, or undefined when the edit changes nothing.
 * `permissions_added`/`permissions_removed` are always present (empty when the permissions stay);
 * `role_name` and `description` only when they change (a cleared description is not a string,
 * which the schema requires, so it is left out).
 */
export function roleUpdatedDetail(id, before, after) {
    const added = after.permissions.filter((p) => !before.permissions.includes(p));
    const removed = before.permissions.filter((p) => !after.permissions.includes(p));
    const renamed = after.name !== before.name;
    const described = after.description !== before.description;
    if (!renamed && !described && added.length === 0 && removed.length === 0)
        return undefined;
    const changes = {};
    if (renamed)
        changes.role_name = after.name;
    changes.permissions_added = [...added].sort();
    changes.permissions_removed = [...removed].sort();
    if (described && after.description !== null)
        changes.description = after.description;
    return { id, changes_requested: changes };
}
/** The key of a role assignment: (resource, principal, role). */
export function assignmentKey(resourceId, principalType, principalId, roleId) {
    return `${resourceId}|${principalType}:${principalId}|${roleId}`;
}
//# sourceMappingURL=audit-events.js.map