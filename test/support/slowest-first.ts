/**
 * Orders the integration files slowest first, so that with several workers the long files start
 * at once and the short ones fill the gaps, instead of one long file ending alone. Vitest does
 * this itself from its results cache, but a fresh CI clone has no cache; these are the files'
 * durations (seconds, rounded) when run one at a time on the 2-core CI machine. A file not
 * listed (a new one) runs first: it might be slow, and a fast one costs nothing there.
 */
import { relative } from "node:path";
import type { TestSpecification } from "vitest/node";
import { BaseSequencer } from "vitest/node";

export const SECONDS_ALONE: Readonly<Record<string, number>> = {
  "test/security.paths.test.ts": 113,
  "test/chaos.crashes.test.ts": 96,
  "test/certify.memory.test.ts": 86,
  "test/security.transport.test.ts": 82,
  "test/storage.faults.test.ts": 81,
  "test/crawl.test.ts": 74,
  "test/certify.projects.test.ts": 53,
  "test/certify.replay.test.ts": 50,
  "test/ops.test.ts": 48,
  "test/analysis.projects.test.ts": 39,
  "test/report.html.test.ts": 39,
  "test/chaos.faults.test.ts": 35,
  "test/security.hostile.test.ts": 31,
  "test/cli.logs.test.ts": 31,
  "test/certify.test.ts": 30,
  "test/security.outputs.test.ts": 29,
  "test/exceptions.test.ts": 27,
  "test/retention.test.ts": 24,
  "test/report.workbook-print.test.ts": 23,
  "test/crawl.projects.test.ts": 23,
  "test/report.first-screen.test.ts": 23,
  "test/certify.credentials.test.ts": 22,
  "test/report.attribution.test.ts": 22,
  "test/store.readers.test.ts": 22,
  "test/analysis.diff.test.ts": 21,
  "test/report.print.test.ts": 20,
  "test/analysis.anomalies.test.ts": 20,
  "test/cli.test.ts": 20,
  "test/report.xlsx.test.ts": 20,
  "test/security.secrets.test.ts": 19,
  "test/crawl.audit-log.test.ts": 18,
  "test/report.cli.test.ts": 16,
  "test/config.consistency.test.ts": 14,
  "test/store.snapshots.test.ts": 14,
  "test/export.test.ts": 14,
  "test/report.projects.test.ts": 14,
  "test/crawl.credentials.test.ts": 12,
  "test/analysis.credentials.test.ts": 11,
  "test/store.process.test.ts": 10,
  "test/config.test.ts": 9,
  "test/report.trend.test.ts": 9,
  "test/report.workbook-cells.test.ts": 7,
  "test/seal.incremental.test.ts": 7,
  "test/report.credentials.test.ts": 7,
  "test/client.sim.test.ts": 7,
  "test/client.transport.test.ts": 7,
  "test/simulator.sdk.test.ts": 6,
  "test/report.renamed.test.ts": 6,
  "test/analysis.access.test.ts": 5,
  "test/simulator.audit-log.test.ts": 5,
  "test/store.audit-log.test.ts": 5,
  "test/cli.startup.test.ts": 3,
  "test/deliver.email.test.ts": 3,
  "test/store.migrate.test.ts": 2,
  "test/simulator.contract.test.ts": 1,
  "test/simulator.projects.test.ts": 1,
  "test/simulator.credentials.test.ts": 1,
  "test/analysis.macros.test.ts": 0,
};

/** Seconds a file took alone: unlisted files count as the slowest. */
function secondsAlone(file: string): number {
  return SECONDS_ALONE[file] ?? Number.POSITIVE_INFINITY;
}

/**
 * Sorts files (paths from the package root, with `/`) slowest first; ties, and the unlisted
 * files among themselves, by name so the order is the same on every run.
 */
export function slowestFirst(files: readonly string[]): string[] {
  return [...files].sort((a, b) => {
    const slower = secondsAlone(b) - secondsAlone(a);
    return Number.isNaN(slower) || slower === 0 ? a.localeCompare(b) : slower;
  });
}

export default class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const path = (file: TestSpecification): string =>
      relative(file.project.config.root, file.moduleId).split("\\").join("/");
    // Projects one after the other (npm test runs them separately anyway); each slowest first.
    const byProject = new Map<string, TestSpecification[]>();
    for (const file of files) {
      byProject.set(file.project.name, [...(byProject.get(file.project.name) ?? []), file]);
    }
    return [...byProject.keys()].sort().flatMap((name) => {
      const specs = new Map((byProject.get(name) ?? []).map((spec) => [path(spec), spec]));
      return slowestFirst([...specs.keys()]).map((file) => specs.get(file) as TestSpecification);
    });
  }
}
