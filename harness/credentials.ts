/**
 * The credentials side of n8n, as far as this package needs it.
 *
 * n8n's real CredentialsHelper (packages/cli) needs a database. This one keeps credentials in a
 * `CredentialStore` that outlives executions, and mirrors what n8n does with them:
 * - `getDecrypted` returns a fresh copy of the stored data with property defaults applied;
 * - `preAuthentication` runs the credential's hook when the expirable field is empty, when the
 *   caller says the credential expired (n8n-core does so after a 401), or during a credential
 *   test, and persists the hook's output so later executions reuse it;
 * - `authenticate` applies an `IAuthenticateGeneric` by resolving its expressions.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper } from 'n8n-workflow';
import { Credentials } from 'n8n-core';

export interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

/** Plays the part of n8n's credentials table: survives across executions. */
export class CredentialStore {
	private readonly byId = new Map<string, StoredCredential>();

	/** How many times n8n would have written a credential back (token refreshes). */
	updates = 0;

	add(credential: StoredCredential): this {
		this.byId.set(credential.id, { ...credential, data: { ...credential.data } });
		return this;
	}

	get(id: string): StoredCredential {
		const found = this.byId.get(id);
		if (!found) throw new Error(`Credential "${id}" is not in the test store`);
		return found;
	}

	update(id: string, data: ICredentialDataDecryptedObject): void {
		const found = this.get(id);
		found.data = { ...data };
		this.updates++;
	}
}

export class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly store: CredentialStore,
		private readonly types: Record<string, ICredentialType>,
	) {
		super();
	}

	private type(name: string): ICredentialType {
		const type = this.types[name];
		if (!type) throw new Error(`Unknown credential type "${name}"`);
		return type;
	}

	getParentTypes(name: string): string[] {
		return this.type(name).extends ?? [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		const options = requestOptions as IHttpRequestOptions;
		if (authenticate === undefined) return options;
		if (typeof authenticate === 'function') return await authenticate(credentials, options);
		if (!workflow || !node) throw new Error('Generic authentication needs the workflow and node');
		for (const [target, entries] of Object.entries(authenticate.properties)) {
			const bag = ((options as unknown as Record<string, Record<string, unknown>>)[target] ??= {});
			for (const [key, value] of Object.entries(entries as Record<string, string>)) {
				const resolve = (text: string): string => {
					if (!text.startsWith('=')) return text;
					const resolved = workflow.expression.getSimpleParameterValue(
						node,
						text,
						'internal',
						{ $credentials: credentials },
						undefined,
						'',
					);
					return resolved === undefined || resolved === null ? '' : String(resolved);
				};
				bag[resolve(key)] = resolve(value);
			}
		}
		return options;
	}

	/** Count of preAuthentication hook calls, i.e. token requests n8n would make. */
	preAuthenticationCalls = 0;

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		const expirable = type.properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		const testing = node.parameters?.temp === '' && node.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !testing) return undefined;

		this.preAuthenticationCalls++;
		const output = (await type.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		const details = node.credentials?.[type.name];
		if (details?.id) {
			const stored = this.store.get(details.id);
			this.store.update(details.id, { ...stored.data, ...output });
		}
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		return (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
	}

	async getCredentials(details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const stored = this.store.get(this.idOf(details));
		const credentials = new Credentials({ id: stored.id, name: stored.name }, type);
		await credentials.setData(stored.data);
		return credentials;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		details: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.store.get(this.idOf(details));
		const withDefaults: ICredentialDataDecryptedObject = {};
		for (const property of this.getCredentialsProperties(type)) {
			if (property.default !== undefined) {
				withDefaults[property.name] = property.default as ICredentialDataDecryptedObject[string];
			}
		}
		return { ...withDefaults, ...stored.data };
	}

	async updateCredentials(
		details: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store.update(this.idOf(details), data);
	}

	async updateCredentialsOauthTokenData(): Promise<void> {
		throw new Error('OAuth is not used by this package');
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.type(type).properties;
	}

	private idOf(details: INodeCredentialsDetails): string {
		if (!details.id) throw new Error(`Credential "${details.name}" has no id`);
		return details.id;
	}
}
