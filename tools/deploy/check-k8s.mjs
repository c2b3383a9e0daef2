// Checks Kubernetes manifests offline against the Kubernetes API's JSON schemas, as compiled into the
// kubernetes-models package (pinned in package-lock.json): every document of every file given must be a
// known apiVersion/kind and pass its schema (required fields, types, enums). Prints one line per finding
// and exits 1 if there is any, 0 if there is none, 2 on a usage error.
// The schemas do not forbid unknown fields: a misspelt field passes here, and the deploy tests catch the
// ones that matter (hardening, probes, key mounts) by reading them by name.
// Used by tests/HealthCode.Integration.Tests/Deploy; by hand: node tools/deploy/check-k8s.mjs deploy/k8s/*.yaml
import { readFile } from "node:fs/promises";
import { parseAllDocuments } from "yaml";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node check-k8s.mjs MANIFEST.yaml...");
  process.exit(2);
}

// "apps/v1" -> kubernetes-models/apps/v1, "v1" (the core group) -> kubernetes-models/v1.
async function modelOf(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z0-9.]+(\/[A-Za-z0-9]+)?$/.test(apiVersion) || !/^[A-Za-z]+$/.test(kind)) {
    return undefined;
  }
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return module[kind];
  } catch {
    return undefined;
  }
}

let findings = 0;
let checked = 0;
const report = (where, message) => {
  findings++;
  console.log(`${where}: ${message}`);
};

for (const file of files) {
  const documents = parseAllDocuments(await readFile(file, "utf8"), { merge: true, uniqueKeys: true });
  for (const [index, document] of documents.entries()) {
    const where = `${file}#${index + 1}`;
    for (const error of [...document.errors, ...document.warnings]) {
      report(where, `YAML: ${error.message.split("\n")[0]}`);
    }
    const object = document.toJS();
    if (object === null || object === undefined) {
      continue; // an empty document, e.g. after a trailing ---
    }
    const name = `${object.kind ?? "?"}/${object.metadata?.name ?? "?"}`;
    const Model = await modelOf(object.apiVersion, object.kind);
    if (Model === undefined) {
      report(`${where} ${name}`, `no Kubernetes schema for apiVersion "${object.apiVersion}" kind "${object.kind}"`);
      continue;
    }
    checked++;
    try {
      new Model(object).validate();
    } catch (error) {
      for (const detail of error.errors ?? [{ instancePath: "", message: error.message }]) {
        report(`${where} ${name}`, `${detail.instancePath || "/"} ${detail.message}`);
      }
    }
  }
}

console.log(`${checked} objects checked, ${findings} findings`);
process.exit(findings === 0 && checked > 0 ? 0 : 1);
