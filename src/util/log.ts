/**
 * Logging and secret redaction shared by every stage.
 *
 * Secrets (the admin key, SMTP passwords) are registered once at start-up; every
 * log line and every error message that leaves the process goes through
 * `redactSecrets`, so a secret echoed back by a server or a library cannot leak, not even
 * base64- or hex-encoded.
 */
import { type Logger, pino } from "pino";

const secrets = new Set<string>();
/** Secrets shown as `[redacted]` whole (passwords). */
const masked = new Set<string>();
/** Encoded forms of every registered secret (base64, base64url, hex), shown as `[redacted]`. */
const encoded = new Set<string>();

/** Shorter encoded fragments are not specific enough to mask without masking innocent text. */
const MIN_ENCODED_LENGTH = 12;

/**
 * The fragments that any base64 (standard or url-safe, padded or not) or hex encoding of a
 * text containing `secret` must contain, whatever precedes it: hex of the secret's bytes (lower
 * and upper case) and, for each of the three alignments of the secret within base64's 3-byte
 * groups, the characters that encode only the secret's bytes. So `base64(key)`,
 * `base64("user:" + key)` (HTTP basic auth), `base64("Bearer " + key)` or a base64 JSON
 * document holding the key are all caught, not just the key encoded on its own. Fragments
 * shorter than 12 characters are left out (too short to be specific).
 */
export function encodedForms(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const forms = new Set<string>();
  const hex = bytes.toString("hex");
  forms.add(hex);
  forms.add(hex.toUpperCase());
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    // 3-byte groups lying wholly within the secret's bytes [offset, offset + length).
    const first = Math.ceil(offset / 3);
    const end = Math.floor((offset + bytes.length) / 3);
    if (end <= first) continue;
    const core = b64.slice(first * 4, end * 4);
    forms.add(core);
    forms.add(core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return [...forms].filter((f) => f.length >= MIN_ENCODED_LENGTH);
}

/**
 * Register a secret so it is masked wherever it might surface, as itself and encoded (see
 * `encodedForms`). Keys shorter than 8 characters are ignored unless `reveal: "nothing"`.
 */
export function registerSecret(
  secret: string | undefined | null,
  options: { reveal?: "key" | "nothing" } = {},
): void {
  if (!secret) return;
  // A password shows nothing of itself, at any length; an API key may keep its prefix and last
  // four characters (the form `redactKey` gives), which people use to tell keys apart.
  if (options.reveal === "nothing") masked.add(secret);
  else if (secret.length >= 8) secrets.add(secret);
  else return;
  for (const form of encodedForms(secret)) encoded.add(form);
}

/** The form of a key safe to show or store: its prefix and last four characters. */
export function redactKey(key: string): string {
  if (key.length <= 12) return "***";
  const prefix = key.startsWith("sk-admin-") ? "sk-admin-" : key.slice(0, 3);
  return `${prefix}...${key.slice(-4)}`;
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const s of masked) {
    if (out.includes(s)) out = out.split(s).join("[redacted]");
  }
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(redactKey(s));
  }
  for (const s of encoded) {
    if (out.includes(s)) out = out.split(s).join("[redacted]");
  }
  // Anything that still looks like a bearer credential is masked too.
  return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/g, "$1[redacted]");
}

export interface LogOptions {
  level?: string;
  /** Write to this destination instead of stderr (tests capture lines this way). */
  destination?: NodeJS.WritableStream;
}

/** A pino logger writing JSON lines to stderr, with secrets masked in every line. */
export function createLogger(options: LogOptions = {}): Logger {
  const dest = options.destination ?? process.stderr;
  const redactingStream = {
    write(line: string): void {
      dest.write(redactSecrets(line));
    },
  };
  return pino(
    {
      // On a terminal people watch the progress bar; logs are for warnings. Elsewhere
      // (schedulers, CI) the info lines are the progress record.
      level:
        options.level ??
        process.env.ACCESS_AUDIT_LOG_LEVEL ??
        ("isTTY" in dest && dest.isTTY ? "warn" : "info"),
      base: null,
      redact: {
        paths: [
          "authorization",
          "headers.authorization",
          "*.headers.authorization",
          "apiKey",
          "*.apiKey",
        ],
        censor: "[redacted]",
      },
    },
    redactingStream,
  );
}

/** A logger that discards everything: the default for library use. */
export const silentLogger: Logger = pino({ level: "silent" });
