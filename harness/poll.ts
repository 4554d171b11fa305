/**
 * Runs a polling trigger the way an active n8n workflow does, on n8n-core's own PollContext.
 *
 * What it mirrors (n8n-core PollTriggerExecutor and packages/cli ActiveWorkflowManager):
 * - one Workflow and one PollContext per activation, reused by every poll, so the node's static
 *   data lives in memory between polls;
 * - a poll returning items is emitted, and emitting saves the workflow's static data, only if
 *   n8n's observable object marked it changed (WorkflowStaticDataService.saveStaticData);
 * - activation runs one poll right away (n8n-core's activatePolling, on 1.x and 2.x alike): its
 *   items are emitted like any poll's; if it throws, the activation fails (n8n logs it and retries
 *   the activation later from the saved state); if not, n8n saves the static data (if changed).
 *   Here the first poll() after activation, a restart or a reconfigure is that activation poll;
 * - any later poll returning null or throwing saves nothing (a throw becomes an error execution);
 * - "Fetch Test Event" runs the poll on a fresh PollContext in manual mode.
 * With `durableScheduler` it runs the later polls as n8n 2.41's durable poll scheduler does
 * (N8N_SCHEDULER_POLL_TRIGGERS_ENABLED, packages/cli PollTriggerTaskHandler): each on a Workflow
 * and PollContext built afresh from the saved static data, so what a poll that emitted nothing
 * changed is not there at the next one.
 * What it adds for tests: `restart()` drops every unsaved change (n8n restarted, the static data
 * comes back from the database as last saved, the process's memory is empty), and access to the
 * saved and live state.
 */
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IPollFunctions,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { PollContext } from 'n8n-core';

import type { Harness } from './harness';
import { initN8nCore } from './n8nCore';
import { nodeTypes, PACKAGE } from './nodeTypes';
import { forgetCarried } from '../nodes/KwikId/trigger/carry';

export const TRIGGER_NAME = 'KwikID Trigger';
/** Each runner is its own workflow: the trigger keeps memory per workflow and node. */
let runners = 0;

export type PollOutcome =
	| { kind: 'emitted'; items: INodeExecutionData[] }
	| { kind: 'none' }
	| { kind: 'error'; error: Error };

export interface PollRunnerOptions {
	/** Values of `$vars` for expressions in the trigger's parameters. */
	variables?: Record<string, string>;
	/**
	 * n8n 2.x's poll budget (`getPollBudgetMs()`, set by its durable poll scheduler); n8n-core
	 * 2.x's own default otherwise. n8n-core 1.x has none and ignores it.
	 */
	pollBudgetMs?: number;
	/** Later polls as n8n 2.x's durable poll scheduler runs them: each from the saved static data. */
	durableScheduler?: boolean;
}

export class PollRunner {
	/** The workflow's static data as n8n's database holds it (JSON), undefined until first saved. */
	private saved: string | undefined;

	private workflow!: Workflow;

	private context!: PollContext;

	private parameters: INodeParameters;

	/** How many times n8n would have written static data to its database. */
	saves = 0;

	/** The next poll() is the one n8n runs when it activates the workflow. */
	private activating = true;

	private readonly workflowId = `poll-test-workflow-${++runners}`;

	constructor(
		private readonly harness: Harness,
		parameters: INodeParameters,
		private readonly options: PollRunnerOptions = {},
	) {
		this.parameters = parameters;
		this.activate();
	}

	private node(): INode {
		return {
			id: 'kwikid-trigger-node',
			name: TRIGGER_NAME,
			type: `${PACKAGE}.kwikIdTrigger`,
			typeVersion: 1,
			position: [0, 0],
			parameters: this.parameters,
		};
	}

	private additionalData(): IWorkflowExecuteAdditionalData {
		const data = this.harness.additionalData();
		data.variables = { ...(this.options.variables ?? {}) };
		return data;
	}

	/** Activation: the workflow is built from what the database holds. */
	private activate(): void {
		this.workflow = this.load();
		this.context = this.pollContext(this.workflow, 'trigger', 'activate');
		this.activating = true;
	}

	private load(): Workflow {
		const staticData = this.saved === undefined ? undefined : (JSON.parse(this.saved) as IDataObject);
		return this.harness.workflow({
			id: this.workflowId,
			name: 'KwikID trigger test',
			nodes: [this.node()],
			connections: {},
			staticData,
		});
	}

	private pollContext(workflow: Workflow, mode: 'trigger' | 'manual', activation: 'activate' | 'update' | 'manual'): PollContext {
		const node = workflow.getNode(TRIGGER_NAME);
		if (!node) throw new Error('trigger node missing');
		return new PollContext(
			workflow,
			node,
			this.additionalData(),
			mode,
			activation,
			// n8n's __emit saves the static data (if changed), then starts an execution.
			() => this.save(workflow),
			() => undefined,
			// n8n-core 2.x only (1.x's constructor stops before these): its defaults, and the budget.
			undefined,
			undefined,
			undefined,
			this.budget(activation),
		);
	}

