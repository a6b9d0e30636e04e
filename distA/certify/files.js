/** File names of the stage (writing goes through `writeFilesAtomically` in util/files). */
/** A safe file-name part: letters, digits, `.`, `_`, `-`; anything else becomes `_`. */
export const fileSafe = (text) => text
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[._]+/, "")
    .slice(0, 80) || "x";
//# sourceMappingURL=files.js.map