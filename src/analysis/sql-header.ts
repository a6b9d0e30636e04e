/**
 * The header of a diff query (`sql/diff/*.sql`) or an anomaly rule (`sql/rules/*.sql`, or a
 * `--rules` folder): one format for both, a leading block of `--` comment lines holding YAML,
 * then the SQL.
 *
 *   -- kind: member_added                 (a rule: -- id: owner-via-group)
 *   -- description: >-
 *   --   a user became a member of a group
 *   SELECT ...
 *
 * The block ends at the first line that is not a comment (a blank line included); comments
 * after it belong to the SQL. Each file kind checks the parsed metadata with its own schema.
 */
import type { z } from "zod";
import { yaml } from "../util/yaml.js";

export interface SqlHeader {
  /** The YAML block, parsed (any YAML value: the caller's schema checks it). */
  meta: unknown;
  /** The SQL after the block, trimmed, without a trailing semicolon. */
  sql: string;
}

const oneLine = (message: string): string => message.replace(/\s+/g, " ").trim();

/**
 * Splits `text` into its YAML header and its SQL. Throws with a one-line message when there is
 * no header (`firstKey` names the key it should start with) or it is not valid YAML.
 */
export function parseSqlHeader(text: string, firstKey: string): SqlHeader {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header: string[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^\s*--/.test(line)) header.push(line.replace(/^\s*--\s?/, ""));
    else if (line.trim() === "" && header.length === 0) continue;
    else break;
  }
  if (header.length === 0) {
    throw new Error(
      `no metadata: start the file with \`-- ${firstKey}: ...\` comment lines (YAML)`,
    );
  }
  let meta: unknown;
  try {
    meta = yaml().parse(header.join("\n"));
  } catch (error) {
    throw new Error(`metadata is not valid YAML: ${oneLine(String((error as Error).message))}`);
  }
  const sql = lines.slice(i).join("\n").trim().replace(/;\s*$/, "").trimEnd();
  return { meta, sql };
}

/** Checks parsed metadata against `schema`; throws `invalid metadata: path: problem; ...`. */
export function checkSqlMeta<T extends z.ZodTypeAny>(schema: T, meta: unknown): z.infer<T> {
  const parsed = schema.safeParse(meta);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.length > 0 ? issue.path.join(".") : "metadata"}: ${issue.message}`,
    );
    throw new Error(`invalid metadata: ${oneLine(problems.join("; "))}`);
  }
  return parsed.data;
}
