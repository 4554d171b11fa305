import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * One operation on one input item. It returns that item's single result; the router adds
 * `pairedItem`, catches errors and applies Continue On Fail, so operations never do.
 */
export type OperationExecutor = (
	this: IExecuteFunctions,
	itemIndex: number,
) => Promise<INodeExecutionData>;
