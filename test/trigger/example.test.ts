/**
 * examples/send-link-wait-get-session.json: well formed, only real KwikID parameters, and its
 * KwikID part (Send Link -> Get Session by {{ $json.session_id }}) runs against the sandbox.
 * Wait and IF are n8n-nodes-base nodes the harness does not carry, so the loop itself is
 * checked by its wiring.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INode, INodeProperties } from 'n8n-workflow';

import { KwikId } from '../../nodes/KwikId/KwikId.node';
import type { WorkflowJson } from '../../harness/harness';
import { useTriggerFixture } from './helpers';

const example = JSON.parse(
	readFileSync(join(__dirname, '../../examples/send-link-wait-get-session.json'), 'utf8'),
) as WorkflowJson & { nodes: INode[] };

const fx = useTriggerFixture();

const byName = (name: string): INode => {
	const node = example.nodes.find((candidate) => candidate.name === name);
	if (!node) throw new Error(`example has no node "${name}"`);
	return node;
};

/** Parameters of the KwikID node shown for this resource and operation. */
function visibleParameters(resource: string, operation: string): Set<string> {
	const names = new Set<string>();
	for (const property of new KwikId().description.properties as INodeProperties[]) {
		const show = property.displayOptions?.show;
		const resources = show?.resource as string[] | undefined;
		const operations = show?.operation as string[] | undefined;
		if (resources && !resources.includes(resource)) continue;
		if (operations && !operations.includes(operation)) continue;
		names.add(property.name);
	}
	return names;
}

describe('example workflow: send link, wait, get session', () => {
	it('wires Manual Trigger -> Send Link -> Wait -> Get Session -> IF, looping back to Wait', () => {
		const names = new Set(example.nodes.map((node) => node.name));
		for (const [from, outputs] of Object.entries(example.connections)) {
			expect(names).toContain(from);
			for (const output of outputs.main ?? []) {
				for (const target of output ?? []) expect(names).toContain(target.node);
			}
		}
		const next = (name: string, output = 0): string[] =>
			(example.connections[name]?.main?.[output] ?? []).map((target) => target.node);
		expect(next('When clicking ‘Execute workflow’')).toEqual(['KwikID Send Link']);
		expect(next('KwikID Send Link')).toEqual(['Wait']);
		expect(next('Wait')).toEqual(['KwikID Get Session']);
		expect(next('KwikID Get Session')).toEqual(['Is Final?']);
		expect(next('Is Final?', 1)).toEqual(['Wait']);
		expect(byName('Is Final?').type).toBe('n8n-nodes-base.if');
	});

	it('sets only parameters the KwikID node has for each operation', () => {
		for (const node of example.nodes.filter((candidate) => candidate.type === 'n8n-nodes-kwikid.kwikId')) {
			const { resource, operation } = node.parameters as { resource: string; operation: string };
			const known = visibleParameters(resource, operation);
			for (const parameter of Object.keys(node.parameters)) expect(known).toContain(parameter);
			expect(Object.keys(node.credentials ?? {})).toEqual(['kwikIdApi']);
		}
		expect(byName('KwikID Send Link').parameters).toMatchObject({ resource: 'session', operation: 'sendLink' });
		expect(byName('KwikID Get Session').parameters).toMatchObject({ resource: 'session', operation: 'get', simplify: true });
	});

	it('its KwikID nodes run against the sandbox and give the IF a boolean is_final', async () => {
		const trigger = byName('When clicking ‘Execute workflow’');
		const send = byName('KwikID Send Link');
		const get = byName('KwikID Get Session');
		const run = await fx.harness().run({
			name: example.name,
			// Without Wait and IF: Send Link feeds Get Session directly, as Wait passes items through.
			nodes: [trigger, { ...send, credentials: undefined }, { ...get, credentials: undefined }],
			connections: {
				[trigger.name]: { main: [[{ node: send.name, type: 'main', index: 0 }]] },
				[send.name]: { main: [[{ node: get.name, type: 'main', index: 0 }]] },
			},
		});
		expect(run.error).toBeUndefined();
		const sessionId = run.output(send.name)[0]?.json.session_id;
		expect(typeof sessionId).toBe('string');
		const [session] = run.output(get.name);
		expect(session.json).toMatchObject({ session_id: sessionId, status: 'waiting', is_final: false });
		expect(fx.sandbox.getSession(String(sessionId))).toBeDefined();
	});
});
