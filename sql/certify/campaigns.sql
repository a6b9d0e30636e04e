-- Certification's campaigns, items, decisions and imports (src/certify/db.ts, campaign.ts,
-- close.ts, import.ts, remediate.ts). Rows are inserted by insertRows (db.ts), which writes its
-- multi-row VALUES itself. $1, $2, ... are positional parameters.

-- name: begin
BEGIN TRANSACTION;

-- name: commit
COMMIT;

-- name: rollback
ROLLBACK;

-- name: now
SELECT now() AS now;

-- name: latest_campaign
SELECT campaign_id, name, snapshot_id, seal, scope, baseline_campaign_id,
  reviewers_sha256, reviewers_source, undecided_policy, allow_self_review,
  strftime(due_date, '%Y-%m-%d') AS due_date, secret, status, created_at, closed_at,
  project_filter, uncollected
FROM certify_campaigns ORDER BY campaign_id DESC LIMIT 1;

-- name: campaign_by_name
SELECT campaign_id, name, snapshot_id, seal, scope, baseline_campaign_id,
  reviewers_sha256, reviewers_source, undecided_policy, allow_self_review,
  strftime(due_date, '%Y-%m-%d') AS due_date, secret, status, created_at, closed_at,
  project_filter, uncollected
FROM certify_campaigns WHERE name = $1;

-- name: campaign_by_id
SELECT campaign_id, name, snapshot_id, seal, scope, baseline_campaign_id,
  reviewers_sha256, reviewers_source, undecided_policy, allow_self_review,
  strftime(due_date, '%Y-%m-%d') AS due_date, secret, status, created_at, closed_at,
  project_filter, uncollected
FROM certify_campaigns WHERE campaign_id = $1;

-- name: campaign_name_taken
SELECT 1 FROM certify_campaigns WHERE name = $1;

-- name: last_closed_campaign_name
SELECT name FROM certify_campaigns WHERE status = 'closed' ORDER BY campaign_id DESC LIMIT 1;

-- name: next_campaign_id
SELECT coalesce(max(campaign_id), 0)::INTEGER + 1 AS id FROM certify_campaigns;

-- name: insert_campaign
-- $13: the `--project` ids as a JSON array, or NULL. The snapshot's uncollected coverage scopes
-- are copied with the campaign: what its population could not hold.
INSERT INTO certify_campaigns (campaign_id, name, snapshot_id, seal, scope,
  baseline_campaign_id, reviewers_sha256, reviewers_source, undecided_policy,
  allow_self_review, due_date, secret, status, created_at, project_filter, uncollected)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::DATE, $12, 'open', now(),
  from_json($13::VARCHAR, '["VARCHAR"]'),
  coalesce((SELECT list_sort(coalesce(r.uncollected, []::VARCHAR[])) FROM snapshot_runs AS r
            WHERE r.snapshot_id = $3), []::VARCHAR[]));

-- name: close_campaign
UPDATE certify_campaigns SET status = 'closed', closed_at = now()
WHERE campaign_id = $1 AND status = 'open' RETURNING closed_at;

-- name: item_order
-- A campaign's items in review order (item_id last: the same order on every run), numbered
-- (`pos`). Only the ids and their sort keys are sorted: sorting every column of a million items
-- ran out of the store's memory limit.
SELECT item_id, reviewer, carried_from_campaign_id IS NOT NULL AS carried,
  row_number() OVER (
    ORDER BY reviewer, kind, project_name NULLS FIRST, project_id NULLS FIRST,
      group_name NULLS FIRST, group_id NULLS FIRST,
      user_email NULLS LAST, user_id NULLS FIRST, role_name NULLS FIRST, role_id NULLS FIRST,
      item_id
  ) AS pos
FROM certify_items WHERE campaign_id = $1
ORDER BY pos;

-- name: create_review_order
-- The items a pass lists, numbered 1, 2, ... in review order: each workbook or sign-off sheet
-- reads its rows a window of positions at a time (order_items), so none holds a campaign's items
-- at once. $2: whether items carried forward are listed (the sign-off: yes; an export, which
-- reviews them no more: no). The braced name is replaced with the item_order query above.
CREATE OR REPLACE TEMP TABLE certify_review_order AS
SELECT item_id, reviewer, row_number() OVER (ORDER BY pos) AS pos
FROM ({item_order}) WHERE $2 OR NOT carried;

