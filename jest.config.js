const { dirname } = require('node:path');

/**
 * `npm test` runs every test on n8n-core 2.x (the n8n-core/n8n-workflow devDependencies), then the
 * tests that go through n8n's engine again on n8n-core 1.x, because n8n 1.x still runs in
 * production and hands errors, credentials and polls to nodes differently. The 1.x project maps
 * `n8n-core`, `n8n-workflow` and `@n8n/di` to the copies n8n-core 1.x brings (the `n8n-core-1`
 * devDependency, an npm alias): the node under test then runs on n8n-workflow 1.x, as it does
 * inside a real n8n 1.x, where the package's own n8n-workflow resolves to n8n's.
 */

const shared = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
	},
	setupFiles: ['<rootDir>/test/support/env.js'],
};

const core1 = dirname(require.resolve('n8n-core-1/package.json'));
const fromCore1 = (name) => dirname(require.resolve(`${name}/package.json`, { paths: [core1] }));

/** Tests that never load n8n-core, or test something else than it: the sandbox alone, pure functions, the soak's long run, the sandbox's console in a browser. */
const notThroughN8n = ['<rootDir>/test/sandbox/', '<rootDir>/test/unit/', '<rootDir>/test/soak/', '<rootDir>/test/console/'];

/** @type {import('jest').Config} */
module.exports = {
	// Workflows run real HTTP against a local sandbox; a few cases wait out backoff delays.
	testTimeout: 30000,
	// Two cores: two workers keep the machine responsive while sandboxes run.
	maxWorkers: 2,
	reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
	projects: [
		{
			...shared,
			displayName: 'n8n-core 2.x',
			roots: ['<rootDir>/test'],
			testMatch: ['<rootDir>/test/**/*.test.ts'],
		},
		{
			...shared,
			displayName: 'n8n-core 1.x',
			roots: ['<rootDir>/test'],
			testMatch: ['<rootDir>/test/**/*.test.ts'],
			testPathIgnorePatterns: notThroughN8n,
			moduleNameMapper: {
				'^n8n-core$': core1,
				'^n8n-workflow$': fromCore1('n8n-workflow'),
				'^@n8n/di$': fromCore1('@n8n/di'),
			},
		},
	],
};
