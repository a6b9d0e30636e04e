import { generateOrganization as generate } from "./generator.js";
import { alphanumeric, Prng } from "./prng.js";
import { SimulatorServer } from "./server.js";
export { AUDIT_LOG_EVENT_TYPES, AUDIT_LOG_MODES, documentationIp, isAuditLogEventType, isTenantScoped, } from "./audit-events.js";
export { ADMIN_KEY_SCOPES, PROJECT_KEY_SCOPES } from "./audit-history.js";
export { INVITE_TTL_SECONDS, redactKey } from "./credentials-state.js";
export { applyRandomCredentialMutation, applyRandomMutation, applyRandomProjectMutation, FAULT_KINDS, } from "./faults.js";
export { Prng } from "./prng.js";
export { DEFAULT_PROJECT_NAME, PROJECT_MEMBER_ROLE, PROJECT_OWNER_ROLE, PROJECT_RESIDENCIES, PROJECT_VIEWER_ROLE, } from "./projects-state.js";
export { DEFAULT_QUIRKS } from "./quirks.js";
export { AUDIT_LOGGING_DISABLED_MESSAGE, AUDIT_LOGS_FORBIDDEN_MESSAGE, } from "./routes/audit-logs.js";
export { OrgState, StateError } from "./state.js";
/** The admin key a simulator with this seed accepts by default. */
export function defaultAdminKey(seed) {
    return `sk-admin-sim-${alphanumeric(new Prng(seed, "admin-key"), 24)}`;
}
/** The seeded organization for these options (see GenerateOptions for the defaults). */
export function generateOrganization(opts) {
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
];
export async function startSimulator(options = {}) {
    const seed = options.seed ?? 42;
    const generation = {
        seed,
        groups: options.groups ?? 50,
        users: options.users ?? 500,
        credentialsNow: options.credentialsNow ?? Math.floor(Date.now() / 1000),
    };
    for (const key of GENERATOR_KEYS) {
        const value = options[key];
        if (value !== undefined)
            generation[key] = value;
    }
    const state = options.state ?? generateOrganization(generation);
    if (options.state !== undefined &&
        options.auditEvents !== undefined &&
        options.auditEvents > 0 &&
        state.auditEventCount() === 0) {
        state.seedAuditHistory(options.auditEvents);
    }
    if (options.auditLog !== undefined)
        state.setAuditLogMode(options.auditLog);
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
        stop: () => server.stop(),
    };
}
//# sourceMappingURL=index.js.map