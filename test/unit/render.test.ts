import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  cellText,
  createTemplateEnvironment,
  neutralise,
  revealInvisible,
  scriptJson,
  templatesDirectory,
  unescapedOutput,
} from "../../src/render/index.js";

describe("the template environment", () => {
  it("refuses unescaped output at compile time, naming the place", () => {
    const env = createTemplateEnvironment();
    expect(() => env.compile("<p>{{{name}}}</p>", "a.hbs")).toThrow(/a\.hbs:1:4/);
    expect(() => env.compile("line\n{{& name}}", "b.hbs")).toThrow(/b\.hbs:2:1/);
    expect(() => env.compile("{{#each xs}}{{{this}}}{{/each}}", "c.hbs")).toThrow(/unescaped/);
    expect(() =>
      createTemplateEnvironment({ partials: { part: "{{{x}}}" } }).compile("{{> part}}", "d.hbs"),
    ).toThrow(/part:1:1/);
    // Even where nothing is escaped anyway (text/plain), the rule holds.
    expect(() =>
      createTemplateEnvironment({ escapeHtml: false }).compile("{{{x}}}", "e.txt.hbs"),
    ).toThrow(/unescaped/);
  });

  it("escapes values, is strict, and knows only its helpers", () => {
    const env = createTemplateEnvironment({
      helpers: { upper: (s: unknown) => String(s).toUpperCase() },
      rawHelpers: { mark: () => "<b>ok</b>" },
    });
    const render = env.compile<{ name: string }>("{{name}} {{upper name}} {{mark}}", "f.hbs");
    expect(render({ name: '<img src=x onerror="1">' })).toBe(
      "&lt;img src&#x3D;x onerror&#x3D;&quot;1&quot;&gt; &lt;IMG SRC&#x3D;X ONERROR&#x3D;&quot;1&quot;&gt; <b>ok</b>",
    );
    expect(() => env.compile<object>("{{missing}}", "g.hbs")({})).toThrow(/missing/);
    expect(() => env.compile<object>("{{unknown x}}", "h.hbs")({ x: 1 })).toThrow(/unknown/);
    expect(
      createTemplateEnvironment({ escapeHtml: false }).compile("{{x}}", "t")({ x: "<&>" }),
    ).toBe("<&>");
  });

  it("every shipped template passes the rule", () => {
    const dir = templatesDirectory();
    const templates = readdirSync(dir).filter((f) => f.endsWith(".hbs"));
    expect(templates.length).toBeGreaterThan(5);
    for (const file of templates) {
      expect(unescapedOutput(readFileSync(join(dir, file), "utf8"), file), file).toEqual([]);
    }
  });
});

describe("text helpers", () => {
  it("reveal invisible and bidirectional characters", () => {
    expect(revealInvisible("admins\u202Egpj.exe")).toBe("admins[U+202E]gpj.exe");
    expect(revealInvisible("plain")).toBe("plain");
  });

  it("keep JSON inside a script element", () => {
    expect(scriptJson({ a: "</script><!--" })).toBe('{"a":"\\u003c/script\\u003e\\u003c!--"}');
  });

  it("never let a cell run as a formula", () => {
    expect(neutralise("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(neutralise("  -1")).toBe("'  -1");
    expect(neutralise("Engineering")).toBe("Engineering");
    expect(cellText("x".repeat(40_000)).length).toBe(32_767);
  });
});
