/**
 * The audit log in the tests: how many requests a sync makes (from the simulator's ground truth),
 * and the actors the simulator records changes as.
 */
import { DEFAULT_AUDIT_LOG_OVERLAP_SECONDS } from "../../src/crawl/index.js";
import type { OrgState } from "../../src/simulator/index.js";

/** The audit log's largest page. */
export const AUDIT_PAGE = 100;

/**
 * The requests of one audit-log sync against `state` as it is now: every event at or after the
 * newest one held less the overlap (the whole log for a first sync, `newestHeld` null), one page
 * per 100, at least one.
 */
export function auditSyncRequests(
  state: OrgState,
  newestHeld: number | null,
  overlap = DEFAULT_AUDIT_LOG_OVERLAP_SECONDS,
): number {
  const read =
    newestHeld === null
      ? state.auditEventCount()
      : state.listAuditEvents().filter((e) => e.effective_at >= newestHeld - overlap).length;
  return Math.max(1, Math.ceil(read / AUDIT_PAGE));
}

/** The newest event of the simulator's log (unix seconds), null when it holds none. */
export function newestAuditEvent(state: OrgState): number | null {
  return state.listAuditEvents()[0]?.effective_at ?? null;
}
