/**
 * A workbook's zip, compressed on a worker thread. exceljs's streaming writer hands its zip
 * (archiver) every part of the workbook; on one thread, archiver's own JavaScript (checksums,
 * stream plumbing, feeding zlib) took turns with rendering the rows, and a million-row sheet
 * spent about a third of its time waiting for it. `ThreadZip` stands where exceljs expects its
 * archiver: it passes each entry, in order, to the same archiver running on a worker thread,
 * which writes the file. Same archiver, options, entries and dates: the same bytes.
 */
import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { Writable } from "node:stream";
import { Worker } from "node:worker_threads";
/**
 * The worker: archiver writing to the file it opens (owner-only, as any report file), which it
 * also closes. A chunk message is acknowledged once its entry's buffer has room again, so
 * the main thread never runs more than a buffer ahead. Plain JavaScript (an `eval` worker): it
 * runs the same whether this module was loaded compiled or from its TypeScript source.
 */
const WORKER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { createWriteStream } = require("node:fs");
const { PassThrough } = require("node:stream");
const archiver = require(workerData.archiver);
const out = createWriteStream(workerData.path, { mode: 0o600 });
// exceljs creates its archiver with no options: the same defaults here, the same bytes.
const zip = archiver("zip", {});
const entries = new Map();
let failed = false;
const fail = (error) => {
  if (failed) return;
  failed = true;
  parentPort.postMessage({ type: "error", message: String(error && error.message || error), code: error && error.code });
};
zip.on("error", fail);
out.on("error", fail);
out.once("open", () => parentPort.postMessage({ type: "opened" }));
zip.pipe(out);
parentPort.on("message", (m) => {
  if (failed && m.type !== "abort") return;
  switch (m.type) {
    case "entry":
      // A Buffer arrives as a Uint8Array: archiver takes strings, Buffers and streams.
      zip.append(typeof m.content === "string" ? m.content : Buffer.from(m.content.buffer, m.content.byteOffset, m.content.byteLength), m.date === undefined ? { name: m.name } : { name: m.name, date: m.date });
      break;
    case "open": {
      const entry = new PassThrough({ highWaterMark: workerData.entryBuffer });
      entries.set(m.id, entry);
      zip.append(entry, m.date === undefined ? { name: m.name } : { name: m.name, date: m.date });
      break;
    }
    case "chunks": {
      const entry = entries.get(m.id);
      let room = true;
      for (const chunk of m.chunks) room = entry.write(chunk);
      if (room) parentPort.postMessage({ type: "ack", id: m.id });
      else entry.once("drain", () => parentPort.postMessage({ type: "ack", id: m.id }));
      break;
    }
    case "end":
      entries.get(m.id).end();
      entries.delete(m.id);
      break;
    case "finalize":
      // Done once the file is closed: every byte written.
      out.once("close", () => { if (!failed) parentPort.postMessage({ type: "done" }); });
      zip.finalize().catch(fail);
      break;
    case "abort":
      // Reported once the file is closed (after any write in progress).
      failed = true;
      try { zip.abort(); } catch {}
      if (out.closed) parentPort.postMessage({ type: "aborted" });
      else {
        out.once("close", () => parentPort.postMessage({ type: "aborted" }));
        out.destroy();
      }
      break;
  }
});
`;
/** Bytes an entry may hold on either side before its writer waits. */
const ENTRY_BUFFER_BYTES = 1024 * 1024;
let archiverPath;
/** The archiver exceljs itself requires (its dependency, resolved from exceljs). */
function resolveArchiver() {
    if (archiverPath === undefined) {
        const require = createRequire(import.meta.url);
        archiverPath = createRequire(require.resolve("exceljs")).resolve("archiver");
    }
    return archiverPath;
}
/**
 * The memory of a chunk written to an entry, when the chunk is all of it: moved to the worker
 * rather than copied (the chunk is left empty here). exceljs's StreamBuf hands over buffers of
 * its own, which nothing reads again; a slice of shared memory (Node's small-buffer pool) is
 * copied. Moving them saved about 2 s of a million-membership workbook (three runs each).
 */
function ownMemory(chunk) {
    const memory = chunk.buffer;
    return memory instanceof ArrayBuffer &&
        chunk.byteOffset === 0 &&
        chunk.byteLength === memory.byteLength
        ? [memory]
        : [];
}
function isPipingSource(source) {
    return (typeof source === "object" &&
        source !== null &&
        typeof source.pipe === "function");
}
/**
 * archiver's interface as exceljs's WorkbookWriter uses it (`append`, `pipe`, `finalize`,
 * `abort`, the `error` event), backed by the worker. `pipe` names the stream exceljs waits on:
 * it ends when the worker has written and closed the whole file.
 */
export class ThreadZip extends EventEmitter {
    /** Rejects with the first failure (the file, the zip or the thread); never resolves. */
    failed;
    worker;
    exited;
    isOpen;
    done;
    aborted;
    reject = () => { };
    signal = {};
    failure = null;
    nextId = 0;
    acks = new Map();
    finished = null;
    finalizing = null;
    stopping = null;
    running = true;
    /** Starts the worker, which creates (or truncates) `path`: see `opened`. */
    constructor(path) {
        super();
        this.failed = new Promise((_, reject) => {
            this.reject = reject;
        });
        this.failed.catch(() => { }); // observed by whoever races it
        this.isOpen = new Promise((resolve) => {
            this.signal.opened = resolve;
        });
        this.done = new Promise((resolve) => {
            this.signal.done = resolve;
        });
        this.aborted = new Promise((resolve) => {
            this.signal.aborted = resolve;
        });
        this.worker = new Worker(WORKER_SOURCE, {
            eval: true,
            workerData: { archiver: resolveArchiver(), path, entryBuffer: ENTRY_BUFFER_BYTES },
        });
        this.worker.on("message", (m) => this.received(m));
        this.worker.on("error", (error) => this.fail(error));
        this.exited = new Promise((resolve) => {
            this.worker.once("exit", () => {
                this.running = false;
                if (this.finalizing === null && this.stopping === null) {
                    this.fail(new Error("the workbook's zip thread stopped"));
                }
                resolve();
            });
        });
    }
    /** Resolves once the file is open for writing; rejects with the error that kept it closed. */
    opened() {
        return Promise.race([this.isOpen, this.failed]);
    }
    /** exceljs pipes its archiver to the output stream: here, the stream that ends when done. */
    pipe(destination) {
        this.finished = destination;
        return destination;
    }
    append(source, data) {
        const id = this.nextId++;
        if (typeof source === "string" || Buffer.isBuffer(source)) {
            this.post({ type: "entry", id, name: data.name, date: data.date, content: source });
        }
        else if (isPipingSource(source)) {
            this.post({ type: "open", id, name: data.name, date: data.date });
            source.pipe(this.entryWriter(id));
        }
        else {
            throw new Error(`zip entry ${data.name}: unsupported content`);
        }
        return this;
    }
    /**
     * Resolves once the worker has written every entry and the zip's end, and closed the file.
     * exceljs drops this promise (it waits on the piped stream and the `error` event instead), so
     * it is observed here: a failure cannot end the process as an unhandled rejection.
     */
    finalize() {
        if (this.finalizing === null) {
            this.post({ type: "finalize" });
            this.finalizing = Promise.race([this.done, this.failed]).then(() => {
                this.finished?.end();
            });
            this.finalizing.catch(() => { });
        }
        return this.finalizing;
    }
    /** Stops writing: the worker abandons the archive and closes the file (see `stopped`). */
    abort() {
        if (this.stopping !== null)
            return;
        if (this.running)
            this.worker.postMessage({ type: "abort" });
        this.stopping = Promise.race([this.aborted, this.exited]);
    }
    /** Resolves when the worker has exited, after `finalize` or `abort`: the file is closed. */
    async stopped() {
        if (this.stopping !== null)
            await this.stopping;
        else if (this.finalizing !== null)
            await this.finalizing.catch(() => undefined);
        await this.worker.terminate();
        await this.exited;
    }
    entryWriter(id) {
        return new Writable({
            highWaterMark: ENTRY_BUFFER_BYTES,
            // Everything written while the previous message was in flight goes in one message.
            writev: (chunks, callback) => {
                this.acks.set(id, () => callback());
                const buffers = chunks.map((c) => c.chunk);
                this.post({ type: "chunks", id, chunks: buffers }, [
                    ...new Set(buffers.flatMap(ownMemory)),
                ]);
            },
            final: (callback) => {
                this.post({ type: "end", id });
                callback();
            },
        });
    }
    post(message, transfer = []) {
        if (this.failure === null && this.running)
            this.worker.postMessage(message, transfer);
    }
    received(message) {
        switch (message.type) {
            case "ack": {
                const ack = this.acks.get(message.id);
                this.acks.delete(message.id);
                ack?.();
                break;
            }
            case "error": {
                const error = new Error(message.message);
                if (message.code !== undefined)
                    error.code = message.code;
                this.fail(error);
                break;
            }
            default:
                this.signal[message.type]?.();
        }
    }
    fail(error) {
        if (this.failure !== null)
            return;
        this.failure = error;
        this.reject(error);
        // exceljs listens while it finalizes; nobody else needs the event.
        if (this.listenerCount("error") > 0)
            this.emit("error", error);
    }
}
//# sourceMappingURL=zip-thread.js.map