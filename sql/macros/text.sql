-- Text made safe for a spreadsheet, in SQL: the twin of src/render/text.ts `cellText` (without
-- Excel's cell-length cut, which CSV does not have), for `export --format csv`, which DuckDB's
-- COPY writes. {hidden} is the character class of src/util/unicode.ts HIDDEN_CHARACTER in RE2
-- syntax, written in by the exporter, so the two cannot drift; test/export.csv.test.ts compares
-- this macro with the TypeScript function on the hostile fixture's names.

-- name: csv_reveal
-- csv_reveal(s): every hidden character shown as [U+XXXX], so no bidi override, escape sequence
-- or tag character is obeyed by whatever opens the file (string_split(s, '') walks code points).
CREATE OR REPLACE TEMP MACRO csv_reveal(s) AS
  CASE
    WHEN regexp_matches(s, '{hidden}') THEN array_to_string(
      list_transform(string_split(s, ''), c -> CASE
        WHEN regexp_full_match(c, '{hidden}')
          THEN printf('[U+%04X]', unicode(c))
        ELSE c
      END), '')
    ELSE s
  END;

-- name: csv_cell
-- csv_cell(s): revealed, and a cell that starts with = + - @ after spaces gets a leading ' (a
-- spreadsheet never evaluates it as a formula). Tested on s itself: revealing changes only hidden
-- characters, and a revealed one starts with '[', so the result is the same and s is read once.
CREATE OR REPLACE TEMP MACRO csv_cell(s) AS
  CASE WHEN regexp_matches(s, '^ *[=+\-@]') THEN '''' ELSE '' END || csv_reveal(s);
