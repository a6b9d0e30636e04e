/**
 * Remediation: the API calls that apply a closed campaign's revocations. Memberships of
 * SCIM-managed groups are not changed through the API (the identity provider would put them
 * back): they are listed as identity-provider changes. A project grant is always an API call
 * (an identity provider syncs groups and their members, not project access): a project member
 * is removed from the project, an attached group detached from it (with the project roles it
 * held there), a direct project role unassigned. Applying is idempotent: a grant already gone
 * (404) counts as done, and actions already done are skipped on the next run. A call the API
 * refuses (400 or 422: the Default project's members cannot be removed, an archived project
 * cannot change) is recorded as `refused` with its one-line reason and not retried, unless the
 * caller asks (`retryRefused`); any other failure is retried by the next run.
 *
 * A revoked credential is deleted: an admin key, a user's project key, a service account (with
 * its keys: the API deletes no service account's key on its own) or a pending invite (an invite
 * accepted meanwhile cannot be deleted: the API's 400 is recorded as refused). The admin key the
 * tool itself uses is never deleted: the revocation of an admin key marked as the snapshot's
 * crawl key, or one the key in use fits, is refused up front, without a call, and stays refused
 * even with `retryRefused`.
 */
import { BadRequestError, encodeSegment, isAdminApiError, NotFoundError, } from "../api/index.js";
import { keyFits } from "./credentials.js";
import { campaignQuery, insertRows, inTransaction } from "./db.js";
import { CertifyError } from "./errors.js";
import { campaignState, loadRemediation, remediationQuery, TOOL_REFUSAL, } from "./state.js";
function actionFor(item) {
    const g = (id) => encodeSegment("groupId", id ?? "");
    const u = (id) => encodeSegment("userId", id ?? "");
    const r = (id) => encodeSegment("roleId", id ?? "");
    const p = (id) => encodeSegment("projectId", id ?? "");
    const k = (id) => encodeSegment("keyId", id ?? "");
    switch (item.kind) {
        case "membership":
            if (item.group_is_scim_managed !== false) {
                // Unknown management is treated as SCIM: never fight an identity provider.
                return { action: "idp_change", method: null, path: null, status: "idp" };
            }
            return {
                action: "remove_group_member",
                method: "DELETE",
                path: `/organization/groups/${g(item.group_id)}/users/${u(item.user_id)}`,
                status: "planned",
            };
        case "group_role":
            return {
                action: "unassign_group_role",
                method: "DELETE",
                path: `/organization/groups/${g(item.group_id)}/roles/${r(item.role_id)}`,
                status: "planned",
            };
        case "user_role":
            return {
                action: "unassign_user_role",
                method: "DELETE",
                path: `/organization/users/${u(item.user_id)}/roles/${r(item.role_id)}`,
                status: "planned",
            };
        case "project_membership":
            return {
                action: "remove_project_member",
                method: "DELETE",
                path: `/organization/projects/${p(item.project_id)}/users/${u(item.user_id)}`,
                status: "planned",
            };
        case "project_group":
            return {
                action: "detach_project_group",
                method: "DELETE",
                path: `/organization/projects/${p(item.project_id)}/groups/${g(item.group_id)}`,
                status: "planned",
            };
        case "project_user_role":
            return {
                action: "unassign_project_user_role",
                method: "DELETE",
                path: `/projects/${p(item.project_id)}/users/${u(item.user_id)}/roles/${r(item.role_id)}`,
                status: "planned",
            };
        case "admin_key":
            return {
                action: "delete_admin_api_key",
                method: "DELETE",
                path: `/organization/admin_api_keys/${k(item.credential_id)}`,
                status: "planned",
            };
        case "project_api_key":
            return {
                action: "delete_project_api_key",
                method: "DELETE",
                path: `/organization/projects/${p(item.project_id)}/api_keys/${k(item.credential_id)}`,
                status: "planned",
            };
        case "service_account":
            return {
                action: "delete_service_account",
                method: "DELETE",
                path: `/organization/projects/${p(item.project_id)}/service_accounts/${encodeSegment("serviceAccountId", item.credential_id ?? "")}`,
                status: "planned",
            };
        case "invite":
            return {
                action: "delete_invite",
                method: "DELETE",
                path: `/organization/invites/${encodeSegment("inviteId", item.credential_id ?? "")}`,
                status: "planned",
            };
    }
}
/** Records the actions of revoked items not planned yet; returns every action of the campaign. */
export async function planRemediation(store, campaign) {
    if (campaign.status !== "closed") {
        throw new CertifyError("CAMPAIGN_OPEN", `campaign "${campaign.name}" is still open: close it before remediation (decisions must be frozen)`);
    }
    const states = await campaignState(store, campaign);
    const revoked = states.filter((s) => s.decision?.decision === "revoke");
    const missing = revoked.filter((s) => s.remediation === null);
    if (missing.length > 0 && !store.readOnly) {
        await inTransaction(store, async () => {
            const now = (await store.query(campaignQuery("now")))[0]?.now ?? null;
            await insertRows(store, "certify_remediation", ["campaign_id", "item_id", "action", "method", "path", "status", "attempts", "planned_at"], missing.map((s) => {
                const a = actionFor(s.item);
                return [
                    campaign.campaign_id,
                    s.item.item_id,
                    a.action,
                    a.method,
                    a.path,
                    a.status,
                    0,
                    now,
                ];
            }));
        });
    }
    const recorded = await loadRemediation(store, campaign.campaign_id);
    return revoked.map((s) => {
        const row = recorded.get(s.item.item_id);
        const fallback = actionFor(s.item);
        return {
            item_id: s.item.item_id,
            kind: s.item.kind,
            action: row?.action ?? fallback.action,
            method: row?.method ?? fallback.method,
            path: row?.path ?? fallback.path,
            group_id: s.item.group_id,
            group_name: s.item.group_name,
            user_id: s.item.user_id,
            user_email: s.item.user_email,
            role_id: s.item.role_id,
            role_name: s.item.role_name,
            project_id: s.item.project_id,
            project_name: s.item.project_name,
            credential_id: s.item.credential_id,
            credential_name: s.item.credential_name,
            redacted_value: s.item.redacted_value,
            tool_key: s.item.tool_key,
            status: row?.status ?? fallback.status,
            attempts: row?.attempts ?? 0,
            error: row?.error ?? null,
            executed_at: row?.executed_at ?? null,
        };
    });
}
/**
 * Why deleting this admin key is refused up front (it is the tool's own), or null. The reason
 * starts with TOOL_REFUSAL.
 */
