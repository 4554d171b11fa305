/** The get_details call, made by Get Session and by the trigger. Shaping the answer is shared/session.ts's. */
import type { IDataObject } from 'n8n-workflow';

import { redact } from '../shared/mask';
import { isPlainObject } from '../shared/objects';
import type { KwikIdClient } from './client';

interface SessionDetailsResponse {
	session_data?: IDataObject;
	status?: number;
}

export async function fetchSessionData(
	client: KwikIdClient,
	sessionId: string,
	itemIndex?: number,
): Promise<IDataObject> {
	const response = await client.request<SessionDetailsResponse>({
		method: 'GET',
		path: client.paths.details(sessionId),
		idempotent: true,
		itemIndex,
		hints: {
			400: {
				// Only this 400 means an unknown session; any other says what KwikID said.
				when: /invalid session id/i,
				message: `KwikID does not know the session id "${redact(sessionId)}"`,
				description: 'Check that it comes from Send Link or Push DKYC Data on the same KwikID domain and environment.',
			},
		},
		problem: (body) =>
			isPlainObject((body as SessionDetailsResponse | undefined)?.session_data)
				? undefined
				: 'KwikID answered get_details without session data',
	});
	return response.session_data as IDataObject;
}
