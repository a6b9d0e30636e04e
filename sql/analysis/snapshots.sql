-- Which snapshots the analysis may read (src/analysis/access.ts, src/analysis/diff.ts).

-- name: snapshot_status
SELECT status FROM snapshots WHERE snapshot_id = $id;

-- name: previous_complete
-- The complete snapshot just before $id (NULL when there is none).
SELECT max(snapshot_id) AS id FROM snapshots WHERE status = 'complete' AND snapshot_id < $id;

-- name: complete_ids
SELECT snapshot_id AS id FROM snapshots WHERE status = 'complete' ORDER BY snapshot_id;
