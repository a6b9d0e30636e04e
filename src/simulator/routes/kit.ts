/**
 * What every route family of the simulator shares (src/simulator/routes/*.ts, one module per
 * resource family, mirroring src/api/client.ts): the reply and route shapes, error replies,
 * the list specs, and the server's helpers a handler may call (`RouteKit`). Adding a family is
 * one new module exporting `register<Family>Routes(kit)` and one line in server.ts.
 */
import type { QuirkConfig } from "../quirks.js";
import type {
  AssignedRoleWire,
  GroupWire,
  OrgState,
  Page,
  PageRequest,
  SortOrder,
} from "../state.js";

export type JsonObject = Record<string, unknown>;

export interface ListReply {
  envelope: "next" | "legacy";
  /** The raw incoming `after`, as the client sent it. */
  after: string | undefined;
  /** The group whose sub-list this is, for focused mutations. */
  focusGroupId: string | undefined;
  /** The project whose sub-list (or catalog) this is, for focused mutations. */
  focusProjectId?: string | undefined;
  /** The key holding an item's id, when not `id` (project groups: `group_id`). */
  idKey?: string | undefined;
  /** The page size the client asked for (or the default). */
  limit: number;
}

/** Extras of a next-cursor list reply (see ListReply). */
export interface ListExtras {
  focusProjectId?: string | undefined;
  idKey?: string | undefined;
}

export interface Reply {
  status: number;
  body: JsonObject;
  headers?: Record<string, string>;
  list?: ListReply;
}

export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: JsonObject;
}

export interface Route {
  method: string;
  template: string;
  segments: string[];
  /** Whether the route reads a JSON body (a malformed one is then a 400). */
  readsBody: boolean;
  handler: (ctx: RequestContext) => Reply;
}

export interface ListSpec {
  defaultLimit: number;
  maxLimit: number;
  minLimit: number;
  defaultOrder: SortOrder;
  /** The legacy users list has no `order` parameter. */
  hasOrder: boolean;
}

export function errorBody(
  message: string,
  type: string,
  param: string | null,
  code: string | null,
): JsonObject {
  return { error: { message, type, param, code } };
}

export function errorReply(
  status: number,
  message: string,
  param: string | null = null,
  code: string | null = null,
  type = "invalid_request_error",
): Reply {
  return { status, body: errorBody(message, type, param, code) };
}

export function isReply(value: unknown): value is Reply {
  return typeof value === "object" && value !== null && "status" in value && "body" in value;
}

/** The list parameters of the next-cursor lists (groups, group users, roles). */
export const GROUPS_LIST: ListSpec = {
  defaultLimit: 100,
  maxLimit: 1000,
  minLimit: 0,
  defaultOrder: "asc",
  hasOrder: true,
};
export const GROUP_USERS_LIST: ListSpec = { ...GROUPS_LIST, defaultOrder: "desc" };
export const ROLES_LIST: ListSpec = { ...GROUPS_LIST, defaultLimit: 1000 };
/** The legacy users list: `limit` 1..100, default 20, no `order`. */
export const USERS_LIST: ListSpec = {
  defaultLimit: 20,
  maxLimit: 100,
  minLimit: 1,
  defaultOrder: "asc",
  hasOrder: false,
};
/** Projects and project users: the legacy envelope and parameters of the users list. */
export const PROJECTS_LIST: ListSpec = USERS_LIST;
/** Project groups: `limit` 0..100, default 20, `order` default asc. */
export const PROJECT_GROUPS_LIST: ListSpec = { ...GROUPS_LIST, defaultLimit: 20, maxLimit: 100 };
/**
 * Admin API keys (CursorPage: `after` = the last item's id): `limit` default 20, no maximum
 * stated (inference: 1..100, like the legacy lists), `order` asc (default) or desc.
 */
export const ADMIN_KEYS_LIST: ListSpec = { ...USERS_LIST, hasOrder: true };
/** A project's roles catalog: as the organization's (`limit` 0..1000, default 1000). */
export const PROJECT_ROLES_LIST: ListSpec = ROLES_LIST;

/** The `permissions` of a role body: a string array, or null when optional and absent. */
export function permissionsOf(body: JsonObject, required: boolean): string[] | null | Reply {
  const value = body.permissions;
  if (value === undefined || value === null) {
    return required
      ? errorReply(
          400,
          "Missing required parameter: 'permissions'.",
          "permissions",
          "missing_required_parameter",
        )
      : null;
  }
  if (!Array.isArray(value) || !value.every((p) => typeof p === "string")) {
    return errorReply(
      400,
      "Invalid type for 'permissions': expected an array of strings.",
      "permissions",
      "invalid_type",
    );
  }
  return value as string[];
}

/** The `description` of a role body: a string, null, or undefined when absent. */
export function descriptionOf(body: JsonObject): string | null | undefined | Reply {
  const value = body.description;
  if (value === undefined || value === null || typeof value === "string") return value;
  return errorReply(
    400,
    "Invalid type for 'description': expected a string.",
    "description",
    "invalid_type",
  );
}

/** An optional nullable string body field: the value, null, undefined when absent, or a 400. */
export function optionalString(body: JsonObject, key: string): string | null | undefined | Reply {
  const value = body[key];
  if (value === undefined || value === null || typeof value === "string") return value;
  return errorReply(
    400,
    `Invalid type for '${key}': expected a string, but got ${Array.isArray(value) ? "an array" : `a ${typeof value}`} instead.`,
    key,
    "invalid_type",
  );
}

/** The server's state and helpers, as route handlers use them. */
export interface RouteKit {
  readonly state: OrgState;
  /** The current quirks (they can be switched while the server runs). */
  quirks(): QuirkConfig;
  add(
    method: string,
    template: string,
    handler: (ctx: RequestContext) => Reply,
    readsBody?: boolean,
  ): void;
  param(ctx: RequestContext, name: string): string;
  notFound(message: string): Reply;
  /** A 404 for a group that does not exist, else undefined. */
  groupOr404(groupId: string): Reply | undefined;
  /** A 404 for a project that does not exist, else undefined. */
  projectOr404(projectId: string): Reply | undefined;
  /** A 404 for a project that does not exist, a 400 for an archived one, else undefined. */
  activeProjectOr4xx(projectId: string): Reply | undefined;
  parseList(query: URLSearchParams, spec: ListSpec): PageRequest | Reply;
  nextCursorList<T>(
    page: Page<T>,
    request: PageRequest,
    rawAfter: string | null,
    idOf: (item: T) => string,
    shape: (item: T) => JsonObject,
    focusGroupId?: string,
    extras?: ListExtras,
  ): Reply;
  /** The legacy envelope (`first_id`, `last_id`, `has_more`) over items with an `id`. */
  legacyList<T extends { id: string }>(
    page: Page<T>,
    request: PageRequest,
    rawAfter: string | null,
    shape: (item: T) => JsonObject,
    focusProjectId?: string,
  ): Reply;
  shapeGroup(g: GroupWire): JsonObject;
  shapeAssignedRole(r: AssignedRoleWire): JsonObject;
  requiredString(
    body: JsonObject,
    key: string,
    limits?: { min?: number; max?: number },
  ): string | Reply;
  scimReadOnly(groupId: string): Reply | undefined;
  duplicate(message: string, param: string): Reply | undefined;
  roleAssignmentSpec(): ListSpec;
}
