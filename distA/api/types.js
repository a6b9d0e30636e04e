/**
 * Wire types of the OpenAI Admin API endpoints the audit reads and writes.
 *
 * Each schema is lenient where the spec and real servers disagree (see
 * ../shared/docs/openai-admin-api.md): unknown keys are kept, `object` may be
 * present or absent, `group_type` and `assignment_sources` may be missing.
 * Anything else that does not match is a protocol error, not silently accepted.
 */
import { z } from "zod";
const unixSeconds = z.number().int();
const nullableString = z.string().nullable();
export const GroupTypeSchema = z.enum(["group", "tenant_group"]);
/** `GroupResponse`: list and retrieve items. */
export const GroupSchema = z.looseObject({
    object: z.literal("group").optional(),
    id: z.string().min(1),
    name: z.string(),
    created_at: unixSeconds,
    is_scim_managed: z.boolean(),
    // Required by the schema, omitted by the spec's own examples: tolerate both.
    group_type: GroupTypeSchema.optional(),
});
/** `GroupResourceWithSuccess`: the update response, which has no `group_type`. */
export const GroupUpdatedSchema = z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    created_at: unixSeconds,
    is_scim_managed: z.boolean(),
});
export const GroupDeletedSchema = z.looseObject({
    object: z.literal("group.deleted"),
    id: z.string(),
    deleted: z.boolean(),
});
/** `GroupUser`: an item of `/groups/{id}/users`. */
export const GroupUserSchema = z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    email: nullableString,
});
export const GroupUserAssignmentSchema = z.looseObject({
    object: z.literal("group.user"),
    user_id: z.string(),
    group_id: z.string(),
});
/** Deletes of group users and role assignments carry no `id`. */
export const DeletedAssignmentSchema = z.looseObject({
    object: z.string(),
    deleted: z.boolean(),
});
export const AssignmentSourceSchema = z.looseObject({
    principal_id: z.string(),
    principal_type: z.string(),
});
/** `AssignedRoleDetails`: a flat role record, items of group and user role lists. */
export const AssignedRoleSchema = z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    permissions: z.array(z.string()),
    resource_type: z.string(),
    predefined_role: z.boolean(),
    description: nullableString.optional(),
    created_at: unixSeconds.nullable().optional(),
    updated_at: unixSeconds.nullable().optional(),
    created_by: nullableString.optional(),
    created_by_user_obj: z.record(z.string(), z.unknown()).nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
    // Required by the schema, omitted by the spec's list example.
    assignment_sources: z.array(AssignmentSourceSchema).nullable().optional(),
});
/** `Role`: items of the organization roles catalog. */
export const RoleSchema = z.looseObject({
    object: z.literal("role").optional(),
    id: z.string().min(1),
    name: z.string(),
    description: nullableString,
    permissions: z.array(z.string()),
    resource_type: z.string(),
    predefined_role: z.boolean(),
});
/** `GroupRoleAssignment`: note `group.scim_managed`, not `is_scim_managed`. */
export const GroupRoleAssignmentSchema = z.looseObject({
    object: z.literal("group.role"),
    group: z.looseObject({
        object: z.literal("group").optional(),
        id: z.string(),
        name: z.string(),
        created_at: unixSeconds,
        scim_managed: z.boolean(),
    }),
    role: RoleSchema,
});
/** `User`: items of `/organization/users` (legacy envelope). */
export const OrgUserSchema = z.looseObject({
    object: z.literal("organization.user").optional(),
    id: z.string().min(1),
    name: nullableString.optional(),
    email: nullableString.optional(),
    role: nullableString.optional(),
    added_at: unixSeconds,
    is_service_account: z.boolean().nullable().optional(),
    is_scim_managed: z.boolean().nullable().optional(),
    api_key_last_used_at: unixSeconds.nullable().optional(),
});
/** `UserRoleAssignment`: `{object: "user.role", user: {User}, role: {Role}}`. */
export const UserRoleAssignmentSchema = z.looseObject({
    object: z.literal("user.role"),
    // The nested user is the org `User`; only its id is relied upon.
    user: z.looseObject({ object: z.string().optional(), id: z.string() }),
    role: RoleSchema,
});
/** `Project`: items of `/organization/projects` (legacy envelope). `status` has no enum. */
export const ProjectSchema = z.looseObject({
    object: z.literal("organization.project").optional(),
    id: z.string().min(1),
    name: nullableString.optional(),
    created_at: unixSeconds,
    archived_at: unixSeconds.nullable().optional(),
    status: nullableString.optional(),
    external_key_id: nullableString.optional(),
    residency: z.string().optional(),
});
/** `ProjectUser`: items of `/organization/projects/{project_id}/users` (legacy envelope). */
export const ProjectUserSchema = z.looseObject({
    object: z.literal("organization.project.user").optional(),
    id: z.string().min(1),
    name: nullableString.optional(),
    email: nullableString.optional(),
    role: z.string(),
    added_at: unixSeconds,
});
export const ProjectUserDeletedSchema = z.looseObject({
    object: z.literal("organization.project.user.deleted"),
    id: z.string(),
    deleted: z.boolean(),
});
/** `ProjectGroup`: a group attached to a project. It has no role field and no `id`. */
export const ProjectGroupSchema = z.looseObject({
    object: z.literal("project.group").optional(),
    project_id: z.string(),
    group_id: z.string().min(1),
    group_name: z.string(),
    // Required by the schema, omitted by three of the spec's four examples: tolerate both.
    group_type: GroupTypeSchema.optional(),
    created_at: unixSeconds,
});
export const RoleDeletedSchema = z.looseObject({
    object: z.literal("role.deleted"),
    id: z.string(),
    deleted: z.boolean(),
});
/**
 * `ProjectServiceAccount`: items of `/organization/projects/{project_id}/service_accounts`
 * (legacy envelope). `role` is `owner`, `member` or `none`.
 */
