import { yaml } from "../util/yaml.js";
const oneLine = (message) => message.replace(/\s+/g, " ").trim();
/**
 * Splits `text` into its YAML header and its SQL. Throws with a one-line message when there is
 * no header (`firstKey` names the key it should start with) or it is not valid YAML.
 */
export function parseSqlHeader(text, firstKey) {
    const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
    const header = [];
    let i = 0;
    for (; i < lines.length; i++) {
        const line = lines[i] ?? "";
        if (/^\s*--/.test(line))
            header.push(line.replace(/^\s*--\s?/, ""));
        else if (line.trim() === "" && header.length === 0)
            continue;
        else
            break;
    }
    if (header.length === 0) {
        throw new Error(`no metadata: start the file with \`-- ${firstKey}: ...\` comment lines (YAML)`);
    }
    let meta;
    try {
        meta = yaml().parse(header.join("\n"));
    }
    catch (error) {
        throw new Error(`metadata is not valid YAML: ${oneLine(String(error.message))}`);
    }
    const sql = lines.slice(i).join("\n").trim().replace(/;\s*$/, "").trimEnd();
    return { meta, sql };
}
/** Checks parsed metadata against `schema`; throws `invalid metadata: path: problem; ...`. */
export function checkSqlMeta(schema, meta) {
    const parsed = schema.safeParse(meta);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "metadata"}: ${issue.message}`);
        throw new Error(`invalid metadata: ${oneLine(problems.join("; "))}`);
    }
    return parsed.data;
}
//# sourceMappingURL=sql-header.js.map