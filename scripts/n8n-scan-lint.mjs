// Lints the package the way n8n's verification does. n8n verifies a community package with
// `npx @n8n/scan-community-package <name>` (@n8n/scan-community-package 0.32), which:
// - lints the source commit that the npm provenance points at: package.json and
//   {nodes,credentials}/**/*.{js,ts,json};
// - lints the published tarball: every .js file and package.json;
// - both with @n8n/eslint-plugin-community-nodes' `recommended` config, `no-console`, and
//   eslint-plugin-n8n-nodes-base's community/credentials/nodes rule sets with the same rules
//   switched off as `n8n-node lint` (@n8n/node-cli's eslint config);
// - and with inline configuration ignored, so an `eslint-disable` comment in the node code does
//   not hide anything from it.
// `eslint .` (eslint.config.mjs) applies the same rule sets with the project's own stricter
// rules, but honours eslint-disable comments and lints no .json in nodes/ and no compiled
// output; this script closes that gap. The scanner itself cannot run before a release: it
// downloads the published version from npm.
//
//   node scripts/n8n-scan-lint.mjs                  the source (run by `npm run lint`)
//   node scripts/n8n-scan-lint.mjs --packed <dir>   the files `npm pack` ships, from <dir>
//                                                   (run by scripts/check-package.mjs)
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { ESLint } from 'eslint';
import { defineConfig } from 'eslint/config';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const REPO = resolve(fileURLToPath(import.meta.url), '../..');

export const SOURCE_PATTERNS = ['package.json', '{nodes,credentials}/**/*.{js,ts,json}'];
export const PACKED_PATTERNS = ['**/*.js', 'package.json'];

/** The scanner's configuration (scanner/scanner.mjs, buildScanConfig), rule for rule. */
const scanConfig = defineConfig(
	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{ files: ['package.json'], rules: { ...n8nNodesBase.configs.community.rules } },
	{
		files: ['**/credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['**/nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{ files: ['**/*.json', '**/*.ts'], languageOptions: { parser: tseslint.parser } },
);

/**
 * Lints `patterns` under `dir` as the scanner does. Prints ESLint's report and returns the number
 * of errors (the scanner fails a package on any error; warnings are shown, not counted).
 */
export async function scanLint(dir, patterns, label = `${patterns.join(', ')} in ${dir}`) {
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: scanConfig,
		// The source has no .js in nodes/, which is fine; a pattern matching nothing is not an error.
		errorOnUnmatchedPattern: false,
		ignorePatterns: ['node_modules/**', '**/package-lock.json'],
	});
	const results = await eslint.lintFiles(patterns);
	const formatter = await eslint.loadFormatter('stylish');
	const report = await formatter.format(results);
	if (report) process.stdout.write(report);
	const errors = results.reduce((sum, result) => sum + result.errorCount, 0);
	const warnings = results.reduce((sum, result) => sum + result.warningCount, 0);
	process.stdout.write(
		`n8n verification lint (${label}): ${results.length} files, ${errors} errors, ${warnings} warnings\n`,
	);
	return errors;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const args = process.argv.slice(2);
	const packed = args[0] === '--packed';
	if ((packed && args.length !== 2) || (!packed && args.length !== 0)) {
		process.stderr.write('usage: node scripts/n8n-scan-lint.mjs [--packed <dir>]\n');
		process.exit(2);
	}
	const errors = packed ? await scanLint(resolve(args[1]), PACKED_PATTERNS) : await scanLint(REPO, SOURCE_PATTERNS);
	process.exitCode = errors > 0 ? 1 : 0;
}
