/** `certify close`: freezes decisions; undecided items follow the campaign's policy. */
import type { Store } from "../store/index.js";
import {
  type CampaignRow,
  campaignQuery,
  composedCampaignQuery,
  type Decision,
  inTransaction,
  loadCampaign,
  nextDecisionSeq,
} from "./db.js";
import { CertifyError } from "./errors.js";

export const POLICY_REVIEWER = "(campaign policy)";

export interface CloseResult {
  campaign: CampaignRow;
  /** Items the policy decided: undecided or "needs info" at close. */
  by_policy: number;
  policy_decision: Decision;
}

export async function closeCampaign(store: Store, campaign: CampaignRow): Promise<CloseResult> {
  if (campaign.status !== "open") {
    throw new CertifyError("CAMPAIGN_CLOSED", `campaign "${campaign.name}" is already closed`);
  }
  const decision: Decision =
    campaign.undecided_policy === "keep"
      ? "approve"
      : campaign.undecided_policy === "revoke"
        ? "revoke"
        : "escalated";
  let byPolicy = 0;
  await inTransaction(store, async () => {
    const closed = await store.query<{ closed_at: string }>(campaignQuery("close_campaign"), [
      campaign.campaign_id,
    ]);
    if (closed[0] === undefined) {
      throw new CertifyError("CAMPAIGN_CLOSED", `campaign "${campaign.name}" is already closed`);
    }
    // In one statement, dated by closed_at (the report reads one close time): a million items'
    // states, read to find the undecided ones, were gigabytes.
    await store.query(composedCampaignQuery("close_policy_decisions"), [
      campaign.campaign_id,
      decision,
      await nextDecisionSeq(store),
      campaign.undecided_policy,
      POLICY_REVIEWER,
    ]);
    const counted = await store.query<{ n: number }>(campaignQuery("policy_decision_count"), [
      campaign.campaign_id,
    ]);
    byPolicy = counted[0]?.n ?? 0;
  });
  // The policy's decisions (a million, in a campaign of every grant) are written out now: held in
  // memory until a checkpoint, they left the sign-off's reads too little of the memory limit.
  await store.query(campaignQuery("checkpoint"));
  return {
    campaign: await loadCampaign(store, campaign.name),
    by_policy: byPolicy,
    policy_decision: decision,
  };
}
