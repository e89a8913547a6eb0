// One Ajv (JSON Schema 2020-12) instance for the manifest and endpoint schemas. `verbose` keeps
// the failing value and parent schema on each error, which the messages quote.
import { Ajv2020 } from 'ajv/dist/2020.js';

let shared: Ajv2020 | undefined;

export function ajv(): Ajv2020 {
  // strict: false because fal's OpenAPI files carry keywords Ajv does not know (x-fal-*, nullable).
  shared ??= new Ajv2020({ allErrors: true, verbose: true, strict: false, validateFormats: false });
  return shared;
}
