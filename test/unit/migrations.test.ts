import { describe, expect, it } from "vitest";
import { MIGRATIONS, parseMigrations, SCHEMA_VERSION } from "../../src/store/migrations.js";

describe("migrations as numbered SQL files", () => {
  it("ships versions 1..N under the names existing databases recorded", () => {
    expect(MIGRATIONS.map((m) => [m.version, m.name])).toEqual([
      [1, "initial schema"],
      [2, "effective_access view"],
      [3, "retention: pruned status, pruned_at, snapshot_holds"],
      [4, "certification campaigns and remediation"],
      [5, "certification export generations and superseding imports"],
      [6, "projects: project facts, snapshot coverage, vanished project access"],
      [7, "certification of project grants"],
      [8, "credentials and non-human identities"],
      [9, "certification of credentials"],
      [10, "organization audit log"],
      [11, "who ran each crawl and for which organization"],
      [12, "exceptions register"],
      [13, "effective access paths evaluated where they are used"],
      [14, "effective access without a group-path test where the API names the sources"],
      [15, "effective access without reading other snapshots' memberships and users"],
    ]);
    expect(SCHEMA_VERSION).toBe(15);
    expect(MIGRATIONS[1]?.sql).toMatch(/^-- Released:.*\nCREATE VIEW effective_access AS/);
  });

  it("refuses a gap, a bad file name and a missing name line", () => {
    const one = "-- migration: first\nCREATE TABLE a (x INTEGER);\n";
    expect(parseMigrations(new Map([["0001_first.sql", one]]))).toEqual([
      { version: 1, name: "first", sql: "CREATE TABLE a (x INTEGER);\n" },
    ]);
    expect(() =>
      parseMigrations(
        new Map([
          ["0001_first.sql", one],
          ["0003_third.sql", "-- migration: third\nSELECT 1;"],
        ]),
      ),
    ).toThrow(/expected version 2, found 3/);
    expect(() => parseMigrations(new Map([["1_first.sql", one]]))).toThrow(/0005_what-it-does/);
    expect(() => parseMigrations(new Map([["0001_first.sql", "CREATE TABLE a;"]]))).toThrow(
      /-- migration: NAME/,
    );
  });
});
