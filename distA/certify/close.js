import { campaignQuery, insertDecisions, inTransaction, loadCampaign, } from "./db.js";
import { CertifyError } from "./errors.js";
import { campaignState } from "./state.js";
export const POLICY_REVIEWER = "(campaign policy)";
export async function closeCampaign(store, campaign) {
    if (campaign.status !== "open") {
        throw new CertifyError("CAMPAIGN_CLOSED", `campaign "${campaign.name}" is already closed`);
    }
    const states = await campaignState(store, campaign);
    const undecided = states.filter((s) => {
        const d = s.decision?.decision;
        return d !== "approve" && d !== "revoke";
    });
    const decision = campaign.undecided_policy === "keep"
        ? "approve"
        : campaign.undecided_policy === "revoke"
            ? "revoke"
            : "escalated";
    await inTransaction(store, async () => {
        const closed = await store.query(campaignQuery("close_campaign"), [
            campaign.campaign_id,
        ]);
        const closedAt = closed[0]?.closed_at;
        if (closedAt === undefined) {
            throw new CertifyError("CAMPAIGN_CLOSED", `campaign "${campaign.name}" is already closed`);
        }
        await insertDecisions(store, undecided.map((s) => ({
            campaign_id: campaign.campaign_id,
            item_id: s.item.item_id,
            decision,
            justification: `${s.decision?.decision === "needs_info" ? "needs info" : "undecided"} at close: ${campaign.undecided_policy} by the campaign's policy`,
            reviewer: POLICY_REVIEWER,
            // The same instant as closed_at, so the report reads one close time.
            decided_at: closedAt,
            source: "close_policy",
        })));
    });
    return {
        campaign: await loadCampaign(store, campaign.name),
        by_policy: undecided.length,
        policy_decision: decision,
    };
}
//# sourceMappingURL=close.js.map