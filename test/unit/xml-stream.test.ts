import { describe, expect, it } from "vitest";
import { decodeEntities, XmlError, XmlTokenizer } from "../../src/certify/xml-stream.js";

const LIMITS = { maxTagChars: 200, maxTextChars: 50, maxDepth: 8 };

/** Tokenizes `xml` cut into `size`-character chunks, capturing the text of `t` elements. */
function events(xml: string, size = xml.length, limits = LIMITS): string[] {
  const out: string[] = [];
  const tokenizer = new XmlTokenizer(limits);
  let text = "";
  tokenizer.handler = {
    open(name, attributes) {
      out.push(
        `<${name}${Object.entries(attributes)
          .map(([k, v]) => ` ${k}=${JSON.stringify(v)}`)
          .join("")}>`,
      );
      if (name.endsWith("t")) tokenizer.capture = true;
    },
    close(name) {
      if (text !== "") out.push(JSON.stringify(text));
      text = "";
      out.push(`</${name}>`);
    },
    text(piece) {
      text += piece;
    },
  };
  for (let i = 0; i < xml.length; i += size) tokenizer.write(xml.slice(i, i + size));
  tokenizer.end();
  return out;
}

describe("XmlTokenizer", () => {
  const doc =
    '\uFEFF<?xml version="1.0"?><!-- a > comment --><sst a="1>2" b=\'x\'><si><t>a &amp; b&#x41;&#66;</t><r><x:t xml:space="preserve"> c\r\nd<![CDATA[<&>]]></x:t></r></si><e/></sst>';
  const expected = [
    '<sst a="1>2" b="x">',
    "<si>",
    "<t>",
    '"a & bAB"',
    "</t>",
    "<r>",
    '<x:t xml:space="preserve">',
    '" c\\nd<&>"',
    "</x:t>",
    "</r>",
    "</si>",
    "<e>",
    "</e>",
    "</sst>",
  ];

  it("reads elements, attributes, references, CDATA; skips comments and PIs", () => {
    expect(events(doc)).toEqual(expected);
  });

  it("gives the same events however the input is cut", () => {
    for (const size of [1, 2, 3, 5, 7, 13]) expect(events(doc, size)).toEqual(expected);
  });

  it("refuses a DTD, bare ampersands, unknown entities, mismatched and missing ends", () => {
    const bad = [
      '<!DOCTYPE x [<!ENTITY a "aaaa">]><x/>',
      "<x><t>a & b</t></x>",
      "<x><t>&nbsp;</t></x>",
      "<x><t>&#0;</t></x>",
      "<x></y>",
      "<x><y></x>",
      "<x/><y/>",
      "<x a='1' a='2'/>",
      "<x a=1/>",
      "",
    ];
    for (const xml of bad) expect(() => events(xml), xml).toThrow(XmlError);
  });

  it("bounds tags, captured text and depth", () => {
    expect(() => events(`<x a="${"a".repeat(300)}"/>`)).toThrow(/a tag longer than 200/);
    expect(() => events(`<x><t>${"a".repeat(60)}</t></x>`)).toThrow(/a text longer than 50/);
    // Text that is not captured is skipped, however long.
    expect(events(`<x>${"a".repeat(10_000)}</x>`)).toEqual(["<x>", "</x>"]);
    expect(events(`<x><!--${"-".repeat(10_000)}--></x>`, 7)).toEqual(["<x>", "</x>"]);
    expect(() => events("<a>".repeat(9) + "</a>".repeat(9))).toThrow(/deeper than 8/);
  });
});

describe("decodeEntities", () => {
  it("decodes the predefined entities and character references", () => {
    expect(decodeEntities("&lt;&gt;&amp;&quot;&apos;&#10;&#x1F600;")).toBe("<>&\"'\n\u{1F600}");
    expect(decodeEntities("&amp;amp;")).toBe("&amp;");
    expect(() => decodeEntities("&#xD800;")).toThrow(XmlError);
  });
});
