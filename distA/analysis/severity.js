/** Finding severities, lowest first. Apart from the rules so the CLI's option parsing loads nothing else. */
export const SEVERITIES = ["low", "medium", "high", "critical"];
/** Higher is more severe. */
export function severityRank(severity) {
    return SEVERITIES.indexOf(severity);
}
//# sourceMappingURL=severity.js.map