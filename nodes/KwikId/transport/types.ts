/** What callers of the transport describe; the transport alone turns it into HTTP. */
import type { IDataObject, IExecuteFunctions, IPollFunctions, IWebhookFunctions } from 'n8n-workflow';

export type KwikIdFunctions = IExecuteFunctions | IPollFunctions | IWebhookFunctions;

export const CREDENTIAL_TYPE = 'kwikIdApi';

export interface ApiRequest {
	method: 'GET' | 'POST';
	/** Path below the base URL, already percent-encoded where it carries user input. */
	path: string;
	body?: IDataObject;
	/**
	 * Whether sending the request twice is harmless. Send Link and Push DKYC create sessions:
	 * after a 5xx or a lost connection they may have done so, and are never resent.
	 */
	idempotent: boolean;
	itemIndex?: number;
	/**
	 * What a specific HTTP status means for this operation, said instead of the generic text.
	 * With `when`, only if KwikID's own message matches it (e.g. only the 400 that says
	 * "Invalid session id" means an unknown session).
	 */
	hints?: Partial<Record<number, { message: string; description?: string; when?: RegExp }>>;
	/**
	 * Checks a 2xx answer: returns what is wrong with it (said as the error's headline), or
	 * undefined when it is usable. KwikID answers some failures with 200.
	 */
	problem?: (body: unknown) => string | undefined;
}

/** Context fields on the thrown NodeApiError that callers (Continue On Fail, the trigger) read. */
export interface KwikIdErrorContext extends IDataObject {
	httpCode?: string;
	kwikIdMessage?: string;
	missing_fields?: string[];
	incorrect_formats?: string[];
	mayHaveCreatedSession?: boolean;
	/** The session KwikID says it created before failing (push_user_data's `track`). */
	session_id?: string;
}
