/**
 * Runs the anomaly rules (see rules.ts for the rule contract) against one snapshot. Rules only
 * read: the CLI opens the store read-only, and the helper tables the runner fills
 * (`elevated_roles`, `allowed_domains`, `analysis_effective_access`; sql/analysis/anomalies.sql)
 * are TEMP tables, which DuckDB allows on a read-only database. A rule that fails is reported by name and the others still run.
 */
import type { Store } from "../store/index.js";
import { sqlQueries } from "../util/sql-files.js";
import { lookalikeKey } from "../util/unicode.js";
import { previousSnapshotId } from "./access.js";
import { analysisChangeRows, attributeDiff, DERIVED_KINDS } from "./attribution.js";
import {
  type AnalysisConfig,
  type ResolvedAnalysisConfig,
  resolveAnalysisConfig,
} from "./config.js";
import { DIFF_KINDS, diffSnapshots } from "./diff.js";
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
  /**
   * The project a project-scope rule's finding is about, or the project of a credential rule's
   * project key or service account; null otherwise.
   */
  project_id: string | null;
  /**
   * The key, service account or invite id a credential rule's finding is about (`scope:
   * credentials`); null for every other rule. With the rule id, it links a credential to its
   * findings.
   */
  credential_id: string | null;
  group_id: string | null;
  user_id: string | null;
  role_id: string | null;
  detail: string | null;
}

export interface AnomalyReport {
  snapshot_id: number;
  findings: Finding[];
  errors: RuleError[];
  /** Rules not run, each with why (e.g. a project rule on a snapshot without projects). */
  skipped: { rule: string; reason: string }[];
}

export interface RunOptions {
  snapshotId: number;
  /**
   * The caller has already filled `analysis_effective_access` for the snapshot and the previous
   * one (materialiseEffectiveAccess) and drops it itself.
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

/** Fills `analysis_project_access` (the view's project rows of these snapshots). */
async function materialiseProjectAccess(
  store: Store,
  snapshotIds: readonly number[],
): Promise<void> {
  const params: Record<string, string | number> = {};
  const sql = withBoundLists(
    query("materialise_project_access"),
    { snapshot_ids: { values: snapshotIds, type: "INTEGER" } },
    params,
  );
  await store.query(sql, params);
}

const query = sqlQueries("analysis/anomalies.sql");

type BoundList = readonly (string | number)[];

/**
 * `template` with each `{name}` replaced: a list in `lists` as SQL text over bound parameters
 * (`[$name_0, $name_1]::TYPE[]`, or an empty typed list: the node bindings cannot bind an empty
 * list, whose item type they cannot infer), added to `params`. One pass: inserted text is not
 * read again.
 */
function withBoundLists(
  template: string,
  lists: Record<string, { values: BoundList; type: "VARCHAR" | "INTEGER" }>,
  params: Record<string, string | number>,
): string {
  return template.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const list = lists[name];
    if (list === undefined) throw new Error(`no list for {${name}} in an analysis query`);
    const refs = list.values.map((value, i) => {
      params[`${name}_${i}`] = value;
      return `$${name}_${i}`;
    });
    return `[${refs.join(", ")}]::${list.type}[]`;
  });
}

/**
 * Fills the TEMP table `analysis_effective_access` (the public view `effective_access`'s columns)
 * with the view's rows of these snapshots: one evaluation of the view (a join over every
 * membership) shared by the rules, the report's model and its workbook, which read it under this
 * name; the view itself is never shadowed. Drop it with `releaseEffectiveAccess`.
 */
export async function materialiseEffectiveAccess(
  store: Store,
  snapshotIds: readonly number[],
): Promise<void> {
  const params: Record<string, string | number> = {};
  const sql = withBoundLists(
    query("materialise_effective_access"),
    { snapshot_ids: { values: snapshotIds, type: "INTEGER" } },
    params,
  );
  await store.query(sql, params);
}

/** Drops what `materialiseEffectiveAccess` filled. */
export async function releaseEffectiveAccess(store: Store): Promise<void> {
  await store.query(query("release_effective_access"));
}

/**
 * Fills the TEMP tables `elevated_roles(snapshot_id, role_id)` for the given snapshots and
 * `allowed_domains(domain)` (sql/analysis/anomalies.sql). With `effectiveAccess`, also
 * `analysis_effective_access` for those snapshots (materialiseEffectiveAccess), so the rules
 * that read it share one evaluation of the view. Drop them with `releaseHelpers`.
 */
