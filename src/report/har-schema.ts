// The HAR 1.2 JSON Schema (http://www.softwareishard.com/blog/har-12-spec/, in the layout of the
// har-schema package: one definition per object, custom "_" fields allowed everywhere), and a compact
// validator for the part of JSON Schema it uses: type, required, properties, items, $ref, minimum,
// pattern, format (date-time, uri), oneOf.

export type JsonSchema = {
  $schema?: string;
  $ref?: string;
  type?: string | string[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  minimum?: number;
  pattern?: string;
  format?: 'date-time' | 'uri';
  oneOf?: JsonSchema[];
  definitions?: Record<string, JsonSchema>;
};

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });
const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer' };
const ms: JsonSchema = { type: 'number', minimum: -1 };
const listOf = (name: string): JsonSchema => ({ type: 'array', items: ref(name) });
// ISO 8601, as har-schema spells it.
const DATE_TIME =
  '^(\\d{4})(-)?(\\d\\d)(-)?(\\d\\d)(T)?(\\d\\d)(:)?(\\d\\d)(:)?(\\d\\d)(\\.\\d+)?(Z|([+-])(\\d\\d)(:)?(\\d\\d))';

export const HAR_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['log'],
  properties: { log: ref('log') },
  definitions: {
    log: {
      type: 'object',
      required: ['version', 'creator', 'entries'],
      properties: {
        version: str,
        creator: ref('creator'),
        browser: ref('creator'),
        pages: listOf('page'),
        entries: listOf('entry'),
        comment: str,
      },
    },
    creator: {
      type: 'object',
      required: ['name', 'version'],
      properties: { name: str, version: str, comment: str },
    },
    page: {
      type: 'object',
      required: ['startedDateTime', 'id', 'title', 'pageTimings'],
      properties: {
        startedDateTime: { type: 'string', format: 'date-time', pattern: DATE_TIME },
        id: str,
        title: str,
        pageTimings: ref('pageTimings'),
        comment: str,
      },
    },
    pageTimings: {
      type: 'object',
      properties: { onContentLoad: ms, onLoad: ms, comment: str },
    },
    entry: {
      type: 'object',
      required: ['startedDateTime', 'time', 'request', 'response', 'cache', 'timings'],
      properties: {
        pageref: str,
        startedDateTime: { type: 'string', format: 'date-time', pattern: DATE_TIME },
        time: { type: 'number', minimum: 0 },
        request: ref('request'),
        response: ref('response'),
        cache: ref('cache'),
        timings: ref('timings'),
        serverIPAddress: str,
        connection: str,
        comment: str,
      },
    },
    request: {
      type: 'object',
      required: [
        'method',
        'url',
        'httpVersion',
        'cookies',
        'headers',
        'queryString',
        'headersSize',
        'bodySize',
      ],
      properties: {
        method: str,
        url: { type: 'string', format: 'uri' },
        httpVersion: str,
        cookies: listOf('cookie'),
        headers: listOf('record'),
        queryString: listOf('record'),
        postData: ref('postData'),
        headersSize: int,
        bodySize: int,
        comment: str,
      },
    },
    response: {
      type: 'object',
      required: [
        'status',
        'statusText',
        'httpVersion',
        'cookies',
        'headers',
        'content',
        'redirectURL',
        'headersSize',
        'bodySize',
      ],
      properties: {
        status: int,
        statusText: str,
        httpVersion: str,
        cookies: listOf('cookie'),
        headers: listOf('record'),
        content: ref('content'),
        redirectURL: str,
        headersSize: int,
        bodySize: int,
        comment: str,
      },
    },
    record: {
      type: 'object',
      required: ['name', 'value'],
      properties: { name: str, value: str, comment: str },
    },
    cookie: {
      type: 'object',
      required: ['name', 'value'],
      properties: {
        name: str,
        value: str,
        path: str,
        domain: str,
        expires: { type: ['string', 'null'], format: 'date-time' },
        httpOnly: { type: 'boolean' },
        secure: { type: 'boolean' },
        comment: str,
      },
    },
    postData: {
      type: 'object',
      required: ['mimeType'],
      properties: {
        mimeType: str,
        text: str,
        params: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: str, value: str, fileName: str, contentType: str, comment: str },
          },
        },
        comment: str,
      },
    },
    content: {
      type: 'object',
      required: ['size', 'mimeType'],
      properties: {
        size: int,
        compression: int,
        mimeType: str,
        text: str,
        encoding: str,
        comment: str,
      },
    },
    cache: {
      type: 'object',
      properties: {
        beforeRequest: { oneOf: [{ type: 'null' }, ref('cacheEntry')] },
        afterRequest: { oneOf: [{ type: 'null' }, ref('cacheEntry')] },
        comment: str,
      },
    },
    cacheEntry: {
      type: 'object',
      required: ['lastAccess', 'eTag', 'hitCount'],
      properties: { expires: str, lastAccess: str, eTag: str, hitCount: int, comment: str },
    },
    timings: {
      type: 'object',
      required: ['send', 'wait', 'receive'],
      properties: {
        dns: ms,
        connect: ms,
        blocked: ms,
        send: ms,
        wait: ms,
        receive: ms,
        ssl: ms,
        comment: str,
      },
    },
  },
};

export interface SchemaError {
  /** JSON pointer to the value, e.g. "/log/entries/3/response/status". */
  path: string;
  message: string;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const typeMatches = (actual: string, wanted: string) =>
  actual === wanted || (wanted === 'number' && actual === 'integer');

function formatOk(format: string, v: string): boolean {
  if (format === 'date-time') return !Number.isNaN(Date.parse(v));
  if (format === 'uri') return /^[a-z][a-z0-9+.-]*:/i.test(v);
  return true;
}

/** Validates `value` against `schema` (resolving $ref in `root.definitions`); returns every error found. */
export function validateSchema(
  value: unknown,
  schema: JsonSchema,
  root: JsonSchema = schema,
  path = '',
  errors: SchemaError[] = [],
): SchemaError[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/definitions/', '');
    const target = root.definitions?.[name];
    if (!target) errors.push({ path, message: `unknown $ref ${schema.$ref}` });
    else validateSchema(value, target, root, path, errors);
    return errors;
  }
  if (schema.oneOf) {
    const passing = schema.oneOf.filter((s) => validateSchema(value, s, root, path).length === 0).length;
    if (passing !== 1)
      errors.push({ path, message: `must match exactly one schema in oneOf (${passing} do)` });
  }
  const actual = typeOf(value);
  if (schema.type) {
    const wanted = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!wanted.some((t) => typeMatches(actual, t))) {
      errors.push({ path, message: `must be ${wanted.join(' or ')}, is ${actual}` });
      return errors;
    }
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum)
    errors.push({ path, message: `must be >= ${schema.minimum}, is ${value}` });
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value))
      errors.push({ path, message: `must match ${schema.pattern}` });
    if (schema.format && !formatOk(schema.format, value))
      errors.push({ path, message: `must be a ${schema.format}` });
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? [])
      if (!(key in obj)) errors.push({ path, message: `must have required property "${key}"` });
    for (const [key, sub] of Object.entries(schema.properties ?? {}))
      if (obj[key] !== undefined) validateSchema(obj[key], sub, root, `${path}/${key}`, errors);
  }
  if (actual === 'array' && schema.items) {
    (value as unknown[]).forEach((item, i) => {
      validateSchema(item, schema.items!, root, `${path}/${i}`, errors);
    });
  }
  return errors;
}

/** Validates a HAR document against the HAR 1.2 schema. */
export function validateHar(har: unknown): SchemaError[] {
  return validateSchema(har, HAR_SCHEMA);
}
