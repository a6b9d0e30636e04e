export {};
//# sourceMappingURL=snapshot-row.js.map