import { AdminApiError, BadRequestError, PermissionDeniedError, } from "../api/index.js";
import { silentLogger } from "../util/log.js";
/** Seconds each sync re-reads before the newest event held (config api.audit_log_overlap_minutes). */
export const DEFAULT_AUDIT_LOG_OVERLAP_SECONDS = 3600;
/** One line, no key (API errors never carry it), saying what to enable or check. */
export function auditLogFailureReason(err) {
    if (err instanceof PermissionDeniedError) {
        return `the admin key may not read the audit log (HTTP 403): give it the audit-log read permission (api.audit_logs.read), or use an admin key that has it; until then changes cannot be attributed`;
    }
    if (err instanceof BadRequestError) {
        return `the API refused to list the audit log (HTTP ${err.status ?? 400}: ${err.message}); audit logging may be turned off: an Owner can turn it on under Organization settings → Data controls → Data retention → Audit logging`;
    }
    if (err instanceof AdminApiError)
        return `the audit log could not be read: ${err.message}`;
    return `the audit log could not be read: ${err instanceof Error ? err.message : String(err)}`;
}
export async function syncAuditLog(options) {
    const { client, store, signal } = options;
    const log = options.logger ?? silentLogger;
    const overlap = options.overlapSeconds ?? DEFAULT_AUDIT_LOG_OVERLAP_SECONDS;
    const startedAtMs = Date.now();
    const requestsAtStart = client.stats().requests;
    const position = await store.auditLogPosition();
    const readFrom = position.newestEventAt === null ? null : position.newestEventAt - overlap;
    return store.auditSync({
        baseUrl: options.baseUrl,
        keyRedacted: options.keyRedacted,
        toolVersion: options.toolVersion,
        snapshotId: options.snapshotId ?? null,
        startedAtMs,
    }, async (writer) => {
        let oldest = null;
        try {
            const listing = client.listAuditLogs({
                ...(readFrom === null ? {} : { effectiveAt: { gte: readFrom } }),
                ...(signal ? { signal } : {}),
            });
            for await (const page of listing.pages()) {
                for (const event of page.items) {
                    if (oldest === null || event.effective_at < oldest)
                        oldest = event.effective_at;
                }
                await writer.add(page.items);
                options.onPage?.(writer.eventsRead);
            }
        }
        catch (err) {
            // Interrupted by the caller: record nothing (the next sync reads the window again).
            if (signal?.aborted)
                throw err;
            const reason = auditLogFailureReason(err);
            const sync = await writer.fail(reason, client.stats().requests - requestsAtStart);
            log.warn({ sync_id: sync.sync_id, reason }, "audit log not synced; recorded as a gap");
            return { status: "failed", sync, reason };
        }
        const startedS = Math.floor(startedAtMs / 1000);
        const coverageFrom = readFrom ?? (oldest === null ? startedS - overlap : Math.min(oldest, startedS - overlap));
        const sync = await writer.complete({
            readFrom,
            coverageFrom,
            requests: client.stats().requests - requestsAtStart,
        });
        log.info({ sync_id: sync.sync_id, events_read: sync.events_read, events_added: sync.events_added }, "audit log synced");
        return { status: "complete", sync, reason: null };
    });
}
//# sourceMappingURL=audit-log.js.map