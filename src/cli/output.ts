/**
 * The CLI's only way to the terminal. Text passes through `terminalText` (every hidden
 * character but the layout's line breaks and tabs revealed), JSON through `terminalJson` (exact
 * values, hidden characters as `\u` escapes): no escape sequence or bidi override from a name
 * reaches the operator's terminal raw, whatever a command's formatter forgot. Everything printed
 * is masked by the redactor too, like every error and log line.
 */
import { terminalJson, terminalText } from "../render/text.js";
import { redactSecrets } from "../util/log.js";

export { terminalJson };

export function writeOut(text: string): void {
  process.stdout.write(redactSecrets(terminalText(text)));
}

export function writeErr(text: string): void {
  process.stderr.write(redactSecrets(terminalText(text)));
}
