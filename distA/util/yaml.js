import { lazyRequire } from "./lazy-require.js";
/** The `yaml` module, loaded by the first call. */
export const yaml = lazyRequire("yaml");
//# sourceMappingURL=yaml.js.map