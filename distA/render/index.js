/**
 * Rendering shared by every output stage (report, deliver, certify): the template environment,
 * the text helpers that make untrusted names safe to show, the streaming workbook, and the
 * templates folder with its version.
 */
export * from "./handlebars.js";
export * from "./templates.js";
export * from "./text.js";
export * from "./workbook.js";
//# sourceMappingURL=index.js.map