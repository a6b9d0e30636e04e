/**
 * Configuration: one YAML file (`access-audit.config.yaml`, see schema.ts for its format),
 * environment variables and flags merged into a validated EffectiveConfig; secrets read lazily.
 */
// From the light modules, not the client: the configuration must not load the transport.
export { DEFAULT_BASE_URL } from "../api/base-url.js";
export { DEFAULT_CONCURRENCY } from "../api/limits.js";
export { CONFIG_ENV, ConfigError, DEFAULT_CRON, DEFAULT_DATABASE_PATH, DEFAULT_REPORT_DIR, DEFAULT_REPORT_FORMATS, DEFAULT_TIMEZONE, loadConfig, } from "./load.js";
export { redactedConfig, redactedConfigYaml } from "./redact.js";
export { CONFIG_FILE_NAME, configFileSchema, isValidTimeZone, REPORT_FORMATS, SEND_POLICIES, SMTP_SECURITY, } from "./schema.js";
export { adminKeySource, checkConfig, checkConfigFiles, describeSecret, insecureTransportProblem, readAdminKey, readSmtpPassword, registerEnvironmentSecrets, SECRET_ENV, smtpPasswordSource, } from "./secrets.js";
//# sourceMappingURL=index.js.map