/**
 * What the analysis treats as elevated, which email domains belong to the organization and when
 * an elevated user counts as inactive. Commands get it from the one configuration path
 * (src/config `loadConfig`: flags, environment, file, these defaults), so every command that
 * analyses a snapshot sees the same settings.
 */

export interface AnalysisConfig {
  /** Roles elevated by name (any role with that name), besides the predefined Owner. */
  elevatedRoleNames?: string[];
  /**
   * Glob patterns (DuckDB GLOB: `*`, `?`, `[...]`) over a role's permissions; a role holding a
   * matching permission is elevated. Default: `*.write`, `*.admin`.
   */
  elevatedPermissionPatterns?: string[];
  /** Email domains of the organization's people; empty = not configured (the domain rule stays silent). */
  allowedEmailDomains?: string[];
  /** An elevated user whose API key was last used more than this many days before the snapshot finished is inactive. */
  inactivityDays?: number;
}

export interface ResolvedAnalysisConfig {
  elevatedRoleNames: string[];
  elevatedPermissionPatterns: string[];
  allowedEmailDomains: string[];
  inactivityDays: number;
}

/**
 * A permission whose action is `write` or `admin`. Not "contains admin": the predefined Reader
 * holds `api.admin_api_keys.read`, which would make every reader elevated.
 */
export const DEFAULT_ELEVATED_PERMISSION_PATTERNS: readonly string[] = ["*.write", "*.admin"];
export const DEFAULT_INACTIVITY_DAYS = 90;

const sortedUnique = (values: readonly string[]): string[] =>
  [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Fills defaults; domains are lower-cased without a leading `@`. */
export function resolveAnalysisConfig(config: AnalysisConfig = {}): ResolvedAnalysisConfig {
  const inactivityDays = config.inactivityDays ?? DEFAULT_INACTIVITY_DAYS;
  if (!Number.isInteger(inactivityDays) || inactivityDays < 0) {
    throw new RangeError(`inactivityDays must be a whole number of days, got ${inactivityDays}`);
  }
  return {
    elevatedRoleNames: sortedUnique(config.elevatedRoleNames ?? []),
    elevatedPermissionPatterns: sortedUnique(
      config.elevatedPermissionPatterns ?? DEFAULT_ELEVATED_PERMISSION_PATTERNS,
    ),
    allowedEmailDomains: sortedUnique(
      (config.allowedEmailDomains ?? [])
        .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
        .filter((d) => d.length > 0),
    ),
    inactivityDays,
  };
}
