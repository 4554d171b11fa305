/**
 * Owns the item loop. It looks the operation up, then:
 * 1. prepares every item (reads and checks its parameters) before anything is sent. A bad item
 *    stops the run before any session is created, or with Continue On Fail becomes an error item;
 * 2. sends the prepared items with a bounded number in flight (Max Concurrent Requests).
 *    Without Continue On Fail, the first failure stops new items from starting, the running ones
 *    finish, and the error says which items were already sent, so they are not sent twice.
 * Exactly one output item per input item, in input order, each with `pairedItem`.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { KwikIdClient } from '../transport';
import { Cancelled, connect, runPool } from '../transport';
import { readThroughput } from './common';
import * as dkyc from './dkyc/Dkyc.resource';
import type { KwikIdNodeType, KwikIdResource } from './node.type';
import * as session from './session/Session.resource';
import type { Operation, SendItem } from './types';

type OperationTable = {
	[R in KwikIdResource]: Record<KwikIdNodeType[R], Operation>;
};

const operations: OperationTable = {
	session: { sendLink: session.sendLink.operation, get: session.get.operation },
	dkyc: { pushUserData: dkyc.pushUserData.operation },
};

function lookup(context: IExecuteFunctions): Operation {
	const resource = context.getNodeParameter('resource', 0) as KwikIdResource;
	const operation = context.getNodeParameter('operation', 0) as string;
	const table = operations[resource] as Record<string, Operation> | undefined;
	const found = table?.[operation];
	if (!found) {
		throw new NodeOperationError(
			context.getNode(),
			`The operation "${operation}" of resource "${resource}" is not supported`,
		);
	}
	return found;
}

/**
 * The JSON of an error item on the regular output (Continue On Fail): `error` (the message) and
 * `details` (what to do, the HTTP status, and for validation failures the field lists).
 */
export function errorItemJson(error: unknown): IDataObject {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		const details: IDataObject = {};
		if (error.description) details.description = error.description;
		const context = error.context as IDataObject;
		for (const key of ['httpCode', 'missing_fields', 'incorrect_formats', 'mayHaveCreatedSession', 'session_id']) {
			if (context[key] !== undefined) details[key] = context[key];
		}
		return Object.keys(details).length ? { error: error.message, details } : { error: error.message };
	}
	return { error: error instanceof Error ? error.message : String(error) };
}

