/**
 * What the workbook's Summary must say about each change kind, derived here on its own from the
 * diff definitions (the `description` in each sql/diff file's header), so a description cannot
 * drift from its definition: a kind with a file says that file's description with `from` as
 * "the compared snapshot" and `to` as "this snapshot"; a removal kind is its counterpart's query
 * run with `from` and `to` exchanged (MIRRORED_KINDS), so it says the counterpart's description
 * with the two exchanged, read backwards, without the counterpart's remark about its mirror.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import {
  DIFF_KINDS,
  type DiffKind,
  diffSqlDirectory,
  MIRRORED_KINDS,
} from "../../src/analysis/diff.js";
import { CHANGE_LABELS } from "../../src/report/model.js";

/** Each diff file's kind and description, read from its leading comment block. */
export function diffDefinitions(): Map<DiffKind, string> {
  const definitions = new Map<DiffKind, string>();
  for (const name of readdirSync(diffSqlDirectory()).filter((n) => n.endsWith(".sql"))) {
    const lines = readFileSync(join(diffSqlDirectory(), name), "utf8").split("\n");
    const header = lines.slice(
      0,
      lines.findIndex((l) => !l.startsWith("--")),
    );
    const meta = parse(header.map((l) => l.replace(/^--\s?/, "")).join("\n")) as {
      kind: DiffKind;
      description: string;
    };
    definitions.set(meta.kind, meta.description);
  }
  return definitions;
}

function inWords(description: string, exchanged: boolean): string {
  const from = exchanged ? "this snapshot" : "the compared snapshot";
  const to = exchanged ? "the compared snapshot" : "this snapshot";
  return description
    .split("`from`")
    .map((part) => part.split("`to`").join(to))
    .join(from)
    .replaceAll("`", "");
}

/** The Summary's description of every kind, in DIFF_KINDS order. */
export function expectedKindDescriptions(): Map<DiffKind, string> {
  const definitions = diffDefinitions();
  const expected = new Map<DiffKind, string>();
  for (const kind of DIFF_KINDS) {
    const counterpart = MIRRORED_KINDS[kind];
    const definition = definitions.get(counterpart ?? kind);
    if (definition === undefined) throw new Error(`no definition of ${kind}`);
    if (counterpart === undefined) {
      expected.set(kind, inWords(definition, false));
    } else {
      const own = definition.replace(/; its mirror .*$/, "");
      expected.set(
        kind,
        `“${CHANGE_LABELS[counterpart]}” read backwards, from this snapshot to the compared one: ${inWords(own, true)}`,
      );
    }
  }
  return expected;
}
