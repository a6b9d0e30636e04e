import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  cellText,
  createTemplateEnvironment,
  nameWithId,
  neutralise,
  revealInvisible,
  scriptJson,
  templatesDirectory,
  terminalJson,
  terminalText,
  unescapedOutput,
} from "../../src/render/index.js";
import { lookalikeKey, skeleton } from "../../src/util/unicode.js";

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

  it("walk code points: tags, variation selectors, separators, escapes, odd spaces", () => {
    const cases: [string, string][] = [
      ["a\u{E0041}\u{E007F}", "a[U+E0041][U+E007F]"], // tag characters, one label per code point
      ["\u2764\uFE0F \u{E0100}", "\u2764[U+FE0F] [U+E0100]"], // variation selectors
      ["1\u20282\u20293", "1[U+2028]2[U+2029]3"],
      ["\u001b[2J\u009b31m", "[U+001B][2J[U+009B]31m"], // ESC and the C1 CSI
      ["a\u00A0b\u3000c d", "a[U+00A0]b[U+3000]c d"], // no-break and ideographic spaces
      ["\u034F\u115F\u3164\u180E\u00AD", "[U+034F][U+115F][U+3164][U+180E][U+00AD]"],
      ["\uD800x", "[U+D800]x"], // a lone surrogate
      ["Ingeniería 工程 🚀 𝔘", "Ingeniería 工程 🚀 𝔘"], // visible text is left alone
    ];
    for (const [input, shown] of cases) expect(revealInvisible(input), input).toBe(shown);
  });

  it("terminal text keeps the layout's line breaks; terminal JSON stays exact", () => {
    expect(terminalText("row 1\tx\nrow\u001b[1A 2\u202E\n")).toBe(
      "row 1\tx\nrow[U+001B][1A 2[U+202E]\n",
    );
    const value = { name: "a\u001b[2J\u202E\u{E0041}\u2028\n\u0085" };
    const json = terminalJson(value);
    expect(JSON.parse(json)).toEqual(value);
    expect(json).toContain("\\u001b[2J\\u202e\\udb40\\udc41\\u2028\\n\\u0085");
    for (const raw of ["\u001b", "\u202e", "\u2028", "\u0085"]) expect(json).not.toContain(raw);
  });

  it("terminal output finds one hidden character anywhere, and leaves visible text alone", () => {
    const visible = "Ingeniería 工程 🚀 𝔘 ñ\n\tx";
    expect(terminalText(visible)).toBe(visible);
    expect(terminalJson({ name: "Ingeniería 工程 🚀 𝔘" })).toBe(
      JSON.stringify({ name: "Ingeniería 工程 🚀 𝔘" }, null, 2),
    );
    const long = `${"é🚀".repeat(100_000)}`;
    expect(terminalText(`${long}\u202e`)).toBe(`${long}[U+202E]`);
    expect(terminalText(`${long}\u0085`)).toBe(`${long}[U+0085]`);
    // A lone low surrogate right after a pair is revealed; the pair is not.
    expect(terminalText("🚀\udc00")).toBe("🚀[U+DC00]");
    expect(terminalJson([`${long}\u00ad`])).toContain(`${long}\\u00ad`);
  });

  it("ids beside names", () => {
    expect(nameWithId("Admins\u202E", "group_1")).toBe("Admins[U+202E] (group_1)");
    expect(nameWithId(null, "group_1")).toBe("group_1");
    expect(nameWithId("Admins", null)).toBe("Admins");
  });

  it("workbook cells are revealed before they are neutralised", () => {
    expect(cellText("\t=1+1")).toBe("[U+0009]=1+1");
    expect(cellText("=1\u202E")).toBe("'=1[U+202E]");
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

describe("lookalike names (UTS #39 skeleton after NFKC)", () => {
  it("names a reader cannot tell apart share a key", () => {
    const same: [string, string][] = [
      ["Finance Admins", "Finance \u0410dmins"], // Cyrillic А
      ["Finance Admins", "Finance\u00A0Admins"], // no-break space
      ["Caf\u00E9 Team", "Cafe\u0301 Team"], // precomposed and decomposed
      ["Owners", "Own\u200Bers"], // zero-width space
      ["Payroll", "Payroll\u{E0041}\uFE0F"], // tag character, variation selector
      ["paypal", "\u0440\u0430\u0443\u0440\u0430l"], // all Cyrillic
      ["Admins", "\uFF21dmins"], // fullwidth (NFKC)
      ["ops", "  OPS "], // case and outer spaces, as before
    ];
    for (const [a, b] of same) expect(lookalikeKey(b), `${a} / ${b}`).toBe(lookalikeKey(a));
  });

  it("names that read differently do not", () => {
    const different: [string, string][] = [
      ["Finance Admins", "Finance Admin"],
      ["Engineering", "Ingeniería"],
      ["Team 1", "Team 2"],
    ];
    for (const [a, b] of different) expect(lookalikeKey(b)).not.toBe(lookalikeKey(a));
  });

  it("the skeleton maps confusables to their prototype", () => {
    expect(skeleton("\u0430")).toBe("a");
    expect(skeleton("plain")).toBe("plain");
  });
});
