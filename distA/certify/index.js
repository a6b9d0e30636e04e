/**
 * Access certification campaigns: a sealed snapshot frozen as the population, reviewer
 * workbooks out and decisions back in, status, sign-off, and remediation through the API.
 */
export { holdReason, startCampaign } from "./campaign.js";
export { closeCampaign } from "./close.js";
export { isProjectKind, loadCampaign, PROJECT_KINDS, SCOPES, UNDECIDED_POLICIES, } from "./db.js";
export { CertifyError } from "./errors.js";
export { exportWorkbooks } from "./export.js";
export { normaliseAddress, sameIdentity } from "./identity.js";
export { importWorkbooks, } from "./import.js";
export { itemId } from "./population.js";
export { applyRemediation, planRemediation, } from "./remediate.js";
export { loadReviewersFile, singleReviewer } from "./reviewers.js";
export { buildSignoffModel, writeSignoff } from "./signoff.js";
export { campaignState, projectCoverage, summarise, } from "./state.js";
//# sourceMappingURL=index.js.map