/**
 * The HTTP face of the simulator: a node:http server speaking the OpenAI Admin
 * API wire format (../shared/docs/openai-admin-api.md §2-8, checklist §11, and
 * ../shared/docs/openai-admin-api-projects.md §1-12) over an OrgState, with seeded
 * fault injection and switchable quirks. Writes are recorded in the organization
 * audit log as the simulator's own admin key (audit-log.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  applyRandomMutation,
  type BodyFault,
  FAULT_KINDS,
  type FaultConfig,
  FaultInjector,
  type FaultKind,
  type ListFault,
  type RequestFaults,
} from "./faults.js";
import { hashString } from "./prng.js";
import { type QuirkConfig, resolveQuirks } from "./quirks.js";
import { registerAuditLogRoutes } from "./routes/audit-logs.js";
import { registerCredentialRoutes } from "./routes/credentials.js";
import { registerGroupRoutes } from "./routes/groups.js";
import {
  errorBody,
  errorReply,
  type JsonObject,
  type ListExtras,
  type ListSpec,
  type Reply,
  type Route,
  type RouteKit,
} from "./routes/kit.js";
import { registerProjectGroupRoutes } from "./routes/project-groups.js";
import { registerProjectRoleRoutes } from "./routes/project-roles.js";
import { registerProjectRoutes } from "./routes/projects.js";
import { registerRoleRoutes } from "./routes/roles.js";
import { registerUserRoutes } from "./routes/users.js";
import {
  type AssignedRoleWire,
  type GroupWire,
  type OrgState,
  type Page,
  type PageRequest,
  StateError,
} from "./state.js";

/** A response the simulator has finished writing (see `SimulatorServer.observeResponses`). */
export interface ServedResponse {
  method: string;
  /** The request's path as sent, e.g. "/v1/organization/projects/proj_1/users". */
  path: string;
  /** Its route, as in `SimulatorStats.byRoute`. */
  route: string;
  status: number;
}

export interface SimulatorStats {
  /** Requests received (including dropped and faulted ones). */
  requests: number;
  /** Requests per route template, e.g. "GET /organization/groups/{group_id}/users". */
  byRoute: Record<string, number>;
  /** Responses per HTTP status. */
  byStatus: Record<string, number>;
  /** Injected faults by kind (every kind present, zero when none). */
  faults: Record<FaultKind, number>;
  faultsTotal: number;
  /** Response body bytes written. */
  bytesSent: number;
  /** Descriptions of mutations applied by `mutateBetweenPagesRate`, in order (capped at 10,000). */
  mutations: string[];
}

export interface SimulatorServerOptions {
  state: OrgState;
  adminKey: string;
  seed: number;
  host: string;
  port: number;
  latencyMs: number;
  rateLimitRps: number | undefined;
  faults: FaultConfig | undefined;
  quirks: Partial<QuirkConfig> | undefined;
}

const MAX_BODY_BYTES = 1 << 20;
const CURSOR_PREFIX = "sim-cursor:";
const MAX_MUTATION_LOG = 10_000;
const DEFAULT_NESTING_DEPTH = 100_000;
const DEFAULT_HUGE_BODY_BYTES = 200 * 1024 * 1024;
/** In the ids of `endlessPages` items (and so in the cursors that follow them). */
const ENDLESS_MARK = "-endless-";
/** Fabricated items of an `oversizedPage` fault: this many times the limit, plus one. */
const OVERSIZED_PAGE_FACTOR = 5;
/** What a captive portal or an error page of a proxy in the way answers. */
const HTML_BODY =
  '<!DOCTYPE html>\n<html><head><title>Sign in to continue</title></head><body><h1>Network login required</h1><script>location.href="/login"</script></body></html>\n';

const INVALID_JSON_MESSAGE =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)";

const MISSING_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.";

function emptyFaultCounts(): Record<FaultKind, number> {
  const counts = {} as Record<FaultKind, number>;
  for (const kind of FAULT_KINDS) counts[kind] = 0;
  return counts;
}