function withItemIndex(context: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

/**
 * With "Continue (using error output)" the item must be one n8n recognises as an error, or n8n
 * leaves it on the success output: n8n 1.x and 2.x before 2.3x accept only JSON that is `error`
 * alone or `error` and `message` (2.x since then also `details`; an item with `error` set
 * loses its JSON and the input row on every line). So there the item is `error` (the message)
 * and `message` (the description, which names the fields for DKYC), and n8n adds the input
 * row's fields; on the regular output it is `error` and `details`.
 */
function errorItem(context: IExecuteFunctions, error: unknown, itemIndex: number): INodeExecutionData {
	const json = errorItemJson(error);
	if (context.getNode().onError === 'continueErrorOutput') {
		const details = json.details as IDataObject | undefined;
		const description = typeof details?.description === 'string' ? details.description : '';
		return { json: description ? { error: json.error, message: description } : { error: json.error }, pairedItem: { item: itemIndex } };
	}
	return { json, pairedItem: { item: itemIndex } };
}

/** An item that reached KwikID and created (or may have created) a session. */
interface SentItem extends IDataObject {
	item: number;
	session_id: string | null;
	user_id: string | null;
}

/** How many sent items the message spells out; `context.sentItems` holds them all. */
const LISTED = 10;

function describeSent(sent: SentItem[]): string {
	const shown = sent
		.slice(0, LISTED)
		.map((entry) => `item ${entry.item} (${entry.session_id ? `session ${entry.session_id}` : 'session unknown'})`);
	const more = sent.length > LISTED ? ` and ${sent.length - LISTED} more` : '';
	return `${shown.join(', ')}${more}`;
}

/**
 * The error a stopped run throws: the first failed item's own error, plus which items were
 * already sent (only for operations that create sessions) and which were never started.
 */
function stopError(
	context: IExecuteFunctions,
	operation: Operation,
	failures: Map<number, unknown>,
	output: Array<INodeExecutionData | undefined>,
): NodeApiError | NodeOperationError {
	const first = Math.min(...failures.keys());
	const error = withItemIndex(context, failures.get(first), first);
	if (!operation.createsSession) return error;

	const sent: SentItem[] = [];
	output.forEach((item, index) => {
		if (!item) return;
		const json = item.json;
		sent.push({
			item: index,
			session_id: typeof json.session_id === 'string' ? json.session_id : null,
			user_id: typeof json.user_id === 'string' ? json.user_id : null,
		});
	});
	for (const [index, failure] of failures) {
		const failed = (failure as { context?: IDataObject }).context;
		if (index !== first && failed?.mayHaveCreatedSession === true) {
			sent.push({ item: index, session_id: typeof failed.session_id === 'string' ? failed.session_id : null, user_id: null });
		}
	}
	sent.sort((a, b) => a.item - b.item);
	const notStarted: number[] = [];
	for (let index = 0; index < output.length; index++) {
		if (!output[index] && !failures.has(index)) notStarted.push(index);
	}

	const parts: string[] = [];
	if (sent.length) {
		parts.push(
			`Already sent, do not send again (they are not in any output, since the node stopped): ${describeSent(sent)}.`,
		);
		error.message = `${error.message} (${sent.length} other item${sent.length === 1 ? ' was' : 's were'} already sent: see the error details)`;
	}
	if (notStarted.length) parts.push(`Not sent: ${notStarted.length} item${notStarted.length === 1 ? '' : 's'}, from item ${notStarted[0]}.`);
	if (parts.length) {
		error.description = [error.description, ...parts].filter(Boolean).join('\n');
		Object.assign(error.context, { sentItems: sent, notSentItems: notStarted });
	}
	return error;
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = lookup(this);
	const continueOnFail = this.continueOnFail();
	const throughput = readThroughput(this);

	let client: KwikIdClient;
	try {
		client = await connect(this, { maxRequestsPerSecond: throughput.maxRequestsPerSecond });
	} catch (error) {
		// The credential is unusable (e.g. a malformed Domain): every item fails the same way.
		const failure = error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error);
		if (!continueOnFail) throw failure;
		return [items.map((_, index) => errorItem(this, failure, index))];
	}

	const output = new Array<INodeExecutionData | undefined>(items.length);

	// 1. Prepare everything first: nothing is sent while any item may still be refused.
	const prepared: Array<{ index: number; send: SendItem }> = [];
	for (let index = 0; index < items.length; index++) {
		try {
			prepared.push({ index, send: await operation.prepare.call(this, index, client) });
		} catch (error) {
			if (!continueOnFail) throw withItemIndex(this, error, index);
			output[index] = errorItem(this, error, index);
		}
	}

	// 2. Send, a bounded number at a time; results land at their item's index.
	const failures = new Map<number, unknown>();
	const cancelled = (): boolean => this.getExecutionCancelSignal?.()?.aborted === true;
	await runPool(
		prepared.length,
		throughput.concurrency,
		async (position) => {
			const { index, send } = prepared[position];
			try {
				output[index] = { ...(await send()), pairedItem: { item: index } };
			} catch (error) {
				// Never sent: the execution was cancelled while it waited its turn (counted below).
				if (error instanceof Cancelled) return;
				if (continueOnFail) output[index] = errorItem(this, error, index);
				else failures.set(index, error);
			}
		},
		() => failures.size > 0 || cancelled(),
	);

	if (failures.size > 0) throw stopError(this, operation, failures, output);
	const done = output.filter((item): item is INodeExecutionData => item !== undefined);
	if (done.length < items.length) {
		throw new NodeOperationError(this.getNode(), 'The execution was cancelled before every item was sent', {
			description: `${done.length} of ${items.length} items were processed.`,
		});
	}
	return [done];
}
