/** Shared set-up of the trigger tests: one sandbox per file, a fresh harness and runner per test. */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Sandbox, SandboxOptions } from '../../sandbox/server';
import { createSandbox } from '../../sandbox/server';
import { Harness } from '../../harness/harness';
import type { PollRunnerOptions } from '../../harness/poll';
import { PollRunner } from '../../harness/poll';

export interface TriggerFixture {
	readonly sandbox: Sandbox;
	/** A runner for the trigger with these parameters, its credential pointing at the sandbox. */
	runner(parameters: INodeParameters, options?: PollRunnerOptions & { harness?: Harness }): PollRunner;
	harness(): Harness;
	/** Creates `count` sessions (status waiting) and returns their ids. */
	sessions(count: number): string[];
	/** get_details requests since the last reset. */
	detailCalls(): number;
	tokenCalls(): number;
}

/**
 * The sandbox answers in the live shape. By default it plays an account without a checker step
 * (no audit fields: the agent's decision is final), which is what these tests of statuses, state
 * and resilience are about; test/trigger/checker.test.ts covers the checker.
 */
export function useTriggerFixture(options: SandboxOptions = { checkerStep: false }): TriggerFixture {
	let sandbox: Sandbox | undefined;
	beforeAll(async () => {
		sandbox = await createSandbox(options);
	});
	afterEach(() => sandbox?.reset());
	afterAll(async () => {
		await sandbox?.close();
	});
	const sb = (): Sandbox => {
		if (!sandbox) throw new Error('sandbox not started');
		return sandbox;
	};
	const harness = (): Harness =>
		new Harness().addKwikIdCredential({
			domain: sb().url,
			environment: 'test',
			username: sb().username,
			password: sb().password,
		});
	return {
		get sandbox() {
			return sb();
		},
		harness,
		runner: (parameters, options = {}) => new PollRunner(options.harness ?? harness(), parameters, options),
		sessions: (count) => Array.from({ length: count }, () => sb().createSession().session_id),
		detailCalls: () => sb().stats().requests.get_details,
		tokenCalls: () => sb().stats().requests.generate_token,
	};
}

export function watch(ids: string[], extra: INodeParameters = {}): INodeParameters {
	return { sessionIds: ids.join(', '), ...extra };
}

export function json(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item.json);
}

/** The (session, previous, status) triples of emitted items, order-independent. */
export function transitions(items: INodeExecutionData[]): string[] {
	return items
		.map(({ json: j }) => `${String(j.session_id)}: ${String(j.previous_status)} -> ${String(j.status)}`)
		.sort();
}
