/**
 * Reviewer workbooks: one per reviewer, an Instructions sheet and a Review sheet whose
 * population cells are locked (sheet protection without a password: protection guides, the
 * row MAC enforces), a Decision drop-down and a Justification column left unlocked, and hidden
 * item id, campaign id, snapshot id and row hash columns; the Instructions sheet names the
 * export's generation, time and MAC (rowhash.ts). Every text cell from the API goes through the
 * report's `cellText` (neutralised against formula injection, XML-safe); zip entries carry the
 * campaign's creation date, so a workbook's bytes depend on its content only. Reading one back
 * is workbook-read.ts.
 *
 * A project grant's row shows its project (the Project and Project ID columns, right after the
 * Grant column, empty for an organization grant); its MAC covers them after the population
 * cells. An organization grant's MAC covers the population cells only, as before projects, so a
 * workbook exported then (without the project columns) still imports.
 *
 * A credential's row (certify start --scope credentials) shows what a reviewer needs of it in
 * the Credential columns (CREDENTIAL_HEADERS: name, id, redacted value, owner type, created,
 * last used, expires), its owner in the User columns, a service account's or an invite's role
 * in the Role column; its MAC covers the population cells, the project cells and the
 * credential cells, in that order. A grant's MAC covers no credential cell: workbooks exported
 * before credentials still import.
 */
import type ExcelJS from "exceljs";
import { cellText, xmlSafe } from "../render/text.js";
import { PacedWorkbook, type WorkbookWriterOptions } from "../render/workbook.js";
import { type CampaignRow, type ItemRow, isCredentialKind, type ReviewBatch } from "./db.js";
import { exportMac, rowHash, rowHashV2 } from "./rowhash.js";

/**
 * While it writes a campaign's rows (an export, the sign-off), a process collects its JS heap
 * (util/heap.ts) when more than `aboveBytes` is in use, checked every `intervalMs`: each row
 * leaves objects behind, and V8 let them pile up to gigabytes. A million rows exported
 * (1M-item campaign, one reviewer, 2 cores): 96 s and 787 MB peak RSS; collected every second,
 * 129 s and 512 MB; left to V8, 101 s and 1,166 MB.
 */
export const WORKBOOK_HEAP_TRIM = { intervalMs: 500, aboveBytes: 256 * 1024 * 1024 } as const;

export const REVIEW_SHEET = "Review";
export const INSTRUCTIONS_SHEET = "Instructions";
/**
 * The population cells every row MAC covers, in this order (rowhash.ts). Unchanged since before
 * projects, so that a workbook exported then still imports: its rows are organization grants.
 */
export const POPULATION_HEADERS = [
  "Grant",
  "Group",
  "Group ID",
  "Managed by",
  "User email",
  "User name",
  "User ID",
  "Role",
  "Role ID",
  "Elevated",
  "Access path",
  "Self-review",
] as const;
/**
 * The project of a project grant (empty for an organization grant). A project row's MAC covers
 * these cells after the population cells; a workbook exported before projects has no such
 * columns, which reads as empty cells.
 */
export const PROJECT_HEADERS = ["Project", "Project ID"] as const;
/**
 * What a reviewer sees of a credential (empty for a grant). A credential row's MAC covers these
 * cells after the project cells.
 */
export const CREDENTIAL_HEADERS = [
  "Credential",
  "Credential ID",
  "Redacted value",
  "Owner type",
  "Created",
  "Last used",
  "Expires",
] as const;
/**
 * The population columns as the Review sheet shows them: the project right after the grant, a
 * credential's columns before the access path.
 */
export const SHEET_POPULATION_HEADERS = [
  "Grant",
  "Project",
  "Project ID",
  "Group",
  "Group ID",
  "Managed by",
  "User email",
  "User name",
  "User ID",
  "Role",
  "Role ID",
  "Elevated",
  ...CREDENTIAL_HEADERS,
  "Access path",
  "Self-review",
] as const;
export const DECISION_HEADER = "Decision";
export const JUSTIFICATION_HEADER = "Justification";
export const HIDDEN_HEADERS = ["Item ID", "Campaign ID", "Snapshot ID", "Row hash"] as const;
export const ALL_HEADERS = [
  ...SHEET_POPULATION_HEADERS,
  DECISION_HEADER,
  JUSTIFICATION_HEADER,
  ...HIDDEN_HEADERS,
] as const;
/**
 * The columns a returned workbook must have (one exported before projects lacks the project's,
 * one exported before credentials the credential's).
 */
