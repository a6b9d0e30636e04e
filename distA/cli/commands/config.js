import { CONFIG_FILE_NAME, checkConfig, redactedConfig, redactedConfigYaml, } from "../../config/index.js";
import { EXIT } from "../errors.js";
import { terminalJson, writeErr, writeOut } from "../output.js";
export function registerConfig(program) {
    const config = program
        .command("config")
        .description(`Check the configuration file (${CONFIG_FILE_NAME})`);
    config
        .command("check")
        .description("Validate the configuration (file, environment, flags) and print it with secrets redacted; exit 2 when invalid")
        .option("--config <path>", `configuration file (default: $ACCESS_AUDIT_CONFIG or ./${CONFIG_FILE_NAME} if present)`)
        .option("--json", "print JSON: {valid, file, config | problems, sources}")
        .action(async (flags) => {
        const env = process.env;
        const { config: effective, problems } = await checkConfig({
            ...(flags.config === undefined ? {} : { path: flags.config }),
            cwd: process.cwd(),
            env,
        });
        if (effective !== null && problems.length === 0) {
            if (flags.json) {
                writeOut(`${terminalJson({
                    valid: true,
                    file: effective.file,
                    config: redactedConfig(effective, env),
                    sources: effective.sources,
                })}\n`);
            }
            else {
                writeOut(`${effective.file === null ? `no ${CONFIG_FILE_NAME} here: defaults, environment and flags only` : `${effective.file}: valid`}\n` +
                    redactedConfigYaml(effective, env));
            }
            return;
        }
        // Every problem, one line each (other commands stop at the first).
        for (const problem of problems)
            writeErr(`access-audit: ${problem}\n`);
        if (flags.json) {
            writeOut(`${terminalJson({ valid: false, problems })}\n`);
        }
        process.exitCode = EXIT.usage;
    });
}
//# sourceMappingURL=config.js.map