/**
 * A stateful, faithful fake of the OpenAI Admin API (groups, group users, group
 * roles, roles, users, user roles, projects, project users, project groups,
 * project roles and project role assignments, project service accounts and API
 * keys, admin API keys, invites, the organization audit log) served over real HTTP on loopback.
 *
 *   const sim = await startSimulator({ seed: 7, groups: 120, users: 1500 });
 *   // point a client at sim.baseUrl with sim.adminKey; compare with sim.state
 *   await sim.stop();
 */
import type { AuditLogMode } from "./audit-events.js";
import type { FaultConfig } from "./faults.js";
import { type GenerateOptions, generateOrganization as generate } from "./generator.js";
import { alphanumeric, Prng } from "./prng.js";
import type { QuirkConfig } from "./quirks.js";
import { type ServedResponse, SimulatorServer, type SimulatorStats } from "./server.js";
import type { OrgState } from "./state.js";

export type {
  AuditActor,
  AuditLogActorApiKeyWire,
  AuditLogActorSessionWire,
  AuditLogActorUserWire,
  AuditLogActorWire,
  AuditLogDetail,
  AuditLogEventType,
  AuditLogMode,
  AuditLogProjectWire,
  AuditLogWire,
} from "./audit-events.js";
export {
  AUDIT_LOG_EVENT_TYPES,
  AUDIT_LOG_MODES,
  documentationIp,
  isAuditLogEventType,
  isTenantScoped,
} from "./audit-events.js";
export { ADMIN_KEY_SCOPES, PROJECT_KEY_SCOPES } from "./audit-history.js";
export type { AuditLogQuery, HistoryOptions } from "./audit-log.js";
export type {
  AdminApiKeyCreatedWire,
  AdminApiKeyOwnerWire,
  AdminApiKeyWire,
  CreatedProjectApiKey,
  CredentialCounts,
  InviteProjectWire,
  InviteRole,
  InviteStatus,
  InviteWire,
  OwnerProjectAccess,
  OwnerProjectAccessFilter,
  ProjectApiKeyWire,
  ServiceAccountApiKeyWire,
  ServiceAccountCreatedWire,
  ServiceAccountRole,
  ServiceAccountWire,
} from "./credentials-state.js";
export { INVITE_TTL_SECONDS, redactKey } from "./credentials-state.js";
export type { FaultConfig, FaultKind, ListFault } from "./faults.js";
export {
  applyRandomCredentialMutation,
  applyRandomMutation,
  applyRandomProjectMutation,
  FAULT_KINDS,
} from "./faults.js";
export type { GenerateOptions } from "./generator.js";
export { Prng } from "./prng.js";
export type {
  CreateProjectOptions,
  CreateProjectRoleOptions,
  ProjectCounts,
  ProjectGroupWire,
  ProjectMemberRole,
  ProjectResidency,
  ProjectUserWire,
  ProjectWire,
  UpdateProjectOptions,
  UpdateProjectRoleOptions,
} from "./projects-state.js";
export {
  DEFAULT_PROJECT_NAME,
  PROJECT_MEMBER_ROLE,
  PROJECT_OWNER_ROLE,
  PROJECT_RESIDENCIES,
  PROJECT_VIEWER_ROLE,
} from "./projects-state.js";
export type { QuirkConfig } from "./quirks.js";
export { DEFAULT_QUIRKS } from "./quirks.js";
export {
  AUDIT_LOGGING_DISABLED_MESSAGE,
  AUDIT_LOGS_FORBIDDEN_MESSAGE,
} from "./routes/audit-logs.js";
export type { ServedResponse, SimulatorStats } from "./server.js";
export type {
  AssignedRoleWire,
  AssignmentSourceWire,
  CreateRoleOptions,
  CreateUserOptions,
  GroupMemberUserWire,
  GroupSummaryWire,
  GroupType,
  GroupUpdatedWire,
  GroupUserWire,
  GroupWire,
  OrgCounts,
  OrgUserWire,
  Page,
  PageRequest,
  RecordAuditEventInput,
  RoleWire,
  SortOrder,
  UpdateRoleOptions,
  UserType,
} from "./state.js";
export { OrgState, StateError } from "./state.js";

