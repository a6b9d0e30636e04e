/**
 * `access-audit certify start|export|import|status|close|report`: access certification
 * campaigns (src/certify). A rejected import prints its summary and then every problem, one
 * per line (`FILE: row N: reason`), on stderr and exits 1; `--json` also prints the outcomes.
 */
import { userInfo } from "node:os";
import { type Command, InvalidArgumentError, Option } from "commander";
// From the modules, not certify/index.js: that also exports remediation, whose API client
// (undici) no certify command needs.
import { startCampaign } from "../../certify/campaign.js";
import { closeCampaign } from "../../certify/close.js";
import {
  type CampaignRow,
  loadCampaign,
  SCOPES,
  type Scope,
  UNDECIDED_POLICIES,
  type UndecidedPolicy,
} from "../../certify/db.js";
import { exportWorkbooks } from "../../certify/export.js";
import { importWorkbooks, type Supersede } from "../../certify/import.js";
import { loadReviewersFile, type ReviewerRules, singleReviewer } from "../../certify/reviewers.js";
import { checkSignoffDir, writeSignoff } from "../../certify/signoff.js";
import { campaignStatus, projectCoverage } from "../../certify/state.js";
import { DEFAULT_REPORT_DIR, type EffectiveConfig } from "../../config/index.js";
import { revealInvisible } from "../../render/text.js";
import { Store } from "../../store/index.js";
import { OutputPathError } from "../../util/files.js";
import { addDbOption, commandConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { intOption } from "../options.js";
import { terminalJson, writeErr, writeOut } from "../output.js";

/**
 * Opens the command's database, runs `work` with it and the command's configuration, closes it;
 * stage errors keep their own exit class (src/errors.ts).
 */
export async function withStore<T>(
  command: Command,
  readOnly: boolean,
  work: (store: Store, config: EffectiveConfig) => Promise<T>,
): Promise<T> {
  const config = await commandConfig(command);
  const store = await Store.open(config.database, { readOnly });
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}

/** The OS user running the command, for the record of an import run with --supersede. */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? "unknown";
  }
}

/** Who supersedes: the configured certify.operator, else the OS user. */
function supersedeBy(config: EffectiveConfig): Supersede {
  const user = osUser();
  return { by: config.certify.operator ?? user, osUser: user };
}

const print = (json: boolean | undefined, value: unknown, text: () => string): void => {
  writeOut(json ? `${terminalJson(value)}\n` : `${text()}\n`);
};

