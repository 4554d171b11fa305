// The package as npm would publish it, checked before it is: run after `npm run build` (by
// .ci/run and by the publish workflow). Fails when
// - the tarball is over 150 kB (n8n's users install it into every n8n; it was 80 kB at 0.1.0);
// - it ships anything but dist/, package.json, README.md, LICENSE, CHANGELOG.md and index.js (tests, the
//   sandbox or sources in the tarball are dead weight, and a file there is code n8n's
//   verification lints);
// - a file named in package.json's "n8n" section is missing from it (n8n would fail to load the
//   node, not npm to publish it);
// - package.json has runtime dependencies (n8n's verification refuses any), or compiled code
//   loads a module that n8n does not provide: @n8n/eslint-plugin-community-nodes lets
//   devDependencies through its import rule, but a devDependency is not installed next to the
//   package in n8n;
// - the shipped .js files and package.json fail n8n's verification lint (scripts/n8n-scan-lint.mjs,
//   the scanner's second pass over the tarball).
// It prints the tarball's size and what it holds.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

import { scanLint } from './n8n-scan-lint.mjs';

const REPO = resolve(fileURLToPath(import.meta.url), '../..');
/** kB as npm prints it (1,000 bytes), so the limit reads the same as `npm pack`'s output. */
const MAX_TARBALL_BYTES = 150_000;
// index.js: the package's `main` (the design card's top level); npm always ships it.
const TOP_LEVEL_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'index.js'];
/**
 * What compiled code may load: n8n-workflow (the peer dependency, n8n's own copy), zod (n8n
 * provides it; Push DKYC Data loads zod/v3) and Node's crypto. The same names are on the
 * community-nodes import allow-list.
 */
const PROVIDED_MODULES = ['n8n-workflow', 'zod', 'crypto', 'node:crypto'];

const problems = [];
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
for (const field of ['dependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies']) {
	const value = manifest[field];
	const names = Array.isArray(value) ? value : Object.keys(value ?? {});
	if (names.length) problems.push(`package.json has ${field} (${names.join(', ')}): the package must have none at runtime`);
}

// --ignore-scripts: nothing may build or change files between this listing and what is checked.
const packOutput = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
	cwd: REPO,
	encoding: 'utf8',
	stdio: ['ignore', 'pipe', 'inherit'],
});
const [pack] = JSON.parse(packOutput);
const paths = pack.files.map((file) => file.path).sort();

process.stdout.write(
	`${pack.filename}: tarball ${kB(pack.size)} (limit ${kB(MAX_TARBALL_BYTES)}), unpacked ${kB(pack.unpackedSize)}, ${pack.entryCount} files\n`,
);
if (pack.size > MAX_TARBALL_BYTES) problems.push(`the tarball is ${kB(pack.size)}, over the ${kB(MAX_TARBALL_BYTES)} limit`);

const stray = paths.filter((path) => !path.startsWith('dist/') && !TOP_LEVEL_FILES.includes(path));
if (stray.length) problems.push(`the tarball holds files outside dist/ and ${TOP_LEVEL_FILES.join(', ')}: ${stray.join(', ')}`);
if (!paths.some((path) => path.startsWith('dist/'))) problems.push('the tarball has no dist/: run `npm run build` first');

const declared = [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])];
if (!declared.length) problems.push('package.json declares no nodes or credentials under "n8n"');
for (const path of declared) {
	if (!paths.includes(path)) problems.push(`package.json's "n8n" section names ${path}, which the tarball lacks`);
}

// TypeScript's own pre-processor lists a file's imports, require() calls and import() calls,
// and not the module names that comments mention.
const shippedJs = paths.filter((path) => path.endsWith('.js'));
for (const path of shippedJs) {
	const { importedFiles } = ts.preProcessFile(readFileSync(join(REPO, path), 'utf8'), true, true);
	for (const { fileName: specifier } of importedFiles) {
		if (specifier.startsWith('./') || specifier.startsWith('../')) continue;
		const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
		if (!PROVIDED_MODULES.includes(name)) problems.push(`${path} loads "${specifier}", which n8n does not provide`);
	}
}

const lintErrors = await scanLint(REPO, [...shippedJs, 'package.json'], 'the .js files and package.json that npm pack ships');
if (lintErrors) problems.push(`n8n's verification lint found ${lintErrors} errors in the shipped files (above)`);

for (const path of paths) process.stdout.write(`  ${path}\n`);
if (problems.length) {
	process.stderr.write(`\nPackage check FAILED:\n${problems.map((problem) => `- ${problem}`).join('\n')}\n`);
	process.exitCode = 1;
} else {
	process.stdout.write('Package check passed.\n');
}
