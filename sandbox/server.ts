/**
 * createSandbox(): a local HTTP server that behaves like the KwikID API, quirks included, with
 * fault injection and counters for tests and benchmarks. This file only assembles it: the server
 * itself (core.ts) knows no feature; each feature here registers the paths it answers.
 */
import { controlFeature } from './control';
import { customerFeature } from './console/customer';
import { createSandboxCore, type Sandbox, type SandboxOptions } from './core';

export * from './core';

export function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	// Order matters only for overlapping paths, and these do not overlap.
	return createSandboxCore(options, [controlFeature, customerFeature]);
}
