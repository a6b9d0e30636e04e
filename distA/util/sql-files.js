/**
 * The package's shipped SQL (`sql/`), read once per process. A file holds either one statement,
 * or several named ones, each introduced by a `-- name: NAME` line (the aiosql/yesql
 * convention), so that related queries live together and the code names them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageDirectory } from "./package-dir.js";
const texts = new Map();
const named = new Map();
/** `<package>/sql/<relativePath>`. */
export function sqlPath(relativePath) {
    return join(packageDirectory(), "sql", relativePath);
}
/** The whole text of `sql/<relativePath>`. */
export function sqlText(relativePath) {
    let text = texts.get(relativePath);
    if (text === undefined) {
        text = readFileSync(sqlPath(relativePath), "utf8");
        texts.set(relativePath, text);
    }
    return text;
}
const NAME_LINE = /^--\s*name:\s*([A-Za-z_][\w-]*)\s*$/;
/** Splits a file of `-- name: NAME` sections; text before the first name is a header, ignored. */
export function parseNamedSql(text, source = "sql") {
    const statements = new Map();
    let current = null;
    let lines = [];
    const end = () => {
        if (current === null)
            return;
        const body = lines.join("\n").trim().replace(/;\s*$/, "");
        if (body === "")
            throw new Error(`${source}: query ${current} is empty`);
        statements.set(current, body);
    };
    for (const line of text.split(/\r?\n/)) {
        const match = NAME_LINE.exec(line);
        if (match) {
            end();
            const name = match[1];
            if (statements.has(name))
                throw new Error(`${source}: query ${name} is defined twice`);
            current = name;
            lines = [];
        }
        else if (current !== null) {
            lines.push(line);
        }
    }
    end();
    return statements;
}
/** The named statements of `sql/<relativePath>`; `query(name)` throws on an unknown name. */
export function sqlQueries(relativePath) {
    let statements = named.get(relativePath);
    if (statements === undefined) {
        statements = parseNamedSql(sqlText(relativePath), `sql/${relativePath}`);
        named.set(relativePath, statements);
    }
    const found = statements;
    return (name) => {
        const text = found.get(name);
        if (text === undefined)
            throw new Error(`sql/${relativePath} has no query named ${name}`);
        return text;
    };
}
//# sourceMappingURL=sql-files.js.map