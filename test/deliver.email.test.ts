/**
 * Emailed change reports, sent through the real nodemailer transport to a real SMTP server
 * (smtp-server) on loopback, configured as in production: plain connect, STARTTLS required,
 * AUTH required, a certificate the client trusts only through `caPem` (a throwaway self-signed
 * one made with the openssl CLI). What the server received is parsed back with mailparser.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ChangeReportEmail,
  type DeliveryResult,
  type EmailOptions,
  renderChangeReportEmail,
  sendChangeReport,
} from "../src/deliver/email.js";
import { createLogger } from "../src/util/log.js";
import { templatesDirectory } from "../src/util/package-dir.js";

const USER = "audit-mailer";
const PASSWORD = "correct-horse-battery-staple-42";
const WRONG_PASSWORD = "Tr0ub4dor&3-wrong-password";

const tmp = mkdtempSync(join(tmpdir(), "aa-email-"));
let certPem = "";
let keyPem = "";
const htmlReport = join(tmp, "report-12.html");
const workbook = join(tmp, "report-12.xlsx");

beforeAll(() => {
  // A throwaway certificate for 127.0.0.1 / localhost, valid for a day.
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      join(tmp, "key.pem"),
      "-out",
      join(tmp, "cert.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  certPem = readFileSync(join(tmp, "cert.pem"), "utf8");
  keyPem = readFileSync(join(tmp, "key.pem"), "utf8");
  writeFileSync(
    htmlReport,
    "<!DOCTYPE html><html><body><h1>Access report — snapshot 12 ✓</h1></body></html>\n",
  );
  // Binary content with every byte value, larger than one SMTP chunk.
  const bytes = Buffer.alloc(300_000);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  writeFileSync(workbook, bytes);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Received {
  mail: ParsedMail;
  raw: string;
  envelopeFrom: string;
  envelopeTo: string[];
}

interface TestSmtp {
  port: number;
  received: Received[];
  /** Passwords offered to AUTH, in order. */
  auths: string[];
  dataCalls: number;
  stop(): Promise<void>;
}

interface TestSmtpOptions {
  /** Reply to DATA: undefined accepts, otherwise the error for that call (1-based). */
  rejectData?: (call: number) => { code: number; message: string } | undefined;
  rejectRcpt?: (address: string) => { code: number; message: string } | undefined;
  server?: Partial<SMTPServerOptions>;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** A production-like server: STARTTLS offered, AUTH required (PLAIN/LOGIN, after TLS only). */
async function startSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const state: TestSmtp = {
    port: 0,
    received: [],
    auths: [],
    dataCalls: 0,
    stop: async () => {},
  };
  const server = new SMTPServer({
    secure: false,
    key: keyPem,
    cert: certPem,
    authOptional: false,
    allowInsecureAuth: false,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      state.auths.push(auth.password ?? "");
      if (auth.username === USER && auth.password === PASSWORD) {
        callback(null, { user: USER });
      } else {
        // Echo the password back, as careless servers do, to prove the client masks it.
        callback(new Error(`Invalid credentials for ${auth.username}: ${auth.password}`));
      }
    },
    onRcptTo(address, _session, callback) {
      const reject = options.rejectRcpt?.(address.address);
      callback(reject ? smtpError(reject.code, reject.message) : null);
    },
    onData(stream, session, callback) {
      const call = ++state.dataCalls;
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const reject = options.rejectData?.(call);
        if (reject) {
          callback(smtpError(reject.code, reject.message));
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (mail) => {
            state.received.push({
              mail,
              raw: raw.toString("latin1"),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            });
            callback(null);
          },
          (err: Error) => callback(err),
        );
      });
    },
    ...options.server,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  state.port = typeof address === "object" && address ? address.port : 0;
  state.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function report(overrides: Partial<ChangeReportEmail> = {}): ChangeReportEmail {
  const changes = Array.from({ length: 60 }, (_, i) => ({
    kind: "member_added",
    summary: `user-${i}@example.com joined Engineering`,
  }));
  changes.unshift({ kind: "group_role_granted", summary: "Platform Admins was granted Owner" });
  return {
    organization: "acme.example",
    snapshotId: 12,
    previousId: 11,
    orgDate: "2026-11-29",
    seal: "9f2c1e4b7a3d5f6e8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7",
    counts: { groups: 1234, users: 5678, memberships: 23456, elevatedGrants: 17 },
    changesByKind: [
      { kind: "group_role_granted", count: 1 },
      { kind: "member_added", count: 60 },
      { kind: "member_removed", count: 0 },
    ],
    changes,
    findings: [
      {
        severity: "high",
        rule: "owner-via-group",
        title: "Owner granted through a group",
        subject: "Platform Admins",
        isNew: true,
      },
      {
        severity: "critical",
        rule: "service-account-elevated",
        title: "Service account holds an elevated role",
        subject: "svc-deploy",
        isNew: true,
      },
      {
        severity: "low",
        rule: "group-members-without-roles",
        title: "Group has members but no roles",
        subject: "Readers",
        isNew: true,
      },
      {
        severity: "high",
        rule: "elevated-role-manual-group",
        title: "Elevated role on a manual group",
        subject: "Ops",
        isNew: false,
      },
    ],
    attachments: [
      { path: htmlReport },
      { path: workbook, filename: "access-report-2026-11-29.xlsx" },
    ],
    ...overrides,
  };
}