function dateOption(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError(`expected a date YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

interface StartFlags {
  json?: boolean;
  name: string;
  snapshot?: number;
  scope: Scope;
  reviewers?: string;
  reviewer?: string;
  policy: UndecidedPolicy;
  due?: string;
  allowSelfReview?: boolean;
  project: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const campaignSummary = (c: CampaignRow) => ({
  campaign: c.name,
  campaign_id: c.campaign_id,
  snapshot_id: c.snapshot_id,
  seal: c.seal,
  scope: c.scope,
  project_filter: c.project_filter,
  undecided_policy: c.undecided_policy,
  due_date: c.due_date,
  status: c.status,
  created_at: c.created_at,
  closed_at: c.closed_at,
});

export function registerCertify(program: Command): void {
  const certify = program
    .command("certify")
    .description("Access certification campaigns: start, export, import, status, close, report");

  addDbOption(certify.command("start").description("Start a campaign on a complete snapshot"))
    .requiredOption("--name <name>", "campaign name (unique), e.g. Q4-2026")
    .option("--snapshot <id>", "a complete snapshot (default: the latest)", intOption(1))
    .addOption(
      new Option(
        "--scope <scope>",
        "which grants are reviewed (all, elevated, changed-since-last: organization and project grants; projects or organization: only those; credentials: admin keys, project keys, service accounts and pending invites only)",
      )
        .choices(SCOPES)
        .default("all"),
    )
    .option(
      "--project <id|name>",
      "only the grants inside this project (repeat for several)",
      collect,
      [] as string[],
    )
    .option(
      "--reviewers <file>",
      "reviewer rules (YAML: default, by_group, by_role, by_project, project_owners, organization_owners, fallback)",
    )
    .option("--reviewer <email>", "one reviewer for every item (instead of --reviewers)")
    .addOption(
      new Option("--policy <policy>", "what happens to items undecided at close")
        .choices(UNDECIDED_POLICIES)
        .default("keep"),
    )
    .option(
      "--due <date>",
      "due date (YYYY-MM-DD): reviewers with pending items after it are overdue",
      dateOption,
    )
    .option("--allow-self-review", "let a reviewer review their own access (still flagged)")
    .option("--json", "print JSON")
    .action(async (flags: StartFlags, command: Command) => {
      if ((flags.reviewers === undefined) === (flags.reviewer === undefined)) {
        throw new UsageError("pass exactly one of --reviewers FILE or --reviewer EMAIL");
      }
      const rules: ReviewerRules =
        flags.reviewers !== undefined
          ? loadReviewersFile(flags.reviewers)
          : singleReviewer(flags.reviewer ?? "");
      const result = await withStore(command, false, (store, config) =>
        startCampaign(store, {
          analysis: config.analysis,
          identity: config.certify.identity,
          name: flags.name,
          scope: flags.scope,
          reviewers: rules,
          policy: flags.policy,
          allowSelfReview: flags.allowSelfReview === true,
          projects: flags.project,
          ...(flags.snapshot === undefined ? {} : { snapshotId: flags.snapshot }),
          ...(flags.due === undefined ? {} : { dueDate: flags.due }),
        }),
      );
      const { campaign, ...rest } = result;
      if (!flags.json) {
        for (const warning of result.warnings) {
          writeErr(`access-audit: warning: ${revealInvisible(warning)}\n`);
        }
      }
      print(flags.json, { ...campaignSummary(campaign), ...rest }, () =>
        [
          `campaign ${campaign.name} started on snapshot ${campaign.snapshot_id} (seal ${campaign.seal.slice(0, 16)}…, scope ${campaign.scope}): ${result.items} item(s), ${result.to_review} to review, ${result.carried_forward} approval(s) carried forward`,
          ...result.reviewers.map((r) => `  ${revealInvisible(r.reviewer)}: ${r.items} item(s)`),
          `project grants: ${revealInvisible(projectCoverage(campaign).note)}${
            result.projects === null
              ? ""
              : ` (${result.projects.map((p) => `"${revealInvisible(p.name ?? p.project_id)}"`).join(", ")})`
          }`,
          `snapshot ${campaign.snapshot_id} held: "${result.hold}"`,
        ].join("\n"),
      );
    });

  addDbOption(certify.command("export").description("Write one review workbook per reviewer"))
    .requiredOption("--campaign <name>", "campaign name")
    .requiredOption("--out <dir>", "folder for the workbooks")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean; campaign: string; out: string }, command: Command) => {
      // Writes: each workbook's generation is recorded.
      const files = await withStore(command, false, async (store) =>
        exportWorkbooks(store, await loadCampaign(store, flags.campaign), flags.out),
      );
      print(flags.json, { campaign: flags.campaign, files }, () =>
        [
          `${files.length} workbook(s) for campaign ${flags.campaign}:`,
          ...files.map(
            (f) =>
              `  ${revealInvisible(f.reviewer)}: ${f.items} item(s), generation ${f.generation}  ${f.path}`,
          ),
        ].join("\n"),
      );
    });

  addDbOption(
    certify
      .command("import")
      .description(
        "Record the decisions of returned workbooks (a file with any problem is rejected whole)",
      )
      .argument("<files...>", "returned workbooks"),
  )
    .option("--campaign <name>", "refuse workbooks of any other campaign")
    .option(
      "--supersede",
      "let a workbook replace decisions recorded after it was exported (recorded with who and when)",
    )
    .option("--json", "print JSON")
    .action(
      async (
        files: string[],
        flags: { json?: boolean; campaign?: string; supersede?: boolean },
        command: Command,
      ) => {
        const outcomes = await withStore(command, false, (store, config) =>
          importWorkbooks(store, files, {
            ...(flags.campaign === undefined ? {} : { expectedCampaign: flags.campaign }),
            supersede: flags.supersede === true ? supersedeBy(config) : null,
          }),
        );
        const rejected = outcomes.filter((o) => o.status === "rejected");
        const generation = (o: { generation: number | null }) =>
          o.generation === null ? "" : `, generation ${o.generation}`;
        print(flags.json, { files: outcomes }, () =>
          outcomes
            .map((o) =>
              o.status === "recorded"
                ? `${o.file}: recorded ${o.recorded} decision(s) by ${revealInvisible(o.reviewer ?? "?")} (${o.unchanged} unchanged, ${o.undecided} undecided row(s)${generation(o)}) for campaign ${o.campaign ?? "?"}${o.superseded > 0 ? `; superseded ${o.superseded} decision(s) recorded after this workbook was exported (--supersede, by ${o.superseded_by ?? "?"})` : ""}`
                : o.status === "already_imported"
                  ? `${o.file}: already imported (sha256 ${o.sha256.slice(0, 16)}…); nothing recorded`
                  : o.status === "unchanged"
                    ? `${o.file}: no change: its ${o.unchanged} decision(s) are already recorded (${o.reviewer ?? "?"}${generation(o)}); nothing recorded`
                    : `${o.file}: rejected (${o.problems.length}${o.more_problems ? "+" : ""} problem(s)); nothing recorded`,
            )
            .join("\n"),
        );
        if (rejected.length > 0) {
          const problems = rejected.flatMap((o) => o.problems);
          const more = rejected.some((o) => o.more_problems);
          const lines = [
            `access-audit: import rejected: ${problems.length}${more ? "+" : ""} problem(s) in ${rejected.length} file(s); nothing recorded from ${rejected.length === 1 ? "it" : "them"}`,
            ...problems.map(
              (p) => `${p.file}: ${p.row === null ? "file" : `row ${p.row}`}: ${p.reason}`,
            ),
            ...rejected
              .filter((o) => o.more_problems)
              .map(
                (o) =>
                  `${o.file}: file: more problems not listed (reading stopped after the first ${o.problems.length})`,
              ),
          ];
          writeErr(`${lines.join("\n")}\n`);
          process.exitCode = 1;
        }
      },
    );

  addDbOption(certify.command("status").description("Progress of a campaign (default: the newest)"))
    .option("--campaign <name>", "campaign name")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean; campaign?: string }, command: Command) => {
      const status = await withStore(command, true, async (store) => {
        const campaign = await loadCampaign(store, flags.campaign);
        return campaignStatus(store, campaign);
      });
      print(flags.json, status, () =>
        [
          `campaign ${status.campaign} (${status.status}, snapshot ${status.snapshot_id}, scope ${status.scope}): ${status.decided}/${status.items} decided (${status.percent_complete}%), ${status.approved} approved, ${status.revoked} revoked, ${status.needs_info} needs info, ${status.escalated} escalated, ${status.pending} pending`,
          ...status.reviewers.map(
            (r) =>
              `  ${revealInvisible(r.reviewer)}: ${r.decided}/${r.items} (${r.percent_complete}%), ${r.approved} approved, ${r.revoked} revoked, ${r.pending} pending${r.overdue ? " OVERDUE" : ""}`,
          ),
          `remediation: ${status.remediation.verified} verified, ${status.remediation.pending} pending, ${status.remediation.failed} failed of ${status.remediation.revoked} revoked`,
          `project grants: ${revealInvisible(status.projects.note)}`,
        ].join("\n"),
      );
    });

  addDbOption(
    certify
      .command("close")
      .description("Freeze decisions, apply the undecided policy, write the sign-off report"),
  )
    .requiredOption("--campaign <name>", "campaign name")
    .option(
      "--out <dir>",
      `folder for the sign-off report (default: the configuration's report.output, or ${DEFAULT_REPORT_DIR})`,
    )
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean; campaign: string }, command: Command) => {
      const out = (await commandConfig(command)).report.outDir;
      // Before anything is frozen: a folder the report cannot go to leaves the campaign open.
      checkSignoffDir(out);
      const result = await withStore(command, false, async (store) => {
        const closed = await closeCampaign(store, await loadCampaign(store, flags.campaign));
        const files = await writeSignoff(store, closed.campaign, out).catch((error: unknown) => {
          // Closed, but its report could not be written (a disk that filled up since the check).
          if (!(error instanceof OutputPathError)) throw error;
          throw new OutputPathError(
            error.code,
            `${error.message}; campaign ${closed.campaign.name} is closed: write its report with \`access-audit certify report --campaign ${closed.campaign.name} --out DIR\``,
            error.usage,
          );
        });
        return { ...closed, files };
      });
      print(
        flags.json,
        {
          ...campaignSummary(result.campaign),
          by_policy: result.by_policy,
          policy_decision: result.policy_decision,
          files: result.files,
        },
        () =>
          [
            `campaign ${result.campaign.name} closed: ${result.by_policy} undecided item(s) -> ${result.policy_decision} (policy ${result.campaign.undecided_policy})`,
            ...result.files.map((f) => `  ${f.format.padEnd(4)}  ${f.path}  (${f.bytes} bytes)`),
          ].join("\n"),
      );
    });

  addDbOption(
    certify
      .command("report")
      .description("Write the sign-off report again (e.g. after remediation and a new crawl)"),
  )
    .requiredOption("--campaign <name>", "campaign name")
    .option(
      "--out <dir>",
      `folder for the sign-off report (default: the configuration's report.output, or ${DEFAULT_REPORT_DIR})`,
    )
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean; campaign: string }, command: Command) => {
      const files = await withStore(command, true, async (store, config) =>
        writeSignoff(store, await loadCampaign(store, flags.campaign), config.report.outDir),
      );
      print(flags.json, { campaign: flags.campaign, files }, () =>
        files.map((f) => `${f.format.padEnd(4)}  ${f.path}  (${f.bytes} bytes)`).join("\n"),
      );
    });
}
