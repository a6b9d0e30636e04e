import { describe, expect, it } from "vitest";
import { formatTable } from "../../src/cli/commands/analysis-shared.js";
import { writeJsonWithList } from "../../src/cli/output.js";
import { terminalJson } from "../../src/render/index.js";

async function* batchesOf<T>(batches: readonly (readonly T[])[]): AsyncGenerator<readonly T[]> {
  for (const batch of batches) yield batch;
}

async function streamed(
  head: Record<string, unknown>,
  batches: readonly (readonly unknown[])[],
): Promise<{ text: string; pieces: number }> {
  const pieces: string[] = [];
  await writeJsonWithList(head, "access", batchesOf(batches), (piece) => {
    pieces.push(piece);
  });
  return { text: pieces.join(""), pieces: pieces.length };
}

describe("a JSON document written list batch by list batch", () => {
  const path = (n: number) => ({
    user_id: `user_${n}`,
    email: n % 3 === 0 ? null : `u${n}@corp.example`,
    permissions: n % 2 === 0 ? [] : ["api.read", "api.write\u202e"],
    via_group_is_scim_managed: n % 4 === 0,
    nested: { name: "Ingeniería 🚀\u0085\u001b[2J", list: [[1], {}] },
  });

  it("is byte for byte terminalJson of the whole document, whatever the batches", async () => {
    const paths = Array.from({ length: 7 }, (_, n) => path(n));
    const head = { snapshot_id: 4, project: { project_id: "proj_1", name: "A\u202eB" } };
    const whole = `${terminalJson({ ...head, access: paths })}\n`;
    const splits = [
      [paths],
      [paths.slice(0, 1), paths.slice(1)],
      [[], paths.slice(0, 3), [], paths.slice(3, 4), paths.slice(4), []],
      paths.map((p) => [p]),
    ];
    for (const batches of splits) {
      const { text, pieces } = await streamed(head, batches);
      expect(text).toBe(whole);
      // One piece per non-empty batch, and the closing one.
      expect(pieces).toBe(batches.filter((b) => b.length > 0).length + 1);
    }
    // Hidden characters are escaped in the items as in the head.
    expect(whole).toContain("api.write\\u202e");
    expect(whole).toContain("A\\u202eB");
    expect(whole).not.toContain("\u202e");
  });

  it("writes an empty list as [] with any head", async () => {
    for (const head of [{}, { snapshot_id: 1 }, { snapshot_id: 1, project: { id: "p" } }]) {
      for (const batches of [[], [[]], [[], []]]) {
        expect((await streamed(head, batches)).text).toBe(
          `${terminalJson({ ...head, access: [] })}\n`,
        );
      }
    }
  });

  it("keeps the list at its key's place in the document", async () => {
    const paths = Array.from({ length: 5 }, (_, n) => path(n));
    const document = {
      from: 1,
      to: 2,
      access: "replaced by the list",
      summary: { access: [], nested: { access: [] } },
      after: [1, { access: 2 }],
    };
    for (const batches of [[paths], [paths.slice(0, 2), paths.slice(2)], [], [[]]]) {
      const items = batches.flat();
      const { text } = await streamed(document, batches);
      expect(text).toBe(`${terminalJson({ ...document, access: items })}\n`);
    }
    expect(Object.keys(JSON.parse((await streamed(document, [paths])).text))).toEqual([
      "from",
      "to",
      "access",
      "summary",
      "after",
    ]);
  });
});

describe("a text table", () => {
  it("takes any number of rows (no argument spread over them)", () => {
    // 130,000 arguments already overflowed Math.max(...rows) on Node 20.
    const rows = Array.from({ length: 200_000 }, (_, n) => [
      `user_${n}`,
      n === 7 ? "wide-role" : "r",
    ]);
    const lines = formatTable(["user", "role"], rows).split("\n");
    expect(lines).toHaveLength(200_001);
    expect(lines[0]).toBe("user         role");
    expect(lines[8]).toBe("user_7       wide-role");
    expect(lines[200_000]).toBe("user_199999  r");
  });
});
