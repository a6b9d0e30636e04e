/**
 * What every chaos suite returns: a tally of outcomes by name and the runs that ended in an
 * outcome the suite does not accept, each with the id that replays it.
 */
export interface SuiteResult {
  suite: string;
  /** Runs (fault suite) or kills (crash suite) performed. */
  runs: number;
  /** Outcome name -> count. Every run lands in exactly one outcome. */
  tally: Record<string, number>;
  /** Runs whose outcome is not accepted: `id` replays it (a seed, or "command:kill#"). */
  unexpected: { id: string; detail: string }[];
  /** Suite-specific figures for the results file (per-command tallies, timings). */
  details?: Record<string, unknown>;
  durationMs: number;
}

export type LogLine = (line: string) => void;