export const REQUIRED_HEADERS: readonly (typeof ALL_HEADERS)[number][] = ALL_HEADERS.filter(
  (h) =>
    !(PROJECT_HEADERS as readonly string[]).includes(h) &&
    !(CREDENTIAL_HEADERS as readonly string[]).includes(h),
);
const WIDTHS: Record<(typeof ALL_HEADERS)[number], number> = {
  Grant: 18,
  Project: 28,
  "Project ID": 24,
  Group: 28,
  "Group ID": 24,
  "Managed by": 11,
  "User email": 30,
  "User name": 22,
  "User ID": 24,
  Role: 24,
  "Role ID": 24,
  Elevated: 9,
  Credential: 26,
  "Credential ID": 24,
  "Redacted value": 22,
  "Owner type": 15,
  Created: 11,
  "Last used": 24,
  Expires: 11,
  "Access path": 60,
  "Self-review": 11,
  Decision: 13,
  Justification: 50,
  "Item ID": 26,
  "Campaign ID": 12,
  "Snapshot ID": 12,
  "Row hash": 66,
};

export const DECISION_LABELS = { approve: "Approve", revoke: "Revoke", needs_info: "Needs info" };
export const KIND_LABELS = {
  membership: "Group membership",
  group_role: "Group role",
  user_role: "Direct role",
  project_membership: "Project membership",
  project_group: "Project group",
  project_user_role: "Project role",
  admin_key: "Admin API key",
  project_api_key: "Project API key",
  service_account: "Service account",
  invite: "Pending invite",
} as const;

/** The population cells of one item exactly as the workbook holds them (POPULATION_HEADERS). */
export function populationCells(item: ItemRow): string[] {
  const managedBy =
    item.group_id === null
      ? ""
      : item.group_is_scim_managed === null
        ? "Unknown"
        : item.group_is_scim_managed
          ? "SCIM"
          : "Manual";
  return [
    KIND_LABELS[item.kind],
    item.group_name ?? "",
    item.group_id ?? "",
    managedBy,
    item.user_email ?? "",
    item.user_name ?? "",
    item.user_id ?? "",
    item.role_name ?? "",
    item.role_id ?? "",
    item.elevated ? "Yes" : "No",
    item.path,
    item.self_review ? "Yes" : "No",
  ].map(cellText);
}

/** The project cells of one item exactly as the workbook holds them (PROJECT_HEADERS). */
export function projectCells(item: ItemRow): string[] {
  return [item.project_name ?? "", item.project_id ?? ""].map(cellText);
}

/** The credential cells of one item exactly as the workbook holds them (CREDENTIAL_HEADERS). */
export function credentialCells(item: ItemRow): string[] {
  return [
    item.credential_name ?? "",
    item.credential_id ?? "",
    item.redacted_value ?? "",
    item.owner_type === null
      ? ""
      : item.owner_type === "service_account"
        ? "Service account"
        : "User",
    item.credential_created ?? "",
    item.credential_last_used ?? "",
    item.credential_expires ?? "",
  ].map(cellText);
}

/**
 * What a row's MAC covers: the population cells, then a project grant's project cells; a
 * credential's population, project and credential cells.
 */
function macCells(item: ItemRow): string[] {
  const cells = populationCells(item);
  if (isCredentialKind(item.kind)) {
    return [...cells, ...projectCells(item), ...credentialCells(item)];
  }
  return item.project_id === null ? cells : [...cells, ...projectCells(item)];
}

/** The cells of one item's row as the Review sheet shows them (SHEET_POPULATION_HEADERS). */
function sheetCells(item: ItemRow): string[] {
  const byHeader = new Map<string, string>();
  POPULATION_HEADERS.forEach((h, i) => {
    byHeader.set(h, populationCells(item)[i] ?? "");
  });
  const project = projectCells(item);
  PROJECT_HEADERS.forEach((h, i) => {
    byHeader.set(h, project[i] ?? "");
  });
  const credential = credentialCells(item);
  CREDENTIAL_HEADERS.forEach((h, i) => {
    byHeader.set(h, credential[i] ?? "");
  });
  return SHEET_POPULATION_HEADERS.map((h) => byHeader.get(h) ?? "");
}

/**
 * The MAC of an item's row in a workbook of `generation` (0: exported before generations,
 * `row-v1`; from 1, `row-v2` over the item's reviewer and the generation too).
 */
export function itemRowHash(campaign: CampaignRow, item: ItemRow, generation: number): string {
  const campaignId = String(campaign.campaign_id);
  const snapshotId = String(campaign.snapshot_id);
  const cells = macCells(item);
  return generation === 0
    ? rowHash(campaign.secret, campaignId, snapshotId, item.item_id, cells)
    : rowHashV2(
        campaign.secret,
        campaignId,
        snapshotId,
        item.reviewer,
        generation,
        item.item_id,
        cells,
      );
}

