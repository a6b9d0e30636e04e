/**
 * Logging and secret redaction shared by every stage.
 *
 * Secrets (the admin key, SMTP passwords) are registered once at start-up; every
 * log line and every error message that leaves the process goes through
 * `redactSecrets`, so a secret echoed back by a server or a library cannot leak.
 */
import { type Logger, pino } from "pino";

const secrets = new Set<string>();
/** Secrets shown as `[redacted]` whole (passwords). */
const masked = new Set<string>();

/** Register a secret so it is masked wherever it might surface (keys shorter than 8 are ignored). */
export function registerSecret(
  secret: string | undefined | null,
  options: { reveal?: "key" | "nothing" } = {},
): void {
  if (!secret) return;
  // A password shows nothing of itself, at any length; an API key may keep its prefix and last
  // four characters (the form `redactKey` gives), which people use to tell keys apart.
  if (options.reveal === "nothing") masked.add(secret);
  else if (secret.length >= 8) secrets.add(secret);
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
