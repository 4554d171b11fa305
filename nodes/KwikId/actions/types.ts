import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { KwikIdClient } from '../transport';

/** Sends one prepared item and returns its single result. */
export type SendItem = () => Promise<INodeExecutionData>;

/**
 * One operation. The router prepares every item before it sends any, so a bad item k never
 * stops a run after items 0..k-1 created sessions. The router adds `pairedItem`, catches errors
 * and applies Continue On Fail, so operations never do.
 */
export interface Operation {
	/** Reads and checks one item's parameters and builds its request. Sends nothing. */
	prepare: (this: IExecuteFunctions, itemIndex: number, client: KwikIdClient) => Promise<SendItem>;
	/**
	 * Whether sending creates a session at KwikID. When such a run stops on a failure, the error
	 * lists the items already sent (with their session ids), which must not be sent again.
	 */
	createsSession: boolean;
}
