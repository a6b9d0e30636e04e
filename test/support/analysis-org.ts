/** Crawling a hand-built simulated organization into a real DuckDB file, for analysis tests. */
import { AdminClient } from "../../src/api/index.js";
import { type CrawlResult, crawl } from "../../src/crawl/index.js";
import type { RunningSimulator } from "../../src/simulator/index.js";
import { Store } from "../../src/store/index.js";

/**
 * One crawl of the simulator into the database at `path` (opened for writing, then closed),
 * with the crawl's coverage options; the audit-log sync follows it unless `auditLog: false`.
 */
export async function crawlInto(
  sim: RunningSimulator,
  path: string,
  options: CrawlIntoOptions = {},
): Promise<number> {
  return (await crawlResultInto(sim, path, options)).snapshotId;
}

export interface CrawlIntoOptions {
  projects?: boolean;
  projectRoleAssignments?: boolean;
  credentials?: boolean;
  /** Sync the audit log after the publish (default true, as the crawl does). */
  auditLog?: boolean;
}

/** crawlInto, with the crawl's whole result (counts, the audit-log sync that followed). */
export async function crawlResultInto(
  sim: RunningSimulator,
  path: string,
  options: CrawlIntoOptions = {},
): Promise<CrawlResult> {
  const store = await Store.open(path);
  const client = new AdminClient({
    baseUrl: sim.baseUrl,
    apiKey: sim.adminKey,
    initialBackoffMs: 5,
    maxRetries: 8,
    concurrency: 4,
  });
  try {
    return await crawl({
      client,
      store,
      baseUrl: sim.baseUrl,
      keyRedacted: "sk-admin...test",
      toolVersion: "test",
      concurrency: 4,
      ...options,
    });
  } finally {
    await client.close();
    await store.close();
  }
}

/** A role id by name in the simulator's catalog (throws when missing). */
export function roleId(sim: RunningSimulator, name: string): string {
  const id = sim.state.roleIdByName(name);
  if (id === undefined) throw new Error(`no role named ${name}`);
  return id;
}

export const DAY = 86_400;

/**
 * Simulator options for an organization without generated credentials (no service accounts,
 * project or admin keys, invites): for tests about people's access, whose expectations
 * credentials would only add to (credentials: test/analysis.credentials.test.ts). The
 * simulator's own admin key is still listed.
 */
export const NO_CREDENTIALS = {
  serviceAccountsAverage: 0,
  apiKeysAverage: 0,
  adminKeys: 0,
  invites: 0,
} as const;
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