export async function materialiseHelpers(
  store: Store,
  snapshotIds: readonly number[],
  config: ResolvedAnalysisConfig,
  options: { effectiveAccess?: boolean } = {},
): Promise<void> {
  const params: Record<string, string | number> = {};
  const elevated = withBoundLists(
    query("elevated_roles"),
    {
      snapshot_ids: { values: snapshotIds, type: "INTEGER" },
      elevated_role_names: { values: config.elevatedRoleNames, type: "VARCHAR" },
      elevated_permission_patterns: { values: config.elevatedPermissionPatterns, type: "VARCHAR" },
    },
    params,
  );
  await store.query(elevated, params);
  const projectParams: Record<string, string | number> = {};
  const elevatedProject = withBoundLists(
    query("elevated_project_roles"),
    {
      snapshot_ids: { values: snapshotIds, type: "INTEGER" },
      elevated_role_names: { values: config.elevatedRoleNames, type: "VARCHAR" },
      elevated_permission_patterns: { values: config.elevatedPermissionPatterns, type: "VARCHAR" },
    },
    projectParams,
  );
  await store.query(elevatedProject, projectParams);
  if (options.effectiveAccess) await materialiseEffectiveAccess(store, snapshotIds);
  const domainParams: Record<string, string | number> = {};
  const domains = withBoundLists(
    query("allowed_domains"),
    { allowed_email_domains: { values: config.allowedEmailDomains, type: "VARCHAR" } },
    domainParams,
  );
  await store.query(domains, domainParams);
}

/** Rows per INSERT of `group_lookalikes`: three bound parameters each. */
const LOOKALIKE_CHUNK = 500;

/**
 * Fills `group_lookalikes` for the snapshots the rules run on (released with the other helpers):
 * the lookalike key of every group's name, computed here because the UTS #39 skeleton needs
 * Unicode's confusables table, which SQL does not have.
 */
async function materialiseGroupLookalikes(
  store: Store,
  snapshotIds: readonly number[],
): Promise<void> {
  await store.query(query("create_group_lookalikes"));
  const namesParams: Record<string, string | number> = {};
  const names = await store.query<{ snapshot_id: number; group_id: string; name: string }>(
    withBoundLists(
      query("group_names"),
      { snapshot_ids: { values: snapshotIds, type: "INTEGER" } },
      namesParams,
    ),
    namesParams,
  );
  for (let start = 0; start < names.length; start += LOOKALIKE_CHUNK) {
    const chunk = names.slice(start, start + LOOKALIKE_CHUNK);
    const params: Record<string, string | number> = {};
    const insert = withBoundLists(
      query("insert_group_lookalikes"),
      {
        snapshot_ids: { values: chunk.map((g) => g.snapshot_id), type: "INTEGER" },
        group_ids: { values: chunk.map((g) => g.group_id), type: "VARCHAR" },
        lookalike_keys: { values: chunk.map((g) => lookalikeKey(g.name)), type: "VARCHAR" },
      },
      params,
    );
    await store.query(insert, params);
  }
}

/** Drops `elevated_roles`, `allowed_domains` (materialiseHelpers) and `group_lookalikes` (the rules' runner). */
export async function releaseHelpers(store: Store): Promise<void> {
  await store.query(query("release_group_lookalikes"));
  await store.query(query("release_elevated_roles"));
  await store.query(query("release_elevated_project_roles"));
  await store.query(query("release_allowed_domains"));
}

const compareText = (a: string | null, b: string | null): number => {
  const x = a ?? "";
  const y = b ?? "";
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Severity descending, then rule, project, credential, group, user, role, detail. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.rule, b.rule) ||
    compareText(a.project_id, b.project_id) ||
    compareText(a.credential_id, b.credential_id) ||
    compareText(a.group_id, b.group_id) ||
    compareText(a.user_id, b.user_id) ||
    compareText(a.role_id, b.role_id) ||
    compareText(a.detail, b.detail)
  );
}

/** Rule errors in a stable order: by rule, then message. */
export const sortErrors = (errors: readonly RuleError[]): RuleError[] =>
  [...errors].sort((a, b) => compareText(a.rule, b.rule) || compareText(a.message, b.message));

/** The query (sql/analysis/anomalies.sql) that reads a rule's rows, by the rule's scope. */
const RULE_WRAPPERS: Record<Rule["scope"], string> = {
  organization: "rule_rows",
  project: "project_rule_rows",
  credentials: "credential_rule_rows",
  changes: "credential_rule_rows",
};

/**
 * Fills `analysis_changes` and `analysis_audit_gaps` for rules with `scope: changes`: the diff
 * from `previous` to `snapshot` (derived access kinds left out: their causes are listed), each
 * change attributed to its audit-log events, and the interval's coverage gaps.
 */
