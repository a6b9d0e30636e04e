/**
 * Secrets, read only when needed and never from the configuration file itself: the admin key
 * from OPENAI_ADMIN_KEY or a key file, the SMTP password from ACCESS_AUDIT_SMTP_PASSWORD or a
 * password file. Each value is registered with the log redactor as soon as it is read.
 */
import { readFileSync, statSync } from "node:fs";
import { insecureHttpProblem } from "../api/base-url.js";
import { registerSecret } from "../util/log.js";
import { ConfigError, loadConfig } from "./load.js";
import { CONFIG_FILE_NAME } from "./schema.js";
import { SECRET_ENV } from "./secret-env.js";
export { registerEnvironmentSecrets, SECRET_ENV } from "./secret-env.js";
/**
 * The admin key's source. Precedence as everywhere (file < env < flags), and among the
 * environment variables the key file wins, as it always has: --key-file, OPENAI_ADMIN_KEY_FILE,
 * OPENAI_ADMIN_KEY, then the file's api.key_file.
 */
export function adminKeySource(config, env) {
    const origin = config.sources["api.key_file"];
    if (config.api.keyFile !== null && origin !== undefined && origin !== "file") {
        return { kind: "file", path: config.api.keyFile, origin };
    }
    if (env[SECRET_ENV.adminKey]?.trim())
        return { kind: "env", name: SECRET_ENV.adminKey };
    if (config.api.keyFile !== null) {
        return { kind: "file", path: config.api.keyFile, origin: "file api.key_file" };
    }
    return null;
}
/** The SMTP password's source: ACCESS_AUDIT_SMTP_PASSWORD, else email.smtp.password_file. */
export function smtpPasswordSource(config, env) {
    if (env[SECRET_ENV.smtpPassword])
        return { kind: "env", name: SECRET_ENV.smtpPassword };
    const file = config.email.smtp.passwordFile;
    return file === null
        ? null
        : { kind: "file", path: file, origin: "file email.smtp.password_file" };
}
function errorCode(error) {
    return error && typeof error === "object" && "code" in error ? String(error.code) : "error";
}
function readSecretFile(path, what) {
    let text;
    try {
        text = readFileSync(path, "utf8");
    }
    catch (error) {
        throw new ConfigError([`cannot read ${what} file ${path} (${errorCode(error)})`]);
    }
    // Only the line break an editor adds is dropped: a password may begin or end with spaces.
    const value = text.replace(/\r?\n$/, "");
    if (value.trim() === "")
        throw new ConfigError([`${what} file ${path} is empty`]);
    return value;
}
/** Names where a setting came from: the file and key, an environment variable or a flag. */
function settingLabel(config, key, fileLabel) {
    const origin = config.sources[key];
    if (origin === undefined || origin === "file")
        return `${fileLabel}: ${key}`;
    return origin.replace(/^(env|flag) /, "");
}
/**
 * Why the admin key must not be sent to the configured base URL, or null: plain `http://` to a
 * host that is not this machine, without `api.allow_insecure_http` / `--allow-insecure-http`.
 */
export function insecureTransportProblem(config, fileLabel = config.file ?? CONFIG_FILE_NAME) {
    const problem = insecureHttpProblem(config.api.baseUrl, config.api.allowInsecureHttp);
    return problem === null ? null : `${settingLabel(config, "api.base_url", fileLabel)}: ${problem}`;
}
/**
 * Reads the admin key (throws ConfigError when none is configured, the file is unreadable, or
 * the base URL would carry it in clear text: every command that calls the API reads it here
 * first, so none sends it over plain HTTP to another machine unless that was allowed).
 */
export function readAdminKey(config, env) {
    const insecure = insecureTransportProblem(config);
    if (insecure !== null)
        throw new ConfigError([insecure]);
    const source = adminKeySource(config, env);
    if (source === null) {
        throw new ConfigError([
            `no admin key: set ${SECRET_ENV.adminKey}, or name a key file with --key-file, OPENAI_ADMIN_KEY_FILE or api.key_file`,
        ]);
    }
    const raw = source.kind === "env" ? (env[source.name] ?? "") : readSecretFile(source.path, "admin key");
    // Registered first, before anything else looks at it.
    const key = raw.trim();
    registerSecret(key);
    return key;
}
/** Reads the SMTP password, or null when none is configured (a relay without authentication). */
export function readSmtpPassword(config, env) {
    const source = smtpPasswordSource(config, env);
    if (source === null)
        return null;
    const password = source.kind === "env" ? (env[source.name] ?? "") : readSecretFile(source.path, "SMTP password");
    registerSecret(password);
    return password;
}
/** How a secret is shown: `set (from OPENAI_ADMIN_KEY)`, `set (from file PATH)` or `not set`. */
export function describeSecret(source) {
    if (source === null)
        return "not set";
    return source.kind === "env" ? `set (from ${source.name})` : `set (from file ${source.path})`;
}
/**
 * What `config check` verifies beyond the schema, without printing any secret: that the files
 * the configuration names can be read, that the rule folders exist, and that an SMTP username
 * has a password. One line per problem.
 */
export function checkConfigFiles(config, env, fileLabel = config.file ?? CONFIG_FILE_NAME) {
    const problems = [];
    /** Names where a value came from: the file and key, an environment variable or a flag. */
    const label = (key, index) => `${settingLabel(config, key, fileLabel)}${index === undefined ? "" : `[${index}]`}`;
    const insecure = insecureTransportProblem(config, fileLabel);
    if (insecure !== null)
        problems.push(insecure);
    const key = adminKeySource(config, env);
    if (key?.kind === "file") {
        try {
            readSecretFile(key.path, "admin key");
        }
        catch (error) {
            problems.push(`${label("api.key_file")}: ${error.message}`);
        }
    }
    const password = smtpPasswordSource(config, env);
    if (password?.kind === "file") {
        try {
            readSecretFile(password.path, "SMTP password");
        }
        catch (error) {
            problems.push(`${label("email.smtp.password_file")}: ${error.message}`);
        }
    }
    if (config.email.enabled && config.email.smtp.username !== null && password === null) {
        problems.push(`${label("email.smtp.password_file")}: expected a password for email.smtp.username, got nothing: set ${SECRET_ENV.smtpPassword} or email.smtp.password_file`);
    }
    const caFile = config.email.smtp.caFile;
    if (caFile !== null) {
        try {
            readFileSync(caFile, "utf8");
        }
        catch (error) {
            problems.push(`${label("email.smtp.ca_file")}: cannot read ${caFile} (${errorCode(error)})`);
        }
    }
    config.analysis.ruleDirs.forEach((dir, index) => {
        let isDir = false;
        try {
            isDir = statSync(dir).isDirectory();
        }
        catch {
            isDir = false;
        }
        if (!isDir) {
            problems.push(`${label("analysis.rules", index)}: expected a folder of rules, got ${dir}`);
        }
    });
    return problems;
}
/**
 * The whole check `config check` makes: load, validate, then the files named. Every problem is
 * returned (one line each) rather than thrown, with the configuration when it loaded.
 */
export async function checkConfig(options) {
    const label = options.path ?? (options.env.ACCESS_AUDIT_CONFIG || CONFIG_FILE_NAME);
    try {
        const config = await loadConfig(options);
        return { config, problems: checkConfigFiles(config, options.env, label) };
    }
    catch (error) {
        if (!(error instanceof ConfigError))
            throw error;
        return { config: null, problems: error.problems };
    }
}
//# sourceMappingURL=secrets.js.map