/**
 * Transport-level behaviour of the Admin API client against a scripted real HTTP server
 * (node:http), where each response is under exact control: headers sent, path encoding,
 * Retry-After forms, x-should-retry, caps and deadline, timeouts, dropped connections,
 * malformed bodies, concurrency, the shared 429 pause, the adaptive rate limiter, pagination
 * contract checks, typed errors, and that the key never leaks.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AdminApiError,
  AdminClient,
  type AdminClientOptions,
  AuthenticationError,
  BadRequestError,
  NetworkError,
  NotFoundError,
  ProtocolError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from "../src/api/index.js";
import { createLogger } from "../src/util/log.js";

const KEY = `sk-admin-transport-${"x7Q2".repeat(6)}-secret`;
const KEY_CORE = KEY.slice(9, -4); // any long fragment of the key must not leak either

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  at: number;
  n: number;
}

type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

interface TestServer {
  baseUrl: string;
  seen: Seen[];
  peakInFlight: number;
  stop(): Promise<void>;
}

const servers: TestServer[] = [];
const clients: AdminClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function serve(handler: Handler): Promise<TestServer> {
  let inFlight = 0;
  const state: TestServer = {
    baseUrl: "",
    seen: [],
    peakInFlight: 0,
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close").catch(() => undefined);
    },
  };
  const server = createServer((req, res) => {
    inFlight += 1;
    state.peakInFlight = Math.max(state.peakInFlight, inFlight);
    res.on("close", () => {
      inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const seen: Seen = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
        n: state.seen.length,
      };
      state.seen.push(seen);
      Promise.resolve(handler(seen, res)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}/v1`;
  servers.push(state);
  return state;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function apiError(message: string, type = "invalid_request_error", code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

const group = (id: string) => ({
  id,
  name: `Group ${id}`,
  created_at: 1_711_471_533,
  is_scim_managed: false,
  group_type: "group",
});

function makeClient(baseUrl: string, opts: Partial<AdminClientOptions> = {}): AdminClient {
  const client = new AdminClient({
    apiKey: KEY,
    baseUrl,
    initialBackoffMs: 10,
    maxRetries: 4,
    requestTimeoutMs: 5_000,
    ...opts,
  });
  clients.push(client);
  return client;
}

function logCapture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString("utf8"));
      cb();
    },
  });
  return { lines, logger: createLogger({ destination, level: "debug" }) };
}

/** The key (or a long fragment) appears nowhere in the error or its serialisations. */
function expectNoKey(value: unknown): void {
  const texts = [
    String(value),
    JSON.stringify(value),
    inspect(value, { depth: 10, showHidden: true }),
  ];
  if (value instanceof Error) texts.push(value.message, value.stack ?? "", inspect(value.cause));
  for (const t of texts) {
    expect(t).not.toContain(KEY);
    expect(t).not.toContain(KEY_CORE);
  }
}

