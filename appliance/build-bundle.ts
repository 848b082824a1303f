/**
 * Bundles vml-agent into one JavaScript file for the appliance: dist/appliance/vml-agent.mjs (with its
 * shebang), plus the two worker threads as their own files beside it. The agent starts its workers with
 * `new URL('./chunk-worker.js', import.meta.url)`, and inside the bundle `import.meta.url` is the bundle, so
 * the workers are found when they sit next to it under those names. A package.json beside them says they are
 * ES modules and marks the directory as the package root, where the agent looks for its shipped recipes/.
 *
 * Run: node appliance/build-bundle.ts [OUTDIR]   (Node >= 22.18 runs TypeScript directly)
 */
import { chmod, cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = resolve(process.argv[2] ?? join(REPO, 'dist/appliance'));

// Bundled CommonJS dependencies call require() for Node built-ins; an ES module has no require of its own.
const REQUIRE_SHIM =
  "import { createRequire as __vmlCreateRequire } from 'node:module'; const require = __vmlCreateRequire(import.meta.url);";

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  // Error classes are matched by name (isVmlError), and names make stack traces under --verbose readable.
  keepNames: true,
  legalComments: 'none',
  banner: { js: REQUIRE_SHIM },
  logLevel: 'warning',
};

async function main(): Promise<void> {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  await build({
    ...common,
    entryPoints: [join(REPO, 'agent/cli/main.ts')],
    outfile: join(OUT, 'vml-agent.mjs'),
  });
  await build({
    ...common,
    entryPoints: {
      'chunk-worker': join(REPO, 'agent/steps/files/chunk-worker.ts'),
      'encode-worker': join(REPO, 'logbook/encode-worker.ts'),
    },
    outdir: OUT,
  });
  const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
  await writeFile(
    join(OUT, 'package.json'),
    `${JSON.stringify({ name: 'vml-agent-bundle', version: pkg.version, type: 'module', private: true }, null, 2)}\n`,
  );
  await cp(join(REPO, 'recipes'), join(OUT, 'recipes'), {
    recursive: true,
    filter: (src) => !src.endsWith('.ts'),
  });
  await chmod(join(OUT, 'vml-agent.mjs'), 0o755);
  const size = (await stat(join(OUT, 'vml-agent.mjs'))).size;
  process.stdout.write(`Bundled vml-agent ${pkg.version} into ${OUT} (${(size / 1024).toFixed(0)} KiB)\n`);
}

await main();
