/**
 * The one way templates are compiled (the HTML report, its partials, the sign-off, the email):
 * each output gets its own isolated Handlebars environment (never the global instance), strict
 * about missing values and limited to the helpers it registers, and unescaped output is refused
 * when a template is compiled: a `{{{ }}}` or `{{& }}` anywhere is an error, not a review item.
 * Helpers return plain strings, which the template escapes; the only markup that bypasses
 * escaping is what a registered `raw` helper returns, and those are listed by name where the
 * environment is made (the package's own CSS and script, JSON already escaped for a script
 * element), never data from the API.
 */
import Handlebars from "handlebars";
/** Where a template writes a value unescaped (`{{{x}}}`, `{{& x}}`), as `file:line:column`. */
export function unescapedOutput(source, file) {
    const found = [];
    class Finder extends Handlebars.Visitor {
        MustacheStatement(mustache) {
            if (!mustache.escaped) {
                found.push(`${file}:${mustache.loc.start.line}:${mustache.loc.start.column + 1}`);
            }
            super.MustacheStatement(mustache);
        }
    }
    new Finder().accept(Handlebars.parse(source));
    return found;
}
/** Refuses a template with unescaped output, naming every place. */
export function assertEscapedOnly(source, file) {
    const places = unescapedOutput(source, file);
    if (places.length > 0) {
        throw new Error(`unescaped output ({{{ }}} or {{& }}) is not allowed in templates: ${places.join(", ")}`);
    }
}
export function createTemplateEnvironment(options = {}) {
    const hb = Handlebars.create();
    const known = {};
    for (const [name, helper] of Object.entries(options.helpers ?? {})) {
        hb.registerHelper(name, helper);
        known[name] = true;
    }
    for (const [name, helper] of Object.entries(options.rawHelpers ?? {})) {
        hb.registerHelper(name, (...args) => new hb.SafeString(helper(...args)));
        known[name] = true;
    }
    const compileOptions = {
        strict: true,
        noEscape: options.escapeHtml === false,
        knownHelpersOnly: options.knownHelpersOnly ?? true,
        knownHelpers: known,
        preventIndent: true,
    };
    for (const [name, source] of Object.entries(options.partials ?? {})) {
        assertEscapedOnly(source, name);
        hb.registerPartial(name, hb.compile(source, compileOptions));
    }
    return {
        compile(source, file) {
            assertEscapedOnly(source, file);
            return hb.compile(source, compileOptions);
        },
    };
}
//# sourceMappingURL=handlebars.js.map