-- name: order_reviewers
-- Each reviewer of the ordered items: their items and the range of their positions (a reviewer
-- is the first sort key, so a reviewer's positions follow each other).
SELECT reviewer, count(*)::INTEGER AS items, min(pos)::INTEGER AS first, max(pos)::INTEGER AS last
FROM certify_review_order GROUP BY reviewer;

-- name: order_items
-- The items of positions $2 to $3 of the ordered items of campaign $1, in review order.
SELECT i.* FROM certify_items AS i
JOIN certify_review_order AS o ON o.item_id = i.item_id
WHERE i.campaign_id = $1 AND o.pos BETWEEN $2 AND $3
ORDER BY o.pos;

-- name: order_revoked_positions
-- The positions of the ordered items of campaign $1 whose current decision is revoke, in order.
-- The braced name is replaced with the current_decisions query.
SELECT o.pos::INTEGER AS pos FROM certify_review_order AS o
JOIN ({current_decisions}) AS d ON d.item_id = o.item_id AND d.decision = 'revoke'
ORDER BY o.pos;

-- name: order_revoked_items
-- order_items of those items whose current decision is revoke. The braced name is replaced with
-- the order_revoked_decisions query below.
SELECT i.* FROM certify_items AS i
JOIN certify_review_order AS o ON o.item_id = i.item_id
WHERE i.campaign_id = $1 AND o.pos BETWEEN $2 AND $3
  AND i.item_id IN (SELECT item_id FROM ({order_revoked_decisions}))
ORDER BY o.pos;

-- name: order_revoked_decisions
-- order_decisions of the items whose current decision is revoke. The braced name is replaced
-- with the order_decisions query below.
SELECT * FROM ({order_decisions}) WHERE decision = 'revoke';

-- name: order_decisions
-- The latest decision of each item of positions $2 to $3: current_decisions, ranked only for
-- the window's items (composed, every window would rank every decision of the campaign).
SELECT d.item_id, d.decision, d.justification, d.reviewer, d.decided_at, d.source, d.file_sha256,
  d.sheet_row, d.decision_seq
FROM certify_decisions AS d
JOIN certify_review_order AS o ON o.item_id = d.item_id
WHERE d.campaign_id = $1 AND o.pos BETWEEN $2 AND $3
QUALIFY row_number() OVER (PARTITION BY d.item_id ORDER BY d.decision_seq DESC) = 1;

-- name: drop_review_order
DROP TABLE IF EXISTS temp.certify_review_order;

-- name: decision_sources
-- How many items of campaign $1 each source decided last (NULL: undecided). The braced name is
-- replaced with the current_decisions query.
SELECT d.source, count(*)::INTEGER AS n
FROM certify_items AS i
LEFT JOIN ({current_decisions}) AS d ON d.item_id = i.item_id
WHERE i.campaign_id = $1
GROUP BY ALL;

-- name: items
-- A campaign's items, unsorted (placed in item_order's order as they are read).
SELECT * FROM certify_items WHERE campaign_id = $1;

-- name: reviewer_items
-- The items of campaign $1 assigned to reviewer $2, unsorted (what an import checks against).
SELECT * FROM certify_items WHERE campaign_id = $1 AND reviewer = $2;

-- name: item
-- Item $2 of campaign $1, whoever reviews it.
SELECT * FROM certify_items WHERE campaign_id = $1 AND item_id = $2;

-- name: item_fingerprints
SELECT item_id, fingerprint FROM certify_items WHERE campaign_id = $1;

-- name: current_decisions
-- The latest decision of each decided item (decisions are append-only; the latest wins).
SELECT item_id, decision, justification, reviewer, decided_at, source, file_sha256,
  sheet_row, decision_seq
FROM certify_decisions WHERE campaign_id = $1
QUALIFY row_number() OVER (PARTITION BY item_id ORDER BY decision_seq DESC) = 1
ORDER BY item_id;

-- name: reviewer_current_decisions
-- The current decision on each item of campaign $1 assigned to reviewer $2 (whoever recorded
-- it). The braced name is replaced with the current_decisions query.
SELECT d.* FROM ({current_decisions}) AS d
WHERE d.item_id IN (SELECT item_id FROM certify_items WHERE campaign_id = $1 AND reviewer = $2);

