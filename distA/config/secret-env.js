/**
 * The environment variables that hold secrets, and their registration with the log redactor.
 * Apart from `secrets.ts` so that the CLI's entry point can register them before it parses
 * anything without loading the configuration's parser (start-up cost of every command).
 */
import { registerSecret } from "../util/log.js";
export const SECRET_ENV = {
    adminKey: "OPENAI_ADMIN_KEY",
    smtpPassword: "ACCESS_AUDIT_SMTP_PASSWORD",
};
/**
 * Registers the secrets the environment holds with the redactor, before anything (the command
 * line, the configuration, a base URL) is parsed: a key pasted by mistake where another value
 * belongs (`--base-url "$OPENAI_ADMIN_KEY"`) is then masked in the error that names the value.
 */
export function registerEnvironmentSecrets(env) {
    registerSecret(env[SECRET_ENV.adminKey]?.trim());
    registerSecret(env[SECRET_ENV.smtpPassword], { reveal: "nothing" });
}
//# sourceMappingURL=secret-env.js.map