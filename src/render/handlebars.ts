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

/** A helper as Handlebars calls it: the arguments, then its options object. */
export type Helper = Handlebars.HelperDelegate;

export interface TemplateEnvironmentOptions {
  /** Helpers whose result is escaped like any value. */
  helpers?: Readonly<Record<string, Helper>>;
  /** Helpers whose result is inserted as markup (each must say why it is safe). */
  rawHelpers?: Readonly<Record<string, (...args: unknown[]) => string>>;
  /** Partials by name, as template source. */
  partials?: Readonly<Record<string, string>>;
  /**
   * `false` only for text/plain output (an email's text part), where HTML entities would garble
   * the text and nothing interprets markup.
   */
  escapeHtml?: boolean;
  /** Handlebars' `knownHelpersOnly` (default true): an unknown helper fails at compile time. */
  knownHelpersOnly?: boolean;
}

export interface TemplateEnvironment {
  compile<T>(source: string, file: string): Handlebars.TemplateDelegate<T>;
}

/** Where a template writes a value unescaped (`{{{x}}}`, `{{& x}}`), as `file:line:column`. */
export function unescapedOutput(source: string, file: string): string[] {
  const found: string[] = [];
  class Finder extends Handlebars.Visitor {
    override MustacheStatement(mustache: hbs.AST.MustacheStatement): void {
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
export function assertEscapedOnly(source: string, file: string): void {
  const places = unescapedOutput(source, file);
  if (places.length > 0) {
    throw new Error(
      `unescaped output ({{{ }}} or {{& }}) is not allowed in templates: ${places.join(", ")}`,
    );
  }
}

export function createTemplateEnvironment(
  options: TemplateEnvironmentOptions = {},
): TemplateEnvironment {
  const hb = Handlebars.create();
  const known: Record<string, boolean> = {};
  for (const [name, helper] of Object.entries(options.helpers ?? {})) {
    hb.registerHelper(name, helper);
    known[name] = true;
  }
  for (const [name, helper] of Object.entries(options.rawHelpers ?? {})) {
    hb.registerHelper(name, (...args: unknown[]) => new hb.SafeString(helper(...args)));
    known[name] = true;
  }
  const compileOptions: CompileOptions = {
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
    compile<T>(source: string, file: string) {
      assertEscapedOnly(source, file);
      return hb.compile<T>(source, compileOptions);
    },
  };
}
