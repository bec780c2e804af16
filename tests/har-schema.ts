// The HAR 1.2 schema as the har-schema package writes it (JSON Schema draft-06, one file per object), checked
// by Ajv: an oracle for the HARs CORScope exports that shares no code with src/report.
import Ajv, { type ErrorObject } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import addFormats from 'ajv-formats';
import schemas from 'har-schema';

export interface SchemaError {
  /** Where, as a JSON pointer: "/log/entries/0/request". */
  path: string;
  message: string;
}

/**
 * har-schema writes the timings' lower bound (-1: "not applicable") as "min", which JSON Schema does not
 * know: read as the "minimum" its authors meant.
 */
function withMinimum(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withMinimum);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k === 'min' ? 'minimum' : k, withMinimum(v)]),
  );
}

// strict: false, as har-schema also uses "optional", a keyword Ajv does not know and that means nothing.
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addMetaSchema(draft06);
addFormats(ajv);
for (const [name, schema] of Object.entries(schemas))
  if (name !== 'har') ajv.addSchema(withMinimum(schema) as object);
const har = ajv.compile(withMinimum(schemas.har) as object);

const asError = (e: ErrorObject): SchemaError => ({ path: e.instancePath, message: e.message ?? e.keyword });

/** Every way `value` breaks the HAR 1.2 schema; [] for a valid HAR. */
export function validateHar(value: unknown): SchemaError[] {
  return har(value) ? [] : (har.errors ?? []).map(asError);
}
