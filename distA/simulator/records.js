/**
 * Thrown by mutations and sub-resource reads; the server maps it to 404 / 400. Not an
 * AuditError (src/errors.ts): it never leaves the simulator, whose clients see only HTTP.
 */
export class StateError extends Error {
    kind;
    param;
    constructor(kind, message, param = null) {
        super(message);
        this.kind = kind;
        this.param = param;
        this.name = "StateError";
    }
}
// ---------------------------------------------------------------- helpers
/** First index whose key is >= target. */
export function lowerBound(count, keyAt, target) {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keyAt(mid) < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
/** First index whose key is > target. */
export function upperBound(count, keyAt, target) {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keyAt(mid) <= target)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
export function indexOfSorted(values, value) {
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const v = values[mid];
        if (v < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < values.length && values[lo] === value ? lo : -lo - 1;
}
export function indexOfSortedString(values, value) {
    const lo = lowerBound(values.length, (i) => values[i], value);
    return lo < values.length && values[lo] === value ? lo : -lo - 1;
}
/**
 * Positions of one page over an id-ordered sequence: `after` is exclusive and
 * need not exist (a deleted cursor still lands between its neighbours).
 */
export function pagePositions(count, keyAt, isLive, request) {
    const positions = [];
    const { after, limit, order } = request;
    if (order === "asc") {
        let i = after === undefined ? 0 : upperBound(count, keyAt, after);
        for (; i < count && positions.length < limit; i++)
            if (isLive(i))
                positions.push(i);
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
    for (; i >= 0 && positions.length < limit; i--)
        if (isLive(i))
            positions.push(i);
    let hasMore = false;
    for (; i >= 0; i--) {
        if (isLive(i)) {
            hasMore = true;
            break;
        }
    }
    return { positions, hasMore };
}
export function pageOfSorted(items, keyOf, request) {
    const { positions, hasMore } = pagePositions(items.length, (i) => keyOf(items[i]), () => true, request);
    return { items: positions.map((p) => items[p]), hasMore };
}
export const ALL = { limit: Number.MAX_SAFE_INTEGER, order: "asc" };
// ---------------------------------------------------------------- wire builders
/** The `Role` shape of a role record (a fresh object: callers may change it). */
export function roleWireOf(r) {
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
export function assignedRoleWireOf(r, sources) {
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
//# sourceMappingURL=records.js.map