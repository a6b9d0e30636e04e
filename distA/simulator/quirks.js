export const DEFAULT_QUIRKS = Object.freeze({
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
export function resolveQuirks(overrides, base = DEFAULT_QUIRKS) {
    const out = { ...base };
    if (overrides === undefined)
        return out;
    for (const key of Object.keys(overrides)) {
        const value = overrides[key];
        if (value !== undefined)
            Object.assign(out, { [key]: value });
    }
    return out;
}
//# sourceMappingURL=quirks.js.map