/**
 * Runs the anomaly rules (see rules.ts for the rule contract) against one snapshot. Rules only
 * read: the CLI opens the store read-only, and the two helper tables the runner fills
 * (`elevated_roles`, `allowed_domains`) are TEMP tables, which DuckDB allows on a read-only
 * database. A rule that fails is reported by name and the others still run.
 */
import type { Store } from "../store/index.js";
import { previousSnapshotId } from "./access.js";
import {
  type AnalysisConfig,
  type ResolvedAnalysisConfig,
  resolveAnalysisConfig,
} from "./config.js";
import {
  BUILTIN_RULES_DIR,
  loadRules,
  type Rule,
  type RuleError,
  type RuleParameter,
  type Severity,
  severityRank,
} from "./rules.js";

export interface Finding {
  rule: string;
  severity: Severity;
  title: string;
  group_id: string | null;
  user_id: string | null;
  role_id: string | null;
  detail: string | null;
}

export interface AnomalyReport {
  snapshot_id: number;
  findings: Finding[];
  errors: RuleError[];
}

export interface RunOptions {
  snapshotId: number;
  /**
   * The caller has already materialised `effective_access` for the snapshot and the previous one
   * (materialiseEffectiveAccess) and drops it itself.
   */
  effectiveAccessMaterialised?: boolean;
  /** The snapshot to compare with; default: the previous complete one. `null`: none. */
  previousId?: number | null;
  config?: AnalysisConfig;
}

export interface RunRulesOptions extends RunOptions {
  /** Extra rule folders, after the shipped ones. */
  ruleDirs?: readonly string[];
  /** Load the shipped rules (default true). */
  builtin?: boolean;
}

/** Loads the shipped rules and those in `ruleDirs`, then runs them all. */
export async function runRules(store: Store, options: RunRulesOptions): Promise<AnomalyReport> {
  const dirs = [
    ...(options.builtin === false ? [] : [BUILTIN_RULES_DIR]),
    ...(options.ruleDirs ?? []),
  ];
  const loaded = await loadRules(dirs);
  const report = await runLoadedRules(store, loaded.rules, options);
  return { ...report, errors: sortErrors([...loaded.errors, ...report.errors]) };
}

/** Fills `elevated_roles` for the given snapshots and `allowed_domains`, as TEMP tables. */
/**
 * A list as SQL text over bound parameters (`[$name_0, $name_1]::TYPE[]`, or an empty typed
 * list): the node bindings cannot bind an empty list, whose item type they cannot infer.
 */
function boundList(
  name: string,
  values: readonly (string | number)[],
  type: "VARCHAR" | "INTEGER",
  params: Record<string, string | number>,
): string {
  const refs = values.map((value, i) => {
    params[`${name}_${i}`] = value;
    return `$${name}_${i}`;
  });
  return `[${refs.join(", ")}]::${type}[]`;
}

/**
 * A TEMP table `effective_access` with the view's rows of these snapshots. On this connection it
 * shadows the view (drop it with `DROP TABLE temp.effective_access`).
 */
export async function materialiseEffectiveAccess(
  store: Store,
  snapshotIds: readonly number[],
): Promise<void> {
  const params: Record<string, string | number> = {};
  const ids = boundList("id", snapshotIds, "INTEGER", params);
  await store.query(
    `CREATE OR REPLACE TEMP TABLE effective_access AS
     SELECT * FROM main.effective_access WHERE list_contains(${ids}, snapshot_id)`,
    params,
  );
}

/**
 * Fills `elevated_roles` for the given snapshots and `allowed_domains`, as TEMP tables. With
 * `effectiveAccess`, also a TEMP table `effective_access` holding the view's rows of those
 * snapshots: on this connection it shadows the view, so the rules that read it share one
 * evaluation of the view (a join over every membership) instead of each paying for its own.
 */
