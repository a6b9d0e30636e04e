import { sqlQueries } from "../util/sql-files.js";
import { currentDecisions, loadItems, } from "./db.js";
/** sql/certify/remediation.sql */
export const remediationQuery = sqlQueries("certify/remediation.sql");
/** How the error of a revocation the tool refused itself (never sent to the API) starts. */
export const TOOL_REFUSAL = "refused by access-audit:";
export async function loadRemediation(store, campaignId) {
    const rows = await store.query(remediationQuery("remediation"), [campaignId]);
    return new Map(rows.map((r) => [r.item_id, r]));
}
async function checks(store, campaignId) {
    const rows = await store.query(remediationQuery("absence_checks"), {
        c: campaignId,
    });
    return new Map(rows.map((r) => [r.item_id, r]));
}
/** What an item is, for a snapshot that did not collect it. */
function uncollectedText(item) {
    switch (item.kind) {
        case "user_role":
            return "user role assignments";
        case "project_membership":
        case "project_group":
            return "projects";
        case "project_user_role":
            return "project role assignments";
        case "admin_key":
        case "project_api_key":
        case "service_account":
        case "invite":
            return "credentials";
        default:
            return "it";
    }
}
function verify(item, remediation, check) {
    if (check?.absent_now === true) {
        const at = check.first_absent_snapshot_id ?? check.latest_snapshot_id;
        return { state: "verified", detail: `verified: absent from snapshot ${at}`, snapshot_id: at };
    }
    if (remediation === null)
        return { state: "pending", detail: "not planned yet", snapshot_id: null };
    if (remediation.status === "failed") {
        return {
            state: "failed",
            detail: `API call failed after ${remediation.attempts} attempt(s): ${remediation.error ?? "unknown error"}`,
            snapshot_id: null,
        };
    }
    if (remediation.status === "refused") {
        const ours = (remediation.error ?? "").startsWith(TOOL_REFUSAL);
        return {
            state: "failed",
            detail: ours
                ? `refused (not called): ${remediation.error ?? ""}`
                : `refused by the API (not retried): ${remediation.error ?? "unknown error"}`,
            snapshot_id: null,
        };
    }
    if (remediation.status === "planned") {
        return { state: "pending", detail: "planned, not applied yet", snapshot_id: null };
    }
    const idp = remediation.status === "idp";
    if (check !== undefined && check.latest_snapshot_id !== null) {
        return {
            state: "pending",
            detail: `still present in snapshot ${check.latest_snapshot_id}${idp ? " (change it in the identity provider)" : ""}`,
            snapshot_id: null,
        };
    }
    if (check !== undefined && check.latest_uncovered_snapshot_id !== null) {
        return {
            state: "pending",
            detail: `not verifiable yet: snapshot ${check.latest_uncovered_snapshot_id} did not collect ${uncollectedText(item)}; crawl with them`,
            snapshot_id: null,
        };
    }
    return {
        state: "pending",
        detail: idp
            ? "change in the identity provider; no crawl since the campaign closed"
            : "applied; no crawl since",
        snapshot_id: null,
    };
}
export async function campaignState(store, campaign) {
    const items = await loadItems(store, campaign.campaign_id);
    const decisions = await currentDecisions(store, campaign.campaign_id);
    const remediation = await loadRemediation(store, campaign.campaign_id);
    const checked = await checks(store, campaign.campaign_id);
    return items.map((item) => {
        const decision = decisions.get(item.item_id) ?? null;
        const action = remediation.get(item.item_id) ?? null;
        return {
            item,
            decision,
            remediation: action,
            verification: decision?.decision === "revoke" ? verify(item, action, checked.get(item.item_id)) : null,
        };
    });
}
/** What a campaign's population holds of project grants, from what its snapshot collected. */
export function projectCoverage(campaign) {
    const only = campaign.project_filter;
    const uncollected = campaign.uncollected;
    if (uncollected === null) {
        return {
            collected: null,
            role_assignments_collected: null,
            only,
            note: "not reviewed: the campaign started before project grants were certified",
        };
    }
    const collected = !uncollected.includes("projects");
    const roles = collected && !uncollected.includes("project_role_assignments");
    const limit = only === null ? "" : `; limited to project(s) ${only.join(", ")}`;
    const note = !collected
        ? `not collected by snapshot ${campaign.snapshot_id} (crawled without projects): the campaign has no project grants`
        : !roles
            ? `collected by snapshot ${campaign.snapshot_id} without project role assignments: no direct project roles, and attached groups' project roles unknown${limit}`
            : `collected by snapshot ${campaign.snapshot_id}${limit}`;
    return { collected, role_assignments_collected: roles, only, note };
}
const percent = (part, whole) => whole === 0 ? 100 : Math.floor((part / whole) * 1000) / 10;
/** Counts of one campaign. Approve/revoke are decided; needs-info is still pending. */
export function summarise(campaign, states, today = new Date().toISOString().slice(0, 10)) {
    const byReviewer = new Map();
    const totals = { decided: 0, approved: 0, revoked: 0, needs_info: 0, escalated: 0, carried: 0 };
    const remediation = { revoked: 0, verified: 0, pending: 0, failed: 0, idp: 0 };
    const byKind = {};
    for (const s of states) {
        byKind[s.item.kind] = (byKind[s.item.kind] ?? 0) + 1;
        const d = s.decision?.decision ?? null;
        if (s.item.carried_from_campaign_id !== null)
            totals.carried++;
        const final = d === "approve" || d === "revoke" || d === "escalated";
        if (final)
            totals.decided++;
        if (d === "approve")
            totals.approved++;
        if (d === "revoke")
            totals.revoked++;
        if (d === "needs_info")
            totals.needs_info++;
        if (d === "escalated")
            totals.escalated++;
        if (s.verification !== null) {
            remediation.revoked++;
            remediation[s.verification.state]++;
            if (s.remediation?.status === "idp")
                remediation.idp++;
        }
        if (s.item.carried_from_campaign_id !== null)
            continue;
        const r = byReviewer.get(s.item.reviewer) ?? {
            reviewer: s.item.reviewer,
            items: 0,
            decided: 0,
            approved: 0,
            revoked: 0,
            needs_info: 0,
            pending: 0,
            percent_complete: 0,
            overdue: false,
        };
        r.items++;
        if (final)
            r.decided++;
        else
            r.pending++;
        if (d === "approve")
            r.approved++;
        if (d === "revoke")
            r.revoked++;
        if (d === "needs_info")
            r.needs_info++;
        byReviewer.set(s.item.reviewer, r);
    }
    const overdueDate = campaign.status === "open" && campaign.due_date !== null && today > campaign.due_date;
    const reviewers = [...byReviewer.values()]
        .sort((a, b) => (a.reviewer < b.reviewer ? -1 : 1))
        .map((r) => ({
        ...r,
        percent_complete: percent(r.decided, r.items),
        overdue: overdueDate && r.pending > 0,
    }));
    return {
        campaign: campaign.name,
        campaign_id: campaign.campaign_id,
        status: campaign.status,
        snapshot_id: campaign.snapshot_id,
        seal: campaign.seal,
        scope: campaign.scope,
        undecided_policy: campaign.undecided_policy,
        due_date: campaign.due_date,
        created_at: campaign.created_at,
        closed_at: campaign.closed_at,
        items: states.length,
        decided: totals.decided,
        approved: totals.approved,
        revoked: totals.revoked,
        needs_info: totals.needs_info,
        escalated: totals.escalated,
        carried_forward: totals.carried,
        pending: states.length - totals.decided,
        percent_complete: percent(totals.decided, states.length),
        reviewers,
        overdue_reviewers: reviewers.filter((r) => r.overdue).map((r) => r.reviewer),
        remediation,
        by_kind: byKind,
        projects: projectCoverage(campaign),
    };
}
//# sourceMappingURL=state.js.map