async function catchErr(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("request wire format", { timeout: 10_000 }, () => {
  it("sends auth, accept, user-agent, JSON bodies and URL-encoded path ids", async () => {
    const srv = await serve((req, res) => {
      if (req.method === "POST") json(res, 200, group("group_new"));
      else json(res, 200, group("g"));
    });
    const client = makeClient(srv.baseUrl);
    await client.retrieveGroup("a/b c?#%");
    await client.createGroup("Support Team");
    const [get, post] = srv.seen;
    expect(get?.url).toBe("/v1/organization/groups/a%2Fb%20c%3F%23%25");
    expect(get?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(get?.headers.accept).toBe("application/json");
    expect(get?.headers["user-agent"]).toMatch(/^openai-access-audit\/\d+\.\d+\.\d+/);
    expect(get?.headers["content-type"]).toBeUndefined();
    expect(post?.method).toBe("POST");
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(post?.body ?? "")).toEqual({ name: "Support Team" });
    expect(client.stats().bytesSent).toBe(Buffer.byteLength(post?.body ?? ""));
    expect(client.stats().bytesReceived).toBeGreaterThan(0);
    // "." and ".." cannot be normalised away
    await client.retrieveGroup("..");
    expect(srv.seen[2]?.url).toBe("/v1/organization/groups/%2E%2E");
    expect(() => client.listGroupUsers("")).toThrow(TypeError);
    // the client object itself does not expose the key (it lives in a #private field)
    expect(inspect(client, { depth: 8, showHidden: true })).not.toContain(KEY_CORE);
  });

  it("uses the largest page size and encodes emails[] for the legacy users list", async () => {
    const srv = await serve((_req, res) =>
      json(res, 200, { object: "list", data: [], first_id: null, last_id: null, has_more: false }),
    );
    const client = makeClient(srv.baseUrl);
    await collect(client.listUsers({ emails: ["a@x.io", "b+c@x.io"] }));
    await collect(client.listGroups({ order: "desc" }));
    const u = new URL(`http://h${srv.seen[0]?.url}`);
    expect(u.pathname).toBe("/v1/organization/users");
    expect(u.searchParams.get("limit")).toBe("100");
    expect(u.searchParams.getAll("emails[]")).toEqual(["a@x.io", "b+c@x.io"]);
    const g = new URL(`http://h${srv.seen[1]?.url}`);
    expect(g.searchParams.get("limit")).toBe("1000");
    expect(g.searchParams.get("order")).toBe("desc");
    expect(() => client.listGroups({ limit: 1001 })).toThrow(RangeError);
    expect(() => client.listUsers({ limit: 101 })).toThrow(RangeError);
  });
});

describe("typed errors", { timeout: 10_000 }, () => {
  it("401 echoing the key: AuthenticationError, redacted everywhere", async () => {
    const { lines, logger } = logCapture();
    const srv = await serve((req, res) =>
      json(
        res,
        401,
        apiError(
          `Incorrect API key provided: ${String(req.headers.authorization).slice(7)}.`,
          "invalid_request_error",
          "invalid_api_key",
        ),
        { "x-request-id": "req_auth_1" },
      ),
    );
    const client = makeClient(srv.baseUrl, { logger });
    const err = await catchErr(client.retrieveGroup("group_1"));
    expect(err).toBeInstanceOf(AuthenticationError);
    const e = err as AuthenticationError;
    expect(e.kind).toBe("auth");
    expect(e.status).toBe(401);
    expect(e.requestId).toBe("req_auth_1");
    expect(e.method).toBe("GET");
    expect(e.path).toBe("/organization/groups/group_1");
    expect(e.attempts).toBe(1);
    expect(e.apiCode).toBe("invalid_api_key");
    expect(e.type).toBe("invalid_request_error");
    expect(e.message).toContain("Incorrect API key provided: sk-admin-...");
    expect(e.name).toBe("AuthenticationError");
    expect(String(e)).toMatch(
      /^AuthenticationError: 401 auth: GET \/organization\/groups\/group_1: /,
    );
    expect(e.message).not.toMatch(/[\r\n]/);
    expectNoKey(err);
    for (const line of lines) expect(line).not.toContain(KEY);
  });

  it("404, 403, 400 and 422 map to their classes with status, method, path, requestId", async () => {
    const srv = await serve((req, res) => {
      const headers = { "x-request-id": `req_${req.n}` };
      if (req.method === "GET")
        return json(res, 404, apiError("No group found with id 'gone'."), headers);
      if (req.method === "DELETE")
        return json(res, 403, apiError("forbidden", "permission_error"), headers);
      if (req.url.endsWith("/users")) return json(res, 422, apiError("unprocessable"), headers);
      json(
        res,
        400,
        {
          error: {
            message: "name too long",
            type: "invalid_request_error",
            param: "name",
            code: null,
          },
        },
        headers,
      );
    });
    const client = makeClient(srv.baseUrl);
    const nf = (await catchErr(collect(client.listGroupUsers("gone")))) as NotFoundError;
    expect(nf).toBeInstanceOf(NotFoundError);
    expect(nf).toMatchObject({
      kind: "not_found",
      status: 404,
      requestId: "req_0",
      method: "GET",
      path: "/organization/groups/gone/users?limit=1000",
      endpoint: "/organization/groups/{group_id}/users",
      attempts: 1,
    });
    const br = (await catchErr(client.createGroup("x".repeat(300)))) as BadRequestError;
    expect(br).toBeInstanceOf(BadRequestError);
    expect(br).toMatchObject({
      kind: "bad_request",
      status: 400,
      method: "POST",
      path: "/organization/groups",
      param: "name",
      type: "invalid_request_error",
      requestId: "req_1",
      attempts: 1,
    });
    const pd = (await catchErr(client.deleteGroup("g1"))) as AdminApiError;
    expect(pd).toMatchObject({
      kind: "permission",
      status: 403,
      method: "DELETE",
      path: "/organization/groups/g1",
    });
    const up = (await catchErr(client.addGroupUser("g1", "u1"))) as AdminApiError;
    expect(up).toBeInstanceOf(BadRequestError);
    expect(up.status).toBe(422);
    for (const e of [nf, br, pd, up]) {
      expectNoKey(e);
      expect(e.message).not.toMatch(/[\r\n]/);
      expect(JSON.parse(JSON.stringify(e))).toMatchObject({
        kind: e.kind,
        status: e.status,
        path: e.path,
      });
    }
  });

  it("a body that does not match the schema is a ProtocolError naming the endpoint and field, not the value", async () => {
    const srv = await serve((_req, res) =>
      json(res, 200, {
        object: "list",
        data: [group("g1"), { ...group("g2"), created_at: "VALUE-THAT-MUST-NOT-APPEAR" }],
        has_more: false,
        next: null,
      }),
    );
    const client = makeClient(srv.baseUrl);
    const err = (await catchErr(collect(client.listGroups()))) as ProtocolError;
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.kind).toBe("protocol");
    expect(err.attempts).toBe(1);
    expect(err.message).toContain("/organization/groups");
    expect(err.message).toContain("data[1].created_at");
    expect(err.message).not.toContain("VALUE-THAT-MUST-NOT-APPEAR");
    expect(srv.seen).toHaveLength(1);
  });
});