export const ServiceAccountSchema = z.looseObject({
    object: z.literal("organization.project.service_account").optional(),
    id: z.string().min(1),
    name: nullableString.optional(),
    role: z.string(),
    created_at: unixSeconds,
});
export const ServiceAccountDeletedSchema = z.looseObject({
    object: z.literal("organization.project.service_account.deleted"),
    id: z.string(),
    deleted: z.boolean(),
});
/**
 * `ProjectApiKey`: items of `/organization/projects/{project_id}/api_keys`. The list never
 * carries the key itself, only `redacted_value`; the owner is a user or a service account.
 */
export const ProjectApiKeySchema = z.looseObject({
    object: z.literal("organization.project.api_key").optional(),
    id: z.string().min(1),
    name: nullableString.optional(),
    redacted_value: z.string(),
    created_at: unixSeconds,
    last_used_at: unixSeconds.nullable().optional(),
    owner_project_access: z.string().optional(),
    owner: z.looseObject({
        type: z.string().optional(),
        user: z
            .looseObject({
            id: z.string(),
            name: nullableString.optional(),
            email: nullableString.optional(),
            role: nullableString.optional(),
            created_at: unixSeconds.nullable().optional(),
        })
            .nullable()
            .optional(),
        service_account: z
            .looseObject({
            id: z.string(),
            name: nullableString.optional(),
            role: nullableString.optional(),
            created_at: unixSeconds.nullable().optional(),
        })
            .nullable()
            .optional(),
    }),
});
export const ProjectApiKeyDeletedSchema = z.looseObject({
    object: z.literal("organization.project.api_key.deleted"),
    id: z.string(),
    deleted: z.boolean(),
});
/**
 * `AdminApiKey`: items of `/organization/admin_api_keys` (CursorPage: the next page starts after
 * the last item's id). The owner has no required keys; the spec says "always a user" and its own
 * example shows a service account.
 */
