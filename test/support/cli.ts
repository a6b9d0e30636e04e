import { fileURLToPath } from "node:url";

/** The compiled CLI entry point (`npm test` builds before running vitest). */
export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** A clean environment for a CLI child: no inherited OpenAI or audit settings. */
export function cliEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(OPENAI_|ACCESS_AUDIT_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}