export interface SimulatorOptions {
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 42. */
  seed?: number;
  /** Default 50. */
  groups?: number;
  /** Default 500. */
  users?: number;
  /** Exact total memberships (see GenerateOptions.memberships). */
  memberships?: number;
  /** Projects, the Default one included (default: see GenerateOptions.projects). */
  projects?: number;
  /** See GenerateOptions. */
  projectMembersAverage?: number;
  projectGroupsAverage?: number;
  projectCustomRoles?: number;
  archivedProjectFraction?: number;
  /** See GenerateOptions: credentials per organization (0 disables each). */
  serviceAccountsAverage?: number;
  apiKeysAverage?: number;
  adminKeys?: number;
  invites?: number;
  /**
   * "Now" of the credentials clock (unix seconds). Default: the wall clock at start, so that
   * "used today" holds relative to the real crawl time.
   */
  credentialsNow?: number;
  /** Serve this organization instead of generating one (seed/groups/users are then ignored for data). */
  state?: OrgState;
  /** Default: derived from the seed, shaped "sk-admin-sim-<24 chars>". */
  adminKey?: string;
  /** Fixed added latency per request. Default 0. */
  latencyMs?: number;
  /** Server-side token bucket; over it -> 429 with `Retry-After: 1`. Default off. */
  rateLimitRps?: number;
  faults?: FaultConfig;
  quirks?: Partial<QuirkConfig>;
  /**
   * The organization's audit logging: "enabled" (default); "disabled" (turned off: nothing is
   * recorded and the audit-log route answers 400 `audit_logging_disabled`); "forbidden" (recorded,
   * but the admin key lacks `api.audit_logs.read`: 403). Switchable later (setAuditLogMode).
   */
  auditLog?: AuditLogMode;
  /**
   * Historical audit events to seed (mixed types over the 180 days before the credentials
   * clock's "now"); scales to millions. Default 0.
   */
  auditEvents?: number;
}

export interface RunningSimulator {
  /** e.g. "http://127.0.0.1:43123/v1" */
  baseUrl: string;
  adminKey: string;
  /** The ground truth; tests compare listings with it and may mutate it directly. */
  state: OrgState;
  setFaults(faults: FaultConfig | undefined): void;
  /** Overlays the given switches on the current ones. */
  setQuirks(quirks: Partial<QuirkConfig>): void;
  /** Switches audit logging at runtime (see SimulatorOptions.auditLog); same as the state's. */
  setAuditLogMode(mode: AuditLogMode): void;
  stats(): SimulatorStats;
  resetStats(): void;
  /** Calls `observer` after each response is written; returns its removal. */
  observeResponses(observer: (served: ServedResponse) => void): () => void;
  /** Closes the server and every keep-alive socket promptly. */
  stop(): Promise<void>;
}

/** The admin key a simulator with this seed accepts by default. */
export function defaultAdminKey(seed: number): string {
  return `sk-admin-sim-${alphanumeric(new Prng(seed, "admin-key"), 24)}`;
}

/** The seeded organization for these options (see GenerateOptions for the defaults). */
export function generateOrganization(opts: GenerateOptions): OrgState {
  return generate(opts);
}

const GENERATOR_KEYS = [
  "memberships",
  "projects",
  "projectMembersAverage",
  "projectGroupsAverage",
  "projectCustomRoles",
  "archivedProjectFraction",
  "serviceAccountsAverage",
  "apiKeysAverage",
  "adminKeys",
  "invites",
  "auditEvents",
] as const;

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? 42;
  const generation: GenerateOptions = {
    seed,
    groups: options.groups ?? 50,
    users: options.users ?? 500,
    credentialsNow: options.credentialsNow ?? Math.floor(Date.now() / 1000),
  };
  for (const key of GENERATOR_KEYS) {
    const value = options[key];
    if (value !== undefined) generation[key] = value;
  }
  const state = options.state ?? generateOrganization(generation);
  if (
    options.state !== undefined &&
    options.auditEvents !== undefined &&
    options.auditEvents > 0 &&
    state.auditEventCount() === 0
  ) {
    state.seedAuditHistory(options.auditEvents);
  }
  if (options.auditLog !== undefined) state.setAuditLogMode(options.auditLog);
  // On the wall clock (no fixed credentialsNow), audit events are never dated before real time.
  if (options.state === undefined && options.credentialsNow === undefined) {
    state.setAuditClock(() => Date.now() / 1000);
  }
  const adminKey = options.adminKey ?? defaultAdminKey(seed);
  // The key clients send is one of the organization's admin keys, like any real one.
  state.registerSimulatorAdminKey(adminKey);
  const server = new SimulatorServer({
    state,
    adminKey,
    seed,
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    latencyMs: options.latencyMs ?? 0,
    rateLimitRps: options.rateLimitRps,
    faults: options.faults,
    quirks: options.quirks,
  });
  const baseUrl = await server.listen();
  return {
    baseUrl,
    adminKey,
    state,
    setFaults: (faults) => server.setFaults(faults),
    setQuirks: (quirks) => server.setQuirks(quirks),
    setAuditLogMode: (mode) => state.setAuditLogMode(mode),
    stats: () => server.getStats(),
    resetStats: () => server.resetStats(),
    observeResponses: (observer) => server.observeResponses(observer),
    stop: () => server.stop(),
  };
}
