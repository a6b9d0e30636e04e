/**
 * `access-audit remediate plan|apply --campaign NAME`: the API calls that apply a closed
 * campaign's revocations. `apply` changes the organization, so it needs `--yes` (exit 2
 * without) and a key allowed to write; it is idempotent and records every call's outcome.
 */
import type { Command } from "commander";
import { AdminClient } from "../../api/index.js";
import {
  applyRemediation,
  loadCampaign,
  type PlannedAction,
  planRemediation,
} from "../../certify/index.js";
import { revealInvisible } from "../../render/text.js";
import { createLogger } from "../../util/log.js";
import { addApiOptions, addDbOption, commandAdminKey, commandConfig } from "../config.js";
import { CliError, UsageError } from "../errors.js";
import { batchesOf, writeJsonWithList, writeLines } from "../output.js";
import { withStore } from "./certify.js";

function describe(a: PlannedAction): string {
  // Names are revealed one by one: a line break in a name must not forge a line of the plan.
  const who = revealInvisible(a.user_email ?? a.user_id ?? "");
  const group = `"${revealInvisible(a.group_name ?? a.group_id ?? "")}" (${a.group_id ?? ""})`;
  const project = `"${revealInvisible(a.project_name ?? a.project_id ?? "")}"`;
  const role = `"${revealInvisible(a.role_name ?? a.role_id ?? "")}"`;
  const what =
    a.action === "idp_change"
      ? `change in the identity provider: remove ${who} (${a.user_id ?? ""}) from SCIM-managed group ${group}`
      : `${a.method ?? ""} ${a.path ?? ""}`;
  const credential = `"${revealInvisible(a.credential_name ?? a.credential_id ?? "")}" (${revealInvisible(a.credential_id ?? "")}${a.redacted_value ? `, ${revealInvisible(a.redacted_value)}` : ""})`;
  const ownKey =
    a.action !== "delete_admin_api_key" || a.status !== "planned"
      ? ""
      : a.tool_key === "match"
        ? "; will be refused: the admin key this tool crawled with"
        : a.tool_key === "ambiguous"
          ? "; warning: may be the admin key this tool crawled with (refused if the key in use fits it)"
          : "";
  const grant =
    a.action === "remove_project_member"
      ? ` (remove ${who} from project ${project})`
      : a.action === "detach_project_group"
        ? ` (detach group ${group} from project ${project})`
        : a.action === "unassign_project_user_role"
          ? ` (unassign ${role} from ${who} in project ${project})`
          : a.action === "delete_admin_api_key"
            ? ` (delete admin key ${credential} of ${who}${ownKey})`
            : a.action === "delete_project_api_key"
              ? ` (delete API key ${credential} of ${who} in project ${project})`
              : a.action === "delete_service_account"
                ? ` (delete service account ${credential} and its keys in project ${project})`
                : a.action === "delete_invite"
                  ? ` (delete the pending invite of ${who})`
                  : "";
  const extra = a.error ? `: ${revealInvisible(a.error)}` : "";
  return `  ${a.item_id}  [${a.status}]  ${what}${grant}${extra}`;
}

export function registerRemediate(program: Command): void {
  const remediate = program
    .command("remediate")
    .description("Apply a closed campaign's revocations through the Admin API");

  addDbOption(
    remediate.command("plan").description("List the API calls that would apply the revocations"),
  )
    .requiredOption("--campaign <name>", "campaign name")
    .option("--json", "print JSON")
    .action(async (flags: { db?: string; json?: boolean; campaign: string }, command: Command) => {
      const actions = await withStore(command, false, async (store) =>
        planRemediation(store, await loadCampaign(store, flags.campaign)),
      );
      // Written a batch at a time: a million revocations' plan is more JSON than one string holds.
      if (flags.json) {
        await writeJsonWithList(
          { campaign: flags.campaign, actions },
          "actions",
          batchesOf(actions),
        );
        return;
      }
      const api = actions.filter((a) => a.action !== "idp_change").length;
      await writeLines(
        (function* () {
          yield `campaign ${flags.campaign}: ${actions.length} revocation(s), ${api} API call(s), ${actions.length - api} identity-provider change(s)`;
          for (const action of actions) yield describe(action);
        })(),
      );
    });

  addApiOptions(
    addDbOption(
      remediate.command("apply").description("Execute the plan through the API (needs --yes)"),
    ),
  )
    .requiredOption("--campaign <name>", "campaign name")
    .option("--yes", "confirm: change the organization")
    .option(
      "--retry-refused",
      "also retry the calls the API refused before (400/422: not retried otherwise)",
    )
    .option("--json", "print JSON")
    .action(
      async (
        flags: {
          db?: string;
          json?: boolean;
          campaign: string;
          yes?: boolean;
          retryRefused?: boolean;
          baseUrl?: string;
          keyFile?: string;
        },
        command: Command,
      ) => {
        if (flags.yes !== true) {
          throw new UsageError(
            "remediate apply changes the organization: run `remediate plan` to review it, then pass --yes",
          );
        }
        const config = await commandConfig(command);
        const apiKey = commandAdminKey(config);
        const client = new AdminClient({
          baseUrl: config.api.baseUrl,
          apiKey,
          concurrency: config.api.concurrency,
          allowInsecureHttp: config.api.allowInsecureHttp,
          logger: createLogger({ story: true }), // prints each change it applies
          ...(config.api.rateLimitRps === null ? {} : { rateLimitRps: config.api.rateLimitRps }),
        });
        let result: Awaited<ReturnType<typeof applyRemediation>>;
        try {
          result = await withStore(command, false, async (store) =>
            applyRemediation(store, await loadCampaign(store, flags.campaign), client, {
              retryRefused: flags.retryRefused === true,
              keyInUse: apiKey,
            }),
          );
        } finally {
          await client.close();
        }
        if (flags.json) {
          await writeJsonWithList(
            { campaign: flags.campaign, ...result },
            "actions",
            batchesOf(result.actions),
          );
        } else {
          await writeLines(
            (function* () {
              yield `campaign ${flags.campaign}: ${result.executed} call(s) made, ${result.skipped} skipped (done, identity provider or refused before), ${result.failed} failed${result.refused - result.withheld > 0 ? ` (${result.refused - result.withheld} refused by the API: not retried)` : ""}${result.withheld > 0 ? `, ${result.withheld} refused up front (the tool's own admin key)` : ""}`;
              for (const action of result.actions) yield describe(action);
              yield "run a crawl, then `certify status` to verify that the revoked grants are gone";
            })(),
          );
        }
        if (result.failed > 0) {
          const retryable = result.failed - result.refused;
          const byApi = result.refused - result.withheld;
          throw new CliError(
            [
              retryable > 0
                ? `${retryable} remediation call(s) failed; run apply again to retry them`
                : "",
              byApi > 0
                ? `${byApi} call(s) refused by the API (400/422), recorded and not retried (--retry-refused to try again): remove the access another way, or accept it`
                : "",
              result.withheld > 0
                ? `${result.withheld} revocation(s) of the admin key this tool uses refused up front, without a call: revoke it by hand once the tool uses another admin key`
                : "",
            ]
              .filter((line) => line !== "")
              .join("; "),
          );
        }
      },
    );
}
