/**
 * The CLI's only way to the terminal. Text passes through `terminalText` (every hidden
 * character but the layout's line breaks and tabs revealed), JSON through `terminalJson` (exact
 * values, hidden characters as `\u` escapes): no escape sequence or bidi override from a name
 * reaches the operator's terminal raw, whatever a command's formatter forgot. Everything printed
 * is masked by the redactor too, like every error and log line.
 */
import { once } from "node:events";
import { terminalJson, terminalText } from "../render/text.js";
import { redactSecrets } from "../util/log.js";

export { terminalJson };

export function writeOut(text: string): void {
  process.stdout.write(redactSecrets(terminalText(text)));
}

/**
 * `writeOut` for output written piece by piece: waits while stdout's buffer is full, so a long
 * listing never queues up in memory. Each piece is masked alone: never split a value across two.
 */
export async function writeOutPiece(text: string): Promise<void> {
  if (!process.stdout.write(redactSecrets(terminalText(text)))) await once(process.stdout, "drain");
}

export function writeErr(text: string): void {
  process.stderr.write(redactSecrets(terminalText(text)));
}

/**
 * Writes `{...head, [listKey]: [items]}` and a line break, byte for byte as
 * `terminalJson(document) + "\n"` would, but batch by batch: a list of a million access paths
 * is never held whole, nor as one string (V8 caps a string at 512 MB). `listKey` is the
 * document's last key.
 */
export async function writeJsonWithList(
  head: Readonly<Record<string, unknown>>,
  listKey: string,
  batches: AsyncIterable<readonly unknown[]>,
  write: (text: string) => Promise<void> | void = writeOutPiece,
): Promise<void> {
  const empty = terminalJson({ ...head, [listKey]: [] });
  const closing = "[]\n}";
  if (!empty.endsWith(`${JSON.stringify(listKey)}: ${closing}`)) {
    throw new Error(`${listKey} must be the last key of the document`);
  }
  const opening = empty.slice(0, -closing.length);
  let items = 0;
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    // Each item at the list's depth: 4 spaces before each of its lines.
    const text = batch.map((item) => `    ${terminalJson(item).replaceAll("\n", "\n    ")}`);
    await write(`${items === 0 ? `${opening}[\n` : ",\n"}${text.join(",\n")}`);
    items += batch.length;
  }
  await write(items === 0 ? `${opening}${closing}\n` : "\n  ]\n}\n");
}