describe("retries", { timeout: 10_000 }, () => {
  it("retries 500/502/503/408/409 and resumes the same page", async () => {
    const statuses = [500, 502, 503, 408, 409];
    const srv = await serve((req, res) => {
      const after = new URL(`http://h${req.url}`).searchParams.get("after");
      const s = after === "g2" ? statuses.shift() : undefined;
      if (s !== undefined) return json(res, s, apiError("boom", "server_error"));
      if (after === null)
        return json(res, 200, {
          object: "list",
          data: [group("g1"), group("g2")],
          has_more: true,
          next: "g2",
        });
      return json(res, 200, { object: "list", data: [group("g3")], has_more: false, next: null });
    });
    const { lines, logger } = logCapture();
    const client = makeClient(srv.baseUrl, { maxRetries: 6, logger });
    const list = client.listGroups();
    const ids = (await collect(list)).map((g) => g.id);
    expect(ids).toEqual(["g1", "g2", "g3"]);
    expect(list.summary()).toMatchObject({ pages: 2, items: 3, completed: true, lastCursor: null });
    const afters = srv.seen.map((s) => new URL(`http://h${s.url}`).searchParams.get("after"));
    expect(afters).toEqual([null, "g2", "g2", "g2", "g2", "g2", "g2"]);
    const st = client.stats();
    expect(st.requests).toBe(7);
    expect(st.retries).toBe(5);
    expect(st.serverErrors).toBe(3);
    expect(st.pages).toBe(2);
    const retryLines = lines.filter((l) => l.includes("retrying"));
    expect(retryLines).toHaveLength(5);
    const first = JSON.parse(retryLines[0] ?? "{}") as Record<string, unknown>;
    expect(first).toMatchObject({
      method: "GET",
      status: 500,
      path: "/organization/groups?limit=1000&after=g2",
    });
    expect(typeof first.waitMs).toBe("number");
    for (const l of lines) {
      expect(l).not.toContain(KEY);
      expect(l.toLowerCase()).not.toContain("authorization");
    }
    expect(srv.seen[1]?.headers["x-retry-count"]).toBeUndefined();
    expect(srv.seen[2]?.headers["x-retry-count"]).toBe("1");
  });

  it("x-should-retry overrides the status both ways", async () => {
    let n = 0;
    const srv = await serve((req, res) => {
      n += 1;
      if (req.url.includes("g_false"))
        return json(res, 503, apiError("no"), { "x-should-retry": "false" });
      if (n <= 2) return json(res, 400, apiError("transient"), { "x-should-retry": "true" });
      return json(res, 200, group("g_true"));
    });
    const client = makeClient(srv.baseUrl);
    expect((await client.retrieveGroup("g_true")).id).toBe("g_true");
    const err = (await catchErr(client.retrieveGroup("g_false"))) as ServerError;
    expect(err).toBeInstanceOf(ServerError);
    expect(err.kind).toBe("server");
    expect(err.attempts).toBe(1);
    expect(err.status).toBe(503);
  });

  it("gives up after maxRetries with the typed error of the last attempt", async () => {
    const srv = await serve((_req, res) =>
      json(res, 429, apiError("slow down", "rate_limit_error"), { "x-request-id": "req_rl" }),
    );
    const client = makeClient(srv.baseUrl, { maxRetries: 2, initialBackoffMs: 5 });
    const err = (await catchErr(client.retrieveGroup("g"))) as RateLimitError;
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.kind).toBe("rate_limited");
    expect(err.attempts).toBe(3);
    expect(err.requestId).toBe("req_rl");
    expect(client.stats()).toMatchObject({ requests: 3, retries: 2, rateLimited: 3 });
  });

  it("waits at least Retry-After (seconds, float, HTTP-date) and prefers retry-after-ms", async () => {
    const plan: Record<string, Record<string, string>> = {
      secs: { "retry-after": "1" },
      float: { "retry-after": "0.4" },
      date: { "retry-after": new Date(Date.now() + 2_000).toUTCString() },
      ms: { "retry-after-ms": "250", "retry-after": "30" },
    };
    const seenBy = new Map<string, number[]>();
    const srv = await serve((req, res) => {
      const id = req.url.split("/").pop() ?? "";
      const times = seenBy.get(id) ?? [];
      times.push(req.at);
      seenBy.set(id, times);
      if (times.length === 1) return json(res, 429, apiError("rate limited"), plan[id] ?? {});
      return json(res, 200, group(id));
    });
    // initialBackoffMs large: a fallback to backoff would be visible as a much longer wait
    const client = makeClient(srv.baseUrl, { initialBackoffMs: 5_000 });
    const started = Date.now();
    await Promise.all(Object.keys(plan).map((id) => client.retrieveGroup(id)));
    const gap = (id: string) => {
      const t = seenBy.get(id) ?? [];
      return (t[1] ?? 0) - (t[0] ?? 0);
    };
    expect(gap("secs")).toBeGreaterThanOrEqual(1_000);
    expect(gap("float")).toBeGreaterThanOrEqual(400);
    expect(gap("date")).toBeGreaterThanOrEqual(900); // HTTP-date has 1 s resolution
    expect(gap("ms")).toBeGreaterThanOrEqual(250);
    expect(gap("ms")).toBeLessThan(5_000);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("a server wait above maxRetryDelayMs fails at once as rate_limited", async () => {
    const srv = await serve((_req, res) =>
      json(res, 429, apiError("quota"), { "retry-after": "7200" }),
    );
    const client = makeClient(srv.baseUrl, { maxRetryDelayMs: 2_000 });
    const t0 = Date.now();
    const err = (await catchErr(client.retrieveGroup("g"))) as RateLimitError;
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.retryAfterMs).toBe(7_200_000);
    expect(err.attempts).toBe(1);
    expect(err.status).toBe(429);
  });

  it("caps each backoff at maxRetryDelayMs", async () => {
    const srv = await serve((_req, res) => json(res, 500, apiError("down", "server_error")));
    const client = makeClient(srv.baseUrl, {
      initialBackoffMs: 10_000,
      maxRetryDelayMs: 40,
      maxRetries: 4,
    });
    const t0 = Date.now();
    const err = (await catchErr(client.retrieveGroup("g"))) as ServerError;
    expect(err).toBeInstanceOf(ServerError);
    expect(err.attempts).toBe(5);
    expect(Date.now() - t0).toBeLessThan(2_000);
    for (let i = 1; i < srv.seen.length; i++) {
      const gap = (srv.seen[i]?.at ?? 0) - (srv.seen[i - 1]?.at ?? 0);
      expect(gap).toBeLessThan(1_000);
    }
  });

  it("exponential backoff with jitter: waits grow and stay within [75%, 100%] of initial*2^n", async () => {
    const srv = await serve((_req, res) => json(res, 503, apiError("down", "server_error")));
    const client = makeClient(srv.baseUrl, { initialBackoffMs: 100, maxRetries: 3 });
    await catchErr(client.retrieveGroup("g"));
    const gaps = srv.seen.slice(1).map((s, i) => s.at - (srv.seen[i]?.at ?? 0));
    expect(gaps).toHaveLength(3);
    [100, 200, 400].forEach((base, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(base * 0.75 - 5);
      expect(gaps[i]).toBeLessThan(base + 150);
    });
  });

  it("the overall deadline ends a retry loop with TimeoutError", async () => {
    const srv = await serve((_req, res) => json(res, 503, apiError("down", "server_error")));
    const client = makeClient(srv.baseUrl, {
      initialBackoffMs: 150,
      maxRetries: 50,
      deadlineMs: 800,
    });
    const t0 = Date.now();
    const err = (await catchErr(client.retrieveGroup("g"))) as TimeoutError;
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.kind).toBe("timeout");
    expect(err.status).toBe(503);
    expect(err.attempts).toBeGreaterThanOrEqual(2);
    expect(took).toBeLessThanOrEqual(900);
  });

  it("a hanging attempt times out and is retried; a hang past the deadline is a TimeoutError", async () => {
    let n = 0;
    const srv = await serve((req, res) => {
      n += 1;
      if (req.url.includes("always") || n === 1) return; // never answer
      json(res, 200, group("g"));
    });
    const client = makeClient(srv.baseUrl, { requestTimeoutMs: 200, deadlineMs: 1_000 });
    expect((await client.retrieveGroup("g")).id).toBe("g");
    expect(client.stats().timeouts).toBe(1);
    const t0 = Date.now();
    const err = (await catchErr(client.retrieveGroup("always"))) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(Date.now() - t0).toBeLessThan(1_500);
    expectNoKey(err);
  });

  it("a dropped connection is retried for reads; a create is not re-sent after it may have arrived", async () => {
    let drops = 0;
    const srv = await serve((req, res) => {
      if (drops < 1 || req.method === "POST") {
        drops += 1;
        res.socket?.destroy();
        return;
      }
      json(res, 200, group("g"));
    });
    const client = makeClient(srv.baseUrl);
    expect((await client.retrieveGroup("g")).id).toBe("g");
    expect(client.stats().networkErrors).toBe(1);
    const err = (await catchErr(client.createGroup("new"))) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.kind).toBe("network");
    expect(err.status).toBeNull();
    expect(err.attempts).toBe(1);
    expect(srv.seen.filter((s) => s.method === "POST")).toHaveLength(1);
    expectNoKey(err);
  });

  it("connection refused: NetworkError after retries with the cause code, no undici object attached", async () => {
    const srv = await serve((_req, res) => json(res, 200, {}));
    const url = srv.baseUrl;
    await srv.stop();
    servers.splice(servers.indexOf(srv), 1);
    const client = makeClient(url, { maxRetries: 2 });
    const err = (await catchErr(client.retrieveGroup("g"))) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.attempts).toBe(3);
    expect(err.causeCode).toBe("ECONNREFUSED");
    expect(err.cause).toBeUndefined();
    expectNoKey(err);
  });

  it("malformed JSON on a 200 is retried a bounded number of times, then a ProtocolError", async () => {
    let n = 0;
    const srv = await serve((req, res) => {
      n += 1;
      if (req.url.includes("always") || n <= 2) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"object":"list","data":[{"id":"g1"');
        return;
      }
      json(res, 200, group("g"));
    });
    const client = makeClient(srv.baseUrl, { maxRetries: 6 });
    expect((await client.retrieveGroup("g")).id).toBe("g");
    expect(client.stats().malformedResponses).toBe(2);
    const err = (await catchErr(client.retrieveGroup("always"))) as ProtocolError;
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.status).toBe(200);
    expect(err.attempts).toBe(3); // 1 + maxMalformedRetries (2)
    expect(err.message).toMatch(/malformed JSON/);
  });
});

