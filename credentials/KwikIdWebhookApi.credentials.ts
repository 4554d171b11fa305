import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The secret header KwikID's dashboard sends with every webhook call, for the KwikID Webhook
 * Trigger to check. A credential rather than node fields so the secret is stored encrypted and
 * never travels with an exported workflow. (n8n's own Header Auth credential would do the same,
 * but a community node may only use credentials of its own package.)
 *
 * There is nothing to call to test it: the node checks it locally (length, header name) through
 * its `testedBy` method, so the dialog's Test button says whether it is strong enough.
 */
export class KwikIdWebhookApi implements ICredentialType {
	name = 'kwikIdWebhookApi';

	displayName = 'KwikID Webhook API';

	icon: Icon = { light: 'file:../nodes/KwikId/kwikid.svg', dark: 'file:../nodes/KwikId/kwikid.dark.svg' };

	documentationUrl = 'https://github.com/kwikid/n8n-nodes-kwikid#the-kwikid-webhook-trigger';

	properties: INodeProperties[] = [
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'Authorization',
			required: true,
			placeholder: 'e.g. Authorization',
			description:
				"The header you add in KwikID's dashboard (Subscription → Journey Configurator → Webhook). KwikID suggests Authorization.",
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. Bearer 3f9c0a7e5b2d4c18a6e1f0b9d7c2e4a8',
			description:
				'The secret value of that header, exactly as entered in KwikID\'s dashboard: a long random text (at least 16 characters), for example from "openssl rand -hex 24". Calls without it are refused.',
		},
	];
}