export const AdminApiKeySchema = z.looseObject({
    object: z.literal("organization.admin_api_key").optional(),
    id: z.string().min(1),
    name: nullableString.optional(),
    redacted_value: z.string(),
    created_at: unixSeconds,
    // Required by the schema, omitted by two of the spec's examples.
    expires_at: unixSeconds.nullable().optional(),
    last_used_at: unixSeconds.nullable().optional(),
    owner: z
        .looseObject({
        type: nullableString.optional(),
        object: nullableString.optional(),
        id: nullableString.optional(),
        name: nullableString.optional(),
        created_at: unixSeconds.nullable().optional(),
        role: nullableString.optional(),
    })
        .nullable()
        .optional(),
});
export const AdminApiKeyDeletedSchema = z.looseObject({
    object: z.literal("organization.admin_api_key.deleted").optional(),
    id: z.string(),
    deleted: z.boolean(),
});
/** `Invite`: items of `/organization/invites` (legacy envelope). */
export const InviteSchema = z.looseObject({
    object: z.literal("organization.invite").optional(),
    id: z.string().min(1),
    email: z.string(),
    role: z.string(),
    status: z.string(),
    created_at: unixSeconds,
    expires_at: unixSeconds.nullable().optional(),
    accepted_at: unixSeconds.nullable().optional(),
    // Required by the schema, omitted by the spec's list and retrieve examples.
    projects: z.array(z.looseObject({ id: z.string(), role: z.string() })).optional(),
});
export const InviteDeletedSchema = z.looseObject({
    object: z.literal("organization.invite.deleted"),
    id: z.string(),
    deleted: z.boolean(),
});
/**
 * `AuditLog`: items of `/organization/audit_logs` (legacy envelope, newest first by inference).
 * Only `id`, `type` and `effective_at` are required; the actor and the detail object (keyed by
 * the event type, e.g. `"role.assignment.created": {…}`) are read loosely, since the live API
 * sends fields the schema does not declare (session `user_agent`, `ip_address_details`, a
 * top-level `source`). Unknown keys are kept: the stored event is the event as received.
 */
const auditUser = z.looseObject({
    id: nullableString.optional(),
    email: nullableString.optional(),
});
export const AuditLogActorSchema = z.looseObject({
    type: nullableString.optional(),
    session: z
        .looseObject({
        user: auditUser.nullable().optional(),
        ip_address: nullableString.optional(),
    })
        .nullable()
        .optional(),
    api_key: z
        .looseObject({
        id: nullableString.optional(),
        type: nullableString.optional(),
        user: auditUser.nullable().optional(),
        service_account: z.looseObject({ id: nullableString.optional() }).nullable().optional(),
    })
        .nullable()
        .optional(),
});
export const AuditLogSchema = z.looseObject({
    id: z.string().min(1),
    type: z.string().min(1),
    effective_at: unixSeconds,
    project: z
        .looseObject({ id: nullableString.optional(), name: nullableString.optional() })
        .nullable()
        .optional(),
    actor: AuditLogActorSchema.nullable().optional(),
});
/** `NextCursorPage` envelope: `{object, data, has_more, next}`. */
export function nextCursorPageSchema(item) {
    return z.looseObject({
        object: z.literal("list").optional(),
        data: z.array(item),
        // Node's SDK treats a missing has_more as "stop"; we record it as absent and decide in the paginator.
        has_more: z.boolean().optional(),
        next: z.string().nullable().optional(),
    });
}
/** Legacy `ConversationCursorPage` envelope: `{object, data, first_id, last_id, has_more}`. */
export function lastIdPageSchema(item) {
    return z.looseObject({
        object: z.literal("list").optional(),
        data: z.array(item),
        first_id: z.string().nullable().optional(),
        last_id: z.string().nullable().optional(),
        has_more: z.boolean().optional(),
    });
}
/** The error envelope; all four inner keys are required on the wire. */
export const ErrorEnvelopeSchema = z.object({
    error: z.looseObject({
        message: z.string(),
        type: z.string(),
        param: z.string().nullable(),
        code: z.string().nullable(),
    }),
});
//# sourceMappingURL=types.js.map