/**
 * Push DKYC Data tests: a sandbox, a harness whose credential points at it through a recording
 * pass-through proxy (the sandbox does not keep what was pushed, and the tests must see the
 * exact body the node sent), and workflow JSON of the shape n8n exports.
 */
import type { IBinaryKeyData, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { validDkycSections, type DkycSections } from '../../sandbox/fixtures';
import { createSandbox, type Sandbox } from '../../sandbox/server';
import { Harness, type WorkflowJson } from '../../harness/harness';
import { KWIKID, kwikIdWorkflow } from '../../harness/workflows';
import { startRecordingProxy, type RecordedRequest } from '../support/recordingProxy';

export { TRIGGER, pinned } from '../../harness/workflows';
/** The KwikID node's name in the test workflows. */
export const NODE = KWIKID;
export const PUSH_PATH = '/appapi/v1/dkyc/push_user_data';

export interface DkycEnv {
	sandbox: Sandbox;
	harness: Harness;
	/** Requests to push_user_data, as sent by the node (JSON bodies parsed). */
	readonly pushes: RecordedRequest[];
	/**
	 * Answers for the next push_user_data requests instead of the sandbox. Only for the API's own
	 * 400 with field lists: nothing the node lets through makes the sandbox send one, and the
	 * sandbox has no fault for it.
	 */
	cannedPushAnswer(answer: { status: number; body: unknown }): void;
	/** Forgets what was recorded and canned. */
	clear(): void;
	close(): Promise<void>;
}

/**
 * One sandbox, proxy and harness per test file, reset before each test. Returns the environment
 * object itself (filled in before the first test), so tests read `env.sandbox`, `env.pushes`.
 */
export function useDkycEnv(): DkycEnv {
	const env = {} as DkycEnv;
	beforeAll(async () => {
		// Descriptors, not Object.assign: `pushes` is a getter and must stay one.
		const started = await startDkycEnv();
		Object.defineProperties(env, Object.getOwnPropertyDescriptors(started));
	});
	afterAll(async () => env.close());
	beforeEach(() => {
		env.sandbox.reset();
		env.clear();
	});
	return env;
}

export async function startDkycEnv(): Promise<DkycEnv> {
	const sandbox = await createSandbox();
	const proxy = await startRecordingProxy(sandbox.url);
	const harness = new Harness().addKwikIdCredential({
		domain: proxy.url,
		username: sandbox.username,
		password: sandbox.password,
		environment: 'test',
	});
	return {
		sandbox,
		harness,
		get pushes() {
			return proxy.requests.filter((request) => request.path.startsWith(PUSH_PATH));
		},
		cannedPushAnswer: (answer) => proxy.canned.push({ path: PUSH_PATH, ...answer }),
		clear: () => {
			proxy.requests.length = 0;
			proxy.canned.length = 0;
		},
		close: async () => {
			await proxy.close();
			await sandbox.close();
		},
	};
}

export function dkycWorkflow(parameters: INodeParameters, settings: { continueOnFail?: boolean } = {}): WorkflowJson {
	return kwikIdWorkflow(
		{ resource: 'dkyc', operation: 'pushUserData', ...parameters },
		settings.continueOnFail ? { onError: 'continueRegularOutput' } : {},
	);
}

/** Field-mode parameter names of the form sections. */
export const SECTION_PARAMETERS: Record<Exclude<keyof DkycSections, 'DOCUMENT_COLLECTION'>, string> = {
	BASIC_INFORMATION: 'basicInformation',
	FAMILY_INFORMATION: 'familyInformation',
	PERSONAL_INFORMATION: 'personalInformation',
	COMMUNICATION_ADDRESS: 'communicationAddress',
	PERMANENT_ADDRESS: 'permanentAddress',
	IDENTITY_VERIFICATION: 'identityVerification',
	INPERSON_VERIFICATION: 'inPersonVerification',
	FATCA_DECLARATION: 'fatcaDeclaration',
};

/** Map Each Field parameters holding the fixture's form sections, as the n8n editor saves them. */
export function fieldModeSections(sections: DkycSections = validDkycSections()): INodeParameters {
	const parameters: INodeParameters = {};
	for (const [section, name] of Object.entries(SECTION_PARAMETERS)) {
		parameters[name] = { fields: { ...sections[section as keyof DkycSections] } };
	}
	return parameters;
}

/** A document value as base64 text, the way a user pins a binary file on a trigger. */
export function binaryFile(content: string, fileName: string, mimeType: string): IBinaryKeyData[string] {
	return { data: Buffer.from(content).toString('base64'), mimeType, fileName };
}

/** What an executed node returned for each item: its JSON and pairedItem. */
export function jsonOf(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item.json);
}
