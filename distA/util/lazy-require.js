/**
 * A CommonJS package loaded with `require` on the first call of the returned function, and the
 * same module on every call after. For packages only some commands need (DuckDB's client,
 * exceljs, nodemailer): loading each costs a tenth of a second or more at start, which a command
 * that stops earlier, or never uses the package, need not pay. Types come from the package as
 * usual (`import type`).
 */
import { createRequire } from "node:module";
export function lazyRequire(name) {
    const load = createRequire(import.meta.url);
    let loaded;
    return () => {
        loaded ??= load(name);
        return loaded;
    };
}
//# sourceMappingURL=lazy-require.js.map