/**
 * What the change email says, from the report model and the report files written: counts, the
 * changes (each with who made it, as far as the audit log held can say), the new findings and the
 * seal. Names travel with their ids, so two that render alike are still told apart; every text
 * field is still made safe by email.ts when the message is rendered.
 */
import { basename } from "node:path";
import { nameWithId } from "../render/text.js";
import { CHANGE_LABELS, evidenceHeader, isUnaccounted } from "../report/model.js";
/** A change as one readable line for the email body. */
export function changeLine(change) {
    const who = nameWithId(change.user, change.user_id);
    const group = nameWithId(change.group_name, change.group_id);
    const role = nameWithId(change.role_name, change.role_id);
    const parts = [
        who ? `user ${who}` : null,
        group ? `group ${group}` : null,
        role ? `role ${role}` : null,
        change.before !== null || change.after !== null
            ? `${change.before ?? "∅"} → ${change.after ?? "∅"}`
            : null,
    ].filter((p) => p !== null);
    return `${CHANGE_LABELS[change.kind]}: ${parts.join(", ")}`;
}
/**
 * The changes as email lines: the elevated ones nobody can account for first (a body shows only
 * the first lines), then the rest in the diff's order.
 */
export function changeLines(model) {
    const ordered = [
        ...model.changes.filter(isUnaccounted),
        ...model.changes.filter((c) => !isUnaccounted(c)),
    ];
    return ordered.map((c) => ({
        kind: c.kind,
        summary: changeLine(c),
        actor: c.attribution.label,
        reason: c.attribution.reason,
        elevated: c.elevated,
    }));
}
/** The email of a report: what `sendChangeReport` sends. */
export function changeReportEmail(model, files) {
    // A label for the subject: the configured name, else the id the API gave, else the host.
    let organization = model.organization_name ?? model.snapshot.organization_id;
    if (organization === null) {
        organization = model.snapshot.base_url;
        try {
            organization = new URL(model.snapshot.base_url).host;
        }
        catch {
            // keep the base URL as it is
        }
    }
    return {
        organization,
        snapshotId: model.snapshot.snapshot_id,
        previousId: model.previous?.snapshot_id ?? null,
        orgDate: model.org_date,
        seal: model.snapshot.seal,
        counts: {
            groups: model.totals.groups,
            users: model.totals.users,
            memberships: model.totals.memberships,
            elevatedGrants: model.totals.elevated_grants,
        },
        changesByKind: model.changes_by_kind
            .filter((k) => k.count > 0)
            .map((k) => ({ kind: k.label, count: k.count })),
        changes: changeLines(model),
        coverageNote: model.changes_coverage_note,
        attribution: model.audit_log_note === null
            ? null
            : {
                unattributed: model.attribution_totals.unattributed,
                unattributedElevated: model.attribution_totals.unattributed_elevated,
                coverage: model.audit_log_note,
            },
        // Accepted findings are not news: the report lists them with their exception.
        acceptedFindings: model.accepted_findings,
        findings: model.findings
            .filter((f) => f.exception === null)
            .map((f) => ({
            severity: f.severity,
            rule: f.rule,
            title: f.title,
            subject: [
                nameWithId(f.user, f.user_id),
                nameWithId(f.group_name, f.group_id),
                nameWithId(f.role_name, f.role_id),
                f.detail ?? "",
            ]
                .filter((x) => x !== "")
                .join(" · "),
            isNew: f.is_new,
        })),
        skippedRules: model.rules
            .filter((r) => r.status === "skip")
            .map((r) => ({ rule: r.id, reason: r.reason ?? "", setting: r.setting ?? "" })),
        attachments: files.map((f) => ({ path: f.path })),
        evidence: evidenceHeader(model),
        reportDigests: files.map((f) => ({ name: basename(f.path), sha256: f.sha256 })),
    };
}
//# sourceMappingURL=report-email.js.map