/**
 * What the analysis treats as elevated, which email domains belong to the organization and when
 * an elevated user counts as inactive. Commands get it from the one configuration path
 * (src/config `loadConfig`: flags, environment, file, these defaults), so every command that
 * analyses a snapshot sees the same settings.
 */
import { USAGE_RESOLUTION_DAYS } from "../facts/credentials.js";
/**
 * A permission whose action is `write` or `admin`. Not "contains admin": the predefined Reader
 * holds `api.admin_api_keys.read`, which would make every reader elevated.
 */
export const DEFAULT_ELEVATED_PERMISSION_PATTERNS = ["*.write", "*.admin"];
export const DEFAULT_INACTIVITY_DAYS = 90;
/**
 * The tiers of elevated access, highest first: `owner` (the predefined Owner or Project Owner),
 * `access-admin` (a role that can change access itself: a permission matching the access
 * administration patterns), `write` (any other elevated role). Each finding about a role names
 * its tier, so a reviewer reads the few Owners and access administrators before the many writers.
 */
export const ELEVATION_TIERS = ["owner", "access-admin", "write"];
/** Higher is more privileged; a role that is not elevated ranks -1. */
export const tierRank = (tier) => tier === null ? -1 : ELEVATION_TIERS.length - 1 - ELEVATION_TIERS.indexOf(tier);
/**
 * Permissions that administer access: writing users, groups, roles, keys, service accounts or
 * invites, or an `*.admin` / `api.all` permission. A role holding one can grant itself or
 * anyone else more access, which is why it ranks just below Owner.
 */
export const DEFAULT_ACCESS_ADMIN_PERMISSION_PATTERNS = [
    "*.users.write",
    "*.groups.write",
    "*.roles.write",
    "*.admin_api_keys.write",
    "*.api_keys.write",
    "*.service_accounts.write",
    "*.invites.write",
    "*.admin",
    "api.all",
];
export const DEFAULT_CREDENTIAL_THRESHOLDS = {
    adminKeyUnusedDays: 90,
    keyUnusedDays: 90,
    invitePendingDays: 7,
    keyRotationDays: 365,
};
/** The smallest unused threshold: usage is exact from this age on (USAGE_RESOLUTION_DAYS). */
export const MIN_UNUSED_DAYS = USAGE_RESOLUTION_DAYS;
/** Each threshold with its default, checked: whole days, at least 1 (unused: at least 30). */
export function resolveCredentialThresholds(thresholds = {}) {
    const resolved = { ...DEFAULT_CREDENTIAL_THRESHOLDS, ...definedOnly(thresholds) };
    for (const [name, value] of Object.entries(resolved)) {
        const min = name.endsWith("UnusedDays") ? MIN_UNUSED_DAYS : 1;
        if (!Number.isInteger(value) || value < min) {
            throw new RangeError(`credentials.${name} must be a whole number of days of at least ${min}, got ${value}`);
        }
    }
    return resolved;
}
function definedOnly(thresholds) {
    return Object.fromEntries(Object.entries(thresholds).filter(([, value]) => value !== undefined));
}
const sortedUnique = (values) => [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
/** Fills defaults; domains are lower-cased without a leading `@`. */
export function resolveAnalysisConfig(config = {}) {
    const inactivityDays = config.inactivityDays ?? DEFAULT_INACTIVITY_DAYS;
    if (!Number.isInteger(inactivityDays) || inactivityDays < 0) {
        throw new RangeError(`inactivityDays must be a whole number of days, got ${inactivityDays}`);
    }
    return {
        elevatedRoleNames: sortedUnique(config.elevatedRoleNames ?? []),
        elevatedPermissionPatterns: sortedUnique(config.elevatedPermissionPatterns ?? DEFAULT_ELEVATED_PERMISSION_PATTERNS),
        accessAdminPermissionPatterns: sortedUnique(config.accessAdminPermissionPatterns ?? DEFAULT_ACCESS_ADMIN_PERMISSION_PATTERNS),
        allowedEmailDomains: sortedUnique((config.allowedEmailDomains ?? [])
            .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
            .filter((d) => d.length > 0)),
        inactivityDays,
        credentials: resolveCredentialThresholds(config.credentials),
    };
}
//# sourceMappingURL=config.js.map