export function ownKeyRefusal(action, keyInUse) {
    if (action.action !== "delete_admin_api_key")
        return null;
    const key = `admin key ${action.credential_id ?? ""} (${action.redacted_value ?? "no redacted value"})`;
    const advice = "revoke it by hand once the tool uses another admin key";
    if (action.tool_key === "match") {
        return `${TOOL_REFUSAL} ${key} is the admin key this tool crawled the campaign's snapshot with; deleting it would lock the tool out: ${advice}`;
    }
    if (keyInUse !== undefined &&
        action.redacted_value !== null &&
        keyFits(keyInUse, action.redacted_value)) {
        return `${TOOL_REFUSAL} ${key} fits the admin key this remediation runs with; deleting it would lock the tool out: ${advice}`;
    }
    return null;
}
/** Whether the API refused the change itself (400/422), as opposed to failing to make it. */
const isRefusal = (error) => error instanceof BadRequestError && (error.status === 400 || error.status === 422);
/** Executes planned and failed API actions, recording each outcome as soon as it is known. */
export async function applyRemediation(store, campaign, client, options = {}) {
    const plan = await planRemediation(store, campaign);
    let executed = 0;
    let skipped = 0;
    let failed = 0;
    let refused = 0;
    let withheld = 0;
    for (const action of plan) {
        const due = action.status === "planned" ||
            action.status === "failed" ||
            (action.status === "refused" && options.retryRefused === true);
        if (!due) {
            skipped++;
            continue;
        }
        let status;
        let error = null;
        const project = action.project_id ?? "";
        const own = ownKeyRefusal(action, options.keyInUse);
        if (own !== null) {
            failed++;
            refused++;
            withheld++;
            await store.query(remediationQuery("record_attempt"), [
                campaign.campaign_id,
                action.item_id,
                "refused",
                own,
            ]);
            continue;
        }
        const credential = action.credential_id ?? "";
        try {
            switch (action.action) {
                case "remove_group_member":
                    await client.removeGroupUser(action.group_id ?? "", action.user_id ?? "");
                    break;
                case "unassign_group_role":
                    await client.unassignGroupRole(action.group_id ?? "", action.role_id ?? "");
                    break;
                case "unassign_user_role":
                    await client.unassignUserRole(action.user_id ?? "", action.role_id ?? "");
                    break;
                case "remove_project_member":
                    await client.removeProjectUser(project, action.user_id ?? "");
                    break;
                case "detach_project_group":
                    await client.detachProjectGroup(project, action.group_id ?? "");
                    break;
                case "unassign_project_user_role":
                    await client.unassignProjectUserRole(project, action.user_id ?? "", action.role_id ?? "");
                    break;
                case "delete_admin_api_key":
                    await client.deleteAdminApiKey(credential);
                    break;
                case "delete_project_api_key":
                    await client.deleteProjectApiKey(project, credential);
                    break;
                case "delete_service_account":
                    await client.deleteServiceAccount(project, credential);
                    break;
                case "delete_invite":
                    await client.deleteInvite(credential);
                    break;
                case "idp_change":
                    break;
            }
            status = "done";
        }
        catch (caught) {
            if (caught instanceof NotFoundError) {
                status = "already_absent";
            }
            else {
                status = isRefusal(caught) ? "refused" : "failed";
                error = isAdminApiError(caught)
                    ? caught.message
                    : caught instanceof Error
                        ? caught.message
                        : String(caught);
                failed++;
                if (status === "refused")
                    refused++;
            }
        }
        executed++;
        await store.query(remediationQuery("record_attempt"), [
            campaign.campaign_id,
            action.item_id,
            status,
            error,
        ]);
    }
    return {
        actions: await planRemediation(store, campaign),
        executed,
        skipped,
        failed,
        refused,
        withheld,
    };
}
//# sourceMappingURL=remediate.js.map