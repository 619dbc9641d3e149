// Parses each AsyncAPI document given with the official parser (@asyncapi/parser) and fails
// on any error-level diagnostic; prints each operation as resolved. Usage:
// node asyncapi.mjs <file.asyncapi.json>...
import { readFile } from "node:fs/promises";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const parser = new Parser();
let failed = false;
for (const path of process.argv.slice(2)) {
  const text = await readFile(path, "utf8");
  const { document, diagnostics } = await parser.parse(text, { source: path });
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  for (const d of diagnostics) {
    const level = d.severity === DiagnosticSeverity.Error ? "error" : "note";
    console.log(`${path}: ${level} ${d.code}: ${d.message} at ${d.path.join(".")}`);
  }
  if (errors.length > 0 || document === undefined) {
    failed = true;
    continue;
  }
  // The parsed model holds what the generator meant: a channel per namespace, and
  // operations whose replies resolve.
  const channels = document.channels().all();
  const operations = document.operations().all();
  if (channels.length === 0 || operations.length === 0) {
    console.log(`${path}: error: no channels or no operations`);
    failed = true;
  }
  for (const operation of operations) {
    const messages = operation.messages().all();
    if (messages.length === 0) {
      console.log(`${path}: error: operation ${operation.id()} has no message`);
      failed = true;
    }
    // One line per operation as the parser resolved it, for the caller to check:
    // `operation <id>: <action> <message names> -> <reply message names>`.
    const replies = operation.reply()?.messages().all() ?? [];
    const names = (list) => list.map((m) => m.name()).join(", ");
    console.log(`${path}: operation ${operation.id()}: ${operation.action()} ${names(messages)} -> ${names(replies)}`);
  }
  console.log(`${path}: ${channels.length} channel(s), ${operations.length} operation(s)`);
}
process.exit(failed ? 1 : 0);