function options(port: number, overrides: Partial<EmailOptions> = {}): EmailOptions {
  return {
    smtp: {
      host: "127.0.0.1",
      port,
      security: "starttls",
      username: USER,
      password: PASSWORD,
      caPem: certPem,
      timeoutMs: 5000,
    },
    from: "Access Audit <audit@acme.example>",
    to: ["security@acme.example", "it-compliance@acme.example"],
    policy: "always",
    minSeverity: "medium",
    retryDelayMs: 10,
    ...overrides,
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ""));
}

/** A logger writing into an array, through the project's redacting logger. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    level: "debug",
    destination: {
      write(line: string) {
        lines.push(line);
        return true;
      },
    } as unknown as NodeJS.WritableStream,
  });
  return { logger, lines };
}

describe("sendChangeReport over STARTTLS with AUTH", () => {
  let smtp: TestSmtp;
  let result: DeliveryResult;
  let received: Received;
  beforeAll(async () => {
    smtp = await startSmtp();
    result = await sendChangeReport(report(), options(smtp.port));
    received = smtp.received[0] as Received;
  });
  afterAll(() => smtp.stop());

  it("is sent once, to every recipient", () => {
    expect(result).toMatchObject({
      status: "sent",
      attempts: 1,
      accepted: ["security@acme.example", "it-compliance@acme.example"],
      rejected: [],
    });
    expect(result.status === "sent" && result.messageId).toMatch(/^<.+@acme\.example>$/);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.auths).toEqual([PASSWORD]);
    expect(received.envelopeFrom).toBe("audit@acme.example");
    expect(received.envelopeTo).toEqual(["security@acme.example", "it-compliance@acme.example"]);
  });

  it("has the subject, sender and recipients", () => {
    const { mail } = received;
    expect(mail.subject).toBe(
      "[access-audit] acme.example: 61 changes, 2 new findings (snapshot 12, 2026-11-29)",
    );
    expect(mail.from?.value).toEqual([{ address: "audit@acme.example", name: "Access Audit" }]);
    expect(addresses(mail.to)).toEqual(["security@acme.example", "it-compliance@acme.example"]);
    expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
    expect(mail.date).toBeInstanceOf(Date);
  });

  it("has an HTML body with the counts, changes, new findings and the seal", () => {
    const html = received.mail.html || "";
    for (const text of ["1,234", "5,678", "23,456", "Elevated grants"]) {
      expect(html).toContain(text);
    }
    expect(html).toContain("Platform Admins was granted Owner");
    expect(html).toContain("user-48@example.com joined Engineering");
    // The first 50 lines are shown, the rest counted.
    expect(html).not.toContain("user-49@example.com");
    expect(html).toContain("and 11 more in the attached report");
    expect(html).toMatch(/member_added<\/td><td[^>]*>60</);
    expect(html).not.toContain("member_removed");
    expect(html).toContain("Service account holds an elevated role");
    expect(html).toContain("Owner granted through a group");
    // The critical finding is listed before the high one.
    expect(html.indexOf("svc-deploy")).toBeLessThan(html.indexOf("Platform Admins &middot;"));
    // Below the minimum severity, or not new: counted, not listed.
    expect(html).not.toContain("Group has members but no roles");
    expect(html).toContain("Not listed here: 1 new finding below medium; see the attached report");
    expect(html).not.toContain("Elevated role on a manual group");
    expect(html).toContain("1 finding at or above medium carried over");
    expect(html).toContain(report().seal);
    expect(html).toContain("access-audit verify --snapshot 12");
    expect(html).toContain("Attached: report-12.html, access-report-2026-11-29.xlsx.");
  });

  it("has inline styles only and nothing remote", () => {
    const html = received.mail.html || "";
    expect(html).not.toMatch(/<style|<link|<img|<script|https?:|url\(/i);
    expect(html).toContain('style="');
  });

  it("has a plain-text alternative", () => {
    const text = received.mail.text ?? "";
    expect(text).toContain("61 changes, 2 new findings at or above medium");
    expect(text).toContain("Memberships: 23,456");
    expect(text).toContain("- [group_role_granted] Platform Admins was granted Owner");
    expect(text).toContain("- critical: Service account holds an elevated role");
    expect(text).toContain(report().seal);
    expect(text).toContain("access-audit verify --snapshot 12");
    expect(received.raw).toMatch(/Content-Type: multipart\/alternative/);
  });

  it("attaches both files byte for byte, with their names", () => {
    const files = received.mail.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
    }));
    expect(files.map((f) => f.filename)).toEqual([
      "report-12.html",
      "access-report-2026-11-29.xlsx",
    ]);
    expect(files[0]?.contentType).toBe("text/html");
    expect(files[1]?.contentType).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    expect(files[0]?.content.equals(readFileSync(htmlReport))).toBe(true);
    expect(files[1]?.content.equals(readFileSync(workbook))).toBe(true);
  });
});

describe("rendering", () => {
  it("is deterministic: the same input gives the same subject and bodies", async () => {
    const first = await renderChangeReportEmail(report(), { minSeverity: "medium" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await renderChangeReportEmail(report(), { minSeverity: "medium" });
    expect(second).toEqual(first);
  });

  it("says so when there is nothing to report, and for a first snapshot", async () => {
    const out = await renderChangeReportEmail(
      report({ previousId: null, changes: [], changesByKind: [], findings: [], attachments: [] }),
      { minSeverity: "high" },
    );
    expect(out.subject).toBe(
      "[access-audit] acme.example: 0 changes, 0 new findings (snapshot 12, 2026-11-29)",
    );
    expect(out.text).toContain("the first snapshot: there is nothing to compare it with");
    expect(out.text).toContain("No changes.");
    expect(out.html).not.toContain("Attached:");
  });

  it("says when coverage differs, in both bodies, so that no change reads as 'none'", async () => {
    const note =
      "Coverage differs: projects were collected in snapshot 11 but not in snapshot 12. Their changes are not compared (19 kinds of change), so none is listed for them.";
    const out = await renderChangeReportEmail(
      report({ changes: [], changesByKind: [], coverageNote: note }),
      { minSeverity: "high" },
    );
    expect(out.text).toContain(`CHANGES\n${note}\n\nNo changes.`);
    expect(out.html).toContain(note);
    const without = await renderChangeReportEmail(report(), { minSeverity: "high" });
    expect(without.text).not.toContain("Coverage differs");
  });

  it("uses singulars", async () => {
    const one = report({
      changes: [{ kind: "user_added", summary: "a@acme.example joined" }],
      changesByKind: [{ kind: "user_added", count: 1 }],
      findings: [{ severity: "high", rule: "r", title: "t", subject: "s", isNew: true }],
    });
    const out = await renderChangeReportEmail(one, { minSeverity: "high" });
    expect(out.subject).toContain(": 1 change, 1 new finding (");
  });

  it("refuses a template with unescaped output", async () => {
    const dir = mkdtempSync(join(tmp, "templates-"));
    writeFileSync(join(dir, "email.html.hbs"), "<p>{{{organization}}}</p>");
    writeFileSync(join(dir, "email.txt.hbs"), "{{organization}}");
    await expect(
      renderChangeReportEmail(report(), { minSeverity: "low", templatesDir: dir }),
    ).rejects.toThrow(/unescaped output/);
    writeFileSync(join(dir, "email.html.hbs"), "<p>{{& organization}}</p>");
    await expect(
      renderChangeReportEmail(report(), { minSeverity: "low", templatesDir: `${dir}/` }),
    ).rejects.toThrow(/unescaped output/);
  });

  it("the shipped templates use only escaped output", () => {
    for (const name of ["email.html.hbs", "email.txt.hbs"]) {
      const source = readFileSync(join(templatesDirectory(), name), "utf8");
      expect(source).not.toMatch(/\{\{\{|\{\{~?\s*&/);
    }
  });
});

describe("hostile data", () => {
  const hostile = () =>
    report({
      organization: "Acme\r\nBcc: attacker@evil.example\r\nX-Injected: yes",
      changes: [
        { kind: "group_renamed", summary: "<script>alert(1)</script> renamed" },
        { kind: "member_added", summary: '"><img src=x onerror=alert(2)> joined' },
      ],
      changesByKind: [{ kind: "<b>kind</b>", count: 2 }],
      findings: [
        {
          severity: "critical",
          rule: "owner-via-group",
          title: '"><img src=x onerror=alert(3)>',
          subject: "<script>alert(4)</script>",
          isNew: true,
        },
      ],
      attachments: [{ path: htmlReport, filename: "evil\r\nX-Injected: yes.html" }],
    });

  it("is escaped in HTML, literal in text, and cannot add headers or recipients", async () => {
    const smtp = await startSmtp();
    try {
      const result = await sendChangeReport(hostile(), options(smtp.port));
      expect(result.status).toBe("sent");
      const got = smtp.received[0] as Received;
      const html = got.mail.html || "";
      expect(html).not.toMatch(/<script|<img|<b>/i);
      expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; renamed");
      expect(html).toContain("&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(3)&gt;");
      expect(html).toContain("&lt;b&gt;kind&lt;/b&gt;");
      expect(got.mail.text).toContain("<script>alert(1)</script> renamed");

      expect(got.mail.subject).toBe(
        "[access-audit] Acme[U+000D][U+000A]Bcc: attacker@evil.example[U+000D][U+000A]X-Injected: yes: 2 changes, 1 new finding (snapshot 12, 2026-11-29)",
      );
      expect(got.mail.headers.has("x-injected")).toBe(false);
      expect(got.mail.bcc).toBeUndefined();
      const headerBlock = got.raw.split(/\r?\n\r?\n/)[0] ?? "";
      expect(headerBlock).toMatch(/^Subject: /m);
      expect(headerBlock).not.toMatch(/^(Bcc|X-Injected):/im);
      expect(got.envelopeTo).toEqual(["security@acme.example", "it-compliance@acme.example"]);
      expect(got.mail.attachments[0]?.filename).toBe("evil[U+000D][U+000A]X-Injected: yes.html");
    } finally {
      await smtp.stop();
    }
  });

  it("refuses an address with a line break without connecting", async () => {
    const result = await sendChangeReport(
      report(),
      options(await closedPort(), { to: ["a@acme.example\r\nBcc: b@evil.example"] }),
    );
    expect(result).toMatchObject({ status: "failed", attempts: 0, permanent: true });
  });
});

describe("failures", () => {
  it("a wrong password fails at once (535), masked in the result and the logs", async () => {
    const smtp = await startSmtp();
    const { logger, lines } = capturedLogger();
    try {
      const opts = options(smtp.port, { logger });
      const result = await sendChangeReport(report(), {
        ...opts,
        smtp: { ...opts.smtp, password: WRONG_PASSWORD },
      });
      expect(result).toMatchObject({
        status: "failed",
        attempts: 1,
        permanent: true,
        responseCode: 535,
      });
      expect(smtp.auths).toEqual([WRONG_PASSWORD]);
      expect(smtp.received).toHaveLength(0);
      const error = result.status === "failed" ? result.error : "";
      // The server echoed the password; the client masked it.
      expect(error).toContain("Invalid credentials for audit-mailer: [redacted]");
      const everything = JSON.stringify(result) + lines.join("");
      expect(lines.length).toBeGreaterThan(0);
      expect(everything).not.toContain(WRONG_PASSWORD);
      expect(everything).not.toContain(WRONG_PASSWORD.slice(0, 10));
      expect(everything).not.toContain(Buffer.from(WRONG_PASSWORD).toString("base64"));
    } finally {
      await smtp.stop();
    }
  });

  it("a message rejected with 5xx fails after one attempt, without throwing", async () => {
    const smtp = await startSmtp({
      rejectData: () => ({ code: 554, message: "Message rejected: policy violation" }),
    });
    try {
      const result = await sendChangeReport(report(), options(smtp.port, { retries: 5 }));
      expect(result).toMatchObject({
        status: "failed",
        attempts: 1,
        permanent: true,
        responseCode: 554,
      });
      expect(result.status === "failed" && result.error).toContain("policy violation");
      expect(smtp.dataCalls).toBe(1);
    } finally {
      await smtp.stop();
    }
  });

  it("a transient 4xx is retried, and the second attempt is sent", async () => {
    const smtp = await startSmtp({
      rejectData: (call) =>
        call === 1 ? { code: 451, message: "Temporary local problem, try later" } : undefined,
    });
    const { logger, lines } = capturedLogger();
    try {
      const result = await sendChangeReport(report(), options(smtp.port, { logger }));
      expect(result).toMatchObject({ status: "sent", attempts: 2 });
      expect(smtp.dataCalls).toBe(2);
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]?.mail.attachments).toHaveLength(2);
      expect(lines.some((l) => l.includes("retrying") && l.includes("451"))).toBe(true);
      expect(lines.join("")).not.toContain(PASSWORD);
    } finally {
      await smtp.stop();
    }
  });

  it("a transient failure that persists ends after the configured attempts", async () => {
    const smtp = await startSmtp({
      rejectData: () => ({ code: 452, message: "Insufficient system storage" }),
    });
    try {
      const result = await sendChangeReport(report(), options(smtp.port, { retries: 2 }));
      expect(result).toMatchObject({ status: "failed", attempts: 3, permanent: false });
      expect(smtp.dataCalls).toBe(3);
    } finally {
      await smtp.stop();
    }
  });

  it("a refused connection is retried, then reported", async () => {
    const result = await sendChangeReport(report(), options(await closedPort(), { retries: 1 }));
    expect(result).toMatchObject({ status: "failed", attempts: 2, permanent: false });
  });

  it("some recipients rejected: sent to the others, the rejected ones listed", async () => {
    const smtp = await startSmtp({
      rejectRcpt: (address) =>
        address.startsWith("it-") ? { code: 550, message: "No such user" } : undefined,
    });
    try {
      const result = await sendChangeReport(report(), options(smtp.port));
      expect(result).toMatchObject({
        status: "sent",
        accepted: ["security@acme.example"],
        rejected: ["it-compliance@acme.example"],
      });
      expect(smtp.received[0]?.envelopeTo).toEqual(["security@acme.example"]);
    } finally {
      await smtp.stop();
    }
  });

  it("every recipient rejected: failed after one attempt", async () => {
    const smtp = await startSmtp({ rejectRcpt: () => ({ code: 550, message: "No such user" }) });
    try {
      const result = await sendChangeReport(report(), options(smtp.port));
      expect(result).toMatchObject({ status: "failed", attempts: 1, permanent: true });
      expect(smtp.dataCalls).toBe(0);
    } finally {
      await smtp.stop();
    }
  });

  it("an untrusted certificate fails before any credential is sent", async () => {
    const smtp = await startSmtp();
    try {
      const opts = options(smtp.port);
      const { caPem: _, ...untrusting } = opts.smtp;
      const result = await sendChangeReport(report(), { ...opts, smtp: untrusting });
      expect(result).toMatchObject({ status: "failed", attempts: 1, permanent: true });
      expect(smtp.auths).toEqual([]);
    } finally {
      await smtp.stop();
    }
  });

  it("a server without STARTTLS is refused, not sent the password in clear", async () => {
    const smtp = await startSmtp({
      server: { disabledCommands: ["STARTTLS"], allowInsecureAuth: true },
    });
    try {
      const result = await sendChangeReport(report(), options(smtp.port));
      expect(result).toMatchObject({ status: "failed", attempts: 1, permanent: true });
      expect(smtp.auths).toEqual([]);
    } finally {
      await smtp.stop();
    }
  });

  it("credentials without TLS to a remote host are refused without connecting", async () => {
    const opts = options(25);
    const result = await sendChangeReport(report(), {
      ...opts,
      smtp: { ...opts.smtp, host: "192.0.2.1", security: "none" },
    });
    expect(result).toMatchObject({ status: "failed", attempts: 0, permanent: true });
    expect(result.status === "failed" && result.error).toContain("without TLS");
  });

  it("a missing attachment fails without connecting", async () => {
    const result = await sendChangeReport(
      report({ attachments: [{ path: join(tmp, "missing.xlsx") }] }),
      options(await closedPort()),
    );
    expect(result).toMatchObject({ status: "failed", attempts: 0 });
  });
});

describe("implicit TLS", () => {
  it("security tls: TLS from the first byte, AUTH inside it", async () => {
    const smtp = await startSmtp({ server: { secure: true } });
    try {
      const opts = options(smtp.port);
      const result = await sendChangeReport(report(), {
        ...opts,
        smtp: { ...opts.smtp, security: "tls" },
      });
      expect(result).toMatchObject({ status: "sent", attempts: 1 });
      expect(smtp.auths).toEqual([PASSWORD]);
      expect(smtp.received[0]?.mail.attachments).toHaveLength(2);
    } finally {
      await smtp.stop();
    }
  });
});

describe("policy", () => {
  const quiet = () =>
    report({
      changes: [],
      changesByKind: [{ kind: "member_added", count: 0 }],
      findings: [
        { severity: "low", rule: "r1", title: "low and new", subject: "s", isNew: true },
        { severity: "critical", rule: "r2", title: "old critical", subject: "s", isNew: false },
      ],
    });

  it("changes: skipped without changes, without connecting", async () => {
    const result = await sendChangeReport(
      quiet(),
      options(await closedPort(), { policy: "changes" }),
    );
    expect(result).toEqual({
      status: "skipped",
      reason: "policy 'changes': no changes since the last snapshot",
    });
  });

  it("findings: skipped when new findings are below the minimum and old ones are not new", async () => {
    const result = await sendChangeReport(
      quiet(),
      options(await closedPort(), { policy: "findings", minSeverity: "medium" }),
    );
    expect(result).toEqual({
      status: "skipped",
      reason: "policy 'findings': no new finding at or above medium",
    });
  });

  it("findings: sent when a new finding reaches the minimum; changes alone do not count", async () => {
    const smtp = await startSmtp();
    try {
      const sent = await sendChangeReport(
        quiet(),
        options(smtp.port, { policy: "findings", minSeverity: "low" }),
      );
      expect(sent.status).toBe("sent");
      const skipped = await sendChangeReport(
        report({ findings: [] }),
        options(smtp.port, { policy: "findings", minSeverity: "low" }),
      );
      expect(skipped.status).toBe("skipped");
      expect(smtp.received).toHaveLength(1);
    } finally {
      await smtp.stop();
    }
  });

  it("changes: sent when the summary counts changes; always: sent regardless", async () => {
    const smtp = await startSmtp();
    try {
      const counted = report({
        changes: [],
        changesByKind: [{ kind: "user_removed", count: 3 }],
        findings: [],
      });
      expect(
        (await sendChangeReport(counted, options(smtp.port, { policy: "changes" }))).status,
      ).toBe("sent");
      expect(
        (await sendChangeReport(quiet(), options(smtp.port, { policy: "always" }))).status,
      ).toBe("sent");
      expect(smtp.received.map((r) => r.mail.subject)).toEqual([
        "[access-audit] acme.example: 3 changes, 0 new findings (snapshot 12, 2026-11-29)",
        "[access-audit] acme.example: 0 changes, 0 new findings (snapshot 12, 2026-11-29)",
      ]);
    } finally {
      await smtp.stop();
    }
  });
});
