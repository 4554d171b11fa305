/**
 * What most tests need: a sandbox on a random port, a harness whose KwikID credential points at
 * it, and workflow JSON of the shape n8n exports (Manual Trigger -> KwikID).
 */
import type { IBinaryKeyData, IDataObject, INode, INodeParameters } from 'n8n-workflow';

import type { Sandbox, SandboxOptions } from '../sandbox/server';
import { createSandbox } from '../sandbox/server';
import type { WorkflowJson } from './harness';
import { Harness } from './harness';

export const TRIGGER = 'When clicking ‘Execute workflow’';
export const KWIKID = 'KwikID';

export interface SandboxHarness {
	sandbox: Sandbox;
	harness: Harness;
}

export async function startSandboxHarness(options: SandboxOptions = {}): Promise<SandboxHarness> {
	const sandbox = await createSandbox(options);
	const harness = new Harness().addKwikIdCredential({
		domain: sandbox.url,
		environment: 'test',
		username: sandbox.username,
		password: sandbox.password,
	});
	return { sandbox, harness };
}

export function kwikIdWorkflow(parameters: INodeParameters, node: Partial<INode> = {}): WorkflowJson {
	return {
		name: 'KwikID test',
		nodes: [
			{
				id: 'trigger',
				name: TRIGGER,
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'kwikid',
				name: KWIKID,
				type: 'n8n-nodes-kwikid.kwikId',
				typeVersion: 1,
				position: [220, 0],
				parameters,
				...node,
			},
		],
		connections: {
			[TRIGGER]: { main: [[{ node: KWIKID, type: 'main', index: 0 }]] },
		},
	};
}

/** Input items for the KwikID node, pinned on the trigger as a user would pin test data. */
export function pinned(items: Array<IDataObject | { json: IDataObject; binary?: IBinaryKeyData }>) {
	return {
		[TRIGGER]: items.map((item) =>
			'json' in item && typeof item.json === 'object' ? (item as { json: IDataObject; binary?: IBinaryKeyData }) : { json: item as IDataObject },
		),
	};
}
