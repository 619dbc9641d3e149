// Validates samples against a generated `<stem>.schema.json` with ajv (JSON Schema 2020-12).
// Usage: node json_schema.mjs <schema.json> <samples.json>, samples being
// [{ name, type, value, valid, why }]: `value` must validate against `$defs/<type>` exactly
// when `valid` is true.
import { readFile } from "node:fs/promises";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [schemaPath, samplesPath] = process.argv.slice(2);
const schema = JSON.parse(await readFile(schemaPath, "utf8"));
const samples = JSON.parse(await readFile(samplesPath, "utf8"));

// Strict: an unknown keyword or format in the generated schema is an error, not ignored.
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
ajv.addKeyword("x-eventwire-contracts");
// schemars' formats for Rust numbers: the bounds beside them already say the range, and
// the formats say it once more so that a validator does check it.
const ranges = {
  int8: [-(2 ** 7), 2 ** 7 - 1], uint8: [0, 2 ** 8 - 1],
  int16: [-(2 ** 15), 2 ** 15 - 1], uint16: [0, 2 ** 16 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1],
};
for (const [format, [min, max]] of Object.entries(ranges)) {
  ajv.addFormat(format, { type: "number", validate: (n) => Number.isInteger(n) && n >= min && n <= max });
}
ajv.addFormat("float", { type: "number", validate: (n) => Number.isFinite(n) });
ajv.addFormat("double", { type: "number", validate: (n) => Number.isFinite(n) });
ajv.addSchema(schema, "shapes");

let failures = 0;
let checked = 0;
for (const sample of samples) {
  const validate = ajv.getSchema(`shapes#/$defs/${sample.type}`);
  if (!validate) throw new Error(`no $defs/${sample.type} in ${schemaPath}`);
  const valid = validate(sample.value);
  checked += 1;
  if (valid !== sample.valid) {
    failures += 1;
    const what = sample.valid ? `refused: ${ajv.errorsText(validate.errors)}` : `accepted, though wrong (${sample.why})`;
    console.log(`${sample.name} (${sample.type}) ${JSON.stringify(sample.value)}: ${what}`);
  }
}
console.log(`${checked} samples checked, ${failures} disagreed`);
process.exit(failures === 0 ? 0 : 1);
