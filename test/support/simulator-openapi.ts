/**
 * Validation of simulator responses against the official OpenAPI access-audit
 * subset (shared/openapi/openai-admin-access.yaml: groups, roles, users,
 * projects and their access, keys, invites, audit logs), with Ajv's JSON
 * Schema 2020-12 dialect (OpenAPI 3.1 schemas are 2020-12).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

// CommonJS modules seen from NodeNext ESM: the constructor is on `.default`.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SPEC_FILE = "shared/openapi/openai-admin-access.yaml";

/**
 * CI copies shared/ beside the repository; a git worktree one level further down (e.g.
 * wt/<name>) finds it beside its parent. `OPENAI_ADMIN_SPEC` overrides both.
 */
export const SPEC_PATH =
  process.env.OPENAI_ADMIN_SPEC ??
  [path.resolve(repoRoot, "..", SPEC_FILE), path.resolve(repoRoot, "../..", SPEC_FILE)].find(
    (candidate) => existsSync(candidate),
  ) ??
  path.resolve(repoRoot, "..", SPEC_FILE);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Operation {
  responses?: Record<
    string,
    { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> }
  >;
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Json>;
    responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  };
}

export interface ValidationResult {
  valid: boolean;
  /** "instancePath message" lines, empty when valid. */
  errors: string[];
}

const SPEC_ID = "https://openai-admin.simulator.test/spec.json";

export class SpecValidator {
  readonly spec: Spec;
  private readonly ajv: InstanceType<typeof Ajv2020>;

  constructor(specPath: string = SPEC_PATH) {
    this.spec = parse(readFileSync(specPath, "utf8")) as Spec;
    this.ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(this.ajv);
    // Vendor keywords and the OpenAPI `unixtime` format.
    this.ajv.addKeyword("x-oaiMeta");
    this.ajv.addKeyword("x-stainless-const");
    // The larger subset's schemas carry OpenAPI's `example`.
    this.ajv.addKeyword("example");
    this.ajv.addFormat("unixtime", {
      type: "number",
      validate: (n: number) => Number.isInteger(n),
    });
    // Register components.schemas as $defs of one document; rewrite the refs to match.
    const rewritten = JSON.parse(
      JSON.stringify(this.spec.components.schemas).replaceAll("#/components/schemas/", "#/$defs/"),
    ) as Record<string, Json>;
    this.ajv.addSchema({ $id: SPEC_ID, $defs: rewritten });
  }

  /** Validates `value` against `#/components/schemas/<name>`. */
  validateSchema(name: string, value: unknown): ValidationResult {
    const validate = this.ajv.getSchema(`${SPEC_ID}#/$defs/${name}`);
    if (validate === undefined) throw new Error(`no schema ${name} in the spec`);
    const valid = validate(value) === true;
    const errors = (validate.errors ?? []).map(
      (e) => `${e.instancePath || "/"} ${e.message ?? ""}`,
    );
    return { valid, errors };
  }

  /**
   * The schema name the spec gives for `status` of `METHOD /v1<template>`; error
   * statuses the spec does not document use `ErrorResponse`, like the 429 it does.
   */
  responseSchemaName(method: string, template: string, status: number): string {
    const operation = this.spec.paths[`/v1${template}`]?.[method.toLowerCase()];
    if (operation === undefined) throw new Error(`no operation ${method} ${template} in the spec`);
    const response = operation.responses?.[String(status)];
    if (response === undefined) {
      if (status >= 400) return "ErrorResponse";
      throw new Error(`${method} ${template} documents no ${status}`);
    }
    const ref =
      response.$ref !== undefined
        ? this.spec.components.responses[response.$ref.split("/").pop() as string]?.content?.[
            "application/json"
          ]?.schema?.$ref
        : response.content?.["application/json"]?.schema?.$ref;
    if (ref === undefined) throw new Error(`${method} ${template} ${status} has no JSON schema`);
    return ref.split("/").pop() as string;
  }

  /** Validates a response body as the spec documents it (a named schema, or an inline one). */
  validateResponse(
    method: string,
    template: string,
    status: number,
    body: unknown,
  ): ValidationResult {
    const inline = this.inlineResponseSchema(method, template, status);
    if (inline !== undefined) {
      const validate = this.ajv.compile(inline);
      const valid = validate(body) === true;
      const errors = (validate.errors ?? []).map(
        (e) => `${e.instancePath || "/"} ${e.message ?? ""}`,
      );
      return { valid, errors };
    }
    return this.validateSchema(this.responseSchemaName(method, template, status), body);
  }

  /**
   * The inline schema of a documented response without a `$ref` (e.g. delete-admin-api-key),
   * with its component refs pointing into the registered document; undefined otherwise.
   */
  private inlineResponseSchema(
    method: string,
    template: string,
    status: number,
  ): Record<string, Json> | undefined {
    const operation = this.spec.paths[`/v1${template}`]?.[method.toLowerCase()];
    const response = operation?.responses?.[String(status)];
    const schema = response?.content?.["application/json"]?.schema;
    if (schema === undefined || schema.$ref !== undefined) return undefined;
    return JSON.parse(
      JSON.stringify(schema).replaceAll("#/components/schemas/", `${SPEC_ID}#/$defs/`),
    ) as Record<string, Json>;
  }

  /** Every (method, template) pair the spec documents, templates without the /v1 prefix. */
  operations(): Array<{ method: string; template: string }> {
    const out: Array<{ method: string; template: string }> = [];
    for (const [p, methods] of Object.entries(this.spec.paths)) {
      for (const method of Object.keys(methods)) {
        out.push({ method: method.toUpperCase(), template: p.replace(/^\/v1/, "") });
      }
    }
    return out;
  }
}
