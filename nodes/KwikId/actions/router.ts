/**
 * Owns the item loop: looks the operation up, runs it once per input item, and turns each
 * item's failure into either an error item (Continue On Fail) or a thrown error naming the item.
 * Exactly one output item per input item, each with `pairedItem`.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import * as dkyc from './dkyc/Dkyc.resource';
import type { KwikIdNodeType, KwikIdResource } from './node.type';
import * as session from './session/Session.resource';
import type { OperationExecutor } from './types';

type OperationTable = {
	[R in KwikIdResource]: Record<KwikIdNodeType[R], OperationExecutor>;
};

const operations: OperationTable = {
	session: { sendLink: session.sendLink.execute, get: session.get.execute },
	dkyc: { pushUserData: dkyc.pushUserData.execute },
};

function lookup(context: IExecuteFunctions): OperationExecutor {
	const resource = context.getNodeParameter('resource', 0) as KwikIdResource;
	const operation = context.getNodeParameter('operation', 0) as string;
	const table = operations[resource] as Record<string, OperationExecutor> | undefined;
	const execute = table?.[operation];
	if (!execute) {
		throw new NodeOperationError(
			context.getNode(),
			`The operation "${operation}" of resource "${resource}" is not supported`,
		);
	}
	return execute;
}

/**
 * The JSON of an error item: `error` (the message) and `details` (what to do, the HTTP status,
 * and for validation failures the field lists). Only these two keys: n8n's "Continue (using
 * error output)" recognises an error item by its keys being error/message/details alone.
 */
export function errorItemJson(error: unknown): IDataObject {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		const details: IDataObject = {};
		if (error.description) details.description = error.description;
		const context = error.context as IDataObject;
		for (const key of ['httpCode', 'missing_fields', 'incorrect_formats', 'mayHaveCreatedSession']) {
			if (context[key] !== undefined) details[key] = context[key];
		}
		return Object.keys(details).length ? { error: error.message, details } : { error: error.message };
	}
	return { error: error instanceof Error ? error.message : String(error) };
}

function withItemIndex(context: IExecuteFunctions, error: unknown, itemIndex: number): Error {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const execute = lookup(this);

	const runItem = async (itemIndex: number): Promise<INodeExecutionData> => {
		try {
			const result = await execute.call(this, itemIndex);
			return { ...result, pairedItem: { item: itemIndex } };
		} catch (error) {
			if (this.continueOnFail()) {
				return { json: errorItemJson(error), pairedItem: { item: itemIndex } };
			}
			throw withItemIndex(this, error, itemIndex);
		}
	};

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		output.push(await runItem(itemIndex));
	}
	return [output];
}
