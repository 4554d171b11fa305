import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { checkSecret, readSecret } from './trigger/webhook/auth';
import { webhookTriggerProperties } from './trigger/webhook/parameters';
import { receive } from './trigger/webhook/receive';

export class KwikIdWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'KwikID Webhook Trigger',
		name: 'kwikIdWebhookTrigger',
		icon: { light: 'file:kwikid.svg', dark: 'file:kwikid.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["events"].length ? $parameter["events"].join(", ") : "Maker and checker decisions" }}',
		description: "Starts the workflow when KwikID's dashboard webhook reports a maker or checker decision, verified against the API",
		defaults: { name: 'KwikID Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'kwikIdApi', required: true },
			{ name: 'kwikIdWebhookApi', required: true, testedBy: 'webhookSecret' },
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', path: 'kwikid', responseMode: 'onReceived' }],
		triggerPanel: {
			header: 'Send a decision from KwikID',
			executionsHelp: {
				inactive:
					"While building the workflow, click 'Listen for test event', put the Test URL in KwikID's dashboard (Subscription → Journey Configurator → WEBHOOK) and let an agent or checker decide a session. Then activate the workflow and put the Production URL there instead.",
				active:
					"The workflow is active: KwikID's calls to the Production URL start it, each one checked against the KwikID API first.",
			},
			activationHint: "Once the workflow is active, put its Production URL in KwikID's dashboard.",
		},
		properties: webhookTriggerProperties,
	};

	methods = {
		credentialTest: {
			async webhookSecret(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const checked = checkSecret(credential.data);
				return checked.ok
					? { status: 'OK', message: 'The secret is usable. Enter the same header name and value in KwikID\'s dashboard.' }
					: { status: 'Error', message: checked.reason };
			},
		},
	};

	/** KwikID has no API to register webhooks (the URL is pasted in its dashboard); activation checks the secret instead. */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const secret = await readSecret(this);
				if (!secret.ok) {
					throw new NodeOperationError(this.getNode(), `${secret.reason}: the trigger accepts no calls without a secret`, {
						description: "Select a KwikID Webhook API credential with the header name and value you enter in KwikID's dashboard.",
					});
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receive(this);
	}
}
