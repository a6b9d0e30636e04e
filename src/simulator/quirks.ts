/**
 * Switches for behaviour the reference marks as *inference* or where the spec's
 * examples disagree with its schemas (../shared/docs/openai-admin-api.md §10-11).
 * Defaults are the faithful, schema-conformant choice; the switches let tests
 * check that a client copes with the other plausible servers too.
 */
import type { OwnerProjectAccessFilter } from "./credentials-state.js";
import type { SortOrder } from "./state.js";

export interface QuirkConfig {
  /** A 401 echoes the presented key in full (hostile on purpose, tests redaction). Default true. */
  echoKeyInAuthErrors: boolean;
  /** Group list/retrieve/create objects lack `group_type`, like the spec's examples. Default false. */
  groupTypeOmitted: boolean;
  /** Group list/retrieve/create objects carry `"object": "group"`, like the spec's examples. Default false. */
  groupObjectKey: boolean;
  /** Role-assignment list items omit `assignment_sources`, like the spec's list examples. Default false. */
  assignmentSourcesOmitted: boolean;
  /** `next` is an opaque base64url token instead of the last item's id. Default false. */
  opaqueCursors: boolean;
  /** A user's role list includes roles inherited through groups. Default true. */
  userRolesIncludeInherited: boolean;
  /** SCIM-managed groups reject rename, delete and membership changes with 400. Default false. */
  scimGroupsReadOnly: boolean;
  /** Re-adding a member or re-assigning a role: 200 as if new (default), 409, or 400. */
  duplicateWrites: "idempotent" | "conflict" | "bad_request";
  /** Removing a non-member or unassigning an unassigned role: 404 (default) or 200. */
  missingDeletes: "not_found" | "idempotent";
  /** `limit=0`: the default page size (default), an empty final page, or 400. */
  limitZero: "default" | "empty" | "error";
  /** Default page size of group and user role-assignment lists (undocumented). Default 100. */
  roleAssignmentDefaultLimit: number;
  /** Default order of role-assignment lists (undocumented). Default "asc". */
  roleAssignmentDefaultOrder: SortOrder;
  /** Status for unknown ids in the path. Default 404. */
  notFoundStatus: 404 | 400;
  /**
   * What a project API key list without `owner_project_access` shows: the "membership-based
   * visibility rules, which may exclude some enabled keys" (§9, §16: configurable). Default
   * "active" (inference: keys whose owner lost access are hidden); "any" hides nothing.
   */
  apiKeysDefaultOwnerAccess: OwnerProjectAccessFilter;
  /**
   * Audit-log session actors carry `user_agent`, `ja3`, `ja4` and `ip_address_details`, like the
   * spec's examples (the schema declares only `user` and `ip_address`; §12.5). Default false.
   */
  auditLogSessionDetails: boolean;
  /**
   * Every audit-log event carries a top-level `source` (`cloud_console` for sessions, `adminapi`
   * for API keys, `scim`), the enum the spec had for two days in August 2026 (§12.2). Default
   * false: only SCIM's events carry it.
   */
  auditLogSource: boolean;
  /**
   * Every response carries `openai-organization: <this>`, as the OpenAI API's other endpoints'
   * responses do (the admin reference is silent about response headers). Default null: not sent.
   */
  organizationHeader: string | null;
}

export const DEFAULT_QUIRKS: Readonly<QuirkConfig> = Object.freeze({
  echoKeyInAuthErrors: true,
  groupTypeOmitted: false,
  groupObjectKey: false,
  assignmentSourcesOmitted: false,
  opaqueCursors: false,
  userRolesIncludeInherited: true,
  scimGroupsReadOnly: false,
  duplicateWrites: "idempotent",
  missingDeletes: "not_found",
  limitZero: "default",
  roleAssignmentDefaultLimit: 100,
  roleAssignmentDefaultOrder: "asc",
  notFoundStatus: 404,
  apiKeysDefaultOwnerAccess: "active",
  auditLogSessionDetails: false,
  auditLogSource: false,
  organizationHeader: null,
});

/** Defaults overlaid with `overrides`; undefined entries keep the default. */
export function resolveQuirks(
  overrides: Partial<QuirkConfig> | undefined,
  base: Readonly<QuirkConfig> = DEFAULT_QUIRKS,
): QuirkConfig {
  const out: QuirkConfig = { ...base };
  if (overrides === undefined) return out;
  for (const key of Object.keys(overrides) as Array<keyof QuirkConfig>) {
    const value = overrides[key];
    if (value !== undefined) Object.assign(out, { [key]: value });
  }
  return out;
}
