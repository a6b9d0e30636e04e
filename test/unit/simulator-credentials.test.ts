/**
 * The simulator's credentials without HTTP: the generator is deterministic, scales with its
 * options, never moves the organization or its projects, keeps its counts whatever "now" is;
 * state mutations throw the documented errors; redaction keeps no secret; the random credential
 * changes stay off for existing callers of applyRandomMutation.
 */
import { describe, expect, it } from "vitest";
import {
  applyRandomMutation,
  generateOrganization,
  Prng,
  redactKey,
  StateError,
} from "../../src/simulator/index.js";

const DAY = 86_400;

function expectStateError(fn: () => unknown, kind: "not_found" | "invalid") {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StateError);
  expect((caught as StateError).kind).toBe(kind);
}

describe("generated credentials", () => {
  const options = { seed: 42, groups: 50, users: 500 };

  it("are deterministic and leave the organization and its projects byte-identical", () => {
    const a = generateOrganization(options);
    const b = generateOrganization(options);
    expect(a.fingerprint()).toBe(b.fingerprint());
    expect(a.listAdminApiKeys()).toEqual(b.listAdminApiKeys());
    expect(a.listInvites()).toEqual(b.listInvites());
    const none = generateOrganization({
      ...options,
      serviceAccountsAverage: 0,
      apiKeysAverage: 0,
      adminKeys: 0,
      invites: 0,
    });
    expect(none.credentialCounts()).toEqual({
      serviceAccounts: 0,
      apiKeys: 0,
      adminKeys: 0,
      invites: 0,
    });
    expect(none.listUsers()).toEqual(a.listUsers());
    expect(none.listGroups()).toEqual(a.listGroups());
    expect(none.listProjects({ includeArchived: true })).toEqual(
      a.listProjects({ includeArchived: true }),
    );
    for (const p of a.activeProjectIds()) {
      expect(none.listProjectUsers(p)).toEqual(a.listProjectUsers(p));
    }
    expect(none.counts()).toEqual(a.counts());
  });

  it("keep their counts whatever now is; now only shifts timestamps", () => {
    const early = generateOrganization(options);
    const now = early.credentialsNow + 700 * DAY;
    const late = generateOrganization({ ...options, credentialsNow: now });
    expect(late.credentialsNow).toBe(now);
    expect(late.credentialCounts()).toEqual(early.credentialCounts());
    expect(late.credentialCounts()).toEqual({
      serviceAccounts: 12,
      apiKeys: 37,
      adminKeys: 5,
      invites: 13,
    });
    const statuses = (s: typeof early) =>
      s
        .listInvites()
        .map((i) => i.status)
        .sort();
    expect(statuses(late)).toEqual(statuses(early)); // the order may change: ids follow time
    const used = late
      .credentialProjectIds()
      .flatMap((p) => late.listProjectApiKeys(p))
      .filter((k) => k.last_used_at !== null && k.last_used_at >= now - DAY);
    expect(used.length).toBeGreaterThan(0);
  });

  it("scale with their options", () => {
    const big = generateOrganization({
      ...options,
      serviceAccountsAverage: 4,
      apiKeysAverage: 10,
      adminKeys: 9,
      invites: 20,
    });
    const counts = big.credentialCounts();
    const active = big.activeProjectIds().length;
    expect(counts.serviceAccounts).toBeGreaterThan(active * 4 * 0.6);
    expect(counts.apiKeys).toBeGreaterThan(active * 10 * 0.6);
    expect(counts).toMatchObject({ adminKeys: 9, invites: 20 });
    // No users: no Owner to own an admin key, no user keys; projects still get service accounts.
    const empty = generateOrganization({ seed: 3, groups: 0, users: 0 });
    expect(empty.credentialCounts().adminKeys).toBe(0);
    for (const p of empty.credentialProjectIds()) {
      expect(empty.listProjectApiKeys(p).every((k) => k.owner.type === "service_account")).toBe(
        true,
      );
    }
  });
});

describe("credential state", () => {
  it("throws the documented errors and registers the simulator's key once", () => {
    const s = generateOrganization({ seed: 5, groups: 10, users: 120 });
    const p = s.activeProjectIds()[1] as string;
    expectStateError(() => s.listServiceAccounts("proj_nope"), "not_found");
    expectStateError(() => s.deleteServiceAccount(p, "svc_acct_nope"), "not_found");
    expectStateError(() => s.deleteProjectApiKey(p, "key_nope"), "not_found");
    expectStateError(() => s.deleteAdminApiKey("key_nope"), "not_found");
    expectStateError(() => s.deleteInvite("invite-nope"), "not_found");
    const { serviceAccount, apiKey } = s.createServiceAccount(p, "bot");
    expectStateError(() => s.deleteProjectApiKey(p, apiKey?.id as string), "invalid");
    expect(s.setServiceAccountRole(p, serviceAccount.id, "owner")).toBe(true);
    expect(s.setServiceAccountRole(p, serviceAccount.id, "owner")).toBe(false);
    const outsider = s.userIds().find((u) => !s.isProjectMember(p, u)) as string;
    expectStateError(() => s.createUserApiKey(p, outsider, "x"), "invalid");
    const invite = s.createInvite("someone@example.org", "reader", []);
    s.acceptInvite(invite.id);
    expectStateError(() => s.deleteInvite(invite.id), "invalid");
    expectStateError(() => s.acceptInvite(invite.id), "invalid");
    expectStateError(() => s.expireInvite(invite.id), "invalid");

    const before = s.credentialCounts().adminKeys;
    const key = "sk-admin-sim-abcdefghijklmnopqrstuvwx";
    const own = s.registerSimulatorAdminKey(key);
    expect(s.registerSimulatorAdminKey(key)).toEqual(own);
    expect(s.credentialCounts().adminKeys).toBe(before + 1);
    expect(own.redacted_value).toBe("sk-admin...uvwx");
    expect(own.last_used_at).toBe(s.credentialsNow);
  });

  it("redacts to the kind prefix and the last four characters", () => {
    expect(redactKey("sk-proj-SIMULATED-abcdef1234")).toBe("sk-proj...1234");
    expect(redactKey("sk-svcacct-SIMULATED-xyz9876")).toBe("sk-svcacct...9876");
    expect(redactKey("short")).not.toContain("short");
  });

  it("random changes leave credentials alone unless asked", () => {
    const s = generateOrganization({ seed: 12, groups: 30, users: 300 });
    const before = s.listInvites();
    const rng = new Prng(12, "changes");
    const seen: string[] = [];
    for (let i = 0; i < 100; i++) seen.push(applyRandomMutation(s, rng) ?? "noop");
    expect(seen.some((m) => /Invite|AdminApiKey|ServiceAccount|ApiKey/.test(m))).toBe(false);
    expect(s.listInvites()).toEqual(before);
    const withCredentials: string[] = [];
    const rng2 = new Prng(12, "changes-2");
    for (let i = 0; i < 200; i++) {
      withCredentials.push(
        applyRandomMutation(s, rng2, undefined, undefined, { credentials: true }) ?? "noop",
      );
    }
    expect(withCredentials.some((m) => /Invite|AdminApiKey|ServiceAccount|ApiKey/.test(m))).toBe(
      true,
    );
  });
});
