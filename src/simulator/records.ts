/**
 * What the organization's state and the project state share (state.ts, projects-state.ts):
 * the compact records, the wire shapes both serve, the sorted-array helpers and paging by id
 * order, and the error their mutations throw. A module of its own so neither state module
 * imports the other's internals (the module graph stays acyclic).
 */
export type SortOrder = "asc" | "desc";
export type GroupType = "group" | "tenant_group";
export type UserType = "user" | "tenant_user";

// ---------------------------------------------------------------- records

export interface UserRecord {
  readonly id: string;
  name: string;
  email: string | null;
  picture: string | null;
  addedAt: number;
  isServiceAccount: boolean;
  isScimManaged: boolean;
  apiKeyLastUsedAt: number | null;
  userType: UserType;
  /** Removed users keep their slot (indexes in memberships stay valid) but are invisible. */
  removed: boolean;
}

export interface GroupRecord {
  readonly id: string;
  name: string;
  readonly createdAt: number;
  isScimManaged: boolean;
  groupType: GroupType;
  /** Indexes into the users array, ascending; index order is user id order. */
  members: number[];
  /** Assigned organization role ids, ascending. */
  roleIds: string[];
}

export interface CreatorSummary {
  id: string;
  name: string;
  email: string | null;
}

export interface RoleRecord {
  readonly id: string;
  name: string;
  description: string | null;
  permissions: string[];
  resourceType: string;
  predefined: boolean;
  createdAt: number | null;
  updatedAt: number | null;
  createdBy: string | null;
  createdByUserObj: CreatorSummary | null;
  metadata: Record<string, unknown> | null;
}

// ---------------------------------------------------------------- wire shapes (spec-conformant)

/** `Role`: the roles catalog. */
export interface RoleWire {
  object: "role";
  id: string;
  name: string;
  description: string | null;
  permissions: string[];
  resource_type: string;
  predefined_role: boolean;
}

export interface AssignmentSourceWire {
  principal_id: string;
  principal_type: "user" | "group";
}

/** `AssignedRoleDetails`: items of group and user role lists (no `object`). */
export interface AssignedRoleWire {
  id: string;
  name: string;
  permissions: string[];
  resource_type: string;
  predefined_role: boolean;
  description: string | null;
  created_at: number | null;
  updated_at: number | null;
  created_by: string | null;
  created_by_user_obj: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  assignment_sources: AssignmentSourceWire[] | null;
}

/** `User`: items of `/organization/users`. */
export interface OrgUserWire {
  object: "organization.user";
  id: string;
  name: string;
  email: string | null;
  role: "owner" | "reader";
  added_at: number;
  is_service_account: boolean;
  is_scim_managed: boolean;
  api_key_last_used_at: number | null;
}

export interface PageRequest {
  /** Exclusive cursor: an id (which need not exist any more). */
  after?: string | undefined;
  limit: number;
  order: SortOrder;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

export interface CreateRoleOptions {
  name: string;
  permissions: string[];
  description?: string | null;
  resourceType?: string;
}

export interface UpdateRoleOptions {
  name?: string | null;
  permissions?: string[] | null;
  description?: string | null;
}

export type StateErrorKind = "not_found" | "invalid";

/**
 * Thrown by mutations and sub-resource reads; the server maps it to 404 / 400. Not an
 * AuditError (src/errors.ts): it never leaves the simulator, whose clients see only HTTP.
 */
export class StateError extends Error {
  constructor(
    readonly kind: StateErrorKind,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = "StateError";
  }
}

// ---------------------------------------------------------------- helpers

/** First index whose key is >= target. */
export function lowerBound(count: number, keyAt: (i: number) => string, target: string): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyAt(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key is > target. */
export function upperBound(count: number, keyAt: (i: number) => string, target: string): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyAt(mid) <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function indexOfSorted(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = values[mid] as number;
    if (v < value) lo = mid + 1;
    else hi = mid;
  }
  return lo < values.length && values[lo] === value ? lo : -lo - 1;
}

export function indexOfSortedString(values: readonly string[], value: string): number {
  const lo = lowerBound(values.length, (i) => values[i] as string, value);
  return lo < values.length && values[lo] === value ? lo : -lo - 1;
}

/**
 * Positions of one page over an id-ordered sequence: `after` is exclusive and
 * need not exist (a deleted cursor still lands between its neighbours).
 */
export function pagePositions(
  count: number,
  keyAt: (i: number) => string,
  isLive: (i: number) => boolean,
  request: PageRequest,
): { positions: number[]; hasMore: boolean } {
  const positions: number[] = [];
  const { after, limit, order } = request;
  if (order === "asc") {
    let i = after === undefined ? 0 : upperBound(count, keyAt, after);
    for (; i < count && positions.length < limit; i++) if (isLive(i)) positions.push(i);
    let hasMore = false;
    for (; i < count; i++) {
      if (isLive(i)) {
        hasMore = true;
        break;
      }
    }
    return { positions, hasMore };
  }
  let i = after === undefined ? count - 1 : lowerBound(count, keyAt, after) - 1;
  for (; i >= 0 && positions.length < limit; i--) if (isLive(i)) positions.push(i);
  let hasMore = false;
  for (; i >= 0; i--) {
    if (isLive(i)) {
      hasMore = true;
      break;
    }
  }
  return { positions, hasMore };
}

export function pageOfSorted<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  request: PageRequest,
): Page<T> {
  const { positions, hasMore } = pagePositions(
    items.length,
    (i) => keyOf(items[i] as T),
    () => true,
    request,
  );
  return { items: positions.map((p) => items[p] as T), hasMore };
}

export const ALL: PageRequest = { limit: Number.MAX_SAFE_INTEGER, order: "asc" };

// ---------------------------------------------------------------- wire builders

/** The `Role` shape of a role record (a fresh object: callers may change it). */
export function roleWireOf(r: RoleRecord): RoleWire {
  return {
    object: "role",
    id: r.id,
    name: r.name,
    description: r.description,
    permissions: [...r.permissions],
    resource_type: r.resourceType,
    predefined_role: r.predefined,
  };
}

/** The `AssignedRoleDetails` shape of a role record held through `sources`. */
export function assignedRoleWireOf(
  r: RoleRecord,
  sources: AssignmentSourceWire[] | null,
): AssignedRoleWire {
  return {
    id: r.id,
    name: r.name,
    permissions: [...r.permissions],
    resource_type: r.resourceType,
    predefined_role: r.predefined,
    description: r.description,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    created_by: r.createdBy,
    created_by_user_obj: r.createdByUserObj === null ? null : { ...r.createdByUserObj },
    metadata: r.metadata === null ? null : { ...r.metadata },
    assignment_sources: sources,
  };
}
