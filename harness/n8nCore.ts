/**
 * One-time set-up of the n8n-core services a node execution touches (binary data, instance
 * settings). n8n does this at start-up; tests do it once per jest worker.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

let ready: Promise<void> | undefined;

export async function initN8nCore(): Promise<void> {
	ready ??= (async () => {
		// n8n-core reads its folder from the environment when its settings are first built.
		process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'kwikid-n8n-'));
		process.env.N8N_ENCRYPTION_KEY ??= 'kwikid-test-encryption-key';
		const { Container } = await import('@n8n/di');
		const { BinaryDataService } = await import('n8n-core');
		await Container.get(BinaryDataService).init();
		await unrefSshCleanupTimer(Container);
	})();
	return await ready;
}

/**
 * n8n-core 1.x's SSH client manager (built on the first node execution, a singleton) starts a
 * 60 s cleanup interval that is not unref'd (2.x unrefs it): it kept each jest worker alive
 * after its tests ("A worker process has failed to exit gracefully"). Built here instead, and
 * its timer unref'd. A private detail of n8n-core: if it is not there, nothing is done.
 */
async function unrefSshCleanupTimer(container: { get(type: new () => object): object }): Promise<void> {
	try {
		const path = join(dirname(require.resolve('n8n-core')), 'execution-engine', 'ssh-clients-manager');
		const { SSHClientsManager } = (await import(path)) as { SSHClientsManager?: new () => object };
		if (!SSHClientsManager) return;
		const manager = container.get(SSHClientsManager) as { cleanupTimer?: { unref?: () => void } };
		manager.cleanupTimer?.unref?.();
	} catch {
		// Another layout of n8n-core: the worse outcome is jest's warning.
	}
}

/**
 * The n8n-core line the harness runs on: the `n8n-core` devDependency (2.x), or 1.x when jest's
 * "n8n-core 1.x" project maps `n8n-core` to the `n8n-core-1` alias (see jest.config.js).
 */
export function n8nCoreMajor(): number {
	let dir = dirname(require.resolve('n8n-core'));
	while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
	const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
	return Number(String(manifest.version).split('.')[0]);
}