async function materialiseChanges(store: Store, previous: number, snapshot: number): Promise<void> {
  const kinds = DIFF_KINDS.filter((k) => !DERIVED_KINDS.includes(k));
  const attributed = await attributeDiff(
    store,
    await diffSnapshots(store, { from: previous, to: snapshot }, { kinds }),
  );
  await store.query(query("create_analysis_changes"), {
    rows: JSON.stringify(analysisChangeRows(attributed.changes)),
  });
  await store.query(query("mark_elevated_changes"), { snapshot });
  const a = attributed.audit_log;
  const failed = a.failed_syncs[a.failed_syncs.length - 1]?.reason ?? null;
  const gaps =
    a.syncs === 0
      ? [{ gap_from: a.window.from, gap_to: a.window.to, reason: "the audit log was never synced" }]
      : a.gaps.map((g) => ({ gap_from: g.from, gap_to: g.to, reason: failed }));
  await store.query(query("create_analysis_audit_gaps"), { rows: JSON.stringify(gaps) });
}

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
  const snapshotIds = previous === null ? [options.snapshotId] : [options.snapshotId, previous];
  await materialiseHelpers(store, snapshotIds, config, {
    effectiveAccess: options.effectiveAccessMaterialised !== true,
  });
  // Only the rules compare names: reports and certification never pay for the skeletons.
  await materialiseGroupLookalikes(store, snapshotIds);
  const projectsCollected =
    (
      await store.query<{ collected: boolean }>(query("projects_collected"), {
        snapshot: options.snapshotId,
      })
    )[0]?.collected === true;
  const credentialsCollected =
    (
      await store.query<{ collected: boolean }>(query("credentials_collected"), {
        snapshot: options.snapshotId,
      })
    )[0]?.collected === true;
  if (projectsCollected && rules.some((r) => r.scope === "project" || r.scope === "credentials")) {
    await materialiseProjectAccess(store, snapshotIds);
  }
  const changesMaterialised = previous !== null && rules.some((r) => r.scope === "changes");
  if (changesMaterialised) await materialiseChanges(store, previous, options.snapshotId);
  const skipped: AnomalyReport["skipped"] = [];
  const values: Record<RuleParameter, number | null> = {
    snapshot: options.snapshotId,
    previous,
    inactivity_days: config.inactivityDays,
    admin_key_unused_days: config.credentials.adminKeyUnusedDays,
    key_unused_days: config.credentials.keyUnusedDays,
    invite_pending_days: config.credentials.invitePendingDays,
    key_rotation_days: config.credentials.keyRotationDays,
  };
  const findings: Finding[] = [];
  const errors: RuleError[] = [];
  try {
    for (const rule of rules) {
      if (rule.scope === "project" && !projectsCollected) {
        skipped.push({
          rule: rule.id,
          reason: `snapshot ${options.snapshotId} did not collect projects (crawled with --no-projects, or before projects were read)`,
        });
        continue;
      }
      if (rule.scope === "credentials" && !credentialsCollected) {
        skipped.push({
          rule: rule.id,
          reason: `snapshot ${options.snapshotId} did not collect credentials (crawled with --no-credentials or --no-projects, or before credentials were read)`,
        });
        continue;
      }
      if (rule.scope === "changes" && previous === null) {
        skipped.push({
          rule: rule.id,
          reason: `snapshot ${options.snapshotId} has no complete snapshot before it: there are no changes to attribute`,
        });
        continue;
      }
      const params: Record<string, number | null> = {};
      for (const name of rule.parameters) params[name] = values[name];
      try {
        // One pass over the template: the rule's own text is inserted, not read again.
        const wrapper = RULE_WRAPPERS[rule.scope];
        const sql = query(wrapper).replace("{rule}", () => rule.sql);
        const rows = await store.query<
          Omit<Finding, "rule" | "severity" | "title" | "project_id" | "credential_id"> & {
            project_id?: string | null;
            credential_id?: string | null;
          }
        >(sql, params);
        for (const row of rows) {
          findings.push({
            rule: rule.id,
            severity: rule.severity,
            title: rule.title,
            project_id: row.project_id ?? null,
            credential_id: row.credential_id ?? null,
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
    await store.query(query("release_project_access"));
    await store.query(query("release_analysis_changes"));
    await store.query(query("release_analysis_audit_gaps"));
    await releaseHelpers(store);
    if (options.effectiveAccessMaterialised !== true) await releaseEffectiveAccess(store);
  }
  return {
    snapshot_id: options.snapshotId,
    findings: findings.sort(compareFindings),
    errors: sortErrors(errors),
    skipped,
  };
}

/** Findings counted per rule, rules in name order: a compact, comparable summary. */
export function findingsByRule(findings: readonly Pick<Finding, "rule">[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