/** Labels of the Instructions sheet that identify an export (under `exportMac`). */
export const GENERATION_LABEL = "Export generation";
export const EXPORTED_AT_LABEL = "Exported at";
export const EXPORT_MAC_LABEL = "Export MAC";

export function workbookExportMac(
  campaign: CampaignRow,
  reviewer: string,
  generation: number,
  exportedAt: string,
): string {
  return exportMac(
    campaign.secret,
    String(campaign.campaign_id),
    String(campaign.snapshot_id),
    reviewer,
    generation,
    exportedAt,
  );
}

const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { bold: true },
  fill: { type: "pattern", pattern: "solid", fgColor: { argb: "FFDCE6F1" } },
  protection: { locked: true },
};
const LOCKED: Partial<ExcelJS.Style> = { protection: { locked: true } };
const UNLOCKED: Partial<ExcelJS.Style> = {
  protection: { locked: false },
  fill: { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFF7D6" } },
};
const WRAP: Partial<ExcelJS.Style> = {
  protection: { locked: true },
  alignment: { wrapText: true, vertical: "top" },
};
/** Sorting would move rows under protection; filtering and resizing are fine. */
const PROTECTION = {
  selectLockedCells: true,
  selectUnlockedCells: true,
  formatColumns: true,
  autoFilter: true,
} as const;

export interface ReviewerWorkbook {
  campaign: CampaignRow;
  reviewer: string;
  /** How many items `batches` gives (the Instructions sheet, written first, says). */
  itemCount: number;
  /**
   * The items in review order, a window at a time, with the decisions already recorded on them
   * (shown pre-filled): a million items held at once were gigabytes (db.ts: ReviewOrder).
   */
  batches: AsyncIterable<ReviewBatch> | Iterable<ReviewBatch>;
  /** This reviewer's export sequence number (1, 2, ...). */
  generation: number;
  /** When it was exported (ISO 8601, as recorded in certify_exports). */
  exportedAt: string;
}

function instructionLines(book: ReviewerWorkbook): [string, string][] {
  const c = book.campaign;
  return [
    ["Campaign", c.name],
    ["Campaign ID", String(c.campaign_id)],
    ["Reviewer", book.reviewer],
    ["Snapshot ID", String(c.snapshot_id)],
    ["Snapshot seal", c.seal],
    ["Due date", c.due_date ?? "none"],
    ["Items to review", String(book.itemCount)],
    [GENERATION_LABEL, String(book.generation)],
    [EXPORTED_AT_LABEL, book.exportedAt],
    [EXPORT_MAC_LABEL, workbookExportMac(c, book.reviewer, book.generation, book.exportedAt)],
    ["", ""],
    ["How to review", "For each row of the Review sheet, choose a Decision from the drop-down:"],
    [
      "",
      "Approve — the access is still needed; Revoke — remove it; Needs info — you cannot decide yet.",
    ],
    [
      "",
      "A Justification is required for every Revoke and for every decision on an elevated grant (Elevated = Yes).",
    ],
    ["", "Do not edit, add, delete or move rows' population cells: each row carries a keyed hash,"],
    ["", "and a file with any edited or foreign row is rejected whole on import."],
    [
      "",
      `Undecided rows when the campaign closes are handled by its policy: ${c.undecided_policy}.`,
    ],
    ["", "Return the file as it is (keep its name or not) to the campaign owner for import."],
    [
      "",
      "Each export is a new generation: return the newest workbook you were sent. A file of an older generation than one already imported is refused.",
    ],
  ];
}

/** Writes one reviewer's workbook to `path` (the caller renames it into place). */
export async function writeReviewerWorkbook(path: string, book: ReviewerWorkbook): Promise<void> {
  const date = new Date(book.campaign.created_at);
  // Every zip entry dated by the campaign, never the clock (render/workbook.ts).
  const paced = await PacedWorkbook.create(path, {
    useStyles: true,
    useSharedStrings: false,
    created: date,
    modified: date,
    creator: "openai-access-audit",
    lastModifiedBy: "openai-access-audit",
  } as WorkbookWriterOptions);
  try {
    await writeSheets(paced, book);
    await paced.commit();
  } catch (error) {
    await paced.abort();
    throw error;
  }
}

async function writeSheets(paced: PacedWorkbook, book: ReviewerWorkbook): Promise<void> {
  const { writer } = paced;
  writer.title = xmlSafe(`Access certification ${book.campaign.name}: ${book.reviewer}`);
  writer.subject = xmlSafe(
    `campaign ${book.campaign.campaign_id}, snapshot ${book.campaign.snapshot_id}`,
  );
  writer.keywords = xmlSafe(`seal ${book.campaign.seal}`);

  const intro = writer.addWorksheet(INSTRUCTIONS_SHEET);
  intro.columns = [{ width: 18 }, { width: 110 }];
  await intro.protect("", PROTECTION);
  for (const [label, value] of instructionLines(book)) {
    const row = intro.addRow([cellText(label), cellText(value)]);
    row.getCell(1).style = label === "" ? LOCKED : HEADER_STYLE;
    row.getCell(2).style = LOCKED;
    row.commit();
  }
  intro.commit();

  const sheet = writer.addWorksheet(REVIEW_SHEET, {
    views: [
      {
        state: "frozen",
        xSplit: 0,
        ySplit: 1,
        topLeftCell: "A2",
        activeCell: `${columnLetter(SHEET_POPULATION_HEADERS.length + 1)}2`,
      },
    ],
    pageSetup: { orientation: "landscape", printTitlesRow: "1:1" },
  });
  sheet.columns = ALL_HEADERS.map((header) => ({
    width: WIDTHS[header],
    hidden: (HIDDEN_HEADERS as readonly string[]).includes(header),
  }));
  await sheet.protect("", PROTECTION);
  const header = sheet.getRow(1);
  ALL_HEADERS.forEach((name, i) => {
    const cell = header.getCell(i + 1);
    cell.value = name;
    cell.style = HEADER_STYLE;
  });
  header.commit();
  const decisionColumn = SHEET_POPULATION_HEADERS.length + 1;
  const pathColumn = SHEET_POPULATION_HEADERS.indexOf("Access path");
  let rowNumber = 1;
  for await (const { items, decisions } of book.batches) {
    for (const item of items) {
      rowNumber++;
      const row = sheet.getRow(rowNumber);
      sheetCells(item).forEach((value, i) => {
        const cell = row.getCell(i + 1);
        cell.value = value;
        cell.style = i === pathColumn ? WRAP : LOCKED;
      });
      const current = decisions.get(item.item_id);
      const decision = row.getCell(decisionColumn);
      decision.style = UNLOCKED;
      if (current?.source === "workbook" && current.decision !== "escalated") {
        decision.value = DECISION_LABELS[current.decision];
      }
      const justification = row.getCell(decisionColumn + 1);
      justification.style = UNLOCKED;
      if (current?.source === "workbook" && current.justification) {
        justification.value = cellText(current.justification);
      }
      const hidden = [
        item.item_id,
        String(book.campaign.campaign_id),
        String(book.campaign.snapshot_id),
        itemRowHash(book.campaign, item, book.generation),
      ];
      hidden.forEach((value, i) => {
        const cell = row.getCell(decisionColumn + 2 + i);
        cell.value = value;
        cell.style = LOCKED;
      });
      row.commit();
      await paced.pace(sheet);
    }
  }
  // The Instructions sheet, written first, gave the count.
  if (rowNumber - 1 !== book.itemCount) {
    throw new Error(`review workbook: ${rowNumber - 1} rows written, ${book.itemCount} announced`);
  }
  if (rowNumber > 1) {
    // One list validation over the whole decision column. One per cell, exceljs squeezed them
    // into ranges on commit: a million took minutes and gigabytes (and sorting addresses as
    // text, it split the column at row 10). The streaming worksheet has `dataValidations`; its
    // type declarations omit it.
    const column = columnLetter(decisionColumn);
    (sheet as unknown as StreamingValidations).dataValidations.add(
      rowNumber === 2 ? `${column}2` : `${column}2:${column}${rowNumber}`,
      {
        type: "list",
        allowBlank: true,
        formulae: [`"${Object.values(DECISION_LABELS).join(",")}"`],
        showErrorMessage: true,
        errorStyle: "stop",
        errorTitle: "Decision",
        error: "Choose Approve, Revoke or Needs info",
      },
    );
  }
  sheet.autoFilter = {
    from: { row: 1, column: 1 },
    to: { row: Math.max(rowNumber, 1), column: ALL_HEADERS.length },
  };
  sheet.commit();
}

interface StreamingValidations {
  dataValidations: { add(address: string, validation: ExcelJS.DataValidation): void };
}

export function columnLetter(n: number): string {
  let s = "";
  let x = n;
  while (x > 0) {
    const r = (x - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    x = Math.floor((x - 1) / 26);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Reading a returned workbook

/** A cell as text. A formula reads as `=formula`, so it never equals a population value. */
export function cellString(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    if ("formula" in value || "sharedFormula" in value) {
      const f = value as { formula?: string; sharedFormula?: string };
      return `=${f.formula ?? f.sharedFormula ?? ""}`;
    }
    if ("richText" in value && Array.isArray(value.richText)) {
      return value.richText.map((r) => r.text).join("");
    }
    if ("text" in value && typeof value.text === "string") return value.text;
    if ("error" in value) return String(value.error);
  }
  return String(value);
}