	/**
	 * The budget a poll is given. n8n 2.41 runs the activation poll outside its scheduler, with
	 * n8n-core's default (5 minutes); the scheduler gives its polls the configured budget.
	 */
	private budget(activation: string): (() => number) | undefined {
		const budgetMs = this.options.pollBudgetMs;
		if (budgetMs === undefined || (this.options.durableScheduler && activation === 'activate')) return undefined;
		return () => budgetMs;
	}

	private save(workflow: Workflow = this.workflow): void {
		const root = workflow.staticData;
		if (root.__dataChanged !== true) return;
		this.saved = JSON.stringify(root);
		root.__dataChanged = false;
		this.saves++;
	}

	private async run(context: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		await initN8nCore();
		const type = nodeTypes.getByNameAndVersion(`${PACKAGE}.kwikIdTrigger`, 1);
		if (!('poll' in type) || typeof type.poll !== 'function') throw new Error('not a polling node');
		const pollFn = type.poll;
		const runPoll = context.__runPoll ?? (async <T>(fn: () => Promise<T>) => await fn());
		return await runPoll(async () => await pollFn.call(context));
	}

	/** One poll of the active workflow: the activation's own poll first, then scheduled ones. */
	async poll(): Promise<PollOutcome> {
		return await this.pollAs(this.activating);
	}

	/**
	 * A poll the durable scheduler starts now, even while the activation poll is still running:
	 * n8n 2.41 registers the scheduled jobs before it runs the activation poll (seen in a real run).
	 */
	async scheduledPoll(): Promise<PollOutcome> {
		if (!this.options.durableScheduler) throw new Error('scheduledPoll() needs durableScheduler');
		return await this.pollAs(false);
	}

	private async pollAs(activation: boolean): Promise<PollOutcome> {
		let workflow = this.workflow;
		let context = this.context;
		if (!activation && this.options.durableScheduler) {
			// The scheduler's task handler: a fresh workflow from the database for every poll.
			workflow = this.load();
			context = this.pollContext(workflow, 'trigger', 'update');
			this.workflow = workflow;
		}
		try {
			const result = await this.run(context);
			if (result !== null) context.__emit(result);
			if (activation) {
				// Activated: n8n saves the static data, then schedules the polls.
				this.activating = false;
				this.save(workflow);
			}
			return result === null ? { kind: 'none' } : { kind: 'emitted', items: result[0] ?? [] };
		} catch (error) {
			// A failed activation: the workflow is not active; n8n tries again from the saved state.
			if (activation) this.activate();
			return { kind: 'error', error: error instanceof Error ? error : new Error(String(error)) };
		}
	}

	/** Items of one poll; fails the test with the poll's error if it threw. */
	async items(): Promise<INodeExecutionData[]> {
		const outcome = await this.poll();
		if (outcome.kind === 'error') throw outcome.error;
		return outcome.kind === 'emitted' ? outcome.items : [];
	}

	/** "Fetch Test Event" in the editor: manual mode, its own context. Throws what the poll throws. */
	async fetchTestEvent(): Promise<INodeExecutionData[][] | null> {
		return await this.run(this.pollContext(this.workflow, 'manual', 'manual'));
	}

	/** n8n restarted: unsaved static data and the process's memory are gone, the workflow is activated again. */
	restart(): void {
		forgetCarried();
		this.activate();
	}

	/**
	 * The user edited the trigger and saved the active workflow: n8n deactivates it (saving
	 * changed static data) and activates the new version.
	 */
	reconfigure(parameters: INodeParameters): void {
		this.save();
		this.parameters = parameters;
		this.activate();
	}

	/** The database's copy of the trigger's static data (what survives a restart). */
	savedState(): IDataObject | undefined {
		if (this.saved === undefined) return undefined;
		const root = JSON.parse(this.saved) as IDataObject;
		return root[`node:${TRIGGER_NAME}`] as IDataObject | undefined;
	}

	/** Replaces the database's copy (e.g. with something corrupt) and restarts. */
	replaceSavedState(nodeState: unknown): void {
		this.saved = JSON.stringify({ [`node:${TRIGGER_NAME}`]: nodeState });
		forgetCarried();
		this.activate();
	}

	/** The in-memory static data of the trigger, as a plain copy. */
	liveState(): IDataObject {
		return JSON.parse(JSON.stringify(this.workflow.staticData[`node:${TRIGGER_NAME}`] ?? {})) as IDataObject;
	}
}
