/**
 * The organization audit log (../shared/docs/openai-admin-api-projects.md §12): what the state
 * records for every write (AuditRecorder) and what `GET /organization/audit_logs` serves
 * (AuditLog.page).
 *
 * Order: newest first by `effective_at` (the docs' one example is newest-first: *inference*);
 * events of one second are listed latest-recorded first. A late event (`record` with a past
 * time) takes its sorted place, as a real log's late-arriving event would.
 *
 * Storage is columnar so that a million events fit in a few tens of MB: per event a time, a
 * record number (`seq`), a type, an interned actor and an interned project, in typed arrays kept
 * in ascending (time, seq) order, which the list reads backwards. A time range is found by binary
 * search. Details of recorded events are kept as objects; details of seeded history are rebuilt
 * from the record number (audit-history.ts). Wire events are built per page, never stored.
 *
 * Ids: `audit_log-<16 characters>_<yyyymmdd>` (the spec's example shape is
 * `audit_log-xxx_yyyymmdd`). The 16 characters encode the record number through a keyed
 * permutation plus a keyed check, so they look random, never repeat, and a cursor is found again
 * by decoding it (no id index). They come from keys of their own derived from the seed, so no
 * existing id of the simulator moves.
 */
import { AUDIT_LOG_EVENT_TYPES, eventTypeIndex, isTenantScoped, serviceAccountKeyActor, sessionActor, userKeyActor, } from "./audit-events.js";
import { DEFAULT_PROJECT, NO_PROJECT, synthesize, } from "./audit-history.js";
import { hashString, Prng, ulidLike } from "./prng.js";
import { StateError } from "./records.js";
const DAY = 86_400;
// ---------------------------------------------------------------- ids
const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const ID_VALUE = new Map([...ID_ALPHABET].map((c, i) => [c, i]));
const ID_PATTERN = /^audit_log-([0-9a-z]{16})_(\d{8})$/;
function mix32(x) {
    let h = x | 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
}
/** Event ids from record numbers and back (see the module comment). */
class EventIds {
    rounds;
    checkKey;
    constructor(seed) {
        const base = hashString(`${seed >>> 0}:audit-log-ids`);
        this.rounds = [0, 1, 2, 3].map((i) => mix32(base + i * 0x9e3779b9));
        this.checkKey = mix32(base ^ 0x5bd1e995);
    }
    /** A keyed permutation of 32-bit numbers (a four-round Feistel network on 16-bit halves). */
    permute(x) {
        let l = x >>> 16;
        let r = x & 0xffff;
        for (const k of this.rounds) {
            const next = l ^ (mix32(r ^ k) & 0xffff);
            l = r;
            r = next;
        }
        return ((l << 16) | r) >>> 0;
    }
    unpermute(y) {
        let l = y >>> 16;
        let r = y & 0xffff;
        for (let i = this.rounds.length - 1; i >= 0; i--) {
            const prev = r ^ (mix32(l ^ this.rounds[i]) & 0xffff);
            r = l;
            l = prev;
        }
        return ((l << 16) | r) >>> 0;
    }
    idOf(seq, effectiveAt) {
        const check = mix32(this.checkKey ^ Math.imul(seq + 1, 0x27d4eb2f));
        // 7 characters: the permuted number and 3 bits of the check, so the first one varies too.
        let v = this.permute(seq) + (check & 7) * 4294967296;
        let head = "";
        for (let i = 0; i < 7; i++) {
            head = ID_ALPHABET.charAt(v % 32) + head;
            v = Math.floor(v / 32);
        }
        let tail = "";
        for (let i = 0; i < 9; i++) {
            tail += ID_ALPHABET.charAt(mix32(check + i * 0x61c88647) & 31);
        }
        const d = new Date(Math.trunc(effectiveAt) * 1000);
        const day = Number.isNaN(d.getTime())
            ? "19700101"
            : `${d.getUTCFullYear()}`.padStart(4, "0").slice(-4) +
                `${d.getUTCMonth() + 1}`.padStart(2, "0") +
                `${d.getUTCDate()}`.padStart(2, "0");
        return `audit_log-${head}${tail}_${day}`;
    }
    /** The record number an id claims (to be verified against idOf), or undefined. */
    seqOf(id) {
        const match = ID_PATTERN.exec(id);
        if (match === null)
            return undefined;
        const token = match[1];
        let v = 0;
        for (let i = 0; i < 7; i++)
            v = v * 32 + ID_VALUE.get(token.charAt(i));
        return this.unpermute(v % 4294967296);
    }
}
// ---------------------------------------------------------------- columns
/** Growable typed columns, in ascending (time, seq) order. */
class Rows {
    count = 0;
    time = new Float64Array(0);
    seq = new Uint32Array(0);
    type = new Uint8Array(0);
    actor = new Uint32Array(0);
    project = new Int32Array(0);
    reserve(capacity) {
        if (capacity <= this.time.length)
            return;
        const grow = (old, make) => {
            const next = make(capacity);
            next.set(old.subarray(0, this.count));
            return next;
        };
        this.time = grow(this.time, (n) => new Float64Array(n));
        this.seq = grow(this.seq, (n) => new Uint32Array(n));
        this.type = grow(this.type, (n) => new Uint8Array(n));
        this.actor = grow(this.actor, (n) => new Uint32Array(n));
        this.project = grow(this.project, (n) => new Int32Array(n));
    }
    /** Inserts a row at `pos`, shifting the later ones. */
    insert(pos, t, seq, type, actor, project) {
        if (this.count === this.time.length)
            this.reserve(Math.max(64, this.count * 2));
        if (pos < this.count) {
            this.time.copyWithin(pos + 1, pos, this.count);
            this.seq.copyWithin(pos + 1, pos, this.count);
            this.type.copyWithin(pos + 1, pos, this.count);
            this.actor.copyWithin(pos + 1, pos, this.count);
            this.project.copyWithin(pos + 1, pos, this.count);
        }
        this.time[pos] = t;
        this.seq[pos] = seq;
        this.type[pos] = type;
        this.actor[pos] = actor;
        this.project[pos] = project;
        this.count++;
    }
    /** First row whose time is >= t (strict: > t). */
    timeBound(t, strict) {
        let lo = 0;
        let hi = this.count;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            const v = this.time[mid];
            if (v < t || (strict && v === t))
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
}
/** The events, newest first (see the module comment). */
export class AuditLog {
    rows = new Rows();
    /** seq -> effective_at, to find a cursor's row. */
    seqTime = new Float64Array(0);
    nextSeq = 0;
    /** Details of recorded (not seeded) events, by seq. */
    details = new Map();
    actors = [];
    actorIndex = new Map();
    projects = [];
    projectIndex = new Map();
    ids;
    historyKey;
    history;
    constructor(seed) {
        this.ids = new EventIds(seed);
        this.historyKey = hashString(`${seed >>> 0}:audit-history-events`);
    }
    get count() {
        return this.rows.count;
    }
    /** The time after which seeded history ends (-Infinity without history). */
    get historyEnd() {
        return this.history?.end ?? Number.NEGATIVE_INFINITY;
    }
    internActor(wire, source) {
        const key = JSON.stringify([wire, source ?? null]);
        const known = this.actorIndex.get(key);
        if (known !== undefined)
            return known;
        const ids = [];
        const emails = [];
        if (wire?.type === "session") {
            ids.push(wire.session.user.id);
            if (wire.session.user.email !== undefined)
                emails.push(wire.session.user.email.toLowerCase());
        }
        else if (wire?.type === "api_key") {
            ids.push(wire.api_key.id);
            if (wire.api_key.user !== undefined) {
                ids.push(wire.api_key.user.id);
                if (wire.api_key.user.email !== undefined) {
                    emails.push(wire.api_key.user.email.toLowerCase());
                }
            }
            if (wire.api_key.service_account !== undefined)
                ids.push(wire.api_key.service_account.id);
        }
        const index = this.actors.push({
            wire: wire === null ? null : structuredClone(wire),
            source,
            ids,
            emails,
        }) - 1;
        this.actorIndex.set(key, index);
        return index;
    }
    internProject(project) {
        if (project === undefined)
            return -1;
        const key = `${project.id}\u0000${project.name}`;
        const known = this.projectIndex.get(key);
        if (known !== undefined)
            return known;
        const index = this.projects.push({ id: project.id, name: project.name }) - 1;
        this.projectIndex.set(key, index);
        return index;
    }
    allocateSeq(effectiveAt) {
        const seq = this.nextSeq++;
        if (seq >= this.seqTime.length) {
            const next = new Float64Array(Math.max(64, this.seqTime.length * 2));
            next.set(this.seqTime);
            this.seqTime = next;
        }
        this.seqTime[seq] = effectiveAt;
        return seq;
    }
    /** Stores an event at its sorted place (after every event of the same second) and returns it. */
    append(event) {
        const seq = this.allocateSeq(event.effectiveAt);
        this.details.set(seq, structuredClone(event.detail));
        const pos = this.rows.timeBound(event.effectiveAt, true);
        this.rows.insert(pos, event.effectiveAt, seq, eventTypeIndex(event.type), this.internActor(event.actor, event.source), this.internProject(event.project));
        return this.wireAt(pos);
    }
    /**
     * Seeds `count` historical events spread over the `days` before `now` (ending a minute before
     * it), drawn from `sources` (see audit-history.ts). Only into an empty log.
     */
    seedHistory(count, sources, now, options = {}) {
        if (this.rows.count > 0 || this.history !== undefined) {
            throw new StateError("invalid", "Audit history can only be seeded into an empty log.");
        }
        const n = Math.max(0, Math.floor(count));
        if (n === 0)
            return;
        const days = Math.max(1, options.days ?? 180);
        const from = Math.floor(now - days * DAY);
        const span = Math.max(1, Math.floor(now) - 60 - from);
        const rng = new Prng(this.historyKey, "audit-history-times");
        const times = new Float64Array(n);
        for (let i = 0; i < n; i++)
            times[i] = from + rng.int(span);
        times.sort();
        const frozen = structuredClone(sources);
        this.rows.reserve(n + 64);
        this.seqTime = new Float64Array(n + 64);
        this.seqTime.set(times);
        this.nextSeq = n;
        const actorOf = new Map();
        const internHistoryActor = (a) => {
            const key = a.kind === "session"
                ? `s:${a.user.id}`
                : a.kind === "scim"
                    ? "scim"
                    : `${a.kind}:${a.index}`;
            let index = actorOf.get(key);
            if (index === undefined) {
                index = this.internActor(...historyActorWire(frozen, a));
                actorOf.set(key, index);
            }
            return index;
        };
        const projectOf = frozen.projects.map((p) => this.internProject(p));
        const defaultProject = this.internProject(frozen.defaultProject);
        const r = this.rows;
        for (let seq = 0; seq < n; seq++) {
            const t = times[seq];
            const e = synthesize(frozen, this.historyKey, seq, t, false);
            r.time[seq] = t;
            r.seq[seq] = seq;
            r.type[seq] = eventTypeIndex(e.type);
            r.actor[seq] = internHistoryActor(e.actor);
            r.project[seq] =
                e.project === NO_PROJECT
                    ? -1
                    : e.project === DEFAULT_PROJECT
                        ? defaultProject
                        : projectOf[e.project];
        }
        r.count = n;
        this.history = { sources: frozen, count: n, end: times[n - 1] };
    }
    /** An event's detail: the stored object itself (do not change it) or a fresh synthetic one. */
    rawDetail(seq, effectiveAt) {
        const stored = this.details.get(seq);
        if (stored !== undefined)
            return stored;
        const h = this.history;
        if (h === undefined || seq >= h.count)
            return {};
        return synthesize(h.sources, this.historyKey, seq, effectiveAt, true).detail ?? {};
    }
    /** An event's detail, the caller's to keep. */
    detailOf(seq, effectiveAt) {
        const stored = this.details.get(seq);
        return stored !== undefined ? structuredClone(stored) : this.rawDetail(seq, effectiveAt);
    }
    wireAt(row) {
        const r = this.rows;
        const seq = r.seq[row];
        const t = r.time[row];
        const type = AUDIT_LOG_EVENT_TYPES[r.type[row]];
        // Key order: id, type, effective_at, project, actor, source, detail.
        const event = { id: this.ids.idOf(seq, t), type, effective_at: t };
        const project = r.project[row];
        if (project >= 0) {
            const p = this.projects[project];
            event.project = { id: p.id, name: p.name };
        }
        const actor = this.actors[r.actor[row]];
        event.actor = cloneActor(actor.wire);
        if (actor.source !== undefined)
            event.source = actor.source;
        event[type] = this.detailOf(seq, t);
        return event;
    }
    /** The row of an event id, or undefined for an id that is not one of this log's. */
    rowOf(id) {
        const seq = this.ids.seqOf(id);
        if (seq === undefined || seq >= this.nextSeq)
            return undefined;
        const t = this.seqTime[seq];
        if (this.ids.idOf(seq, t) !== id)
            return undefined;
        const r = this.rows;
        let lo = 0;
        let hi = r.count;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            const mt = r.time[mid];
            if (mt < t || (mt === t && r.seq[mid] < seq))
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < r.count && r.seq[lo] === seq ? lo : undefined;
    }
    /** Whether `id` is an event of this log. */
    has(id) {
        return this.rowOf(id) !== undefined;
    }
    get(id) {
        const row = this.rowOf(id);
        return row === undefined ? undefined : this.wireAt(row);
    }
    /** The ids a filter on `resource_ids[]` matches in an event's detail. */
    resourceIdsOf(row) {
        const r = this.rows;
        const seq = r.seq[row];
        const detail = this.rawDetail(seq, r.time[row]);
        const out = [];
        if (typeof detail.id === "string")
            out.push(detail.id);
        const type = AUDIT_LOG_EVENT_TYPES[r.type[row]];
        if (type === "role.assignment.created" || type === "role.assignment.deleted") {
            if (typeof detail.principal_id === "string")
                out.push(detail.principal_id);
            if (typeof detail.resource_id === "string")
                out.push(detail.resource_id);
        }
        return out;
    }
    /** A predicate over rows for the query's filters other than time and cursors. */
    matcher(q) {
        const r = this.rows;
        const types = new Uint8Array(AUDIT_LOG_EVENT_TYPES.length);
        const wanted = q.eventTypes !== undefined && q.eventTypes.length > 0 ? new Set(q.eventTypes) : undefined;
        AUDIT_LOG_EVENT_TYPES.forEach((type, i) => {
            const scoped = isTenantScoped(type) === (q.tenantOnly === true);
            types[i] = scoped && (wanted === undefined || wanted.has(type)) ? 1 : 0;
        });
        let actors;
        const actorIds = q.actorIds !== undefined && q.actorIds.length > 0 ? new Set(q.actorIds) : undefined;
        const actorEmails = q.actorEmails !== undefined && q.actorEmails.length > 0
            ? new Set(q.actorEmails.map((e) => e.toLowerCase()))
            : undefined;
        if (actorIds !== undefined || actorEmails !== undefined) {
            actors = new Uint8Array(this.actors.length);
            this.actors.forEach((a, i) => {
                const byId = actorIds === undefined || a.ids.some((id) => actorIds.has(id));
                const byEmail = actorEmails === undefined || a.emails.some((e) => actorEmails.has(e));
                actors[i] = byId && byEmail ? 1 : 0;
            });
        }
        let projects;
        if (q.projectIds !== undefined && q.projectIds.length > 0) {
            const ids = new Set(q.projectIds);
            projects = new Uint8Array(this.projects.length);
            this.projects.forEach((p, i) => {
                projects[i] = ids.has(p.id) ? 1 : 0;
            });
        }
        const resources = q.resourceIds !== undefined && q.resourceIds.length > 0 ? new Set(q.resourceIds) : undefined;
        return (row) => {
            if (types[r.type[row]] === 0)
                return false;
            if (actors !== undefined && actors[r.actor[row]] === 0)
                return false;
            if (projects !== undefined) {
                const p = r.project[row];
                if (p < 0 || projects[p] === 0)
                    return false;
            }
            if (resources !== undefined && !this.resourceIdsOf(row).some((id) => resources.has(id))) {
                return false;
            }
            return true;
        };
    }
    /**
     * One page, newest first. Time filters bound the rows by binary search; the other filters are
     * checked per row from there. An `after` or `before` that is not an event of this log gives an
     * empty last page (*inference*: a cursor never errors in the other legacy lists).
     */
    page(q) {
        const r = this.rows;
        let lo = 0;
        let hi = r.count;
        const t = q.effectiveAt ?? {};
        if (t.gt !== undefined)
            lo = Math.max(lo, r.timeBound(t.gt, true));
        if (t.gte !== undefined)
            lo = Math.max(lo, r.timeBound(t.gte, false));
        if (t.lt !== undefined)
            hi = Math.min(hi, r.timeBound(t.lt, false));
        if (t.lte !== undefined)
            hi = Math.min(hi, r.timeBound(t.lte, true));
        if (q.after !== undefined) {
            const row = this.rowOf(q.after);
            if (row === undefined)
                return { items: [], hasMore: false };
            hi = Math.min(hi, row);
        }
        if (q.before !== undefined) {
            const row = this.rowOf(q.before);
            if (row === undefined)
                return { items: [], hasMore: false };
            lo = Math.max(lo, row + 1);
        }
        const match = this.matcher(q);
        const picked = [];
        let hasMore = false;
        if (q.before !== undefined && q.after === undefined) {
            // The events just newer than `before`, nearest first, then listed newest first.
            for (let row = lo; row < hi; row++) {
                if (!match(row))
                    continue;
                if (picked.length >= q.limit) {
                    hasMore = true;
                    break;
                }
                picked.push(row);
            }
            picked.reverse();
        }
        else {
            for (let row = hi - 1; row >= lo; row--) {
                if (!match(row))
                    continue;
                if (picked.length >= q.limit) {
                    hasMore = true;
                    break;
                }
                picked.push(row);
            }
        }
        return { items: picked.map((row) => this.wireAt(row)), hasMore };
    }
    /** Every event, newest first. */
    list() {
        const out = [];
        for (let row = this.rows.count - 1; row >= 0; row--)
            out.push(this.wireAt(row));
        return out;
    }
}
/** A copy of a wire actor (a hand-written clone: pages build many). */
function cloneActor(actor) {
    if (actor === null)
        return null;
    if (actor.type === "session") {
        const { user, ...rest } = actor.session;
        const session = {
            type: "session",
            session: { user: { ...user }, ...rest },
        };
        if (rest.ip_address_details !== undefined) {
            session.session.ip_address_details = { ...rest.ip_address_details };
        }
        return session;
    }
    const { user, service_account, ...rest } = actor.api_key;
    const apiKey = { type: "api_key", api_key: { ...rest } };
    if (user !== undefined)
        apiKey.api_key.user = { ...user };
    if (service_account !== undefined)
        apiKey.api_key.service_account = { ...service_account };
    return apiKey;
}
/** The wire actor (and source) of a historical actor. */
function historyActorWire(sources, a) {
    switch (a.kind) {
        case "session":
            return [sessionActor(a.user), undefined];
        case "scim":
            return [null, "scim"];
        case "admin_key": {
            const k = sources.adminKeys[a.index];
            return [
                k.owner.kind === "user"
                    ? userKeyActor(k.id, k.owner.user)
                    : serviceAccountKeyActor(k.id, k.owner.id),
                undefined,
            ];
        }
        case "sa_key": {
            const k = sources.serviceAccountKeys[a.index];
            return [serviceAccountKeyActor(k.keyId, k.serviceAccountId), undefined];
        }
    }
}
/**
 * Records the state's changes: who makes them (a stack of actors set by `asActor`, else the
 * console actor), when (a logical audit clock: never behind the credentials clock nor, when one
 * is set, the clock source, never decreasing, 0-2 s per change, one time per change however many
 * events it records), and whether at all (muted inside another change, or while logging is
 * disabled).
 */
export class AuditRecorder {
    hooks;
    log;
    modeValue = "enabled";
    /** Actors named by `asActor`, innermost last. */
    explicit = [];
    /** The natural actor of a change nobody named (the invitee accepting an invite…). */
    natural = [];
    muted = 0;
    changeDepth = 0;
    changeTime;
    clock;
    rng;
    /** Role-assignment key -> the id of its current assignment (ids of recorded creations). */
    assignments = new Map();
    /** A clock changes are never recorded behind (the wall clock, see OrgState.setAuditClock). */
    clockSource;
    constructor(seed, hooks) {
        this.hooks = hooks;
        this.log = new AuditLog(seed);
        this.rng = new Prng(seed, "audit-log");
    }
    get mode() {
        return this.modeValue;
    }
    set mode(mode) {
        this.modeValue = mode;
    }
    /** The audit clock: the time of the latest recorded change (before any: the floor). */
    get now() {
        return Math.max(this.clock ?? Number.NEGATIVE_INFINITY, this.floor());
    }
    floor() {
        const history = this.log.historyEnd + 1;
        // On the wall clock, real time alone: the credentials clock steps ahead of it with each new
        // key, which would date later changes after the crawl that saw them.
        if (this.clockSource !== undefined)
            return Math.max(history, Math.floor(this.clockSource()));
        return Math.max(this.hooks.floor(), history);
    }
    /** The actor the next event gets. */
    current() {
        return (this.explicit[this.explicit.length - 1] ??
            this.natural[this.natural.length - 1] ??
            this.hooks.consoleActor());
    }
    asActor(actor, fn) {
        this.explicit.push(actor);
        try {
            return fn();
        }
        finally {
            this.explicit.pop();
        }
    }
    /** `actor` for the changes of `fn`, unless an enclosing `asActor` names someone. */
    asNaturalActor(actor, fn) {
        if (this.explicit.length > 0)
            return fn();
        this.natural.push(actor());
        try {
            return fn();
        }
        finally {
            this.natural.pop();
        }
    }
    /** One change: every event `fn` records shares one effective_at. */
    oneChange(fn) {
        this.changeDepth++;
        try {
            return fn();
        }
        finally {
            this.changeDepth--;
            if (this.changeDepth === 0)
                this.changeTime = undefined;
        }
    }
    /** Runs `fn` recording nothing (a step of another change that records its own event). */
    quiet(fn) {
        this.muted++;
        try {
            return fn();
        }
        finally {
            this.muted--;
        }
    }
    recording() {
        return this.muted === 0 && this.modeValue !== "disabled";
    }
    nextTime() {
        if (this.changeTime !== undefined)
            return this.changeTime;
        const floor = this.floor();
        // On the wall clock, changes are dated when they happen (a logical step would run ahead of
        // real time when many changes come at once, dating them after the crawl that saw them).
        const step = this.clockSource === undefined ? this.rng.int(3) : 0;
        const t = this.clock === undefined ? floor : Math.max(this.clock + step, floor);
        this.clock = t;
        if (this.changeDepth > 0)
            this.changeTime = t;
        return t;
    }
    projectFor(actor, projectId) {
        if (projectId !== undefined)
            return this.hooks.project(projectId);
        return actor.viaAdminKey ? this.hooks.defaultProject() : undefined;
    }
    /** Records an event of the current change (nothing when muted or disabled). */
    emit(type, detail, projectId) {
        if (!this.recording())
            return;
        const actor = this.current();
        this.log.append({
            type,
            effectiveAt: this.nextTime(),
            project: this.projectFor(actor, projectId),
            actor: actor.wire,
            source: actor.source,
            detail,
        });
    }
    /**
     * Records `role.assignment.created|deleted` for the assignment `key` (principal, role,
     * resource). A creation gets a fresh id; a deletion reuses its creation's id (or, for a seeded
     * assignment, an id derived from the key).
     */
    emitAssignment(created, key, fields, projectId) {
        if (!created) {
            const id = this.assignments.get(key) ?? derivedAssignmentId(key);
            this.assignments.delete(key);
            this.emit("role.assignment.deleted", { id, ...fields }, projectId);
            return;
        }
        if (!this.recording()) {
            this.assignments.delete(key);
            return;
        }
        this.oneChange(() => {
            const at = this.nextTime();
            const id = `ra_${ulidLike(at * 1000 + this.rng.int(1000), this.rng)}`;
            this.assignments.set(key, id);
            this.emit("role.assignment.created", { id, ...fields }, projectId);
        });
    }
    /** A test's explicit event (late when its time is in the past); recorded in every mode. */
    record(event) {
        let at;
        if (event.effectiveAt === undefined) {
            at = this.nextTime();
        }
        else {
            at = event.effectiveAt;
            if (this.clock === undefined || at > this.clock) {
                if (at >= this.floor())
                    this.clock = at;
            }
        }
        const project = event.project === null
            ? undefined
            : event.project !== undefined
                ? event.project
                : event.actor.viaAdminKey
                    ? this.hooks.defaultProject()
                    : undefined;
        return this.log.append({
            type: event.type,
            effectiveAt: at,
            project,
            actor: event.actor.wire,
            source: event.actor.source,
            detail: event.detail,
        });
    }
}
/** A stable id for an assignment whose creation was never recorded (seeded ones). */
function derivedAssignmentId(key) {
    let out = "";
    let h = hashString(key);
    for (let i = 0; i < 26; i++) {
        if (i % 6 === 0)
            h = hashString(`${key}:${i}`);
        out += "0123456789ABCDEFGHJKMNPQRSTVWXYZ".charAt(h & 31);
        h >>>= 5;
    }
    return `ra_${out}`;
}
//# sourceMappingURL=audit-log.js.map