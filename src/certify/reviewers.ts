/**
 * Who reviews what: a YAML rules file (`default`, `by_group`, `by_role`, `fallback`), validated
 * with zod. First matching rule wins: the item's group, then its role, then `default`.
 * Self-review (the reviewer is the item's user, compared as normalised addresses) goes to
 * `fallback` when there is one.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { CertifyError } from "./errors.js";
import { DEFAULT_IDENTITY_RULES, type IdentityRules, sameIdentity } from "./identity.js";

const email = z
  .string()
  .trim()
  .min(3)
  .regex(/^[^\s@]+@[^\s@]+$/, "expected an email address");

const ReviewersSchema = z
  .object({
    default: email.optional(),
    by_group: z.record(z.string(), email).optional(),
    by_role: z.record(z.string(), email).optional(),
    fallback: email.optional(),
  })
  .strict();

export interface ReviewerRules {
  default?: string;
  byGroup: Map<string, string>;
  byRole: Map<string, string>;
  fallback?: string;
  /** SHA-256 of the file's bytes, or null for a single `--reviewer`. */
  sha256: string | null;
  /** `file:<path>` or `reviewer:<email>`: recorded with the campaign. */
  source: string;
}

const lower = (s: string): string => s.trim().toLowerCase();

function fromParsed(
  parsed: z.infer<typeof ReviewersSchema>,
  sha256: string | null,
  source: string,
): ReviewerRules {
  return {
    ...(parsed.default === undefined ? {} : { default: lower(parsed.default) }),
    byGroup: new Map(Object.entries(parsed.by_group ?? {}).map(([k, v]) => [k, lower(v)])),
    byRole: new Map(Object.entries(parsed.by_role ?? {}).map(([k, v]) => [k, lower(v)])),
    ...(parsed.fallback === undefined ? {} : { fallback: lower(parsed.fallback) }),
    sha256,
    source,
  };
}

/** Reads and validates a reviewers file; every problem is one line naming its key. */
export function loadReviewersFile(path: string): ReviewerRules {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = error && typeof error === "object" && "code" in error ? String(error.code) : "";
    throw new CertifyError("REVIEWERS_INVALID", `cannot read reviewers file ${path} (${code})`);
  }
  let data: unknown;
  try {
    data = parseYaml(bytes.toString("utf8"));
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new CertifyError("REVIEWERS_INVALID", `reviewers file ${path}: invalid YAML: ${message}`);
  }
  const result = ReviewersSchema.safeParse(data ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
      return `${key}: ${issue.message}`;
    });
    throw new CertifyError("REVIEWERS_INVALID", `reviewers file ${path}: ${problems.join("; ")}`);
  }
  const parsed = result.data;
  if (
    parsed.default === undefined &&
    Object.keys(parsed.by_group ?? {}).length === 0 &&
    Object.keys(parsed.by_role ?? {}).length === 0
  ) {
    throw new CertifyError(
      "REVIEWERS_INVALID",
      `reviewers file ${path}: default: needed when there is no by_group or by_role rule`,
    );
  }
  return fromParsed(parsed, createHash("sha256").update(bytes).digest("hex"), `file:${path}`);
}

/** One reviewer for everything (`--reviewer EMAIL`). */
export function singleReviewer(address: string): ReviewerRules {
  const result = email.safeParse(address);
  if (!result.success) {
    throw new CertifyError("REVIEWERS_INVALID", `--reviewer: expected an email address`);
  }
  return fromParsed({ default: result.data }, null, `reviewer:${lower(result.data)}`);
}

export interface Assignable {
  group_id: string | null;
  group_name: string | null;
  /** The role of a group-role or user-role item; for a membership, the roles its group grants. */
  roles: { role_id: string; role_name: string | null }[];
  user_email: string | null;
}

export interface Assignment {
  reviewer: string;
  rule: string;
  self_review: boolean;
}

/**
 * The reviewer of one item, or null when no rule matches. Self-review (the reviewer is the
 * item's user) compares normalised addresses (`identity`, see identity.ts): `CISO+ops@x` and
 * `ciso@x` are the same person. A self-review goes to `fallback` unless the fallback is that
 * person too; whether a remaining self-review is allowed is decided by the caller.
 */
export function assignReviewer(
  rules: ReviewerRules,
  item: Assignable,
  identity: IdentityRules = DEFAULT_IDENTITY_RULES,
): Assignment | null {
  let found: { reviewer: string; rule: string } | null = null;
  if (item.group_id !== null) {
    const byId = rules.byGroup.get(item.group_id);
    const byName = item.group_name === null ? undefined : rules.byGroup.get(item.group_name);
    const reviewer = byId ?? byName;
    if (reviewer !== undefined) {
      found = {
        reviewer,
        rule: `by_group:${byId === undefined ? item.group_name : item.group_id}`,
      };
    }
  }
  if (found === null) {
    for (const role of item.roles) {
      const byId = rules.byRole.get(role.role_id);
      const byName = role.role_name === null ? undefined : rules.byRole.get(role.role_name);
      const reviewer = byId ?? byName;
      if (reviewer !== undefined) {
        found = { reviewer, rule: `by_role:${byId === undefined ? role.role_name : role.role_id}` };
        break;
      }
    }
  }
  if (found === null && rules.default !== undefined) {
    found = { reviewer: rules.default, rule: "default" };
  }
  if (found === null) return null;
  const self = sameIdentity(item.user_email, found.reviewer, identity);
  if (
    self &&
    rules.fallback !== undefined &&
    !sameIdentity(item.user_email, rules.fallback, identity)
  ) {
    return {
      reviewer: rules.fallback,
      rule: `fallback (self-review under ${found.rule})`,
      self_review: false,
    };
  }
  return { ...found, self_review: self };
}
