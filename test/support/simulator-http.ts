/** A minimal raw HTTP client for simulator tests: no SDK, no retries, no parsing surprises. */

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not valid JSON. */
  json: unknown;
}

export interface CallOptions {
  body?: unknown;
  /** Sent verbatim instead of JSON.stringify(body). */
  rawBody?: string;
  /** The bearer key; null sends no Authorization header. Default: the simulator's key. */
  key?: string | null;
}

export interface Target {
  baseUrl: string;
  adminKey: string;
}

/** `pathAndQuery` is relative to the base URL, e.g. "/organization/groups?limit=2". */
export async function call(
  sim: Target,
  method: string,
  pathAndQuery: string,
  options: CallOptions = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { accept: "application/json" };
  const key = options.key === undefined ? sim.adminKey : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${sim.baseUrl}${pathAndQuery}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Narrows a parsed body to a plain object (throws otherwise, failing the test). */
export function obj(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

/** The `data` array of a list body. */
export function dataOf(value: unknown): Array<Record<string, unknown>> {
  const data = obj(value).data;
  if (!Array.isArray(data)) throw new Error(`expected a data array in ${JSON.stringify(value)}`);
  return data as Array<Record<string, unknown>>;
}
