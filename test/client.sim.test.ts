/**
 * The Admin API client against the simulator (real HTTP): every listing exact against
 * `sim.state`, under each injected fault the listing is exact or fails with the right typed
 * error (never a hang, loop, duplicate or silent truncation), typed errors for 401/404/400,
 * writes, flow control, and the key never appears in any error or captured log line.
 */
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AdminApiError,
  AdminClient,
  type AdminClientOptions,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  type Paginated,
  ProtocolError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from "../src/api/index.js";
import {
  DEFAULT_QUIRKS,
  type FaultConfig,
  type RunningSimulator,
  startSimulator,
} from "../src/simulator/index.js";
import { createLogger } from "../src/util/log.js";

const WRONG_KEY = "sk-admin-WRONG-0123456789abcdefghijklmnop";

/** Every log line of every client in this file. */
const logLines: string[] = [];
const logger = createLogger({
  level: "debug",
  destination: new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString("utf8"));
      cb();
    },
  }),
});
/** Every error caught in this file (checked for the key at the end as well). */
const caught: unknown[] = [];

let sim: RunningSimulator;
const clients: AdminClient[] = [];

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, groups: 40, users: 600 });
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await sim.stop();
});

afterEach(async () => {
  sim.setFaults(undefined);
  sim.setQuirks(DEFAULT_QUIRKS);
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function clientFor(target: RunningSimulator, opts: Partial<AdminClientOptions> = {}): AdminClient {
  const c = new AdminClient({
    apiKey: target.adminKey,
    baseUrl: target.baseUrl,
    initialBackoffMs: 5,
    maxRetryDelayMs: 3_000,
    requestTimeoutMs: 5_000,
    deadlineMs: 20_000,
    logger,
    ...opts,
  });
  clients.push(c);
  return c;
}

async function all<T>(list: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of list) out.push(x);
  return out;
}

/** Items, or the error the listing ended with (recorded for the key check). */
async function attempt<T>(list: Paginated<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const x of list) items.push(x);
    return { items, error: null };
  } catch (error) {
    caught.push(error);
    return { items, error };
  }
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    caught.push(err);
    return err;
  }
  throw new Error("expected a rejection");
}

function ids(items: readonly { id: string }[]): string[] {
  return items.map((x) => x.id);
}

function expectUnique(items: readonly { id: string }[]): void {
  expect(new Set(ids(items)).size).toBe(items.length);
}

function expectNoSecret(value: unknown, ...keys: string[]): void {
  const texts = [
    String(value),
    JSON.stringify(value),
    inspect(value, { depth: 10, showHidden: true }),
  ];
  if (value instanceof Error) texts.push(value.message, value.stack ?? "", inspect(value.cause));
  for (const t of texts) for (const k of keys) expect(t).not.toContain(k);
}

