-- The two decisions every query over the history shares, each written once. TEMP macros (allowed
-- on a read-only database), created by installAnalysisMacros (src/analysis/macros.ts) before the
-- diff macros, which use them. DuckDB inlines a scalar macro before planning, so a join on
-- valid_in(...) is planned as the range comparison it expands to.

-- valid_in(s, valid_from, valid_to): a history row (valid from snapshot valid_from up to and
-- including valid_to, NULL while still current) holds in snapshot s.
CREATE OR REPLACE TEMP MACRO valid_in(s, valid_from, valid_to) AS
  s BETWEEN valid_from AND coalesce(valid_to, 2147483647);

-- is_direct_assignment(sources, granted_by_group): a role the API lists for a user is assigned to
-- the user directly. The API's per-user role list also repeats roles a group grants
-- (assignment_sources then names the group), so a role is direct when a 'user' principal is among
-- its sources, or, when the API omitted the sources (NULL), when no group of the user grants it
-- (granted_by_group). The same rule as the effective_access view's `direct` paths (store
-- migration 2, which cannot use a TEMP macro).
CREATE OR REPLACE TEMP MACRO is_direct_assignment(sources, granted_by_group) AS
  CASE
    WHEN sources IS NULL THEN NOT granted_by_group
    ELSE coalesce(list_bool_or(list_transform(sources, source -> source.principal_type = 'user')),
      false)
  END;
