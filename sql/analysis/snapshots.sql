-- Which snapshots the analysis may read (src/analysis/access.ts, src/analysis/diff.ts).

-- name: snapshot_status
SELECT status FROM snapshots WHERE snapshot_id = $id;

-- name: previous_complete
-- The complete snapshot just before $id (NULL when there is none).
SELECT max(snapshot_id) AS id FROM snapshots WHERE status = 'complete' AND snapshot_id < $id;

-- name: complete_ids
SELECT snapshot_id AS id FROM snapshots WHERE status = 'complete' ORDER BY snapshot_id;

-- name: collected_scopes
-- The coverage scopes snapshot $id collected (a crawl run with --no-projects did not collect
-- 'projects'; snapshots older than the projects migration collected none of the project scopes).
SELECT scope FROM snapshot_coverage WHERE snapshot_id = $id AND collected ORDER BY scope;