describe("flow control", { timeout: 10_000 }, () => {
  it("the concurrency limit bounds requests in flight at the server", async () => {
    const srv = await serve(async (req, res) => {
      await new Promise((r) => setTimeout(r, 60));
      json(res, 200, group(req.url.split("/").pop() ?? ""));
    });
    const client = makeClient(srv.baseUrl, { concurrency: 3 });
    await Promise.all(Array.from({ length: 15 }, (_, i) => client.retrieveGroup(`g${i}`)));
    expect(srv.peakInFlight).toBe(3);
    expect(client.stats().peakInFlight).toBe(3);
  });

  it("a 429's Retry-After pauses every other pending request of the client", async () => {
    let first = true;
    const srv = await serve((req, res) => {
      if (first) {
        first = false;
        return json(res, 429, apiError("rate limited"), { "retry-after": "1" });
      }
      json(res, 200, group(req.url.split("/").pop() ?? ""));
    });
    const client = makeClient(srv.baseUrl, { concurrency: 4 });
    const a = client.retrieveGroup("a");
    await new Promise((r) => setTimeout(r, 100)); // the 429 has arrived by now
    const b = client.retrieveGroup("b");
    await Promise.all([a, b]);
    const t429 = srv.seen[0]?.at ?? 0;
    const tb = srv.seen.find((s) => s.url.endsWith("/b"))?.at ?? 0;
    expect(tb - t429).toBeGreaterThanOrEqual(950);
  });

  it("client-side rate limit spaces requests and halves its rate after a 429 (AIMD)", async () => {
    let n = 0;
    const srv = await serve((req, res) => {
      n += 1;
      if (n === 6) return json(res, 429, apiError("rate limited")); // no Retry-After: backoff
      json(res, 200, group(req.url.split("/").pop() ?? ""));
    });
    const client = makeClient(srv.baseUrl, {
      rateLimitRps: 20,
      concurrency: 8,
      initialBackoffMs: 1,
    });
    await Promise.all(Array.from({ length: 5 }, (_, i) => client.retrieveGroup(`a${i}`)));
    const span1 = (srv.seen[4]?.at ?? 0) - (srv.seen[0]?.at ?? 0);
    expect(span1).toBeGreaterThanOrEqual(4 * 50 - 10); // 20 rps => 50 ms apart
    await client.retrieveGroup("trigger"); // 429 then retried
    expect(client.stats().rateDecreases).toBe(1);
    const before = srv.seen.length;
    await Promise.all(Array.from({ length: 5 }, (_, i) => client.retrieveGroup(`b${i}`)));
    const later = srv.seen.slice(before);
    const span2 = (later[4]?.at ?? 0) - (later[0]?.at ?? 0);
    expect(span2).toBeGreaterThanOrEqual(4 * 90); // ~10 rps now (recovering slowly)
  });

  it("an abort signal stops a listing promptly with the signal's reason", async () => {
    const srv = await serve(async (req, res) => {
      await new Promise((r) => setTimeout(r, 2_000));
      json(res, 200, { object: "list", data: [group("g")], has_more: false, next: null });
      void req;
    });
    const client = makeClient(srv.baseUrl);
    const ac = new AbortController();
    const reason = new Error("stop now");
    setTimeout(() => ac.abort(reason), 100);
    const t0 = Date.now();
    const err = await catchErr(collect(client.listGroups({ signal: ac.signal })));
    expect(err).toBe(reason);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it("close() ends a request waiting to retry with a NetworkError", async () => {
    const srv = await serve((_req, res) =>
      json(res, 503, apiError("down"), { "retry-after": "5" }),
    );
    const client = makeClient(srv.baseUrl);
    const p = catchErr(client.retrieveGroup("g"));
    await new Promise((r) => setTimeout(r, 100));
    await client.close();
    const err = await p;
    expect(err).toBeInstanceOf(NetworkError);
    await expect(client.retrieveGroup("g")).rejects.toBeInstanceOf(NetworkError);
  });
});

describe("pagination contract", { timeout: 10_000 }, () => {
  type PageSpec = Record<string, unknown>;
  async function listWith(pages: Record<string, PageSpec>, legacy = false) {
    const srv = await serve((req, res) => {
      const after = new URL(`http://h${req.url}`).searchParams.get("after") ?? "";
      const page = pages[after];
      if (!page) return json(res, 404, apiError(`no page for ${after}`));
      json(res, 200, { object: "list", ...page });
    });
    const client = makeClient(srv.baseUrl);
    const list = legacy ? client.listUsers() : client.listGroups();
    const items: string[] = [];
    let error: unknown = null;
    try {
      for await (const x of list) items.push(x.id);
    } catch (err) {
      error = err;
    }
    return { items, error, summary: list.summary(), requests: srv.seen.length };
  }
  const gs = (...ids: string[]) => ids.map(group);
  const us = (...ids: string[]) =>
    ids.map((id) => ({
      object: "organization.user",
      id,
      name: id,
      email: null,
      role: "reader",
      added_at: 1,
    }));

  it("follows next and last_id to has_more=false", async () => {
    const a = await listWith({
      "": { data: gs("g1", "g2"), has_more: true, next: "opaque-1" },
      "opaque-1": { data: gs("g3"), has_more: false, next: null },
    });
    expect(a).toMatchObject({
      items: ["g1", "g2", "g3"],
      error: null,
      summary: { completed: true, pages: 2, items: 3, endReason: "has_more_false" },
    });
    const b = await listWith(
      {
        "": { data: us("u1", "u2"), first_id: "u1", last_id: "u2", has_more: true },
        u2: { data: us("u3"), first_id: "u3", last_id: "u3", has_more: false },
      },
      true,
    );
    expect(b).toMatchObject({
      items: ["u1", "u2", "u3"],
      error: null,
      summary: { completed: true, pages: 2 },
    });
  });

  it.each([
    [
      "a cursor equal to the after just sent",
      {
        "": { data: gs("g1"), has_more: true, next: "c1" },
        c1: { data: gs("g2"), has_more: true, next: "c1" },
      },
      /did not advance/,
    ],
    [
      "a cursor seen before",
      {
        "": { data: gs("g1"), has_more: true, next: "c1" },
        c1: { data: gs("g2"), has_more: true, next: "c2" },
        c2: { data: gs("g3"), has_more: true, next: "c1" },
      },
      /repeats an earlier cursor/,
    ],
    [
      "has_more with next null",
      { "": { data: gs("g1"), has_more: true, next: null } },
      /next is null or missing/,
    ],
    [
      "has_more with next missing",
      { "": { data: gs("g1"), has_more: true } },
      /next is null or missing/,
    ],
    ["has_more with an empty page", { "": { data: [], has_more: true, next: "c1" } }, /empty page/],
    [
      "an item listed twice",
      {
        "": { data: gs("g1", "g2"), has_more: true, next: "c1" },
        c1: { data: gs("g2", "g3"), has_more: false, next: null },
      },
      /listed twice/,
    ],
  ])(
    "%s is a ProtocolError, never a loop, duplicate or silent truncation",
    async (_name, pages, pattern) => {
      const r = await listWith(pages);
      expect(r.error).toBeInstanceOf(ProtocolError);
      expect((r.error as ProtocolError).message).toMatch(pattern);
      expect(new Set(r.items).size).toBe(r.items.length);
      expect(r.summary.completed).toBe(false);
      expect(r.summary.endReason).toBe("failed");
      expect(r.requests).toBeLessThanOrEqual(3);
    },
  );

  it("a missing has_more follows a non-null next, and ends without next, completed=false", async () => {
    const r = await listWith({
      "": { data: gs("g1"), next: "c1" },
      c1: { data: gs("g2"), next: null },
    });
    expect(r.items).toEqual(["g1", "g2"]);
    expect(r.error).toBeNull();
    expect(r.summary).toMatchObject({ completed: false, endReason: "has_more_missing", pages: 2 });
  });

  it("legacy last_id missing with has_more is a ProtocolError", async () => {
    const r = await listWith(
      { "": { data: us("u1"), first_id: "u1", last_id: null, has_more: true } },
      true,
    );
    expect(r.error).toBeInstanceOf(ProtocolError);
    expect((r.error as ProtocolError).message).toMatch(/last_id is null/);
  });

  it("pages() exposes page boundaries and summary() the resume cursor", async () => {
    const srv = await serve((req, res) => {
      const after = new URL(`http://h${req.url}`).searchParams.get("after");
      if (after === null)
        return json(res, 200, { object: "list", data: [group("g1")], has_more: true, next: "n1" });
      json(res, 200, { object: "list", data: [group("g2")], has_more: false, next: null });
    });
    const client = makeClient(srv.baseUrl);
    const list = client.listGroups();
    const seen: { index: number; hasMore: boolean; cursor: string | null; n: number }[] = [];
    for await (const p of list.pages()) {
      seen.push({ index: p.index, hasMore: p.hasMore, cursor: p.cursor, n: p.items.length });
      if (p.index === 0)
        expect(list.summary()).toMatchObject({
          lastCursor: "n1",
          completed: false,
          endReason: "in_progress",
        });
    }
    expect(seen).toEqual([
      { index: 0, hasMore: true, cursor: "n1", n: 1 },
      { index: 1, hasMore: false, cursor: null, n: 1 },
    ]);
    expect(list.summary()).toEqual({
      endpoint: "/organization/groups",
      pages: 2,
      items: 2,
      completed: true,
      lastCursor: null,
      endReason: "has_more_false",
    });
    // resume from a cursor
    const resumed = client.listGroups({ after: "n1" });
    expect((await collect(resumed)).map((g) => g.id)).toEqual(["g2"]);
    // stopping early is recorded
    const early = client.listGroups();
    for await (const _ of early) break;
    expect(early.summary()).toMatchObject({ completed: false, endReason: "stopped", pages: 1 });
  });
});
