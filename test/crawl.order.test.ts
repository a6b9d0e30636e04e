/**
 * The order of a crawl's requests: the organization-level listings (roles, groups, users,
 * projects, admin keys, invites) need nothing from each other, so none waits for another. Seen
 * through a forwarding proxy in front of the simulator that holds back the roles listing's
 * response until the other listings have been asked for (or 10 s have passed: a crawl that
 * waits for the roles is then seen to have asked for nothing else meanwhile).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../src/api/index.js";
import { crawl } from "../src/crawl/index.js";
import { startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";

const OTHER_LISTINGS = [
  "/organization/groups",
  "/organization/users",
  "/organization/projects",
  "/organization/admin_api_keys",
  "/organization/invites",
] as const;

const HOLD_LIMIT_MS = 10_000;

/** A proxy to `target` that holds the first roles listing's response (see the header). */
function holdingProxy(target: URL): {
  server: Server;
  askedWhileRolesHeld: Set<string>;
  heldMs: () => number;
} {
  const askedWhileRolesHeld = new Set<string>();
  let rolesHold: Promise<void> | undefined;
  let release: (() => void) | undefined;
  let holding = false;
  let held = 0;
  const server = createServer((req, res) => {
    const path = (req.url ?? "").replace(/^\/v1/, "").split("?")[0] ?? "";
    if (holding) {
      askedWhileRolesHeld.add(path);
      if (OTHER_LISTINGS.every((p) => askedWhileRolesHeld.has(p))) release?.();
    }
    let hold: Promise<void> = Promise.resolve();
    if (path === "/organization/roles" && rolesHold === undefined) {
      // Held from its arrival: whatever is asked for until its response is sent did not wait.
      const started = performance.now();
      holding = true;
      rolesHold = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, HOLD_LIMIT_MS);
        release = () => {
          clearTimeout(timer);
          resolve();
        };
      }).then(() => {
        held = performance.now() - started;
        holding = false;
      });
      hold = rolesHold;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      async (upstreamRes) => {
        await hold;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  return { server, askedWhileRolesHeld, heldMs: () => held };
}

describe("crawl request order", () => {
  const tmp = mkdtempSync(join(tmpdir(), "aa-crawl-order-"));

  let proxy: ReturnType<typeof holdingProxy>;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let proxyBase: string;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 21, groups: 3, users: 12, projects: 2 });
    proxy = holdingProxy(new URL(sim.baseUrl));
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    proxyBase = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    proxy.server.closeAllConnections();
    await new Promise((resolve) => proxy.server.close(resolve));
    await sim.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("asks for every organization-level listing without waiting for the roles", async () => {
    // Eight in flight: the held roles listing and the five others fit at once.
    const store = await Store.open(join(tmp, "order.duckdb"));
    const client = new AdminClient({ baseUrl: proxyBase, apiKey: sim.adminKey, concurrency: 8 });
    const result = await crawl({
      client,
      store,
      baseUrl: proxyBase,
      keyRedacted: "sk-admin...test",
      toolVersion: "test",
      concurrency: 8,
      auditLog: false,
    }).finally(async () => {
      await client.close();
      await store.close();
    });
    expect(
      [...proxy.askedWhileRolesHeld].filter((p) => OTHER_LISTINGS.includes(p as never)).sort(),
    ).toEqual([...OTHER_LISTINGS].sort());
    expect(proxy.heldMs()).toBeLessThan(HOLD_LIMIT_MS);
    // And the roles that came late are all there.
    expect(result.counts.roles).toBe(sim.state.listRoles().length);
    expect(result.counts.users).toBe(sim.state.listUsers().length);
    expect(result.counts.groups).toBe(sim.state.listGroups().length);
  });
});
