import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { STANDARD_PREFIXES } from '../nodes/KwikId/shared/apiPaths';
import { fetchToken } from '../nodes/KwikId/transport/token';

/**
 * The base URL as an n8n expression, for the declarative credential test (which cannot call
 * code). Mirrors `resolveBaseUrl`; malformed domains are rejected earlier by `preAuthentication`,
 * which n8n runs before the test request.
 */
const BASE_URL_EXPRESSION =
	"={{ (/^[a-z][a-z0-9+.-]*:\\/\\//i.test(String($credentials.domain).trim()) ? '' : 'https://') + (/[.:\\/]/.test(String($credentials.domain).trim()) ? String($credentials.domain).trim().replace(/\\/+$/, '') : String($credentials.domain).trim().toLowerCase() + '.' + ($credentials.environment === 'app' ? 'app' : 'test') + '.getkwikid.com') }}";

/**
 * The login path as an n8n expression, for the same reason. Mirrors `resolveApiPrefixes` and
 * `apiPaths().login`: standard unless Custom API Paths is on; bad prefixes are refused earlier
 * by `preAuthentication`. (A prefix from a saved credential may linger when the switch is off.)
 */
const LOGIN_PATH_EXPRESSION = `={{ ($credentials.customApiPaths === true && typeof $credentials.agentApiPrefix === 'string' ? $credentials.agentApiPrefix.trim().replace(/\\/+$/, '') : '${STANDARD_PREFIXES.agent}') + '/v1/agent/generate_token' }}`;

export class KwikIdApi implements ICredentialType {
	name = 'kwikIdApi';

	displayName = 'KwikID API';

	icon: Icon = { light: 'file:../nodes/KwikId/kwikid.svg', dark: 'file:../nodes/KwikId/kwikid.dark.svg' };

	documentationUrl = 'https://github.com/kwikid/n8n-nodes-kwikid#credentials';

	properties: INodeProperties[] = [
		{
			// Filled by n8n through preAuthentication, stored encrypted, cleared and refetched on a 401.
			displayName: 'Session Token',
			name: 'token',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Test (UAT)', value: 'test', description: 'https://<domain>.test.getkwikid.com' },
				{ name: 'Production', value: 'app', description: 'https://<domain>.app.getkwikid.com' },
			],
			default: 'test',
			description: 'Which KwikID environment a bare domain points at',
		},
		{
			displayName: 'Domain',
			name: 'domain',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. acme',
			description:
				'Your KwikID domain from the KwikID portal (e.g. "acme" for https://acme.test.getkwikid.com), a full host, or a full base URL for a bank-hosted install. For the local sandbox use http://127.0.0.1:8765.',
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			description: 'KwikID API username (3-20 letters or digits)',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'KwikID API password (8-32 letters or digits)',
		},
		{
			displayName: 'Custom API Paths',
			name: 'customApiPaths',
			type: 'boolean',
			default: false,
			description:
				'Whether the install serves its API under other paths than KwikID\'s usual /agentapi and /appapi, as some bank-hosted installs do (e.g. https://kyc.mybank.in/v1/agent/generate_token). Leave off for KwikID\'s own domains.',
		},
		{
			displayName: 'Agent API Path Prefix',
			name: 'agentApiPrefix',
			type: 'string',
			default: STANDARD_PREFIXES.agent,
			placeholder: 'e.g. /agentapi',
			description:
				'What comes between the base address and /v1/agent/generate_token, /v1/agent/sendLink/ and /v1/session/get_details/{id}. Leave empty when the install serves them directly under its base address.',
			displayOptions: { show: { customApiPaths: [true] } },
		},
		{
			displayName: 'App API Path Prefix',
			name: 'appApiPrefix',
			type: 'string',
			default: STANDARD_PREFIXES.app,
			placeholder: 'e.g. /appapi',
			description:
				'What comes between the base address and /v1/dkyc/push_user_data (Push DKYC Data). Leave empty when the install serves it directly under its base address.',
			displayOptions: { show: { customApiPaths: [true] } },
		},
	];

	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<{ token: string }> {
		return { token: await fetchToken(this, credentials) };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				auth: '={{$credentials.token}}',
			},
		},
	};

	// The "Test" button: n8n runs preAuthentication first (it throws a readable reason on a bad
	// domain or login), then this request, which checks username and password once more.
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			url: LOGIN_PATH_EXPRESSION,
			method: 'POST',
			body: {
				username: '={{$credentials.username}}',
				password: '={{$credentials.password}}',
			},
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'KwikID did not accept this Username and Password.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 400,
					message:
						'KwikID refused the login format: the Username must be 3-20 letters or digits, the Password 8-32.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 429,
					message: 'KwikID is rate-limiting logins. Wait a minute and test again.',
				},
			},
		],
	};
}