export async function materialiseHelpers(
  store: Store,
  snapshotIds: readonly number[],
  config: ResolvedAnalysisConfig,
  options: { effectiveAccess?: boolean } = {},
): Promise<void> {
  const params: Record<string, string | number> = {};
  const ids = boundList("id", snapshotIds, "INTEGER", params);
  const names = boundList("name", config.elevatedRoleNames, "VARCHAR", params);
  const patterns = boundList("pattern", config.elevatedPermissionPatterns, "VARCHAR", params);
  await store.query(
    `CREATE OR REPLACE TEMP TABLE elevated_roles AS
     WITH roles AS (
       SELECT snapshot_id, role_id, name, permissions, predefined_role FROM snapshot_roles
       UNION
       SELECT snapshot_id, role_id, role_name, permissions, predefined_role FROM snapshot_group_roles
       UNION
       SELECT snapshot_id, role_id, role_name, permissions, predefined_role FROM snapshot_user_roles
     )
     SELECT DISTINCT snapshot_id, role_id FROM roles
     WHERE list_contains(${ids}, snapshot_id)
       AND ((predefined_role AND name = 'Owner')
         OR list_contains(${names}, name)
         OR EXISTS (
           SELECT 1 FROM (SELECT unnest(permissions) AS permission) AS p,
             (SELECT unnest(${patterns}) AS pattern) AS g
           WHERE p.permission GLOB g.pattern))
     ORDER BY snapshot_id, role_id`,
    params,
  );
  if (options.effectiveAccess) await materialiseEffectiveAccess(store, snapshotIds);
  const domainParams: Record<string, string | number> = {};
  const domains = boundList("domain", config.allowedEmailDomains, "VARCHAR", domainParams);
  await store.query(
    `CREATE OR REPLACE TEMP TABLE allowed_domains AS SELECT unnest(${domains}) AS domain`,
    domainParams,
  );
}

const compareText = (a: string | null, b: string | null): number => {
  const x = a ?? "";
  const y = b ?? "";
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Severity descending, then rule, group, user, role, detail. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.rule, b.rule) ||
    compareText(a.group_id, b.group_id) ||
    compareText(a.user_id, b.user_id) ||
    compareText(a.role_id, b.role_id) ||
    compareText(a.detail, b.detail)
  );
}

/** Rule errors in a stable order: by rule, then message. */
export const sortErrors = (errors: readonly RuleError[]): RuleError[] =>
  [...errors].sort((a, b) => compareText(a.rule, b.rule) || compareText(a.message, b.message));

/** Runs already loaded rules; each failure becomes an error naming the rule. */
export async function runLoadedRules(
  store: Store,
  rules: readonly Rule[],
  options: RunOptions,
): Promise<AnomalyReport> {
  const config = resolveAnalysisConfig(options.config);
  const previous =
    options.previousId === undefined
      ? await previousSnapshotId(store, options.snapshotId)
      : options.previousId;
  await materialiseHelpers(
    store,
    previous === null ? [options.snapshotId] : [options.snapshotId, previous],
    config,
    { effectiveAccess: options.effectiveAccessMaterialised !== true },
  );
  const values: Record<RuleParameter, number | null> = {
    snapshot: options.snapshotId,
    previous,
    inactivity_days: config.inactivityDays,
  };
  const findings: Finding[] = [];
  const errors: RuleError[] = [];
  try {
    for (const rule of rules) {
      const params: Record<string, number | null> = {};
      for (const name of rule.parameters) params[name] = values[name];
      try {
        const rows = await store.query<Omit<Finding, "rule" | "severity" | "title">>(
          `SELECT CAST(group_id AS VARCHAR) AS group_id, CAST(user_id AS VARCHAR) AS user_id,
             CAST(role_id AS VARCHAR) AS role_id, CAST(detail AS VARCHAR) AS detail
           FROM (\n${rule.sql}\n) AS rule_rows`,
          params,
        );
        for (const row of rows) {
          findings.push({
            rule: rule.id,
            severity: rule.severity,
            title: rule.title,
            group_id: row.group_id,
            user_id: row.user_id,
            role_id: row.role_id,
            detail: row.detail,
          });
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        errors.push({
          rule: rule.id,
          message: `${rule.file}: ${message.replace(/\s+/g, " ").trim()}`,
        });
      }
    }
  } finally {
    await store.query("DROP TABLE IF EXISTS temp.elevated_roles");
    await store.query("DROP TABLE IF EXISTS temp.allowed_domains");
    if (options.effectiveAccessMaterialised !== true) {
      await store.query("DROP TABLE IF EXISTS temp.effective_access");
    }
  }
  return {
    snapshot_id: options.snapshotId,
    findings: findings.sort(compareFindings),
    errors: sortErrors(errors),
  };
}

/** Findings counted per rule, rules in name order: a compact, comparable summary. */
export function findingsByRule(findings: readonly Pick<Finding, "rule">[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
