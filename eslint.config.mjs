// Lint under both n8n rule sets:
// - eslint-plugin-n8n-nodes-base (node, credential and community package.json rules), and
// - @n8n/eslint-plugin-community-nodes (the rules n8n applies when it verifies a package),
// plus strict typescript-eslint on all code, tests and tools included.
// `npm run lint` then runs scripts/n8n-scan-lint.mjs, which lints nodes/, credentials/ and
// package.json exactly as n8n's verification scan does (eslint-disable comments ignored).
import js from '@eslint/js';
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const packageCode = ['nodes/**/*.ts', 'credentials/**/*.ts'];

export default tseslint.config(
	{ ignores: ['dist/**', '.dev/**', 'node_modules/**', 'coverage/**', '.n8n-e2e/**', '**/*.js', '!gulpfile.js', '!index.js', '!test/support/*.js'] },
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		files: ['**/*.ts'],
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
		},
		rules: {
			'@typescript-eslint/no-explicit-any': 'error',
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/consistent-type-imports': 'error',
		},
	},
	{
		files: ['gulpfile.js', 'index.js', 'test/support/*.js'],
		languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', exports: 'writable', process: 'readonly' } },
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
	{
		files: packageCode,
		...communityNodes.configs.recommended,
		ignores: [],
	},
	{
		// n8n's verification scan and `n8n-node lint` add this to the community rule set.
		files: packageCode,
		rules: { 'no-console': 'error' },
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// "Only applicable to nodes in the main repository": a community credential links to
			// its own documentation by full URL, which the community rule set requires.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// These two want the string literal ['main']; the newer community rule set (what n8n
			// verifies packages with) wants NodeConnectionTypes.Main. The newer one wins.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { 'n8n-nodes-base': n8nNodesBase, '@n8n/community-nodes': communityNodes },
		rules: {
			// package.json parses as one expression statement, which is the point.
			'@typescript-eslint/no-unused-expressions': 'off',
			...n8nNodesBase.configs.community.rules,
			...Object.fromEntries(
				Object.entries(communityNodes.configs.recommended.rules),
			),
		},
	},
);
