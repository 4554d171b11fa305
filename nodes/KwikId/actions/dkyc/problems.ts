/**
 * Turns the collected field problems into one error in the API's own shape: the message lists
 * the paths, the description gives each path's reason, and `context` carries `missing_fields`
 * and `incorrect_formats`, which the router copies into Continue On Fail items.
 * Reasons never contain values (see dkycSchema.ts), so nothing personal reaches the message.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DkycProblems } from '../../shared/dkycRules';
import { describeFieldErrors } from '../../transport';

/** Past this many paths per list the message shortens; the full lists stay in `context`. */
const LISTED = 12;

function shortList(paths: string[]): string[] {
	return paths.length <= LISTED ? paths : [...paths.slice(0, LISTED), `and ${paths.length - LISTED} more`];
}

export function problemsError(context: IExecuteFunctions, itemIndex: number, problems: DkycProblems): NodeOperationError {
	const missing = [...problems.missing.keys()];
	const incorrect = [...problems.incorrect.keys()];
	// Notes (e.g. which binary field is absent) go into the message itself, not only the description.
	const message = [
		`The DKYC data was not sent: ${describeFieldErrors(shortList(missing), shortList(incorrect))}`,
		...problems.notes,
	].join('. ');
	const reasons = [...problems.missing, ...problems.incorrect].map(([path, reason]) => `${path}: ${reason}`);
	const error = new NodeOperationError(context.getNode(), message, {
		itemIndex,
		description: `Fix these fields (all were checked before anything was sent to KwikID):\n${reasons.join('\n')}`,
	});
	Object.assign(error.context, { missing_fields: missing, incorrect_formats: incorrect });
	return error;
}
