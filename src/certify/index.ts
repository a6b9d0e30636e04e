/**
 * Access certification campaigns: a sealed snapshot frozen as the population, reviewer
 * workbooks out and decisions back in, status, sign-off, and remediation through the API.
 */
export { holdReason, type StartOptions, type StartResult, startCampaign } from "./campaign.js";
export { type CloseResult, closeCampaign } from "./close.js";
export {
  type CampaignRow,
  type ItemKind,
  isProjectKind,
  loadCampaign,
  PROJECT_KINDS,
  SCOPES,
  type Scope,
  UNDECIDED_POLICIES,
  type UndecidedPolicy,
} from "./db.js";
export { CertifyError, type CertifyErrorCode } from "./errors.js";
export { type ExportedWorkbook, exportWorkbooks } from "./export.js";
export { normaliseAddress, sameIdentity } from "./identity.js";
export {
  type ImportOptions,
  type ImportOutcome,
  type ImportProblem,
  importWorkbooks,
  type Supersede,
} from "./import.js";
export { itemId } from "./population.js";
export {
  type ApplyOptions,
  type ApplyResult,
  applyRemediation,
  type PlannedAction,
  planRemediation,
} from "./remediate.js";
export { loadReviewersFile, type ReviewerRules, singleReviewer } from "./reviewers.js";
export { buildSignoffModel, type SignoffFile, writeSignoff } from "./signoff.js";
export {
  type CampaignStatus,
  campaignState,
  campaignStatus,
  type ProjectCoverage,
  projectCoverage,
  summarise,
} from "./state.js";
