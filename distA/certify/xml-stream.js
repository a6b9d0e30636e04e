/**
 * A streaming XML tokenizer for the parts of a returned workbook (workbook-read.ts), bounded by
 * construction: it holds at most one tag (`maxTagChars`, attributes included), one run of text
 * and only while its handler asks for it (`capture`, at most `maxTextChars`), and the stack of
 * open elements (`maxDepth`); comments and processing instructions are skipped without being
 * kept. It reads what a spreadsheet writes: elements, attributes, character and the five
 * predefined entity references, CDATA sections, comments and processing instructions. A
 * document type declaration (the only way to define entities) is refused, as is anything not
 * well-formed that it meets (a bare `&`, an unknown entity, a mismatched end tag, content after
 * the document element, a truncated document). Line ends in text are normalised as XML requires
 * (CR LF and a lone CR become LF); a character reference such as `&#13;` is kept as written.
 */
export class XmlError extends Error {
}
/** The local part of a qualified name (`x:row` -> `row`). */
export const localName = (name) => name.slice(name.indexOf(":") + 1);
const NAMED = {
    lt: "<",
    gt: ">",
    amp: "&",
    quot: '"',
    apos: "'",
};
const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/y;
function isXmlChar(cp) {
    return (cp === 0x9 ||
        cp === 0xa ||
        cp === 0xd ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) ||
        (cp >= 0x10000 && cp <= 0x10ffff));
}
/** Replaces entity and character references; throws on a bare `&` or an unknown entity. */
export function decodeEntities(raw) {
    let amp = raw.indexOf("&");
    if (amp < 0)
        return raw;
    let out = "";
    let last = 0;
    while (amp >= 0) {
        ENTITY.lastIndex = amp;
        const m = ENTITY.exec(raw);
        if (m === null)
            throw new XmlError("a bare '&' or an undefined entity");
        let value;
        if (m[1] !== undefined) {
            value = NAMED[m[1]] ?? "";
        }
        else {
            const cp = m[2] !== undefined ? Number(m[2]) : Number.parseInt(m[3] ?? "", 16);
            if (!isXmlChar(cp))
                throw new XmlError(`a reference to a character XML forbids (${cp})`);
            value = String.fromCodePoint(cp);
        }
        out += raw.slice(last, amp) + value;
        last = ENTITY.lastIndex;
        amp = raw.indexOf("&", last);
    }
    return out + raw.slice(last);
}
const normaliseEol = (text) => text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
const ATTRIBUTE = /\s*([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
export class XmlTokenizer {
    limits;
    /** Set by the handler (usually in `open`): keep the text of what follows. */
    capture = false;
    state = "text";
    /** The tag being read, a declaration's first characters, or captured raw text. */
    buffer = "";
    /** The last characters of a comment, PI or CDATA section, for its terminator. */
    tail = "";
    quote = 0;
    stack = [];
    started = false;
    finished = false;
    first = true;
    /** Where the events go; set before the first `write`. */
    handler = { open() { }, close() { }, text() { } };
    constructor(limits) {
        this.limits = limits;
    }
    write(input) {
        let chunk = input;
        if (this.first) {
            this.first = false;
            if (chunk.charCodeAt(0) === 0xfeff)
                chunk = chunk.slice(1);
        }
        const n = chunk.length;
        let i = 0;
        while (i < n) {
            switch (this.state) {
                case "text": {
                    const lt = chunk.indexOf("<", i);
                    const end = lt < 0 ? n : lt;
                    if (this.capture && end > i)
                        this.keepText(chunk.slice(i, end));
                    if (lt < 0) {
                        i = n;
                        break;
                    }
                    this.flushText();
                    i = lt + 1;
                    this.state = "lt";
                    break;
                }
                case "lt": {
                    const c = chunk[i];
                    this.buffer = "";
                    if (c === "/") {
                        this.state = "end-tag";
                        i++;
                    }
                    else if (c === "?") {
                        this.state = "pi";
                        this.tail = "";
                        i++;
                    }
                    else if (c === "!") {
                        this.state = "bang";
                        i++;
                    }
                    else {
                        this.state = "tag";
                        this.quote = 0;
                    }
                    break;
                }
                case "bang": {
                    this.buffer += chunk[i++];
                    if (this.buffer === "--") {
                        this.state = "comment";
                        this.tail = "";
                        this.buffer = "";
                    }
                    else if (this.buffer === "[CDATA[") {
                        this.state = "cdata";
                        this.tail = "";
                        this.buffer = "";
                    }
                    else if (!"--".startsWith(this.buffer) && !"[CDATA[".startsWith(this.buffer)) {
                        throw new XmlError("a document type or other declaration (not accepted)");
                    }
                    break;
                }
                case "comment":
                case "pi": {
                    const terminator = this.state === "comment" ? "-->" : "?>";
                    const data = this.tail + chunk.slice(i);
                    const at = data.indexOf(terminator);
                    if (at < 0) {
                        this.tail = data.slice(-(terminator.length - 1));
                        i = n;
                    }
                    else {
                        i += at + terminator.length - this.tail.length;
                        this.tail = "";
                        this.state = "text";
                    }
                    break;
                }
                case "cdata": {
                    const data = this.tail + chunk.slice(i);
                    const at = data.indexOf("]]>");
                    if (at < 0) {
                        const keep = Math.min(2, data.length);
                        if (this.capture)
                            this.keepText(data.slice(0, data.length - keep));
                        this.tail = data.slice(data.length - keep);
                        i = n;
                    }
                    else {
                        if (this.capture)
                            this.keepText(data.slice(0, at));
                        i += at + 3 - this.tail.length;
                        this.tail = "";
                        this.flushText(true);
                        this.state = "text";
                    }
                    break;
                }
                case "tag":
                case "end-tag": {
                    const start = i;
                    let quote = this.quote;
                    for (; i < n; i++) {
                        const c = chunk.charCodeAt(i);
                        if (quote !== 0) {
                            if (c === quote)
                                quote = 0;
                        }
                        else if (c === 0x22 || c === 0x27) {
                            quote = c;
                        }
                        else if (c === 0x3e) {
                            break;
                        }
                    }
                    this.quote = quote;
                    this.buffer += chunk.slice(start, i);
                    if (this.buffer.length > this.limits.maxTagChars) {
                        throw new XmlError(`a tag longer than ${this.limits.maxTagChars} characters`);
                    }
                    if (i < n) {
                        i++;
                        const tag = this.buffer;
                        this.buffer = "";
                        if (this.state === "tag")
                            this.openTag(tag);
                        else
                            this.endTag(tag);
                        this.state = "text";
                    }
                    break;
                }
            }
        }
    }
    /** The end of the document: anything left open is a truncated document. */
    end() {
        if (this.state !== "text" || this.stack.length > 0 || !this.started) {
            throw new XmlError("the document ends before its document element does");
        }
        this.flushText();
    }
    keepText(raw) {
        this.buffer += raw;
        if (this.buffer.length > this.limits.maxTextChars) {
            throw new XmlError(`a text longer than ${this.limits.maxTextChars} characters`);
        }
    }
    flushText(cdata = false) {
        if (this.buffer === "")
            return;
        const raw = normaliseEol(this.buffer);
        this.buffer = "";
        this.handler.text(cdata ? raw : decodeEntities(raw));
    }
    openTag(tag) {
        let body = tag;
        const empty = body.endsWith("/");
        if (empty)
            body = body.slice(0, -1);
        const name = /^[^\s/>"'=]+/.exec(body)?.[0];
        if (name === undefined)
            throw new XmlError("a tag without a name");
        if (this.finished)
            throw new XmlError("content after the document element");
        const attributes = {};
        let at = name.length;
        while (at < body.length) {
            ATTRIBUTE.lastIndex = at;
            const m = ATTRIBUTE.exec(body);
            if (m === null) {
                if (body.slice(at).trim() === "")
                    break;
                throw new XmlError(`a malformed tag <${name.slice(0, 40)}>`);
            }
            const key = m[1];
            if (Object.hasOwn(attributes, key)) {
                throw new XmlError(`attribute ${key.slice(0, 40)} given twice`);
            }
            attributes[key] = decodeEntities((m[2] ?? m[3] ?? "").replace(/[\t\n\r]/g, " "));
            at = ATTRIBUTE.lastIndex;
        }
        this.started = true;
        this.capture = false;
        this.handler.open(name, attributes);
        if (empty) {
            this.capture = false;
            this.handler.close(name);
            if (this.stack.length === 0)
                this.finished = true;
        }
        else {
            if (this.stack.length >= this.limits.maxDepth) {
                throw new XmlError(`elements nested deeper than ${this.limits.maxDepth}`);
            }
            this.stack.push(name);
        }
    }
    endTag(tag) {
        const name = tag.trim();
        const open = this.stack.pop();
        if (open !== name) {
            throw new XmlError(`end tag </${name.slice(0, 40)}> does not match <${(open ?? "").slice(0, 40)}>`);
        }
        this.capture = false;
        this.handler.close(name);
        if (this.stack.length === 0)
            this.finished = true;
    }
}
//# sourceMappingURL=xml-stream.js.map