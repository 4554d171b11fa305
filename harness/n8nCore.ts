/**
 * One-time set-up of the n8n-core services a node execution touches (binary data, instance
 * settings). n8n does this at start-up; tests do it once per jest worker.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let ready: Promise<void> | undefined;

export async function initN8nCore(): Promise<void> {
	ready ??= (async () => {
		// n8n-core reads its folder from the environment when its settings are first built.
		process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'kwikid-n8n-'));
		process.env.N8N_ENCRYPTION_KEY ??= 'kwikid-test-encryption-key';
		const { Container } = await import('@n8n/di');
		const { BinaryDataService } = await import('n8n-core');
		await Container.get(BinaryDataService).init();
	})();
	return await ready;
}
