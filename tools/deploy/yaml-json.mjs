// Reads YAML on standard input (one or more documents) and writes them as one JSON array, so that the deploy
// tests read manifests with System.Text.Json and no YAML library of their own. A YAML error exits 1.
import { parseAllDocuments } from "yaml";

let text = "";
for await (const chunk of process.stdin) {
  text += chunk;
}
const documents = parseAllDocuments(text, { merge: true, uniqueKeys: true });
const errors = documents.flatMap(d => d.errors);
if (errors.length > 0) {
  for (const error of errors) {
    console.error(error.message);
  }
  process.exit(1);
}
process.stdout.write(JSON.stringify(documents.map(d => d.toJS()).filter(d => d !== null && d !== undefined)));