async function mapLimit<T, R>(
  items: readonly T[],
  width: number,
  fn: (x: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

/** The group with the most members (several pages at small page sizes). */
function biggestGroup(target: RunningSimulator): string {
  const sizes = target.state.groupSizes().sort((a, b) => b.members - a.members);
  return sizes[0]?.id ?? "";
}

describe("listings are exact against the simulator state", { timeout: 15_000 }, () => {
  it("groups, both orders, max and small page sizes", async () => {
    const client = clientFor(sim);
    const expected = sim.state.listGroups();
    expect(expected.length).toBe(40);
    const list = client.listGroups();
    expect(await all(list)).toEqual(expected);
    expect(list.summary()).toEqual({
      endpoint: "/organization/groups",
      pages: 1,
      items: 40,
      completed: true,
      lastCursor: null,
      endReason: "has_more_false",
    });
    expect(await all(client.listGroups({ order: "desc" }))).toEqual(sim.state.listGroups("desc"));
    const small = client.listGroups({ limit: 7 });
    const items = await all(small);
    expect(items).toEqual(expected);
    expectUnique(items);
    expect(small.summary()).toMatchObject({ pages: 6, items: 40, completed: true });
    const one = client.listGroups({ limit: 1 });
    expect(await all(one)).toEqual(expected);
    expect(one.summary().pages).toBe(40);
  });

  it("every group's users and roles, at max and small page sizes", async () => {
    const client = clientFor(sim, { concurrency: 8 });
    const groups = sim.state.groupIds();
    let multiPage = 0;
    await mapLimit(groups, 8, async (gid) => {
      const users = await all(client.listGroupUsers(gid));
      expect(users).toEqual(sim.state.listGroupUsers(gid));
      const roles = await all(client.listGroupRoles(gid));
      expect(roles).toEqual(sim.state.listGroupRoles(gid));
      const small = client.listGroupUsers(gid, { limit: 9, order: "asc" });
      const smallItems = await all(small);
      expect(smallItems).toEqual(sim.state.listGroupUsers(gid, "asc"));
      expectUnique(smallItems);
      expect(small.summary().completed).toBe(true);
      if (small.summary().pages > 1) multiPage += 1;
      expect(await all(client.listGroupRoles(gid, { limit: 1 }))).toEqual(
        sim.state.listGroupRoles(gid),
      );
    });
    expect(multiPage).toBeGreaterThan(3);
  });

  it("roles catalog, users (legacy last_id envelope) and every user's roles", async () => {
    const client = clientFor(sim);
    expect(await all(client.listRoles())).toEqual(sim.state.listRoles());
    expect(await all(client.listRoles({ limit: 2 }))).toEqual(sim.state.listRoles());
    const expectedUsers = sim.state.listUsers();
    const users = client.listUsers();
    const got = await all(users);
    expect(got).toEqual(expectedUsers);
    expectUnique(got);
    expect(users.summary()).toMatchObject({
      endpoint: "/organization/users",
      pages: 6,
      items: 600,
      completed: true,
    });
    const small = await all(client.listUsers({ limit: 37 }));
    expect(small).toEqual(expectedUsers);
    const withEmail = expectedUsers.filter((u) => u.email !== null).slice(0, 3);
    const filtered = await all(client.listUsers({ emails: withEmail.map((u) => u.email ?? "") }));
    expect(ids(filtered).sort()).toEqual(ids(withEmail).sort());
    await mapLimit(sim.state.userIds(), 8, async (uid) => {
      expect(await all(client.listUserRoles(uid))).toEqual(sim.state.listUserRoles(uid));
    });
  });

  it("opaque cursors and the spec-example shapes (no group_type, object key, no assignment_sources)", async () => {
    sim.setQuirks({
      opaqueCursors: true,
      groupTypeOmitted: true,
      groupObjectKey: true,
      assignmentSourcesOmitted: true,
    });
    const client = clientFor(sim);
    const list = client.listGroups({ limit: 6 });
    const cursors: (string | null)[] = [];
    const groups = [];
    for await (const page of list.pages()) {
      cursors.push(page.cursor);
      groups.push(...page.items);
    }
    expect(cursors.filter((c) => c !== null).every((c) => !String(c).startsWith("group"))).toBe(
      true,
    );
    expect(groups).toEqual(
      sim.state.listGroups().map(({ group_type: _t, ...rest }) => ({ object: "group", ...rest })),
    );
    const gid = biggestGroup(sim);
    expect(await all(client.listGroupUsers(gid, { limit: 10 }))).toEqual(
      sim.state.listGroupUsers(gid),
    );
    const withRoles = sim.state.groupSizes().find((g) => g.roles > 0)?.id ?? "";
    expect(await all(client.listGroupRoles(withRoles, { limit: 1 }))).toEqual(
      sim.state.listGroupRoles(withRoles).map(({ assignment_sources: _a, ...rest }) => rest),
    );
  });

  it("counters match the server's: requests, pages, bytes", async () => {
    const client = clientFor(sim);
    sim.resetStats();
    const list = client.listGroupUsers(biggestGroup(sim), { limit: 25 });
    await all(list);
    const s = client.stats();
    const server = sim.stats();
    expect(s.requests).toBe(server.requests);
    expect(s.pages).toBe(list.summary().pages);
    expect(s.retries).toBe(0);
    expect(s.bytesReceived).toBe(server.bytesSent);
  });
});

describe("faults: exact or the right typed error, never a hang, loop, duplicate or silent truncation", {
  timeout: 15_000,
}, () => {
  /** A small crawl: all groups at 5 per page, plus the biggest group's members at 20 per page. */
  async function crawlUnder(faults: FaultConfig, opts: Partial<AdminClientOptions> = {}) {
    sim.setFaults(faults);
    sim.resetStats();
    const client = clientFor(sim, opts);
    const gid = biggestGroup(sim);
    const before = { groups: sim.state.listGroups(), members: sim.state.listGroupUsers(gid) };
    const groups = client.listGroups({ limit: 5 });
    const members = client.listGroupUsers(gid, { limit: 20 });
    const g = await attempt(groups);
    const m = await attempt(members);
    return {
      client,
      before,
      after: { groups: sim.state.listGroups(), members: sim.state.listGroupUsers(gid) },
      groups: { ...g, summary: groups.summary() },
      members: { ...m, summary: members.summary() },
      server: sim.stats(),
    };
  }

  it("429 with Retry-After: exact, and the wait is at least the header value", async () => {
    const t0 = Date.now();
    const r = await crawlUnder(
      { rate429: 0.5, retryAfterSeconds: 1, maxFaults: 1 },
      { initialBackoffMs: 1 },
    );
    expect(r.groups.error).toBeNull();
    expect(r.members.error).toBeNull();
    expect(r.groups.items).toEqual(r.before.groups);
    expect(r.members.items).toEqual(r.before.members);
    expect(r.server.faults.rate429).toBe(1);
    expect(r.client.stats().rateLimited).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
  });

  it("429 without Retry-After (backoff) and with retry-after-ms (preferred over a long Retry-After)", async () => {
    const a = await crawlUnder({ rate429: 0.4, retryAfterSeconds: null, maxFaults: 6 });
    expect(a.groups.items).toEqual(a.before.groups);
    expect(a.members.items).toEqual(a.before.members);
    expect(a.client.stats().rateLimited).toBe(a.server.faults.rate429);
    expect(a.server.faults.rate429).toBeGreaterThan(0);
    const t0 = Date.now();
    const b = await crawlUnder({
      rate429: 0.4,
      retryAfterSeconds: 30,
      retryAfterMs: 150,
      maxFaults: 4,
    });
    expect(b.groups.items).toEqual(b.before.groups);
    expect(b.members.items).toEqual(b.before.members);
    expect(b.server.faults.rate429).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("500/502/503: retried on the same page, exact", async () => {
    const r = await crawlUnder({ rate5xx: 0.4, statuses5xx: [500, 502, 503] });
    expect(r.groups.error).toBeNull();
    expect(r.members.error).toBeNull();
    expect(r.groups.items).toEqual(r.before.groups);
    expect(r.members.items).toEqual(r.before.members);
    expect(r.server.faults.status5xx).toBeGreaterThan(0);
    expect(r.client.stats().serverErrors).toBe(r.server.faults.status5xx);
    expect(r.groups.summary.completed && r.members.summary.completed).toBe(true);
  });

  it("x-should-retry: false on a 5xx fails at once with ServerError", async () => {
    const r = await crawlUnder({ rate5xx: 1, shouldRetryFalseRate: 1, firstN: 1 });
    const err = r.groups.error as ServerError;
    expect(err).toBeInstanceOf(ServerError);
    expect(err.attempts).toBe(1);
    expect(err.requestId).toMatch(/^req_/);
    expect(r.groups.items).toEqual([]);
    expect(r.groups.summary).toMatchObject({ completed: false, endReason: "failed" });
    expect(r.members.items).toEqual(r.before.members); // later requests unaffected
  });

  it("dropped connections: retried, exact", async () => {
    const r = await crawlUnder({ rateDrop: 0.3 });
    expect(r.groups.items).toEqual(r.before.groups);
    expect(r.members.items).toEqual(r.before.members);
    expect(r.server.faults.drop).toBeGreaterThan(0);
    expect(r.client.stats().networkErrors).toBe(r.server.faults.drop);
  });

  it("malformed JSON (truncated 200): retried a bounded number of times, exact", async () => {
    const r = await crawlUnder({ rateMalformed: 0.3 });
    expect(r.server.faults.malformed).toBeGreaterThan(0);
    expect(r.client.stats().malformedResponses).toBe(r.server.faults.malformed);
    let exact = 0;
    for (const [l, expected] of [
      [r.groups, r.before.groups],
      [r.members, r.before.members],
    ] as const) {
      if (l.error === null) {
        expect(l.items).toEqual(expected);
        expect(l.summary.completed).toBe(true);
        exact += 1;
      } else {
        // three malformed answers in a row for one page: a typed error, and what was
        // delivered before it is an exact prefix (nothing skipped, repeated or invented)
        expect(l.error).toBeInstanceOf(ProtocolError);
        expect((l.error as ProtocolError).attempts).toBe(3);
        expect(l.items).toEqual(expected.slice(0, l.items.length));
        expect(l.summary.completed).toBe(false);
      }
    }
    expect(exact).toBeGreaterThan(0);
    const always = await crawlUnder({ rateMalformed: 1 });
    expect(always.groups.error).toBeInstanceOf(ProtocolError);
    expect((always.groups.error as ProtocolError).attempts).toBe(3);
  });

  it.each([
    ["a non-advancing cursor", { stuckCursorRate: 1 }, /did not advance/],
    ["has_more with next null", { nextNullWithHasMoreRate: 1 }, /next is null or missing/],
    ["an empty page with has_more", { emptyPageWithHasMoreRate: 1 }, /empty page/],
  ] as const)("%s: ProtocolError, no loop, nothing duplicated", async (_n, faults, pattern) => {
    const r = await crawlUnder(faults);
    for (const l of [r.groups, r.members]) {
      expect(l.error).toBeInstanceOf(ProtocolError);
      expect((l.error as ProtocolError).message).toMatch(pattern);
      expect(l.summary).toMatchObject({ completed: false, endReason: "failed" });
      expectUnique(l.items);
    }
    expect(r.server.requests).toBeLessThanOrEqual(4);
  });

  it("legacy users list: has_more with last_id null is a ProtocolError", async () => {
    sim.setFaults({ nextNullWithHasMoreRate: 1, paths: "^/v1/organization/users$" });
    const r = await attempt(clientFor(sim).listUsers({ limit: 50 }));
    expect(r.error).toBeInstanceOf(ProtocolError);
    expect((r.error as ProtocolError).message).toMatch(/last_id is null/);
  });

  it("missing has_more: cursor followed, exact; completed only if the end was affirmed", async () => {
    const r = await crawlUnder({ missingHasMoreRate: 0.5 });
    expect(r.server.faults.missingHasMore).toBeGreaterThan(0);
    for (const [l, expected] of [
      [r.groups, r.before.groups],
      [r.members, r.before.members],
    ] as const) {
      expect(l.error).toBeNull();
      expect(ids(l.items)).toEqual(ids(expected));
      expect(["has_more_false", "has_more_missing"]).toContain(l.summary.endReason);
      expect(l.summary.completed).toBe(l.summary.endReason === "has_more_false");
    }
  });

  it("short pages with has_more: exact", async () => {
    const r = await crawlUnder({ shortPageRate: 0.5 });
    expect(r.server.faults.shortPage).toBeGreaterThan(0);
    expect(r.groups.items).toEqual(r.before.groups);
    expect(r.members.items).toEqual(r.before.members);
  });

  it("the organization changing between pages: no duplicates, nothing stable missing, nothing invented", async () => {
    const isolated = await startSimulator({ seed: 11, groups: 40, users: 400 });
    try {
      isolated.setFaults({ mutateBetweenPagesRate: 0.6 });
      const client = clientFor(isolated);
      const gid = biggestGroup(isolated);
      const beforeG = ids(isolated.state.listGroups());
      const beforeM = ids(isolated.state.listGroupUsers(gid));
      const groups = await attempt(client.listGroups({ limit: 4 }));
      const members = await attempt(client.listGroupUsers(gid, { limit: 15 }));
      const afterG = ids(isolated.state.listGroups());
      const afterM = ids(isolated.state.listGroupUsers(gid));
      expect(isolated.stats().faults.mutateBetweenPages).toBeGreaterThan(3);
      for (const [l, before, after] of [
        [groups, beforeG, afterG],
        [members, beforeM, afterM],
      ] as const) {
        // the members listing may also 404 if its group vanished: a typed error, not a gap
        if (l.error !== null) {
          expect(l.error).toBeInstanceOf(NotFoundError);
          continue;
        }
        const got = ids(l.items);
        expect(new Set(got).size).toBe(got.length);
        const stable = before.filter((id) => after.includes(id));
        for (const id of stable) expect(got).toContain(id);
        const known = new Set([...before, ...after]);
        const created = isolated.stats().mutations.join(" ");
        for (const id of got) expect(known.has(id) || created.includes(id)).toBe(true);
      }
    } finally {
      await isolated.stop();
    }
  });

  it("a group deleted between pages of its members: NotFoundError, recorded as not completed", async () => {
    const client = clientFor(sim);
    const gid = biggestGroup(sim);
    const list = client.listGroupUsers(gid, { limit: 10 });
    let error: unknown = null;
    let pages = 0;
    try {
      for await (const _page of list.pages()) {
        pages += 1;
        if (pages === 1) sim.state.deleteGroup(gid);
      }
    } catch (err) {
      caught.push(err);
      error = err;
    }
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).status).toBe(404);
    expect((error as NotFoundError).endpoint).toBe("/organization/groups/{group_id}/users");
    expect(list.summary()).toMatchObject({ pages: 1, completed: false, endReason: "failed" });
  });

  it("everything at once on every list endpoint: each listing exact or a typed error, in bounded time", async () => {
    const isolated = await startSimulator({ seed: 5, groups: 25, users: 300 });
    try {
      isolated.setFaults({
        rate429: 0.05,
        retryAfterSeconds: null,
        rate5xx: 0.05,
        rateDrop: 0.05,
        rateMalformed: 0.05,
        stuckCursorRate: 0.02,
        nextNullWithHasMoreRate: 0.02,
        emptyPageWithHasMoreRate: 0.02,
        shortPageRate: 0.1,
        latencyMs: 1,
        latencyJitterMs: 5,
      });
      const client = clientFor(isolated, { concurrency: 6 });
      const gids = isolated.state.groupIds();
      const listings: [string, () => Paginated<{ id: string }>, () => { id: string }[]][] = [
        ["groups", () => client.listGroups({ limit: 3 }), () => isolated.state.listGroups()],
        ["roles", () => client.listRoles({ limit: 2 }), () => isolated.state.listRoles()],
        ["users", () => client.listUsers({ limit: 20 }), () => isolated.state.listUsers()],
        ...gids.map(
          (g) =>
            [
              `members ${g}`,
              () => client.listGroupUsers(g, { limit: 7 }),
              () => isolated.state.listGroupUsers(g),
            ] as [string, () => Paginated<{ id: string }>, () => { id: string }[]],
        ),
        ...gids.map(
          (g) =>
            [
              `roles ${g}`,
              () => client.listGroupRoles(g, { limit: 1 }),
              () => isolated.state.listGroupRoles(g),
            ] as [string, () => Paginated<{ id: string }>, () => { id: string }[]],
        ),
      ];
      const outcomes = await mapLimit(listings, 6, async ([name, make, truth]) => {
        const list = make();
        const r = await attempt(list);
        return { name, ...r, summary: list.summary(), expected: truth() };
      });
      let exact = 0;
      for (const o of outcomes) {
        expectUnique(o.items);
        if (o.error === null) {
          expect(o.items, o.name).toEqual(o.expected);
          exact += 1;
        } else {
          expect(o.error, o.name).toBeInstanceOf(AdminApiError);
          expect(["protocol", "rate_limited", "server", "network", "timeout"]).toContain(
            (o.error as AdminApiError).kind,
          );
          expect(o.summary.completed).toBe(false);
        }
      }
      expect(exact).toBeGreaterThan(outcomes.length / 2);
      expect(outcomes.some((o) => o.error instanceof ProtocolError)).toBe(true);
    } finally {
      await isolated.stop();
    }
  }, 30_000);
});

describe("retry limits and flow control against the simulator", { timeout: 15_000 }, () => {
  it("a Retry-After above maxRetryDelayMs fails at once as RateLimitError", async () => {
    sim.setFaults({ rate429: 1, retryAfterSeconds: 600 });
    const client = clientFor(sim, { maxRetryDelayMs: 1_000 });
    const t0 = Date.now();
    const err = (await failure(
      client.retrieveGroup(sim.state.groupIds()[0] ?? ""),
    )) as RateLimitError;
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({
      kind: "rate_limited",
      status: 429,
      attempts: 1,
      retryAfterMs: 600_000,
      apiCode: "rate_limit_exceeded",
    });
  });

  it("persistent 5xx ends at the deadline with TimeoutError, not later", async () => {
    sim.setFaults({ rate5xx: 1, statuses5xx: [503] });
    const client = clientFor(sim, { initialBackoffMs: 100, maxRetries: 100, deadlineMs: 1_200 });
    const t0 = Date.now();
    const err = (await failure(all(client.listGroups()))) as TimeoutError;
    expect(Date.now() - t0).toBeLessThanOrEqual(1_300);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.status).toBe(503);
    expect(err.attempts).toBeGreaterThan(2);
  });

  it("retries stop at maxRetries with the last typed error", async () => {
    sim.setFaults({ rate5xx: 1, statuses5xx: [502] });
    const client = clientFor(sim, { maxRetries: 3 });
    sim.resetStats();
    const err = (await failure(all(client.listRoles()))) as ServerError;
    expect(err).toBeInstanceOf(ServerError);
    expect(err.attempts).toBe(4);
    expect(sim.stats().requests).toBe(4);
  });

  it("the concurrency limit bounds requests in flight (measured with server latency)", async () => {
    sim.setFaults({ latencyMs: 150 });
    const client = clientFor(sim, { concurrency: 3 });
    const gids = sim.state.groupIds().slice(0, 12);
    const t0 = Date.now();
    await Promise.all(gids.map((g) => client.retrieveGroup(g)));
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(4 * 150 - 20); // 12 requests / 3 in flight = 4 rounds
    expect(took).toBeLessThan(12 * 150); // but they did run in parallel
    expect(client.stats().peakInFlight).toBe(3);
  });

  it("server-side rate limit: the adaptive client-side limiter slows down and every listing completes", async () => {
    const limited = await startSimulator({ seed: 3, groups: 30, users: 100, rateLimitRps: 15 });
    try {
      const client = clientFor(limited, { rateLimitRps: 40, concurrency: 8 });
      const gids = limited.state.groupIds();
      await mapLimit(gids, 8, async (g) => {
        expect(await all(client.listGroupUsers(g))).toEqual(limited.state.listGroupUsers(g));
      });
      const s = client.stats();
      expect(s.rateLimited).toBe(limited.stats().faults.rateLimited);
      expect(s.rateLimited).toBeGreaterThan(0);
      expect(s.rateDecreases).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  }, 20_000);
});

describe("typed errors and writes", { timeout: 15_000 }, () => {
  it("401 with the simulator echoing the wrong key: AuthenticationError, key redacted", async () => {
    const client = clientFor(sim, { apiKey: WRONG_KEY });
    const err = (await failure(all(client.listGroups()))) as AuthenticationError;
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({
      kind: "auth",
      status: 401,
      method: "GET",
      path: "/organization/groups?limit=1000",
      attempts: 1,
      apiCode: "invalid_api_key",
      type: "invalid_request_error",
    });
    expect(err.requestId).toMatch(/^req_[0-9a-f]+$/);
    expect(err.message).toContain("Incorrect API key provided: sk-admin-...");
    expectNoSecret(err, WRONG_KEY, sim.adminKey);
  });

  it("404 and 400 with status, method, path and requestId", async () => {
    const client = clientFor(sim);
    const nf = (await failure(client.retrieveGroup("group_does_not_exist"))) as NotFoundError;
    expect(nf).toBeInstanceOf(NotFoundError);
    expect(nf).toMatchObject({
      status: 404,
      method: "GET",
      path: "/organization/groups/group_does_not_exist",
    });
    expect(nf.requestId).toMatch(/^req_/);
    const nfList = (await failure(all(client.listGroupRoles("group_gone")))) as NotFoundError;
    expect(nfList).toBeInstanceOf(NotFoundError);
    expect(nfList.path).toBe("/organization/groups/group_gone/roles?limit=1000");
    const br = (await failure(client.createGroup("x".repeat(256)))) as BadRequestError;
    expect(br).toBeInstanceOf(BadRequestError);
    expect(br).toMatchObject({
      status: 400,
      method: "POST",
      path: "/organization/groups",
      param: "name",
    });
    expect(br.requestId).toMatch(/^req_/);
    const badUser = (await failure(
      client.addGroupUser(sim.state.groupIds()[0] ?? "", "user_nope"),
    )) as BadRequestError;
    expect(badUser).toBeInstanceOf(BadRequestError);
    expect(badUser.param).toBe("user_id");
  });

  it("writes change the organization as documented", async () => {
    const client = clientFor(sim);
    const created = await client.createGroup("Remediation — Ünïcode");
    expect(sim.state.getGroup(created.id)).toEqual(created);
    const renamed = await client.updateGroup(created.id, "Remediation 2");
    expect(renamed).toMatchObject({ id: created.id, name: "Remediation 2" });
    expect((await client.retrieveGroup(created.id)).name).toBe("Remediation 2");
    const uid = sim.state.userIds()[0] ?? "";
    expect(await client.addGroupUser(created.id, uid)).toEqual({
      object: "group.user",
      user_id: uid,
      group_id: created.id,
    });
    expect(ids(await all(client.listGroupUsers(created.id)))).toEqual([uid]);
    const roleId = sim.state.readerRoleId;
    const assigned = await client.assignGroupRole(created.id, roleId);
    expect(assigned).toMatchObject({
      object: "group.role",
      group: { id: created.id, scim_managed: false },
      role: { id: roleId },
    });
    expect(ids(await all(client.listGroupRoles(created.id)))).toEqual([roleId]);
    expect(await client.unassignGroupRole(created.id, roleId)).toEqual({
      object: "group.role.deleted",
      deleted: true,
    });
    expect(await client.removeGroupUser(created.id, uid)).toEqual({
      object: "group.user.deleted",
      deleted: true,
    });
    const userRole = await client.assignUserRole(uid, roleId);
    expect(userRole).toMatchObject({
      object: "user.role",
      user: { id: uid },
      role: { id: roleId },
    });
    expect(sim.state.hasDirectUserRole(uid, roleId)).toBe(true);
    expect(await client.unassignUserRole(uid, roleId)).toEqual({
      object: "user.role.deleted",
      deleted: true,
    });
    expect(await client.deleteGroup(created.id)).toEqual({
      object: "group.deleted",
      id: created.id,
      deleted: true,
    });
    expect(await failure(client.retrieveGroup(created.id))).toBeInstanceOf(NotFoundError);
  });

  it("no error caught in this file and no captured log line contains a key", () => {
    expect(caught.length).toBeGreaterThan(10);
    for (const err of caught) expectNoSecret(err, sim.adminKey, WRONG_KEY);
    expect(logLines.some((l) => l.includes("retrying"))).toBe(true);
    for (const line of logLines) {
      expect(line).not.toContain(sim.adminKey);
      expect(line).not.toContain(WRONG_KEY);
      expect(line.toLowerCase()).not.toContain("bearer");
    }
  });
});
