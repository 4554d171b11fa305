/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['<rootDir>/test/**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
	},
	// Workflows run real HTTP against a local sandbox; a few cases wait out backoff delays.
	testTimeout: 30000,
	// Two cores: two workers keep the machine responsive while sandboxes run.
	maxWorkers: 2,
	setupFiles: ['<rootDir>/test/support/env.js'],
	reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
};
