/**
 * The module graph: no file-level import cycles anywhere, and data flows one way through the
 * stages (api -> crawl -> store -> analysis -> report -> deliver): a stage reads from the ones
 * before it and never reaches into a later one, except the crawl, whose job is to load the
 * store. Read with TypeScript's own pre-processor, so type-only imports count too.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { packageDirectory } from "../../src/util/package-dir.js";

const ROOT = packageDirectory();

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** file -> the project files it imports (relative specifiers, `.js` resolved to `.ts`). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, ".ts"))
      .filter((target) => known.has(target));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every elementary cycle reachable by depth-first search, each reported once. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") {
        const cycle = stack.slice(stack.indexOf(next));
        found.set([...cycle].sort().join(" "), cycle);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return [...found.values()];
}

const FILES = ["src", "test", "chaos", "bench"].flatMap(sourceFiles);
const GRAPH = importGraph(FILES);

describe("the module graph", () => {
  it("finds the imports it is about (the check itself works)", () => {
    expect(GRAPH.get("src/crawl/crawl.ts")).toContain("src/facts/index.ts");
    expect(
      cycles(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
        ]),
      ),
    ).toEqual([["a", "b", "c"]]);
  });

  it("has no file-level import cycles", () => {
    expect(cycles(GRAPH).map((c) => [...c, c[0]].join(" -> "))).toEqual([]);
  });

  it("never reaches from a stage into a later one", () => {
    const STAGES = ["api", "crawl", "store", "analysis", "report", "deliver"];
    const stageOf = (file: string) => {
      const match = /^src\/([^/]+)\//.exec(file);
      return match ? STAGES.indexOf(match[1] as string) : -1;
    };
    const backwards: string[] = [];
    for (const [file, targets] of GRAPH) {
      const from = stageOf(file);
      if (from < 0) continue;
      for (const target of targets) {
        const loadsTheStore = file.startsWith("src/crawl/") && target.startsWith("src/store/");
        if (stageOf(target) > from && !loadsTheStore) backwards.push(`${file} -> ${target}`);
        // The simulator, the CLI and the scheduler sit outside the chain; no stage imports them.
        if (/^src\/(cli|schedule|simulator|certify)\//.test(target)) {
          backwards.push(`${file} -> ${target}`);
        }
      }
    }
    expect(backwards).toEqual([]);
  });
});