-- name: item_status
-- Each item of campaign $1 with its current decision (NULL: undecided), unsorted: what
-- `certify status` counts (src/certify/state.ts: campaignStatus). The braced name is replaced
-- with the current_decisions query.
SELECT i.item_id, i.kind, i.reviewer, i.carried_from_campaign_id IS NOT NULL AS carried, d.decision
FROM certify_items AS i
LEFT JOIN ({current_decisions}) AS d ON d.item_id = i.item_id
WHERE i.campaign_id = $1;

-- name: close_policy_decisions
-- At close, the policy's decision ($2) on each item of campaign $1 whose current decision is
-- neither approve nor revoke (undecided, or needs info), numbered from $3 in review order and
-- dated by the campaign's closed_at; $4: the policy's name, $5: the reviewer it is recorded
-- under. The braced names are replaced with the item_order and item_status queries (and so on).
INSERT INTO certify_decisions (decision_seq, campaign_id, item_id, decision, justification,
  reviewer, decided_at, source, file_sha256, sheet_row)
SELECT $3 + row_number() OVER (ORDER BY o.pos) - 1, $1, o.item_id, $2,
  (CASE s.decision WHEN 'needs_info' THEN 'needs info' ELSE 'undecided' END)
    || ' at close: ' || $4 || ' by the campaign''s policy',
  $5, c.closed_at, 'close_policy', NULL, NULL
FROM ({item_order}) AS o
JOIN ({item_status}) AS s ON s.item_id = o.item_id
CROSS JOIN (SELECT closed_at FROM certify_campaigns WHERE campaign_id = $1) AS c
WHERE s.decision IS NULL OR s.decision NOT IN ('approve', 'revoke');

-- name: checkpoint
CHECKPOINT;

-- name: policy_decision_count
SELECT count(*)::INTEGER AS n FROM certify_decisions
WHERE campaign_id = $1 AND source = 'close_policy';

-- name: next_decision_seq
SELECT coalesce(max(decision_seq), 0)::INTEGER + 1 AS n FROM certify_decisions;

-- name: max_decision_seq
SELECT coalesce(max(decision_seq), 0)::INTEGER AS n FROM certify_decisions;

-- name: import_of_file
SELECT imported_at FROM certify_imports WHERE campaign_id = $1 AND file_sha256 = $2;

-- name: insert_import
INSERT INTO certify_imports (campaign_id, file_sha256, file_name, reviewer, rows,
  decisions, imported_at, generation, superseded, superseded_by, os_user)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);

-- name: imports
SELECT file_name, file_sha256, reviewer, rows, decisions, imported_at,
  coalesce(generation, 0)::INTEGER AS generation, coalesce(superseded, 0)::INTEGER AS superseded,
  superseded_by, os_user
FROM certify_imports
WHERE campaign_id = $1 ORDER BY imported_at, file_sha256;

-- name: newest_imported_generation
-- The newest generation of reviewer $2's workbooks imported into campaign $1 (NULL: none yet;
-- imports recorded before generations count as generation 0).
SELECT max(coalesce(generation, 0))::INTEGER AS generation FROM certify_imports
WHERE campaign_id = $1 AND reviewer = $2;

-- name: now_ms
SELECT date_trunc('millisecond', now()) AS now;

-- name: next_generation
SELECT coalesce(max(generation), 0)::INTEGER + 1 AS generation FROM certify_exports
WHERE campaign_id = $1 AND reviewer = $2;

-- name: insert_export
INSERT INTO certify_exports (campaign_id, reviewer, generation, exported_at, decisions_seen,
  items, file_name, file_sha256) VALUES ($1, $2, $3, $4::TIMESTAMPTZ, $5, $6, $7, $8);

-- name: export_of
-- Generation $3 of reviewer $2's workbook of campaign $1, as recorded when it was written.
SELECT generation, exported_at, decisions_seen FROM certify_exports
WHERE campaign_id = $1 AND reviewer = $2 AND generation = $3;

-- name: exports
SELECT reviewer, generation, exported_at, decisions_seen, items, file_name, file_sha256
FROM certify_exports WHERE campaign_id = $1 ORDER BY exported_at, reviewer, generation;
