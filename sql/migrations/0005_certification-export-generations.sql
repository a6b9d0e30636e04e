-- migration: certification export generations and superseding imports
-- Released: never edit this file; add the next number instead.
-- Every `certify export` gives each reviewer's workbook the next generation (1, 2, ...), under
-- the campaign's HMAC; an import records the generation it came from. Workbooks exported
-- before this migration carry none: generation 0, as are the imports recorded before it.
CREATE TABLE certify_exports (
  campaign_id INTEGER NOT NULL,
  reviewer VARCHAR NOT NULL,
  generation INTEGER NOT NULL CHECK (generation >= 1),
  exported_at TIMESTAMPTZ NOT NULL,
  -- The newest decision_seq when the workbook was written: decisions up to it were shown in it.
  decisions_seen INTEGER NOT NULL,
  items INTEGER NOT NULL,
  file_name VARCHAR NOT NULL,
  file_sha256 VARCHAR NOT NULL,
  PRIMARY KEY (campaign_id, reviewer, generation)
);
ALTER TABLE certify_imports ADD COLUMN generation INTEGER DEFAULT 0;
-- An import run with --supersede that replaced decisions recorded after its workbook was
-- exported: how many, and who ran it (the configured certify.operator, else the OS user).
ALTER TABLE certify_imports ADD COLUMN superseded INTEGER DEFAULT 0;
ALTER TABLE certify_imports ADD COLUMN superseded_by VARCHAR;
ALTER TABLE certify_imports ADD COLUMN os_user VARCHAR;