/** Masks a key the way OpenAI does when not echoing it: a prefix, stars, the last four. */
function maskKey(key: string): string {
  if (key.length <= 12) return "*".repeat(key.length);
  return `${key.slice(0, 8)}${"*".repeat(key.length - 12)}${key.slice(-4)}`;
}

/** Refills continuously at `rps` tokens per second, bursts up to `rps`. */
class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly rps: number) {
    this.tokens = Math.max(1, rps);
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(
      Math.max(1, this.rps),
      this.tokens + ((now - this.last) / 1000) * this.rps,
    );
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class SimulatorServer {
  readonly state: OrgState;
  readonly adminKey: string;
  private readonly seed: number;
  private quirks: QuirkConfig;
  private injector: FaultInjector | undefined;
  private readonly bucket: TokenBucket | undefined;
  private readonly latencyMs: number;
  private readonly routes: Route[];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Set<() => void>();
  private stats: SimulatorStats = SimulatorServer.emptyStats();
  private readonly responseObservers = new Set<(served: ServedResponse) => void>();
  private requestCounter = 0;
  /** Pages fabricated by `endlessPages`; numbers their items' ids, so none repeats. */
  private endlessCounter = 0;
  private stopped = false;
  private readonly host: string;
  private readonly port: number;

  constructor(options: SimulatorServerOptions) {
    this.state = options.state;
    this.adminKey = options.adminKey;
    this.seed = options.seed;
    this.quirks = resolveQuirks(options.quirks);
    this.latencyMs = options.latencyMs;
    this.bucket =
      options.rateLimitRps !== undefined && options.rateLimitRps > 0
        ? new TokenBucket(options.rateLimitRps)
        : undefined;
    this.setFaults(options.faults);
    this.host = options.host;
    this.port = options.port;
    this.routes = this.buildRoutes();
    this.server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(
            JSON.stringify(errorBody("The server had an error.", "server_error", null, null)),
          );
        }
      });
    });
    this.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  static emptyStats(): SimulatorStats {
    return {
      requests: 0,
      byRoute: {},
      byStatus: {},
      faults: emptyFaultCounts(),
      faultsTotal: 0,
      bytesSent: 0,
      mutations: [],
    };
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/v1`;
  }

  setFaults(faults: FaultConfig | undefined): void {
    this.injector = faults === undefined ? undefined : new FaultInjector(faults, this.seed);
  }

  setQuirks(quirks: Partial<QuirkConfig>): void {
    this.quirks = resolveQuirks(quirks, this.quirks);
  }

  getStats(): SimulatorStats {
    return structuredClone(this.stats);
  }

  resetStats(): void {
    this.stats = SimulatorServer.emptyStats();
  }

  /**
   * Calls `observer` after each response is written, so a test can change the organization at
   * an exact point of a crawl (after this listing, before that one). Returns its removal.
   */
  observeResponses(observer: (served: ServedResponse) => void): () => void {
    this.responseObservers.add(observer);
    return () => this.responseObservers.delete(observer);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  // ------------------------------------------------------------ request pipeline

  private countFault(kind: FaultKind): void {
    this.stats.faults[kind]++;
    this.stats.faultsTotal++;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });
  }

  private requestId(n: number): string {
    let out = "";
    for (let i = 0; i < 4; i++) {
      out += hashString(`${this.seed}:${n}:${i}`).toString(16).padStart(8, "0");
    }
    return `req_${out}`;
  }

  private send(
    res: ServerResponse,
    status: number,
    text: string | Buffer,
    requestNumber: number,
    started: number,
    headers: Record<string, string> = {},
  ): void {
    if (res.destroyed || res.writableEnded || this.stopped) return;
    const buffer = typeof text === "string" ? Buffer.from(text, "utf8") : text;
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": String(buffer.length),
      "x-request-id": this.requestId(requestNumber),
      "openai-processing-ms": String(Math.max(1, Math.round(performance.now() - started))),
      "openai-version": "2020-10-01",
      ...(this.quirks.organizationHeader === null
        ? {}
        : { "openai-organization": this.quirks.organizationHeader }),
      ...headers,
    });
    res.end(buffer);
    this.stats.bytesSent += buffer.length;
    this.stats.byStatus[String(status)] = (this.stats.byStatus[String(status)] ?? 0) + 1;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestNumber = ++this.requestCounter;
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://simulator.invalid");
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/$/, "") : url.pathname;
    const match = this.match(method, pathname);
    const routeKey =
      match === undefined ? `${method} (unmatched)` : `${method} ${match.route.template}`;
    this.stats.requests++;
    this.stats.byRoute[routeKey] = (this.stats.byRoute[routeKey] ?? 0) + 1;
    if (this.responseObservers.size > 0) {
      res.once("finish", () => {
        const served = { method, path: pathname, route: routeKey, status: res.statusCode };
        for (const observer of this.responseObservers) observer(served);
      });
    }

    const bodyText = await this.readBody(req);
    const faults: RequestFaults | undefined = this.injector?.roll(pathname);

    if (this.bucket !== undefined && !this.bucket.take()) {
      this.countFault("rateLimited");
      const reply = this.rateLimitReply();
      this.send(res, 429, JSON.stringify(reply.body), requestNumber, started, {
        "retry-after": "1",
      });
      return;
    }

    let latency = this.latencyMs;
    if (faults !== undefined && faults.latencyMs > 0) {
      latency += faults.latencyMs;
      this.countFault("latency");
    }
    if (latency > 0) await this.sleep(latency);
    if (this.stopped) return;

    if (faults?.pre !== undefined && this.injector?.take()) {
      const pre = faults.pre;
      if (pre.kind === "drop") {
        this.countFault("drop");
        req.socket.destroy();
        return;
      }
      if (pre.kind === "status5xx") {
        this.countFault("status5xx");
        const headers: Record<string, string> = {};
        if (pre.shouldRetryFalse) {
          this.countFault("shouldRetryFalse");
          headers["x-should-retry"] = "false";
        }
        const message =
          pre.status === 500
            ? "The server had an error while processing your request. Sorry about that!"
            : pre.status === 502
              ? "Bad gateway."
              : "The server is overloaded or not ready yet.";
        const body = errorBody(message, "server_error", null, null);
        this.send(res, pre.status, JSON.stringify(body), requestNumber, started, headers);
        return;
      }
      this.countFault("rate429");
      const headers: Record<string, string> = {};
      if (pre.retryAfterSeconds !== null) headers["retry-after"] = String(pre.retryAfterSeconds);
      if (pre.retryAfterMs !== undefined) headers["retry-after-ms"] = String(pre.retryAfterMs);
      this.send(
        res,
        429,
        JSON.stringify(this.rateLimitReply().body),
        requestNumber,
        started,
        headers,
      );
      return;
    }

    // A cursor of a fabricated endless page: serve the listing's start, to fabricate from.
    const after = url.searchParams.get("after");
    if (after !== null && this.decodeCursor(after).includes(ENDLESS_MARK)) {
      url.searchParams.delete("after");
    }
    const reply = this.dispatch(req, method, pathname, url.searchParams, bodyText, match);
    if (
      reply.status === 200 &&
      reply.list !== undefined &&
      faults?.endlessPages &&
      Array.isArray(reply.body.data) &&
      reply.body.data.length > 0 &&
      this.injector?.take()
    ) {
      this.countFault("endlessPages");
      this.endlessPage(reply.body, reply.list);
    } else if (reply.status === 200 && reply.list !== undefined && faults !== undefined) {
      this.applyListFault(reply, faults.list);
    }
    if (
      reply.status === 200 &&
      reply.list !== undefined &&
      faults?.oversizedPage &&
      this.injector?.take()
    ) {
      this.countFault("oversizedPage");
      this.padPage(reply.body, reply.list);
    }
    let text = JSON.stringify(reply.body);
    const bodyFault =
      reply.status === 200 && faults !== undefined && faults.body.length > 0
        ? this.takeBodyFault(faults.body)
        : undefined;
    if (bodyFault === "hugeBody") {
      await this.streamHugeBody(res, requestNumber, started);
    } else if (bodyFault === "nonJson") {
      this.send(res, 200, HTML_BODY, requestNumber, started, {
        ...reply.headers,
        "content-type": "text/html; charset=utf-8",
      });
    } else if (bodyFault === "deeplyNested") {
      const depth = this.injector?.config.nestingDepth ?? DEFAULT_NESTING_DEPTH;
      // Valid JSON: the real body with one more key in front, `depth` arrays deep.
      const nested = `{"nested":${"[".repeat(depth)}${"]".repeat(depth)}${text.length > 2 ? "," : ""}${text.slice(1)}`;
      this.send(res, 200, nested, requestNumber, started, reply.headers);
    } else if (bodyFault === "invalidUtf8") {
      this.send(res, 200, withInvalidUtf8(text), requestNumber, started, reply.headers);
    } else {
      if (reply.status === 200 && faults?.malformed && this.injector?.take()) {
        this.countFault("malformed");
        // A proper prefix of a JSON object is never valid JSON.
        text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      }
      this.send(res, reply.status, text, requestNumber, started, reply.headers);
    }

    if (
      reply.status === 200 &&
      reply.list !== undefined &&
      faults?.mutate &&
      this.injector?.take()
    ) {
      const description = applyRandomMutation(
        this.state,
        (this.injector as FaultInjector).mutationRng,
        reply.list.focusGroupId,
        reply.list.focusProjectId,
        { credentials: reply.list.credentials === true },
      );
      this.countFault("mutateBetweenPages");
      if (this.stats.mutations.length < MAX_MUTATION_LOG) {
        this.stats.mutations.push(description ?? "noop");
      }
    }
  }

  /** The first fired body fault the budget allows, counted; undefined when none. */
  private takeBodyFault(fired: readonly BodyFault[]): BodyFault | undefined {
    const kind = fired[0];
    if (kind === undefined || !this.injector?.take()) return undefined;
    this.countFault(kind);
    return kind;
  }

  /**
   * A list page padded with fabricated items (clones of its items under fresh ids) to
   * `OVERSIZED_PAGE_FACTOR` times the limit plus one; an empty page gets nothing to clone.
   */
  private padPage(body: JsonObject, list: NonNullable<Reply["list"]>): void {
    const data = Array.isArray(body.data) ? (body.data as JsonObject[]) : [];
    if (data.length === 0) return;
    const idKey = list.idKey ?? "id";
    const target = Math.max(list.limit, 1) * OVERSIZED_PAGE_FACTOR + 1;
    const padded = [...data];
    for (let n = 0; padded.length < target; n++) {
      const source = data[n % data.length] as JsonObject;
      padded.push({ ...source, [idKey]: `${String(source[idKey])}-pad${n}` });
    }
    body.data = padded;
  }

  /**
   * A page of `limit` items cloned from `body.data` under ids never served before, that says
   * there is more, with a cursor (`next`, or the legacy `last_id`) to its last item.
   */
  private endlessPage(body: JsonObject, list: NonNullable<Reply["list"]>): void {
    const data = body.data as JsonObject[];
    const idKey = list.idKey ?? "id";
    const page = ++this.endlessCounter;
    const items: JsonObject[] = [];
    for (let i = 0; i < Math.max(list.limit, 1); i++) {
      const source = data[i % data.length] as JsonObject;
      items.push({ ...source, [idKey]: `${String(source[idKey])}${ENDLESS_MARK}${page}-${i}` });
    }
    const lastId = String((items[items.length - 1] as JsonObject)[idKey]);
    body.data = items;
    body.has_more = true;
    if (list.envelope === "legacy") {
      body.first_id = String((items[0] as JsonObject)[idKey]);
      body.last_id = lastId;
    } else {
      body.next = this.encodeCursor(lastId);
    }
  }

  /**
   * A 200 streamed in chunks (no content-length) to `hugeBodyBytes`: a page whose `data` is
   * followed by that much JSON whitespace, so the body stays valid JSON however large it is.
   * Honours back-pressure and stops as soon as the client goes away.
   */
  private async streamHugeBody(
    res: ServerResponse,
    requestNumber: number,
    started: number,
  ): Promise<void> {
    if (res.destroyed || res.writableEnded || this.stopped) return;
    const total = this.injector?.config.hugeBodyBytes ?? DEFAULT_HUGE_BODY_BYTES;
    res.writeHead(200, {
      "content-type": "application/json",
      "x-request-id": this.requestId(requestNumber),
      "openai-processing-ms": String(Math.max(1, Math.round(performance.now() - started))),
      "openai-version": "2020-10-01",
    });
    this.stats.byStatus["200"] = (this.stats.byStatus["200"] ?? 0) + 1;
    const head = Buffer.from('{"object":"list","data":[');
    const tail = Buffer.from('],"has_more":false,"next":null}');
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    const write = async (buffer: Buffer): Promise<boolean> => {
      if (res.destroyed || this.stopped) return false;
      sent += buffer.length;
      this.stats.bytesSent += buffer.length;
      if (!res.write(buffer)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off("drain", done);
            res.off("close", done);
            resolve();
          };
          res.on("drain", done);
          res.on("close", done);
        });
      }
      return !res.destroyed;
    };
    if (!(await write(head))) return;
    while (sent + tail.length < total) {
      const n = Math.min(chunk.length, total - tail.length - sent);
      if (!(await write(n === chunk.length ? chunk : chunk.subarray(0, n)))) return;
    }
    if (await write(tail)) res.end();
  }

  private rateLimitReply(): Reply {
    return errorReply(
      429,
      "Rate limit reached for requests to the Admin API. Please try again in 1s.",
      null,
      "rate_limit_exceeded",
      "requests",
    );
  }

  /** Rewrites a list page's envelope for the first applicable list fault. */
  private applyListFault(reply: Reply, fired: readonly ListFault[]): void {
    const list = reply.list;
    if (list === undefined || fired.length === 0) return;
    const body = reply.body;
    const data = Array.isArray(body.data) ? (body.data as JsonObject[]) : [];
    const legacy = list.envelope === "legacy";
    const cursorKey = legacy ? "last_id" : "next";
    for (const kind of fired) {
      const applicable =
        kind === "stuckCursor"
          ? list.after !== undefined && data.length > 0
          : kind === "shortPage"
            ? data.length >= 2
            : true;
      if (!applicable || !this.injector?.take()) continue;
      this.countFault(kind);
      switch (kind) {
        case "stuckCursor":
          body.has_more = true;
          body[cursorKey] = list.after ?? null;
          break;
        case "nextNullWithHasMore":
          body.has_more = true;
          body[cursorKey] = null;
          break;
        case "emptyPageWithHasMore":
          body.data = [];
          body.has_more = true;
          body[cursorKey] = list.after ?? null;
          if (legacy) body.first_id = null;
          break;
        case "missingHasMore":
          delete body.has_more;
          break;
        case "shortPage": {
          const kept = data.slice(0, Math.ceil(data.length / 2));
          const lastId = String((kept[kept.length - 1] as JsonObject)[list.idKey ?? "id"]);
          body.data = kept;
          body.has_more = true;
          body[cursorKey] = legacy ? lastId : this.encodeCursor(lastId);
          break;
        }
      }
      return;
    }
  }

  // ------------------------------------------------------------ dispatch

  private match(
    method: string,
    pathname: string,
  ): { route: Route; params: Record<string, string> } | undefined {
    if (!pathname.startsWith("/v1/")) return undefined;
    const parts = pathname.slice(4).split("/");
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const segment = route.segments[i] as string;
        const part = parts[i] as string;
        if (segment.startsWith("{")) {
          if (part === "") {
            ok = false;
            break;
          }
          try {
            params[segment.slice(1, -1)] = decodeURIComponent(part);
          } catch {
            ok = false;
            break;
          }
        } else if (segment !== part) {
          ok = false;
          break;
        }
      }
      if (ok) return { route, params };
    }
    return undefined;
  }

  private authReply(req: IncomingMessage): Reply | undefined {
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === "") {
      return errorReply(401, MISSING_KEY_MESSAGE);
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(header.trim());
    const presented = bearer?.[1]?.trim() ?? header.trim();
    if (bearer !== null && presented === this.adminKey) return undefined;
    const shown = this.quirks.echoKeyInAuthErrors ? presented : maskKey(presented);
    return errorReply(
      401,
      `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      null,
      "invalid_api_key",
    );
  }

  private dispatch(
    req: IncomingMessage,
    method: string,
    pathname: string,
    query: URLSearchParams,
    bodyText: string,
    match: { route: Route; params: Record<string, string> } | undefined,
  ): Reply {
    const invalidUrl = () => errorReply(404, `Invalid URL (${method} ${pathname})`);
    if (!pathname.startsWith("/v1/")) return invalidUrl();
    const auth = this.authReply(req);
    if (auth !== undefined) return auth;
    if (match === undefined) return invalidUrl();

    let body: JsonObject = {};
    if (match.route.readsBody && bodyText.trim() !== "") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(bodyText);
      } catch {
        return errorReply(400, INVALID_JSON_MESSAGE);
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return errorReply(
          400,
          "Invalid request body: expected a JSON object.",
          null,
          "invalid_type",
        );
      }
      body = parsed as JsonObject;
    }
    try {
      const run = () => match.route.handler({ params: match.params, query, body });
      // A write through the API is recorded in the audit log as the simulator's admin key.
      const actor = method === "GET" ? undefined : this.state.simulatorKeyActor();
      return actor === undefined ? run() : this.state.asActor(actor, run);
    } catch (error) {
      if (error instanceof StateError) {
        if (error.kind === "not_found") {
          // An unknown id referenced in the body is a bad request, not a missing resource.
          return error.param !== null
            ? errorReply(400, error.message, error.param)
            : errorReply(this.quirks.notFoundStatus, error.message);
        }
        return errorReply(400, error.message, error.param);
      }
      return errorReply(
        500,
        "The server had an error while processing your request. Sorry about that!",
        null,
        null,
        "server_error",
      );
    }
  }

  // ------------------------------------------------------------ helpers for handlers

  private notFound(message: string): Reply {
    return errorReply(this.quirks.notFoundStatus, message);
  }

  private encodeCursor(id: string): string {
    return this.quirks.opaqueCursors ? Buffer.from(CURSOR_PREFIX + id).toString("base64url") : id;
  }

  /** Accepts both opaque tokens and raw ids, whatever the current quirk. */
  private decodeCursor(raw: string): string {
    if (/^[A-Za-z0-9_-]+$/.test(raw)) {
      const decoded = Buffer.from(raw, "base64url").toString("utf8");
      if (decoded.startsWith(CURSOR_PREFIX)) return decoded.slice(CURSOR_PREFIX.length);
    }
    return raw;
  }

  private parseList(query: URLSearchParams, spec: ListSpec): PageRequest | Reply {
    let limit = spec.defaultLimit;
    const rawLimit = query.get("limit");
    if (rawLimit !== null && rawLimit !== "") {
      if (!/^-?\d+$/.test(rawLimit.trim())) {
        return errorReply(
          400,
          `Invalid type for 'limit': expected an integer, but got '${rawLimit}' instead.`,
          "limit",
          "invalid_type",
        );
      }
      const n = Number(rawLimit.trim());
      if (n === 0 && this.quirks.limitZero !== "error" && spec.minLimit <= 1) {
        limit = this.quirks.limitZero === "default" ? spec.defaultLimit : 0;
      } else if (n < Math.max(spec.minLimit, 1)) {
        return errorReply(
          400,
          `Invalid 'limit': integer below minimum value. Expected a value >= ${Math.max(spec.minLimit, 1)}, but got ${n} instead.`,
          "limit",
          "integer_below_min_value",
        );
      } else if (n > spec.maxLimit) {
        return errorReply(
          400,
          `Invalid 'limit': integer above maximum value. Expected a value <= ${spec.maxLimit}, but got ${n} instead.`,
          "limit",
          "integer_above_max_value",
        );
      } else {
        limit = n;
      }
    }
    let order = spec.defaultOrder;
    const rawOrder = query.get("order");
    if (spec.hasOrder && rawOrder !== null && rawOrder !== "") {
      if (rawOrder !== "asc" && rawOrder !== "desc") {
        return errorReply(
          400,
          `Invalid value: '${rawOrder}'. Supported values are: 'asc' and 'desc'.`,
          "order",
          "invalid_value",
        );
      }
      order = rawOrder;
    }
    const rawAfter = query.get("after");
    const after = rawAfter === null || rawAfter === "" ? undefined : this.decodeCursor(rawAfter);
    return { after, limit, order };
  }

  private nextCursorList<T>(
    page: Page<T>,
    request: PageRequest,
    rawAfter: string | null,
    idOf: (item: T) => string,
    shape: (item: T) => JsonObject,
    focusGroupId?: string,
    extras: ListExtras = {},
  ): Reply {
    const hasMore = request.limit > 0 && page.hasMore;
    const last = page.items[page.items.length - 1];
    return {
      status: 200,
      body: {
        object: "list",
        data: page.items.map(shape),
        has_more: hasMore,
        next: hasMore && last !== undefined ? this.encodeCursor(idOf(last)) : null,
      },
      list: {
        envelope: "next",
        after: rawAfter === null || rawAfter === "" ? undefined : rawAfter,
        focusGroupId,
        focusProjectId: extras.focusProjectId,
        idKey: extras.idKey,
        limit: request.limit,
      },
    };
  }

  /** The legacy envelope: `first_id`/`last_id` are the page's first and last ids, `after=last_id`. */
  private legacyList<T extends { id: string }>(
    page: Page<T>,
    request: PageRequest,
    rawAfter: string | null,
    shape: (item: T) => JsonObject,
    focusProjectId?: string,
  ): Reply {
    const first = page.items[0];
    const last = page.items[page.items.length - 1];
    return {
      status: 200,
      body: {
        object: "list",
        data: page.items.map(shape),
        first_id: first?.id ?? null,
        last_id: last?.id ?? null,
        has_more: request.limit > 0 && page.hasMore,
      },
      list: {
        envelope: "legacy",
        after: rawAfter === null || rawAfter === "" ? undefined : rawAfter,
        focusGroupId: undefined,
        focusProjectId,
        limit: request.limit,
      },
    };
  }

  private shapeGroup(g: GroupWire): JsonObject {
    const { group_type, ...rest } = g;
    const base: JsonObject = this.quirks.groupObjectKey
      ? { object: "group", ...rest }
      : { ...rest };
    if (!this.quirks.groupTypeOmitted) base.group_type = group_type;
    return base;
  }

  private shapeAssignedRole(r: AssignedRoleWire): JsonObject {
    if (!this.quirks.assignmentSourcesOmitted) return { ...r };
    const { assignment_sources: _omitted, ...rest } = r;
    return rest;
  }

  /** Validates a required string body field; returns the value or a 400. */
  private requiredString(
    body: JsonObject,
    key: string,
    limits: { min?: number; max?: number } = {},
  ): string | Reply {
    const value = body[key];
    if (value === undefined || value === null) {
      return errorReply(
        400,
        `Missing required parameter: '${key}'.`,
        key,
        "missing_required_parameter",
      );
    }
    if (typeof value !== "string") {
      return errorReply(
        400,
        `Invalid type for '${key}': expected a string, but got ${Array.isArray(value) ? "an array" : `a ${typeof value}`} instead.`,
        key,
        "invalid_type",
      );
    }
    const length = [...value].length;
    const min = limits.min ?? 0;
    if (length < min) {
      return errorReply(
        400,
        `Invalid '${key}': string too short. Expected a string with minimum length ${min}, but got an empty string instead.`,
        key,
        "string_below_min_length",
      );
    }
    if (limits.max !== undefined && length > limits.max) {
      return errorReply(
        400,
        `Invalid '${key}': string too long. Expected a string with maximum length ${limits.max}, but got a string with length ${length} instead.`,
        key,
        "string_above_max_length",
      );
    }
    return value;
  }

  private scimReadOnly(groupId: string): Reply | undefined {
    if (this.quirks.scimGroupsReadOnly && this.state.isScimManagedGroup(groupId)) {
      return errorReply(
        400,
        `Group '${groupId}' is managed by SCIM; make this change in your identity provider.`,
      );
    }
    return undefined;
  }

  private duplicate(message: string, param: string): Reply | undefined {
    switch (this.quirks.duplicateWrites) {
      case "idempotent":
        return undefined;
      case "conflict":
        return errorReply(409, message, param, "conflict");
      case "bad_request":
        return errorReply(400, message, param);
    }
  }

  private roleAssignmentSpec(): ListSpec {
    return {
      defaultLimit: this.quirks.roleAssignmentDefaultLimit,
      maxLimit: 1000,
      minLimit: 0,
      defaultOrder: this.quirks.roleAssignmentDefaultOrder,
      hasOrder: true,
    };
  }

  // ------------------------------------------------------------ routes

  private buildRoutes(): Route[] {
    const routes: Route[] = [];
    const kit: RouteKit = {
      state: this.state,
      quirks: () => this.quirks,
      add: (method, template, handler, readsBody = false) => {
        routes.push({
          method,
          template,
          segments: template.slice(1).split("/"),
          readsBody,
          handler,
        });
      },
      param: (ctx, name) => ctx.params[name] as string,
      notFound: (message) => this.notFound(message),
      groupOr404: (groupId) =>
        this.state.hasGroup(groupId)
          ? undefined
          : this.notFound(`Group with id '${groupId}' not found.`),
      projectOr404: (projectId) =>
        this.state.hasProject(projectId)
          ? undefined
          : this.notFound(`Project with id '${projectId}' not found.`),
      activeProjectOr4xx: (projectId) => {
        if (!this.state.hasProject(projectId)) {
          return this.notFound(`Project with id '${projectId}' not found.`);
        }
        return this.state.isProjectArchived(projectId)
          ? errorReply(400, `Project ${projectId} is archived.`)
          : undefined;
      },
      parseList: (query, spec) => this.parseList(query, spec),
      nextCursorList: (page, request, rawAfter, idOf, shape, focusGroupId, extras) =>
        this.nextCursorList(page, request, rawAfter, idOf, shape, focusGroupId, extras),
      legacyList: (page, request, rawAfter, shape, focusProjectId) =>
        this.legacyList(page, request, rawAfter, shape, focusProjectId),
      shapeGroup: (g) => this.shapeGroup(g),
      shapeAssignedRole: (r) => this.shapeAssignedRole(r),
      requiredString: (body, key, limits) => this.requiredString(body, key, limits),
      scimReadOnly: (groupId) => this.scimReadOnly(groupId),
      duplicate: (message, param) => this.duplicate(message, param),
      roleAssignmentSpec: () => this.roleAssignmentSpec(),
    };
    // The order is the matching order: one family after another, as the client groups them.
    registerGroupRoutes(kit);
    registerRoleRoutes(kit);
    registerUserRoutes(kit);
    registerProjectRoutes(kit);
    registerProjectGroupRoutes(kit);
    registerProjectRoleRoutes(kit);
    registerCredentialRoutes(kit);
    registerAuditLogRoutes(kit);
    return routes;
  }
}

/**
 * The JSON text as bytes with an invalid UTF-8 sequence (0xC3 0x28: a lead byte followed by
 * a non-continuation byte, then a lone 0xFF) at the start of the first `name` value, else of
 * the first string value. The JSON structure stays intact.
 */
function withInvalidUtf8(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  let at = bytes.indexOf('"name":"');
  if (at >= 0) at += '"name":"'.length;
  else {
    at = bytes.indexOf('":"');
    at = at >= 0 ? at + 3 : -1;
  }
  if (at < 0) return Buffer.concat([bytes, Buffer.from([0xff])]);
  return Buffer.concat([
    bytes.subarray(0, at),
    Buffer.from([0xc3, 0x28, 0xff]),
    bytes.subarray(at),
  ]);
}
