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
import {
  type AdminClient,
  BadRequestError,
  encodeSegment,
  isAdminApiError,
  NotFoundError,
} from "../api/index.js";
import type { Store } from "../store/index.js";
import { keyFits } from "./credentials.js";
import {
  appendRows,
  type CampaignRow,
  campaignQuery,
  type ItemRow,
  inTransaction,
  ReviewOrder,
} from "./db.js";
import { CertifyError } from "./errors.js";
import {
  loadRemediation,
  type RemediationAction,
  type RemediationRow,
  remediationQuery,
  TOOL_REFUSAL,
} from "./state.js";

export interface PlannedAction {
  item_id: string;
  kind: ItemRow["kind"];
  action: RemediationAction;
  method: string | null;
  path: string | null;
  group_id: string | null;
  group_name: string | null;
  user_id: string | null;
  user_email: string | null;
  role_id: string | null;
  role_name: string | null;
  project_id: string | null;
  project_name: string | null;
  /** A credential's id, name and redacted value (null for a grant). */
  credential_id: string | null;
  credential_name: string | null;
  redacted_value: string | null;
  /** An admin key that is (`match`) or may be (`ambiguous`) the key the tool crawled with. */
  tool_key: "match" | "ambiguous" | null;
  status: RemediationRow["status"];
  attempts: number;
  error: string | null;
  executed_at: string | null;
}

function actionFor(item: ItemRow): Pick<PlannedAction, "action" | "method" | "path" | "status"> {
  const g = (id: string | null) => encodeSegment("groupId", id ?? "");
  const u = (id: string | null) => encodeSegment("userId", id ?? "");
  const r = (id: string | null) => encodeSegment("roleId", id ?? "");
  const p = (id: string | null) => encodeSegment("projectId", id ?? "");
  const k = (id: string | null) => encodeSegment("keyId", id ?? "");
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
export async function planRemediation(
  store: Store,
  campaign: CampaignRow,
): Promise<PlannedAction[]> {
  if (campaign.status !== "closed") {
    throw new CertifyError(
      "CAMPAIGN_OPEN",
      `campaign "${campaign.name}" is still open: close it before remediation (decisions must be frozen)`,
    );
  }
  // The revoked items alone, in review order, read a window at a time: every item's state, read
  // to find them, was gigabytes in a campaign of a million items.
  const revoked: ItemRow[] = [];
  const order = await ReviewOrder.create(store, campaign.campaign_id, "all");
  try {
    for await (const batch of order.revokedBatches()) {
      revoked.push(...batch.items);
    }
  } finally {
    await order.release();
  }
  const planned = await loadRemediation(store, campaign.campaign_id);
  const missing = revoked.filter((item) => !planned.has(item.item_id));
  if (missing.length > 0 && !store.readOnly) {
    await inTransaction(store, async () => {
      const now = (await store.query<{ now: string }>(campaignQuery("now")))[0]?.now ?? null;
      // Through the appender: a million revocations as batched VALUES ran the transaction out of
      // DuckDB's memory.
      await appendRows(
        store,
        "certify_remediation",
        ["campaign_id", "item_id", "action", "method", "path", "status", "attempts", "planned_at"],
        missing.map((item) => {
          const a = actionFor(item);
          return [campaign.campaign_id, item.item_id, a.action, a.method, a.path, a.status, 0, now];
        }),
      );
    });
  }
  const recorded = await loadRemediation(store, campaign.campaign_id);
  return revoked.map((item) => {
    const row = recorded.get(item.item_id);
    const fallback = actionFor(item);
    return {
      item_id: item.item_id,
      kind: item.kind,
      action: row?.action ?? fallback.action,
      method: row?.method ?? fallback.method,
      path: row?.path ?? fallback.path,
      group_id: item.group_id,
      group_name: item.group_name,
      user_id: item.user_id,
      user_email: item.user_email,
      role_id: item.role_id,
      role_name: item.role_name,
      project_id: item.project_id,
      project_name: item.project_name,
      credential_id: item.credential_id,
      credential_name: item.credential_name,
      redacted_value: item.redacted_value,
      tool_key: item.tool_key,
      status: row?.status ?? fallback.status,
      attempts: row?.attempts ?? 0,
      error: row?.error ?? null,
      executed_at: row?.executed_at ?? null,
    };
  });
}

export interface ApplyResult {
  actions: PlannedAction[];
  /** API calls made in this run. */
  executed: number;
  skipped: number;
  /** Calls that failed in this run (refusals included). */
  failed: number;
  /**
   * Revocations refused in this run (400/422 from the API, or refused up front): not retried by
   * the next run.
   */
  refused: number;
  /** Of those, revocations of the tool's own admin key, refused up front without a call. */
  withheld: number;
}

export interface ApplyOptions {
  /** Also retry actions the API refused before (status `refused`). */
  retryRefused?: boolean;
  /** The admin key the calls are made with: an admin key it fits is never deleted. */
  keyInUse?: string;
}

/**
 * Why deleting this admin key is refused up front (it is the tool's own), or null. The reason
 * starts with TOOL_REFUSAL.
 */
export function ownKeyRefusal(action: PlannedAction, keyInUse: string | undefined): string | null {
  if (action.action !== "delete_admin_api_key") return null;
  const key = `admin key ${action.credential_id ?? ""} (${action.redacted_value ?? "no redacted value"})`;
  const advice = "revoke it by hand once the tool uses another admin key";
  if (action.tool_key === "match") {
    return `${TOOL_REFUSAL} ${key} is the admin key this tool crawled the campaign's snapshot with; deleting it would lock the tool out: ${advice}`;
  }
  if (
    keyInUse !== undefined &&
    action.redacted_value !== null &&
    keyFits(keyInUse, action.redacted_value)
  ) {
    return `${TOOL_REFUSAL} ${key} fits the admin key this remediation runs with; deleting it would lock the tool out: ${advice}`;
  }
  return null;
}

/** Whether the API refused the change itself (400/422), as opposed to failing to make it. */
const isRefusal = (error: unknown): boolean =>
  error instanceof BadRequestError && (error.status === 400 || error.status === 422);

/** Executes planned and failed API actions, recording each outcome as soon as it is known. */
export async function applyRemediation(
  store: Store,
  campaign: CampaignRow,
  client: AdminClient,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const plan = await planRemediation(store, campaign);
  let executed = 0;
  let skipped = 0;
  let failed = 0;
  let refused = 0;
  let withheld = 0;
  for (const action of plan) {
    const due =
      action.status === "planned" ||
      action.status === "failed" ||
      (action.status === "refused" && options.retryRefused === true);
    if (!due) {
      skipped++;
      continue;
    }
    let status: RemediationRow["status"];
    let error: string | null = null;
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
    } catch (caught) {
      if (caught instanceof NotFoundError) {
        status = "already_absent";
      } else {
        status = isRefusal(caught) ? "refused" : "failed";
        error = isAdminApiError(caught)
          ? caught.message
          : caught instanceof Error
            ? caught.message
            : String(caught);
        failed++;
        if (status === "refused") refused++;
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
