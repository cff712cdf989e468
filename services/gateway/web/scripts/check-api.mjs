// CI guard: the committed client in src/api/generated must be exactly what `npm run generate:api` makes from
// openapi.json. Regenerates into a temporary folder (openapi-ts.config.ts reads OPENAPI_TS_OUTPUT) and diffs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const committed = join(root, "src/api/generated");
const fresh = mkdtempSync(join(tmpdir(), "masteria-api-"));

function files(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  try {
    walk(dir);
  } catch {
    /* a missing folder has no files */
  }
  return out.sort();
}

try {
  const bin = join(root, "node_modules/.bin/openapi-ts");
  const run = spawnSync(bin, [], { cwd: root, env: { ...process.env, OPENAPI_TS_OUTPUT: fresh }, encoding: "utf8" });
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    console.error("check:api: openapi-ts failed");
    process.exit(1);
  }
  const want = files(fresh);
  const have = files(committed);
  const problems = [];
  for (const f of want) if (!have.includes(f)) problems.push(`missing: src/api/generated/${f}`);
  for (const f of have) if (!want.includes(f)) problems.push(`not generated: src/api/generated/${f}`);
  for (const f of want) {
    if (have.includes(f) && readFileSync(join(fresh, f), "utf8") !== readFileSync(join(committed, f), "utf8")) {
      problems.push(`differs: src/api/generated/${f}`);
    }
  }
  if (problems.length) {
    console.error(problems.join("\n"));
    console.error("check:api: the generated API client is stale; run `npm run generate:api` (or `make api-client`) and commit it");
    process.exit(1);
  }
  console.log(`check:api: src/api/generated matches openapi.json (${want.length} files)`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
