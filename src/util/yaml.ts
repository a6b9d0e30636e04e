/**
 * yaml, loaded on first use: 30-40 ms of a start on the 2-core bench machine, which only a run
 * with YAML to read or write pays (a configuration file, `config check`, the SQL files' metadata
 * headers); a crawl from a scheduler or a pipe has none. Types come from the package as usual.
 */
import type * as Yaml from "yaml";
import { lazyRequire } from "./lazy-require.js";

/** The `yaml` module, loaded by the first call. */
export const yaml = lazyRequire<typeof Yaml>("yaml");
